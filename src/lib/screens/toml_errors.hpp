#pragma once
// TOML files (signatures, plans, configs) read the same way: a parse error or a bad value is
// file:line: message, never an exception. Internal to src/lib (it includes toml++).
#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/screens/recognizer.hpp"  // SignatureError

namespace vtpilot {

inline std::optional<toml::table> parse_toml(std::string_view text, const std::string& file,
                                             std::vector<SignatureError>& errors) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    errors.push_back({file, static_cast<int>(e.source().begin.line), std::string(e.description())});
    return std::nullopt;
  }
}

// Where a value was written (1 for the file as a whole when it is missing).
inline int line_of(const toml::node* n) { return n ? static_cast<int>(n->source().begin.line) : 1; }

}  // namespace vtpilot
