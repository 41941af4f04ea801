// The guard, rule by rule, on fixture screens (fixtures/guard/*.txt, fixtures/screens/bos.*).
#include <doctest/doctest.h>

#include <optional>
#include <type_traits>

#include "fixture_util.hpp"
#include "vtpilot/base/regex.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;

namespace {

struct Judged {
  Screen screen;
  Recognized rec;
};

Judged load(const std::string& rel) {
  Judged j;
  j.screen = render(normalize_capture(fixture::read(fixture::root() / rel)));
  j.rec = Recognizer::builtin().recognize(j.screen);
  return j;
}

Verdict v(const std::string& rel, const std::string& keys, const Policy& p = {}) {
  Judged j = load(rel);
  return judge(j.rec, j.screen, keys, p);
}

void ALLOWS(const std::string& rel, const std::string& keys, const Policy& p = {}) {
  Verdict r = v(rel, keys, p);
  INFO(rel, " keys ", keys);
  CHECK_MESSAGE(r.allow, r.code, ": ", r.reason);
}

void REFUSES(const std::string& rel, const std::string& keys, const std::string& want, const Policy& p = {}) {
  Verdict r = v(rel, keys, p);
  INFO(rel, " keys ", keys);
  CHECK(r.code == want);
}

// What a disk screen verifies, earned the only way there is: the guard allowing `keys` on it.
std::optional<VerifiedTarget> verified_on(const std::string& rel, const std::string& keys, const Policy& p = {}) {
  Judged j = load(rel);
  std::optional<VerifiedTarget> out;
  judge(j.rec, j.screen, keys, p, &out);
  return out;
}

// A policy carrying what this session verified on a disk screen.
Policy after_disks(const std::string& rel, const std::string& keys = "0\r", Policy p = {}) {
  p.verified_target = verified_on(rel, keys, p);
  REQUIRE(p.verified_target);
  return p;
}

// Layer 2 alone: a screen no signature knows, in step mode (the operator may answer it).
Verdict layer2_only(const std::string& rel, const std::string& keys) {
  Judged j = load(rel);
  REQUIRE_FALSE(j.rec.known());
  Policy operator_mode;
  operator_mode.allow_unknown_screen = true;
  return judge(j.rec, j.screen, keys, operator_mode);
}

}  // namespace

TEST_CASE("guard: fixtures are the screens they say") {
  CHECK(load("guard/disks-nothing-selected.txt").rec.id == "bos.disks");
  CHECK(load("guard/disks-levels.txt").rec.fields.disk_shape == DiskShape::levels);
  CHECK(load("guard/settings-overwrite.txt").rec.id == "bos.settings");
  CHECK(load("guard/method-renumbered-overwrite-default.txt").rec.id == "bos.method");
  CHECK(load("guard/unknown-title-with-overwrite.txt").rec.id.empty());
}

TEST_CASE("guard rule 1: Overwrite, Preservation and Start Install Now are never chosen, by number or by Enter") {
  REFUSES("screens/bos.welcome/sim-power7.raw", "1\r", "forbidden-method");
  REFUSES("screens/bos.welcome/sim-power7.raw", "\r", "forbidden-method");  // Enter = default = 1
  ALLOWS("screens/bos.welcome/sim-power7.raw", "2\r");
  // Renumbered, and Overwrite is the default.
  REFUSES("guard/method-renumbered-overwrite-default.txt", "3\r", "forbidden-method");
  REFUSES("guard/method-renumbered-overwrite-default.txt", "\r", "forbidden-method");
  REFUSES("guard/method-renumbered-overwrite-default.txt", "2\r", "forbidden-method");
  ALLOWS("guard/method-renumbered-overwrite-default.txt", "1\r");
  // Keys typed but not yet submitted are judged as what they will become.
  REFUSES("guard/method-renumbered-overwrite-default.txt", "3", "forbidden-method");
}

TEST_CASE("guard rule 3: Installation and Settings installs only a Migration onto exactly the target") {
  const Policy verified = after_disks("guard/disks-target-selected.txt");  // hdisk0, clone hdisk1 unselected
  REFUSES("guard/settings-overwrite.txt", "0\r", "forbidden-method", verified);
  REFUSES("guard/settings-overwrite.txt", "\r", "forbidden-method", verified);
  REFUSES("guard/settings-preservation.txt", "0\r", "forbidden-method", verified);
  ALLOWS("guard/settings-migration.txt", "0\r", verified);
  REFUSES("guard/settings-migration-clone-disk.txt", "0\r", "selection-not-exact", verified);
  ALLOWS("guard/settings-overwrite.txt", "1\r");  // System Settings: where the method is changed
}

TEST_CASE("guard rule 3: nothing installs unless this session verified the disk screen (S1)") {
  // "Migration, hdisk0" on Installation and Settings says nothing about which disk hdisk0 is, whether
  // the clone exists, or whether two rootvgs are in doubt: only the disk screen shows that.
  REFUSES("guard/settings-migration.txt", "0\r", "disk-not-verified");
  REFUSES("guard/settings-migration.txt", "\r", "disk-not-verified");
  REFUSES("guard/settings-migration-clone-disk.txt", "0\r", "disk-not-verified");
  REFUSES("screens/bos.summary/sim-summary.raw", "1\r", "disk-not-verified");
  REFUSES("screens/bos.migration_confirm/sim-power7.raw", "0\r", "disk-not-verified");
  REFUSES("screens/bos.migration_confirm/sim-power7.raw", "\r", "disk-not-verified");
  // Install Options shows neither the method nor the disk: never installs from there.
  REFUSES("screens/bos.more_options/install-options-migration.raw", "0\r", "settings-unknown",
          after_disks("guard/disks-target-selected.txt"));
  ALLOWS("guard/settings-migration.txt", "1\r");  // System Settings leads to the disk screen

  // Only Continue with exactly the target selected and the clone accounted for verifies.
  CHECK_FALSE(verified_on("guard/disks-nothing-selected.txt", "1\r"));  // allowed, but not continuing
  CHECK_FALSE(verified_on("guard/disks-nothing-selected.txt", "0\r"));  // refused
  CHECK_FALSE(verified_on("guard/disks-no-clone.txt", "0\r"));          // no rollback
  CHECK_FALSE(verified_on("guard/disks-two-rootvg.txt", "0\r"));        // ambiguous
  CHECK_FALSE(verified_on("guard/disks-swapped-clone-is-hdisk0.txt", "0\r"));
  CHECK_FALSE(verified_on("guard/disks-target-selected.txt", "77\r"));  // stays on the screen
  auto t = verified_on("guard/disks-target-selected.txt", "0\r");
  REQUIRE(t);
  CHECK(t->names() == std::vector<std::string>{"hdisk0"});
  CHECK(t->location() == "00-08-00-2,0");
  CHECK(verified_on("guard/disks-target-selected.txt", "\r"));  // Enter = Continue

  // The verified disk, and only it, is what installs: a pinned target renamed hdisk1 by booting
  // from media verifies hdisk1, and a settings screen naming hdisk0 is then refused.
  Policy pinned;
  pinned.target_location = "00-08-00-2,0";
  pinned.target_name = "hdisk1";  // what the session resolves the pin to on the disk screen
  auto swapped = verified_on("guard/disks-swapped-clone-is-hdisk0.txt", "2\r", pinned);
  CHECK_FALSE(swapped);  // selecting is not continuing
  Policy after_swap = after_disks("guard/disks-swapped-target-selected.txt", "0\r", pinned);
  CHECK(after_swap.verified_target->names() == std::vector<std::string>{"hdisk1"});
  REFUSES("guard/settings-migration.txt", "0\r", "selection-not-exact", after_swap);  // names hdisk0, the clone
  ALLOWS("guard/settings-migration-clone-disk.txt", "0\r", after_swap);             // names hdisk1, verified
  Policy verified = after_disks("guard/disks-target-selected.txt");
  ALLOWS("screens/bos.summary/sim-summary.raw", "1\r", verified);
  ALLOWS("screens/bos.migration_confirm/sim-power7.raw", "0\r", verified);
  ALLOWS("guard/settings-migration.txt", "0\r", verified);
  // The levels shape verifies the row chosen.
  Policy lv;
  lv.target_location = "U8231.E2B.06DAFDP-V6-C2-T1-L8100000000000000";
  lv.clone_location = "U8231.E2B.06DAFDP-V6-C2-T1-L8200000000000000";
  auto lt = verified_on("guard/disks-levels.txt", "1\r", lv);
  REQUIRE(lt);
  CHECK(lt->names() == std::vector<std::string>{"hdisk0"});
  // Nothing outside the guard can make a VerifiedTarget.
  static_assert(!std::is_default_constructible_v<VerifiedTarget>);
}

TEST_CASE("guard rule 2: the disk screen selects only the target, never the clone") {
  ALLOWS("guard/disks-nothing-selected.txt", "1\r");
  REFUSES("guard/disks-nothing-selected.txt", "2\r", "altinst-disk");
  REFUSES("guard/disks-nothing-selected.txt", "0\r", "selection-not-exact");
  ALLOWS("guard/disks-target-selected.txt", "0\r");
  ALLOWS("guard/disks-target-selected.txt", "\r");  // Enter = Continue, the default
  REFUSES("guard/disks-target-selected.txt", "2\r", "altinst-disk");
  REFUSES("guard/disks-target-selected.txt", "1 2\r", "altinst-disk");  // several numbers at once
  // Both selected: continuing is refused (layer 2 already: the clone is selected); deselecting
  // the clone (typing its number) is allowed.
  REFUSES("guard/disks-both-selected.txt", "0\r", "altinst-disk");
  ALLOWS("guard/disks-both-selected.txt", "2\r");
  ALLOWS("guard/disks-clone-selected.txt", "2\r");
  REFUSES("guard/disks-clone-selected.txt", "\r", "altinst-disk");
  // Three disks and long location codes that continue on the next line.
  REFUSES("guard/disks-three.txt", "3\r", "non-target-disk");
  ALLOWS("guard/disks-three.txt", "0\r");
  REFUSES("screens/bos.disks/vgstatus-three-disks-long-location.raw", "2\r", "altinst-disk");
  ALLOWS("screens/bos.disks/vgstatus-three-disks-long-location.raw", "0\r");
}

TEST_CASE("guard: disks renumbered by booting from media, a pinned identity outranks the name") {
  // hdisk0 is now the clone: the name alone is refused.
  REFUSES("guard/disks-swapped-clone-is-hdisk0.txt", "1\r", "altinst-disk");
  REFUSES("guard/disks-swapped-clone-is-hdisk0.txt", "2\r", "non-target-disk");
  Policy pinned;
  pinned.target_location = "00-08-00-2,0";  // the real rootvg, now named hdisk1
  ALLOWS("guard/disks-swapped-clone-is-hdisk0.txt", "2\r", pinned);
  REFUSES("guard/disks-swapped-clone-is-hdisk0.txt", "1\r", "altinst-disk", pinned);
  // A pinned PVID that this view does not show: halt and say how to show it, never fall back to the name.
  Policy pvid;
  pvid.target_pvid = "00c8d3e4a1b2c3d4";
  Verdict shown = v("guard/disks-nothing-selected.txt", "1\r", pvid);
  CHECK(shown.code == "identity-not-shown");
  CHECK(shown.reason.find("77") != std::string::npos);
}

TEST_CASE("guard: the rollback clone must be accounted for, two root VGs are never a guess") {
  REFUSES("guard/disks-no-clone.txt", "0\r", "no-rollback-disk");
  Policy no_rollback;
  no_rollback.rollback_required = false;
  ALLOWS("guard/disks-no-clone.txt", "0\r", no_rollback);
  // The clone shown as a second rootvg: refused until the policy pins them.
  REFUSES("guard/disks-two-rootvg.txt", "0\r", "ambiguous-rootvg");
  REFUSES("guard/disks-two-rootvg.txt", "2\r", "ambiguous-rootvg");
  Verdict amb = v("guard/disks-two-rootvg.txt", "0\r");
  CHECK(amb.reason.find("--target-location") != std::string::npos);
  Policy pins;
  pins.target_location = "00-08-00-2,0";
  pins.clone_location = "00-08-00-3,0";
  ALLOWS("guard/disks-two-rootvg.txt", "0\r", pins);
  REFUSES("guard/disks-two-rootvg.txt", "2\r", "altinst-disk", pins);
  // The single-select list of root VGs by Level.
  REFUSES("guard/disks-levels.txt", "1\r", "ambiguous-rootvg");
  REFUSES("guard/disks-levels.txt", "\r", "ambiguous-rootvg");
  Policy lv;
  lv.target_location = "U8231.E2B.06DAFDP-V6-C2-T1-L8100000000000000";
  lv.clone_location = "U8231.E2B.06DAFDP-V6-C2-T1-L8200000000000000";
  ALLOWS("guard/disks-levels.txt", "1\r", lv);
  REFUSES("guard/disks-levels.txt", "2\r", "altinst-disk", lv);
  Policy target_only;
  target_only.target_location = lv.target_location;
  REFUSES("guard/disks-levels.txt", "1\r", "no-rollback-disk", target_only);
}

TEST_CASE("guard layer 2 alone refuses forbidden items on a screen no signature recognizes") {
  Judged j = load("guard/unknown-title-with-overwrite.txt");
  REQUIRE_FALSE(j.rec.known());
  Policy operator_mode;  // step mode lets the operator answer unknown screens; layer 2 still judges
  operator_mode.allow_unknown_screen = true;
  CHECK(judge(j.rec, j.screen, "1\r", operator_mode).allow);
  for (const char* k : {"2\r", "\r", "3\r", "4\r", "5\r"}) {
    Verdict r = judge(j.rec, j.screen, k, operator_mode);
    CAPTURE(k);
    CHECK_FALSE(r.allow);
    CHECK(r.layer == 2);
  }
  // Layer 2 wins even when a wrong signature calls the screen harmless.
  Recognized lie = j.rec;
  lie.id = "sms.main";
  CHECK(judge(lie, j.screen, "2\r", Policy{}).layer == 2);
  // Unattended, the unknown screen itself is refused.
  CHECK(judge(j.rec, j.screen, "1\r", Policy{}).code == "unknown-screen");
}

TEST_CASE("guard: plans add rules, never remove them") {
  Policy stricter;
  stricter.extra_forbidden_labels = {"Maintenance Mode"};
  REFUSES("screens/bos.welcome/sim-power7.raw", "3\r", "plan-forbidden", stricter);
  REFUSES("screens/bos.welcome/sim-power7.raw", "1\r", "forbidden-method", stricter);
}

TEST_CASE("guard layer 2 alone reads a disk row whose VG Status wrapped onto the next line (S2)") {
  // lpar-sim's long location codes put Size / VG Status / Bootable on an indented second line.
  Verdict r = layer2_only("guard/unknown-title-long-location-clone.txt", "2\r");
  CHECK_FALSE(r.allow);
  CHECK(r.layer == 2);
  CHECK(r.code == "altinst-disk");
  CHECK(layer2_only("guard/unknown-title-long-location-clone.txt", "3\r").allow);   // datavg: layer 2 has no say
  CHECK(layer2_only("guard/unknown-title-long-location-clone.txt", "0\r").allow);   // the clone is not selected
  CHECK(layer2_only("guard/unknown-title-long-location-clone.txt", "1\r").allow);   // deselects hdisk0
  // The settings screen's "Method ... New and Complete Overwrite" under "1 System Settings" is
  // not item 1's label: System Settings stays allowed.
  ALLOWS("guard/settings-overwrite.txt", "1\r");
}

TEST_CASE("guard: text already typed on the prompt line is what the console submits with the keys (S3)") {
  // Change Method, default 1 (Migration), "3" (New and Complete Overwrite) typed after the prompt:
  // Enter submits "3".
  REFUSES("guard/method-typed-overwrite.txt", "\r", "forbidden-method");
  Judged j = load("guard/method-typed-overwrite.txt");
  REQUIRE(j.rec.id == "bos.method");
  CHECK(j.rec.fields.typed == "3");
  CHECK(judge(j.rec, j.screen, "\r", Policy{}).layer == 2);  // layer 2 reads the prompt line itself
  // "1\r" submits "31": not an item, refused; never judged as the Migration it looks like.
  REFUSES("guard/method-typed-overwrite.txt", "1\r", "no-such-item");
  // Only a prompt at the cursor has its text in front of the keys.
  Screen moved = j.screen;
  moved.cursor_row = 0;
  CHECK(judge(j.rec, moved, "1\r", Policy{}).allow);
  // The welcome screen with "2" typed: Enter submits 2 (Change/Show), "1\r" submits 21.
  ALLOWS("screens/bos.welcome/start-now-default-typed2.raw", "\r");
  REFUSES("screens/bos.welcome/start-now-default-typed2.raw", "1\r", "no-such-item");
  // Recovery after a dropped Enter sends only "\r": judged as the whole "0\r" the screen shows.
  Policy verified = after_disks("guard/disks-target-selected.txt");
  std::string bytes = fixture::read(fixture::root() / "guard/settings-migration.txt") + "0";
  Screen typed0 = render(normalize_capture(bytes));
  Recognized r0 = Recognizer::builtin().recognize(typed0);
  REQUIRE(r0.fields.typed == "0");
  CHECK(judge(r0, typed0, "\r", verified).allow);
  CHECK(judge(r0, typed0, "\r", Policy{}).code == "disk-not-verified");
}

TEST_CASE("guard: keys are judged as the number a menu reads, and digits stuck to other characters (S4)") {
  // Leading zeros: 03 and 003 are 3, New and Complete Overwrite on the sim's method screen.
  for (const char* k : {"01\r", "001\r", "01", "02\r"}) REFUSES("screens/bos.method/sim-power7.raw", k, "forbidden-method");
  ALLOWS("screens/bos.method/sim-power7.raw", "3\r");
  ALLOWS("screens/bos.method/sim-power7.raw", "03\r");  // Migration Install, however written
  REFUSES("guard/method-renumbered-overwrite-default.txt", "03\r", "forbidden-method");
  REFUSES("guard/method-renumbered-overwrite-default.txt", "003\r", "forbidden-method");
  REFUSES("guard/disks-nothing-selected.txt", "02\r", "altinst-disk");
  // Layer 2 alone, on an unrecognized screen: "2." "2x" "2<Tab>" carry 2 (Overwrite).
  for (const char* k : {"2.\r", "2x\r", "2\t\r", "x2\r", "02\r", "4.\r", "5x", "1\r2\r", "1\r\r", "3\x7f" "2\r"}) {
    CAPTURE(k);
    Verdict r = layer2_only("guard/unknown-title-with-overwrite.txt", k);
    CHECK_FALSE(r.allow);
    CHECK(r.layer == 2);
  }
  CHECK(layer2_only("guard/unknown-title-with-overwrite.txt", "1\r").allow);
  CHECK(layer2_only("guard/unknown-title-with-overwrite.txt", "1x\r").allow);  // 1 is harmless
  // Layer 1 refuses words on install menus anyway.
  REFUSES("screens/bos.method/sim-power7.raw", "3.\r", "unparsed-keys");
}

TEST_CASE("guard: on the disk screen a selected row is never the default, Enter continues (S5)") {
  // No [N] in the prompt: >>> on a disk row is a selection. Enter is Continue with the clone selected.
  Judged j = load("guard/disks-no-default-clone-selected.txt");
  REQUIRE(j.rec.id == "bos.disks");
  CHECK(default_key(j.rec.fields) == "0");
  Verdict r = judge(j.rec, j.screen, "\r", Policy{});
  CHECK_FALSE(r.allow);
  CHECK(r.code == "altinst-disk");
  REFUSES("guard/disks-no-default-clone-selected.txt", "0\r", "altinst-disk");
  ALLOWS("guard/disks-no-default-clone-selected.txt", "2\r");  // deselecting the clone
  // Layer 1 alone says the same (a screen whose clone row layer 2 cannot read).
  Recognized rec = j.rec;
  Screen blank = j.screen;
  for (auto& l : blank.lines) l.clear();
  blank.lines[0] = ">>> Choice: ";
  blank.cursor_row = 0;
  blank.cursor_col = 12;
  Verdict l1 = judge(rec, blank, "\r", Policy{});
  CHECK_FALSE(l1.allow);
  CHECK(l1.layer == 1);
  CHECK(l1.code == "selection-not-exact");
  // With the target selected, Enter continues and verifies the target.
  ALLOWS("guard/disks-no-default-target-selected.txt", "\r");
  CHECK(verified_on("guard/disks-no-default-target-selected.txt", "\r"));
}

TEST_CASE("guard: keys reach a console only as an Approved, made by the guard, spent once") {
  static_assert(!std::is_constructible_v<Approved, std::string, std::uint64_t>);
  static_assert(!std::is_copy_constructible_v<Approved>);
  static_assert(!std::is_default_constructible_v<Approved>);
  Judged j = load("guard/disks-target-selected.txt");
  Guard guard{Policy{}};
  auto ok = guard.approve(j.rec, j.screen, "0\r");
  REQUIRE(std::holds_alternative<Approved>(ok));
  CHECK(std::get<Approved>(ok).spend() == "0\r");
  auto no = guard.approve(j.rec, j.screen, "2\r");
  REQUIRE(std::holds_alternative<Verdict>(no));
  CHECK(std::get<Verdict>(no).code == "altinst-disk");
}

TEST_CASE("guard: one line per send, on every screen (review find: 1 Enter Enter Enter from the console screen)") {
  // "1\r\r\r" on Set Console: the later Enters answer language and then Welcome, whose default
  // is Start Install Now with Default Settings; no screen on display can judge them.
  ALLOWS("screens/bos.console/sim-power7.raw", "1\r");
  for (const char* k : {"1\r\r\r", "1\r\r", "1\r1", "\r\r"}) {
    REFUSES("screens/bos.console/sim-power7.raw", k, "several-lines");
    REFUSES("screens/bos.media_swap/sim-summary.raw", k, "several-lines");
    REFUSES("screens/sms.main/sim-power7.raw", k, "several-lines");
    CHECK(layer2_only("guard/unknown-title-with-overwrite.txt", k).code == "several-lines");
  }
  REFUSES("screens/aix.shell/sim-banner.raw", "lspv\roslevel -s\r", "several-lines");
  ALLOWS("screens/aix.shell/sim-banner.raw", "lspv\r");
  ALLOWS("screens/bos.console/sim-power7.raw", "1\r\n");  // CR LF is one Enter
}

TEST_CASE("guard: a line of blanks, tabs or commas is Enter alone, which chooses the default") {
  // A menu that trims its input (BOS reads with ksh, lpar-sim trims " \t") submits the default.
  for (const char* k : {" \r", ",\r", "\t\r", " \t \r", ", ,\r"}) {
    REFUSES("guard/method-renumbered-overwrite-default.txt", k, "forbidden-method");
    REFUSES("screens/bos.welcome/sim-power7.raw", k, "forbidden-method");
    Verdict r = layer2_only("guard/unknown-title-with-overwrite.txt", k);
    CAPTURE(k);
    CHECK(r.code == "forbidden-method");
    CHECK(r.layer == 2);
  }
  ALLOWS("screens/bos.method/sim-power7.raw", " 3\r");  // Migration Install, with a blank in front
}

TEST_CASE("guard layer 2: Continue glued to other characters while the clone is selected is refused") {
  // The disk screen with the clone selected (>>>), under a title no signature knows: "0." or
  // "0x" may be read as 0, Continue, which installs on the clone.
  for (const char* k : {"0\r", "0.\r", "0x\r", "\r", "00\r"}) {
    Verdict r = layer2_only("guard/unknown-title-clone-selected.txt", k);
    CAPTURE(k);
    CHECK_FALSE(r.allow);
    CHECK(r.code == "altinst-disk");
    CHECK(r.layer == 2);
  }
  CHECK(layer2_only("guard/unknown-title-clone-selected.txt", "2\r").allow);  // deselecting the clone
}

// IBM's own disk screen for migration and preservation (fixtures/guard/SOURCES.md): BosMenus.h
// ChgRootVG's title and heading, the rows of a migration from AIX 7.2 TL5 media.
TEST_CASE("IBM's levels disk screen: recognized, parsed, and read the same in every variant") {
  Judged j = load("guard/disks-levels-ibm-72tl5.txt");
  CHECK(j.rec.id == "bos.disks");
  CHECK(j.rec.fields.title == "Change Disks Where You Want to Install");
  CHECK(j.rec.fields.disk_shape == DiskShape::levels);
  REQUIRE(j.rec.fields.disks.size() == 2);
  const Disk& a = j.rec.fields.disks[0];
  const Disk& b = j.rec.fields.disks[1];
  CHECK(a.key == "1");
  CHECK(a.name == "hdisk0");
  CHECK(a.level == "7.1");
  CHECK(a.location.empty());  // `none`
  CHECK(a.size_mb == 20480);
  CHECK(b.name == "hdisk3");
  CHECK(b.size_mb == 51200);
  CHECK_FALSE(j.rec.fields.prompt_default);  // Choice []
  // The 77 view: PVIDs where the location was.
  Judged p = load("guard/disks-levels-ibm-72tl5-pvids.txt");
  CHECK(p.rec.id == "bos.disks");
  REQUIRE(p.rec.fields.disks.size() == 2);
  CHECK(p.rec.fields.disks[0].pvid == "00f6db0a2c1d4e5f");
  CHECK(p.rec.fields.disks[0].name == "hdisk0");
  CHECK(p.rec.fields.disks[1].pvid == "00f6db0a3e7a9b01");
  // Title scrolled off, blanks collapsed.
  Judged s = load("guard/disks-levels-ibm-title-scrolled.txt");
  CHECK(s.rec.id == "bos.disks");
  REQUIRE(s.rec.fields.disks.size() == 2);
  CHECK(s.rec.fields.disks[1].name == "hdisk3");
  CHECK(s.rec.fields.disks[1].size_mb == 51200);
  // A root VG on two disks (unnumbered row under it), sizes on indented lines.
  Judged w = load("guard/disks-levels-ibm-two-disk-rootvg-wrapped.txt");
  CHECK(w.rec.id == "bos.disks");
  REQUIRE(w.rec.fields.disks.size() == 2);
  CHECK(w.rec.fields.disks[0].name == "hdisk0 hdisk1");
  CHECK(w.rec.fields.disks[0].location == "U8247.42L.21271DA-V3-C2-T1-L8100000000000000");
  CHECK(w.rec.fields.disks[0].size_mb == 20480);
  CHECK(w.rec.fields.disks[1].name == "hdisk3");
  CHECK(w.rec.fields.disks[1].location == "U8247.42L.21271DA-V3-C2-T1-L8200000000000000");
}

TEST_CASE("IBM's levels disk screen: two 7.1 root VGs are never a guess, a pinned PVID decides") {
  const std::string loc = "guard/disks-levels-ibm-72tl5.txt", pv = "guard/disks-levels-ibm-72tl5-pvids.txt";
  // No pin: both rows refused, and the refusal says which lines would pin them.
  for (const char* k : {"1\r", "2\r"}) {
    REFUSES(loc, k, "ambiguous-rootvg");
    REFUSES(pv, k, "ambiguous-rootvg");
  }
  REFUSES(loc, "\r", "no-default");  // Choice []: Enter chooses nothing
  Verdict amb = v(pv, "1\r");
  CHECK(amb.reason.find("--target-pvid") != std::string::npos);
  CHECK(amb.reason.find("vtpilot preflight") != std::string::npos);
  CHECK(amb.reason.find("target = { disk = \"hdisk0\", pvid =") != std::string::npos);
  CHECK(amb.reason.find("1 hdisk0 PVID 00f6db0a2c1d4e5f") != std::string::npos);  // what the 77 view shows
  CHECK(v(loc, "1\r").reason.find("77") != std::string::npos);
  // Pinned by PVID (target and clone, as preflight prints them): on the 77 view the row decides.
  Policy pins;
  pins.target_pvid = "00f6db0a2c1d4e5f";
  pins.clone_pvid = "00f6db0a3e7a9b01";
  ALLOWS(pv, "1\r", pins);
  REFUSES(pv, "2\r", "altinst-disk", pins);
  auto t = verified_on(pv, "1\r", pins);
  REQUIRE(t);
  CHECK(t->names() == std::vector<std::string>{"hdisk0"});
  CHECK(t->pvid() == "00f6db0a2c1d4e5f");
  // The same pins, swapped disks: the PVID decides, never the name.
  Policy swapped = pins;
  std::swap(swapped.target_pvid, swapped.clone_pvid);
  ALLOWS(pv, "2\r", swapped);
  REFUSES(pv, "1\r", "altinst-disk", swapped);
  // The location view (`none`) shows no PVIDs: the pin cannot be checked there.
  REFUSES(loc, "1\r", "identity-not-shown", pins);
  // A pin that matches neither row.
  Policy neither = pins;
  neither.target_pvid = "00f6db0a00000000";
  REFUSES(pv, "1\r", "non-target-disk", neither);
  REFUSES(pv, "2\r", "altinst-disk", neither);
}

TEST_CASE("IBM's levels disk screen: the PVIDs seen on the 77 view judge the location view") {
  const std::string loc = "guard/disks-levels-ibm-72tl5.txt", pv = "guard/disks-levels-ibm-72tl5-pvids.txt";
  Policy pins;
  pins.target_pvid = "00f6db0a2c1d4e5f";
  pins.clone_pvid = "00f6db0a3e7a9b01";
  for (const Disk& d : load(pv).rec.fields.disks) pins.seen_pvids.push_back({d.name, d.level, d.size_mb, d.pvid});
  ALLOWS(loc, "1\r", pins);
  REFUSES(loc, "2\r", "altinst-disk", pins);
  auto t = verified_on(loc, "1\r", pins);
  REQUIRE(t);
  CHECK(t->pvid() == "00f6db0a2c1d4e5f");
  // Seen disks that are not these rows (another size): nothing carries over.
  Policy other = pins;
  other.seen_pvids[1].size_mb = 30720;
  REFUSES(loc, "1\r", "identity-not-shown", other);
  // What was seen never outranks what a screen shows: the 77 view itself still decides there.
  Policy stale = pins;
  std::swap(stale.seen_pvids[0].pvid, stale.seen_pvids[1].pvid);
  ALLOWS(pv, "1\r", stale);
  REFUSES(loc, "1\r", "altinst-disk", stale);  // and a seen PVID is believed only for its own row
}

TEST_CASE("IBM's levels disk screen: a pinned size counts only when no other root VG has it") {
  Policy size;
  size.target_size_mb = 20480;
  size.clone_pvid = "00f6db0a3e7a9b01";
  // 20480 and 51200: the size tells them apart (and the clone is pinned on the 77 view).
  ALLOWS("guard/disks-levels-ibm-72tl5-pvids.txt", "1\r", size);
  REFUSES("guard/disks-levels-ibm-72tl5-pvids.txt", "2\r", "altinst-disk", size);
  Policy size_only;
  size_only.target_size_mb = 20480;
  REFUSES("guard/disks-levels-ibm-72tl5.txt", "2\r", "non-target-disk", size_only);
  REFUSES("guard/disks-levels-ibm-72tl5.txt", "1\r", "no-rollback-disk", size_only);  // the clone still unaccounted
  // Both at 20480: the size tells nothing.
  REFUSES("guard/disks-levels-ibm-same-size.txt", "1\r", "ambiguous-rootvg", size_only);
  REFUSES("guard/disks-levels-ibm-same-size.txt", "2\r", "ambiguous-rootvg", size_only);
}

TEST_CASE("IBM's levels disk screen: a root VG on two disks is chosen and verified whole") {
  Policy pins;
  pins.target_location = "U8247.42L.21271DA-V3-C2-T1-L8100000000000000";
  pins.clone_location = "U8247.42L.21271DA-V3-C2-T1-L8200000000000000";
  const std::string w = "guard/disks-levels-ibm-two-disk-rootvg-wrapped.txt";
  REFUSES(w, "1\r", "ambiguous-rootvg");
  ALLOWS(w, "1\r", pins);
  REFUSES(w, "2\r", "altinst-disk", pins);
  auto t = verified_on(w, "1\r", pins);
  REQUIRE(t);
  CHECK(t->names() == std::vector<std::string>{"hdisk0", "hdisk1"});
}

TEST_CASE("guard: one rule compares disk names, and two empty lists are not the same disks") {
  // The guard's install check, the session's "settings-ready" and verification_lost all ask
  // same_disk_names. An empty list is a screen that shows no disk (or a verification without
  // names): it proves nothing about where the install goes, so it never equals anything.
  CHECK_FALSE(same_disk_names({}, {}));
  CHECK_FALSE(same_disk_names({"hdisk0"}, {}));
  CHECK_FALSE(same_disk_names({}, {"hdisk0"}));
  CHECK(same_disk_names({"hdisk1", "hdisk0"}, {"hdisk0", "hdisk1"}));
  CHECK_FALSE(same_disk_names({"hdisk0"}, {"hdisk0", "hdisk1"}));

  // A disk screen that shows nothing selected takes the verification away.
  const Policy verified = after_disks("guard/disks-target-selected.txt");
  Judged nothing = load("guard/disks-nothing-selected.txt");
  REQUIRE(nothing.rec.fields.disk_shape == DiskShape::vgstatus);
  CHECK(verification_lost(nothing.rec, *verified.verified_target));
  CHECK_FALSE(verification_lost(load("guard/disks-target-selected.txt").rec, *verified.verified_target));
  // An install screen that names no disk cannot confirm the verified one: Installation and
  // Settings is refused, whatever the verification says.
  Judged settings = load("guard/settings-migration.txt");
  REQUIRE(settings.rec.fields.settings);
  settings.rec.fields.settings->disks.clear();
  CHECK(judge(settings.rec, settings.screen, "0\r", verified).code == "selection-not-exact");
}

TEST_CASE("guard: a plan's forbidden labels are compiled once, not at every judgement") {
  Policy stricter;
  stricter.extra_forbidden_labels = std::vector<std::string>{"Maintenance Mode", "Help\\s+\\?"};
  CHECK(stricter.extra_forbidden_labels.patterns().size() == 2);
  const Judged j = load("screens/bos.welcome/sim-power7.raw");
  // The first judgements compile the guard's own patterns (function statics, once a process).
  for (const char* keys : {"3\r", "88\r", "2\r"}) judge(j.rec, j.screen, keys, stricter);
  const std::size_t before = Regex::compiled_count();
  for (int i = 0; i < 10; ++i) {
    CHECK(judge(j.rec, j.screen, "3\r", stricter).code == "plan-forbidden");
    CHECK(judge(j.rec, j.screen, "88\r", stricter).code == "plan-forbidden");
    CHECK(judge(j.rec, j.screen, "2\r", stricter).allow);
  }
  // The session copies its Policy whenever the verification changes: the copies share them.
  const Policy copy = stricter;
  CHECK(judge(j.rec, j.screen, "3\r", copy).code == "plan-forbidden");
  CHECK(Regex::compiled_count() == before);
  // A pattern that does not compile matches nothing (the plan's loader reports it, file:line),
  // and takes nothing away from the others or from rule 1.
  Policy broken;
  broken.extra_forbidden_labels = {"(unclosed", "Maintenance Mode"};
  CHECK(judge(j.rec, j.screen, "3\r", broken).code == "plan-forbidden");
  CHECK(judge(j.rec, j.screen, "1\r", broken).code == "forbidden-method");
  CHECK(judge(j.rec, j.screen, "2\r", broken).allow);
}
