// The session core on hand-fed screens: what it sends, when, and when it halts.
#include <doctest/doctest.h>

#include "vtpilot/session.hpp"

using namespace vtpilot;

namespace {

const char* kSmsHeader =
    "\x1b[2J\x1b[H PowerPC Firmware\r\n Version AL730_066\r\n"
    " SMS 1.7 (c) Copyright IBM Corp. 2000,2008 All rights reserved.\r\n"
    "-------------------------------------------------------------------------------\r\n";
const char* kSmsFooter =
    "\r\n -------------------------------------------------------------------------------\r\n"
    " Navigation keys:\r\n M = return to Main Menu\r\n"
    " ESC key = return to previous screen         X = eXit System Management Services\r\n"
    " -------------------------------------------------------------------------------\r\n"
    " Type menu item number and press Enter or select Navigation key:";

std::string sms(const std::string& body) { return kSmsHeader + body + kSmsFooter; }

const std::string kMain = sms(
    " Main Menu\r\n 1.   Select Language\r\n 2.   Setup Remote IPL (Initial Program Load)\r\n"
    " 3.   Change SCSI Settings\r\n 4.   Select Console\r\n 5.   Select Boot Options\r\n");

std::string device_type(bool power7) {
  return power7 ? sms(" Select Device Type\r\n 1.   Diskette\r\n 2.   Tape\r\n 3.   CD/DVD\r\n 4.   IDE\r\n"
                      " 5.   Hard Drive\r\n 6.   Network\r\n 7.   List all Devices\r\n")
                : sms(" Select Device Type\r\n 1.   Tape\r\n 2.   CD/DVD\r\n 3.   Hard Drive\r\n 4.   Network\r\n"
                      " 5.   List all Devices\r\n");
}

std::string device_list(bool two_cdroms) {
  std::string body =
      " Select Device\r\n Device  Current  Device\r\n Number  Position  Name\r\n"
      " 1.        -      Virtual Ethernet\r\n        ( loc=U9009.42A.78ABCDE-V7-C2-T1 )\r\n"
      " 2.        1      SCSI 51200 MB Harddisk (hdisk0)\r\n        ( loc=U9009.42A.78ABCDE-V7-C4-T1-L8100000000000000 )\r\n"
      " 3.        -      SCSI CD-ROM\r\n        ( loc=U9009.42A.78ABCDE-V7-C3-T1-L8200000000000000 )\r\n";
  if (two_cdroms) body += " 4.        -      SATA CD-ROM\r\n        ( loc=U78AB.001.WZSGFG5-P1-C7-T1-L1-L0 )\r\n";
  return sms(body);
}

std::string disks(bool clone_is_hdisk0, bool target_selected) {
  std::string r0 = clone_is_hdisk0 ? "hdisk0    none            51200     altinst_rootvg   Yes\r\n"
                                   : "hdisk0    none            51200     rootvg           Yes\r\n";
  std::string r1 = clone_is_hdisk0 ? "hdisk1    none            51200     rootvg           Yes\r\n"
                                   : "hdisk1    none            51200     altinst_rootvg   Yes\r\n";
  return std::string("\x1b[2J\x1b[H\r\n                  Change Disk(s) Where You Want to Install\r\n\r\n") +
         "Type one or more numbers for the disk(s) to be used for installation and press\r\n"
         "Enter.  To cancel a choice, type the corresponding number and press Enter.\r\n"
         "At least one bootable disk must be selected.  The current choice is indicated\r\nby >>>.\r\n\r\n"
         "        Name      Location Code   Size(MB)  VG Status        Bootable\r\n\r\n" +
         (target_selected ? ">>> 1  " : "    1  ") + r0 + "    2  " + r1 +
         "\r\n>>> 0  Continue with choices indicated above\r\n   55  More Disk Options\r\n"
         "   66  Devices not known to Base Operating System Installation\r\n"
         "   77  Display More Disk Information\r\n   88  Help ?\r\n   99  Previous Menu\r\n\r\n>>> Choice [0]: ";
}

std::string settings(const std::string& method, const std::string& disk) {
  return std::string("\x1b[2J\x1b[H\r\n                          Installation and Settings\r\n\r\n") +
         "Either type 0 and press Enter to install with current settings, or type the\r\n"
         "number of the setting you want to change and press Enter.\r\n\r\n    1  System Settings:\r\n"
         "         Method of Installation.............." + method + "\r\n         Disk Where You Want to Install......" +
         disk + "\r\n\r\n    2  Primary Language Environment Settings (AFTER Install):\r\n    3  Security Model\r\n"
         "    4  More Options\r\n>>> 0  Install with the current settings listed above.\r\n\r\n    88  Help ?\r\n"
         "    99  Previous Menu\r\n\r\n>>> Choice [0]: ";
}

const std::string kMethod =
    "\x1b[2J\x1b[H\r\n                        Change Method of Installation\r\n\r\n"
    "  Type the number of the installation method and press Enter.\r\n\r\n"
    ">>> 1 New and Complete Overwrite\r\n\r\n    2 Preservation Install\r\n\r\n    3 Migration Install\r\n\r\n"
    "    88  Help ?\r\n    99  Previous Menu\r\n\r\n>>> Choice [1]: ";

struct Harness {
  Plan plan;
  Session session;
  double t = 0;
  static Plan migrate() {
    Plan p;
    std::vector<SignatureError> e;
    REQUIRE(resolve_plan("migrate", Recognizer::builtin(), p, e));
    return p;
  }
  explicit Harness(EngineOptions o = {}, Policy pol = {}) : plan(migrate()), session(plan, Recognizer::builtin(), Guard(pol), o) {}
  // Feeds bytes, evaluates, returns the keys sent ("" if none).
  std::string feed(const std::string& bytes, double dt = 0.1) {
    t += dt;
    session.on_output(bytes, t);
    return step(0);
  }
  std::string step(double dt) {
    t += dt;
    session.evaluate(t);
    auto k = session.take_send();
    return k ? k->spend() : std::string();
  }
};

}  // namespace

TEST_CASE("session: SMS choices are resolved by label, whatever their number") {
  Harness h;
  CHECK(h.feed(kMain) == "5\r");
  CHECK(h.feed(device_type(true)) == "7\r");  // POWER7: List all Devices = 7
  Harness h8;
  CHECK(h8.feed(device_type(false)) == "5\r");  // POWER8+: List all Devices = 5
}

TEST_CASE("session: the install media is chosen by name among disks and adapters; two candidates halt") {
  Harness h;
  CHECK(h.feed(device_list(false)) == "3\r");
  Harness two;
  CHECK(two.feed(device_list(true)) == "");
  CHECK(two.session.outcome() == Outcome::halted);
  CHECK(two.session.exit_code() == 4);
  CHECK(two.session.outcome_text().find("more than one device") != std::string::npos);
  EngineOptions pinned;
  pinned.media_location = "U78AB.001.WZSGFG5-P1-C7-T1-L1-L0";
  Harness by_location(pinned);
  CHECK(by_location.feed(device_list(true)) == "4\r");
}

TEST_CASE("session: nothing is decided before the prompt is drawn") {
  Harness h;
  std::string screen = disks(false, false);
  std::string half = screen.substr(0, screen.find("    2  hdisk1"));  // clone row not drawn yet
  CHECK(h.feed(half) == "");
  CHECK(h.session.outcome() == Outcome::running);
  CHECK(h.feed(screen.substr(half.size())) == "1\r");
}

TEST_CASE("session: disk screen selects exactly the target, then continues") {
  Harness h;
  CHECK(h.feed(disks(false, false)) == "1\r");
  CHECK(h.feed(disks(false, true)) == "0\r");
}

TEST_CASE("session: the clone shown as hdisk0 is refused, exit 3, nothing sent") {
  Harness h;
  CHECK(h.feed(disks(true, false)) == "");
  CHECK(h.session.outcome() == Outcome::refused);
  CHECK(h.session.exit_code() == 3);
  bool refused = false;
  for (auto& e : h.session.take_events()) refused |= e.kind == SessionEvent::refuse;
  CHECK(refused);
}

TEST_CASE("session: no resend until the console reacts; then only the keys the screen proves missing") {
  EngineOptions o;
  o.confirm_timeout_s = 2;
  Harness h(o);
  CHECK(h.feed(kMain) == "5\r");
  CHECK(h.step(1.0) == "");  // still within the confirm time: nothing
  // The key arrived and echoed, Enter was dropped: the screen shows "5" typed at the prompt.
  CHECK(h.feed("5") == "");
  CHECK(h.step(2.0) == "\r");
  // Now everything was dropped: after the confirm time the full answer is sent again.
  Harness g(o);
  CHECK(g.feed(kMain) == "5\r");
  CHECK(g.step(2.5) == "5\r");
  CHECK(g.step(2.5) == "5\r");
  CHECK(g.step(2.5) == "5\r");
  CHECK(g.step(2.5) == "");  // bounded: halts after max_recoveries
  CHECK(g.session.exit_code() == 4);
}

TEST_CASE("session: a reaction ends the wait and the next screen is answered") {
  Harness h;
  CHECK(h.feed(kMain) == "5\r");
  CHECK(h.feed("5\r\n") == "");
  CHECK(h.feed(sms(" Multiboot\r\n 1.   Select Install/Boot Device\r\n 2.   Configure Boot Device Order\r\n"
                   " 3.   Multiboot Startup <OFF>\r\n 4.   SAN Zoning Support\r\n")) == "1\r");
}

TEST_CASE("session: an unknown screen with a prompt halts after a quiet grace period, sending nothing") {
  EngineOptions o;
  o.unknown_grace_s = 3;
  Harness h(o);
  CHECK(h.feed(sms(" NIC Adapters\r\n 1.   Interpartition Logical LAN      U9009.42A-V7-C2-T1\r\n")) == "");
  CHECK(h.step(1.0) == "");
  CHECK(h.session.outcome() == Outcome::running);
  CHECK(h.step(3.0) == "");
  CHECK(h.session.outcome() == Outcome::halted);
  CHECK(h.session.exit_code() == 4);
  CHECK(h.session.outcome_text().find("not one vtpilot knows") != std::string::npos);
}

TEST_CASE("session: a silent console times out with exit 4") {
  EngineOptions o;
  o.screen_timeout_s = 10;
  Harness h(o);
  CHECK(h.step(0) == "");
  REQUIRE(h.session.deadline());
  CHECK(*h.session.deadline() == doctest::Approx(10.0));
  CHECK(h.step(10.5) == "");
  CHECK(h.session.exit_code() == 4);
  CHECK(h.session.outcome_text().find("nothing changed") != std::string::npos);
}

TEST_CASE("session: endless output with no prompt still times out") {
  EngineOptions o;
  o.screen_timeout_s = 5;
  Harness h(o);
  for (int i = 0; i < 100 && h.session.outcome() == Outcome::running; ++i)
    h.feed("Installing fileset bos.rte " + std::to_string(i) + " ... done\r\n", 0.1);
  CHECK(h.session.exit_code() == 4);
}

TEST_CASE("session: the console closing mid-run is exit 5") {
  Harness h;
  h.feed(kMain);
  h.session.on_close(h.t, "end of file");
  CHECK(h.session.exit_code() == 5);
}

TEST_CASE("session: a screen outside the plan halts instead of guessing") {
  EngineOptions o;
  o.unknown_grace_s = 1;
  Harness h(o);
  CHECK(h.feed(sms(" Configure Boot Device Order\r\n 1.   Select 1st Boot Device\r\n 2.   Select 2nd Boot Device\r\n")) == "");
  CHECK(h.step(1.5) == "");
  CHECK(h.session.exit_code() == 4);
  CHECK(h.session.outcome_text().find("not part of plan") != std::string::npos);
}

TEST_CASE("session: the rollback plan boots the disk at the clone's location, wherever it is listed") {
  Plan plan;
  std::vector<SignatureError> e;
  REQUIRE(resolve_plan("rollback", Recognizer::builtin(), plan, e));
  Policy pol;
  pol.clone_location = "U9009.42A.78ABCDE-V7-C4-T1-L8100000000000000";
  Session s(plan, Recognizer::builtin(), Guard(pol), EngineOptions{});
  s.on_output(device_list(false), 1);
  s.evaluate(1);
  auto keys = s.take_send();
  REQUIRE(keys);
  CHECK(keys->spend() == "2\r");
  // Unpinned: halt and say how to pin it.
  Session unpinned(plan, Recognizer::builtin(), Guard(Policy{}), EngineOptions{});
  unpinned.on_output(device_list(false), 1);
  unpinned.evaluate(1);
  CHECK_FALSE(unpinned.take_send());
  CHECK(unpinned.exit_code() == 4);
  CHECK(unpinned.outcome_text().find("--clone-location") != std::string::npos);
}

TEST_CASE("session: the rollback plan never answers a BOS installer screen") {
  Plan plan;
  std::vector<SignatureError> e;
  REQUIRE(resolve_plan("rollback", Recognizer::builtin(), plan, e));
  EngineOptions o;
  o.unknown_grace_s = 1;
  Session s(plan, Recognizer::builtin(), Guard(Policy{}), o);
  s.on_output(disks(false, false), 1);
  s.evaluate(1);
  CHECK_FALSE(s.take_send());
  s.evaluate(2.5);
  CHECK(s.exit_code() == 4);
  CHECK(s.outcome_text().find("not part of plan `rollback`") != std::string::npos);
}

TEST_CASE("session: two signatures matching one screen halt (exit 4) naming both, nothing sent") {
  // A signature set where a login prompt fits two signatures: never a silent pick, and no key.
  Recognizer two;
  std::vector<SignatureError> errors;
  REQUIRE(two.add("a.toml", "id = \"aix.login\"\nall = ['(?m)login:\\s*\\z']\n", errors));
  REQUIRE(two.add("b.toml", "id = \"test.console_login\"\nall = ['Console login']\n", errors));
  REQUIRE(errors.empty());
  Plan plan = Harness::migrate();
  Session session(plan, two, Guard(Policy{}), EngineOptions{});
  session.on_output("\x1b[2J\x1b[HAIX Version 7\r\nConsole login: ", 1.0);
  session.evaluate(1.0);
  CHECK_FALSE(session.take_send().has_value());
  for (double t = 2; t < 30 && session.outcome() == Outcome::running; t += 1) {
    session.evaluate(t);
    CHECK_FALSE(session.take_send().has_value());
  }
  CHECK(session.outcome() == Outcome::halted);
  CHECK(session.exit_code() == 4);
  CHECK(session.outcome_text().find("aix.login") != std::string::npos);
  CHECK(session.outcome_text().find("test.console_login") != std::string::npos);
}

TEST_CASE("session: Migration offered by default is not ready until the disk screen verified the target (S1)") {
  Harness h;
  // BOS starts with Migration on hdisk0: the plan still goes System Settings -> Migration -> disks.
  CHECK(h.feed(settings("Migration Install", "hdisk0")) == "1\r");
  CHECK(h.feed(kMethod) == "3\r");
  CHECK(h.feed(disks(false, false)) == "1\r");
  CHECK(h.feed(disks(false, true)) == "0\r");  // exactly the target, clone unselected: verified
  CHECK(h.feed(settings("Migration Install", "hdisk0")) == "0\r");
  CHECK(h.session.outcome() == Outcome::running);
}

TEST_CASE("session: a later screen with another selection takes the verification away") {
  // An install screen naming another disk than the one verified.
  Harness h;
  CHECK(h.feed(disks(false, true)) == "0\r");
  CHECK(h.feed(settings("Migration Install", "hdisk1")) == "1\r");  // not ready: back to System Settings
  bool noted = false;
  for (auto& e : h.session.take_events()) noted |= e.kind == SessionEvent::note && e.code == "disk-unverified";
  CHECK(noted);
  CHECK(h.feed(settings("Migration Install", "hdisk0")) == "1\r");  // still not ready: verified again first
  // Keys on a later disk screen that do not continue with exactly the target (the operator's
  // Previous Menu) drop it too.
  EngineOptions step;
  step.operator_confirms = true;
  Harness s(step);
  s.feed(disks(false, true));
  REQUIRE(s.session.proposal());
  CHECK(s.session.accept(s.t).allow);
  s.session.take_send();
  s.feed(settings("Migration Install", "hdisk0"));
  REQUIRE(s.session.proposal());
  CHECK(s.session.proposal()->keys == "0\r");  // verified: ready to install
  CHECK(s.session.operator_keys("99\r", s.t).allow);  // back to Welcome
  s.session.take_send();
  s.feed(disks(false, true));
  CHECK(s.session.operator_keys("99\r", s.t).allow);  // leaves the disk screen without Continue
  s.session.take_send();
  s.feed(settings("Migration Install", "hdisk0"));
  REQUIRE(s.session.proposal());
  CHECK(s.session.proposal()->keys == "1\r");
}
