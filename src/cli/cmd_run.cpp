// vtpilot run: unattended. Attach (--spawn CMD, or --sim: the bundled lpar-sim on a pty),
// follow the plan screen by screen, every key through the guard, everything recorded.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "ui.hpp"
#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/plan/plan.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/record/replay.hpp"
#include "vtpilot/run/runner.hpp"
#include "vtpilot/base/regex.hpp"
#include "vtpilot/transport/transport.hpp"

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

CastMeta cast_meta(const RunArgs& o, const std::string& who, const Plan& plan) {
  CastMeta m;
  m.command = who;
  m.plan = plan.name == "migrate" || plan.name == "rollback" ? plan.name : o.plan;
  m.version = kVersion;
  m.verify = o.verify;
  auto put = [](std::map<std::string, std::string>& to, const char* k, const std::string& v) {
    if (!v.empty()) to[k] = v;
  };
  put(m.policy, "target_disk", o.policy.target_name);
  put(m.policy, "target_location", o.policy.target_location);
  put(m.policy, "target_pvid", o.policy.target_pvid);
  put(m.policy, "clone_location", o.policy.clone_location);
  put(m.policy, "clone_pvid", o.policy.clone_pvid);
  put(m.options, "media_pattern", o.media_pattern);
  put(m.options, "media_location", o.media_location);
  if (who == "verify" || who == "preflight" || o.verify) {
    put(m.options, "user", o.shell.user);
    put(m.options, "expect_level", o.shell.expect_level);
  }
  m.numbers["timeout_s"] = o.timeout_s;
  m.numbers["confirm_timeout_s"] = o.confirm_s;
  m.numbers["pacing_ms"] = o.pacing_ms;
  return m;
}

void end_transcript(Recorder& rec, const RunResult& r, int exit) {
  // A check that failed (7) or a clean end has no halt code; the others say theirs.
  rec.end(r.seconds, CastEnd{outcome_for_exit(exit), exit, exit == kDone || exit == kCheckFailed ? "" : r.code});
  rec.close();
}

void print_screen(const Screen& s) {
  // 80 columns like the console itself (a frame around it would wrap every row of an 80-column
  // terminal); the blank rows below the last text are left out.
  std::size_t n = s.lines.size();
  while (n > 0 && s.lines[n - 1].find_first_not_of(' ') == std::string::npos) --n;
  const std::string rule(80, '-');
  std::cerr << rule << "\n";
  for (std::size_t i = 0; i < n; ++i) std::cerr << s.lines[i] << "\n";
  std::cerr << rule << "\n";
}

void add_run_flags(CLI::App* cmd, RunArgs& o) {
  auto* spawn = cmd->add_option("--spawn", o.spawn, "run CMD (through /bin/sh -c) on a pty and drive it");
  auto* sim = cmd->add_flag("--sim", o.sim, "drive the bundled simulator (lpar-sim console) on a pty (the default)");
  cmd->add_option("--sim-args", o.sim_args, "lpar-sim's own flags, as one string (see lpar-sim console --help)");
  auto* config = cmd->add_option("--config", o.config, "TOML config: HMC, LPARs, policy (ssh + mkvterm)");
  spawn->excludes(sim);
  config->excludes(sim)->excludes(spawn);
  cmd->add_option("--plan", o.plan, "built-in plan (" + builtin_plans_summary() + "; vtpilot plans shows them) or a plan file; overrides a config's plan")
      ->capture_default_str()->each([&o](const std::string&) { o.plan_given = true; });
  cmd->add_option("--transcript", o.transcript, "asciicast file to write (default: vtpilot-DATE-TIME.cast here)");
  cmd->add_option("--lpar", o.lpars, "with --config: only these LPARs (repeatable; default all of the config)");
  cmd->add_flag("--power-on", o.power_on, "with --config: activate a Not Activated LPAR into SMS (chsysstate -b sms)");
  cmd->add_flag("--take-over", o.take_over, "with --config: free a console held by another session (rmvterm)");
  cmd->add_flag("--no-reclaim", o.no_reclaim,
                "with --config: after a dropped connection, never rmvterm the console our own dropped session "
                "still holds; halt with the command instead (reclaim_own_vterm = false)");
  cmd->add_option("--pacing", o.pacing_ms, "milliseconds between key bytes (0 = full speed)")
      ->check(finite_number())->check(CLI::Range(0.0, 10000.0))->capture_default_str()->each([&o](const std::string&) { o.pacing_given = true; });
  cmd->add_option("--timeout", o.timeout_s, "seconds on one screen with nothing changing before halting (exit 4)")
      ->check(finite_number())->check(CLI::Range(0.1, 86400.0))->capture_default_str()->each([&o](const std::string&) { o.timeout_given = true; });
  cmd->add_option("--confirm-timeout", o.confirm_s, "seconds for the console to react to keys before checking what arrived")
      ->check(finite_number())->check(CLI::Range(0.01, 600.0))->capture_default_str();
  cmd->add_option("--events", o.events, "machine-readable events on stdout")->check(CLI::IsMember({"json"}));
  cmd->add_option("--media-pattern", o.media_pattern, "install media label in the SMS device list (regex, default CD-ROM|DVD)");
  cmd->add_option("--media-location", o.media_location, "install media location code (outranks the pattern)");
  cmd->add_flag("--quiet", o.quiet, "no progress lines on stderr");
  cmd->add_option("--serve", o.serve,
                  "live view: a read-only web page of the console(s) at ADDR:PORT (PORT alone: 127.0.0.1; port 0:\n"
                  "any free one; the URL is printed). Another address than loopback needs a token (printed once)")
      ->type_name("ADDR:PORT");
  cmd->add_option("--serve-token-file", o.serve_token_file,
                  "the live view's token, from the first line of this file (mode 0600): required on every request");
  add_signatures_flag(*cmd, o.signatures);
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
    // The simulator's flags are checked before anything is attached or created: a typo in
    // --sim-args is a usage error (exit 2), not a console that closed at once (exit 5).
    if (std::FILE* f = ::popen((p.command + " --check 2>&1 </dev/null").c_str(), "r")) {
      std::string said;
      char buf[512];
      while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) said.append(buf, n);
      const int st = ::pclose(f);
      if (st != 0) {
        while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
        std::cerr << "vtpilot " << who << ": --sim-args \"" << o.sim_args << "\": lpar-sim refuses them"
                  << (said.empty() ? std::string() : ":\n" + said) << "\n";
        code = kUsage;
        return std::nullopt;
      }
    }
  }
  if (!use_signatures(o.signatures, who)) {
    code = kUsage;
    return std::nullopt;
  }
  std::vector<SignatureError> errors;
  if (!resolve_plan(o.plan, active_recognizer(), p.plan, errors)) {
    for (auto& e : errors) std::cerr << e.str() << "\n";
    code = kUsage;
    return std::nullopt;
  }
  // Before anything is attached or created: a need found at the device list is found too late.
  if (auto needs = unmet_needs(p.plan, o.policy); !needs.empty()) {
    for (auto& n : needs) std::cerr << "vtpilot " << who << ": " << n << "\n";
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
  const CastMeta meta = cast_meta(o, who, p.plan);
  if (auto err = p.recorder->open(p.transcript, 80, 24, std::string("vtpilot ") + who + " (" + p.plan.name + ")",
                                  static_cast<double>(std::time(nullptr)), &meta)) {
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
    // The live view first: a port in use is exit 2 before anything is created or attached.
    auto view = LiveView::open(o->serve, o->serve_token_file, o->quiet, "run", code);
    if (code) {
      exit_code() = code;
      return;
    }
    auto p = prepare_run(*o, "run", code);
    if (!p) {
      exit_code() = code;
      return;
    }
    p->eo.level_decides = o->verify;  // verify reads the level: that decides whether it migrated
    Session session(p->plan, active_recognizer(), Guard(p->policy), p->eo);
    RunOptions ro;
    ro.pacing_s = o->pacing_ms / 1000.0;
    UiOptions ui;
    ui.events_json = o->events == "json";
    ui.quiet = o->quiet;
    ui.tty = ::isatty(2);
    ui.timeout_s = o->timeout_s;
    show_run(ro, ui);
    if (!o->quiet)
      std::cerr << "vtpilot: " << p->command << "\n  plan " << p->plan.name << ", transcript " << p->transcript << "\n";
    const std::string command = p->command;
    const int view_index = view ? view->watch(o->spawn.empty() ? "lpar-sim" : "console", *p->recorder, p->transcript, ro) : -1;
    if (o->verify) {
      std::function<void(const Report&)> on_verdict;
      if (view) on_verdict = [&](const Report& rep) { view->verdict(view_index, rep); };
      exit_code() = run_plan_then_verify(
          session, *p, *o, ro, [&](boost::asio::io_context& io) { return make_spawn_transport(io, command); }, on_verdict);
      return;
    }
    RunResult r = run_live(session, [&](boost::asio::io_context& io) { return make_spawn_transport(io, command); },
                           *p->recorder, ro);
    exit_code() = report_outcome(r, p->transcript, o->quiet, o->events == "json");
    end_transcript(*p->recorder, r, exit_code());
  });
}

namespace {

// A refusal on the disk screen because the disks are not where the policy expects them (booted
// from media, the clone may be hdisk0): name the pin that would fix it, read off that screen.
std::string disk_hint(const RunResult& r) {
  static const std::set<std::string> codes{"altinst-disk", "non-target-disk", "target-not-rootvg", "selection-not-exact"};
  if (!codes.count(r.code)) return {};
  const Recognized rec = Recognizer::builtin().recognize(r.last_screen);
  if (rec.id != screen_id::bos_disks) return {};
  const Disk* root = nullptr;
  int roots = 0;
  for (const Disk& d : rec.fields.disks)
    if (d.vg == "rootvg") root = &d, ++roots;
  if (roots != 1 || root->name.empty()) return {};
  std::string how = !root->location.empty() ? "--target-location " + root->location
                    : !root->pvid.empty()   ? "--target-pvid " + root->pvid
                                            : "";
  return "Here the rootvg shows on " + root->name +
         " (disks renumber when the LPAR boots from media). If that is the 7.1 system's disk (vtpilot preflight "
         "prints its PVID and location), run again with " +
         (how.empty() ? "--target-disk " + root->name
                      : how + " (a pin outranks the name; in a config: target = { " +
                            (root->location.empty() ? "pvid = \"" + root->pvid : "location = \"" + root->location) +
                            "\" }), or --target-disk " + root->name) +
         ".";
}

}  // namespace

int report_outcome(const RunResult& r, const std::string& transcript, bool quiet, bool json, const std::string& lpar) {
  // A transport that never showed a screen (ssh could not connect, a host key, a busy console)
  // did not lose a console: it never had one, and there is no screen to show.
  const std::string closed = "the console closed: ";
  const bool never_attached = r.exit_code == kTransport && r.last_screen.blank() &&
                              (r.text.rfind(closed + "ssh: ", 0) == 0 || r.text.rfind("ssh: ", 0) == 0);
  const char* outcome = r.exit_code == kDone ? "done" : r.exit_code == kRefused ? "REFUSED" : r.exit_code == kTransport
                                                  ? (never_attached ? "could not connect" : "console lost")
                                                  : r.exit_code >= 128 ? "stopped" : "halted";
  if (r.exit_code != kDone) {
    std::string text = r.text;
    if (never_attached && text.compare(0, closed.size(), closed) == 0) text = text.substr(closed.size());
    const std::string refused = "Refused: ";
    if (text.compare(0, refused.size(), refused) == 0) text = text.substr(refused.size());
    std::cerr << "\nvtpilot: " << outcome << (r.exit_code == kRefused && !r.code.empty() ? " [" + r.code + "]" : std::string())
              << ": " << text << "\n";
    if (std::string hint = disk_hint(r); !hint.empty()) std::cerr << "  " << hint << "\n";
    if (r.last_screen.blank()) {
      if (!never_attached) std::cerr << "Last screen: blank\n";
    } else {
      std::cerr << "Last screen:\n";
      print_screen(r.last_screen);
      // Halted on a screen no signature names: what came closest, so a signature can be written.
      if (r.exit_code == kHalted) {
        const Recognized last = active_recognizer().recognize(r.last_screen);
        if (!last.known() && last.ambiguous.empty())
          std::cerr << describe_near_misses(active_recognizer().explain(r.last_screen.text()), "  ");
      }
    }
  }
  // Done for a reason of its own (already at the target level): say which.
  if (r.exit_code == kDone && !r.code.empty()) std::cerr << "\nvtpilot: done [" << r.code << "]: " << r.text << "\n";
  if (!quiet)
    std::cerr << "vtpilot: " << outcome << " in " << static_cast<int>(r.seconds) << " s; transcript " << transcript
              << (r.child_status >= 0 ? "; console program exited " + std::to_string(r.child_status) : std::string())
              << "\n";
  if (json) {
    // The fields a caller needs without reading stderr (the Ansible modules map them): which
    // LPAR, why it stopped (code, text), the transcript, and the last screen's rows.
    nlohmann::json j{{"event", "summary"}, {"outcome", outcome}, {"exit", r.exit_code}, {"seconds", r.seconds},
                     {"child_status", r.child_status}, {"transcript", transcript}};
    if (!lpar.empty()) j["lpar"] = lpar;
    if (!r.code.empty()) j["code"] = r.code;
    if ((r.exit_code != 0 || !r.code.empty()) && !r.text.empty()) j["text"] = r.text;
    if (!r.last_screen.blank()) {
      std::vector<std::string> rows = r.last_screen.lines;
      for (auto& row : rows) row.erase(row.find_last_not_of(' ') + 1);
      while (!rows.empty() && rows.back().empty()) rows.pop_back();
      j["last_screen"] = rows;
    }
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n" << std::flush;
  }
  return r.exit_code;
}

void add_replay(CLI::App& app) {
  struct Opts {
    std::vector<std::string> files;
    std::string plan = "migrate", media_pattern, media_location, signatures, junit;
    double timeout_s = 900, confirm_s = 5;
    int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    Policy policy;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "replay",
      "feed a recorded transcript's output to the engine on virtual time and compare the keys it would\n"
      "send, and how it ends, with the recorded ones. The plan, policy and options are the transcript\n"
      "header's (what recorded it) unless given here. Exit 0 if they agree, 6 if they diverge or the\n"
      "transcript has no end marker (an incomplete recording), 3 if the guard refuses, 2 bad file\n"
      "(or a transcript of verify, preflight, step or run --verify, which replay does not run).\n"
      "Several casts or folders (*.cast inside) run in parallel, one line each; a cast that cannot be\n"
      "replayed is then a failure (exit 6), and --junit writes a JUnit XML report for CI.");
  cmd->add_option("CAST", o->files, "asciicast v2 transcripts (.cast), or folders holding them")->required();
  cmd->add_option("--junit", o->junit, "write a JUnit XML report here: one test case per cast, the divergence as its failure");
  cmd->add_option("--jobs", o->jobs, "casts replayed at once (default: the number of cores)")->check(CLI::Range(1, 256));
  cmd->add_option("--plan", o->plan, "plan the recording followed: built-in (" + builtin_plans_summary() + ") or a plan file (default: the header's, else migrate)");
  cmd->add_option("--timeout", o->timeout_s, "per-screen timeout, as in run (default: the header's)")
      ->check(finite_number())->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--confirm-timeout", o->confirm_s, "as in run (default: the header's)")
      ->check(finite_number())->check(CLI::Range(0.01, 600.0));
  cmd->add_option("--media-pattern", o->media_pattern, "as in run (default: the header's)");
  cmd->add_option("--media-location", o->media_location, "as in run (default: the header's)");
  add_signatures_flag(*cmd, o->signatures);
  add_policy_flags(*cmd, o->policy);
  cmd->callback([o, cmd] {
    if (!use_signatures(o->signatures, "replay")) {
      exit_code() = kUsage;
      return;
    }
    // One cast, with what its own header says recorded it. `said` gets where the plan and policy
    // came from; a cast that replay does not run is exit 2 with its reason in the report.
    auto one = [o, cmd](const std::string& file, std::string& said) -> ReplayResult {
    ReplayResult bad;
    bad.exit_code = kUsage;
    Cast cast;
    if (auto err = read_cast(file, cast)) {
      bad.report = *err;
      return bad;
    }
    const CastMeta meta = cast.meta.value_or(CastMeta{});
    // Only run's plan conversation replays: the others have a partner the cast cannot stand in for.
    std::string not_replayed;
    if (meta.command == "verify" || meta.command == "preflight")
      not_replayed = "a `" + meta.command + "` transcript (its shell conversation's markers are unique per run and its "
                     "password is not in the transcript)";
    else if (meta.command == "step")
      not_replayed = "a `step` transcript (the operator's decisions are not the plan's)";
    else if (meta.verify)
      not_replayed = "a `run --verify` transcript (the verify conversation after the login is not replayed)";
    else if (!meta.command.empty() && meta.command != "run" && meta.command != "import")
      not_replayed = "a transcript of `" + meta.command + "`";
    if (!not_replayed.empty()) {
      bad.report = file + ": " + not_replayed + "; replay runs transcripts of `vtpilot run`";
      return bad;
    }
    // What recorded it, unless the command line says otherwise; either way, said.
    std::vector<std::string> from_header, overridden;
    auto given = [&](const char* flag) { return cmd->count(flag) > 0; };
    auto pick_text = [&](const char* flag, const char* key, const std::map<std::string, std::string>& m, std::string& out) {
      auto it = m.find(key);
      if (given(flag)) {
        if (it != m.end() && it->second != out) overridden.push_back(std::string(flag) + " " + out + " (recorded: " + it->second + ")");
      } else if (it != m.end()) {
        out = it->second;
        from_header.push_back(std::string(key) + "=" + it->second);
      }
    };
    auto pick_number = [&](const char* flag, const char* key, double& out) {
      auto it = meta.numbers.find(key);
      if (given(flag)) {
        if (it != meta.numbers.end() && it->second != out) overridden.push_back(std::string(flag) + " " + std::to_string(out));
      } else if (it != meta.numbers.end() && std::isfinite(it->second) && it->second > 0) {
        out = it->second;
      }
    };
    std::string plan_name = o->plan;
    if (given("--plan")) {
      if (!meta.plan.empty() && meta.plan != o->plan) overridden.push_back("--plan " + o->plan + " (recorded: " + meta.plan + ")");
    } else if (!meta.plan.empty()) {
      plan_name = meta.plan;
      from_header.push_back("plan=" + meta.plan);
    }
    Policy policy = o->policy;
    pick_text("--target-disk", "target_disk", meta.policy, policy.target_name);
    pick_text("--target-location", "target_location", meta.policy, policy.target_location);
    pick_text("--target-pvid", "target_pvid", meta.policy, policy.target_pvid);
    pick_text("--clone-location", "clone_location", meta.policy, policy.clone_location);
    pick_text("--clone-pvid", "clone_pvid", meta.policy, policy.clone_pvid);
    pick_text("--media-pattern", "media_pattern", meta.options, o->media_pattern);
    pick_text("--media-location", "media_location", meta.options, o->media_location);
    pick_number("--timeout", "timeout_s", o->timeout_s);
    pick_number("--confirm-timeout", "confirm_timeout_s", o->confirm_s);
    double pacing_ms = 0;
    if (auto it = meta.numbers.find("pacing_ms"); it != meta.numbers.end() && std::isfinite(it->second) && it->second >= 0)
      pacing_ms = it->second;

    const Recognizer& rec = active_recognizer();
    Plan plan;
    std::vector<SignatureError> errors;
    if (!resolve_plan(plan_name, rec, plan, errors)) {
      for (auto& e : errors) bad.report += (bad.report.empty() ? "" : "\n") + e.str();
      return bad;
    }
    EngineOptions eo;
    eo.screen_timeout_s = o->timeout_s;
    eo.confirm_timeout_s = o->confirm_s;
    eo.pacing_s = pacing_ms / 1000.0;
    if (!o->media_pattern.empty()) eo.media_pattern = o->media_pattern;
    eo.media_location = o->media_location;
    policy.extra_forbidden_labels = plan.forbidden_labels;
    if (!cast.meta) said = "no vtpilot header: plan " + plan.name + " and the policy from the command line";
    else {
      for (auto& x : from_header) said += (said.empty() ? "from the header: " : ", ") + x;
      if (!overridden.empty()) {
        said += std::string(said.empty() ? "" : "; ") + "overridden here: ";
        for (std::size_t i = 0; i < overridden.size(); ++i) said += (i ? ", " : "") + overridden[i];
      }
    }
    Session session(plan, rec, Guard(policy), eo);
    return replay_cast(session, cast, file);
    };
    struct stat st{};
    const bool many = o->files.size() > 1 || !o->junit.empty() ||
                      (::stat(o->files[0].c_str(), &st) == 0 && S_ISDIR(st.st_mode));
    if (many) {
      exit_code() = replay_many(o->files, o->jobs, o->junit, [&one](const std::string& file) {
        std::string said;
        return one(file, said);
      });
      return;
    }
    const std::string& file = o->files[0];
    std::string said;
    auto t0 = std::chrono::steady_clock::now();
    ReplayResult r = one(file, said);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!said.empty()) std::cerr << "replay: " << file << ": " << said << "\n";
    if (r.exit_code == kDone)
      std::cout << "replay: " << file << ": keys agree (" << r.keys_compared << " key bytes, " << r.output_bytes
                << " output bytes, " << secs << " s); both " << r.end << "\n";
    else
      std::cerr << "replay: " << r.report << "\n";
    exit_code() = r.exit_code;
  });
}

}  // namespace vtpilot::cli
