// Transcript markers (markers.hpp): one writer, one reader. The texts are a contract (design.md
// ◆ "Transcripts"): each kind is pinned to its exact text, read back to the same value, and every
// marker of the recorded fixture casts reads and writes back byte for byte.
#include <doctest/doctest.h>

#include "fixture_util.hpp"
#include "vtpilot/record/markers.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/record/replay.hpp"
#include "vtpilot/engine/session.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;

namespace {

Plan migrate_plan() {
  Plan p;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), p, errors));
  return p;
}

ReplayResult replay(const Cast& cast) {
  Session session(migrate_plan(), Recognizer::builtin(), Guard(Policy{}), EngineOptions{});
  return replay_cast(session, cast, "t.cast");
}

Cast power7() {
  Cast cast;
  REQUIRE_FALSE(read_cast((fixture::root() / "casts" / "migrate-power7.cast").string(), cast).has_value());
  return cast;
}

}  // namespace

TEST_CASE("markers: each kind has its text, and that text reads back as the same marker") {
  using K = SessionEvent;
  const std::vector<std::pair<Marker, std::string>> cases = {
      {mark::Event{K::screen, "sms.main", "", "", "Main Menu"}, "screen sms.main: Main Menu"},
      {mark::Event{K::screen, "bos.progress", "", "", ""}, "screen bos.progress"},
      {mark::Event{K::send, "bos.method", "2<Enter>", "", "Migration Install"}, "send bos.method keys=2<Enter>: Migration Install"},
      {mark::Event{K::refuse, "bos.disks", "1<Enter>", "altinst-disk", "Refused: hdisk1 is altinst_rootvg"},
       "refuse bos.disks keys=1<Enter> [altinst-disk]: Refused: hdisk1 is altinst_rootvg"},
      {mark::Event{K::note, "", "", "unknown-screen", "nothing recognized"}, "note [unknown-screen]: nothing recognized"},
      {mark::Event{K::note, "", "", "reattached", "link back; reading the screen again"},
       "note [reattached]: link back; reading the screen again"},
      {mark::Event{K::halt, "sms.main", "", "console-closed", "the console closed: EOF"},
       "halt sms.main [console-closed]: the console closed: EOF"},
      {mark::Event{K::halt, "", "", "timeout", ""}, "halt [timeout]"},
      {mark::Event{K::done, "aix.login", "", "", "migrated: Console login: seen"}, "done aix.login: migrated: Console login: seen"},
      {mark::Event{K::propose, "bos.welcome", "1<Enter>", "", "Start Install Now"}, "propose bos.welcome keys=1<Enter>: Start Install Now"},
      {mark::Event{K::send, "", "***", "", ""}, "send keys=***"},
      {mark::Action{"media-swap 2"}, "action media-swap 2"},
      {mark::ActionResult{true, ""}, "action done"},
      {mark::ActionResult{true, "loaded aix72_vol2.iso"}, "action done: loaded aix72_vol2.iso"},
      {mark::ActionResult{false, "HSCL1234 no such media"}, "action FAILED: HSCL1234 no such media"},
      {mark::Dropped{3}, "dropped: 3 key bytes not sent (their screen is gone)"},
      {mark::GapDiscard{2}, "gap: 2 key bytes not sent"},
      {mark::Gap{"ssh: connection lost"}, "gap: ssh: connection lost"},
      {mark::GapEnd{"reconnected after 4 s"}, "gap end: reconnected after 4 s"},
      {mark::StoppedAgain{1}, "stopped again: 1 key bytes not sent"},
      {mark::Hmc{"rmvterm -m MS -p lpar01 (our own dropped session held it)"},
       "hmc: rmvterm -m MS -p lpar01 (our own dropped session held it)"},
      {CastEnd{"done", 0, ""}, "end done exit=0"},
      {CastEnd{"refused", 3, "altinst-disk"}, "end refused exit=3 code=altinst-disk"},
      {CastEnd{"stopped", 130, "aborted"}, "end stopped exit=130 code=aborted"},
      {mark::Exit{"0"}, "exit 0"},
      {mark::Conserver{"MARK -- Tue Mar  5 10:00:00 2024"}, "conserver: MARK -- Tue Mar  5 10:00:00 2024"},
  };
  for (const auto& c : cases) {  // not a structured binding: clang 14 cannot capture one (CAPTURE)
    const Marker& marker = c.first;
    const std::string& text = c.second;
    CAPTURE(text);
    CHECK(format_marker(marker) == text);
    const auto back = parse_marker(text);
    REQUIRE(back.has_value());
    CHECK(back->index() == marker.index());
    CHECK(*back == marker);
  }
  CHECK(CastEnd{"halted", 4, "not-installed"}.marker() == "end halted exit=4 code=not-installed");
}

TEST_CASE("markers: an event's code and text are found even when the text has brackets and colons") {
  const auto m = parse_marker("note bos.disks [unexpected-screen]: the screen says [detached]: really");
  REQUIRE(m.has_value());
  const auto* e = std::get_if<mark::Event>(&*m);
  REQUIRE(e != nullptr);
  CHECK(e->kind == SessionEvent::note);
  CHECK(e->screen == "bos.disks");
  CHECK(e->code == "unexpected-screen");
  CHECK(e->text == "the screen says [detached]: really");
  // Keys with a bracket that is not a code.
  const auto k = parse_marker("send sms.boot_order keys=[<Enter> [x]: y");
  REQUIRE(k.has_value());
  CHECK(std::get<mark::Event>(*k).keys == "[<Enter>");
  CHECK(std::get<mark::Event>(*k).code == "x");
}

TEST_CASE("markers: text that is no marker vtpilot writes reads as none") {
  for (const char* text : {"", "hello", "screenful of text", "end done", "end", "end done exit=", "end done exit=x",
                           "dropped: 3 keys", "dropped: x key bytes not sent (their screen is gone)",
                           "stopped again: many key bytes not sent", "note sms.main [open", "halt sms.main trailing words"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_marker(text).has_value());
  }
}

TEST_CASE("markers: console output that reads like a marker is not one") {
  // The console printed "end done exit=0": an "o" event. Only "m" events are markers.
  CHECK_FALSE(parse_marker(CastEvent{1.0, 'o', "end done exit=0", 1}).has_value());
  CHECK_FALSE(parse_marker(CastEvent{1.0, 'i', "end done exit=0", 1}).has_value());
  CHECK(parse_marker(CastEvent{1.0, 'm', "end done exit=0", 1}).has_value());

  // A recording whose last event is that output has no end: an incomplete recording.
  Cast cast = power7();
  REQUIRE(cast.events.back().type == 'm');
  REQUIRE(cast.events.back().data == "end done exit=0");
  CHECK(replay(cast).exit_code == 0);
  cast.events.back().type = 'o';
  cast.events.back().data = "\r\nend done exit=0";
  const ReplayResult r = replay(cast);
  CHECK(r.exit_code == 6);
  CHECK(r.report.find("incomplete recording") != std::string::npos);
}

TEST_CASE("markers: replay acts on a marker's kind and code, not on words in its text") {
  // A note whose text quotes "[detached]" (an operator's note, a screen's words) is not a link
  // drop: read by substring it held every key after it (nothing is sent until a reattach).
  Cast cast = power7();
  std::size_t first_key = 0;
  while (cast.events[first_key].type != 'i') ++first_key;
  const double t = cast.events[first_key].t;
  cast.events.insert(cast.events.begin() + static_cast<long>(first_key),
                     CastEvent{t, 'm', "note [operator-note]: the HMC said [detached] earlier; halt [aborted] too", 0});
  const ReplayResult r = replay(cast);
  CHECK(r.exit_code == 0);
  CHECK(r.report == "");
  // The real marker still acts: a recorded stop stops the engine.
  Cast stopped = power7();
  stopped.events.insert(stopped.events.begin() + static_cast<long>(first_key),
                        CastEvent{t, 'm', "halt [aborted]: stopped by signal SIGINT", 0});
  CHECK(replay(stopped).exit_code == 6);
}

TEST_CASE("markers: every marker of the recorded fixture casts reads, and writes back byte for byte") {
  std::size_t seen = 0;
  for (const fs::path& path : fixture::files(fixture::root() / "casts", ".cast")) {
    Cast cast;
    REQUIRE_FALSE(read_cast(path.string(), cast).has_value());
    for (const CastEvent& e : cast.events) {
      if (e.type != 'm') continue;
      CAPTURE(path.string());
      CAPTURE(e.data);
      const auto m = parse_marker(e);
      REQUIRE(m.has_value());
      CHECK(format_marker(*m) == e.data);
      ++seen;
    }
  }
  CHECK(seen > 20);
}
