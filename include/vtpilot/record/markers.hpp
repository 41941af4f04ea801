#pragma once
// Transcript markers: the text of a cast's "m" events (design.md ◆ "Transcripts"), written and
// read here only. Every writer builds a Marker and the recorder formats it; every reader parses
// an "m" event back into one. A marker is told from console output by its event type, never by
// its text: "end done exit=0" printed by the console is an "o" event, and parse_marker(CastEvent)
// does not look at it.
//
// The texts are a contract (users' scripts and `grep` read them; old casts must replay), so they
// stay as they always were:
//   KIND[ SCREEN][ keys=KEYS][ [CODE]][: TEXT]    an engine event (screen, send, refuse, note,
//                                                 halt, done, propose; progress is not recorded)
//   action WHAT / action done[: TEXT] / action FAILED[: TEXT]     orchestration (the media swap)
//   dropped: N key bytes not sent (their screen is gone)         the write path dropped keys
//   gap: N key bytes not sent / gap: WHY / gap end: WHAT         the link dropped, came back
//   stopped again: N key bytes not sent                          a second stop dropped keys
//   hmc: TEXT                                                    what was done on the HMC
//   end OUTCOME exit=N[ code=CODE]                               how the run ended (the last event)
//   exit STATUS / conserver: TEXT                                written by `import` (asciicast
//                                                                v3 exit status, conserver lines)
// Ambiguities the format has (kept for compatibility): an event's keys that contain " [" or
// ": " are cut there when read back; an action named "done" or "FAILED" reads as its result.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vtpilot/engine/driver.hpp"

namespace vtpilot {

struct CastEvent;

// How the run ended: the transcript's last event, the marker `end OUTCOME exit=N [code=CODE]`.
struct CastEnd {
  std::string outcome;  // done, refused, halted, console-lost, stopped, check-failed, usage
  int exit = 0;
  std::string code;     // the halt's reason code, when there is one
  std::string marker() const;  // its text (format_marker)
  bool operator==(const CastEnd&) const = default;
};
// The outcome word for an exit code.
std::string outcome_for_exit(int exit);

namespace mark {
// An engine event as recorded (SessionEvent without its progress numbers).
struct Event {
  SessionEvent::Kind kind = SessionEvent::note;
  std::string screen, keys, code, text;
  bool operator==(const Event&) const = default;
};
struct Action {  // `action WHAT`: an orchestration step starts
  std::string what;
  bool operator==(const Action&) const = default;
};
struct ActionResult {  // `action done[: TEXT]` / `action FAILED[: TEXT]`
  bool ok = true;
  std::string text;
  bool operator==(const ActionResult&) const = default;
};
struct Dropped {  // keys the write path dropped because their screen was gone
  std::size_t bytes = 0;
  bool operator==(const Dropped&) const = default;
};
struct GapDiscard {  // keys in flight discarded when the link dropped
  std::size_t bytes = 0;
  bool operator==(const GapDiscard&) const = default;
};
struct Gap {  // the link dropped
  std::string why;
  bool operator==(const Gap&) const = default;
};
struct GapEnd {  // the link is back
  std::string what;
  bool operator==(const GapEnd&) const = default;
};
struct StoppedAgain {  // a second stop discarded the answer in flight
  std::size_t bytes = 0;
  bool operator==(const StoppedAgain&) const = default;
};
struct Hmc {  // what the transport did on the HMC (power on, rmvterm, media)
  std::string text;
  bool operator==(const Hmc&) const = default;
};
struct Exit {  // import: an asciicast v3 "x" event (the recorded program's exit status)
  std::string status;
  bool operator==(const Exit&) const = default;
};
struct Conserver {  // import: a conserver `[-- ... --]` line
  std::string text;
  bool operator==(const Conserver&) const = default;
};
}  // namespace mark

using Marker = std::variant<mark::Event, mark::Action, mark::ActionResult, mark::Dropped, mark::GapDiscard, mark::Gap,
                            mark::GapEnd, mark::StoppedAgain, mark::Hmc, CastEnd, mark::Exit, mark::Conserver>;

// The marker of an engine event.
mark::Event event_marker(const SessionEvent& e);

// The text of a marker, as the "m" event carries it.
std::string format_marker(const Marker& m);
// The marker a text is, or nothing (not one vtpilot writes).
std::optional<Marker> parse_marker(std::string_view text);
// The marker an event is: only "m" events are markers.
std::optional<Marker> parse_marker(const CastEvent& e);

}  // namespace vtpilot
