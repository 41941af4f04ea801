// record/left_at: the screen an earlier run left a console at (see the header).
#include "vtpilot/record/left_at.hpp"

#include "vtpilot/term/terminal.hpp"

namespace vtpilot {

std::optional<Screen> left_at(const Cast& cast) {
  Terminal term(cast.height, cast.width);
  bool output = false, redrawn = true;  // the screen was drawn anew since the last key
  std::string tail;                      // the end of the output before, for a sequence cut in two
  for (const CastEvent& e : cast.events) {
    if (e.type == 'i') {
      if (e.data.rfind("~.", 0) == 0) break;  // leaving the vterm: what follows is mkvterm's, not the LPAR's
      if (!e.data.empty()) redrawn = false;
    } else if (e.type == 'o') {
      term.feed(e.data);
      output = true;
      const std::string seen = tail + e.data;
      if (seen.find("\x1b[2J") != std::string::npos || seen.find("\x1b[J") != std::string::npos) redrawn = true;
      tail = seen.substr(seen.size() > 3 ? seen.size() - 3 : 0);
    }
  }
  if (!output || !redrawn) return std::nullopt;
  return term.screen();
}

}  // namespace vtpilot
