#pragma once
// A snapshot of the terminal screen: rows of text and the cursor (term/terminal.hpp makes them).
#include <string>
#include <vector>

namespace vtpilot {

// One snapshot of the visible screen. Rows are UTF-8 with trailing blanks trimmed;
// DEC line-drawing characters come out as their Unicode box-drawing equivalents.
struct Screen {
  int rows = 24;
  int cols = 80;
  std::vector<std::string> lines;  // exactly `rows` entries
  int cursor_row = 0;
  int cursor_col = 0;

  // Rows joined with '\n', trailing empty rows dropped. This is what signatures match.
  std::string text() const;
  // Nothing drawn: every row blank (a vterm just opened, before the LPAR prints anything).
  bool blank() const;
  bool operator==(const Screen&) const = default;
};

}  // namespace vtpilot
