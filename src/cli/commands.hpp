#pragma once
// One CLI11 subcommand per file; each registers itself on the app.
#include <CLI/CLI.hpp>

#include "vtpilot/guard.hpp"

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
