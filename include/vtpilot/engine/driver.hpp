#pragma once
// The seam between a pure core and the I/O around it. A Driver takes console bytes and the
// time, and gives judged keys (Approved only) and events; LiveRun (runner.hpp) drives any
// Driver over any Transport, and replay drives one on virtual time. Session (the menu plan)
// and the shell conversation of `verify` / `preflight` are Drivers.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot {

enum class Outcome { running, done, refused, halted, closed };

struct SessionEvent {
  enum Kind { screen, send, refuse, progress, note, halt, done, propose } kind;
  double t = 0;
  std::string screen_id;  // recognized id ("" unknown)
  std::string keys;       // send: the keys; refuse: the keys refused
  std::string code;       // refuse / halt: reason code
  std::string text;       // human sentence
  int percent = -1, elapsed_min = -1;
  bool secret = false;
};

// The word for an event kind, as transcript markers and `--events json` lines name it ("screen",
// "send", "refuse", "progress", "note", "halt", "done", "propose"), and back.
const char* event_kind_name(SessionEvent::Kind kind);
std::optional<SessionEvent::Kind> event_kind_from_name(std::string_view name);

// Keys the guard approved, handed to the single write path together with what a transcript
// may show of them: one value, so the flag can never describe other keys than these.
struct Outgoing {
  Approved keys;
  bool secret = false;  // a password: recorded "***", never logged
};

// Keys as events and messages show them: "<Enter>", "<LF>", "^C" for the other controls.
std::string printable_keys(std::string_view keys);

class Driver {
 public:
  virtual ~Driver() = default;
  // Console output arrived at time `now` (seconds, any origin, non-decreasing).
  virtual void on_output(std::string_view bytes, double now) = 0;
  // Look at the screen and decide; call after a batch of output and when the deadline passes.
  virtual void evaluate(double now) = 0;
  // The console closed (EOF, hangup).
  virtual void on_close(double now, const std::string& why) = 0;
  // Stop now (signal, operator): no more keys.
  virtual void abort(double now, const std::string& why) = 0;
  // Keys the guard approved, to hand to the single write path; at most one pending.
  virtual std::optional<Outgoing> take_send() = 0;
  virtual std::vector<SessionEvent> take_events() = 0;
  virtual std::optional<double> deadline() const = 0;
  virtual Outcome outcome() const = 0;
  virtual int exit_code() const = 0;  // the design's codes: 0, 3, 4, 5
  virtual const std::string& outcome_text() const = 0;
  virtual Screen screen() const = 0;

  // The write path asks before each key byte it writes: is the screen those keys were judged
  // for still the one shown? If not, it drops what is unwritten and says how much: the keys are
  // never written onto another screen, and the new screen is judged afresh.
  virtual bool keys_still_judged() const { return true; }
  virtual void keys_dropped(std::size_t bytes, double now) { (void)bytes, (void)now; }

  // A transport that reconnects (ssh): the console went away, so nothing may be sent and the
  // screen is no longer known; then it is back, showing only what is drawn from now on.
  virtual void on_detach(double now, const std::string& why) { (void)now, (void)why; }
  virtual void on_reattach(double now, const std::string& what) { (void)now, (void)what; }
  // Orchestration a plan step asks for before its keys ("media-swap 2": load volume 2 on the
  // VIOS). The runner has the transport do it and reports back; the keys wait until then.
  virtual std::optional<std::string> take_action() { return std::nullopt; }
  virtual void action_done(bool ok, const std::string& text, double now) { (void)ok, (void)text, (void)now; }
};

}  // namespace vtpilot
