// Layer 2 of the guard (design.md "Guard rules"): the raw screen text, nothing else. Its own
// tiny scanner finds numbered items and refuses numbers that carry a forbidden label or an
// altinst_rootvg disk row, so a wrong signature or a parser bug cannot open the door.
//
// HARD RULE: nothing of the recognizer or the parsers is included here, directly or through a
// header (no vtpilot/screens/*, no vtpilot/guard/guard.hpp); tests/cli/layer2_closure.py
// checks the include closure of this file. It needs the Screen, the keys and the Policy only.
#include "guard/layer2.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "guard/keys.hpp"
#include "guard/rules.hpp"
#include "vtpilot/base/regex.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot::guard_impl {

namespace {

struct RawItem {
  std::string key, label;  // the item's own line
  std::string full;        // with its indented continuation lines (a disk row's VG Status wraps there)
  std::size_t label_col = 0;
  bool marked = false;
};

std::size_t indent_of(const std::string& s) {
  std::size_t i = s.find_first_not_of(' ');
  return i == std::string::npos ? s.size() : i;
}

// Layer 2's own reading of the prompt line: the text typed after the prompt, if the cursor is there.
std::string raw_typed(const Screen& screen) {
  static const Regex prompt(
      R"(^(.*?(?:Choice\s*\[\s*\d*\s*\]|Choice|[Ss]election|[Kk]ey|continue|Enter)\s*[:?]) ?(.*?)\s*$)");
  const std::string line = left_of_cursor(screen);
  if (auto m = prompt.find(line)) return std::string(m->group(2));
  return {};
}

}  // namespace

Verdict layer2(const Screen& screen, std::string_view keys, const Policy& policy) {
  static const Regex item(R"(^(\s*(>>>)?\s*)(\d{1,3})\.?\s+(\S.*)$)");
  static const Regex choice_default(R"(Choice\s*\[\s*(\d+)\s*\])");
  static const Regex forbidden(kForbidden, false, true);
  static const Regex altinst(R"(\baltinst_rootvg\b)", false, true);
  static const Regex disk_like(R"(\b(?:hdisk\d+|altinst_rootvg|rootvg)\b)", false, true);
  static const Regex continue_label(R"(^\s*Continue\b)", false, true);
  std::vector<RawItem> items;
  std::string default_key;
  // Logical lines: a line that fills every column continues on the next (terminal wrap).
  std::vector<std::string> logical;
  const std::size_t cols = static_cast<std::size_t>(std::max(screen.cols, 1));
  // Columns, not bytes: a row holding a multi-byte character (U+FFFD from line noise) is not
  // full at 80 bytes; counted in bytes it swallowed the next row, item number and all (fuzz find).
  auto columns = [](const std::string& l) {
    return static_cast<std::size_t>(std::count_if(l.begin(), l.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  };
  for (const std::string& line : screen.lines) {
    const bool continues = !logical.empty() && !logical.back().empty() && columns(logical.back()) % cols == 0;
    if (continues) logical.back() += line;
    else logical.push_back(line);
  }
  // An indented line under an item (deeper than the item's label) belongs to it: BOS puts a long
  // disk row's Size / VG Status / Bootable on a line of its own. A blank line ends the item.
  bool in_item = false;
  for (const std::string& line : logical) {
    if (auto m = choice_default.find(line)) default_key = menu_number(m->group(1));
    const bool blank = line.find_first_not_of(' ') == std::string::npos;
    if (blank) {
      in_item = false;
      continue;
    }
    const bool continuation = in_item && indent_of(line) > items.back().label_col;
    if (continuation) items.back().full += " " + line.substr(indent_of(line));
    // A continuation that also reads as an item is kept as both: an extra item only adds refusals.
    if (auto m = item.find(line)) {
      RawItem it{menu_number(m->group(3)), std::string(m->group(4)), std::string(m->group(4)), m->spans[4].first,
                 !m->group(2).empty()};
      items.push_back(std::move(it));
      in_item = true;
    } else if (!continuation) {
      in_item = false;
    }
  }
  // Enter alone: the Choice [N] default, and the first item marked >>> as well (where the two
  // disagree, either may be what the console takes: fuzz find, a screen with Choice [0] and
  // ">>> 3 New and Complete Overwrite"); without a Choice [N], on a screen with disk rows, the
  // Continue item too: a marked disk row is a selection, not a default (on a disk screen Enter
  // continues with what is selected). Every candidate is judged.
  std::vector<std::string> enter_keys;
  if (!default_key.empty()) enter_keys.push_back(default_key);
  for (const RawItem& it : items)
    if (it.marked) {
      enter_keys.push_back(it.key);
      break;
    }
  if (default_key.empty()) {
    if (std::any_of(items.begin(), items.end(), [](const RawItem& it) { return disk_like.search(it.full); }))
      for (const RawItem& it : items)
        if (continue_label.search(it.label)) {
          enter_keys.push_back(it.key);
          break;
        }
  }

  // What makes an item forbidden, by its own text: a forbidden label (starting on its own line:
  // the settings screen's "Method ... New and Complete Overwrite" under "1 System Settings" is
  // not item 1's label), a plan's label, or an unselected altinst_rootvg disk row.
  auto why_forbidden = [&](const RawItem& it) -> std::pair<std::string, std::string> {
    if (auto m = forbidden.find(it.full); m && m->spans[0].first < it.label.size())
      return {"forbidden-method", "reads \"" + it.label + "\", which would destroy rootvg; on Change Method choose Migration Install."};
    if (policy.extra_forbidden_labels.matches(it.label))
      return {"plan-forbidden", "(\"" + it.label + "\") is forbidden by the plan."};
    // Typing a selected row's number deselects it, which is safe; selecting the clone is not.
    if (altinst.search(it.full) && !it.marked) {
      static const Regex hdisk(R"(\bhdisk\d+\b)");
      auto name = hdisk.find(it.full);
      return {"altinst-disk", (name ? "(" + std::string(name->group(0)) + ") " : std::string()) +
                                  "is a disk showing altinst_rootvg, the alt_disk_copy rollback clone; installing there "
                                  "destroys your way back. Select the rootvg disk instead."};
    }
    return {};
  };
  const bool clone_selected = std::any_of(items.begin(), items.end(), [](const RawItem& it) { return it.marked && altinst.search(it.full); });

  const Keys k = parse_keys(raw_typed(screen), keys);
  // One line per send: every line after the first Enter answers a screen that is not on display
  // yet ("1\r\r\r" on the console screen goes on through language to Welcome's default, Start
  // Install Now). Nothing vtpilot sends has two; an operator types them one at a time.
  if (k.submitted > 1)
    return refuse(2, "several-lines",
                  "Refused: one line per send; the keys after the first Enter would answer a screen not shown yet.");
  // Item `key` as the line `answer` chooses it (`glued`: "3x", "3.", which a menu may read as 3).
  auto judge_item = [&](const RawItem& it, const std::string& key, const Answer& answer, bool glued) -> std::optional<Verdict> {
    const std::string what = glued ? "\"" + answer.text + "\" carries " + key + ", and item " + key : "item " + key;
    const std::string tail = glued ? " Send the number alone." : "";
    if (auto [code, why] = why_forbidden(it); !code.empty()) return refuse(2, code, "Refused: " + what + " " + why + tail);
    if (clone_selected && continue_label.search(it.label))
      return refuse(2, "altinst-disk",
                    "Refused: " + what + " is Continue while a disk showing altinst_rootvg (the rollback clone) is "
                    "selected (>>>); continuing would install on it. Type its number to deselect it first.");
    return std::nullopt;
  };
  for (const Answer& answer : k.lines) {
    const std::vector<std::string> chosen = answer.enter_alone() ? enter_keys : answer.numbers;
    for (const auto& [keys_of_line, glued] : {std::pair{&chosen, false}, std::pair{&answer.glued, true}})
      for (const std::string& key : *keys_of_line)
        for (const RawItem& it : items)
          if (it.key == key)
            if (auto v = judge_item(it, key, answer, glued)) return *v;
  }
  return allow();
}

}  // namespace vtpilot::guard_impl
