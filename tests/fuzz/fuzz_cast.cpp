// Arbitrary bytes as an asciicast file: read_cast reports an error or a cast, never crashes.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "vtpilot/recorder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/vtpilot-fuzz-cast-" + std::to_string(::getpid()) + ".cast";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  vtpilot::Cast cast;
  (void)vtpilot::read_cast(path, cast);
  return 0;
}
