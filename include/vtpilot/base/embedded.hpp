#pragma once
// Signature and plan files compiled into the binary (see cmake/embed.cmake).
#include <string_view>
#include <vector>

namespace vtpilot {
struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "sms.main.toml"
  std::string_view text;
};
const std::vector<EmbeddedFile>& embedded_signatures();
const std::vector<EmbeddedFile>& embedded_plans();
}  // namespace vtpilot
