// Arbitrary screen text and keys: the guard may refuse, never crash, and never allows choosing
// a numbered item that carries a forbidden label, or an unselected disk row showing
// altinst_rootvg, which its independent layer 2 can see. This check is a third, even simpler
// reading of the text: by the number typed ("03" is 3), by each of several numbers ("1 2",
// "1,2"), by the first of several answers ("1\r2\r"), by what was already typed after the
// prompt, and by Enter alone or after only blanks, which chooses the default (the last
// "Choice [N]" on the screen, else the first item marked >>>), under every policy the input
// picks.
//
// Input: screen bytes, a NUL, up to 8 key bytes, then optional policy bytes.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Item {
  std::string key;
  std::string rest;  // lowercased, after the number
  bool marked = false;
};

// Lines that start (after blanks and a >>> mark) with a number followed by a blank or a dot.
// A row that fills every column continues on the next (the terminal wrapped it), as layer 2
// reads it: "5120" at the end of one row and "0  altinst_rootvg" on the next is no item 0.
std::vector<Item> items(const Screen& s) {
  std::vector<std::string> logical;
  const std::size_t cols = static_cast<std::size_t>(s.cols > 0 ? s.cols : 1);
  for (const std::string& line : s.lines) {
    std::size_t width = 0;  // in characters: UTF-8 continuation bytes take no column
    if (!logical.empty())
      for (unsigned char c : logical.back()) width += (c & 0xC0) != 0x80;
    if (!logical.empty() && width > 0 && width % cols == 0) logical.back() += line;
    else logical.push_back(line);
  }
  std::vector<Item> out;
  for (const std::string& raw : logical) {
    std::string l = lower(raw);
    std::size_t i = l.find_first_not_of(' ');
    if (i == std::string::npos) continue;
    bool marked = false;
    if (l.compare(i, 3, ">>>") == 0) {
      marked = true;
      i = l.find_first_not_of(' ', i + 3);
      if (i == std::string::npos) continue;
    }
    std::size_t j = i;
    while (j < l.size() && std::isdigit(static_cast<unsigned char>(l[j]))) ++j;
    if (j == i || j - i > 3 || j >= l.size() || (l[j] != ' ' && l[j] != '.')) continue;
    out.push_back({l.substr(i, j - i), l.substr(j), marked});
  }
  return out;
}

// The clone's VG name as a word: "altinst_rootvgh" is some other volume group's name.
bool names_clone(const std::string& l) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  const std::string vg = "altinst_rootvg";
  for (std::size_t at = l.find(vg); at != std::string::npos; at = l.find(vg, at + 1)) {
    const std::size_t end = at + vg.size();
    if ((at == 0 || !word(l[at - 1])) && (end == l.size() || !word(l[end]))) return true;
  }
  return false;
}

bool destructive(const Item& it) {
  return it.rest.find("new and complete overwrite") != std::string::npos ||
         it.rest.find("preservation install") != std::string::npos ||
         it.rest.find("start install now with default settings") != std::string::npos ||
         (!it.marked && names_clone(it.rest));
}

// The prompt: the default Enter alone chooses (the last "Choice [N]", else the first marked
// item), and what was already typed, which the Enter submits: on the cursor's row, left of the
// cursor (text to its right was drawn, not typed; at the last column the character under the
// cursor counts), after the first prompt word and its ':' or '?', as the console's line holds it.
struct Prompt {
  std::string dflt, typed;
};
Prompt prompt(const Screen& s, const std::vector<Item>& its) {
  Prompt p;
  for (const std::string& l : s.lines) {
    std::size_t at = 0;
    while ((at = l.find("Choice [", at)) != std::string::npos) {
      at += 8;
      std::size_t e = at;
      while (e < l.size() && std::isdigit(static_cast<unsigned char>(l[e]))) ++e;
      if (e < l.size() && l[e] == ']' && e > at) p.dflt = l.substr(at, e - at);
    }
  }
  if (p.dflt.empty())
    for (const Item& it : its)
      if (it.marked) {
        p.dflt = it.key;
        break;
      }
  if (s.cursor_row >= 0 && s.cursor_row < static_cast<int>(s.lines.size())) {
    const std::string& row = s.lines[static_cast<std::size_t>(s.cursor_row)];
    const int keep = s.cursor_col >= s.cols - 1 ? s.cursor_col + 1 : s.cursor_col;
    std::string left;
    int col = 0;
    for (char c : row) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && col++ == keep) break;
      left += c;
    }
    static const std::regex word(R"((Choice\s*\[\s*\d*\s*\]|Choice|[Ss]election|[Kk]ey|continue|Enter)\s*[:?] ?)");
    std::smatch m;
    if (std::regex_search(left, m, word)) {
      p.typed = m.suffix();
      p.typed.erase(0, p.typed.find_first_not_of(' '));
      p.typed.erase(p.typed.find_last_not_of(' ') + 1);
    }
  }
  return p;
}

// A menu reads "03" as 3.
std::string number(std::string d) {
  while (d.size() > 1 && d[0] == '0') d.erase(0, 1);
  return d;
}

// The numbers the keys choose on this screen, or nothing when they are not plain numbers.
// Only the first line is read here (later lines answer whatever screen comes next), with what
// was already typed on the prompt line in front of it.
std::vector<std::string> chosen(const std::string& keys, const Prompt& p) {
  if (keys.empty()) return {};  // nothing sent chooses nothing (Enter alone is "\r")
  std::string k = p.typed + keys.substr(0, keys.find_first_of("\r\n"));
  // A line of only blanks, tabs and commas is Enter alone to a menu that trims its input.
  if (k.find_first_not_of(" \t\v\f,") == std::string::npos) return p.dflt.empty() ? std::vector<std::string>{} : std::vector<std::string>{number(p.dflt)};
  if (k.find_first_not_of("0123456789 ,") != std::string::npos) return {};
  std::vector<std::string> out;
  std::string cur;
  for (char c : k + " ") {
    if (std::isdigit(static_cast<unsigned char>(c))) cur += c;
    else if (!cur.empty()) out.push_back(number(cur)), cur.clear();
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t sep = in.find('\0');
  if (sep == std::string_view::npos) return 0;
  std::string text(in.substr(0, sep));
  std::string_view tail = in.substr(sep + 1);
  std::string keys(tail.substr(0, 8));
  std::string_view pol = tail.size() > 8 ? tail.substr(8) : std::string_view();
  auto bit = [&](std::size_t i) { return i / 8 < pol.size() && ((static_cast<unsigned char>(pol[i / 8]) >> (i % 8)) & 1); };

  Screen screen = render(normalize_capture(text));
  Recognized r = Recognizer::builtin().recognize(screen);
  const std::vector<Item> its = items(screen);
  const std::vector<std::string> picks = chosen(keys, prompt(screen, its));

  Policy p;
  // The policy the input picks: the forbidden labels are refused whatever it says.
  if (bit(0)) p.target_name = "hdisk1";
  if (bit(1)) p.target_location = "U8231.E2B.06DAFDP-V6-C2-T1-L8100000000000000";
  if (bit(2)) p.target_pvid = "00c8d5e6a1b2c3d4";
  if (bit(3)) p.clone_location = "U8231.E2B.06DAFDP-V6-C2-T1-L8200000000000000";
  if (bit(4)) p.clone_pvid = "00c8d5e6f7e8d9c0";
  if (bit(5)) p.rollback_required = false;
  for (bool operator_mode : {false, true}) {
    p.allow_unknown_screen = operator_mode;
    Verdict v = judge(r, screen, keys, p);
    if (!v.allow) continue;
    for (const std::string& k : picks)
      for (const Item& it : its)
        if (number(it.key) == k && destructive(it)) std::abort();
  }
  return 0;
}
