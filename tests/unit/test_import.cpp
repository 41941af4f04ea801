// import: the real-format fixtures (fixtures/import/SOURCES.md) become the events they hold;
// bad input is an error with its reason.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fixture_util.hpp"
#include "vtpilot/record/import.hpp"

using namespace vtpilot;

namespace {

ImportFile file(const std::string& rel) { return ImportFile{rel, fixture::read(fixture::root() / "import" / rel)}; }

std::string keys_of(const ImportedLog& log) {
  std::string k;
  for (const CastEvent& e : log.events)
    if (e.type == 'i') k += e.data;
  return k;
}
std::string output_of(const ImportedLog& log) {
  std::string o;
  for (const CastEvent& e : log.events)
    if (e.type == 'o') o += e.data;
  return o;
}
bool times_never_go_back(const ImportedLog& log) {
  for (std::size_t i = 1; i < log.events.size(); ++i)
    if (log.events[i].t < log.events[i - 1].t) return false;
  return true;
}

}  // namespace

TEST_CASE("import: script --log-io with its advanced timing file: keys and output apart, times, size") {
  ImportRequest rq;
  rq.timing = file("script-io.timing");
  rq.io = file("script-io.log");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "script-advanced");
  CHECK(log.timed);
  CHECK(log.timestamp > 1700000000);
  CHECK(keys_of(log) == "15\r1\r7\r2\r2\r1\r1\r1\r2\r1\r3\r1\r0\r0\r0\r");
  // The output holds no key that the console did not echo (Enter is not echoed by lpar-sim),
  // and neither of script's own lines.
  const std::string out = output_of(log);
  CHECK(out.find("Script started") == std::string::npos);
  CHECK(out.find("Script done") == std::string::npos);
  CHECK(out.find("Migration Confirmation") != std::string::npos);
  CHECK(times_never_go_back(log));
  CHECK(log.events.back().t > 3.0);
}

TEST_CASE("import: the same typescript given as FILE: its timing's headers say it holds the keys too") {
  ImportRequest rq;
  rq.timing = file("script-io.timing");
  rq.file = file("script-io.log");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(keys_of(log) == "15\r1\r7\r2\r2\r1\r1\r1\r2\r1\r3\r1\r0\r0\r0\r");
}

TEST_CASE("import: script --log-out and --log-in files, each with its own Script started line") {
  ImportRequest rq;
  rq.timing = file("script-split.timing");
  rq.out = file("script-split.out");
  rq.in = file("script-split.in");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(keys_of(log) == "15\r1\r7\r");
  CHECK(output_of(log).find("Select Device Type") != std::string::npos);
  SUBCASE("--log-out alone: the output, the keys left out as scriptreplay does") {
    rq.in.reset();
    REQUIRE_FALSE(import_log(rq, log).has_value());
    CHECK(keys_of(log).empty());
    CHECK(output_of(log).find("Select Device Type") != std::string::npos);
  }
}

TEST_CASE("import: classic timing (DELAY BYTES) and its typescript") {
  ImportRequest rq;
  rq.timing = file("script-classic.timing");
  rq.file = file("script-classic.typescript");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "script-classic");
  CHECK(keys_of(log).empty());
  CHECK(output_of(log).find("Select Device Type") != std::string::npos);
  CHECK(log.events.size() > 3);
  CHECK(times_never_go_back(log));
}

TEST_CASE("import: a timing file that does not match its typescript is an error, with line and counts") {
  ImportedLog log;
  ImportRequest rq;
  SUBCASE("the timing asks for more bytes than the typescript has") {
    rq.timing = file("script-io.timing");
    rq.io = file("script-split.out");
    auto err = import_log(rq, log);
    REQUIRE(err.has_value());
    CHECK(err->find("does not match") != std::string::npos);
    CHECK(err->find("script-io.timing:") == 0);
  }
  SUBCASE("the typescript has bytes the timing never counts") {
    rq.timing = file("script-classic.timing");
    rq.file = file("script-io.log");
    auto err = import_log(rq, log);
    REQUIRE(err.has_value());
    CHECK(err->find("not in the timing file") != std::string::npos);
  }
  SUBCASE("a timing file that is not one") {
    rq.timing = ImportFile{"t", "hello world\n"};
    rq.file = file("script-classic.typescript");
    auto err = import_log(rq, log);
    REQUIRE(err.has_value());
    CHECK(err->find("t:1: not a script timing line") == 0);
  }
}

TEST_CASE("import: a password typed at Password: is one \"i\" event \"***\", its Enter included") {
  ImportRequest rq;
  rq.timing = file("script-io-login.timing");
  rq.io = file("script-io-login.log");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.passwords_masked == 1);
  const std::string k = keys_of(log);
  CHECK(k.find("n0t-a-real-pw") == std::string::npos);
  CHECK(k == "root\r***oslevel -s\rexit\r");
  CHECK(cast_text(log).find("n0t-a-real-pw") == std::string::npos);
}

TEST_CASE("mask_passwords: keys one at a time, and what follows the Enter in the same event") {
  std::vector<CastEvent> ev = {{0, 'o', "Console login: "}, {1, 'i', "root\r"}, {2, 'o', "\r\nroot's Password: "},
                               {3, 'i', "s"}, {3.1, 'i', "e"}, {3.2, 'i', "c\rls\r"}, {4, 'o', "# "}, {5, 'i', "x\r"}};
  CHECK(mask_passwords(ev) == 1);
  std::string k;
  for (auto& e : ev)
    if (e.type == 'i') k += e.data;
  CHECK(k == "root\r***ls\rx\r");
}

TEST_CASE("mask_passwords: a transcript's own \"***\" (Enter included) stays one answer; the keys after it are kept") {
  std::vector<CastEvent> ev = {{0, 'o', "root's Password: "}, {1, 'i', "***"}, {2, 'o', "\r\n# "}, {3, 'i', "oslevel -s"},
                               {3.5, 'i', "\r"}};
  CHECK(mask_passwords(ev) == 0);
  std::string k;
  for (auto& e : ev)
    if (e.type == 'i') k += e.data;
  CHECK(k == "***oslevel -s\r");
}

TEST_CASE("import: asciicast v2 from asciinema rec --stdin passes through, keys kept") {
  ImportRequest rq;
  rq.file = file("asciinema-v2.cast");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "asciicast-v2");
  CHECK(keys_of(log).rfind("15\r1\r7\r", 0) == 0);
  CHECK(log.width == 80);
}

TEST_CASE("import: asciicast v3 (intervals, term, # lines, x exit) becomes v2 with absolute times") {
  ImportRequest rq;
  rq.file = file("asciicast-v3.cast");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "asciicast-v3");
  CHECK(keys_of(log) == "15\r1\r7\r");
  CHECK(times_never_go_back(log));
  // Absolute times: the sum of the intervals.
  CHECK(log.events.back().t > 3.0);
  CHECK(log.events.back().type == 'm');
  CHECK(log.events.back().data == "exit 0");
  CHECK(log.events[log.events.size() - 2].type == 'r');
  // And what comes out is v2 that our own reader takes.
  const std::string text = cast_text(log);
  auto header = nlohmann::json::parse(text.substr(0, text.find('\n')));
  CHECK(header["version"] == 2);
  CHECK(header["width"] == 80);
  CHECK(header["vtpilot"]["command"] == "import");
}

TEST_CASE("import: conserver log: its [-- ... --] lines are markers with times, not screen bytes") {
  ImportRequest rq;
  rq.file = file("conserver.log");
  ImportedLog log;
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "conserver");
  std::vector<std::string> marks;
  for (auto& e : log.events)
    if (e.type == 'm') marks.push_back(e.data + "@" + std::to_string(static_cast<int>(e.t)));
  CHECK(marks == std::vector<std::string>{"conserver: Console up@0", "conserver: MARK@120",
                                          "conserver: admin@hmc01 attached@192", "conserver: MARK@420",
                                          "conserver: admin@hmc01 detached@510", "conserver: Console down@540"});
  CHECK(output_of(log).find("[--") == std::string::npos);
  CHECK(output_of(log).find("Main Menu") != std::string::npos);
}

TEST_CASE("import: plain logs: Expect's log_file, a typescript alone, PuTTY's header") {
  ImportedLog log;
  ImportRequest rq;
  rq.file = file("expect-log_file.log");
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "plain");
  CHECK_FALSE(log.timed);
  CHECK(output_of(log).find("Main Menu") != std::string::npos);

  rq.file = ImportFile{"ts", fixture::read(fixture::root() / "audit" / "sim-overwrite-chosen.typescript")};
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "script-typescript");
  CHECK(log.timestamp > 1700000000);
  CHECK(output_of(log).find("Script") == std::string::npos);

  rq.file = ImportFile{"putty.log", "=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.12.03 10:00:00 =~=~=~=~=~=~=~=~=~=~=~=\r\n"
                                    "Console login: "};
  REQUIRE_FALSE(import_log(rq, log).has_value());
  CHECK(log.format == "putty");
  CHECK(log.timestamp == 1796292000);
  CHECK(output_of(log) == "Console login: ");
}

TEST_CASE("import: bad input is an error that says what it is") {
  ImportedLog log;
  ImportRequest rq;
  auto err_of = [&](std::string text) {
    rq.file = ImportFile{"f", std::move(text)};
    auto e = import_log(rq, log);
    return e ? *e : std::string();
  };
  CHECK(err_of("") == "f: empty, nothing to import");
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919 + 13) % 256);
  CHECK(err_of(junk) == "f: binary data, not a console log");
  CHECK(err_of("{\"name\": \"x\"}\n").find("not an asciicast header") != std::string::npos);
  CHECK(err_of("{\"version\": 1, \"width\": 80}\n").find("version 1 is not one vtpilot reads") != std::string::npos);
  CHECK(err_of("{\"version\": 2, \"width\": 80, \"height\": 24}\n[1, \"o\"]\n").find("f:2: expected an event") == 0);
  CHECK(err_of("{\"version\": 2, \"width\": 80, \"height\": 24}\n[2, \"o\", \"a\"]\n[1, \"o\", \"b\"]\n") ==
        "f:3: time goes backwards");
  rq.file.reset();
  rq.io = ImportFile{"io", "x"};
  CHECK(import_log(rq, log).value().find("--log-io needs --log-timing") == 0);
}
