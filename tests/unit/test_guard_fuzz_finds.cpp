// What fuzz_guard found, kept as tests: each fixture is the fuzzer's input (screen bytes, a NUL,
// the keys), on which the guard once allowed a destructive choice that its layer 2 can see.
#include <doctest/doctest.h>

#include <vector>

#include "fixture_util.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;

namespace {
struct Find {
  Screen screen;
  Recognized recognized;
  std::string keys;
};

Find load(const char* name) {
  const std::string d = fixture::read(fixture::root() / "fuzz" / name);
  const std::size_t sep = d.find('\0');
  REQUIRE(sep != std::string::npos);
  Find f;
  f.screen = render(normalize_capture(d.substr(0, sep)));
  f.recognized = Recognizer::builtin().recognize(f.screen);
  f.keys = d.substr(sep + 1, 8);
  return f;
}

// The guard's verdict on `keys` in run mode, and in step mode (the operator may answer a screen
// no signature knows, judged by layer 2 alone).
struct ModeVerdict {
  bool operator_mode;
  Verdict v;
};
std::vector<ModeVerdict> in_both_modes(const Find& f, const std::string& keys) {
  std::vector<ModeVerdict> out;
  for (bool operator_mode : {false, true}) {
    Policy p;
    p.allow_unknown_screen = operator_mode;
    out.push_back({operator_mode, judge(f.recognized, f.screen, keys, p)});
  }
  return out;
}
}  // namespace

TEST_CASE("guard fuzz finds: Enter then more keys, where the >>> default is New and Complete Overwrite") {
  // Keys "\n\n>>> Ch" on an unrecognized Alternate Installation Method menu: the first Enter
  // chooses the marked default. Step mode judges operator keys by layer 2 alone there.
  Find f = load("guard-enter-then-more-keys-default-overwrite.bin");
  REQUIRE(f.keys.rfind("\n", 0) == 0);
  for (const ModeVerdict& j : in_both_modes(f, f.keys)) {
    CAPTURE(j.operator_mode);
    CHECK_FALSE(j.v.allow);
  }
}

TEST_CASE("guard fuzz finds: '2' already typed at the prompt, then Enter, with two items numbered 2") {
  // "Choice [1]: 2" on the Welcome screen, one item 2 being Start Install Now with Default
  // Settings: Enter submits the typed 2, not the default 1.
  Find f = load("guard-typed-2-then-enter-two-items-2.bin");
  REQUIRE(f.keys == "\r");
  for (const ModeVerdict& j : in_both_modes(f, f.keys)) {
    CAPTURE(j.operator_mode);
    CHECK_FALSE(j.v.allow);
  }
}

TEST_CASE("guard fuzz finds: a row with a multi-byte character does not swallow the disk row below it") {
  // Line noise left U+FFFD (3 bytes) in the row above "1  hdisk0 ... altinst_rootvg": 78
  // columns but 80 bytes, which layer 2 took for a full, wrapped row, joining item 1 to it.
  Find f = load("guard-wide-bytes-row-hides-altinst-item.bin");
  REQUIRE(f.keys.rfind("1 ", 0) == 0);
  for (const ModeVerdict& j : in_both_modes(f, f.keys)) {
    CAPTURE(j.operator_mode);
    CHECK_FALSE(j.v.allow);
    CHECK(j.v.code == "altinst-disk");
  }
}

TEST_CASE("guard fuzz finds: two items numbered 2, the >>> default and a row showing altinst_rootvg") {
  // A screen no signature knows: Enter chooses the marked 2, and the other 2 is the clone.
  // Which of the two rows a console would take cannot be known, so nothing is sent. (The
  // fuzzer's own oracle was wrong here first: it took "altinst_rootvgh" for the clone and no
  // keys for an Enter.)
  Find f = load("guard-duplicate-item-number-one-row-altinst.bin");
  REQUIRE(f.keys == "\r");
  for (const std::string keys : {"\r", "2\r", "2"}) {
    for (const ModeVerdict& j : in_both_modes(f, keys)) {
      CAPTURE(j.operator_mode);
      CAPTURE(keys);
      CHECK_FALSE(j.v.allow);
      CHECK(j.v.code == "altinst-disk");
    }
  }
}

TEST_CASE("guard fuzz finds: Enter where Choice [0] is the default but >>> marks New and Complete Overwrite") {
  // Line noise over an Installation and Settings screen: "Choice [0]" wrapped across two rows,
  // no item 0, and ">>> 3 New and Complete Overwrite". Which one Enter takes is not knowable
  // from the screen, so layer 2 judges both (it judged only the Choice default and allowed).
  Find f = load("guard-choice-default-wrapped-marked-overwrite.bin");
  REQUIRE(f.keys == "\r");
  REQUIRE(f.screen.text().find(">>> 3 New and Complete Overwrite") != std::string::npos);
  for (const ModeVerdict& j : in_both_modes(f, f.keys)) {
    CAPTURE(j.operator_mode);
    CHECK_FALSE(j.v.allow);
  }
  Policy p;
  p.allow_unknown_screen = true;
  CHECK(judge(f.recognized, f.screen, f.keys, p).code == "forbidden-method");
  CHECK(judge(f.recognized, f.screen, "1\r", p).allow);  // Migration Install, by its number
}

TEST_CASE("guard fuzz finds: text to the right of the cursor on the prompt line is not typed") {
  // ">>> Choice:" with the cursor after it and a stray "2" drawn at the end of the row: the
  // guard read the 2 as typed, judged Enter as 2, and allowed it; the console's line is empty,
  // so Enter submits the default, the marked "0 Continew and complete overwrite..." item.
  Find f = load("guard-text-right-of-cursor-is-not-typed.bin");
  REQUIRE(f.keys == "\r");
  const std::string& row = f.screen.lines[static_cast<std::size_t>(f.screen.cursor_row)];
  REQUIRE(row.find("Choice:") != std::string::npos);
  REQUIRE(row.back() == '2');
  REQUIRE(static_cast<std::size_t>(f.screen.cursor_col) < row.size() - 1);
  for (const ModeVerdict& j : in_both_modes(f, f.keys)) {
    CAPTURE(j.operator_mode);
    CHECK_FALSE(j.v.allow);
  }
}

TEST_CASE("guard: typed text is what stands between the prompt and the cursor") {
  // The same screen, the digits left of the cursor (typed) or right of it (drawn there).
  const std::string menu = "    1 Migration Install\r\n>>> 2 New and Complete Overwrite\r\n\r\n";
  Policy p;
  p.allow_unknown_screen = true;
  // "Choice [2]: 1" typed, the cursor after it: Enter submits 1.
  Screen typed = render(menu + ">>> Choice [2]: 1");
  REQUIRE(typed.cursor_row == 3);
  CHECK(judge(Recognized{}, typed, "\r", p).allow);
  // "1" drawn at column 40, the cursor moved back after the prompt: Enter submits the default 2.
  Screen drawn = render(menu + ">>> Choice [2]: " + std::string(24, ' ') + "1\x1b[4;17H");
  REQUIRE(drawn.cursor_row == 3);
  REQUIRE(drawn.cursor_col == 16);
  REQUIRE(drawn.lines[3].back() == '1');
  CHECK_FALSE(judge(Recognized{}, drawn, "\r", p).allow);
  CHECK(judge(Recognized{}, drawn, "1\r", p).allow);
}
