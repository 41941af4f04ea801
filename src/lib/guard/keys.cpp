// What the keys type (guard/keys.hpp): the lines the console will read, in every reading.
// Shared by both layers; nothing of the recognizer here.
#include "guard/keys.hpp"

#include <algorithm>
#include <cctype>

#include "vtpilot/term/screen.hpp"

namespace vtpilot::guard_impl {

std::string menu_number(std::string_view digits) {
  std::size_t i = 0;
  while (i + 1 < digits.size() && digits[i] == '0') ++i;
  return std::string(digits.substr(i));
}

bool same_number(std::string_view a, std::string_view b) {
  auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  if (!digits(a) || !digits(b)) return a == b;
  return menu_number(a) == menu_number(b);
}

namespace {

Answer parse_line(std::string_view k) {
  Answer a;
  a.text = std::string(k);
  std::string tok;
  auto flush = [&] {
    if (tok.empty()) return;
    if (std::all_of(tok.begin(), tok.end(), [](unsigned char c) { return std::isdigit(c); })) {
      a.numbers.push_back(menu_number(tok));
    } else {
      a.parsed = false;  // letters: navigation keys, names, words; or digits with something stuck to them
      std::string run;
      for (char c : tok + "\x01") {
        if (std::isdigit(static_cast<unsigned char>(c))) {
          run += c;
        } else if (!run.empty()) {
          a.glued.push_back(menu_number(run));
          run.clear();
        }
      }
    }
    tok.clear();
  };
  for (char c : k) {
    if (c == ' ' || c == ',') flush();
    else tok += c;
  }
  flush();
  return a;
}

std::vector<std::string> split_lines(std::string_view all) {
  std::vector<std::string> out;
  std::string cur;
  bool pending = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    char c = all[i];
    if (c == '\r' || c == '\n') {
      if (c == '\n' && i > 0 && all[i - 1] == '\r') continue;  // CR LF is one Enter
      out.push_back(cur);
      cur.clear();
      pending = false;
    } else {
      cur += c;
      pending = true;
    }
  }
  if (pending || out.empty()) out.push_back(cur);
  return out;
}

std::string edited(std::string_view line) {
  std::string out;
  for (char c : line) {
    if (c == '\b' || c == '\x7f') {
      if (!out.empty()) out.pop_back();
    } else if (c == '\x15') {
      out.clear();
    } else if (c == '\x17') {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      while (!out.empty() && out.back() != ' ') out.pop_back();
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Keys parse_keys(std::string_view typed, std::string_view keys) {
  Keys k;
  k.typed = std::string(typed);
  std::string all = std::string(typed) + std::string(keys);
  k.text = all;
  while (!k.text.empty() && (k.text.back() == '\r' || k.text.back() == '\n')) k.text.pop_back();
  const std::vector<std::string> lines = split_lines(all);
  const bool editing = all.find_first_of("\b\x7f\x15\x17") != std::string::npos;
  for (const std::string& l : lines) {
    k.lines.push_back(parse_line(l));
    if (editing) k.lines.push_back(parse_line(edited(l)));
  }
  k.submitted = lines.size();
  k.plain = lines.size() == 1 && !editing;
  return k;
}

// The cursor's row up to the cursor: the only text on it that can be in the console's input
// line. Text to the right of the cursor was drawn, not typed (a fuzz find: a stray "2" at the
// end of "Choice:" was read as typed, so Enter was judged as 2 while the console would submit
// the default, Overwrite). Columns are counted in characters; at the last column the character
// under the cursor counts too (a line typed to the margin leaves the cursor on it).
std::string left_of_cursor(const Screen& screen) {
  if (screen.cursor_row < 0 || screen.cursor_row >= static_cast<int>(screen.lines.size())) return {};
  const std::string& line = screen.lines[static_cast<std::size_t>(screen.cursor_row)];
  const int keep = screen.cursor_col >= screen.cols - 1 ? screen.cursor_col + 1 : screen.cursor_col;
  int col = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // inside a character
    if (col++ == keep) return line.substr(0, i);
  }
  return line;
}

}  // namespace vtpilot::guard_impl
