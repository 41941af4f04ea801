// Judges of the runbook's pre-flight and acceptance checks: what verify and preflight conclude
// from the parsed outputs (acceptance_parse.cpp). See acceptance.hpp.
#include "vtpilot/shell/acceptance.hpp"

#include <algorithm>
#include <cstdio>

namespace vtpilot {

namespace {

const CommandResult* find(const std::vector<CommandResult>& rs, const std::string& id) {
  for (const auto& r : rs)
    if (r.id == id) return &r;
  return nullptr;
}

std::string fmt_mb(double mb) {
  char buf[32];
  if (mb >= 1024) std::snprintf(buf, sizeof buf, "%.1f GB", mb / 1024);
  else std::snprintf(buf, sizeof buf, "%.0f MB", mb);
  return buf;
}

}  // namespace

// ---- judges ------------------------------------------------------------------------------

const char* status_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::pass: return "pass";
    case CheckStatus::fail: return "FAIL";
    case CheckStatus::info: return "info";
  }
  return "?";
}

bool Report::ok() const { return first_failure() == nullptr; }
const Check* Report::first_failure() const {
  for (const Check& c : checks)
    if (c.status == CheckStatus::fail) return &c;
  return nullptr;
}

std::vector<ShellCommand> verify_commands() {
  return {{"oslevel", "oslevel -s"},
          {"lppchk", "lppchk -v"},
          {"instfix", "instfix -i | grep ML"},
          {"bootlist", "bootlist -m normal -o"},
          {"lspv", "lspv"},
          {"lscfg", "lscfg -vl 'hdisk*'"},
          {"errpt", "errpt | head"}};
}

std::vector<ShellCommand> preflight_commands() {
  return {{"oslevel", "oslevel -s"},
          {"lppchk", "lppchk -v"},
          {"bootlist", "bootlist -m normal -o"},
          {"lspv", "lspv"},
          {"lscfg", "lscfg -vl 'hdisk*'"},
          {"lsvg", "lsvg rootvg"},
          {"lsvg_l", "lsvg -l rootvg"},
          {"df", "df -m / /usr /var /tmp /opt"}};
}

namespace {

struct Disks {
  std::vector<PhysicalVolume> pvs;
  std::vector<DeviceLocation> locs;
  const PhysicalVolume* rootvg = nullptr;
  std::vector<const PhysicalVolume*> rootvgs, clones;
  std::string location_of(const std::string& name) const {
    for (const auto& d : locs)
      if (d.name == name) return d.location;
    return {};
  }
};

Disks read_disks(const std::vector<CommandResult>& rs) {
  Disks d;
  if (auto* r = find(rs, "lspv"); r && r->complete) d.pvs = parse_lspv(r->output);
  if (auto* r = find(rs, "lscfg"); r && r->complete) d.locs = parse_lscfg(r->output);
  for (const auto& pv : d.pvs) {
    if (pv.vg == "rootvg") d.rootvgs.push_back(&pv);
    if (pv.vg == "altinst_rootvg") d.clones.push_back(&pv);
  }
  if (d.rootvgs.size() == 1) d.rootvg = d.rootvgs[0];
  return d;
}

std::string describe(const PhysicalVolume& pv, const Disks& d) {
  std::string loc = d.location_of(pv.name);
  return pv.name + " (PVID " + pv.pvid + (loc.empty() ? "" : ", location " + loc) + ")";
}

// A command that did not run to its end marker is a failed check of its own.
bool ran(const std::vector<CommandResult>& rs, const std::string& id, std::vector<Check>& checks, const std::string& title) {
  const CommandResult* r = find(rs, id);
  if (r && r->complete) return true;
  checks.push_back({id, title, CheckStatus::fail,
                    r ? "`" + r->command + "` did not finish (no end marker in its output)" : "not run"});
  return false;
}

// Pinned identities (PVID, location) against a disk the running system reports.
std::string pin_mismatch(const PhysicalVolume& pv, const Disks& d, const std::string& pvid, const std::string& location,
                         const char* what) {
  if (!pvid.empty() && pv.pvid != pvid)
    return std::string(what) + " is pinned by PVID " + pvid + " but " + pv.name + " has PVID " + pv.pvid;
  const std::string loc = d.location_of(pv.name);
  if (!location.empty() && !loc.empty() && loc != location)
    return std::string(what) + " is pinned at location " + location + " but " + pv.name + " is at " + loc;
  if (!location.empty() && loc.empty())
    return std::string(what) + " is pinned at location " + location + " but lscfg shows no location for " + pv.name;
  return {};
}

// The clone both judges mean. Pinned (PVID, location or both): the altinst_rootvg disk that
// matches every pin given, or none (with why); unpinned: the first one lspv lists (preflight
// refuses several unpinned on its own). nullptr too when there is no clone at all.
struct ClonePick {
  const PhysicalVolume* pv = nullptr;
  std::string mismatch;  // pinned and no clone matches: what the first one shows instead
};
ClonePick pick_clone(const Disks& d, const Policy& p) {
  if (d.clones.empty()) return {};
  if (p.clone_pvid.empty() && p.clone_location.empty()) return {d.clones[0], ""};
  for (const PhysicalVolume* c : d.clones)
    if (pin_mismatch(*c, d, p.clone_pvid, p.clone_location, "the clone").empty()) return {c, ""};
  return {nullptr, pin_mismatch(*d.clones[0], d, p.clone_pvid, p.clone_location, "the clone")};
}

void set_pins(Report& rep, const Disks& d, const ClonePick& clone) {
  if (d.rootvg) rep.pins = Pins{d.rootvg->name, d.rootvg->pvid, d.location_of(d.rootvg->name), "", "", ""};
  if (clone.pv) {
    rep.pins.clone_disk = clone.pv->name;
    rep.pins.clone_pvid = clone.pv->pvid;
    rep.pins.clone_location = d.location_of(clone.pv->name);
  }
}

void judge_lppchk(const std::vector<CommandResult>& rs, std::vector<Check>& checks, bool pre) {
  const std::string title = "lppchk -v clean";
  if (!ran(rs, "lppchk", checks, title)) return;
  const CommandResult& r = *find(rs, "lppchk");
  Lppchk l = parse_lppchk(r.output);
  if (l.clean && r.status == 0) {
    checks.push_back({"lppchk", title, CheckStatus::pass, "no inconsistent filesets"});
    return;
  }
  std::string what;
  for (const auto& p : l.problems) what += (what.empty() ? "" : "; ") + p.fileset + " " + p.level + " (" + p.state + ")";
  if (what.empty()) what = l.other_lines.empty() ? "exit status " + std::to_string(r.status) : l.other_lines.front();
  checks.push_back({"lppchk", title, CheckStatus::fail,
                    what + (pre ? ". Runbook stop condition: remediate before migrating (the installer carries broken state forward)."
                                : ". Rollback trigger (RB): try installp -C, then re-apply the failed filesets from a 7.2 lpp_source.")});
}

}  // namespace

Report judge_verify(const std::vector<CommandResult>& rs, const VerifyExpect& ex) {
  Report rep;
  rep.kind = "verify";
  auto& checks = rep.checks;

  if (ran(rs, "oslevel", checks, "oslevel at target")) {
    OsLevel o = parse_oslevel(find(rs, "oslevel")->output);
    rep.level = o.level;
    if (o.level.empty())
      checks.push_back({"oslevel", "oslevel at target", CheckStatus::fail, "no level in the output of oslevel -s"});
    else if (o.level.rfind(ex.level_prefix, 0) == 0)
      checks.push_back({"oslevel", "oslevel at target", CheckStatus::pass, o.level});
    else
      checks.push_back({"oslevel", "oslevel at target", CheckStatus::fail, o.level + ", expected " + ex.level_prefix});
  }

  judge_lppchk(rs, checks, false);

  if (ran(rs, "instfix", checks, "ML found")) {
    auto mls = parse_instfix_ml(find(rs, "instfix")->output);
    const std::string tl = ex.level_prefix.size() >= 7 ? ex.level_prefix.substr(0, 7) : ex.level_prefix;
    std::string missing;
    bool target_found = false;
    for (const auto& m : mls) {
      if (!m.all_found) missing += (missing.empty() ? "" : ", ") + m.ml;
      if (m.all_found && m.ml.rfind(tl, 0) == 0) target_found = true;
    }
    if (mls.empty())
      checks.push_back({"ml", "ML found", CheckStatus::fail, "instfix -i lists no maintenance level"});
    else if (!missing.empty())
      checks.push_back({"ml", "ML found", CheckStatus::fail, "not all filesets found for " + missing});
    else if (!target_found)
      checks.push_back({"ml", "ML found", CheckStatus::fail, "no complete " + tl + " maintenance level"});
    else
      checks.push_back({"ml", "ML found", CheckStatus::pass, "all filesets found for " + mls.back().ml});
  }

  Disks d = read_disks(rs);
  const ClonePick clone = pick_clone(d, ex.policy);
  const bool lspv_ok = ran(rs, "lspv", checks, "rootvg on the migrated disk");
  if (lspv_ok) {
    if (d.rootvgs.size() != 1) {
      checks.push_back({"rootvg", "rootvg on the migrated disk", CheckStatus::fail,
                        std::to_string(d.rootvgs.size()) + " disks show rootvg in lspv"});
    } else {
      std::string bad = pin_mismatch(*d.rootvg, d, ex.policy.target_pvid, ex.policy.target_location, "the migrated disk");
      if (bad.empty() && ex.policy.target_pvid.empty() && ex.policy.target_location.empty() &&
          !ex.policy.target_name.empty() && ex.policy.target_name != d.rootvg->name)
        bad = "the target was " + ex.policy.target_name + " but rootvg is on " + d.rootvg->name;
      checks.push_back({"rootvg", "rootvg on the migrated disk", bad.empty() ? CheckStatus::pass : CheckStatus::fail,
                        bad.empty() ? describe(*d.rootvg, d) + ", " + (d.rootvg->state.empty() ? "?" : d.rootvg->state) : bad});
    }
    // Rollback intact: the clone still altinst_rootvg.
    if (d.clones.empty()) {
      checks.push_back({"clone", "rollback clone intact (altinst_rootvg)", CheckStatus::fail,
                        "no disk shows altinst_rootvg: the alt_disk_copy rollback is gone"});
    } else {
      checks.push_back({"clone", "rollback clone intact (altinst_rootvg)", clone.pv ? CheckStatus::pass : CheckStatus::fail,
                        clone.pv ? describe(*clone.pv, d) : clone.mismatch});
    }
  }

  if (ran(rs, "bootlist", checks, "bootlist on the migrated disk")) {
    auto bl = parse_bootlist(find(rs, "bootlist")->output);
    if (bl.empty())
      checks.push_back({"bootlist", "bootlist on the migrated disk", CheckStatus::fail, "the normal boot list is empty"});
    else if (!d.rootvg)
      checks.push_back({"bootlist", "bootlist on the migrated disk", CheckStatus::fail,
                        "starts with " + bl[0].device + "; which disk is the migrated one is unknown (see lspv)"});
    else if (bl[0].device != d.rootvg->name)
      checks.push_back({"bootlist", "bootlist on the migrated disk", CheckStatus::fail,
                        "starts with " + bl[0].device + ", not the migrated disk " + d.rootvg->name +
                            "; set it with bootlist -m normal " + d.rootvg->name});
    else
      checks.push_back({"bootlist", "bootlist on the migrated disk", CheckStatus::pass, bl[0].device + " " + bl[0].attrs});
  }

  if (const CommandResult* r = find(rs, "errpt"); r && r->complete) {
    auto es = parse_errpt(r->output);
    int perm = 0;
    for (const auto& e : es) perm += e.type == "P";
    checks.push_back({"errpt", "errpt (review)", CheckStatus::info,
                      es.empty() ? "no entries" : std::to_string(es.size()) + " latest entries, " + std::to_string(perm) +
                                                      " permanent; newest: " + es[0].resource + " " + es[0].description});
  }
  set_pins(rep, d, clone);
  return rep;
}

Report judge_preflight(const std::vector<CommandResult>& rs, const PreflightExpect& ex) {
  Report rep;
  rep.kind = "preflight";
  auto& checks = rep.checks;

  if (ran(rs, "oslevel", checks, "current level")) {
    OsLevel o = parse_oslevel(find(rs, "oslevel")->output);
    rep.level = o.level;
    if (o.level.empty())
      checks.push_back({"oslevel", "current level", CheckStatus::fail, "no level in the output of oslevel -s"});
    else if (o.level.rfind(ex.target_level, 0) == 0)
      checks.push_back({"oslevel", "current level", CheckStatus::fail, o.level + ": already at the target level " + ex.target_level});
    else
      checks.push_back({"oslevel", "current level", CheckStatus::info, o.level});
  }

  Disks d = read_disks(rs);
  const ClonePick clone = pick_clone(d, ex.policy);
  if (ran(rs, "lspv", checks, "rollback clone exists (altinst_rootvg)")) {
    if (d.clones.empty())
      checks.push_back({"clone", "rollback clone exists (altinst_rootvg)", CheckStatus::fail,
                        "no disk shows altinst_rootvg: run alt_disk_copy -B -d <free disk> first (runbook: non-negotiable)"});
    else if (d.clones.size() > 1 && ex.policy.clone_pvid.empty() && ex.policy.clone_location.empty())
      checks.push_back({"clone", "rollback clone exists (altinst_rootvg)", CheckStatus::fail,
                        std::to_string(d.clones.size()) + " disks show altinst_rootvg; pin the one to keep with --clone-pvid"});
    else
      checks.push_back({"clone", "rollback clone exists (altinst_rootvg)", CheckStatus::pass,
                        describe(clone.pv ? *clone.pv : *d.clones[0], d)});

    if (d.rootvgs.size() != 1) {
      checks.push_back({"rootvg", "rootvg disk (the migration target)", CheckStatus::fail,
                        std::to_string(d.rootvgs.size()) + " disks show rootvg in lspv"});
    } else {
      std::string bad = pin_mismatch(*d.rootvg, d, ex.policy.target_pvid, ex.policy.target_location, "the target");
      checks.push_back({"rootvg", "rootvg disk (the migration target)", bad.empty() ? CheckStatus::pass : CheckStatus::fail,
                        bad.empty() ? describe(*d.rootvg, d) + ", " + (d.rootvg->state.empty() ? "?" : d.rootvg->state) : bad});
    }
    if (!d.clones.empty() && !clone.pv)
      checks.push_back({"clone_pin", "clone pin matches", CheckStatus::fail, clone.mismatch});
  }

  if (ran(rs, "lscfg", checks, "location codes")) {
    std::string missing;
    if (d.rootvg && d.location_of(d.rootvg->name).empty()) missing += d.rootvg->name;
    if (clone.pv && d.location_of(clone.pv->name).empty()) missing += (missing.empty() ? "" : ", ") + clone.pv->name;
    if (!missing.empty())
      checks.push_back({"locations", "location codes", CheckStatus::fail,
                        "lscfg shows no location code for " + missing + "; the rollback boots the clone by its location"});
    else if (d.rootvg)
      checks.push_back({"locations", "location codes", CheckStatus::pass,
                        d.rootvg->name + " " + d.location_of(d.rootvg->name) +
                            (clone.pv ? "; " + clone.pv->name + " " + d.location_of(clone.pv->name) : "")});
  }

  if (ran(rs, "bootlist", checks, "bootlist on the rootvg disk")) {
    auto bl = parse_bootlist(find(rs, "bootlist")->output);
    if (bl.empty())
      checks.push_back({"bootlist", "bootlist on the rootvg disk", CheckStatus::fail, "the normal boot list is empty"});
    else if (!d.rootvg)
      checks.push_back({"bootlist", "bootlist on the rootvg disk", CheckStatus::fail,
                        "starts with " + bl[0].device + "; which disk is the rootvg disk is unknown (see lspv)"});
    else if (bl[0].device != d.rootvg->name)
      checks.push_back({"bootlist", "bootlist on the rootvg disk", CheckStatus::fail,
                        "starts with " + bl[0].device + ", not " + d.rootvg->name +
                            " (runbook: confirm the boot list is on the rootvg disk, not the clone): bootlist -m normal " +
                            d.rootvg->name});
    else
      checks.push_back({"bootlist", "bootlist on the rootvg disk", CheckStatus::pass, bl[0].device + " " + bl[0].attrs});
  }

  judge_lppchk(rs, checks, true);

  if (ran(rs, "df", checks, "free space")) {
    auto fss = parse_df(find(rs, "df")->output);
    std::string shortfall, seen;
    for (const auto& [mount, min] : ex.min_free_mb) {
      // (a copy: clang 14 cannot capture a structured binding)
      auto it = std::find_if(fss.begin(), fss.end(), [&, m = mount](const FileSystem& f) { return f.mount == m; });
      if (it == fss.end()) {
        shortfall += (shortfall.empty() ? "" : "; ") + mount + " not shown";
        continue;
      }
      seen += (seen.empty() ? "" : ", ") + mount + " " + fmt_mb(it->free_mb);
      if (it->free_mb < min) shortfall += (shortfall.empty() ? "" : "; ") + mount + " has " + fmt_mb(it->free_mb) + " free, needs " + fmt_mb(min);
    }
    checks.push_back({"free_space", "free space (runbook minimums)", shortfall.empty() ? CheckStatus::pass : CheckStatus::fail,
                      shortfall.empty() ? seen : shortfall + " (chfs -a size=+... to grow it)"});
  }

  if (const CommandResult* r = find(rs, "lsvg"); r && r->complete) {
    auto vg = parse_lsvg(r->output);
    std::string stale_lvs;
    if (const CommandResult* l = find(rs, "lsvg_l"); l && l->complete)
      for (const auto& lv : parse_lsvg_l(l->output))
        if (lv.state.find("stale") != std::string::npos) stale_lvs += (stale_lvs.empty() ? "" : ", ") + lv.name;
    if (!vg)
      checks.push_back({"rootvg_health", "rootvg healthy (no stale partitions)", CheckStatus::fail, "lsvg rootvg printed no volume group"});
    else if (vg->stale_pps < 0 || vg->stale_pvs < 0)  // not shown: no proof of none
      checks.push_back({"rootvg_health", "rootvg healthy (no stale partitions)", CheckStatus::fail,
                        std::string("could not read ") + (vg->stale_pps < 0 ? "STALE PPs" : "STALE PVs") +
                            " in the output of lsvg rootvg, so stale partitions are not ruled out"});
    else if (vg->state != "active" || vg->stale_pps > 0 || vg->stale_pvs > 0 || !stale_lvs.empty())
      checks.push_back({"rootvg_health", "rootvg healthy (no stale partitions)", CheckStatus::fail,
                        "VG state " + vg->state + ", stale PVs " + std::to_string(vg->stale_pvs) + ", stale PPs " +
                            std::to_string(vg->stale_pps) + (stale_lvs.empty() ? "" : ", stale LVs " + stale_lvs)});
    else
      checks.push_back({"rootvg_health", "rootvg healthy (no stale partitions)", CheckStatus::pass,
                        "active, " + std::to_string(vg->free_pps) + " free PPs (" + fmt_mb(static_cast<double>(vg->free_mb)) + ")"});
  }

  set_pins(rep, d, clone);

  // What the migration will do (the runbook's path, with this system's identities).
  const Pins& p = rep.pins;
  if (d.rootvg) {
    rep.plan.push_back("SMS: Select Boot Options -> Select Install/Boot Device -> List all Devices -> the install media "
                       "-> Normal Mode Boot -> exit.");
    rep.plan.push_back("BOS: console -> language -> 2 Change/Show Installation Settings -> 1 System Settings -> "
                       "3 Migration Install -> the disk with PVID " + p.target_pvid +
                       (p.target_location.empty() ? "" : " at " + p.target_location) + " (" + p.target_disk +
                       " now; names can change when booted from media) -> 0 -> 0 Install -> continue the migration.");
    rep.plan.push_back("From " + (rep.level.empty() ? std::string("the current level") : rep.level) + " to " +
                       ex.target_level + "; rootvg is migrated in place, data and configuration kept.");
  }
  if (clone.pv)
    rep.plan.push_back("Never touched: " + p.clone_disk + " (altinst_rootvg, PVID " + p.clone_pvid +
                       (p.clone_location.empty() ? "" : ", location " + p.clone_location) +
                       "), the rollback: boot it from SMS with vtpilot run --plan rollback --clone-location " +
                       (p.clone_location.empty() ? "LOC" : p.clone_location) + ".");
  else if (!d.clones.empty())
    rep.plan.push_back("No altinst_rootvg disk matches the clone pin (" + clone.mismatch +
                       "): pin the clone to keep, from lspv and lscfg, before migrating.");
  else
    rep.plan.push_back("No rollback clone: the guard refuses to continue from the BOS disk screen (no-rollback-disk) "
                       "until alt_disk_copy has made one.");
  return rep;
}

}  // namespace vtpilot
