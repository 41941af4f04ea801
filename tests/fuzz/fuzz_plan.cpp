// Arbitrary text as a plan, a signature file or a config (the TOML the user writes): file:line
// errors or a valid result, never a crash; an error always says where and what.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vtpilot/run/config.hpp"
#include "vtpilot/plan/plan.hpp"
#include "vtpilot/screens/recognizer.hpp"

namespace {
void check(const std::vector<vtpilot::SignatureError>& errors, bool this_file = true) {
  for (const auto& e : errors)
    if ((this_file && e.file != "fuzz.toml") || e.line < 0 || e.message.empty()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vtpilot::SignatureError> errors;
  vtpilot::Plan plan;
  vtpilot::load_plan("fuzz.toml", text, vtpilot::Recognizer::builtin(), plan, errors);
  check(errors);
  errors.clear();
  vtpilot::Recognizer r;
  r.add("fuzz.toml", text, errors);
  check(errors);
  errors.clear();
  vtpilot::Config config;
  vtpilot::load_config("fuzz.toml", text, config, errors, "/home/fuzz");
  check(errors, false);  // a config may also report on the files it names
  return 0;
}
