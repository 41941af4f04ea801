// audit: choices rebuilt from lpar-sim runs recorded with script (fixtures/audit/SOURCES.md),
// driven with the right keys and with Overwrite chosen; the guard's verdict on each.
#include <doctest/doctest.h>

#include "fixture_util.hpp"
#include "vtpilot/record/audit.hpp"
#include "vtpilot/record/import.hpp"
#include "vtpilot/screens/recognizer.hpp"

using namespace vtpilot;

namespace {

ImportedLog load(const std::string& base, bool with_timing) {
  const auto dir = fixture::root() / "audit";
  ImportRequest rq;
  if (with_timing) {
    rq.timing = ImportFile{base + ".timing", fixture::read(dir / (base + ".timing"))};
    rq.io = ImportFile{base + ".io", fixture::read(dir / (base + ".io"))};
  } else {
    rq.file = ImportFile{base, fixture::read(dir / base)};
  }
  ImportedLog log;
  auto err = import_log(rq, log);
  REQUIRE_FALSE(err.has_value());
  return log;
}

// "screen keys verdict" per choice.
std::vector<std::string> summary(const AuditReport& r) {
  std::vector<std::string> out;
  for (const AuditChoice& c : r.choices)
    out.push_back(c.screen + " " + (c.keys.empty() ? "Enter" : c.keys) + " " + (c.verdict.allow ? "allow" : "refuse"));
  return out;
}

const std::vector<std::string> kSms = {
    "sms.main 5 allow",         "sms.boot_options 1 allow", "sms.device_type 7 allow",
    "sms.device_list 2 allow",  "sms.select_task 2 allow",  "sms.exit_confirm 1 allow",
    "bos.console 1 allow",      "bos.language 1 allow",     "bos.welcome 2 allow",
    "bos.settings 1 allow"};

}  // namespace

TEST_CASE("audit: the right keys on lpar-sim: every choice rebuilt from the echo, none refused") {
  const ImportedLog log = load("sim-right-keys", true);
  const AuditReport r = audit_events(log.events, Recognizer::builtin(), Policy{}, log.height, log.width);
  std::vector<std::string> want = kSms;
  for (const char* s : {"bos.method 3 allow", "bos.disks 1 allow", "bos.disks 0 allow", "bos.settings 0 allow",
                        "bos.migration_confirm 0 allow"})
    want.push_back(s);
  CHECK(summary(r) == want);
  CHECK(r.refused == 0);
  CHECK(r.recognized_any);
  // Each answer is followed by the next screen.
  CHECK(r.choices[0].next == "sms.boot_options");
  CHECK(r.choices[10].label == "Migration Install");
  CHECK(r.choices[10].next == "bos.disks");
  CHECK(r.choices.back().next == "bos.progress");
  CHECK(r.choices[10].t > r.choices[0].t);
}

TEST_CASE("audit: Overwrite chosen on Change Method of Installation is refused, and the install after it") {
  const ImportedLog log = load("sim-overwrite-chosen", true);
  const AuditReport r = audit_events(log.events, Recognizer::builtin(), Policy{}, log.height, log.width);
  std::vector<std::string> want = kSms;
  for (const char* s : {"bos.method 1 refuse", "bos.disks 1 allow", "bos.disks 0 allow", "bos.settings 0 refuse"})
    want.push_back(s);
  CHECK(summary(r) == want);
  CHECK(r.refused == 2);
  CHECK(r.choices[10].label == "New and Complete Overwrite");
  CHECK(r.choices[10].verdict.code == "forbidden-method");
}

TEST_CASE("audit: output alone (a typescript with no timing file) gives the same choices") {
  const ImportedLog log = load("sim-overwrite-chosen.typescript", false);
  const AuditReport r = audit_events(log.events, Recognizer::builtin(), Policy{}, log.height, log.width);
  CHECK(r.refused == 2);
  CHECK(r.choices.size() == 14);
  CHECK(r.choices[10].screen == "bos.method");
  CHECK(r.choices[10].keys == "1");
}

TEST_CASE("audit: any chunking gives the same report (a byte at a time)") {
  const ImportedLog log = load("sim-right-keys", true);
  std::string all;
  for (const CastEvent& e : log.events)
    if (e.type == 'o') all += e.data;
  Audit a(Recognizer::builtin(), Policy{}, 24, 80);
  for (char c : all) a.output(std::string_view(&c, 1), 0);
  const AuditReport bytewise = a.finish();
  const AuditReport whole = audit_events(log.events, Recognizer::builtin(), Policy{}, 24, 80);
  const auto b = summary(bytewise), w = summary(whole);
  CHECK(b.size() == w.size());
  for (std::size_t i = 0; i < std::max(b.size(), w.size()); ++i) CHECK((i < b.size() ? b[i] : "-") == (i < w.size() ? w[i] : "-"));
}

TEST_CASE("audit: the policy flags decide: a target other than the disk chosen refuses it") {
  const ImportedLog log = load("sim-right-keys", true);
  Policy p;
  p.target_name = "hdisk1";
  const AuditReport r = audit_events(log.events, Recognizer::builtin(), p, log.height, log.width);
  CHECK(r.refused > 0);
  bool disk_refused = false;
  for (const AuditChoice& c : r.choices) disk_refused |= c.screen == "bos.disks" && !c.verdict.allow;
  CHECK(disk_refused);
}

TEST_CASE("audit: text that is no console screen: nothing recognizable, no choices") {
  Audit a(Recognizer::builtin(), Policy{}, 24, 80);
  a.output("hello\r\nworld: \r\nmore text\r\n", 0);
  const AuditReport r = a.finish();
  CHECK_FALSE(r.recognized_any);
  CHECK(r.choices.empty());
}

TEST_CASE("clock_text") {
  CHECK(clock_text(72.4) == "01:12");
  CHECK(clock_text(3723) == "1:02:03");
  CHECK(clock_text(-1) == "00:00");
}
