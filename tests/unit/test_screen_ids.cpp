// The screen ids the code names (include/vtpilot/screens/screen_ids.hpp) are ids the built-in
// signatures give: a renamed or deleted signature breaks this test, not a run in the field.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/screens/screen_ids.hpp"

using namespace vtpilot;

TEST_CASE("screen ids: every id the code names has a built-in signature, and every signature an id") {
  const std::vector<std::string> have = Recognizer::builtin().ids();
  for (const char* id : screen_id::all) {
    CAPTURE(id);
    CHECK(std::find(have.begin(), have.end(), id) != have.end());
  }
  // The header lists them all (it is the list the code picks from), so a new signature is added
  // there too: its id is then one the code can name without a literal.
  CHECK(have.size() == std::size(screen_id::all));
}
