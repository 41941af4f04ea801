// Which disk is the install target and which is the rollback clone (design.md "Guard rules" 2
// and 3): the one rule, used by layer 1 on the disk screen and, through find_target, by the
// session that picks the row to type. Also how a later screen takes a verification away.
#include "guard/disks.hpp"

#include <algorithm>
#include <set>

#include "guard/rules.hpp"

#include "vtpilot/screens/screen_ids.hpp"

namespace vtpilot {
namespace guard_impl {

bool is_clone(const Disk& d, const Policy& p) {
  if (d.vg == "altinst_rootvg") return true;
  if (!p.clone_pvid.empty() && !d.pvid.empty() && d.pvid == p.clone_pvid) return true;
  if (!p.clone_location.empty() && !d.location.empty() && d.location == p.clone_location) return true;
  return false;
}

namespace {

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

}  // namespace

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

}  // namespace guard_impl

TargetMatch find_target(const std::vector<Disk>& disks, const Policy& policy) {
  const bool levels = std::any_of(disks.begin(), disks.end(), [](const Disk& d) { return !d.level.empty(); });
  return guard_impl::find_target_rows(disks, policy, levels);
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

bool same_disk_names(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return !a.empty() && a == b;
}

std::optional<std::string> verification_lost(const Recognized& r, const VerifiedTarget& v) {
  const Fields& f = r.fields;
  if (r.id == screen_id::bos_disks && f.disk_shape == DiskShape::vgstatus && !f.disks.empty()) {
    std::vector<std::string> selected;
    for (const Disk& d : f.disks)
      if (d.selected) selected.push_back(d.name.substr(0, d.name.find(' ')));
    if (!same_disk_names(selected, v.names()))
      return "the disk screen shows another selection than the one verified; it must be verified again";
  } else if ((r.id == screen_id::bos_settings || r.id == screen_id::bos_summary || r.id == screen_id::bos_migration_confirm) && f.settings &&
             !f.settings->disks.empty() && !same_disk_names(f.settings->disks, v.names())) {
    return r.id + " names other disks than the disk screen verified; it must be verified again";
  }
  return std::nullopt;
}

}  // namespace vtpilot
