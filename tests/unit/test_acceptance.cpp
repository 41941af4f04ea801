// Parsers and judges of the pre-flight / acceptance commands, on fixtures/acceptance/*.txt.
#include <doctest/doctest.h>

#include <map>

#include "fixture_util.hpp"
#include "vtpilot/shell/acceptance.hpp"

using namespace vtpilot;

namespace {

std::string fx(const std::string& name) {
  auto p = fixture::root() / "acceptance" / name;
  REQUIRE_MESSAGE(std::filesystem::exists(p), p.string());
  return fixture::read(p);
}

// A complete result, as ShellDriver gives it.
CommandResult res(const std::string& id, const std::string& fixture_name, int status = 0) {
  CommandResult r;
  r.id = id;
  r.command = id;
  r.output = fixture_name.empty() ? std::string() : fx(fixture_name);
  r.status = status;
  r.complete = true;
  return r;
}

std::vector<CommandResult> clean_migration() {
  return {res("oslevel", "oslevel-s-7200-05-11-2546.txt"),
          res("lppchk", "lppchk-v-clean.txt"),
          res("instfix", "instfix-i-ML-7200-05-all-found.txt"),
          res("bootlist", "bootlist-m-normal-o-hdisk0.txt"),
          res("lspv", "lspv-rootvg-active-altinst.txt"),
          res("lscfg", "lscfg-vl-hdisk-vscsi.txt"),
          res("errpt", "errpt-head.txt")};
}

std::vector<CommandResult> running_71() {
  return {res("oslevel", "oslevel-s-7100-05-06-2016.txt"), res("lppchk", "lppchk-v-clean.txt"),
          res("bootlist", "bootlist-m-normal-o-hdisk0.txt"), res("lspv", "lspv-rootvg-active-altinst.txt"),
          res("lscfg", "lscfg-vl-hdisk-vscsi.txt"),        res("lsvg", "lsvg-rootvg.txt"),
          res("lsvg_l", "lsvg-l-rootvg.txt"),              res("df", "df-m.txt")};
}

void replace(std::vector<CommandResult>& rs, CommandResult r) {
  for (auto& x : rs)
    if (x.id == r.id) x = r;
}

const Check& check(const Report& rep, const std::string& id) {
  for (const Check& c : rep.checks)
    if (c.id == id) return c;
  FAIL("no check " << id);
  static Check none;
  return none;
}

}  // namespace

TEST_CASE("oslevel -s: the level line, other lines kept as warnings, nothing is no level") {
  CHECK(parse_oslevel(fx("oslevel-s-7200-05-11-2546.txt")).level == "7200-05-11-2546");
  CHECK(parse_oslevel(fx("oslevel-s-7100-05-06-2016.txt")).level == "7100-05-06-2016");
  OsLevel w = parse_oslevel(fx("oslevel-s-with-warning.txt"));
  CHECK(w.level == "7200-05-11-2546");
  REQUIRE(w.other_lines.size() == 1);
  CHECK(w.other_lines[0].rfind("oslevel: warning", 0) == 0);
  CHECK(parse_oslevel(fx("oslevel-s-empty.txt")).level.empty());
  CHECK(parse_oslevel("7200-05\n").level.empty());  // oslevel -r's shape is not -s's
}

TEST_CASE("lppchk -v: silence is clean, each fileset line is a problem with its state") {
  CHECK(parse_lppchk(fx("lppchk-v-clean.txt")).clean);
  Lppchk r = parse_lppchk(fx("lppchk-v-requisites.txt"));
  CHECK_FALSE(r.clean);
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0].fileset == "bos.rte.libc");
  CHECK(r.problems[0].level == "7.2.5.0");
  CHECK(r.problems[0].state == "usr: COMMITTED, root: not installed");
  CHECK(r.problems[1].state == "not installed; requisite fileset");
  CHECK(r.other_lines.size() == 2);  // the two header lines
  Lppchk b = parse_lppchk(fx("lppchk-v-broken.txt"));
  REQUIRE(b.problems.size() == 1);
  CHECK(b.problems[0].state == "BROKEN");
}

TEST_CASE("instfix -i | grep ML, bootlist, lspv, errpt, lscfg") {
  auto ml = parse_instfix_ml(fx("instfix-i-ML-7200-05-not-all.txt"));
  REQUIRE(ml.size() == 7);
  CHECK(ml[0].ml == "7.2.0.0_AIX_ML");
  CHECK(ml[5].all_found);
  CHECK(ml[6].ml == "7200-05_AIX_ML");
  CHECK_FALSE(ml[6].all_found);

  auto bl = parse_bootlist(fx("bootlist-m-normal-o-hdisk0-two-paths.txt"));
  REQUIRE(bl.size() == 2);
  CHECK(bl[1].attrs == "blv=hd5 pathid=1");
  auto mixed = parse_bootlist(fx("bootlist-m-normal-o-disk-cd-net.txt"));
  REQUIRE(mixed.size() == 3);
  CHECK(mixed[1].device == "cd0");
  CHECK(mixed[2].attrs.empty());

  auto pv = parse_lspv(fx("lspv-datavg-concurrent.txt"));
  REQUIRE(pv.size() == 5);
  CHECK(pv[0].state == "active");
  CHECK(pv[1].vg == "altinst_rootvg");
  CHECK(pv[1].state.empty());
  CHECK(pv[2].state == "concurrent");
  CHECK(pv[4].pvid == "none");
  CHECK(pv[4].vg == "None");

  auto es = parse_errpt(fx("errpt-head.txt"));
  REQUIRE(es.size() == 6);
  CHECK(es[3].type == "P");
  CHECK(es[3].klass == "H");
  CHECK(es[3].resource == "hdisk1");
  CHECK(es[3].description == "PATH HAS FAILED");
  CHECK(parse_errpt(fx("errpt-empty.txt")).empty());

  auto v = parse_lscfg(fx("lscfg-vl-hdisk-vscsi.txt"));
  REQUIRE(v.size() == 2);
  CHECK(v[1].location == "U8286.42A.21271DA-V3-C2-T1-L8200000000000000");
  CHECK(v[1].description == "Virtual SCSI Disk Drive");
  auto fc = parse_lscfg(fx("lscfg-vl-hdisk-mpio-fc.txt"));
  REQUIRE(fc.size() == 2);
  CHECK(fc[0].location == "U78C9.001.WZS0ABC-P1-C7-T1-W500507680140B2C3-L0");
  CHECK(fc[0].description == "MPIO IBM 2076 FC Disk");
  CHECK(fc[1].serial == "600507680181851D0000000000000124");
}

TEST_CASE("df in MB and GB, '-' rows, lsvg and lsvg -l") {
  auto m = parse_df(fx("df-m.txt"));
  REQUIRE(m.size() == 5);
  CHECK(m[1].mount == "/usr");
  CHECK(m[1].free_mb == doctest::Approx(3402.17));
  auto g = parse_df(fx("df-g.txt"));
  REQUIRE(g.size() == 5);
  CHECK(g[1].free_mb == doctest::Approx(3.32 * 1024));
  auto p = parse_df(fx("df-m-usr-short-with-proc.txt"));
  REQUIRE(p.size() == 6);
  CHECK(p[4].mount == "/proc");
  CHECK(p[4].free_mb < 0);

  auto vg = parse_lsvg(fx("lsvg-rootvg.txt"));
  REQUIRE(vg);
  CHECK(vg->name == "rootvg");
  CHECK(vg->state == "active");
  CHECK(vg->pp_size_mb == 64);
  CHECK(vg->total_pps == 479);
  CHECK(vg->free_pps == 242);
  CHECK(vg->free_mb == 15488);
  CHECK(vg->stale_pps == 0);
  CHECK(parse_lsvg(fx("lsvg-rootvg-stale-mirror.txt"))->stale_pps == 12);
  CHECK_FALSE(parse_lsvg("0516-306 lsvg: Unable to find volume group rootvg in the Device\n"));
  auto lvs = parse_lsvg_l(fx("lsvg-l-rootvg-stale.txt"));
  REQUIRE(lvs.size() == 12);
  CHECK(lvs[4].name == "hd2");
  CHECK(lvs[4].state == "open/stale");
  CHECK(lvs[11].mount == "/var/adm/ras/livedump");
}

TEST_CASE("verify: a clean migration passes every check, and the pins are what lspv/lscfg say") {
  Report r = judge_verify(clean_migration(), VerifyExpect{});
  for (const Check& c : r.checks) CHECK_MESSAGE(c.status != CheckStatus::fail, c.id << ": " << c.detail);
  CHECK(r.ok());
  CHECK(r.level == "7200-05-11-2546");
  CHECK(check(r, "clone").detail.find("hdisk1") != std::string::npos);
  CHECK(check(r, "errpt").status == CheckStatus::info);
  CHECK(r.pins.clone_location == "U8286.42A.21271DA-V3-C2-T1-L8200000000000000");
}

TEST_CASE("verify fails with the reason: wrong level, broken fileset, ML incomplete, bootlist, no clone") {
  {
    auto rs = clean_migration();
    replace(rs, res("oslevel", "oslevel-s-7200-04-wrong-tl.txt"));
    Report r = judge_verify(rs, VerifyExpect{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.first_failure()->id == "oslevel");
    CHECK(r.first_failure()->detail == "7200-04-02-2028, expected 7200-05");
  }
  {
    auto rs = clean_migration();
    replace(rs, res("lppchk", "lppchk-v-requisites.txt", 1));
    replace(rs, res("instfix", "instfix-i-ML-7200-05-not-all.txt"));
    Report r = judge_verify(rs, VerifyExpect{});
    CHECK(check(r, "lppchk").status == CheckStatus::fail);
    CHECK(check(r, "lppchk").detail.find("bos.rte.libc 7.2.5.0") != std::string::npos);
    CHECK(check(r, "ml").detail == "not all filesets found for 7200-05_AIX_ML");
  }
  {
    auto rs = clean_migration();
    replace(rs, res("bootlist", "bootlist-m-normal-o-clone-first.txt"));
    CHECK(check(judge_verify(rs, VerifyExpect{}), "bootlist").status == CheckStatus::fail);
  }
  {
    auto rs = clean_migration();
    replace(rs, res("lspv", "lspv-no-clone-none.txt"));
    Report r = judge_verify(rs, VerifyExpect{});
    CHECK(check(r, "clone").status == CheckStatus::fail);
  }
  {
    // a clean 7.1 system checked against 7200-05: the level is the reason
    auto rs = clean_migration();
    replace(rs, res("oslevel", "oslevel-s-7100-05-06-2016.txt"));
    replace(rs, res("instfix", "instfix-i-ML-7100-05.txt"));
    Report r = judge_verify(rs, VerifyExpect{});
    CHECK(check(r, "oslevel").status == CheckStatus::fail);
    CHECK(check(r, "ml").status == CheckStatus::fail);
  }
  {
    // a command that never reached its end marker is a failure, not a pass on no output
    auto rs = clean_migration();
    rs[1].complete = false;
    CHECK(check(judge_verify(rs, VerifyExpect{}), "lppchk").status == CheckStatus::fail);
  }
}

TEST_CASE("verify: pinned identities outrank names (the renumbered clone is hdisk0)") {
  auto rs = clean_migration();
  replace(rs, res("lspv", "lspv-clone-is-hdisk0.txt"));
  replace(rs, res("bootlist", "bootlist-m-normal-o-clone-first.txt"));  // hdisk1 first: the rootvg disk here
  VerifyExpect ex;
  ex.policy.target_pvid = "00f6db0a6c7aad9b";
  ex.policy.clone_pvid = "00f6db0a8a1b2c3d";
  Report r = judge_verify(rs, ex);
  CHECK(check(r, "rootvg").status == CheckStatus::pass);
  CHECK(check(r, "clone").status == CheckStatus::pass);
  CHECK(check(r, "bootlist").status == CheckStatus::pass);
  ex.policy.clone_pvid = "00f6db0aFFFFFFFF";
  CHECK(check(judge_verify(rs, ex), "clone").status == CheckStatus::fail);
  // no pins: the default target name hdisk0 disagrees with where rootvg is
  CHECK(check(judge_verify(rs, VerifyExpect{}), "rootvg").status == CheckStatus::fail);
}

TEST_CASE("preflight: a 7.1 system with its clone passes and gives the pins, a missing clone refuses") {
  Report r = judge_preflight(running_71(), PreflightExpect{});
  for (const Check& c : r.checks) CHECK_MESSAGE(c.status != CheckStatus::fail, c.id << ": " << c.detail);
  CHECK(r.ok());
  CHECK(r.pins.target_disk == "hdisk0");
  CHECK(r.pins.target_pvid == "00f6db0a6c7aad9b");
  CHECK(r.pins.target_location == "U8286.42A.21271DA-V3-C2-T1-L8100000000000000");
  CHECK(r.pins.clone_disk == "hdisk1");
  CHECK(r.pins.clone_pvid == "00f6db0a8a1b2c3d");
  CHECK(r.pins.clone_location == "U8286.42A.21271DA-V3-C2-T1-L8200000000000000");
  CHECK(r.level == "7100-05-06-2016");
  REQUIRE(r.plan.size() == 4);
  CHECK(r.plan[3].find("--clone-location U8286.42A.21271DA-V3-C2-T1-L8200000000000000") != std::string::npos);

  auto rs = running_71();
  replace(rs, res("lspv", "lspv-no-clone-none.txt"));
  Report n = judge_preflight(rs, PreflightExpect{});
  REQUIRE_FALSE(n.ok());
  CHECK(n.first_failure()->id == "clone");
  CHECK(n.first_failure()->detail.find("alt_disk_copy") != std::string::npos);
}

TEST_CASE("preflight fails on the runbook's stop conditions: lppchk, free space, stale rootvg, bootlist on the clone, pins") {
  auto with = [](const std::string& id, const std::string& f, int st = 0) {
    auto rs = running_71();
    replace(rs, res(id, f, st));
    return judge_preflight(rs, PreflightExpect{});
  };
  CHECK(check(with("lppchk", "lppchk-v-broken.txt", 1), "lppchk").detail.find("stop condition") != std::string::npos);
  Report space = with("df", "df-m-usr-short-with-proc.txt");
  CHECK(check(space, "free_space").status == CheckStatus::fail);
  CHECK(check(space, "free_space").detail.find("/usr has 1.3 GB free, needs 3.0 GB") != std::string::npos);
  CHECK(check(with("df", "df-g.txt"), "free_space").status == CheckStatus::pass);
  CHECK(check(with("lsvg", "lsvg-rootvg-stale-mirror.txt"), "rootvg_health").status == CheckStatus::fail);
  CHECK(check(with("lsvg_l", "lsvg-l-rootvg-stale.txt"), "rootvg_health").detail.find("hd2") != std::string::npos);
  CHECK(check(with("bootlist", "bootlist-m-normal-o-clone-first.txt"), "bootlist").status == CheckStatus::fail);
  CHECK(check(with("oslevel", "oslevel-s-7200-05-11-2546.txt"), "oslevel").status == CheckStatus::fail);

  PreflightExpect pinned;
  pinned.policy.target_pvid = "00f6db0a00000000";
  CHECK(check(judge_preflight(running_71(), pinned), "rootvg").status == CheckStatus::fail);
  PreflightExpect loc;
  loc.policy.clone_location = "U8286.42A.21271DA-V3-C2-T1-L8100000000000000";  // that is the rootvg disk's
  CHECK(check(judge_preflight(running_71(), loc), "clone_pin").status == CheckStatus::fail);
}

TEST_CASE("preflight: a boot list is not judged on the rootvg disk when lspv shows no single rootvg disk") {
  auto rs = running_71();
  replace(rs, res("lspv", "lspv-rootvg-mirrored.txt"));  // two disks in rootvg: which one boots is unknown
  Report r = judge_preflight(rs, PreflightExpect{});
  CHECK(check(r, "rootvg").status == CheckStatus::fail);
  CHECK(check(r, "bootlist").status == CheckStatus::fail);
  CHECK(check(r, "bootlist").detail.find("unknown") != std::string::npos);
}

TEST_CASE("preflight: lsvg output without its STALE fields is no proof of a healthy rootvg") {
  auto rs = running_71();
  replace(rs, res("lsvg", "lsvg-rootvg-cut-short.txt"));
  auto vg = parse_lsvg(fx("lsvg-rootvg-cut-short.txt"));
  REQUIRE(vg);
  CHECK(vg->stale_pps == -1);
  const Report r = judge_preflight(rs, PreflightExpect{});
  const Check& c = check(r, "rootvg_health");
  CHECK(c.status == CheckStatus::fail);
  CHECK(c.detail.find("could not read STALE PPs") != std::string::npos);
}

// Two alt_disk_copy clones, the one to keep pinned: every judge means that one, whichever pin
// names it (PVID or location alone), in its checks, its pins and the rollback command.
TEST_CASE("preflight and verify: with two clones the pinned one is the clone, pinned by location or by PVID") {
  const std::string loc2 = "U8286.42A.21271DA-V3-C2-T1-L8300000000000000";
  Policy by_loc, by_pvid;
  by_loc.clone_location = loc2;
  by_pvid.clone_pvid = "00f6db0a9d4e5f60";
  for (const Policy& pin : {by_loc, by_pvid}) {
    CAPTURE(pin.clone_location);
    auto pre = running_71();
    replace(pre, res("lspv", "lspv-two-clones.txt"));
    replace(pre, res("lscfg", "lscfg-vl-hdisk-vscsi-three.txt"));
    PreflightExpect pex;
    pex.policy = pin;
    const Report p = judge_preflight(pre, pex);
    for (const Check& c : p.checks) CHECK_MESSAGE(c.status != CheckStatus::fail, c.id << ": " << c.detail);
    CHECK(p.pins.clone_disk == "hdisk2");
    CHECK(p.pins.clone_pvid == "00f6db0a9d4e5f60");
    CHECK(p.pins.clone_location == loc2);
    CHECK(check(p, "clone").detail.find("hdisk2") != std::string::npos);
    CHECK(check(p, "locations").detail.find("hdisk2 " + loc2) != std::string::npos);
    REQUIRE(!p.plan.empty());
    CHECK(p.plan.back().find("--clone-location " + loc2) != std::string::npos);

    auto post = clean_migration();
    replace(post, res("lspv", "lspv-two-clones.txt"));
    replace(post, res("lscfg", "lscfg-vl-hdisk-vscsi-three.txt"));
    VerifyExpect vex;
    vex.policy = pin;
    const Report v = judge_verify(post, vex);
    CHECK(check(v, "clone").status == CheckStatus::pass);
    CHECK(check(v, "clone").detail.find("hdisk2") != std::string::npos);
    CHECK(v.pins.clone_disk == "hdisk2");
    CHECK(v.pins.clone_location == loc2);
  }
  // A pin no clone matches: no clone is offered as the one to pin or to roll back to.
  auto pre = running_71();
  replace(pre, res("lspv", "lspv-two-clones.txt"));
  replace(pre, res("lscfg", "lscfg-vl-hdisk-vscsi-three.txt"));
  PreflightExpect none;
  none.policy.clone_pvid = "00f6db0aFFFFFFFF";
  const Report n = judge_preflight(pre, none);
  CHECK(check(n, "clone_pin").status == CheckStatus::fail);
  CHECK(n.pins.clone_disk.empty());
  for (const std::string& s : n.plan) CHECK(s.find("--plan rollback") == std::string::npos);
}
