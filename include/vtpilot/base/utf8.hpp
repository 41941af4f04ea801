#pragma once
#include <cstddef>
#include <string_view>

namespace vtpilot {

// Length of the longest prefix of s that does not end inside a UTF-8 sequence: the rest (at
// most 3 bytes) is the start of a character whose other bytes have not arrived yet.
inline std::size_t utf8_complete_prefix(std::string_view s) {
  const std::size_t n = s.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const unsigned char c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back for the lead
    const std::size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

}  // namespace vtpilot
