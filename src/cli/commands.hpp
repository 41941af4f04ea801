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
