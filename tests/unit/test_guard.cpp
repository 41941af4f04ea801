// The guard, rule by rule, on fixture screens (fixtures/guard/*.txt, fixtures/screens/bos.*).
#include <doctest/doctest.h>

#include <type_traits>

#include "fixture_util.hpp"
#include "vtpilot/guard.hpp"
#include "vtpilot/recognizer.hpp"
#include "vtpilot/screen.hpp"

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

}  // namespace

TEST_CASE("guard: fixtures are the screens they say") {
  CHECK(load("guard/disks-nothing-selected.txt").rec.id == "bos.disks");
  CHECK(load("guard/disks-levels.txt").rec.fields.disk_shape == DiskShape::levels);
  CHECK(load("guard/settings-overwrite.txt").rec.id == "bos.settings");
  CHECK(load("guard/method-renumbered-overwrite-default.txt").rec.id == "bos.method");
  CHECK(load("guard/unknown-title-with-overwrite.txt").rec.id.empty());
}

TEST_CASE("guard rule 1: Overwrite, Preservation and Start Install Now are never chosen, by number or by Enter") {
  REFUSES("screens/bos.welcome/start-now-default-typed2.raw", "1\r", "forbidden-method");
  REFUSES("screens/bos.welcome/start-now-default-typed2.raw", "\r", "forbidden-method");  // Enter = default = 1
  ALLOWS("screens/bos.welcome/start-now-default-typed2.raw", "2\r");
  // Renumbered, and Overwrite is the default.
  REFUSES("guard/method-renumbered-overwrite-default.txt", "3\r", "forbidden-method");
  REFUSES("guard/method-renumbered-overwrite-default.txt", "\r", "forbidden-method");
  REFUSES("guard/method-renumbered-overwrite-default.txt", "2\r", "forbidden-method");
  ALLOWS("guard/method-renumbered-overwrite-default.txt", "1\r");
  // Keys typed but not yet submitted are judged as what they will become.
  REFUSES("guard/method-renumbered-overwrite-default.txt", "3", "forbidden-method");
}

TEST_CASE("guard rule 3: Installation and Settings installs only a Migration onto exactly the target") {
  REFUSES("guard/settings-overwrite.txt", "0\r", "forbidden-method");
  REFUSES("guard/settings-overwrite.txt", "\r", "forbidden-method");
  REFUSES("guard/settings-preservation.txt", "0\r", "forbidden-method");
  ALLOWS("guard/settings-migration.txt", "0\r");
  REFUSES("guard/settings-migration-clone-disk.txt", "0\r", "selection-not-exact");
  ALLOWS("guard/settings-overwrite.txt", "1\r");  // System Settings: where the method is changed
}

TEST_CASE("guard rule 2: the disk screen selects only the target, never the clone") {
  ALLOWS("guard/disks-nothing-selected.txt", "1\r");
  REFUSES("guard/disks-nothing-selected.txt", "2\r", "altinst-disk");
  REFUSES("guard/disks-nothing-selected.txt", "0\r", "selection-not-exact");
  ALLOWS("guard/disks-target-selected.txt", "0\r");
  ALLOWS("guard/disks-target-selected.txt", "\r");  // Enter = Continue, the default
  REFUSES("guard/disks-target-selected.txt", "2\r", "altinst-disk");
  REFUSES("guard/disks-target-selected.txt", "1 2\r", "altinst-disk");  // several numbers at once
  // Both selected: continuing is refused; deselecting the clone (typing its number) is allowed.
  REFUSES("guard/disks-both-selected.txt", "0\r", "selection-not-exact");
  ALLOWS("guard/disks-both-selected.txt", "2\r");
  ALLOWS("guard/disks-clone-selected.txt", "2\r");
  REFUSES("guard/disks-clone-selected.txt", "\r", "selection-not-exact");
  // Three disks and long location codes that continue on the next line.
  REFUSES("guard/disks-three.txt", "3\r", "non-target-disk");
  ALLOWS("guard/disks-three.txt", "0\r");
  REFUSES("screens/bos.disks/vgstatus-three-disks-long-location.raw", "2\r", "altinst-disk");
  ALLOWS("screens/bos.disks/vgstatus-three-disks-long-location.raw", "0\r");
}

TEST_CASE("guard: disks renumbered by booting from media; a pinned identity outranks the name") {
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

TEST_CASE("guard: the rollback clone must be accounted for; two root VGs are never a guess") {
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
  REFUSES("screens/bos.welcome/start-now-default-typed2.raw", "3\r", "plan-forbidden", stricter);
  REFUSES("screens/bos.welcome/start-now-default-typed2.raw", "1\r", "forbidden-method", stricter);
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
