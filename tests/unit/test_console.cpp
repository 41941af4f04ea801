// Console: the single write path. Nothing reaches the console unrecorded.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <utility>  // before Asio (debian12-notes.md)

#include <boost/asio/io_context.hpp>
#include <csignal>
#include <filesystem>

#include "vtpilot/record/recorder.hpp"
#include "vtpilot/term/terminal.hpp"
#include "vtpilot/transport/console.hpp"
#include "vtpilot/transport/transport.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;

namespace {
class FakeTransport final : public Transport {
 public:
  std::string written;
  void start(DataFn, CloseFn) override {}
  void stop() override {}
  std::string describe() const override { return "fake"; }

 protected:
  void write_bytes(std::string_view bytes) override { written += bytes; }
};

Approved approved(const std::string& keys) {
  Policy p;
  p.allow_unknown_screen = true;  // a blank screen: nothing for either layer to refuse
  auto v = Guard(p).approve(Recognized{}, render(""), keys);
  REQUIRE(std::holds_alternative<Approved>(v));
  return std::move(std::get<Approved>(v));
}
}  // namespace

TEST_CASE("console: keys are recorded, then written") {
  fs::path p = fs::temp_directory_path() / ("vtpilot-console-" + std::to_string(::getpid()) + "-a.cast");
  fs::remove(p);
  boost::asio::io_context io;
  FakeTransport t;
  Recorder rec;
  REQUIRE_FALSE(rec.open(p.string(), 80, 24, "t", 0).has_value());
  Console console(io, t, rec, [] { return 1.0; }, 0.0);
  console.send(approved("5\r"), false);
  io.run();
  rec.close();
  CHECK(t.written == "5\r");
  Cast cast;
  REQUIRE_FALSE(read_cast(p.string(), cast).has_value());
  REQUIRE(cast.events.size() == 1);
  CHECK(cast.events[0].type == 'i');
  CHECK(cast.events[0].data == "5\r");
  fs::remove(p);
}

TEST_CASE("console: a key whose record cannot be written is never sent (disk full at that very key)") {
  // The end-to-end case (tests/cli/transcript_full.sh) usually fills the disk on console output
  // or a marker; this one fails exactly the key's own record, which once still went out.
  fs::path p = fs::temp_directory_path() / ("vtpilot-console-" + std::to_string(::getpid()) + "-b.cast");
  fs::remove(p);
  boost::asio::io_context io;
  FakeTransport t;
  Recorder rec;
  REQUIRE_FALSE(rec.open(p.string(), 80, 24, "t", 0).has_value());  // also ignores SIGXFSZ
  struct rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  struct rlimit small = old;
  small.rlim_cur = fs::file_size(p) + 4;  // the header fits; no event line does
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string error;
  Console console(io, t, rec, [] { return 1.0; }, 0.0);
  console.on_record_error = [&](const std::string& why) { error = why; };
  console.send(approved("1"), false);
  io.run();
  ::setrlimit(RLIMIT_FSIZE, &old);
  CHECK(t.written.empty());
  CHECK_FALSE(rec.ok());
  CHECK(error.find("write failed") != std::string::npos);
  CHECK_FALSE(console.busy());
  rec.close();
  fs::remove(p);
}

TEST_CASE("console: keys whose screen is gone are not written: the rest is dropped, and said") {
  // Issue 20: a paced answer still going out (or its queued Enter) when the console draws
  // another screen must not land there. The write path asks before every byte.
  fs::path p = fs::temp_directory_path() / ("vtpilot-console-" + std::to_string(::getpid()) + "-c.cast");
  fs::remove(p);
  boost::asio::io_context io;
  FakeTransport t;
  Recorder rec;
  REQUIRE_FALSE(rec.open(p.string(), 80, 24, "t", 0).has_value());
  double clock = 0;
  Console console(io, t, rec, [&] { return clock += 0.01; }, 0.001);  // paced: one byte at a time
  std::size_t dropped = 0;
  bool idle = false;
  console.still_judged = [&] { return t.written.size() < 2; };  // the screen changes after 2 bytes
  console.on_dropped = [&](std::size_t n) { dropped = n; };
  console.on_idle = [&] { idle = true; };
  console.send(approved("vt100"), false);
  io.run();
  rec.close();
  CHECK(t.written == "vt");
  CHECK(dropped == 3);
  CHECK_FALSE(idle);  // on_dropped, not on_idle, reports the end of this answer
  CHECK_FALSE(console.busy());
  Cast cast;
  REQUIRE_FALSE(read_cast(p.string(), cast).has_value());
  std::string recorded;
  for (const CastEvent& e : cast.events)
    if (e.type == 'i') recorded += e.data;
  CHECK(recorded == "vt");  // the transcript holds only what was written
  fs::remove(p);
}
