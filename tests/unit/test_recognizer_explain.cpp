// Recognizer::explain (the closest signatures to an unknown screen, with the patterns that
// failed) and overlay_path (--signatures: a folder added to the built-in set).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "fixture_util.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;

namespace {
Recognizer two_signatures() {
  Recognizer r;
  std::vector<SignatureError> e;
  REQUIRE(r.add("a.toml", "id = \"test.alpha\"\nall = [\n  'Alpha Title',\n  'Select Boot Options',\n]\n", e));
  REQUIRE(r.add("b.toml", "id = \"test.beta\"\nall = ['Beta Title']\nnone = ['Select Boot Options']\n", e));
  return r;
}
}  // namespace

TEST_CASE("explain: the closest signature first, with each failed pattern and its line") {
  const Recognizer r = two_signatures();
  const std::string screen = "Alpha Titel\n 5.   Select Boot Options\n";
  auto misses = r.explain(screen);
  REQUIRE(misses.size() == 1);  // test.beta: nothing of it holds, not even its words
  CHECK(misses[0].id == "test.alpha");
  CHECK(misses[0].file == "a.toml");
  CHECK(misses[0].held == 1);
  CHECK(misses[0].total == 2);
  REQUIRE(misses[0].failed.size() == 1);
  CHECK(misses[0].failed[0].key == "all");
  CHECK(misses[0].failed[0].pattern == "Alpha Title");
  CHECK(misses[0].failed[0].line == 3);
  // Pure: the same answer again.
  auto again = r.explain(screen);
  REQUIRE(again.size() == 1);
  CHECK(again[0].failed[0].line == 3);
  // A `none` pattern that matched is what failed; a matching signature is no near miss.
  auto beta = r.explain("Beta Title\nSelect Boot Options\nAlpha Title\n");
  REQUIRE(beta.size() == 1);
  CHECK(beta[0].id == "test.beta");
  CHECK(beta[0].failed[0].key == "none");
  CHECK(beta[0].failed[0].pattern == "Select Boot Options");
}

TEST_CASE("explain on a real near miss: the Main Menu under another title is closest to sms.main") {
  Screen s = render(normalize_capture(fixture::read(fs::path(VTPILOT_SOURCE_DIR) / "tests/cli/main-menu-new-title.txt")));
  CHECK_FALSE(Recognizer::builtin().recognize(s).known());
  auto misses = Recognizer::builtin().explain(s.text());
  REQUIRE_FALSE(misses.empty());
  CHECK(misses.size() <= 3);
  CHECK(misses[0].id == "sms.main");
  CHECK(misses[0].failed.at(0).pattern == R"((?m)^\s*Main Menu\s*$)");
  CHECK(Recognizer::builtin().explain("nothing like a console screen").empty());
}

TEST_CASE("overlay_path adds new ids, replaces a built-in id in its place, and changes nothing on error") {
  const fs::path dir = fs::temp_directory_path() / ("vtpilot-overlay-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; };
  write("new.toml", "id = \"sms.nic_adapters\"\nall = ['(?m)^\\s*NIC Adapters\\s*$']\n");
  write("main.toml", "id = \"sms.main\"\nall = ['never drawn by any firmware']\n");
  Recognizer r = Recognizer::builtin().clone();
  std::vector<SignatureError> errors;
  std::vector<std::string> replaced;
  REQUIRE(r.overlay_path(dir.string(), errors, &replaced));
  CHECK(errors.empty());
  CHECK(replaced == std::vector<std::string>{"sms.main"});
  const auto ids = r.ids(), builtin_ids = Recognizer::builtin().ids();
  CHECK(ids.size() == builtin_ids.size() + 1);
  CHECK(std::equal(builtin_ids.begin(), builtin_ids.end(), ids.begin()));  // replaced in place
  CHECK(ids.back() == "sms.nic_adapters");
  Screen main = render(normalize_capture(fixture::read(fixture::root() / "screens/sms.main/sim-power7.raw")));
  CHECK(Recognizer::builtin().recognize(main).id == "sms.main");  // the built-in set is untouched
  CHECK_FALSE(r.recognize(main).known());
  // A bad file: an error with file:line, and the set as it was.
  write("zz-broken.toml", "id = \"test.broken\"\nall = [\n  'Main (Menu',\n]\n");
  Recognizer r2 = Recognizer::builtin().clone();
  errors.clear();
  CHECK_FALSE(r2.overlay_path(dir.string(), errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 3);
  CHECK(r2.ids() == builtin_ids);
  fs::remove_all(dir);
}
