// Arbitrary text as a plan or a signature file: file:line errors or a valid result, never a crash.
#include <cstdint>
#include <string_view>

#include "vtpilot/plan.hpp"
#include "vtpilot/recognizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vtpilot::SignatureError> errors;
  vtpilot::Plan plan;
  vtpilot::load_plan("fuzz.toml", text, vtpilot::Recognizer::builtin(), plan, errors);
  vtpilot::Recognizer r;
  r.add("fuzz.toml", text, errors);
  return 0;
}
