// Chunk-split invariance over whole recorded runs: every cast in fixtures/casts/, its console
// output cut into random pieces (across the recorded reads as well as inside them), fed to the
// Session on virtual time, must give the same recognized screens and the same keys as the
// recording. The fixture screens have the same property one screen at a time
// (test_fixtures.cpp); this is the engine's half: a decision made on a half-drawn screen, or a
// screen recognized only because of where a read ended, shows up here as a different trace.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "fixture_util.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/record/replay.hpp"
#include "vtpilot/run/runner.hpp"
#include "vtpilot/engine/session.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;

namespace {

struct Trace {
  std::vector<std::string> screens;  // recognized screen ids, in order
  std::string decisions;             // "screen keys" for every send, one per line
  std::string keys;                  // every key byte the engine sent ("***" for a secret)
  std::vector<int> progress;         // the progress events' percentages, in order
  Outcome outcome = Outcome::running;
  std::size_t evaluations = 0;       // (how many times the session was asked to look)
};

Plan migrate_plan() {
  Plan p;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), p, errors));
  return p;
}

// The output between two recorded keys, as one byte stream with the time each byte arrived.
struct Stretch {
  std::string bytes;
  std::vector<std::pair<std::size_t, double>> ends;  // (end offset of a recorded read, its time)
  std::string keys_after;                            // the keys recorded after it
};

std::vector<Stretch> stretches(const Cast& cast) {
  std::vector<Stretch> out(1);
  for (const CastEvent& e : cast.events) {
    if (e.type == 'o') {
      out.back().bytes += e.data;
      out.back().ends.push_back({out.back().bytes.size(), e.t});
    } else if (e.type == 'i') {
      out.back().keys_after += e.data;
      out.emplace_back();
    }
  }
  return out;
}

// Drives a Session over the cast. max_piece == 0: each recorded read whole, at its time (what
// `vtpilot replay` does). Otherwise pieces of 1..max_piece bytes that ignore the recorded read
// boundaries; a piece arrives at the time of the read holding its last byte.
// max_piece == SIZE_MAX: one console line per read, as a real console at its own pace sends them.
constexpr std::size_t kLines = static_cast<std::size_t>(-1);

Trace drive(const Cast& cast, std::size_t max_piece, std::mt19937& rng, EngineOptions eo = {}) {
  Session session(migrate_plan(), Recognizer::builtin(), Guard(Policy{}), eo);
  Trace trace;
  double t = 0;
  auto collect = [&](double now) {
    ++trace.evaluations;
    session.evaluate(now);
    // As in replay.cpp: the HMC's part (the media swap) happened when the cast was made.
    if (session.take_action()) {
      session.action_done(true, "", now);
      session.evaluate(now);
    }
    for (const SessionEvent& e : session.take_events())
      if (e.kind == SessionEvent::screen) trace.screens.push_back(e.screen_id);
      else if (e.kind == SessionEvent::send) trace.decisions += e.screen_id + " " + e.keys + "\n";
      else if (e.kind == SessionEvent::progress) trace.progress.push_back(e.percent);
    if (auto k = session.take_send()) {
      std::string keys = k->keys.spend();
      trace.keys += k->secret ? "***" : keys;
    }
  };
  auto fire_deadlines = [&](double until) {
    for (int n = 0; n < 1000; ++n) {
      auto d = session.deadline();
      if (!d || *d > until) break;
      t = std::max(t, *d);
      collect(t);
    }
  };
  for (const Stretch& s : stretches(cast)) {
    std::size_t pos = 0, read = 0;
    while (pos < s.bytes.size()) {
      std::size_t line_end = s.bytes.find("\r\n", pos);
      line_end = line_end == std::string::npos ? s.bytes.size() : line_end + 2;
      const std::size_t end =
          max_piece == 0       ? s.ends[read].first
          : max_piece == kLines ? line_end
                                : std::min(s.bytes.size(), pos + std::uniform_int_distribution<std::size_t>(1, max_piece)(rng));
      while (s.ends[read].first < end) ++read;
      const double at = s.ends[read].second;
      if (max_piece == 0) ++read;
      fire_deadlines(at);
      t = std::max(t, at);
      session.on_output(std::string_view(s.bytes).substr(pos, end - pos), t);
      collect(t);
      pos = end;
      if (session.outcome() != Outcome::running) break;
    }
    if (session.outcome() != Outcome::running) break;
  }
  trace.outcome = session.outcome();
  return trace;
}

// Is every element of `part`, in order, in `whole`?
bool subsequence(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  std::size_t i = 0;
  for (const std::string& s : whole)
    if (i < part.size() && s == part[i]) ++i;
  return i == part.size();
}

std::string recorded_keys(const Cast& cast) {
  std::string keys;
  for (const CastEvent& e : cast.events)
    if (e.type == 'i') keys += e.data;
  return keys;
}

}  // namespace

TEST_CASE("casts: random splits of every recorded run give the same screens and the same keys") {
  const auto casts = fixture::files(fixture::root() / "casts", ".cast");
  REQUIRE(casts.size() >= 2);
  std::mt19937 rng(8);  // fixed seed: a failure names its piece size and round, and reproduces
  for (const fs::path& path : casts) {
    CAPTURE(path.string());
    Cast cast;
    auto err = read_cast(path.string(), cast);
    REQUIRE_FALSE(err.has_value());
    const Trace reference = drive(cast, 0, rng);
    // The unsplit drive is the recording: same keys (so `vtpilot replay` agrees), and a run
    // through the whole migration, not a trivially empty trace.
    CHECK(reference.keys == recorded_keys(cast));
    CHECK(std::count(reference.decisions.begin(), reference.decisions.end(), '\n') >= 15);
    CHECK(reference.outcome == Outcome::done);
    // Tiny pieces (escape sequences and UTF-8 cut everywhere), read-sized ones, and pieces
    // larger than a screen that join several recorded reads into one.
    for (std::size_t max_piece : {4u, 17u, 200u, 4096u}) {
      for (int round = 0; round < (max_piece < 100 ? 1 : 2); ++round) {
        CAPTURE(max_piece);
        CAPTURE(round);
        const Trace t = drive(cast, max_piece, rng);
        // The same decision on the same screen, key for key, and the same end.
        CHECK(t.decisions == reference.decisions);
        CHECK(t.keys == reference.keys);
        CHECK(t.outcome == reference.outcome);
        // Every screen the recording recognized is recognized again, in order. Smaller reads
        // may also catch a transient screen (PLEASE WAIT, STARTING SOFTWARE, the POST after
        // the install) that the recorded read drew over at once; the plan only waits there,
        // which the equal decisions above prove.
        CHECK(subsequence(reference.screens, t.screens));
      }
    }
  }
}

TEST_CASE("casts: the unsplit drive of this test is what vtpilot replay does") {
  for (const fs::path& path : fixture::files(fixture::root() / "casts", ".cast")) {
    CAPTURE(path.string());
    Session session(migrate_plan(), Recognizer::builtin(), Guard(Policy{}), EngineOptions{});
    ReplayResult r = replay_cast(session, path.string());
    CHECK(r.exit_code == 0);
    Cast cast;
    REQUIRE_FALSE(read_cast(path.string(), cast).has_value());
    CHECK(r.keys_compared == recorded_keys(cast).size());
  }
}

TEST_CASE("casts: the stream shortcut (issue 21) makes the same decisions as judging the screen after every read") {
  // The session judges the whole screen only when a read may matter; here every fixture cast is
  // fed in many chunkings, one line per read among them (how a real console's install output
  // arrives), with the shortcut on and off: the same decisions, keys, screens, progress and end.
  const auto casts = fixture::files(fixture::root() / "casts", ".cast");
  REQUIRE(casts.size() >= 2);
  std::mt19937 rng(21);
  EngineOptions off;
  off.stream_shortcut = false;
  for (const fs::path& path : casts) {
    CAPTURE(path.string());
    Cast cast;
    REQUIRE_FALSE(read_cast(path.string(), cast).has_value());
    std::size_t saved = 0;
    for (std::size_t max_piece : {kLines, std::size_t{0}, std::size_t{9}, std::size_t{80}, std::size_t{300}, std::size_t{4096}}) {
      CAPTURE(max_piece);
      std::mt19937 a = rng, b = rng;  // the same pieces for both
      const Trace with = drive(cast, max_piece, a);
      const Trace without = drive(cast, max_piece, b, off);
      rng.discard(1);
      CHECK(with.decisions == without.decisions);
      CHECK(with.keys == without.keys);
      CHECK(with.outcome == without.outcome);
      auto join = [](const auto& v) {
        std::string out;
        for (const auto& x : v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(x)>, int>) out += std::to_string(x) + " ";
          else out += x + " ";
        }
        return out;
      };
      CHECK(join(with.screens) == join(without.screens));
      CHECK(join(with.progress) == join(without.progress));
      if (max_piece == kLines) saved = without.evaluations;
    }
    CHECK(saved > 500);  // line per read: the case where the shortcut has something to skip
  }
}
