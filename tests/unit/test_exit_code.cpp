// ◆ Exit codes: the contract's numbers (design.md, README), and the exit each outcome means.
#include <doctest/doctest.h>

#include <csignal>

#include "vtpilot/engine/exit_code.hpp"

using namespace vtpilot;

TEST_CASE("exit codes: the documented numbers, and the exit an outcome means") {
  CHECK(kDone == 0);
  CHECK(kUsage == 2);
  CHECK(kRefused == 3);
  CHECK(kHalted == 4);
  CHECK(kTransport == 5);
  CHECK(kDiverged == 6);
  CHECK(kCheckFailed == 7);
  CHECK(exit_for_signal(SIGINT) == 130);
  CHECK(exit_for_signal(SIGTERM) == 143);
  CHECK(exit_for_signal(SIGHUP) == 129);
  CHECK(exit_for(Outcome::done) == 0);
  CHECK(exit_for(Outcome::refused) == 3);
  CHECK(exit_for(Outcome::halted) == 4);
  CHECK(exit_for(Outcome::closed) == 5);
}
