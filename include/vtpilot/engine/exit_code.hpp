#pragma once
// The exit a driver's outcome means (one home: Session and ShellDriver both finish through it).
#include "vtpilot/base/exit_code.hpp"
#include "vtpilot/engine/driver.hpp"

namespace vtpilot {

// done 0 · refused 3 (the guard, nothing sent) · halted 4 (unknown screen, timeout, no reaction,
// a stop) · closed 5 (the console went away, or the plan's orchestration failed). Exceptions,
// made where they happen: LiveRun gives a closed console the transport's own code when the
// transport knows better (an LPAR state only the config can change is 2: Transport::
// failure_exit), and a signal's stop overrides any of these with 129 / 130 / 143 (LiveRun::stop).
constexpr ExitCode exit_for(Outcome o) {
  switch (o) {
    case Outcome::running:
    case Outcome::done: return kDone;
    case Outcome::refused: return kRefused;
    case Outcome::halted: return kHalted;
    case Outcome::closed: return kTransport;
  }
  return kHalted;
}

}  // namespace vtpilot
