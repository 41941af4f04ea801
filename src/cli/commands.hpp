#pragma once
// One CLI11 subcommand per file; each registers itself on the app.
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>

#include "vtpilot/guard.hpp"
#include "vtpilot/plan.hpp"
#include "vtpilot/recorder.hpp"
#include "vtpilot/runner.hpp"
#include "vtpilot/session.hpp"

namespace vtpilot::cli {

// Exit codes: the design's contract.
enum Exit : int {
  kDone = 0,
  kUsage = 2,
  kRefused = 3,
  kHalted = 4,
  kTransport = 5,
  kDiverged = 6,
};

// Options shared by run and step (and the ssh path, run_config.cpp).
struct RunArgs {
  std::string spawn, sim_args, config, plan = "migrate", transcript, events, media_pattern, media_location;
  bool sim = false, quiet = false;
  double pacing_ms = 100, timeout_s = 900, confirm_s = 5;
  Policy policy;
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
};
void add_run_flags(CLI::App* cmd, RunArgs& args);
// Prints what is wrong and sets code when it returns nothing.
std::optional<Prepared> prepare_run(const RunArgs& args, const char* who, int& code);
// The end of a run: outcome line, last screen on failure, JSON summary. Returns the exit code.
int report_outcome(const RunResult& result, const std::string& transcript, bool quiet, bool json);
void print_screen(const Screen& screen);
void add_step(CLI::App& app);

// `run --config FILE`: ssh to the HMC, mkvterm, HMC orchestration, many LPARs (run_config.cpp).
int run_config(const RunArgs& args);

// The policy flags shared by identify, run and step (--target-disk, --clone-pvid, ...).
void add_policy_flags(CLI::App& cmd, Policy& policy);

void add_render(CLI::App& app);
void add_identify(CLI::App& app);
void add_check(CLI::App& app);
void add_run(CLI::App& app);
void add_replay(CLI::App& app);

// Set by a subcommand's callback: main returns it.
int& exit_code();

}  // namespace vtpilot::cli
