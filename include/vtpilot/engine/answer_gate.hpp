#pragma once
// Echo before Enter: the one home of the rule for an answer's Enter. Pure: what the console
// shows and the time come in; what to send (the Enter, the missing text, nothing) goes out.
// No clocks, no screens of its own: each driver reads the echo its own way (Session: the
// prompt line or the echo at the cursor; ShellDriver: the byte stream's current line) and asks
// the gate what that proves.
//
// Service processors drop bytes sent close together. If the 2 of "2<Enter>" is lost and the
// Enter arrives, a menu takes a bare Enter: its default (BOS Welcome: Start Install Now with
// Default Settings); at a shell a line missing a byte is another command. So:
//   - the text goes first, its Enter is held until the echo shows exactly that text typed;
//   - an echo showing a start of the text, once the console has had time to echo (the bytes
//     paced out, then the confirm time, or twice the slowest echo seen if longer), gets only
//     the missing rest, at most `max_resends` times per answer; then a halt (exhausted);
//   - text sent again may still be on its way (the first copy was slow, not lost): when the
//     echo shows the whole text after a re-send, the Enter waits until the re-sent copy has had
//     as long as the echo took, and half again, so a twin ("55") shows as a mismatch first;
//   - an echo showing anything else gets no Enter: a halt (mismatch), never anything on top;
//   - an Enter is never sent again: nothing printed after it is no proof it was lost (a slow
//     HMC relays seconds late), and a second Enter submits whatever the first left behind.
//     The driver bounds that wait by its screen timeout (enter_in_flight()).
// An answer without an Enter (the POST's 1), or whose Enter went with it (a secret, which is
// never echoed), is followed the same way: the missing rest of it, never an Enter.
#include <optional>
#include <string>

namespace vtpilot {

struct AnswerGateOptions {
  double pacing_s = 0;           // the write path's pause between key bytes
  double confirm_timeout_s = 5;  // time for the echo after the last paced byte
  int max_resends = 3;           // re-sends of the missing text per answer
};

class AnswerGate {
 public:
  explicit AnswerGate(AnswerGateOptions o = {}) : opt_(o) {}

  // A new answer whose `bytes` were written at `now`. `want`: what the echo must show typed
  // before its Enter. `enter`: the answer ends with Enter; `held`: that Enter waits for the echo
  // (else it went with the text, or there is none).
  void start(std::string want, bool enter, bool held, std::size_t bytes, double now);
  // The missing rest (`bytes` of it) was written at `now` (after a Look of resend).
  void resent(std::size_t bytes, double now);
  // The held Enter was written at `now` (after a Look of enter).
  void entered(double now);
  // The answer is over (taken, void, halted, or dropped by the write path).
  void clear() { active_ = false; }

  enum class Step {
    wait,       // nothing yet (the echo may still be on its way; an Enter in flight)
    enter,      // the echo shows the whole text: send the held Enter
    resend,     // the echo shows a start of the text: send only `rest`
    exhausted,  // ... but it was re-sent max_resends times already: halt, no Enter
    mismatch,   // the echo shows other text (or no longer the line typed on): halt, no Enter
    reacted,    // the console acted on the text before its Enter: the answer is void, no Enter
    taken,      // the console took the whole answer (its Enter, or text without Enter)
  };
  struct Look {
    Step step = Step::wait;
    std::string rest;  // resend: the missing text
  };
  // What the echo proves now. `shown`: the text the console shows typed for this answer
  // (nullopt: it no longer shows the line the text was typed on); `reacted`: the console shows
  // it acted on what was sent (another screen; after the Enter, its answer).
  Look look(const std::optional<std::string>& shown, bool reacted, double now);

  bool active() const { return active_; }
  bool enter() const { return active_ && enter_; }
  bool enter_held() const { return active_ && held_; }
  // The Enter is written (not held): it is in flight until the console shows it took it.
  bool enter_in_flight() const { return active_ && enter_ && !held_; }
  const std::string& want() const { return want_; }
  int resends() const { return resends_; }
  bool resent() const { return resent_; }
  // When the console has had time to react to what was last sent.
  double confirm_by() const { return confirm_by_; }
  // The next time a look may decide something: nullopt when nothing is due (no answer, or an
  // Enter in flight, whose wait only the driver's screen timeout ends).
  std::optional<double> deadline() const;
  // The slowest echo seen so far (of an answer sent once): it stretches every later wait.
  double echo_rtt() const { return echo_rtt_; }

 private:
  double confirm_after(std::size_t bytes, double now) const;
  AnswerGateOptions opt_;
  bool active_ = false;
  std::string want_;
  bool enter_ = false, held_ = false;
  bool resent_ = false;        // text of this answer was sent again
  bool resent_timed_ = false;  // the wait for a copy of the re-sent text still on its way is set
  double text_done_ = 0;       // when the first sending of the text was paced out
  double sent_done_ = 0;       // when the latest send of this answer was paced out
  double confirm_by_ = 0;
  int resends_ = 0;
  double echo_rtt_ = 0;  // across answers: a link's echo time
};

}  // namespace vtpilot
