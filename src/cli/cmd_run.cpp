// vtpilot run: unattended. Attach (--spawn CMD, or --sim: the bundled lpar-sim on a pty),
// follow the plan screen by screen, every key through the guard, everything recorded.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "vtpilot/plan.hpp"
#include "vtpilot/recorder.hpp"
#include "vtpilot/runner.hpp"
#include "vtpilot/regex.hpp"
#include "vtpilot/transport.hpp"

namespace vtpilot::cli {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string self_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

std::string default_transcript() {
  std::time_t now = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "vtpilot-%Y%m%d-%H%M%S.cast", std::localtime(&now));
  return buf;
}

}  // namespace

void print_screen(const Screen& s) {
  std::cerr << "  +" << std::string(80, '-') << "+\n";
  for (const auto& l : s.lines) {
    std::string line = l;
    std::size_t width = 0;
    for (unsigned char c : line) width += (c & 0xC0) != 0x80;
    std::cerr << "  |" << line << std::string(width < 80 ? 80 - width : 0, ' ') << "|\n";
  }
  std::cerr << "  +" << std::string(80, '-') << "+\n";
}

void add_run_flags(CLI::App* cmd, RunArgs& o) {
  auto* spawn = cmd->add_option("--spawn", o.spawn, "run CMD (through /bin/sh -c) on a pty and drive it");
  auto* sim = cmd->add_flag("--sim", o.sim, "drive the bundled simulator (lpar-sim console) on a pty (the default)");
  cmd->add_option("--sim-args", o.sim_args, "lpar-sim's own flags, as one string (see lpar-sim console --help)");
  auto* config = cmd->add_option("--config", o.config, "TOML config: HMC, LPARs, policy (ssh + mkvterm)");
  spawn->excludes(sim);
  config->excludes(sim)->excludes(spawn);
  cmd->add_option("--plan", o.plan, "built-in plan name (migrate) or a plan file; overrides a config's plan")
      ->capture_default_str()->each([&o](const std::string&) { o.plan_given = true; });
  cmd->add_option("--transcript", o.transcript, "asciicast file to write (default: vtpilot-DATE-TIME.cast here)");
  cmd->add_option("--lpar", o.lpars, "with --config: only these LPARs (repeatable; default all of the config)");
  cmd->add_flag("--power-on", o.power_on, "with --config: activate a Not Activated LPAR into SMS (chsysstate -b sms)");
  cmd->add_flag("--take-over", o.take_over, "with --config: free a console held by another session (rmvterm)");
  cmd->add_option("--pacing", o.pacing_ms, "milliseconds between key bytes (0 = full speed)")
      ->check(CLI::Range(0.0, 10000.0))->capture_default_str()->each([&o](const std::string&) { o.pacing_given = true; });
  cmd->add_option("--timeout", o.timeout_s, "seconds on one screen with nothing changing before halting (exit 4)")
      ->check(CLI::Range(0.1, 86400.0))->capture_default_str()->each([&o](const std::string&) { o.timeout_given = true; });
  cmd->add_option("--confirm-timeout", o.confirm_s, "seconds for the console to react to keys before checking what arrived")
      ->check(CLI::Range(0.01, 600.0))->capture_default_str();
  cmd->add_option("--events", o.events, "machine-readable events on stdout")->check(CLI::IsMember({"json"}));
  cmd->add_option("--media-pattern", o.media_pattern, "install media label in the SMS device list (regex, default CD-ROM|DVD)");
  cmd->add_option("--media-location", o.media_location, "install media location code (outranks the pattern)");
  cmd->add_flag("--quiet", o.quiet, "no progress lines on stderr");
  add_policy_flags(*cmd, o.policy);
}

std::optional<Prepared> prepare_run(const RunArgs& o, const char* who, int& code) {
  Prepared p;
  p.command = o.config.empty() ? o.spawn : "--config " + o.config;  // the ssh transport names itself
  if (o.config.empty() && (o.sim || p.command.empty())) {
    std::string sim = self_dir() + "/lpar-sim";
    if (::access(sim.c_str(), X_OK) != 0) {
      std::cerr << "vtpilot " << who << ": the simulator " << sim << " is not built (scripts/bootstrap builds it)\n";
      code = kUsage;
      return std::nullopt;
    }
    p.command = shell_quote(sim) + " console " + o.sim_args;
  }
  std::vector<SignatureError> errors;
  if (!resolve_plan(o.plan, Recognizer::builtin(), p.plan, errors)) {
    for (auto& e : errors) std::cerr << e.str() << "\n";
    code = kUsage;
    return std::nullopt;
  }
  p.eo.screen_timeout_s = o.timeout_s;
  p.eo.confirm_timeout_s = o.confirm_s;
  p.eo.pacing_s = o.pacing_ms / 1000.0;
  if (!o.media_pattern.empty()) {
    std::string err;
    std::size_t off = 0;
    if (!Regex::compile(o.media_pattern, err, off)) {
      std::cerr << "vtpilot " << who << ": --media-pattern: bad regex at offset " << off << ": " << err << "\n";
      code = kUsage;
      return std::nullopt;
    }
    p.eo.media_pattern = o.media_pattern;
  }
  p.eo.media_location = o.media_location;
  p.policy = o.policy;
  p.policy.extra_forbidden_labels = p.plan.forbidden_labels;
  p.transcript = o.transcript.empty() ? default_transcript() : o.transcript;
  if (auto err = p.recorder->open(p.transcript, 80, 24, std::string("vtpilot ") + who + " (" + p.plan.name + ")",
                                  static_cast<double>(std::time(nullptr)))) {
    std::cerr << "vtpilot " << who << ": cannot create the transcript: " << *err << "\n";
    code = kUsage;
    return std::nullopt;
  }
  return p;
}

void add_run(CLI::App& app) {
  auto o = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "run",
      "unattended: attach to a console, follow the plan (default `migrate`), every key through the guard,\n"
      "everything recorded in an asciicast transcript.\n"
      "Exit: 0 done, 2 bad usage/config, 3 refused by the guard, 4 unknown screen or timeout, 5 console lost,\n"
      "7 (with --verify) an acceptance check failed, 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP.\n"
      "Example: vtpilot run --sim     (a whole simulated migration on the bundled lpar-sim)");
  add_run_flags(cmd, *o);
  cmd->add_flag("--verify", o->verify,
                "after Console login:, log in and run verify's acceptance checks in the same attach and transcript\n"
                "(exit 7 if one fails; see vtpilot verify --help)");
  add_shell_flags(cmd, o->shell, ShellFlagsFor::run_verify);
  cmd->callback([o] {
    if (!o->config.empty()) {
      exit_code() = run_config(*o);
      return;
    }
    int code = 0;
    auto p = prepare_run(*o, "run", code);
    if (!p) {
      exit_code() = code;
      return;
    }
    Session session(p->plan, Recognizer::builtin(), Guard(p->policy), p->eo);
    RunOptions ro;
    ro.pacing_s = o->pacing_ms / 1000.0;
    ro.events_json = o->events == "json";
    ro.quiet = o->quiet;
    ro.tty = ::isatty(2);
    if (!o->quiet)
      std::cerr << "vtpilot: " << p->command << "\n  plan " << p->plan.name << ", transcript " << p->transcript << "\n";
    const std::string command = p->command;
    if (o->verify) {
      exit_code() = run_plan_then_verify(
          session, *p, *o, ro, [&](boost::asio::io_context& io) { return make_spawn_transport(io, command); });
      return;
    }
    RunResult r = run_live(session, [&](boost::asio::io_context& io) { return make_spawn_transport(io, command); },
                           *p->recorder, ro);
    p->recorder->close();
    exit_code() = report_outcome(r, p->transcript, o->quiet, o->events == "json");
  });
}

int report_outcome(const RunResult& r, const std::string& transcript, bool quiet, bool json) {
  const char* outcome = r.exit_code == 0 ? "done" : r.exit_code == 3 ? "REFUSED" : r.exit_code == 5 ? "console lost"
                                                  : r.exit_code >= 128 ? "stopped" : "halted";
  if (r.exit_code != 0) {
    std::cerr << "\nvtpilot: " << outcome << ": " << r.text << "\nLast screen:\n";
    print_screen(r.last_screen);
  }
  if (!quiet)
    std::cerr << "vtpilot: " << outcome << " in " << static_cast<int>(r.seconds) << " s; transcript " << transcript
              << (r.child_status >= 0 ? "; console program exited " + std::to_string(r.child_status) : std::string())
              << "\n";
  if (json)
    std::cout << "{\"event\":\"summary\",\"outcome\":\"" << outcome << "\",\"exit\":" << r.exit_code
              << ",\"seconds\":" << r.seconds << ",\"child_status\":" << r.child_status << "}\n";
  return r.exit_code;
}

void add_replay(CLI::App& app) {
  struct Opts {
    std::vector<std::string> files;
    std::string plan = "migrate", media_pattern, media_location, junit;
    int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    double timeout_s = 900, confirm_s = 5;
    Policy policy;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "replay",
      "feed a recorded transcript's output to the engine on virtual time and compare the keys it would\n"
      "send with the recorded ones. Exit 0 if they agree, 6 if they diverge, 3 if the guard refuses, 2 bad file.\n"
      "Several casts or folders (*.cast inside) run in parallel, one line each; a cast that cannot be\n"
      "replayed is then a failure (exit 6), and --junit writes a JUnit XML report for CI.");
  cmd->add_option("CAST", o->files, "asciicast v2 transcripts (.cast), or folders holding them")->required();
  cmd->add_option("--junit", o->junit, "write a JUnit XML report here: one test case per cast, the divergence as its failure");
  cmd->add_option("--jobs", o->jobs, "casts replayed at once (default: the number of cores)")->check(CLI::Range(1, 256));
  cmd->add_option("--plan", o->plan, "plan the recording followed")->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "per-screen timeout, as in run")->capture_default_str();
  cmd->add_option("--confirm-timeout", o->confirm_s, "as in run")->capture_default_str();
  cmd->add_option("--media-pattern", o->media_pattern, "as in run");
  cmd->add_option("--media-location", o->media_location, "as in run");
  add_policy_flags(*cmd, o->policy);
  cmd->callback([o] {
    struct stat st{};
    const bool many = o->files.size() > 1 || !o->junit.empty() ||
                      (::stat(o->files[0].c_str(), &st) == 0 && S_ISDIR(st.st_mode));
    const Recognizer& rec = Recognizer::builtin();
    Plan plan;
    std::vector<SignatureError> errors;
    if (!resolve_plan(o->plan, rec, plan, errors)) {
      for (auto& e : errors) std::cerr << e.str() << "\n";
      exit_code() = kUsage;
      return;
    }
    EngineOptions eo;
    eo.screen_timeout_s = o->timeout_s;
    eo.confirm_timeout_s = o->confirm_s;
    if (!o->media_pattern.empty()) eo.media_pattern = o->media_pattern;
    eo.media_location = o->media_location;
    Policy policy = o->policy;
    policy.extra_forbidden_labels = plan.forbidden_labels;
    auto one = [&](const std::string& file) {
      Session session(plan, rec, Guard(policy), eo);
      return replay_cast(session, file);
    };
    if (many) {
      exit_code() = replay_many(o->files, o->jobs, o->junit, one);
      return;
    }
    auto t0 = std::chrono::steady_clock::now();
    ReplayResult r = one(o->files[0]);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r.exit_code == 0)
      std::cout << "replay: " << o->files[0] << ": keys agree (" << r.keys_compared << " key bytes, " << r.output_bytes
                << " output bytes, " << secs << " s)\n";
    else
      std::cerr << "replay: " << r.report << "\n";
    exit_code() = r.exit_code;
  });
}

}  // namespace vtpilot::cli
