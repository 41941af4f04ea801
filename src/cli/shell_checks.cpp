// What verify, preflight and run --verify share: the password, the shell conversation over a
// transport, and the report (a table on the terminal, or JSON). The subcommands themselves
// are cmd_verify.cpp and cmd_preflight.cpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "commands.hpp"
#include "ui.hpp"
#include "vtpilot/shell/acceptance.hpp"
#include "vtpilot/transport/secret.hpp"
#include "vtpilot/engine/driver_chain.hpp"
#include "vtpilot/shell/shell.hpp"
#include "vtpilot/transport/transport.hpp"

namespace vtpilot::cli {

namespace {

// The password: the first line of --password-file, or typed on the terminal without echo.
// Never from argv or the environment; it lives in this process only.
std::optional<std::string> read_password(const ShellArgs& a, std::string& error) {
  if (!a.password_file.empty()) return read_secret_file(a.password_file, error);
  std::string why;
  if (auto pw = prompt_secret(a.user + "'s password on the console (not echoed): ", why)) return pw;
  return std::string();  // no terminal: the console may not ask; if it does, the run halts and says so
}

// Marker token: unique per run, so output that merely contains an old marker never ends a
// command early. Letters only (no digits the guard's raw scan could read as item numbers).
std::string make_nonce() {
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 5; ++i) s += static_cast<char>('a' + rd() % 26);
  return s;
}

ShellOptions shell_options(const RunArgs& o, std::vector<ShellCommand> commands, std::string password) {
  ShellOptions so;
  so.user = o.shell.user;
  so.password = std::move(password);
  so.wake = !o.shell.no_wake;
  so.screen_timeout_s = o.timeout_s;
  // Each line's Enter waits for its echo: after the paced bytes, up to the confirm time.
  so.pacing_s = o.pacing_ms / 1000.0;
  so.confirm_timeout_s = o.confirm_s;
  so.nonce = make_nonce();
  so.commands = std::move(commands);
  return so;
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_of(" \t'\"$\\") == std::string::npos) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A TOML basic string: what lspv and lscfg print needs no escapes, but a console may print anything.
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  return out + "\"";
}

nlohmann::json report_json(const Report& r, int exit) {
  nlohmann::json checks = nlohmann::json::array();
  for (const Check& c : r.checks)
    checks.push_back({{"id", c.id}, {"title", c.title}, {"status", c.status == CheckStatus::fail ? "fail" : status_name(c.status)},
                      {"detail", c.detail}});
  nlohmann::json j{{"command", r.kind}, {"ok", r.ok()}, {"exit", exit}, {"level", r.level}, {"checks", checks}};
  if (const Check* f = r.first_failure()) j["reason"] = f->title + ": " + f->detail;
  const Pins& p = r.pins;
  nlohmann::json pins = nlohmann::json::object();
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) pins[k] = v;
  };
  put("target_disk", p.target_disk);
  put("target_pvid", p.target_pvid);
  put("target_location", p.target_location);
  put("clone_disk", p.clone_disk);
  put("clone_pvid", p.clone_pvid);
  put("clone_location", p.clone_location);
  j["pins"] = pins;
  if (!r.plan.empty()) j["plan"] = r.plan;
  return j;
}

void print_table(const Report& r) {
  int pass = 0, fail = 0, info = 0;
  for (const Check& c : r.checks) (c.status == CheckStatus::pass ? pass : c.status == CheckStatus::fail ? fail : info)++;
  std::cout << "vtpilot " << r.kind << ": " << pass << " passed, " << fail << " failed" << (info ? ", " + std::to_string(info) + " to review" : "")
            << "\n\n";
  std::size_t w = 5;
  for (const Check& c : r.checks) w = std::max(w, c.title.size());
  std::cout << "  " << std::string("check") << std::string(w - 5 + 2, ' ') << "result  detail\n";
  for (const Check& c : r.checks)
    std::cout << "  " << c.title << std::string(w - c.title.size() + 2, ' ') << status_name(c.status)
              << std::string(8 - std::string(status_name(c.status)).size(), ' ') << c.detail << "\n";
}

void print_pins_and_plan(const Report& r) {
  const Pins& p = r.pins;
  if (p.target_pvid.empty()) return;
  std::string flags = "--target-disk " + p.target_disk + " --target-pvid " + p.target_pvid;
  if (!p.target_location.empty()) flags += " --target-location " + shell_quote(p.target_location);
  if (!p.clone_pvid.empty()) flags += " --clone-pvid " + p.clone_pvid;
  if (!p.clone_location.empty()) flags += " --clone-location " + shell_quote(p.clone_location);
  // The config's shape (config.cpp): inline tables in the LPAR's [[lpar]].
  std::string target = "target = { disk = " + toml_string(p.target_disk) + ", pvid = " + toml_string(p.target_pvid);
  if (!p.target_location.empty()) target += ", location = " + toml_string(p.target_location);
  target += " }";
  std::string clone;
  if (!p.clone_pvid.empty()) clone += "pvid = " + toml_string(p.clone_pvid);
  if (!p.clone_location.empty()) clone += (clone.empty() ? "" : ", ") + std::string("location = ") + toml_string(p.clone_location);
  std::cout << "\nPin the migration to these disks (hdisk names can change when the LPAR boots from media):\n"
            << "  vtpilot run " << flags << "\n"
            << "  or in the LPAR's [[lpar]] of the config:\n"
            << "    " << target << "\n";
  if (!clone.empty()) std::cout << "    clone = { " << clone << " }\n";
  if (!r.plan.empty()) {
    std::cout << "\nThe migration will:\n";
    int n = 0;
    for (const std::string& s : r.plan) std::cout << "  " << ++n << ". " << s << "\n";
  }
}

// The conversation ended without results to judge: say why, like run does.
int conversation_failed(const RunResult& rr, const std::string& transcript, const RunArgs& o, const char* kind) {
  std::cerr << "vtpilot " << kind << ": no verdict: the console conversation did not finish\n";
  return report_outcome(rr, transcript, o.quiet, o.events == "json");
}

int report_checks(const Report& rep, const RunArgs& o, bool json) {
  const int exit = rep.ok() ? kDone : kCheckFailed;
  if (json) {
    std::cout << report_json(rep, exit).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    print_table(rep);
    if (rep.kind == "preflight") print_pins_and_plan(rep);
  }
  if (const Check* f = rep.first_failure())
    std::cerr << "vtpilot " << rep.kind << ": " << (rep.kind == "verify" ? "acceptance check failed" : "refused")
              << " (exit 7): " << f->title << ": " << f->detail << "\n";
  else if (!o.quiet)
    std::cerr << "vtpilot " << rep.kind << ": all checks passed\n";
  return exit;
}

// verify / preflight attach like run, but follow no plan: those flags are not theirs
// (--confirm-timeout is: each command line's Enter waits for its echo that long). Nor is
// --power-on: the system checked is up, and over --config they never power anything on. And
// they check one LPAR, so --lpar names that one.
void drop_plan_flags(CLI::App* cmd) {
  for (const char* name : {"--plan", "--media-pattern", "--media-location", "--power-on"})
    if (auto* opt = cmd->get_option_no_throw(name)) cmd->remove_option(opt);
  if (auto* opt = cmd->get_option_no_throw("--lpar"))
    opt->description("with --config: the one LPAR to check (needed when the config lists more than one)");
}

RunOptions run_options(const RunArgs& o) {
  RunOptions ro;
  ro.pacing_s = o.pacing_ms / 1000.0;
  UiOptions ui;
  ui.events_json = o.events == "json";
  ui.quiet = o.quiet;
  ui.tty = ::isatty(2);
  show_run(ro, ui);
  return ro;
}

}  // namespace

void add_shell_flags(CLI::App* cmd, ShellArgs& a, ShellFlagsFor who) {
  // run takes them for --verify only: without it they do nothing, and the help says so.
  const std::string with = who == ShellFlagsFor::run_verify ? "with --verify: " : "";
  cmd->add_option("--password-file", a.password_file,
                  with + "the console login's password: the first line of FILE (default: asked on the terminal; never "
                         "argv or environment; recorded as ***)");
  cmd->add_option("--user", a.user, with + "the console login (default root)");
  cmd->add_option("--expect-level", a.expect_level,
                  who == ShellFlagsFor::preflight
                      ? "the level the migration installs (default 7200-05): a system whose oslevel -s starts with it "
                        "is refused (already there), and the plan names it"
                      : with + "the level oslevel -s must start with (default 7200-05)");
  cmd->add_flag("--no-wake", a.no_wake,
                with + "never press Enter on a console that shows nothing (by default one Enter after 2 s of a blank "
                       "screen, to make AIX draw its login prompt)");
  if (who != ShellFlagsFor::run_verify)
    cmd->add_flag("--json", a.json, "the report as one JSON object on stdout instead of the table");
}

std::optional<std::string> read_console_password(const ShellArgs& args, std::string& error) {
  return read_password(args, error);
}

ShellOptions verify_shell_options(const RunArgs& o, std::string password) {
  return shell_options(o, verify_commands(), std::move(password));
}

Report verify_report(const std::vector<CommandResult>& results, const Policy& policy, const RunArgs& o) {
  VerifyExpect ex;
  ex.level_prefix = o.shell.expect_level;
  ex.policy = policy;
  return judge_verify(results, ex);
}

int report_verify(const std::vector<CommandResult>& results, const Policy& policy, const RunArgs& o) {
  return report_checks(verify_report(results, policy, o), o, o.events == "json");
}

int run_checks(CheckKind kind, const RunArgs& o, const TransportMaker& make) {
  const char* who = kind == CheckKind::verify ? "verify" : "preflight";
  int code = 0;
  auto p = prepare_run(o, who, code);  // the other arguments first: never ask for a password, then exit 2
  if (!p) return code;
  std::string err;
  auto password = read_password(o.shell, err);
  if (!password) {
    std::cerr << "vtpilot " << who << ": " << err << "\n";
    end_transcript(*p->recorder, RunResult{}, kUsage);
    return kUsage;
  }
  ShellDriver shell(active_recognizer(), Guard(p->policy),
                    shell_options(o, kind == CheckKind::verify ? verify_commands() : preflight_commands(), std::move(*password)));
  // Over the HMC a blank vterm may hide any screen drawn before it opened: the wake-up Enter
  // only once the HMC reports AIX up (RMC active), never on a BOS menu whose default it would pick.
  p->on_hmc_os = [&shell](bool aix_up, const std::string& said) {
    if (!aix_up)
      shell.withhold_wake("the HMC does not report AIX up (" + said +
                                 "), and a blank vterm may hide a BOS menu whose default Enter chooses; press Enter "
                                 "yourself in `vtpilot step` if you see the login prompt on the HMC");
  };
  const std::string command = p->command;
  TransportFactory factory = make ? make(*p) : TransportFactory([command](boost::asio::io_context& io) {
    return make_spawn_transport(io, command);
  });
  if (!o.quiet) std::cerr << "vtpilot " << who << ": " << p->command << "\n  transcript " << p->transcript << "\n";
  RunResult rr = run_live(shell, factory, *p->recorder, run_options(o));
  if (rr.exit_code != kDone) {
    const int rc = conversation_failed(rr, p->transcript, o, who);
    end_transcript(*p->recorder, rr, rc);
    return rc;
  }
  if (!o.quiet) std::cerr << "vtpilot " << who << ": logged out; transcript " << p->transcript << "\n";
  Report rep;
  if (kind == CheckKind::verify) {
    VerifyExpect ex;
    ex.level_prefix = o.shell.expect_level;
    ex.policy = p->policy;
    rep = judge_verify(shell.results(), ex);
  } else {
    PreflightExpect ex;
    ex.policy = p->policy;
    ex.target_level = o.shell.expect_level;
    rep = judge_preflight(shell.results(), ex);
  }
  // --events json: stdout is JSON lines, so the report is one too (as run --verify's).
  const int rc = report_checks(rep, o, o.shell.json || o.events == "json");
  end_transcript(*p->recorder, rr, rc);
  return rc;
}

void add_check_command(CLI::App& app, CheckKind kind, const char* name, const char* description) {
  auto o = std::make_shared<RunArgs>();
  o->timeout_s = 300;
  auto* cmd = app.add_subcommand(name, description);
  add_run_flags(cmd, *o);
  drop_plan_flags(cmd);
  add_shell_flags(cmd, o->shell, kind == CheckKind::verify ? ShellFlagsFor::verify : ShellFlagsFor::preflight);
  cmd->callback([o, kind, name] {
    TransportMaker maker;
    if (!o->config.empty()) {
      int code = 0;
      auto m = config_attach(*o, name, code, true);
      if (!m) {
        exit_code() = code;
        return;
      }
      maker = std::move(*m);
    }
    exit_code() = run_checks(kind, *o, maker);
  });
}

int run_plan_then_verify(Session& session, Prepared& p, const RunArgs& o, const RunOptions& ro, const TransportFactory& make,
                         const std::function<void(const Report&)>& on_verdict) {
  std::string err;
  auto password = read_password(o.shell, err);
  if (!password) {
    std::cerr << "vtpilot run: " << err << "\n";
    end_transcript(*p.recorder, RunResult{}, kUsage);
    return kUsage;
  }
  ShellDriver shell(active_recognizer(), Guard(p.policy), shell_options(o, verify_commands(), std::move(*password)));
  DriverChain chain(session, shell);
  RunOptions with_verdict = ro;
  if (on_verdict)
    with_verdict.on_finished = [&](const RunResult& r) {
      if (r.exit_code == kDone && chain.second_started()) on_verdict(verify_report(shell.results(), p.policy, o));
      if (ro.on_finished) ro.on_finished(r);
    };
  RunResult rr = run_live(chain, make, *p.recorder, with_verdict);
  if (rr.exit_code != kDone || !chain.second_started()) {
    const int rc = report_outcome(rr, p.transcript, o.quiet, o.events == "json");
    end_transcript(*p.recorder, rr, rc);
    return rc;
  }
  if (!o.quiet)
    std::cerr << "vtpilot: migrated and logged out in " << static_cast<int>(rr.seconds) << " s; transcript " << p.transcript << "\n";
  const int rc = report_verify(shell.results(), p.policy, o);
  end_transcript(*p.recorder, rr, rc);
  return rc;
}

}  // namespace vtpilot::cli
