// record/left_at: the screen an earlier run left a console at, for a resumed run (issue 18).
#include <doctest/doctest.h>

#include "vtpilot/record/left_at.hpp"
#include "vtpilot/screens/recognizer.hpp"

#include "fixture_util.hpp"

using namespace vtpilot;

namespace {
const std::string kWelcome = fixture::read(fixture::root() / "screens" / "bos.welcome" / "aix413-render.raw");
const std::string kSettings = fixture::read(fixture::root() / "screens" / "bos.settings" / "aix413-migration-render.raw");

Cast cast(std::initializer_list<std::pair<char, std::string>> events) {
  Cast c;
  double t = 0;
  for (auto& [type, data] : events) c.events.push_back(CastEvent{t += 0.1, type, data, 0});
  return c;
}
std::string id_of(const std::optional<Screen>& s) { return s ? Recognizer::builtin().recognize(*s).id : "(none)"; }
}  // namespace

TEST_CASE("left_at: the last screen, when it was drawn anew after the last key") {
  CHECK(id_of(left_at(cast({{'o', kWelcome}}))) == "bos.welcome");
  // 2 Enter on the welcome menu, and the settings menu drawn: that is where it was left.
  CHECK(id_of(left_at(cast({{'o', kWelcome}, {'i', "2"}, {'o', "2"}, {'i', "\r"}, {'o', "\r\n"}, {'o', kSettings}}))) ==
        "bos.settings");
  // Killed after an Enter whose menu never came: what the console did with it is unknown.
  CHECK_FALSE(left_at(cast({{'o', kWelcome}, {'i', "2"}, {'o', "2"}, {'i', "\r"}, {'o', "\r\n"}})));
  // A key typed and echoed, no Enter: the menu holds it; not a screen to act on.
  CHECK_FALSE(left_at(cast({{'o', kWelcome}, {'i', "2"}, {'o', "2"}})));
  // Leaving the vterm (~. then mkvterm's question, y): mkvterm's own words are not the LPAR's.
  CHECK(id_of(left_at(cast({{'o', kWelcome}, {'i', "~."}, {'o', "\r\nTerminate session? [y/n]"}, {'i', "y"}}))) ==
        "bos.welcome");
  // Markers are not keys; nothing at all is nothing.
  CHECK(id_of(left_at(cast({{'o', kWelcome}, {'m', "vtpilot: halted"}}))) == "bos.welcome");
  CHECK_FALSE(left_at(cast({})));
  CHECK_FALSE(left_at(cast({{'i', "1"}})));
}

TEST_CASE("left_at: a clear-screen sequence cut between two reads still counts") {
  const std::size_t at = kSettings.find("\x1b[J");  // DisplayMenu's $CLEAR: ESC [ H ESC [ J
  REQUIRE(at != std::string::npos);
  REQUIRE(kSettings.find("\x1b[2J") == std::string::npos);
  const std::string head = kSettings.substr(0, at + 2), rest = kSettings.substr(at + 2);  // cut before the J
  CHECK(id_of(left_at(cast({{'o', kWelcome}, {'i', "2\r"}, {'o', head}, {'o', rest}}))) == "bos.settings");
}
