#pragma once
// ◆ The exit codes (a contract: design.md, README): one enum for the library and the CLI.
// Unscoped on purpose: an exit code is an int to the shell, and process and transcript code
// hands it around as one (`end halted exit=4`).
#include <csignal>

namespace vtpilot {

enum ExitCode : int {
  kDone = 0,          // done
  kUsage = 2,         // bad usage, config or input (also an LPAR state the config must change)
  kRefused = 3,       // refused by the guard: halted, nothing sent
  kHalted = 4,        // halted: unknown screen, timeout, no reaction, operator quit
  kTransport = 5,     // transport failure: connect, auth, host key, vterm busy, console lost
  kDiverged = 6,      // replay diverged from the recording
  kCheckFailed = 7,   // verify: an acceptance check failed; preflight: a pre-flight check refused
  kSigHup = 129,      // stopped by a signal: 128 + its number
  kSigInt = 130,
  kSigTerm = 143,
};

// SIGINT -> 130, SIGTERM -> 143, anything else (SIGHUP) -> 129: the signals a run stops on.
constexpr ExitCode exit_for_signal(int sig) { return sig == SIGINT ? kSigInt : sig == SIGTERM ? kSigTerm : kSigHup; }

}  // namespace vtpilot
