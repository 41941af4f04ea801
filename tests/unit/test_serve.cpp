// The live view's pure parts: --serve's address, the loopback rule, the status model, and the
// recorder's tap that feeds the player (issue 19). The server itself: tests/serve, tests/browser.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vtpilot/record/markers.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/serve/server.hpp"
#include "vtpilot/serve/status.hpp"

using namespace vtpilot;
using namespace vtpilot::serve;

TEST_CASE("serve: --serve takes PORT, ADDR:PORT or [V6]:PORT, loopback unless told otherwise") {
  Listen l;
  CHECK_FALSE(parse_listen("8080", l));
  CHECK(l.host == "127.0.0.1");
  CHECK(l.port == 8080);
  CHECK_FALSE(parse_listen("0.0.0.0:0", l));
  CHECK(l.host == "0.0.0.0");
  CHECK(l.port == 0);
  CHECK_FALSE(parse_listen("[::1]:9", l));
  CHECK(l.host == "::1");
  CHECK_FALSE(parse_listen("localhost:80", l));
  CHECK(l.host == "127.0.0.1");
  CHECK(parse_listen("", l));
  CHECK(parse_listen("host.example:80", l)->find("not an IP address") != std::string::npos);
  CHECK(parse_listen("1:2:3", l)->find("brackets") != std::string::npos);
  CHECK(parse_listen("127.0.0.1:65536", l));
  CHECK(parse_listen("127.0.0.1:", l));
  CHECK(parse_listen("127.0.0.1:8o", l));
  CHECK(parse_listen("[::1]8080", l));
}

TEST_CASE("serve: only 127.0.0.0/8 and ::1 go without a token") {
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.3.2.1"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("::ffff:127.0.0.1"));
  CHECK_FALSE(is_loopback("0.0.0.0"));
  CHECK_FALSE(is_loopback("::"));
  CHECK_FALSE(is_loopback("10.0.0.1"));
  CHECK_FALSE(is_loopback("128.0.0.1"));
  CHECK_FALSE(is_loopback("not-an-address"));
  const std::string a = random_token(), b = random_token();
  CHECK(a.size() == 32);
  CHECK(a != b);
}

TEST_CASE("serve: run --verify's verdict on the status: the checks, and a failed one ends the run check-failed, exit 7") {
  StatusBoard board;
  const int a = board.add("lpar01", "a.cast"), b = board.add("lpar02", "b.cast");
  auto row = [&](int i) { return nlohmann::json::parse(board.json(1, 0, 0))["lpars"][static_cast<std::size_t>(i)]; };
  CHECK_FALSE(row(a).contains("verify"));  // no verdict yet: no field
  Report pass;
  pass.kind = "verify";
  pass.level = "7200-05-11-2546";
  pass.checks = {{"oslevel", "oslevel at target", CheckStatus::pass, "7200-05-11-2546"},
                 {"errpt", "errpt (review)", CheckStatus::info, "3 latest"}};
  Report fail = pass;
  fail.checks.push_back({"lppchk", "lppchk -v clean", CheckStatus::fail, "bos.rte.security not installed"});
  board.verdict(a, pass);
  board.verdict(b, fail);
  board.finished(a, 0, "done", "", 9);
  board.finished(b, 0, "done", "", 9);  // the plan's run ended 0; the checks decide
  auto ra = row(a), rb = row(b);
  CHECK(ra["state"] == "done");
  CHECK(ra["exit"] == 0);
  CHECK(ra["verify"]["ok"] == true);
  CHECK(ra["verify"]["level"] == "7200-05-11-2546");
  CHECK(ra["verify"]["checks"][0]["status"] == "pass");
  CHECK(ra["verify"]["checks"][1]["status"] == "info");
  CHECK(rb["state"] == "check-failed");
  CHECK(rb["exit"] == 7);
  CHECK(rb["code"] == "verify:lppchk");
  CHECK(rb["reason"] == "lppchk -v clean: bos.rte.security not installed");
  CHECK(rb["verify"]["ok"] == false);
  CHECK(rb["verify"]["checks"][2]["status"] == "fail");
}

TEST_CASE("serve: the status follows an LPAR from attaching to done, keys with their verdicts") {
  StatusBoard board;
  const int i = board.add("lpar01", "lpar01.cast");
  auto row = [&] { return nlohmann::json::parse(board.json(10, 3, 1))["lpars"][0]; };
  CHECK(row()["state"] == "attaching");
  CHECK_FALSE(row().contains("screen"));  // unknown fields are left out, never null
  const auto v0 = board.version();
  board.event(i, {SessionEvent::screen, 1.0, "bos.method", "", "", "Installation and Settings"});
  CHECK(board.version() > v0);
  CHECK(row()["state"] == "screen");
  CHECK(row()["title"] == "Installation and Settings");
  board.event(i, {SessionEvent::send, 1.5, "bos.method", "3<Enter>", "", ""});
  board.event(i, {SessionEvent::screen, 2.0, "bos.progress", "", "", "installp: APPLYING software"});
  CHECK_FALSE(row().contains("title"));  // a stream screen has no title
  SessionEvent p{SessionEvent::progress, 3.0, "bos.progress", "", "", ""};
  p.percent = 40;
  p.elapsed_min = 20;
  board.event(i, p);
  auto r = row();
  CHECK(r["state"] == "installing");
  CHECK(r["percent"] == 40);
  CHECK(r["eta_min"] == 30);
  CHECK(r["keys_sent"] == 1);
  CHECK(r["keys"][0]["keys"] == "3<Enter>");
  CHECK(r["keys"][0]["verdict"] == "sent");
  board.event(i, {SessionEvent::done, 9.0, "aix.login", "", "", "reached aix.login"});
  board.finished(i, 0, "done", "", 9.5);
  r = row();
  CHECK(r["state"] == "done");
  CHECK(r["finished"] == true);
  CHECK(r["exit"] == 0);
  auto top = nlohmann::json::parse(board.json(10, 3, 1));
  CHECK(top["viewers"] == 3);
  CHECK(top["dropped"] == 1);
  CHECK(r["events_url"] == "/api/lpar/0/events");
}

TEST_CASE("serve: a refusal shows its code and reason, and stays the state when the run halts on it") {
  StatusBoard board;
  const int i = board.add("lpar02", "x.cast");
  board.event(i, {SessionEvent::refuse, 4.0, "bos.disks", "1", "altinst-disk", "Refused: hdisk1 is the clone"});
  board.event(i, {SessionEvent::halt, 4.0, "bos.disks", "", "altinst-disk", "Refused: hdisk1 is the clone"});
  board.finished(i, 3, "Refused: hdisk1 is the clone", "altinst-disk", 4.1);
  auto r = nlohmann::json::parse(board.json(5, 0, 0))["lpars"][0];
  CHECK(r["state"] == "refused");
  CHECK(r["code"] == "altinst-disk");
  CHECK(r["keys_refused"] == 1);
  CHECK(r["keys"][0]["verdict"] == "refused");
  // Only the latest keys are kept in the status (the transcript has them all).
  for (int k = 0; k < 100; ++k) board.event(i, {SessionEvent::send, 5.0 + k, "x", "1", "", ""});
  CHECK(board.lpars()[0].keys.size() <= StatusBoard::kMaxKeys);
}

TEST_CASE("serve: the recorder's tap sees each line as it is in the file, with the file's size after it") {
  const auto path = std::filesystem::temp_directory_path() / ("vtpilot-serve-tap-" + std::to_string(::getpid()) + ".cast");
  std::filesystem::remove(path);
  Recorder rec;
  std::string tapped;
  std::uint64_t last_end = 0;
  bool in_file = true;
  rec.on_line = [&](std::string_view line, std::uint64_t end) {
    tapped += line;
    last_end = end;
    in_file = in_file && std::filesystem::file_size(path) == end;  // written before the tap runs
  };
  REQUIRE_FALSE(rec.open(path.string(), 80, 24, "t", 0));
  CHECK(rec.bytes_written() == rec.header().size() + 1);
  rec.output(0.5, "Welcome\r\n\xc3");  // a split UTF-8 character waits for its end
  rec.output(0.6, "\xa9 \"quoted\"");
  rec.input(0.7, "hunter2\r", true);
  rec.marker(0.8, mark::Event{SessionEvent::screen, "bos.welcome", "", "", ""});
  rec.close();
  std::ifstream f(path);
  std::stringstream all;
  all << f.rdbuf();
  CHECK(all.str() == rec.header() + "\n" + tapped);
  CHECK(last_end == all.str().size());
  CHECK(in_file);
  CHECK(tapped.find("hunter2") == std::string::npos);  // secrets are *** in the file, so in the view
  std::filesystem::remove(path);
}
