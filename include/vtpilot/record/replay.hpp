#pragma once
// Replay: a recorded cast fed to the same session on virtual time (no clock, no sleep).
#include <cstddef>
#include <string>

#include "vtpilot/engine/driver.hpp"

namespace vtpilot {

struct ReplayResult {
  int exit_code = 0;       // 0 agree, 3 refused, 6 diverged, 2 bad cast
  std::string report;      // the divergence or refusal, readable
  std::size_t keys_compared = 0;
  std::size_t output_bytes = 0;
  std::string end;         // the end both agree on ("end done exit=0")
};

// Feeds a cast's output to the session on virtual time; compares its keys with the cast's "i".
// The end marker (`end OUTCOME exit=N`) must be the cast's last event and match how the engine ends.
ReplayResult replay_cast(Driver& session, const std::string& cast_path);
struct Cast;
ReplayResult replay_cast(Driver& session, const Cast& cast, const std::string& cast_path);

}  // namespace vtpilot
