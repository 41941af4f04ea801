// Arbitrary screen text and keys: the guard may refuse, never crash, and never allows choosing
// a numbered item that carries a forbidden label or a disk row showing altinst_rootvg, which
// its independent layer 2 can see (this check is a third, even simpler reading of the text).
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vtpilot/guard.hpp"
#include "vtpilot/recognizer.hpp"
#include "vtpilot/screen.hpp"

using namespace vtpilot;

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
// Does a line of the screen offer item `key` with a destructive label?
bool destructive_item(const Screen& s, const std::string& key) {
  for (const std::string& raw : s.lines) {
    std::string l = lower(raw);
    std::size_t i = l.find_first_not_of(" >");
    if (i == std::string::npos || l.compare(i, key.size(), key) != 0) continue;
    std::size_t after = i + key.size();
    if (after < l.size() && std::isdigit(static_cast<unsigned char>(l[after]))) continue;  // "1" vs "12"
    if (after < l.size() && l[after] != ' ' && l[after] != '.') continue;
    if (l.find("new and complete overwrite", after) != std::string::npos ||
        l.find("preservation install", after) != std::string::npos ||
        l.find("start install now with default settings", after) != std::string::npos ||
        l.find("altinst_rootvg", after) != std::string::npos)
      return true;
  }
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t sep = in.find('\0');
  if (sep == std::string_view::npos) return 0;
  std::string text(in.substr(0, sep));
  std::string keys(in.substr(sep + 1, 8));
  Screen screen = render(normalize_capture(text));
  Recognized r = Recognizer::builtin().recognize(screen);
  for (bool operator_mode : {false, true}) {
    Policy p;
    p.allow_unknown_screen = operator_mode;
    Verdict v = judge(r, screen, keys, p);
    if (!v.allow) continue;
    std::string k = keys;
    while (!k.empty() && (k.back() == '\r' || k.back() == '\n')) k.pop_back();
    if (!k.empty() && k.find_first_not_of("0123456789") == std::string::npos && destructive_item(screen, k)) std::abort();
  }
  return 0;
}
