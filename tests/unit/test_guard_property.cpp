// Property test: thousands of generated and mutated BOS screens, judged by the guard; the
// invariants come from the generator's own truth (which row is the target, which the clone,
// which labels destroy, what is already typed on the prompt line), never from the recognizer or
// the parser under test. Installation and Settings is judged after a generated disk screen, the
// way a session meets it: installing is right only when that disk screen truly let the target
// (and only it) be continued with, the clone accounted for, and the settings name that disk.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <random>
#include <set>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;

namespace {

struct Item {
  std::string key, label;
  bool forbidden = false;
};

struct Row {
  std::string key, name, loc, vg, pvid;
  long size_mb = 30720;
  bool target = false, clone = false, selected = false;
};

struct Case {
  std::string text;
  std::vector<Item> items;  // menu items other than disk rows
  std::vector<Row> rows;    // disk rows
  std::string default_key;
  bool levels = false;
  bool settings = false, settings_ok = false;  // Installation and Settings, and whether installing is right
  std::string typed;                           // already on the prompt line, in front of any keys
  Policy policy;
  // The levels shape's truth (the generator's, from what it drew and pinned): the target can be
  // told apart on this view, and the clone is accounted for.
  bool levels_tellable = false, levels_clone_ok = false;
};

std::mt19937 rng(20261125);
int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
std::string pad() { return std::string(static_cast<std::size_t>(1 + pick(3)), ' '); }

std::string typed_junk() {
  static const char* junk[] = {"", "", "", "", "1", "2", "3", "0", "00", "77", "x"};
  return junk[pick(11)];
}

// The number a menu reads ("03" is 3), or "" when the line is not only digits.
std::string menu_number(const std::string& s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch); })) return {};
  std::size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return s.substr(i);
}

std::vector<std::string> keys_for(int n) {
  std::vector<int> k{1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::shuffle(k.begin(), k.end(), rng);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::to_string(k[static_cast<std::size_t>(i)]));
  return out;
}

std::string title(const std::string& real) { return chance(0.08) ? "Alternate Menu " + std::to_string(pick(100)) : real; }

// A menu of labelled items (Welcome, Change Method).
Case menu(const std::string& head, std::vector<std::pair<std::string, bool>> labels) {
  Case c;
  std::shuffle(labels.begin(), labels.end(), rng);
  auto keys = keys_for(static_cast<int>(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i) c.items.push_back({keys[i], labels[i].first, labels[i].second});
  c.default_key = c.items[static_cast<std::size_t>(pick(static_cast<int>(c.items.size())))].key;
  std::string t = "\n" + std::string(20, ' ') + title(head) + "\n\nType the number of your choice and press Enter.\n\n";
  for (const Item& it : c.items)
    t += std::string(it.key == c.default_key ? ">>>" : "   ") + pad() + it.key + pad() + it.label + "\n\n";
  c.typed = typed_junk();
  t += "    88  Help ?\n    99  Previous Menu\n\n>>> Choice [" + c.default_key + "]: " + c.typed;
  c.text = t;
  return c;
}

Case settings(const std::string& disk) {
  Case c;
  c.settings = true;
  static const char* methods[] = {"New and Complete Overwrite", "Preservation Install", "Migration Install"};
  std::string method = methods[pick(3)];
  c.settings_ok = method == "Migration Install";  // and the disk: judged against the disk screen before it
  c.default_key = "0";
  c.typed = typed_junk();
  c.items = {{"1", "System Settings:"}, {"2", "Primary Language Environment Settings (AFTER Install):"},
             {"3", "Security Model"}, {"4", "More Options"}, {"0", "Install with the current settings listed above."}};
  c.text = "\n" + std::string(26, ' ') + title("Installation and Settings") +
           "\n\nEither type 0 and press Enter to install with current settings, or type the\n"
           "number of the setting you want to change and press Enter.\n\n    1  System Settings:\n"
           "         Method of Installation.............." + method + "\n         Disk Where You Want to Install......" +
           disk + "\n\n    2  Primary Language Environment Settings (AFTER Install):\n    3  Security Model\n"
           "    4  More Options\n>>> 0  Install with the current settings listed above.\n\n    88  Help ?\n"
           "    99  Previous Menu\n\n>>> Choice [0]: " + c.typed;
  return c;
}

// The migration / preservation disk screen: one row per root VG, both at the same level, in
// IBM's shape (BosMenus.h ChgRootVG: "Change Disks", Choice [], 77 / 88 / 99, location `none` on
// virtual disks) or the older invented one ("Change Disk(s)", Choice [N]); the location view or
// the 77 view with PVIDs; pinned by PVID, location, size (SIZE_MB) or nothing; PVIDs remembered
// from a 77 view seen earlier, right or of other disks.
void levels_screen(Case& c, bool junk) {
  const bool ibm = chance(0.6);
  const bool loc_none = chance(0.5);
  const bool pvids_shown = chance(0.4);
  const std::string level = chance(0.5) ? "7.1" : "7.1.5.0";
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    Row& r = c.rows[i];
    r.pvid = "00f6db0a" + std::to_string(10000000 + pick(89999999));
    r.size_mb = chance(0.5) ? 20480 : 51200;
  }
  Policy& p = c.policy;
  p = Policy{};
  const Row* target = nullptr;
  const Row* clone = nullptr;
  for (const Row& r : c.rows) (r.target ? target : clone) = &r;
  const int mode = pick(4);  // 0 nothing, 1 location, 2 PVID, 3 size
  const bool clone_pinned = chance(0.7);
  if (mode == 1) {
    p.target_location = target->loc;
    if (clone_pinned) p.clone_location = clone->loc;
  } else if (mode == 2) {
    p.target_pvid = target->pvid;
    if (clone_pinned) p.clone_pvid = clone->pvid;
  } else if (mode == 3) {
    p.target_size_mb = target->size_mb;
    if (clone_pinned) p.clone_pvid = clone->pvid;
  }
  bool memory_right = false;
  if (!pvids_shown && chance(0.5)) {
    for (const Row& r : c.rows) p.seen_pvids.push_back({r.name, level, r.size_mb, r.pvid});
    memory_right = true;
    if (chance(0.3)) {
      p.seen_pvids[0].size_mb += 1024;  // other disks than these rows: nothing carries over
      memory_right = false;
    }
  }
  const bool pvid_visible = pvids_shown || memory_right;
  const bool loc_visible = !pvids_shown && !loc_none;
  const bool size_unique = target->size_mb != clone->size_mb;
  c.levels_tellable = (mode == 1 && loc_visible) || (mode == 2 && pvid_visible) || (mode == 3 && size_unique);
  c.levels_clone_ok = clone_pinned && ((mode == 1 && loc_visible) || (mode != 1 && mode != 0 && pvid_visible));

  std::string t = "\n" + std::string(10, ' ') +
                  title(ibm ? "Change Disks Where You Want to Install" : "Change Disk(s) Where You Want to Install") +
                  "\n\nType the number for the disks to be used for installation and press Enter.\n\n";
  t += std::string("       Level    Disks In Rootvg       ") + (pvids_shown ? "Physical Volume ID " : "Location Code     ") +
       " Size(MB)\n\n";
  for (const Row& r : c.rows) {
    const std::string id = pvids_shown ? r.pvid : loc_none ? "none" : r.loc;
    std::string head = "   " + pad() + r.key + pad() + level + pad() + r.name + pad() + id;
    t += head.size() + 8 < 80 && chance(0.5) ? head + pad() + std::to_string(r.size_mb) + "\n"
                                             : head + "\n" + std::string(60, ' ') + std::to_string(r.size_mb) + "\n";
  }
  c.items = {{"77", "Display More Disk Information"}, {"88", "Help ?"}, {"99", "Previous Menu"}};
  c.default_key = ibm ? "" : c.rows[0].key;
  c.typed = junk ? typed_junk() : "";
  t += "\n    77  Display More Disk Information\n    88  Help ?\n    99  Previous Menu\n\n>>> Choice [" + c.default_key +
       "]: " + c.typed;
  c.text = t;
}

Case disks(bool levels, bool junk = true, bool exact = false) {
  Case c;
  c.levels = levels;
  const int n = levels ? 2 : 2 + pick(2);
  std::vector<std::string> names{"hdisk0", "hdisk1", "hdisk2"};
  if (chance(0.5)) std::shuffle(names.begin(), names.end(), rng);  // renumbered when booted from media
  const int target = pick(n);
  const bool has_clone = levels || chance(0.85);
  const int clone = has_clone ? (target + 1 + pick(n - 1)) % n : -1;
  const bool clone_as_rootvg = levels || chance(0.2);
  for (int i = 0; i < n; ++i) {
    Row r;
    r.name = names[static_cast<std::size_t>(i)];
    r.loc = "U9009.42A.78ABCDE-V7-C4-T1-L8" + std::to_string(i) + "00000000000000";
    r.target = i == target;
    r.clone = i == clone;
    r.vg = r.target ? "rootvg" : r.clone ? (clone_as_rootvg ? "rootvg" : "altinst_rootvg") : (chance(0.5) ? "None" : "datavg");
    r.selected = !levels && (exact ? r.target : chance(0.35));  // exact: what the plan leaves selected
    c.rows.push_back(r);
  }
  if (chance(0.3)) std::shuffle(c.rows.begin(), c.rows.end(), rng);
  auto keys = keys_for(n);
  for (int i = 0; i < n; ++i) c.rows[static_cast<std::size_t>(i)].key = keys[static_cast<std::size_t>(i)];
  // The policy: the name hdisk0, or pinned identities.
  if (chance(0.5)) {
    for (const Row& r : c.rows)
      if (r.target) c.policy.target_location = r.loc;
    if (chance(0.6))
      for (const Row& r : c.rows)
        if (r.clone) c.policy.clone_location = r.loc;
  }
  if (levels) {
    levels_screen(c, junk);
    return c;
  }
  std::string t = "\n" + std::string(18, ' ') + title("Change Disk(s) Where You Want to Install") +
                  "\n\nType one or more numbers for the disk(s) to be used for installation and press\nEnter.\n\n";
  {
    t += "        Name      Location Code   Size(MB)  VG Status   Bootable\n\n";
    for (const Row& r : c.rows)
      t += std::string(r.selected ? ">>>" : "   ") + pad() + r.key + pad() + r.name + "    " + r.loc + "\n" +
           std::string(34, ' ') + "30720" + pad() + r.vg + "    Yes    No\n";
    c.items = {{"0", "Continue with choices indicated above"}, {"77", "Display More Disk Information"}, {"99", "Previous Menu"}};
    c.default_key = "0";
    c.typed = junk ? typed_junk() : "";
    t += "\n>>> 0   Continue with choices indicated above\n   77   Display More Disk Information\n   99   Previous Menu\n\n"
         ">>> Choice [0]: " + c.typed;
  }
  c.text = t;
  return c;
}

}  // namespace

// The generator's truth about a disk screen: may the current selection be continued with?
struct DiskTruth {
  bool clone_accounted = false, tellable = false;
};
DiskTruth truth_of(const Case& c) {
  DiskTruth t;
  if (c.levels) return {c.levels_clone_ok, c.levels_tellable};
  t.clone_accounted = std::any_of(c.rows.begin(), c.rows.end(), [&](const Row& r) {
    return r.clone && !r.selected && (r.vg == "altinst_rootvg" || c.policy.clone_location == r.loc);
  });
  const int rootvgs = static_cast<int>(std::count_if(c.rows.begin(), c.rows.end(), [](const Row& r) { return r.vg == "rootvg"; }));
  t.tellable = !c.policy.target_location.empty() || rootvgs < 2;
  return t;
}

// The levels shape (one row per root VG) is generated in IBM's shape and the older one, with
// locations, `none` or the 77 view's PVIDs, and pinned by PVID, location, size or nothing.
TEST_CASE("guard property: no Allow for a destructive choice, on 1,200 generated BOS screens") {
  int screens = 0, judged = 0, allowed = 0, installs = 0, layer2_judged = 0, levels_rows_allowed = 0;
  for (int round = 0; round < 1200; ++round) {
    Case c;
    // Installation and Settings: the disk screen the session saw before it (if any), and what it verified.
    std::optional<VerifiedTarget> verified;
    bool verified_right = false;  // the generator's truth: that disk screen may be continued with
    std::string verified_name;    // the target's name on that disk screen
    switch (round % 5) {
      case 0:
        c = menu("Welcome to Base Operating System", {{"Start Install Now with Default Settings", true},
                                                      {"Change/Show Installation Settings and Install", false},
                                                      {"Start Maintenance Mode for System Recovery", false},
                                                      {"Make Additional Disks Available", false}});
        break;
      case 1:
        c = menu("Change Method of Installation",
                 {{"New and Complete Overwrite", true}, {"Preservation Install", true}, {"Migration Install", false}});
        break;
      case 2: {
        Policy policy;
        if (chance(0.75)) {  // most installs follow a disk screen; some never saw one (Migration by default)
          Case d = disks(false, false, chance(0.7));
          const Screen ds = render(normalize_capture(d.text));
          judge(Recognizer::builtin().recognize(ds), ds, "0\r", d.policy, &verified);
          std::set<const Row*> sel;
          for (const Row& r : d.rows)
            if (r.selected) sel.insert(&r);
          const DiskTruth dt = truth_of(d);
          verified_right = sel.size() == 1 && (*sel.begin())->target && dt.clone_accounted && dt.tellable;
          for (const Row& r : d.rows)
            if (r.target) verified_name = r.name;
          policy = d.policy;
        }
        static const char* names[] = {"hdisk0", "hdisk1", "hdisk2"};
        const std::string disk = verified && chance(0.6) ? verified->names().front() : names[pick(3)];
        c = settings(disk);
        policy.verified_target = verified;
        c.policy = policy;
        c.settings_ok = c.settings_ok && verified_right && disk == verified_name;
        break;
      }
      case 3: c = disks(false); break;
      default: c = disks(true); break;
    }
    const Screen screen = render(normalize_capture(c.text));
    const Recognized rec = Recognizer::builtin().recognize(screen);
    ++screens;
    std::vector<std::string> tries{"\r"};
    for (const Item& it : c.items) tries.insert(tries.end(), {it.key + "\r", "0" + it.key + "\r", it.key + "x\r", it.key + ".\r"});
    for (const Row& r : c.rows) tries.insert(tries.end(), {r.key + "\r", "0" + r.key + "\r", r.key + "\t\r"});
    for (const std::string& keys : tries) {
      std::optional<VerifiedTarget> made;
      const Verdict v = judge(rec, screen, keys, c.policy, &made);
      ++judged;
      // Layer 2 alone (step mode on a screen it cannot recognize) must hold the label and clone rules.
      Policy step_mode = c.policy;
      step_mode.allow_unknown_screen = true;
      const Verdict v2 = judge(Recognized{}, screen, keys, step_mode);
      ++layer2_judged;
      // What the console submits: the text already typed after the prompt, then the keys.
      const std::string line = c.typed + keys.substr(0, keys.size() - 1);
      const std::string key = line.empty() ? c.default_key : menu_number(line);
      INFO("round ", round, " keys ", keys, " line \"", line, "\"\n", screen.text());
      // Layer 2 alone: a forbidden label or an unselected altinst_rootvg row, however the number is written.
      if (v2.allow) {
        std::string digits;  // the digits in the line, as a lenient menu might read them
        for (char ch : line)
          if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
        const std::string lenient = line.empty() ? c.default_key : menu_number(digits);
        for (const Item& it : c.items) CHECK_FALSE((it.key == lenient && it.forbidden));
        for (const Row& r : c.rows) CHECK_FALSE((!c.levels && r.key == lenient && r.vg == "altinst_rootvg" && !r.selected));
      }
      if (made) CHECK(v.allow);
      if (!v.allow) continue;
      ++allowed;
      CHECK_FALSE(key.empty());  // only numbers reach an install menu
      for (const Item& it : c.items) CHECK_FALSE((it.key == key && it.forbidden));
      if (c.settings && key == "0") {
        ++installs;
        CHECK(c.settings_ok);
      }
      if (c.rows.empty()) {
        CHECK_FALSE(made);
        continue;
      }
      const Row* row = nullptr;
      for (const Row& r : c.rows)
        if (r.key == key) row = &r;
      const DiskTruth dt = truth_of(c);
      if (row && c.levels) ++levels_rows_allowed;
      if (row && (c.levels || !row->selected)) {  // choosing a disk (not deselecting one)
        CHECK(row->target);
        CHECK(dt.tellable);
        if (c.levels) CHECK(dt.clone_accounted);
      }
      if (!c.levels && key == "0") {  // continuing: exactly the target, the clone accounted for
        std::set<const Row*> sel;
        for (const Row& r : c.rows)
          if (r.selected) sel.insert(&r);
        CHECK(sel.size() == 1);
        if (sel.size() == 1) CHECK((*sel.begin())->target);
        CHECK(dt.clone_accounted);
        CHECK(dt.tellable);
      }
      // What the guard says it verified is the generator's target, and only when leaving the screen.
      const bool leaves = c.levels ? row != nullptr || key == "0" : key == "0";
      CHECK(made.has_value() == leaves);
      if (made)
        for (const Row& r : c.rows)
          if (r.target) CHECK(made->names() == std::vector<std::string>{r.name});
    }
  }
  CHECK(screens >= 1000);
  MESSAGE(screens << " screens, " << judged << " judgements (and " << layer2_judged << " by layer 2 alone), " << allowed
                  << " allowed, " << installs << " installs allowed, " << levels_rows_allowed << " root VG rows chosen");
  CHECK(allowed > judged / 20);  // the generator also makes screens where the right key is allowed
  CHECK(installs > 10);          // and settings screens where installing is right
  CHECK(levels_rows_allowed > 20);  // and levels screens where the pinned row is told apart and chosen
}
