#pragma once
// One CLI11 subcommand per file; each registers itself on the app.
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>

#include "vtpilot/base/exit_code.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/plan/plan.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/record/replay.hpp"
#include "vtpilot/run/runner.hpp"
#include "vtpilot/engine/session.hpp"
#include "vtpilot/shell/acceptance.hpp"
#include "vtpilot/shell/shell.hpp"

namespace vtpilot {
struct ImportedLog;
namespace serve {
class Server;
}
}  // namespace vtpilot

namespace vtpilot::cli {

// Exit codes: the design's contract, one enum with the library (vtpilot/base/exit_code.hpp).

// The shell conversation's own flags (verify, preflight, run --verify; shell_checks.cpp).
struct ShellArgs {
  std::string password_file, user = "root", expect_level = "7200-05";
  bool json = false, no_wake = false;
};

// Options shared by run and step (and the ssh path, run_config.cpp).
struct RunArgs {
  std::string spawn, sim_args, config, plan = "migrate", transcript, events, media_pattern, media_location;
  std::string signatures;  // --signatures DIR
  bool sim = false, quiet = false;
  double pacing_ms = 100, timeout_s = 900, confirm_s = 5;
  Policy policy;
  bool verify = false;  // run --verify: the acceptance checks after Console login:, same attach
  ShellArgs shell;
  // --config only: which LPARs, and what the command line says over the config.
  std::vector<std::string> lpars;
  bool power_on = false, take_over = false, no_reclaim = false;
  bool pacing_given = false, timeout_given = false, plan_given = false;
  // --serve ADDR:PORT: the live view (issue 19); --serve-token-file: its token.
  std::string serve, serve_token_file;
};

// What run and step share once the flags are checked: the console command, the plan, the
// engine options, the policy, and an open transcript.
struct Prepared {
  std::string command;
  Plan plan;
  EngineOptions eo;
  Policy policy;
  std::string transcript;
  std::shared_ptr<Recorder> recorder = std::make_shared<Recorder>();
  // HMC attaches: whether the HMC reports AIX up (RMC active), and what it said; before the vterm.
  std::function<void(bool aix_up, const std::string& said)> on_hmc_os;
};
void add_run_flags(CLI::App* cmd, RunArgs& args);
// The transcript header's "vtpilot" object: what recorded it (command, plan, policy, options).
CastMeta cast_meta(const RunArgs& args, const std::string& who, const Plan& plan);
// Prints what is wrong and sets code when it returns nothing.
std::optional<Prepared> prepare_run(const RunArgs& args, const char* who, int& code);
// The end of a run: outcome line, last screen on failure, JSON summary. Returns the exit code.
// With json, the `summary` event (README: --events json); `lpar` names it in a run --config.
int report_outcome(const RunResult& result, const std::string& transcript, bool quiet, bool json,
                   const std::string& lpar = "");
void print_screen(const Screen& screen);
void add_step(CLI::App& app);

// The console transport, made once the transcript is open (the ssh transport records the keys
// it types to mkvterm itself). It may set prepared.command, the attach as messages name it.
using TransportMaker = std::function<TransportFactory(Prepared& prepared)>;
// --config for the commands that drive one LPAR (step, verify, preflight): that LPAR of the
// config (the only one, or the one --lpar names) merged into args under what the command
// line says, and the ssh transport to it. for_checks: never power on (verify, preflight).
std::optional<TransportMaker> config_attach(RunArgs& args, const char* who, int& code, bool for_checks);

// verify / preflight: the shell conversation and its checks over any transport. `make` is the
// console transport; empty = the --spawn / --sim pty that prepare_run names (ssh: the
// config's). Returns the exit code (0, 7, or the conversation's own 2/3/4/5/signal).
enum class CheckKind { verify, preflight };
// Whose flags: each says what --expect-level means there; run's are for --verify (no --json).
enum class ShellFlagsFor { verify, preflight, run_verify };
void add_shell_flags(CLI::App* cmd, ShellArgs& args, ShellFlagsFor who);
int run_checks(CheckKind kind, const RunArgs& args, const TransportMaker& make = {});
// run --config --verify: the pieces of verify that run_config uses per LPAR.
std::optional<std::string> read_console_password(const ShellArgs& args, std::string& error);
ShellOptions verify_shell_options(const RunArgs& args, std::string password);
// The checks' report (pure), and the same printed as verify prints it, returning the exit (0 or 7).
Report verify_report(const std::vector<CommandResult>& results, const Policy& policy, const RunArgs& args);
int report_verify(const std::vector<CommandResult>& results, const Policy& policy, const RunArgs& args);
// run --verify: the plan's session, then the verify conversation in the same attach.
// on_verdict (--serve): the checks' report, judged on the loop as the run ends, before
// options.on_finished.
int run_plan_then_verify(Session& session, Prepared& prepared, const RunArgs& args, const RunOptions& options,
                         const TransportFactory& make, const std::function<void(const Report&)>& on_verdict = {});
// One check subcommand: run's attach flags (no plan), the shell flags, --json (shell_checks.cpp).
void add_check_command(CLI::App& app, CheckKind kind, const char* name, const char* description);
void add_verify(CLI::App& app);
void add_preflight(CLI::App& app);

// `run --config FILE`: ssh to the HMC, mkvterm, HMC orchestration, many LPARs (run_config.cpp).
int run_config(const RunArgs& args);

// The policy flags shared by identify, run and step (--target-disk, --clone-pvid, ...).
void add_policy_flags(CLI::App& cmd, Policy& policy);

// import / audit: one log's files under scriptreplay's option names (cmd_import.cpp).
struct LogPaths {
  std::string timing, io, out, in, file;
};
// Reads the files and imports them; returns the error (bad input, exit 2) or nullopt.
std::optional<std::string> load_log(const LogPaths& paths, ImportedLog& log);
void add_import(CLI::App& app);
void add_audit(CLI::App& app);

void add_render(CLI::App& app);
void add_plans(CLI::App& app);
// "migrate, rollback": the built-in plan names, for help texts and errors.
std::string builtin_plans_summary();
void add_identify(CLI::App& app);
void add_check(CLI::App& app);
void add_run(CLI::App& app);
void add_replay(CLI::App& app);
// replay with several casts, a folder, --jobs or --junit (replay_many.cpp): `one` replays a cast
// (its own session); returns the exit code (0 all agree, 3 a refusal, 6 any other failure, 2 bad
// arguments).
using ReplayOne = std::function<ReplayResult(const std::string& cast)>;
int replay_many(const std::vector<std::string>& paths, int jobs, const std::string& junit, const ReplayOne& one);

// --signatures DIR (signatures.cpp): the recognizer every command uses, the built-in one unless
// use_signatures loaded a folder over it (false: errors printed, exit 2).
const Recognizer& active_recognizer();
bool use_signatures(const std::string& dir, const char* who);
void add_signatures_flag(CLI::App& cmd, std::string& dir);
// The near misses of Recognizer::explain, one signature and its failed patterns per line.
std::string describe_near_misses(const std::vector<NearMiss>& misses, const std::string& indent);

inline constexpr const char* kVersion = "0.1.0";

// --serve (live_view.cpp): the live view, on a loop the run uses too. open() binds before
// anything is attached: nullptr with code 2 (and why, printed) when it cannot; nullptr with
// code 0 when --serve was not given.
class LiveView {
 public:
  static std::unique_ptr<LiveView> open(const std::string& listen, const std::string& token_file, bool quiet,
                                        const char* who, int& code);
  ~LiveView();
  boost::asio::io_context& loop();
  serve::Server& server();
  // One console: its transcript's lines and its run's events go to the view. run_live's hooks
  // are set in options (loop, on_tap, on_finished); a LiveRun's owner calls finished() itself.
  int watch(const std::string& name, Recorder& recorder, const std::string& transcript, RunOptions& options);
  void finished(int lpar, const RunResult& result);
  void verdict(int lpar, const Report& report);  // run --verify's checks, before finished()
  void note(int lpar, double t, const std::string& text);

 private:
  LiveView();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
// vtpilot serve DIR: the transcripts of a folder, live as they grow (live_view.cpp).
void add_serve(CLI::App& app);

// The transcript's last event, `end OUTCOME exit=N [code=CODE]`, then the transcript is closed.
void end_transcript(Recorder& recorder, const RunResult& result, int exit);

// Refuses nan and inf (which pass a CLI::Range): put it before the range check.
const CLI::Validator& finite_number();

// Set by a subcommand's callback: main returns it.
int& exit_code();

}  // namespace vtpilot::cli
