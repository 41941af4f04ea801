// The guard (design.md "Guard rules"): pure code, two independent layers, one choke point.
//
// Layer 1 judges by what the recognized screen means: its id, the labels of its choices, the
// disk table, the settings. Layer 2 reads only the raw screen text with its own tiny scanner
// (no recognizer, no parser) and refuses numbers that carry a forbidden label or an
// altinst_rootvg disk row, so a wrong signature or a parser bug cannot open the door.
// Either layer's refusal wins.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <set>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/base/regex.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot {

namespace {

const char* kForbidden =
    R"(new\s+and\s+complete\s+overwrite|preservation\s+install|start\s+install\s+now\s+with\s+default\s+settings)";

Verdict allow() { return Verdict{true, "", "", 0}; }
Verdict refuse(int layer, std::string code, std::string reason) {
  return Verdict{false, std::move(code), std::move(reason), layer};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The number a menu reads from a run of digits: leading zeros are not significant ("03", "003"
// are 3; "00" is 0), so neither layer compares typed digits with item numbers as strings.
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

// ---- Layer 2: the raw text, nothing else ---------------------------------------------------

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

// Layer 2's own reading of the prompt line: the text typed after the prompt, if the cursor is there.
std::string raw_typed(const Screen& screen) {
  static const Regex prompt(
      R"(^(.*?(?:Choice\s*\[\s*\d*\s*\]|Choice|[Ss]election|[Kk]ey|continue|Enter)\s*[:?]) ?(.*?)\s*$)");
  const std::string line = left_of_cursor(screen);
  if (auto m = prompt.find(line)) return std::string(m->group(2));
  return {};
}

Verdict layer2(const Screen& screen, std::string_view keys, const Policy& policy) {
  static const Regex item(R"(^(\s*(>>>)?\s*)(\d{1,3})\.?\s+(\S.*)$)");
  static const Regex choice_default(R"(Choice\s*\[\s*(\d+)\s*\])");
  static const Regex forbidden(kForbidden, false, true);
  static const Regex altinst(R"(\baltinst_rootvg\b)", false, true);
  static const Regex disk_like(R"(\b(?:hdisk\d+|altinst_rootvg|rootvg)\b)", false, true);
  static const Regex continue_label(R"(^\s*Continue\b)", false, true);
  std::vector<Regex> extra;
  for (const std::string& p : policy.extra_forbidden_labels) {
    std::string err;
    std::size_t off = 0;
    if (auto re = Regex::compile(p, err, off, false, true)) extra.push_back(std::move(*re));
  }
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
    for (const Regex& re : extra)
      if (re.search(it.label)) return {"plan-forbidden", "(\"" + it.label + "\") is forbidden by the plan."};
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

// ---- Layer 1: the recognized meaning ---------------------------------------------------------

bool is_clone(const Disk& d, const Policy& p) {
  if (d.vg == "altinst_rootvg") return true;
  if (!p.clone_pvid.empty() && !d.pvid.empty() && d.pvid == p.clone_pvid) return true;
  if (!p.clone_location.empty() && !d.location.empty() && d.location == p.clone_location) return true;
  return false;
}

bool names(const Disk& d, const std::string& name) {
  return (" " + d.name + " ").find(" " + name + " ") != std::string::npos;
}

bool is_root_vg_row(const Disk& d, bool levels, const Policy& p) {
  return (levels || d.vg == "rootvg") && !is_clone(d, p);
}

TargetMatch find_target_rows(const std::vector<Disk>& disks, const Policy& p, bool levels) {
  TargetMatch t;
  const bool pvid_shown = std::any_of(disks.begin(), disks.end(), [](const Disk& d) { return !d.pvid.empty(); });
  const bool loc_shown = std::any_of(disks.begin(), disks.end(), [](const Disk& d) { return !d.location.empty(); });
  if (!p.target_pvid.empty() && pvid_shown) {
    for (const Disk& d : disks)
      if (d.pvid == p.target_pvid) t.rows.push_back(&d);
  } else if (!p.target_location.empty() && loc_shown) {
    for (const Disk& d : disks)
      if (d.location == p.target_location) t.rows.push_back(&d);
  } else if (!p.target_pvid.empty() || !p.target_location.empty()) {
    t.problem = "identity-not-shown";
    t.reason = !p.target_pvid.empty()
                   ? "Refused: the target is pinned by PVID but this screen shows no PVIDs; choose 77 (Display More "
                     "Disk Information) to show them, or pin --target-location instead."
                   : "Refused: the target is pinned by location code but this screen shows none; choose 77 (Display "
                     "More Disk Information) or pin --target-pvid instead.";
    return t;
  } else if (p.target_size_mb >= 0) {
    // SIZE_MB tells root VGs apart only when no other one has that size.
    int same = 0;
    for (const Disk& d : disks)
      if (d.size_mb == p.target_size_mb) {
        t.rows.push_back(&d);
        same += is_root_vg_row(d, levels, p);
      }
    if (same > 1) {
      t.problem = "ambiguous-rootvg";
      t.reason = "Refused: the pinned size " + std::to_string(p.target_size_mb) + " MB is shown by " +
                 std::to_string(same) + " root volume groups, so it tells nothing apart; pin the target's PVID.";
    }
  } else {
    for (const Disk& d : disks)
      if (names(d, p.target_name)) t.rows.push_back(&d);
  }
  return t;
}

// Which --target-pvid / config line would tell the root VGs apart: the values `vtpilot preflight`
// prints on the running system, and the PVIDs this screen (or its 77 view) showed, if any.
std::string pin_hint_for(const std::vector<Disk>& disks) {
  std::string shown;
  for (const Disk& d : disks)
    if (!d.pvid.empty())
      shown += (shown.empty() ? "" : ", ") + d.key + " " + (d.name.empty() ? std::string("?") : d.name) + " PVID " + d.pvid;
  return " Pin the target, and the clone, by PVID: `vtpilot preflight` on the running system prints the lines, "
         "--target-pvid PVID --clone-pvid PVID, or in the LPAR's [[lpar]] of the config target = { disk = \"hdisk0\", "
         "pvid = \"PVID\" } and clone = { pvid = \"PVID\" } (rootvg's and altinst_rootvg's PVIDs from `lspv`; "
         "--target-location / --clone-location from `lscfg -vl hdiskN` work too)." +
         (shown.empty() ? std::string(" 77 on this screen shows the PVIDs.") : " This screen shows " + shown + ".");
}

// `verified` is set to the target row when the answer leaves the screen with exactly the target
// selected, the clone accounted for and nothing ambiguous (the only way a VerifiedTarget is made).
Verdict judge_disks(const Recognized& r, const Answer& a, const Policy& p, std::optional<Disk>* verified) {
  const Fields& f = r.fields;
  const std::vector<Disk> disks = with_seen_pvids(f.disks, p);
  if (disks.empty())
    return refuse(1, "disks-unreadable", "Refused: the disk table on this screen could not be read; nothing was sent.");
  auto row_for = [&](const std::string& key) -> const Disk* {
    for (const Disk& d : disks)
      if (same_number(d.key, key)) return &d;
    return nullptr;
  };
  auto label_for = [&](const std::string& key) -> std::string {
    for (const Choice& c : f.choices)
      if (same_number(c.key, key)) return c.label;
    return {};
  };
  std::vector<std::string> chosen = a.numbers;
  if (chosen.empty()) {
    // Enter alone. A disk row marked >>> is selected, never the default: with no Choice [N],
    // Enter is judged as Continue (what BOS does with it), or refused when there is no Continue.
    if (f.prompt_default && !f.prompt_default->empty()) {
      chosen.push_back(menu_number(*f.prompt_default));
    } else {
      for (const Choice& c : f.choices)
        if (!row_for(c.key) && (c.key == "0" || c.label.rfind("Continue", 0) == 0)) {
          chosen.push_back(c.key);
          break;
        }
    }
    if (chosen.empty()) return refuse(1, "no-default", "Refused: Enter alone, and this screen shows no default choice.");
  }

  const bool levels = f.disk_shape == DiskShape::levels;
  TargetMatch target = find_target_rows(disks, p, levels);
  int rootvg_rows = 0;
  for (const Disk& d : disks) rootvg_rows += is_root_vg_row(d, levels, p);
  // A size pin identifies the target only where it is unique (find_target_rows says when not).
  const bool pinned = !p.target_pvid.empty() || !p.target_location.empty() ||
                      (p.target_size_mb >= 0 && target.problem.empty() && target.rows.size() == 1);
  const bool ambiguous = !pinned && rootvg_rows > 1 &&
                         std::none_of(disks.begin(), disks.end(), [&](const Disk& d) { return is_clone(d, p); });
  const std::string pin_hint = pin_hint_for(disks);

  std::set<const Disk*> selection;
  for (const Disk& d : disks)
    if (d.selected) selection.insert(&d);
  bool continuing = false;
  for (const std::string& key : chosen) {
    const Disk* row = row_for(key);
    if (!row) {
      std::string label = label_for(key);
      if (key == "0" || label.rfind("Continue", 0) == 0) continuing = true;
      else if (label.empty())
        return refuse(1, "no-such-item", "Refused: " + key + " is not an item on this screen.");
      continue;  // 55 / 66 / 77 / 88 / 99: navigation
    }
    if (levels) {
      selection = {row};
      continuing = true;  // a single-select list installs on what is chosen
    } else if (selection.count(row)) {
      selection.erase(row);  // typing a selected disk's number deselects it: always safe
      continue;
    } else {
      selection.insert(row);
    }
    if (is_clone(*row, p))
      return refuse(1, "altinst-disk",
                    "Refused: " + (row->name.empty() ? "item " + key : row->name) +
                        " is the alt_disk_copy rollback clone (altinst_rootvg); installing there destroys your way "
                        "back. Select the rootvg disk " + p.target_name + ".");
    if (ambiguous)
      return refuse(1, "ambiguous-rootvg",
                    "Refused: two disks hold a root volume group and nothing tells the clone from the target." + pin_hint);
    if (!target.problem.empty()) return refuse(1, target.problem, target.reason);
    if (std::find(target.rows.begin(), target.rows.end(), row) == target.rows.end())
      return refuse(1, "non-target-disk",
                    "Refused: " + (row->name.empty() ? "item " + key : row->name) + " is not the target disk (" +
                        (pinned ? "pinned by " + std::string(!p.target_pvid.empty() ? "PVID" : !p.target_location.empty() ? "location" : "size") : p.target_name) +
                        "); only the target may be selected.");
    if (!levels && row->vg != "rootvg")
      return refuse(1, "target-not-rootvg",
                    "Refused: the target " + row->name + " shows VG Status \"" + row->vg +
                        "\", not rootvg: the disks may have been renumbered by booting from media." + pin_hint);
  }
  if (!continuing) return allow();

  // Continuing: the selection must be exactly the target, and the rollback clone accounted for.
  if (ambiguous)
    return refuse(1, "ambiguous-rootvg",
                  "Refused: two disks hold a root volume group and nothing tells the clone from the target." + pin_hint);
  if (!target.problem.empty()) return refuse(1, target.problem, target.reason);
  if (target.rows.size() != 1)
    return refuse(1, target.rows.empty() ? "target-not-found" : "ambiguous-rootvg",
                  target.rows.empty() ? "Refused: the target disk " + p.target_name +
                                            " is not in this list; check the policy (--target-disk/-location/-pvid)."
                                      : "Refused: more than one disk fits the target." + pin_hint);
  if (selection.size() != 1 || *selection.begin() != target.rows[0])
    return refuse(1, "selection-not-exact",
                  "Refused: continuing needs exactly the target disk selected (>>>), and nothing else.");
  if (!levels && target.rows[0]->vg != "rootvg")
    return refuse(1, "target-not-rootvg",
                  "Refused: the target " + target.rows[0]->name + " does not show VG Status rootvg." + pin_hint);
  if (p.rollback_required) {
    bool clone_seen = false;
    for (const Disk& d : disks)
      if (is_clone(d, p) && !selection.count(&d)) clone_seen = true;
    if (!clone_seen)
      return refuse(1, "no-rollback-disk",
                    "Refused: no rollback clone is visible (no altinst_rootvg disk, and no pinned clone on this "
                    "screen); run alt_disk_copy first, or pin the clone with --clone-location / --clone-pvid.");
  }
  *verified = *target.rows[0];
  return allow();
}

bool is_migration(const std::string& method) { return lower(method).find("migration") != std::string::npos; }

std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + " ") {
    if (c == ' ' || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

bool same_disks(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

Verdict layer1(const Recognized& r, const Keys& k, const Policy& p, std::optional<Disk>* verified) {
  static const Regex forbidden(kForbidden, false, true);
  const Fields& f = r.fields;
  if (!r.known()) {
    if (p.allow_unknown_screen) return allow();
    return refuse(1, "unknown-screen",
                  r.ambiguous.empty() ? "Refused: vtpilot does not recognize this screen, so it sends nothing here."
                                      : "Refused: two signatures match this screen; nothing is sent until that is fixed.");
  }
  auto label_of = [&](const std::string& key) {
    for (const Choice& c : f.choices)
      if (same_number(c.key, key)) return c.label;
    return std::string();
  };
  std::vector<Regex> extra;
  for (const std::string& re : p.extra_forbidden_labels) {
    std::string err;
    std::size_t off = 0;
    if (auto rx = Regex::compile(re, err, off, false, true)) extra.push_back(std::move(*rx));
  }
  // Rule 1 on every line the keys make, in every reading: the numbers, Enter's default, and
  // numbers stuck to other characters ("3x", "3.": a menu may read 3).
  for (const Answer& line : k.lines) {
    std::vector<std::string> chosen = line.numbers;
    if (line.enter_alone()) {
      std::string d = default_key(f);
      if (!d.empty()) chosen.push_back(d);
    }
    chosen.insert(chosen.end(), line.glued.begin(), line.glued.end());
    for (const std::string& key : chosen) {
      std::string label = label_of(key);
      if (forbidden.search(label))
        return refuse(1, "forbidden-method", "Refused: " + key + " chooses \"" + label +
                                                 "\", which destroys rootvg; vtpilot only migrates (Migration Install).");
      for (const Regex& rx : extra)
        if (rx.search(label))
          return refuse(1, "plan-forbidden", "Refused: " + key + " (\"" + label + "\") is forbidden by the plan.");
    }
    if (r.id == "bos.disks")
      for (const std::string& key : line.glued)
        for (const Disk& d : f.disks)
          if (same_number(d.key, key) && !d.selected && is_clone(d, p))
            return refuse(1, "altinst-disk",
                          "Refused: \"" + line.text + "\" carries " + key + ", the alt_disk_copy rollback clone " + d.name +
                              "; send the target's number alone.");
  }
  // From here on, one line as a plan sends it; anything else is judged below as words.
  Answer a = k.lines.front();
  if (!k.plain) {
    a.parsed = false;
    a.text = k.text;
  }
  if (!a.parsed) {
    // Words and navigation letters: fine on firmware and prompts, never on an install decision.
    if (r.id.rfind("bos.", 0) == 0 && r.id != "bos.console" && r.id != "bos.progress" && r.id != "bos.media_swap")
      return refuse(1, "unparsed-keys", "Refused: only item numbers are sent on install menus.");
    // Words and command lines (a login name, `lspv`) are for AIX's own prompts. Firmware and
    // installer screens take item numbers and one-letter navigation keys (X, M, ESC); a
    // command typed there (the BOS media-swap prompt continues on any Enter) is a bug upstream.
    const auto letters = std::count_if(a.text.begin(), a.text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    if (letters >= 2 && (r.id.rfind("bos.", 0) == 0 || r.id.rfind("sms.", 0) == 0 || r.id.rfind("fw.", 0) == 0))
      return refuse(1, "unparsed-keys",
                    "Refused: words and command lines are typed only at AIX prompts (login, shell), never on firmware "
                    "or installer screens.");
    return allow();
  }
  std::vector<std::string> chosen = a.numbers;
  if (a.enter_alone()) {
    std::string d = default_key(f);
    if (!d.empty()) chosen.push_back(d);
  }
  if (r.id == "bos.disks") return judge_disks(r, a, p, verified);
  // An installer menu answers only its own items; another number is a typo (or text left on the
  // prompt line in front of the keys), never something a plan means.
  if (r.id.rfind("bos.", 0) == 0 && !f.choices.empty())
    for (const std::string& key : chosen)
      if (std::none_of(f.choices.begin(), f.choices.end(), [&](const Choice& c) { return same_number(c.key, key); }))
        return refuse(1, "no-such-item",
                      "Refused: " + key + " is not an item on this screen" +
                          (k.typed.empty() ? std::string(".")
                                           : " (\"" + k.typed + "\" was already typed on the prompt line, in front of the keys)."));

  // What starts the install: Install on Installation and Settings (and on Install Options),
  // Continue on a summary and on Migration Confirmation.
  const bool installs = std::any_of(chosen.begin(), chosen.end(), [&](const std::string& key) {
    const std::string label = label_of(key);
    if (r.id == "bos.settings" || r.id == "bos.more_options") return key == "0" || label.rfind("Install", 0) == 0;
    if (r.id == "bos.summary" || r.id == "bos.migration_confirm") return key == "0" || label.rfind("Continue", 0) == 0;
    return false;
  });
  if (!installs) return allow();
  if (r.id == "bos.more_options")
    return refuse(1, "settings-unknown",
                  "Refused: Install Options does not show the method or the disk, so nothing installs from here; "
                  "choose 99 (Previous Menu) and install from Installation and Settings.");
  if (r.id != "bos.migration_confirm" || f.settings) {  // Migration Confirmation itself says Migration
    if (!f.settings || f.settings->method.empty())
      return refuse(1, "settings-unknown", "Refused: the installation method on this screen could not be read.");
    if (!is_migration(f.settings->method))
      return refuse(1, "forbidden-method", "Refused: the method is \"" + f.settings->method +
                                               "\"; choose 1 (System Settings) and change it to Migration Install first.");
  }
  // Rules 2 and 3 were checked where they can be: on the disk screen. Installing needs that
  // check from this session, and the disks this screen names must be the ones it verified.
  const std::vector<std::string> shown = f.settings ? f.settings->disks : std::vector<std::string>{};
  const auto& v = p.verified_target;
  if (v && !shown.empty() && !same_disks(shown, v->names()))
    return refuse(1, "selection-not-exact",
                  "Refused: this screen installs on " + joined(shown) + ", but the disk screen verified " + joined(v->names()) +
                      "; choose 1 (System Settings) and select the target again.");
  if (!v)
    return refuse(1, "disk-not-verified",
                  "Refused: nothing installs until this session has seen the disk screen with exactly the target "
                  "selected (>>>), the rollback clone accounted for; choose 1 (System Settings), Migration Install, and "
                  "select the target there.");
  if (r.id == "bos.settings" && shown.empty())
    return refuse(1, "selection-not-exact", "Refused: the install disk could not be read on this screen.");
  return allow();
}

std::uint64_t seal_value() {
  static const std::uint64_t v = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
  }();
  return v;
}

}  // namespace

TargetMatch find_target(const std::vector<Disk>& disks, const Policy& policy) {
  const bool levels = std::any_of(disks.begin(), disks.end(), [](const Disk& d) { return !d.level.empty(); });
  return find_target_rows(disks, policy, levels);
}

std::vector<Disk> with_seen_pvids(const std::vector<Disk>& disks, const Policy& policy) {
  if (policy.seen_pvids.empty() || disks.empty() ||
      std::any_of(disks.begin(), disks.end(), [](const Disk& d) { return !d.pvid.empty(); }))
    return disks;
  std::vector<Disk> out = disks;
  for (Disk& d : out) {
    const SeenDisk* hit = nullptr;
    int hits = 0;
    for (const SeenDisk& s : policy.seen_pvids)
      if (!d.name.empty() && s.name == d.name && s.level == d.level && s.size_mb == d.size_mb) {
        hit = &s;
        ++hits;
      }
    if (hits != 1) return disks;  // a row not seen with its PVID (or seen twice): nothing is carried over
    d.pvid = hit->pvid;
  }
  return out;
}

// Layer 1's: the recognized prompt on the cursor's row, and what follows it up to the cursor.
std::string typed_at_prompt(const Screen& screen, const Fields& f) {
  if (!prompt_at_cursor(screen, f)) return {};
  const std::string left = collapse_blanks(left_of_cursor(screen));
  const std::size_t at = left.find(f.prompt);
  return at == std::string::npos ? std::string() : collapse_blanks(std::string_view(left).substr(at + f.prompt.size()));
}

bool same_disk_names(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return !a.empty() && a == b;
}

std::optional<std::string> verification_lost(const Recognized& r, const VerifiedTarget& v) {
  const Fields& f = r.fields;
  if (r.id == "bos.disks" && f.disk_shape == DiskShape::vgstatus && !f.disks.empty()) {
    std::vector<std::string> selected;
    for (const Disk& d : f.disks)
      if (d.selected) selected.push_back(d.name.substr(0, d.name.find(' ')));
    if (!same_disk_names(selected, v.names()))
      return "the disk screen shows another selection than the one verified; it must be verified again";
  } else if ((r.id == "bos.settings" || r.id == "bos.summary" || r.id == "bos.migration_confirm") && f.settings &&
             !f.settings->disks.empty() && !same_disk_names(f.settings->disks, v.names())) {
    return r.id + " names other disks than the disk screen verified; it must be verified again";
  }
  return std::nullopt;
}

Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys, const Policy& policy) {
  return judge(recognized, screen, keys, policy, nullptr);
}

Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys, const Policy& policy,
              std::optional<VerifiedTarget>* verified) {
  if (verified) verified->reset();
  if (Verdict v2 = layer2(screen, keys, policy); !v2.allow) return v2;
  // What the console will submit: the text already typed after the prompt, then the keys.
  const Fields& f = recognized.fields;
  const std::string typed = typed_at_prompt(screen, f);
  std::optional<Disk> row;
  Verdict v = layer1(recognized, parse_keys(typed, keys), policy, &row);
  if (v.allow && row && verified) {
    VerifiedTarget t;
    t.names_ = split_names(row->name);
    t.location_ = row->location;
    t.pvid_ = row->pvid;
    *verified = std::move(t);
  }
  return v;
}

Approved::Approved(std::string keys, std::uint64_t seal) : keys_(std::move(keys)), seal_(seal) {}
Approved::Approved(Approved&& other) noexcept
    : keys_(std::move(other.keys_)), verified_(std::move(other.verified_)), seal_(other.seal_), spent_(other.spent_) {
  other.spent_ = true;
  other.seal_ = 0;
}
Approved::~Approved() = default;

std::string Approved::spend() {
  // Always on, release builds included (mosh's fatal_assert): nothing reaches a console unjudged.
  if (spent_ || seal_ != seal_value()) {
    std::fputs("vtpilot: internal error: keys were about to be sent without the guard's approval; stopping\n", stderr);
    std::abort();
  }
  spent_ = true;
  return std::move(keys_);
}

std::variant<Approved, Verdict> Guard::approve(const Recognized& recognized, const Screen& screen,
                                               std::string_view keys) const {
  std::optional<VerifiedTarget> verified;
  Verdict v = judge(recognized, screen, keys, policy_, &verified);
  if (!v.allow) return v;
  Approved a(std::string(keys), seal_value());
  a.verified_ = std::move(verified);
  return a;
}

std::variant<Approved, Verdict> Guard::approve_vterm_control(std::string_view keys, const VtermFacts& facts) {
  Verdict v = judge_vterm_control(keys, facts);
  if (!v.allow) return v;
  return Approved(std::string(keys), seal_value());
}

}  // namespace vtpilot
