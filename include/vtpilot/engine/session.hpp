#pragma once
// The session core: pure. Console bytes and the time come in; judged keys and events go out.
// No sockets, no clocks, no sleeps (mosh/libvterm style): the same core runs live (Asio
// transports), on virtual time (replay) and under a fuzzer. Timeouts are outcomes.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vtpilot/engine/driver.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/plan/plan.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

namespace vtpilot {

struct EngineOptions {
  double screen_timeout_s = 900;  // longest wait on one screen with nothing changing
  double confirm_timeout_s = 5;   // time for the console to react to keys before recovery
  double unknown_grace_s = 3;     // quiet time before an unrecognized prompt halts the run
  int max_recoveries = 3;         // re-sends of keys the screen proves never arrived, per screen
  double pacing_s = 0;            // the write path's pause between key bytes: a reaction is awaited after the last
  std::string media_pattern = R"(\b(CD-ROM|DVD))";  // install media label (case-insensitive)
  std::string media_location;                      // or its location code (outranks the pattern)
  // run --verify: a `requires = "install"` end reached without this run seeing the install is
  // not a halt; the level the verify conversation reads decides whether the system migrated.
  bool level_decides = false;
  // The level this run migrates to, as oslevel -s starts ("7200-05"); "" = not said. A resumed
  // LPAR whose running AIX the HMC reports at this level is done with nothing sent.
  std::string expect_level;
  // A resumed run whose console shows nothing, left by an earlier run at a BOS menu: quiet time
  // before it asks that menu to draw again (Session::left_at).
  double reveal_after_s = 5;
  // Step mode: decisions become proposals that the operator accepts, skips or replaces.
  bool operator_confirms = false;
  // Install output streams a line per read while nothing can be decided: the whole screen is
  // judged again only when a read may matter (see Session::evaluate). Off: every read (tests
  // compare the two).
  bool stream_shortcut = true;
};

// What the HMC says of the OS in a Running LPAR (RMC: lssyscfg -F rmc_state,os_version).
struct RunningOs {
  bool known = false;    // the HMC answered with the attributes
  bool aix_up = false;   // RMC active: AIX is booted (not firmware, SMS, the BOS installer)
  std::string level;     // "7200-05-03-2148" when reported, else ""
  std::string os_version;  // as the HMC printed it, for messages
};

// What the plan would send now, and the guard's verdict on it (step mode).
struct Proposal {
  std::string screen_id;
  std::string keys;
  std::string label;  // what the keys choose, for the operator ("Migration Install")
  bool secret = false;
  Verdict verdict;
};

class Session final : public Driver {
 public:
  Session(Plan plan, const Recognizer& recognizer, Guard guard, EngineOptions options = {});
  ~Session();

  // Console output arrived at time `now` (seconds, any origin, non-decreasing).
  void on_output(std::string_view bytes, double now) override;
  // Look at the screen and decide; call after a batch of output and when the deadline passes.
  void evaluate(double now) override;
  // The console closed (EOF, hangup).
  void on_close(double now, const std::string& why) override;
  // Stop now (signal, operator): no more keys.
  void abort(double now, const std::string& why) override;

  // Step mode. The pending proposal, if any.
  const std::optional<Proposal>& proposal() const;
  // Sends the proposal (judged again on the current screen). Returns the verdict.
  Verdict accept(double now);
  // Sends the operator's own keys instead, judged by the same guard (layer 2 in every mode;
  // on a screen vtpilot does not know, only layer 2). A refusal is reported and nothing sent.
  Verdict operator_keys(std::string_view keys, double now);
  // Do nothing on this screen; propose again once the screen changes.
  void skip(double now);
  // Something the operator did that sends nothing (started watching): a note, so a marker.
  void operator_note(double now, const std::string& code, const std::string& text);

  // Keys the guard approved, to hand to the single write path; at most one pending.
  std::optional<Outgoing> take_send() override;
  std::vector<SessionEvent> take_events() override;
  std::optional<double> deadline() const override;

  Outcome outcome() const override;
  int exit_code() const override;  // the design's codes: 0, 3, 4, 5
  const std::string& outcome_text() const override;
  Screen screen() const override;
  void on_detach(double now, const std::string& why) override;
  void on_reattach(double now, const std::string& what) override;
  // The console belongs to an LPAR found Running and attached as it was (run --config with
  // resume): this run boots nothing. Until it sees an install, firmware screens are the system
  // rebooting on its own (after an install that ended unwatched): they are watched, never
  // answered (the plan's POST `1` would enter SMS and start a second install), and a firmware
  // menu waiting for input halts (`resume-in-firmware`), nothing sent.
  // `os`: an AIX that the HMC reports up (RMC active) has nothing to resume: at expect_level it
  // is done (`already-at-target`), else it halts (`running-aix`); nothing is sent either way. A
  // console that shows nothing cannot say more (a vterm shows only what is drawn while open).
  void attached_as_running(double now, const RunningOs& os = {});
  // The screen an earlier run left this console at (its transcript's last screen, no key after
  // it: record/left_at). A vterm shows only what is drawn while it is open, so a resumed run
  // sees nothing of a BOS menu waiting for input. When that screen is a BOS menu offering 88
  // (Help) and this console stays blank for reveal_after_s, `88` Enter is judged on that screen
  // and sent: IBM's BosMenus answers 88 on every menu with a help screen and, after any answer
  // there (the plan's 99, Previous Menu), draws the same menu again; the plan goes on from what
  // it then shows. Anything drawn before that cancels it. Only with attached_as_running.
  void left_at(const Screen& screen, const std::string& source);
  bool keys_still_judged() const override;
  void keys_dropped(std::size_t bytes, double now) override;
  std::optional<std::string> take_action() override;
  void action_done(bool ok, const std::string& text, double now) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vtpilot
