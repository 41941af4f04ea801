#pragma once
// What the keys type: the lines the console will read from `typed + keys`, in every reading
// (as sent, and after the console's own line editing). Both layers judge these; neither needs
// the recognizer for it (layer 2 includes this header).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vtpilot {

struct Screen;

namespace guard_impl {

// The number a menu reads from a run of digits: leading zeros are not significant ("03", "003"
// are 3; "00" is 0), so neither layer compares typed digits with item numbers as strings.
std::string menu_number(std::string_view digits);
// Two item keys name the same item: numbers by their value, anything else as written.
bool same_number(std::string_view a, std::string_view b);

// One line the console will read: what the keys say, with the text already typed after the
// prompt in front. The numbers typed (several on a multi-select screen); a line without Enter is
// judged as if submitted: what is typed will be.
struct Answer {
  std::vector<std::string> numbers;  // number tokens as a menu reads them
  std::vector<std::string> glued;    // numbers stuck to other characters ("3." "3x" "3\t"), as a menu may read them
  std::string text;                  // the line without Enter
  bool parsed = true;                // only numbers, blanks and commas
  // Enter alone, which submits the default: a line of nothing but blanks, tabs and commas too,
  // since a menu that trims its input (BOS's ksh `read`, lpar-sim) reads it as an empty line.
  bool enter_alone() const { return text.find_first_not_of(" \t\v\f,") == std::string::npos; }
};

// Every line `typed + keys` can become, in every reading: as sent, and (when the keys carry
// BS / DEL / ^U / ^W) after the console's line editing, since which one a menu applies is not
// known. One Answer for a plan's keys ("3\r"); more for several Enters or editing keys.
struct Keys {
  std::vector<Answer> lines;
  std::size_t submitted = 0;  // lines as sent: 2 or more means a later line lands on a screen not yet shown
  bool plain = true;  // exactly one line, no editing: the only shape a plan sends
  std::string text;   // everything without the final Enter (for messages and word rules)
  std::string typed;  // the part that was already on the prompt line
};
Keys parse_keys(std::string_view typed, std::string_view keys);

// The cursor's row up to the cursor: the only text on it that can be in the console's input line.
std::string left_of_cursor(const Screen& screen);

}  // namespace guard_impl
}  // namespace vtpilot
