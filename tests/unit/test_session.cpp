// The session core on hand-fed screens: what it sends, when, and when it halts.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "vtpilot/engine/session.hpp"
#include "vtpilot/term/terminal.hpp"

#include "fixture_util.hpp"

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
    return k ? k->keys.spend() : std::string();
  }
  // Feeds a screen and plays an echoing console: the text the session sends first is echoed
  // at the prompt, which is what lets its held Enter go. Returns all the keys sent ("5\r").
  std::string answer(const std::string& bytes, double dt = 0.1) {
    std::string keys = feed(bytes, dt);
    if (!keys.empty() && keys.back() != '\r') keys += feed(keys);
    return keys;
  }
};

const std::string kWelcome =
    "\x1b[2J\x1b[H\r\n                      Welcome to Base Operating System\r\n"
    "                      Installation and Maintenance\r\n\r\n"
    "Type the number of your choice and press Enter.  Choice is indicated by >>>.\r\n\r\n"
    ">>> 1 Start Install Now with Default Settings\r\n\r\n"
    "    2 Change/Show Installation Settings and Install\r\n\r\n"
    "    3 Start Maintenance Mode for System Recovery\r\n\r\n"
    "    4 Make Additional Disks Available\r\n\r\n"
    "    5 Select Storage Adapters\r\n\r\n\r\n\r\n"
    "    88  Help ?\r\n    99  Previous Menu\r\n\r\n>>> Choice [1]: ";

const std::string kConsole =
    "\x1b[2J\x1b[H\r\n ******* Please define the System Console. *******\r\n\r\n"
    "Type a 1 and press Enter to use this terminal as the\r\n  system console.\r\n"
    "Pour definir ce terminal comme console systeme, appuyez\r\n  sur 1 puis sur Entree.\r\n\r\n";

const std::string kTermPrompt =
    "\x1b[2J\x1b[H                              Set Terminal Type\r\n"
    "The terminal is not properly initialized.  Please enter a terminal type\r\n"
    "and press Enter.  Some terminal types are not supported in\r\nnon-English languages.\r\n\r\n"
    "     ibm3101          tvi912          vt330          aixterm\r\n"
    "     ibm3164          vt100           wyse100\r\n\r\n"
    "    88  Help ?\r\n    99  Exit\r\n\r\n>>> Choice []: ";

// Every key the session sends over `seconds` of a console that shows nothing new.
std::vector<std::string> sends_while_silent(Harness& h, double seconds, double tick = 0.25) {
  std::vector<std::string> out;
  for (double waited = 0; waited < seconds && h.session.outcome() == Outcome::running; waited += tick)
    if (std::string k = h.step(tick); !k.empty()) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("session: SMS choices are resolved by label, whatever their number") {
  Harness h;
  CHECK(h.answer(kMain) == "5\r");
  CHECK(h.answer(device_type(true)) == "7\r");  // POWER7: List all Devices = 7
  Harness h8;
  CHECK(h8.answer(device_type(false)) == "5\r");  // POWER8+: List all Devices = 5
}

TEST_CASE("session: the install media is chosen by name among disks and adapters, two candidates halt") {
  Harness h;
  CHECK(h.answer(device_list(false)) == "3\r");
  Harness two;
  CHECK(two.feed(device_list(true)) == "");
  CHECK(two.session.outcome() == Outcome::halted);
  CHECK(two.session.exit_code() == 4);
  CHECK(two.session.outcome_text().find("more than one device") != std::string::npos);
  EngineOptions pinned;
  pinned.media_location = "U78AB.001.WZSGFG5-P1-C7-T1-L1-L0";
  Harness by_location(pinned);
  CHECK(by_location.answer(device_list(true)) == "4\r");
}

TEST_CASE("session: nothing is decided before the prompt is drawn") {
  Harness h;
  std::string screen = disks(false, false);
  std::string half = screen.substr(0, screen.find("    2  hdisk1"));  // clone row not drawn yet
  CHECK(h.feed(half) == "");
  CHECK(h.session.outcome() == Outcome::running);
  CHECK(h.answer(screen.substr(half.size())) == "1\r");
}

TEST_CASE("session: disk screen selects exactly the target, then continues") {
  Harness h;
  CHECK(h.answer(disks(false, false)) == "1\r");
  CHECK(h.answer(disks(false, true)) == "0\r");
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

TEST_CASE("session: no resend until the console reacts, then only the keys the screen proves missing") {
  EngineOptions o;
  o.confirm_timeout_s = 2;
  Harness h(o);
  CHECK(h.feed(kMain) == "5");
  CHECK(h.step(1.0) == "");  // still within the confirm time: nothing
  // The key arrived and echoed: its Enter goes, as a send of its own.
  CHECK(h.feed("5") == "\r");
  // No reaction to the Enter is no proof it was lost: it is never sent again.
  CHECK(sends_while_silent(h, 10).empty());
  CHECK(h.session.outcome() == Outcome::running);
  // Now the key was dropped: after the confirm time the key is sent again, never its Enter.
  Harness g(o);
  CHECK(g.feed(kMain) == "5");
  CHECK(g.step(2.5) == "5");
  CHECK(g.step(2.5) == "5");
  CHECK(g.step(2.5) == "5");
  CHECK(g.step(2.5) == "");  // bounded: halts after max_recoveries
  CHECK(g.session.exit_code() == 4);
  CHECK(g.session.outcome_text().find("never showed \"5\" typed") != std::string::npos);
}

TEST_CASE("session: a reaction ends the wait and the next screen is answered") {
  Harness h;
  CHECK(h.answer(kMain) == "5\r");
  CHECK(h.feed("\r\n") == "");
  CHECK(h.answer(sms(" Multiboot\r\n 1.   Select Install/Boot Device\r\n 2.   Configure Boot Device Order\r\n"
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
  CHECK(keys->keys.spend() == "2");
  s.on_output("2", 1.1);  // echoed: the Enter follows
  s.evaluate(1.1);
  auto enter = s.take_send();
  REQUIRE(enter);
  CHECK(enter->keys.spend() == "\r");
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

TEST_CASE("session: two signatures matching a screen still being drawn is no halt: the screen that follows is answered") {
  // A console sending a line per read shows SMS's exit question above STARTING SOFTWARE for a
  // moment (fw.starting_software and sms.exit_confirm both match): before, an instant halt.
  Recognizer two;
  std::vector<SignatureError> errors;
  REQUIRE(two.add("a.toml", "id = \"aix.login\"\nall = ['(?m)login:\\s*\\z']\n", errors));
  REQUIRE(two.add("b.toml", "id = \"test.console_login\"\nall = ['Console login']\n", errors));
  REQUIRE(two.add("c.toml", "id = \"aix.term_prompt\"\nall = ['(?m)TERM.*:\\s*\\z']\n", errors));
  REQUIRE(errors.empty());
  Plan plan;
  REQUIRE(load_plan("t.toml", "name = \"t\"\n[[step]]\nscreen = \"aix.term_prompt\"\nkeys = \"vt100\\r\"\nneeds_prompt = false\n", two, plan, errors));
  Session session(plan, two, Guard(Policy{}), EngineOptions{});
  session.on_output("\x1b[2J\x1b[HAIX Version 7\r\nConsole login: ", 1.0);
  session.evaluate(1.0);
  session.evaluate(2.0);  // within the grace time
  CHECK(session.outcome() == Outcome::running);
  session.on_output("\x1b[2J\x1b[HSet the terminal type, TERM: ", 2.5);
  session.evaluate(2.5);
  CHECK(session.outcome() == Outcome::running);
  auto k = session.take_send();
  REQUIRE(k.has_value());
  CHECK(k->keys.spend() == "vt100");
}

TEST_CASE("session: Migration offered by default is not ready until the disk screen verified the target (S1)") {
  Harness h;
  // BOS starts with Migration on hdisk0: the plan still goes System Settings -> Migration -> disks.
  CHECK(h.answer(settings("Migration Install", "hdisk0")) == "1\r");
  CHECK(h.answer(kMethod) == "3\r");
  CHECK(h.answer(disks(false, false)) == "1\r");
  CHECK(h.answer(disks(false, true)) == "0\r");  // exactly the target, clone unselected: verified
  CHECK(h.answer(settings("Migration Install", "hdisk0")) == "0\r");
  CHECK(h.session.outcome() == Outcome::running);
}

TEST_CASE("session: a later screen with another selection takes the verification away") {
  // An install screen naming another disk than the one verified.
  Harness h;
  CHECK(h.answer(disks(false, true)) == "0\r");
  CHECK(h.answer(settings("Migration Install", "hdisk1")) == "1\r");  // not ready: back to System Settings
  bool noted = false;
  for (auto& e : h.session.take_events()) noted |= e.kind == SessionEvent::note && e.code == "disk-unverified";
  CHECK(noted);
  CHECK(h.answer(settings("Migration Install", "hdisk0")) == "1\r");  // still not ready: verified again first
  // Keys on a later disk screen that do not continue with exactly the target (the operator's
  // Previous Menu) drop it too.
  EngineOptions step;
  step.operator_confirms = true;
  Harness s(step);
  s.feed(disks(false, true));
  REQUIRE(s.session.proposal());
  CHECK(s.session.accept(s.t).allow);
  CHECK(s.session.take_send()->keys.spend() == "0");
  CHECK(s.feed("0") == "\r");  // the accepted answer's Enter, once the screen shows it typed
  s.feed(settings("Migration Install", "hdisk0"));
  REQUIRE(s.session.proposal());
  CHECK(s.session.proposal()->keys == "0\r");  // verified: ready to install
  CHECK(s.session.operator_keys("99\r", s.t).allow);  // back to Welcome
  CHECK(s.session.take_send()->keys.spend() == "99");
  CHECK(s.feed("99") == "\r");
  s.feed(disks(false, true));
  CHECK(s.session.operator_keys("99\r", s.t).allow);  // leaves the disk screen without Continue
  CHECK(s.session.take_send()->keys.spend() == "99");
  CHECK(s.feed("99") == "\r");
  s.feed(settings("Migration Install", "hdisk0"));
  REQUIRE(s.session.proposal());
  CHECK(s.session.proposal()->keys == "1\r");
}

// ---- An answer's Enter waits for the screen to show its text typed -------------------------
// Service processors drop bytes sent too close together. If the 2 of "2<Enter>" is lost and
// the Enter arrives, BOS Welcome takes a bare Enter: its default, Start Install Now with Default
// Settings. These drive the session with the bytes such a console shows.

TEST_CASE("session: on BOS Welcome the digit goes alone, its Enter only once the prompt shows it typed") {
  Harness h;
  CHECK(h.feed(kWelcome) == "2");  // never "2\r" in one go
  CHECK(h.step(0.05) == "");
  CHECK(h.step(1.0) == "");  // no echo yet, within the confirm time: nothing, and above all no Enter
  CHECK(h.feed("2") == "\r");  // the echo proves the 2 arrived: now its Enter, a send of its own
  bool judged_as_its_own = false;
  for (const SessionEvent& e : h.session.take_events())
    judged_as_its_own |= e.kind == SessionEvent::send && e.keys == "<Enter>" && e.text.find("\"2\" typed") != std::string::npos;
  CHECK(judged_as_its_own);
}

TEST_CASE("session: a digit lost on BOS Welcome gets the digit again, never a bare Enter") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  CHECK(h.feed(kWelcome) == "2");
  // The 2 was dropped: the prompt shows nothing typed. Only the digit is sent again.
  CHECK(h.step(1.1) == "2");
  bool noted = false;
  for (const SessionEvent& e : h.session.take_events()) noted |= e.kind == SessionEvent::note && e.code == "no-echo";
  CHECK(noted);
  // A "2" shows: the first copy (slow) or the second. The second gets as long to show as the
  // echo took, and half again; a "22" would be a mismatch (a halt), never an Enter.
  CHECK(h.feed("2") == "");
  CHECK(h.step(1.0) == "");
  CHECK(h.step(0.8) == "\r");  // 1.5 x the 1.2 s the echo took, from the copy's send
  CHECK(h.session.outcome() == Outcome::running);
  // ... and when the first copy was only slow, its twin shows up before the Enter: a halt.
  Harness twin(o);
  CHECK(twin.feed(kWelcome) == "2");
  CHECK(twin.step(1.1) == "2");
  CHECK(twin.feed("2") == "");
  CHECK(twin.feed("2") == "");
  CHECK(sends_while_silent(twin, 5).empty());
  CHECK(twin.session.outcome() == Outcome::halted);
  CHECK(twin.session.outcome_text().find("shows \"22\" typed") != std::string::npos);
}

TEST_CASE("session: a console that never shows the digit on Change Method gets no Enter at all, then a halt") {
  // Change Method's default (Choice [1]) is New and Complete Overwrite: a bare Enter destroys rootvg.
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  CHECK(h.feed(kMethod) == "3");
  const std::vector<std::string> later = sends_while_silent(h, 10);
  CHECK(later == std::vector<std::string>{"3", "3", "3"});  // bounded recovery: the digit, and only it
  CHECK(h.session.outcome() == Outcome::halted);
  CHECK(h.session.exit_code() == 4);
  CHECK(h.session.outcome_text().find("its Enter was never sent") != std::string::npos);
}

TEST_CASE("session: a prompt showing other text than the answer gets no Enter: halt, nothing sent on top") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  CHECK(h.feed(kMethod) == "3");
  CHECK(h.feed("1") == "");  // the line shows "1" typed (a stray key), not "3": never Enter that
  CHECK(sends_while_silent(h, 3).empty());
  CHECK(h.session.outcome() == Outcome::halted);
  CHECK(h.session.outcome_text().find("shows \"1\" typed") != std::string::npos);
}

TEST_CASE("session: part of a longer answer shown typed: only the rest is sent, then the Enter") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  h.session.on_output(kTermPrompt, h.t);  // aix.term_prompt: the plan types vt100
  CHECK(h.step(0.1) == "vt100");
  CHECK(h.feed("vt") == "");      // only "vt" echoed: more may be on its way
  CHECK(h.step(1.1) == "100");    // after the confirm time, only the missing text; the Enter still held
  CHECK(h.feed("100") == "");     // "vt100" shown: the re-sent "100" gets its window first
  CHECK(h.step(2.0) == "\r");     // then the Enter
}

TEST_CASE("session: an Enter nothing answers is never sent again: the wait ends at the screen timeout, saying it may still arrive") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  o.screen_timeout_s = 30;
  Harness h(o);
  CHECK(h.answer(kWelcome) == "2\r");
  // Before this rule: "2" still typed after the confirm time, so the Enter went again. Had the
  // first one been slow, not lost, the second reached Installation and Settings: its default
  // (0, Install with the current settings) with whatever method it shows.
  CHECK(sends_while_silent(h, 29.5).empty());
  CHECK(h.session.outcome() == Outcome::running);
  CHECK(sends_while_silent(h, 1).empty());
  CHECK(h.session.outcome() == Outcome::halted);
  CHECK(h.session.exit_code() == 4);
  CHECK(h.session.outcome_text().find("Enter of \"2\"") != std::string::npos);
  CHECK(h.session.outcome_text().find("may still arrive") != std::string::npos);
}

TEST_CASE("session: a console slower than the confirm time gets one Enter, and its next screen is judged afresh") {
  // The log: 3 and its Enter on Change Method, BOS answers 5.4 s later with the disk
  // screen; the "recovery" Enter sent at 5 s reached the disk screen (Continue).
  EngineOptions o;  // confirm_timeout_s = 5
  Harness h(o);
  CHECK(h.answer(kMethod) == "3\r");
  CHECK(sends_while_silent(h, 7).empty());  // 7 s of nothing: no second Enter
  CHECK(h.answer(disks(false, false)) == "1\r");  // the disk screen: its own answer, judged on it
  CHECK(h.session.outcome() == Outcome::running);
}

TEST_CASE("session: the console clearing the typed answer after its Enter is a reaction: judged afresh, never an Enter on top") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  CHECK(h.answer(kMethod) == "3\r");
  // The installer redraws the same menu (it rejected the answer): the prompt is empty again.
  CHECK(h.answer(kMethod) == "3\r");  // a new answer, judged on the redrawn screen
  CHECK(h.session.outcome() == Outcome::running);
}

TEST_CASE("session: a daemon's message printed while an Enter is in flight proves nothing: no keys on top of it") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  CHECK(h.answer(kMethod) == "3\r");
  // Text drawn above the prompt, the cursor put back where it was: the Enter may still arrive.
  CHECK(h.feed("\x1b[s\x1b[2;1HCONSOLE MESSAGE from syslogd\x1b[u") == "");
  CHECK(sends_while_silent(h, 5).empty());
  CHECK(h.session.outcome() == Outcome::running);
}

TEST_CASE("session: the write path asks whether keys still have their screen, and drops them when it is gone") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  CHECK(h.feed(kWelcome) == "2");
  CHECK(h.session.keys_still_judged());
  h.feed("2");  // the echo: still the same screen
  CHECK(h.session.keys_still_judged());
  // Another screen drawn before the queued Enter was written: the Enter must not be written.
  h.session.on_output(settings("New and Complete Overwrite", "hdisk0"), h.t);
  CHECK_FALSE(h.session.keys_still_judged());
  h.session.keys_dropped(1, h.t);
  bool noted = false;
  for (const SessionEvent& e : h.session.take_events()) noted |= e.kind == SessionEvent::note && e.code == "keys-dropped";
  CHECK(noted);
  // The new screen is judged afresh: Installation and Settings with Overwrite goes to System Settings.
  CHECK(h.step(0.1) == "1");
}

TEST_CASE("session: a screen without a prompt line (System Console) holds the Enter until the echo at the cursor") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  CHECK(h.feed(kConsole) == "1");
  CHECK(h.step(1.1) == "1");  // nothing echoed where the cursor was: the 1 again, not the Enter
  CHECK(h.feed("1") == "");   // the copy sent again gets its window first
  CHECK(h.step(2.0) == "\r");
}

TEST_CASE("session: System Console still drawing when its 1 goes: more drawing is no echo, the echo after it is") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  Harness h(o);
  const std::size_t cut = kConsole.find("Type a 1") + std::string("Type a 1").size();  // ends with a "1" at the cursor
  CHECK(h.feed(kConsole.substr(0, kConsole.find("Type a 1"))) == "1");  // recognized, no prompt needed: the 1 goes
  CHECK(h.feed(kConsole.substr(kConsole.find("Type a 1"), cut - kConsole.find("Type a 1"))) == "\r");
  // (a "1" drawn right before the cursor reads as the echo: the Enter goes, judged as a bare
  // Enter, which the guard allows only where it chooses nothing; on a menu with a default the
  // prompt line, not the echo, is the proof)
  Harness g(o);
  CHECK(g.feed(kConsole.substr(0, kConsole.find("Type a 1"))) == "1");
  CHECK(g.feed(kConsole.substr(kConsole.find("Type a 1"))) == "");  // the rest of the screen: no echo yet
  CHECK(g.feed("1") == "\r");
}

TEST_CASE("session: the console reacting to the digit alone voids the answer: no Enter on the new screen") {
  Harness h;
  CHECK(h.feed(kWelcome) == "2");
  // Another screen arrives before the echo proved the 2 (the console acted on its own).
  CHECK(h.answer(kMethod) == "3\r");  // the new screen is answered afresh; no stray Enter first
  bool abandoned = false;
  for (const SessionEvent& e : h.session.take_events()) abandoned |= e.code == "answer-abandoned";
  CHECK(abandoned);
}

TEST_CASE("session: stopping mid-answer finishes it or leaves nothing typed, never half") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  // The digit shows: its Enter goes, then the session ends.
  Harness done(o);
  CHECK(done.feed(kWelcome) == "2");
  done.session.abort(done.t, "operator quit");
  CHECK(done.session.outcome() == Outcome::running);
  CHECK(done.feed("2") == "\r");
  CHECK(done.session.outcome() == Outcome::running);  // until the console has taken the Enter
  CHECK(done.feed(settings("New and Complete Overwrite", "hdisk0")) == "");
  CHECK(done.session.outcome() == Outcome::halted);
  CHECK(done.session.outcome_text().find("was completed first") != std::string::npos);
  // The digit never shows: nothing more is sent (no Enter, no digit), and the session ends.
  Harness lost(o);
  CHECK(lost.feed(kWelcome) == "2");
  lost.session.abort(lost.t, "operator quit");
  CHECK(sends_while_silent(lost, 3).empty());
  CHECK(lost.session.outcome() == Outcome::halted);
  CHECK(lost.session.outcome_text().find("no Enter was sent") != std::string::npos);
  // A second stop ends it at once.
  Harness twice(o);
  CHECK(twice.feed(kWelcome) == "2");
  twice.session.abort(twice.t, "SIGINT");
  twice.session.abort(twice.t, "SIGINT");
  CHECK(twice.session.outcome() == Outcome::halted);
  CHECK(twice.feed("2") == "");
  // The whole answer written: it ends once the console reacts to it (or after the confirm time).
  Harness sent(o);
  CHECK(sent.answer(kWelcome) == "2\r");
  sent.session.abort(sent.t, "SIGTERM");
  CHECK(sent.session.outcome() == Outcome::running);
  CHECK(sends_while_silent(sent, 2).empty());  // no recovery while stopping
  CHECK(sent.session.outcome() == Outcome::halted);
  CHECK(sent.session.outcome_text().find("had not reacted to it yet") != std::string::npos);
  // Nothing in flight: it ends at once.
  Harness quiet(o);
  quiet.feed(kMain.substr(0, 40));  // nothing decided yet
  quiet.session.abort(quiet.t, "operator quit");
  CHECK(quiet.session.outcome() == Outcome::halted);
}

TEST_CASE("session: the wait for an answer's reaction counts from its last paced byte") {
  EngineOptions o;
  o.confirm_timeout_s = 1;
  o.pacing_s = 0.3;
  Harness h(o);
  h.session.on_output(kTermPrompt, h.t);
  CHECK(h.step(0.1) == "vt100");  // five bytes, 0.3 s apart: the last goes out 1.5 s from now
  CHECK(h.feed("vt10", 1.4) == "");
  CHECK(h.step(0.5) == "");  // 1.9 s: the last byte's echo may still be coming; no resend of "0"
  CHECK(h.feed("0") == "\r");
}

TEST_CASE("session: in step mode the operator's typed answer has its Enter held the same way") {
  EngineOptions o;
  o.operator_confirms = true;
  o.confirm_timeout_s = 1;
  Harness h(o);
  h.feed(kWelcome);
  REQUIRE(h.session.proposal());
  CHECK(h.session.operator_keys("2\r", h.t).allow);
  CHECK(h.session.take_send()->keys.spend() == "2");
  CHECK(h.feed("2") == "\r");  // the echo: its Enter
  // Lost: vtpilot re-types only what it typed itself; the operator's answer goes back to the operator.
  Harness lost(o);
  lost.feed(kWelcome);
  CHECK(lost.session.operator_keys("2\r", lost.t).allow);
  CHECK(lost.session.take_send()->keys.spend() == "2");
  CHECK(sends_while_silent(lost, 5).empty());
  bool told = false;
  for (const SessionEvent& e : lost.session.take_events()) told |= e.code == "operator-answer-incomplete";
  CHECK(told);
  CHECK(lost.session.outcome() == Outcome::running);
  // A refused answer sends nothing at all.
  Harness r(o);
  r.feed(kWelcome);
  CHECK_FALSE(r.session.operator_keys("1\r", r.t).allow);
  CHECK(r.step(0) == "");
}

TEST_CASE("session: an operator answer the menu rejects goes back to the operator, never retyped") {
  // Issue 15 point 7: "03" on Change Method, allowed by the guard, redrawn by the installer.
  EngineOptions o;
  o.operator_confirms = true;
  o.confirm_timeout_s = 1;
  Harness h(o);
  h.feed(kMethod);
  REQUIRE(h.session.proposal());
  CHECK(h.session.operator_keys("03\r", h.t).allow);
  CHECK(h.session.take_send()->keys.spend() == "03");
  CHECK(h.feed("03") == "\r");
  h.feed(kMethod);  // redrawn, the prompt empty: the installer did not take 03
  CHECK(sends_while_silent(h, 10).empty());  // nothing retyped: before, "03" three times, then a halt
  CHECK(h.session.outcome() == Outcome::running);
  CHECK(h.session.proposal());  // the plan's answer is proposed again, for the operator to decide
}

TEST_CASE("session: a media request that ends with a sentence starts the media swap, then sends its Enter") {
  // "... and press the ENTER key." / "Press the Enter key to continue." (issue 14): no "...: "
  // at the cursor. Before, the session took no prompt there, never ran the swap and timed out.
  const std::string install =
      "\x1b[H\x1b[J\r\n                        Installing Base Operating System\r\n\r\n"
      "        Please wait...\r\n\r\n        Approximate     Elapsed time\r\n"
      "     % tasks complete   (in minutes)\r\n\r\n         76                71      Installing additional software\r\n\r\n";
  for (const std::string& request : {std::string("   Insert volume 2 of the installation media into the drive\r\n"
                                                 "   and press the ENTER key."),
                                     std::string("        Please mount volume 2 of the installation media.\r\n"
                                                 "        Press the Enter key to continue.\r\n")}) {
    CAPTURE(request);
    Harness h;
    CHECK(h.feed(install + request).empty());  // the keys wait for the orchestration
    const auto action = h.session.take_action();
    REQUIRE(action);
    CHECK(*action == "media-swap 2");
    h.session.action_done(true, "volume 2 loaded", h.t);
    CHECK(h.step(0.1) == "\r");
    CHECK(h.session.outcome() == Outcome::running);
  }
}

namespace {
// A console of fixtures/guard's IBM levels screens: as the guard reads them, with CRLF.
std::string ibm_levels(const char* name) {
  std::string text = fixture::read(fixture::root() / "guard" / name), out = "\x1b[2J\x1b[H";
  for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}
Policy pvid_pins() {
  Policy p;
  p.target_pvid = "00f6db0a2c1d4e5f";
  p.clone_pvid = "00f6db0a3e7a9b01";
  return p;
}
}  // namespace

TEST_CASE("session: IBM's levels screen with location none and a PVID pin: 77 first, then the row whose PVID is the pin") {
  Harness h({}, pvid_pins());
  CHECK(h.answer(ibm_levels("disks-levels-ibm-72tl5.txt")) == "77\r");
  CHECK(h.answer(ibm_levels("disks-levels-ibm-72tl5-pvids.txt")) == "1\r");
  CHECK(h.session.outcome() == Outcome::running);
  // Swapped: hdisk0 is the clone; the PVID decides.
  Policy swapped = pvid_pins();
  std::swap(swapped.target_pvid, swapped.clone_pvid);
  Harness s({}, swapped);
  CHECK(s.answer(ibm_levels("disks-levels-ibm-72tl5.txt")) == "77\r");
  CHECK(s.answer(ibm_levels("disks-levels-ibm-72tl5-pvids.txt")) == "2\r");
}

TEST_CASE("session: back on the location view, the PVIDs seen on the 77 view still choose the row") {
  Harness h({}, pvid_pins());
  CHECK(h.answer(ibm_levels("disks-levels-ibm-72tl5.txt")) == "77\r");
  CHECK(h.answer(ibm_levels("disks-levels-ibm-72tl5-pvids.txt")) == "1\r");
  // BOS draws the location view again (77 toggled back): the row is chosen without another 77.
  CHECK(h.answer(ibm_levels("disks-levels-ibm-72tl5.txt")) == "1\r");
  CHECK(h.session.outcome() == Outcome::running);
}

TEST_CASE("session: IBM's levels screen without a pin refuses both rows, exit 3, nothing sent, and says the fix") {
  Harness h;
  CHECK(h.feed(ibm_levels("disks-levels-ibm-72tl5.txt")) == "");
  CHECK(h.session.outcome() == Outcome::refused);
  CHECK(h.session.exit_code() == 3);
  CHECK(h.session.outcome_text().find("--target-pvid") != std::string::npos);
  CHECK(h.session.outcome_text().find("vtpilot preflight") != std::string::npos);
}

TEST_CASE("session: a PVID pin that matches neither row is refused, exit 3, nothing chosen") {
  Policy p = pvid_pins();
  p.target_pvid = "00f6db0a00000000";
  Harness h({}, p);
  CHECK(h.answer(ibm_levels("disks-levels-ibm-72tl5.txt")) == "77\r");
  CHECK(h.feed(ibm_levels("disks-levels-ibm-72tl5-pvids.txt")) == "");
  CHECK(h.session.outcome() == Outcome::refused);
  CHECK(h.session.exit_code() == 3);
}

TEST_CASE("session: a view that never shows PVIDs gets 77 at most three times, then the guard's refusal") {
  Harness h({}, pvid_pins());
  const std::string loc = ibm_levels("disks-levels-ibm-72tl5.txt"), scrolled = ibm_levels("disks-levels-ibm-title-scrolled.txt");
  CHECK(h.answer(loc) == "77\r");
  CHECK(h.answer(scrolled) == "77\r");
  CHECK(h.answer(loc) == "77\r");
  CHECK(h.feed(scrolled) == "");
  CHECK(h.session.outcome() == Outcome::refused);
  CHECK(h.session.exit_code() == 3);
}

// Issue 15.1: the migrate plan ends at the login prompt only after this run saw the install
// start and end with a reboot (its `done` step says `requires = "install"`).
namespace {
const std::string kProgress =
    "\x1b[2J\x1b[H\r\n                       Installing Base Operating System\r\n\r\n"
    "        Please wait...\r\n\r\n        Approximate     Elapsed time\r\n"
    "     % tasks complete   (in minutes)\r\n\r\n         42                37      Installing additional software\r\n\r\n";
const std::string kLogin = "\x1b[2J\x1b[H\r\nAIX Version 7\r\nCopyright IBM Corporation, 1982, 2025.\r\nConsole login: ";

std::string kSettingsMigration() { return settings("Migration Install", "hdisk0"); }
// The POST banner as lpar-sim draws it after the install's reboot (fixtures/screens/sms.post).
std::string sms_post() {
  std::ifstream in(std::string(VTPILOT_SOURCE_DIR) + "/fixtures/screens/sms.post/sim-power7.raw", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  REQUIRE(!ss.str().empty());
  return ss.str();
}

bool has_note(const std::vector<SessionEvent>& evs, const std::string& code) {
  return std::any_of(evs.begin(), evs.end(), [&](const SessionEvent& e) { return e.code == code; });
}
}  // namespace

TEST_CASE("session: the login prompt of a system that never installed is a halt (not-installed), not done") {
  Harness h;
  h.feed(kLogin);
  CHECK(h.session.outcome() == Outcome::halted);
  CHECK(h.session.exit_code() == 4);
  CHECK(h.session.outcome_text().find("reached the login prompt of a system that did not install") != std::string::npos);
  auto evs = h.session.take_events();
  CHECK(std::any_of(evs.begin(), evs.end(), [](const SessionEvent& e) { return e.kind == SessionEvent::halt && e.code == "not-installed"; }));
}

TEST_CASE("session: an install seen to start but never to reboot does not end at the login prompt") {
  Harness h;
  h.feed(kSettingsMigration());
  h.feed(kProgress);
  h.feed(kLogin);
  CHECK(h.session.exit_code() == 4);
  CHECK(h.session.outcome_text().find("did not install (this run saw the install start but not end with a reboot)") != std::string::npos);
}

TEST_CASE("session: install, then BOS's Rebooting (split across chunks), then the login: done") {
  Harness h;
  h.feed(kSettingsMigration());
  h.feed(kProgress);
  h.feed("Finished processing all filesets.\r\nReboo");
  h.feed("ting . . .\r\n\r\n");
  h.feed(kLogin);
  CHECK(h.session.outcome() == Outcome::done);
  CHECK(h.session.exit_code() == 0);
  CHECK_FALSE(has_note(h.session.take_events(), "attached-install"));
}

TEST_CASE("session: the whole install and reboot in one chunk between two looks still counts") {
  Harness h;
  h.feed(kSettingsMigration());
  h.feed(kProgress + "installp lines\r\nRebooting . . .\r\n" + kLogin);
  CHECK(h.session.outcome() == Outcome::done);
}

TEST_CASE("session: a run that attaches to an install under way says so, and judges the end the same way") {
  Harness h;
  h.feed(kProgress);
  CHECK(has_note(h.session.take_events(), "attached-install"));
  h.feed(sms_post());  // the reboot, seen as the POST banner
  h.feed(kLogin);
  CHECK(h.session.outcome() == Outcome::done);
  Harness cut;  // attached, and the install never ended
  cut.feed(kProgress);
  cut.feed(kLogin);
  CHECK(cut.session.exit_code() == 4);
}

TEST_CASE("session: with --verify the level read decides: the login without a seen install is done, with a note") {
  EngineOptions o;
  o.level_decides = true;
  Harness h(o);
  h.feed(kLogin);
  CHECK(h.session.outcome() == Outcome::done);
  CHECK(has_note(h.session.take_events(), "install-not-seen"));
}

TEST_CASE("session: the rollback plan's login needs no install (its done step requires nothing)") {
  Plan plan;
  std::vector<SignatureError> e;
  REQUIRE(resolve_plan("rollback", Recognizer::builtin(), plan, e));
  Session s(plan, Recognizer::builtin(), Guard(Policy{}), EngineOptions{});
  s.on_output(kLogin, 1);
  s.evaluate(1);
  CHECK(s.outcome() == Outcome::done);
}

TEST_CASE("session: attached to a Running LPAR as it was, a firmware menu before any install is never answered") {
  // A re-run (resume) that attaches after the unwatched install ended, as the LPAR reboots: the
  // plan's `before-install` POST and SMS steps would boot the media again and start a second
  // install. Without the flag the same screen gets the plan's 5 (the test fails without the rule).
  Harness plain;
  CHECK(plain.answer(kMain) == "5\r");
  Harness h;
  h.session.attached_as_running(0);
  CHECK(h.answer(kMain).empty());
  CHECK(h.step(5).empty());
  CHECK(h.session.outcome() == Outcome::halted);
  bool said = false;
  for (const SessionEvent& e : h.session.take_events())
    if (e.kind == SessionEvent::halt && e.code == "resume-in-firmware") said = true;
  CHECK(said);
}

namespace {
std::string halt_or_done_code(std::vector<SessionEvent> events) {
  for (const SessionEvent& e : events)
    if (e.kind == SessionEvent::halt || e.kind == SessionEvent::done) return e.code;
  return {};
}
}  // namespace

TEST_CASE("session: a resumed LPAR whose AIX the HMC reports up is decided from that, nothing sent") {
  EngineOptions o;
  o.expect_level = "7200-05";
  SUBCASE("at the target level: done, already-at-target") {
    Harness h(o);
    h.session.attached_as_running(1, RunningOs{true, true, "7200-05-11-2546", "AIX 7.2 7200-05-11-2546"});
    CHECK(h.session.outcome() == Outcome::done);
    CHECK(h.session.exit_code() == 0);
    CHECK(halt_or_done_code(h.session.take_events()) == "already-at-target");
    CHECK_FALSE(h.session.take_send());
  }
  SUBCASE("at the old level: halted, running-aix (a resumed run shuts nothing down)") {
    Harness h(o);
    h.session.attached_as_running(1, RunningOs{true, true, "7100-05-06-2016", "AIX 7.1 7100-05-06-2016"});
    CHECK(h.session.outcome() == Outcome::halted);
    CHECK(h.session.exit_code() == 4);
    CHECK(halt_or_done_code(h.session.take_events()) == "running-aix");
  }
  SUBCASE("a level that merely contains the target's digits later is not at the target") {
    Harness h(o);
    h.session.attached_as_running(1, RunningOs{true, true, "7100-07-20-0520", "AIX 7.1 7100-07-20-0520"});
    CHECK(h.session.outcome() == Outcome::halted);
  }
  SUBCASE("no expect_level: AIX up is never taken for done") {
    Harness h;  // expect_level ""
    h.session.attached_as_running(1, RunningOs{true, true, "7200-05-11-2546", "AIX 7.2 7200-05-11-2546"});
    CHECK(h.session.outcome() == Outcome::halted);
    CHECK(halt_or_done_code(h.session.take_events()) == "running-aix");
  }
  SUBCASE("RMC inactive (firmware, the installer): the level is the last one heard; the console decides") {
    Harness h(o);
    h.session.attached_as_running(1, RunningOs{true, false, "7200-05-11-2546", "AIX 7.2 7200-05-11-2546"});
    CHECK(h.session.outcome() == Outcome::running);
    CHECK(h.answer(kMain).empty());  // and it is still a resumed run: firmware is not answered
  }
  SUBCASE("the HMC said nothing: the console decides") {
    Harness h(o);
    h.session.attached_as_running(1);
    CHECK(h.session.outcome() == Outcome::running);
  }
}

namespace {
Screen drawn(const std::string& bytes) {
  Terminal t;
  t.feed(bytes);
  return t.screen();
}
const std::string kHelpFig04 = fixture::read(fixture::root() / "screens" / "bos.help" / "aix413-fig04.raw");
}  // namespace

TEST_CASE("session: a resumed console that shows nothing, left at a BOS menu, is asked to draw it again (88, then 99)") {
  EngineOptions o;
  o.reveal_after_s = 5;
  SUBCASE("blank for reveal_after_s: 88 Enter, judged on the menu left; the help screen gets 99") {
    Harness h(o);
    h.session.left_at(drawn(kWelcome), "the run recorded in x.cast");
    h.session.attached_as_running(0);
    CHECK(h.step(0.1).empty());
    CHECK(h.step(3).empty());  // not yet: the quiet time is not over
    CHECK(h.step(2.5) == "88\r");
    const auto events = h.session.take_events();
    CHECK(has_note(events, "reveal"));
    // IBM's help screen (Help.c): its default 99 Previous Menu is chosen, echo then Enter.
    CHECK(h.answer(kHelpFig04) == "99\r");
    // The menu drawn again: the plan goes on from it under the guard (never 1, the default).
    CHECK(h.answer(kWelcome) == "2\r");
  }
  SUBCASE("the vterm's banner is still nothing of the LPAR's") {
    Harness h(o);
    h.session.left_at(drawn(kWelcome), "x.cast");
    h.session.attached_as_running(0);
    // The banner as a V10R3 HMC sends it (fixtures/screens/hmc.vterm_open).
    CHECK(h.feed(fixture::read(fixture::root() / "screens" / "hmc.vterm_open" / "pub-hmcmcp-v10r3-vterm-open.raw")).empty());
    CHECK(h.step(6) == "88\r");
  }
  SUBCASE("anything drawn first cancels it: the console speaks for itself") {
    Harness h(o);
    h.session.left_at(drawn(kWelcome), "x.cast");
    h.session.attached_as_running(0);
    h.feed(kProgress);
    CHECK(h.step(10).empty());
    CHECK(h.step(10).empty());
  }
  SUBCASE("not a resumed run: nothing") {
    Harness h(o);
    h.session.left_at(drawn(kWelcome), "x.cast");
    CHECK(h.step(10).empty());
  }
  SUBCASE("a screen without 88 (the console prompt), or not BOS: nothing") {
    for (const std::string& left : {kConsole, kMain}) {
      Harness h(o);
      h.session.left_at(drawn(left), "x.cast");
      h.session.attached_as_running(0);
      CHECK(h.step(10).empty());
    }
  }
  SUBCASE("its time is a deadline: the runner wakes for it") {
    Harness h(o);
    h.session.left_at(drawn(kWelcome), "x.cast");
    h.session.attached_as_running(0);
    CHECK(h.step(0.1).empty());
    REQUIRE(h.session.deadline().has_value());
    CHECK(*h.session.deadline() <= 5.11);  // the runner is woken for it
  }
}

// Issue 17: the rules of the built-in plans are the plan's data, not its name: a copy of a
// built-in plan under another name (`--plan my-migrate.toml`) keeps them.
namespace {
Plan renamed_copy(const std::string& builtin, const std::string& name) {
  std::ifstream in(std::string(VTPILOT_SOURCE_DIR) + "/src/plans/" + builtin + ".toml", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string line = "name = \"" + builtin + "\"";
  REQUIRE(text.find(line) != std::string::npos);
  text.replace(text.find(line), line.size(), "name = \"" + name + "\"");
  Plan p;
  std::vector<SignatureError> e;
  REQUIRE(load_plan(name + ".toml", text, Recognizer::builtin(), p, e));
  REQUIRE(p.name == name);
  return p;
}
}  // namespace

TEST_CASE("session: a renamed copy of migrate still halts on a boot loop back to the media after the install") {
  for (const std::string name : {"migrate", "my-migrate"}) {
    CAPTURE(name);
    Session s(renamed_copy("migrate", name), Recognizer::builtin(), Guard(Policy{}), EngineOptions{});
    s.on_output(kSettingsMigration(), 1);
    s.evaluate(1);
    (void)s.take_send();
    s.on_output(kProgress, 2);  // the install runs ...
    s.evaluate(2);
    s.on_output(kMain, 3);  // ... and the machine comes back to SMS instead of its migrated disk
    s.evaluate(3);
    CHECK_FALSE(s.take_send());  // never "Select Boot Options" into a second install
    CHECK(s.outcome() == Outcome::halted);
    CHECK(has_note(s.take_events(), "install-loop"));
  }
}

TEST_CASE("session: a renamed copy of rollback still halts at once on an installer screen") {
  for (const std::string name : {"rollback", "my-rollback"}) {
    CAPTURE(name);
    EngineOptions o;
    o.unknown_grace_s = 60;  // the halt is the plan's rule, not the grace time of a screen outside the plan
    Session s(renamed_copy("rollback", name), Recognizer::builtin(), Guard(Policy{}), o);
    s.on_output(disks(false, false), 1);
    s.evaluate(1);
    CHECK_FALSE(s.take_send());
    CHECK(s.outcome() == Outcome::halted);
    CHECK(has_note(s.take_events(), "entered-installer"));
    CHECK(s.outcome_text().find("not part of plan `" + name + "`") != std::string::npos);
  }
}
