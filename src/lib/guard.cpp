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
#include <random>
#include <set>

#include "vtpilot/guard.hpp"
#include "vtpilot/regex.hpp"
#include "vtpilot/screen.hpp"

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

// What the keys say: the numbers typed (several on a multi-select screen) and whether they
// are submitted. Keys without Enter are judged as if submitted: what is typed will be.
struct Answer {
  std::vector<std::string> numbers;  // empty: Enter alone (the default)
  std::string text;                  // the answer without Enter
  bool parsed = true;
};

Answer parse_keys(std::string_view keys) {
  Answer a;
  std::string k(keys);
  while (!k.empty() && (k.back() == '\r' || k.back() == '\n')) k.pop_back();
  a.text = k;
  if (k.find_first_of("\r\n") != std::string::npos) {  // two answers in one send: never from a plan
    a.parsed = false;
    return a;
  }
  std::string cur;
  for (char c : k + " ") {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      cur += c;
    } else if (c == ' ' || c == ',') {
      if (!cur.empty()) a.numbers.push_back(cur);
      cur.clear();
    } else {
      a.parsed = false;  // letters: navigation keys, names, words
      cur.clear();
    }
  }
  return a;
}

// ---- Layer 2: the raw text, nothing else ---------------------------------------------------

struct RawItem {
  std::string key, label;
  bool marked = false;
};

Verdict layer2(const Screen& screen, const Answer& answer, const Policy& policy) {
  static const Regex item(R"(^\s*(>>>)?\s*(\d{1,3})\.?\s+(\S.*)$)");
  static const Regex choice_default(R"(Choice\s*\[\s*(\d+)\s*\])");
  static const Regex forbidden(kForbidden, false, true);
  static const Regex altinst(R"(\baltinst_rootvg\b)", false, true);
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
  for (const std::string& line : screen.lines) {
    const bool continues = !logical.empty() && !logical.back().empty() && logical.back().size() % cols == 0;
    if (continues) logical.back() += line;
    else logical.push_back(line);
  }
  for (const std::string& line : logical) {
    if (auto m = choice_default.find(line)) default_key = std::string(m->group(1));
    if (auto m = item.find(line)) items.push_back({std::string(m->group(2)), std::string(m->group(3)), !m->group(1).empty()});
  }
  if (default_key.empty())
    for (const RawItem& it : items)
      if (it.marked) {
        default_key = it.key;
        break;
      }
  std::vector<std::string> chosen = answer.numbers;
  if (chosen.empty() && answer.text.empty() && !default_key.empty()) chosen.push_back(default_key);
  for (const std::string& key : chosen) {
    for (const RawItem& it : items) {
      if (it.key != key) continue;
      if (forbidden.search(it.label))
        return refuse(2, "forbidden-method",
                      "Refused: item " + key + " reads \"" + it.label +
                          "\", which would destroy rootvg; on Change Method choose Migration Install.");
      for (const Regex& re : extra)
        if (re.search(it.label))
          return refuse(2, "plan-forbidden", "Refused: item " + key + " (\"" + it.label + "\") is forbidden by the plan.");
      // Typing a selected row's number deselects it, which is safe; selecting the clone is not.
      if (altinst.search(it.label) && !it.marked)
        return refuse(2, "altinst-disk",
                      "Refused: item " + key + " is a disk showing altinst_rootvg, the alt_disk_copy rollback clone; "
                      "select the rootvg disk instead.");
    }
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

// Which rows are the target, by the precedence of BOS's own target_disk_data stanza:
// PVID, then physical location, then the hdisk name last. A pin the screen does not show
// cannot be checked: that is reported, never replaced by the name.
struct TargetMatch {
  std::vector<const Disk*> rows;
  std::string problem;  // "" or a refusal code
  std::string reason;
};

TargetMatch find_target(const std::vector<Disk>& disks, const Policy& p) {
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
  } else {
    for (const Disk& d : disks)
      if (names(d, p.target_name)) t.rows.push_back(&d);
  }
  return t;
}

Verdict judge_disks(const Recognized& r, const Answer& a, const Policy& p) {
  const Fields& f = r.fields;
  const auto& disks = f.disks;
  if (disks.empty())
    return refuse(1, "disks-unreadable", "Refused: the disk table on this screen could not be read; nothing was sent.");
  auto row_for = [&](const std::string& key) -> const Disk* {
    for (const Disk& d : disks)
      if (d.key == key) return &d;
    return nullptr;
  };
  auto label_for = [&](const std::string& key) -> std::string {
    for (const Choice& c : f.choices)
      if (c.key == key) return c.label;
    return {};
  };
  std::vector<std::string> chosen = a.numbers;
  if (chosen.empty()) {
    std::string d = default_key(f);
    if (d.empty()) return refuse(1, "no-default", "Refused: Enter alone, and this screen shows no default choice.");
    chosen.push_back(d);
  }

  TargetMatch target = find_target(disks, p);
  const bool levels = f.disk_shape == DiskShape::levels;
  int rootvg_rows = 0;
  for (const Disk& d : disks) rootvg_rows += d.vg == "rootvg" && !is_clone(d, p);
  const bool pinned = !p.target_pvid.empty() || !p.target_location.empty();
  const bool ambiguous = !pinned && (levels ? disks.size() > 1 : rootvg_rows > 1) &&
                         std::none_of(disks.begin(), disks.end(), [&](const Disk& d) { return is_clone(d, p); });
  const std::string pin_hint =
      " Pin the target with --target-location or --target-pvid (from `lscfg -vl hdisk0` and `lspv` on the running "
      "system, or 77 on this screen), and the clone with --clone-location / --clone-pvid.";

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
                        (pinned ? "pinned by " + std::string(!p.target_pvid.empty() ? "PVID" : "location") : p.target_name) +
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
  return allow();
}

bool is_migration(const std::string& method) { return lower(method).find("migration") != std::string::npos; }

Verdict layer1(const Recognized& r, const Answer& a, const Policy& p) {
  static const Regex forbidden(kForbidden, false, true);
  const Fields& f = r.fields;
  if (!r.known()) {
    if (p.allow_unknown_screen) return allow();
    return refuse(1, "unknown-screen",
                  r.ambiguous.empty() ? "Refused: vtpilot does not recognize this screen, so it sends nothing here."
                                      : "Refused: two signatures match this screen; nothing is sent until that is fixed.");
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
  if (chosen.empty() && a.text.empty()) {
    std::string d = default_key(f);
    if (!d.empty()) chosen.push_back(d);
  }
  auto label_of = [&](const std::string& key) {
    for (const Choice& c : f.choices)
      if (c.key == key) return c.label;
    return std::string();
  };
  for (const std::string& key : chosen) {
    std::string label = label_of(key);
    if (forbidden.search(label))
      return refuse(1, "forbidden-method", "Refused: " + key + " chooses \"" + label +
                                               "\", which destroys rootvg; vtpilot only migrates (Migration Install).");
    for (const std::string& re : p.extra_forbidden_labels) {
      std::string err;
      std::size_t off = 0;
      auto rx = Regex::compile(re, err, off, false, true);
      if (rx && rx->search(label))
        return refuse(1, "plan-forbidden", "Refused: " + key + " (\"" + label + "\") is forbidden by the plan.");
    }
  }
  if (r.id == "bos.disks") return judge_disks(r, a, p);

  const std::string first = chosen.empty() ? std::string() : chosen[0];
  const std::string label = label_of(first);
  const bool installs = (r.id == "bos.settings" && (first == "0" || label.rfind("Install", 0) == 0)) ||
                        ((r.id == "bos.summary" || r.id == "bos.migration_confirm") &&
                         (first == "0" || label.rfind("Continue", 0) == 0));
  if (!installs) return allow();
  if (r.id == "bos.migration_confirm" && !f.settings) return allow();  // the screen itself says Migration
  if (!f.settings || f.settings->method.empty())
    return refuse(1, "settings-unknown", "Refused: the installation method on this screen could not be read.");
  if (!is_migration(f.settings->method))
    return refuse(1, "forbidden-method", "Refused: the method is \"" + f.settings->method +
                                             "\"; choose 1 (System Settings) and change it to Migration Install first.");
  if (!f.settings->disks.empty() && (f.settings->disks.size() != 1 || f.settings->disks[0] != p.target_name))
    return refuse(1, "selection-not-exact", "Refused: the install disk must be exactly the target " + p.target_name +
                                                "; choose 1 (System Settings) and fix the disk selection.");
  if (r.id == "bos.settings" && f.settings->disks.empty())
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

Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys, const Policy& policy) {
  const Answer answer = parse_keys(keys);
  if (Verdict v2 = layer2(screen, answer, policy); !v2.allow) return v2;
  return layer1(recognized, answer, policy);
}

Approved::Approved(std::string keys, std::uint64_t seal) : keys_(std::move(keys)), seal_(seal) {}
Approved::Approved(Approved&& other) noexcept : keys_(std::move(other.keys_)), seal_(other.seal_), spent_(other.spent_) {
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
  Verdict v = judge(recognized, screen, keys, policy_);
  if (!v.allow) return v;
  return Approved(std::string(keys), seal_value());
}

}  // namespace vtpilot
