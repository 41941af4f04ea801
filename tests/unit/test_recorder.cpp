#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fixture_util.hpp"
#include "vtpilot/record/recorder.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;

namespace {
fs::path temp_cast(const char* name) {
  fs::path p = fs::temp_directory_path() / (std::string("vtpilot-test-") + std::to_string(::getpid()) + "-" + name);
  fs::remove(p);
  return p;
}
}  // namespace

TEST_CASE("recorder: asciicast v2 header and o / i / m events, secrets as ***, each line JSON") {
  fs::path p = temp_cast("a.cast");
  {
    Recorder r;
    REQUIRE_FALSE(r.open(p.string(), 80, 24, "t", 1700000000).has_value());
    r.output(0.5, "Main Menu\r\n");
    r.input(0.6, "5", false);
    r.input(0.7, "hunter2", true);
    r.marker(0.8, mark::Event{SessionEvent::screen, "sms.main", "", "", ""});
    r.close();
    CHECK(r.ok());
  }
  std::string text = fixture::read(p);
  CHECK(text.find("hunter2") == std::string::npos);
  Cast cast;
  REQUIRE_FALSE(read_cast(p.string(), cast).has_value());
  REQUIRE(cast.events.size() == 4);
  CHECK(cast.events[0].type == 'o');
  CHECK(cast.events[0].data == "Main Menu\r\n");
  CHECK(cast.events[1].data == "5");
  CHECK(cast.events[2].data == "***");
  CHECK(cast.events[3].type == 'm');
  CHECK(cast.events[3].data == "screen sms.main");
  fs::remove(p);
}

TEST_CASE("recorder: a UTF-8 character split across reads is written whole") {
  fs::path p = temp_cast("b.cast");
  {
    Recorder r;
    REQUIRE_FALSE(r.open(p.string(), 80, 24, "t", 0).has_value());
    r.output(0.1, "caf\xc3");
    r.output(0.2, "\xa9!");
    r.close();
  }
  Cast cast;
  REQUIRE_FALSE(read_cast(p.string(), cast).has_value());
  std::string all;
  for (auto& e : cast.events) all += e.data;
  CHECK(all == "caf\xc3\xa9!");
  fs::remove(p);
}

TEST_CASE("recorder: never overwrites an existing transcript, unwritable path is an error") {
  fs::path p = temp_cast("c.cast");
  {
    Recorder r;
    REQUIRE_FALSE(r.open(p.string(), 80, 24, "t", 0).has_value());
  }
  Recorder again;
  CHECK(again.open(p.string(), 80, 24, "t", 0).has_value());
  CHECK_FALSE(again.ok());
  Recorder nowhere;
  CHECK(nowhere.open("/nonexistent-dir/x.cast", 80, 24, "t", 0).has_value());
  fs::remove(p);
}

TEST_CASE("recorder: a full disk stops recording and says so") {
  // A file size limit makes writes fail the way a full disk does (EFBIG instead of ENOSPC).
  fs::path p = temp_cast("full.cast");
  struct rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  Recorder r;
  bool opened = !r.open(p.string(), 80, 24, "t", 0).has_value();
  for (int i = 0; i < 1000 && r.ok(); ++i) r.output(i, std::string(100, 'x'));
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK(opened);
  CHECK_FALSE(r.ok());
  CHECK(r.error().find("write failed") != std::string::npos);
  fs::remove(p);
}

TEST_CASE("read_cast: bad casts give file:line errors") {
  fs::path p = temp_cast("d.cast");
  auto write = [&](const std::string& s) {
    fs::remove(p);
    std::FILE* f = std::fopen(p.c_str(), "w");
    std::fputs(s.c_str(), f);
    std::fclose(f);
  };
  Cast c;
  write("");
  CHECK(read_cast(p.string(), c).value_or("").find("empty") != std::string::npos);
  write("{\"version\":1}\n");
  CHECK(read_cast(p.string(), c).value_or("").find(":1:") != std::string::npos);
  write("{\"version\":2,\"width\":80,\"height\":24}\n[1.0, \"o\", \"x\"]\nnot json\n");
  CHECK(read_cast(p.string(), c).value_or("").find(":3:") != std::string::npos);
  write("{\"version\":2,\"width\":80,\"height\":24}\n[2.0, \"o\", \"x\"]\n[1.0, \"o\", \"y\"]\n");
  CHECK(read_cast(p.string(), c).value_or("").find("backwards") != std::string::npos);
  CHECK(read_cast("/nonexistent.cast", c).has_value());
  fs::remove(p);
}

TEST_CASE("read_cast: fuzz finds stay fixed (header fields of the wrong type)") {
  Cast c;
  auto err = read_cast(fixture::root().string() + "/fuzz/cast-header-width-is-string.cast", c);
  CHECK(err.has_value());
}

TEST_CASE("recorder: quotes, backslashes, controls and invalid UTF-8 round-trip as valid JSON") {
  fs::path p = temp_cast("e.cast");
  const std::string tricky = std::string("a\"b\\c\x01\x1b[2J\t\x7f\xc3\xa9 \xe2\x94\x80", 19) + "\xff\xc0" + "end";
  {
    Recorder r;
    REQUIRE_FALSE(r.open(p.string(), 80, 24, "t", 0).has_value());
    r.output(0.1, tricky);
    r.close();
  }
  Cast c;
  REQUIRE_FALSE(read_cast(p.string(), c).has_value());  // nlohmann parses every line
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].data.substr(0, 19) == tricky.substr(0, 19));
  CHECK(c.events[0].data.find("\xef\xbf\xbd" "\xef\xbf\xbd" "end") != std::string::npos);
  fs::remove(p);
}
