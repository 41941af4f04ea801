// Arbitrary bytes as an asciicast file: read_cast reports an error or a cast, never crashes;
// and whatever it accepts, `vtpilot replay` (the Session on virtual time) replays without
// crashing, hanging, or giving anything but its documented answers (0, 2, 3, 4, 6).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "vtpilot/record/recorder.hpp"
#include "vtpilot/record/replay.hpp"
#include "vtpilot/run/runner.hpp"
#include "vtpilot/engine/session.hpp"

using namespace vtpilot;

namespace {
struct TempFile {
  std::string path = "/tmp/vtpilot-fuzz-cast-" + std::to_string(::getpid()) + ".cast";
  ~TempFile() { std::remove(path.c_str()); }
};

const Plan& migrate() {
  static const Plan plan = [] {
    Plan p;
    std::vector<SignatureError> errors;
    if (!resolve_plan("migrate", Recognizer::builtin(), p, errors)) std::abort();
    return p;
  }();
  return plan;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempFile file;
  std::FILE* f = std::fopen(file.path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  Cast cast;
  if (read_cast(file.path, cast)) return 0;
  Session session(migrate(), Recognizer::builtin(), Guard(Policy{}), EngineOptions{});
  ReplayResult r = replay_cast(session, file.path);
  if (r.exit_code != 0 && r.exit_code != 2 && r.exit_code != 3 && r.exit_code != 4 && r.exit_code != 6) std::abort();
  return 0;
}
