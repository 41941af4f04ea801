// replay_cast: the same session on virtual time. No sleeping: time is the cast's timestamps.
#include <algorithm>
#include <variant>

// The keys the engine sends are compared with the recorded ones, and the way it ends with the
// transcript's last event, `end OUTCOME exit=N [code=CODE]`: a cast without one is an
// incomplete recording (its run was killed, or the file was cut), never a pass.
#include "vtpilot/record/markers.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/record/replay.hpp"
#include "vtpilot/base/exit_code.hpp"

namespace vtpilot {

ReplayResult replay_cast(Driver& session, const std::string& cast_path) {
  Cast cast;
  if (auto err = read_cast(cast_path, cast)) {
    ReplayResult res;
    res.exit_code = kUsage;
    res.report = *err;
    return res;
  }
  return replay_cast(session, cast, cast_path);
}

ReplayResult replay_cast(Driver& session, const Cast& cast, const std::string& cast_path) {
  ReplayResult res;
  std::string expected, actual;
  std::string last_screen, engine_code;
  auto collect = [&](double t) {
    session.evaluate(t);
    // Orchestration (the HMC's media swap) happened when the cast was made: done at once here.
    if (auto action = session.take_action()) {
      session.action_done(true, "", t);
      session.evaluate(t);
    }
    for (const SessionEvent& e : session.take_events()) {
      if (!e.screen_id.empty()) last_screen = e.screen_id;
      if (e.kind == SessionEvent::halt) engine_code = e.code;
    }
    if (auto out = session.take_send()) {
      std::string k = out->keys.spend();  // the single write path of replay: nowhere to write
      actual += out->secret ? "***" : k;
    }
  };
  auto diverged = [&](std::size_t index, const CastEvent& e) {
    std::size_t at = 0;
    while (at < expected.size() && at < actual.size() && expected[at] == actual[at]) ++at;
    res.exit_code = kDiverged;
    res.report = cast_path + ":" + std::to_string(e.line) + ": replay diverged at event " + std::to_string(index) +
                 " (t=" + std::to_string(e.t) + "s) on screen " + (last_screen.empty() ? "(unknown)" : last_screen) +
                 "\n  recorded keys: " + printable_keys(expected.substr(at)) +
                 "\n  engine sent:   " + printable_keys(actual.substr(at)) +
                 "\n  (agreed on the first " + std::to_string(at) + " key bytes)";
    // The recording sent an Enter where this engine holds it until the console echoes the
    // answer's text: a cast made before answers were split (at --pacing 0, "2<Enter>" in one write).
    if (at == actual.size() && at < expected.size() && (expected[at] == '\r' || expected[at] == '\n'))
      res.report += "\n  (this engine sends an answer's Enter only once the screen shows its text typed; a cast "
                    "recorded by a vtpilot that sent both in one write does not replay: record it again)";
  };

  // The recorded end: the last event, if it is the end marker.
  std::optional<CastEnd> recorded;
  if (!cast.events.empty())
    if (auto m = parse_marker(cast.events.back()); m && std::holds_alternative<CastEnd>(*m)) recorded = std::get<CastEnd>(*m);

  double t = 0;
  for (std::size_t i = 0; i < cast.events.size(); ++i) {
    const CastEvent& e = cast.events[i];
    // Deadlines that fall before this event fire first, on virtual time.
    for (int guard = 0; guard < 1000; ++guard) {
      auto d = session.deadline();
      if (!d || *d > e.t) break;
      t = std::max(t, *d);
      collect(t);
    }
    t = std::max(t, e.t);
    if (recorded && i + 1 == cast.events.size()) break;  // the end marker: the engine's end is compared below
    if (e.type == 'o') {
      session.on_output(e.data, t);
      res.output_bytes += e.data.size();
      collect(t);
    } else if (e.type == 'm') {
      // What came from outside the engine, as the recording marks it: a reconnect, the console
      // closing, a stop (signal or operator). The engine's own decisions are never taken from it.
      // Keys the live write path dropped because their screen was gone never reached the
      // console (no "i" event): this engine sent them at once, so they are taken back here.
      const std::optional<Marker> m = parse_marker(e);
      const mark::Event* ev = m ? std::get_if<mark::Event>(&*m) : nullptr;
      auto is = [&](SessionEvent::Kind kind, const char* code) { return ev && ev->kind == kind && ev->code == code; };
      if (const mark::Dropped* d = m ? std::get_if<mark::Dropped>(&*m) : nullptr) {
        const std::size_t unmatched = actual.size() > expected.size() ? actual.size() - expected.size() : 0;
        actual.resize(actual.size() - std::min(d->bytes, unmatched));
        session.keys_dropped(d->bytes, t);
      } else if (is(SessionEvent::note, "detached")) session.on_detach(t, "recorded gap");
      else if (is(SessionEvent::note, "reattached")) session.on_reattach(t, "recorded gap ended");
      else if (is(SessionEvent::halt, "console-closed")) session.on_close(t, "the console closed (as recorded)");
      else if (is(SessionEvent::note, "finishing") || is(SessionEvent::halt, "aborted"))
        session.abort(t, "stopped (as recorded)");
      collect(t);
    } else if (e.type == 'i') {
      expected += e.data;
      if (actual.compare(0, expected.size(), expected) != 0 || actual.size() < expected.size()) {
        diverged(i, e);
        return res;
      }
    }
    if (actual.size() > expected.size() + 64 || (session.outcome() == Outcome::refused)) break;
  }
  const CastEnd engine{session.outcome() == Outcome::running ? "running" : outcome_for_exit(session.exit_code()),
                       session.outcome() == Outcome::running ? -1 : session.exit_code(),
                       session.outcome() == Outcome::done ? "" : engine_code};
  if (session.outcome() == Outcome::refused && !(recorded && recorded->exit == kRefused && recorded->code == engine.code)) {
    res.exit_code = kRefused;
    res.report = "the guard refused: " + session.outcome_text();
    return res;
  }
  // Keys the engine sent that the recording never did.
  if (actual != expected) {
    CastEvent last = cast.events.empty() ? CastEvent{} : cast.events.back();
    diverged(cast.events.size(), last);
    return res;
  }
  res.keys_compared = expected.size();
  // A log brought in by `vtpilot import` (script, conserver, asciicast v3) never recorded how its
  // session ended: its keys are what can be compared, and the report says so.
  if (!recorded && cast.meta && cast.meta->command == "import") {
    res.end = "end unknown (an imported log records none: only the keys were compared)";
    return res;
  }
  if (!recorded) {
    res.exit_code = kDiverged;
    res.report = cast_path + ": incomplete recording: no `end` marker as its last event (the run that wrote it was "
                 "killed, or the file was cut short, or an older vtpilot wrote it); the " + std::to_string(expected.size()) +
                 " key bytes it holds agree, but how it ended is unknown";
    return res;
  }
  // A stop (signal) has its exit code from outside the engine: the engine must have stopped too.
  const bool same = recorded->exit >= 128 ? engine.code == "aborted" && recorded->code == "aborted"
                                           : recorded->exit == engine.exit && recorded->code == engine.code;
  if (!same) {
    res.exit_code = kDiverged;
    res.report = cast_path + ":" + std::to_string(cast.events.back().line) + ": the recording ended `" + recorded->marker() +
                 "`, the engine " +
                 (session.outcome() == Outcome::running ? "had not ended (still on " + (last_screen.empty() ? std::string("an unknown screen") : last_screen) + ")"
                                                        : "ended `" + engine.marker() + "`: " + session.outcome_text());
    return res;
  }
  res.end = recorded->marker();
  return res;
}

}  // namespace vtpilot
