// Screens as IBM's installer draws them (fixtures/SOURCES.md): recognized with the right id, the
// prompt found at the cursor (also when it is a sentence), the guard's verdicts on them, and the
// variants real consoles show (Choice []/[0]/Choice[0], blanks, a scrolled-off title, console
// messages after a prompt).
#include <doctest/doctest.h>

#include "fixture_util.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;

namespace {

struct Shown {
  Screen screen;
  Recognized rec;
};

Shown show_bytes(const std::string& bytes) {
  Shown s;
  s.screen = render(normalize_capture(bytes));
  s.rec = Recognizer::builtin().recognize(s.screen);
  return s;
}

Shown show(const std::string& rel) { return show_bytes(fixture::read(fixture::root() / "screens" / rel)); }

std::string verdict(const Shown& s, const std::string& keys) {
  Verdict v = judge(s.rec, s.screen, keys, Policy{});
  return v.allow ? "allow" : v.code;
}

// Redraws a screen's rows as raw bytes (LF-only text: read as lines), so a test can change one.
std::string rows_of(const Screen& s) {
  std::string out;
  for (const auto& l : s.lines) out += l + "\n";
  while (!out.empty() && out.back() == '\n') out.pop_back();  // the cursor stays on the last row
  return out;
}

}  // namespace

TEST_CASE("real BOS menus rendered from the bosinst source are recognized, prompt at the cursor") {
  struct Case {
    const char* file;
    const char* id;
    const char* default_key;
  };
  for (const Case& c : {Case{"bos.language/aix413-render.raw", "bos.language", "1"},
                        Case{"bos.welcome/aix413-render.raw", "bos.welcome", "1"},
                        Case{"bos.settings/aix413-migration-render.raw", "bos.settings", "0"},
                        Case{"bos.method/aix413-overwrite-default-render.raw", "bos.method", "1"},
                        Case{"bos.migration_confirm/aix413-msg62.raw", "bos.migration_confirm", "0"}}) {
    CAPTURE(c.file);
    Shown s = show(c.file);
    CHECK(s.rec.id == c.id);
    CHECK(prompt_at_cursor(s.screen, s.rec.fields));
    CHECK(default_key(s.rec.fields) == c.default_key);
    CHECK_FALSE(s.rec.fields.prompt_sentence);
  }
}

TEST_CASE("the guard's verdicts on the bosinst-source menus") {
  Shown welcome = show("bos.welcome/aix413-render.raw");
  CHECK(verdict(welcome, "\r") == "forbidden-method");  // >>> 1 Start Install Now with Default Settings
  CHECK(verdict(welcome, "1\r") == "forbidden-method");
  CHECK(verdict(welcome, "2\r") == "allow");

  Shown method = show("bos.method/aix413-overwrite-default-render.raw");
  CHECK(verdict(method, "\r") == "forbidden-method");  // >>> 1 New and Complete Overwrite
  CHECK(verdict(method, "1\r") == "forbidden-method");
  CHECK(verdict(method, "2\r") == "forbidden-method");  // Preservation Install
  CHECK(verdict(method, "3\r") == "allow");

  // Installation and Settings says Migration on hdisk0, but no disk screen was verified here:
  // installing from it is refused; changing a setting is not.
  Shown settings = show("bos.settings/aix413-migration-render.raw");
  REQUIRE(settings.rec.fields.settings);
  CHECK(settings.rec.fields.settings->method == "Migration");
  CHECK(settings.rec.fields.settings->disks == std::vector<std::string>{"hdisk0"});
  CHECK(verdict(settings, "\r") == "disk-not-verified");
  CHECK(verdict(settings, "0\r") == "disk-not-verified");
  CHECK(verdict(settings, "1\r") == "allow");

  Shown confirm = show("bos.migration_confirm/aix413-msg62.raw");
  CHECK(verdict(confirm, "\r") == "disk-not-verified");
  CHECK(verdict(confirm, "2\r") == "allow");

  Shown language = show("bos.language/aix413-render.raw");
  CHECK(verdict(language, "\r") == "allow");
  CHECK(verdict(language, "1\r") == "allow");
}

TEST_CASE("a media request that is a sentence is a prompt: at the cursor, or with the cursor on the blank row below") {
  for (const char* file : {"bos.media_swap/sentence-enter-key-upper.raw", "bos.media_swap/sentence-continue-newline.raw",
                           "bos.media_swap/ibm-mount-volume.raw"}) {
    CAPTURE(file);
    Shown s = show(file);
    CHECK(s.rec.id == "bos.media_swap");
    CHECK(s.rec.fields.captures["volume"] == "2");
    CHECK(s.rec.fields.prompt_sentence);
    CHECK(prompt_at_cursor(s.screen, s.rec.fields));
    CHECK(s.rec.fields.typed.empty());
    CHECK(verdict(s, "\r") == "allow");
  }
  // The colon form is still the ordinary prompt.
  Shown colon = show("bos.media_swap/sim-summary.raw");
  CHECK(prompt_at_cursor(colon.screen, colon.rec.fields));
  CHECK_FALSE(colon.rec.fields.prompt_sentence);
}

TEST_CASE("a sentence prompt is no prompt once output follows it, nor an instruction line of a menu") {
  // Answered: the install goes on below the request.
  Shown after = show("bos.progress/ibm-after-swap.raw");
  CHECK(after.rec.id == "bos.progress");
  CHECK_FALSE(prompt_at_cursor(after.screen, after.rec.fields));
  // A menu drawn as far as its instruction line: "...and press Enter." is not its prompt.
  Shown half = show_bytes("\x1b[H\x1b[J\r\n                  Change Method of Installation\r\n\r\n"
                          "  Type the number of the installation method and press Enter.");
  CHECK(half.rec.fields.prompt.empty());
  CHECK_FALSE(prompt_at_cursor(half.screen, half.rec.fields));
  // Sentences in any case, ended by '.', ':' or nothing; typed text after the full stop.
  for (const char* line : {"Press the Enter key to continue.", "PRESS THE ENTER KEY TO CONTINUE",
                           "Insert volume 3 and press Enter.", "   End of list.  Press Enter  "}) {
    CAPTURE(line);
    Shown s = show_bytes(std::string("\x1b[H\x1b[J") + line);
    CHECK(s.rec.fields.prompt_sentence);
    CHECK(prompt_at_cursor(s.screen, s.rec.fields));
  }
  Shown typed = show_bytes("\x1b[H\x1b[JPress the Enter key to continue. x");
  CHECK(typed.rec.fields.typed == "x");
  // "press Enter to have English" goes on after Enter: an item, not a sentence prompt.
  Shown item = show_bytes("\x1b[H\x1b[J     1 Type 1 and press Enter to have English during install.");
  CHECK_FALSE(item.rec.fields.prompt_sentence);
}

TEST_CASE("console messages after a prompt: the login and the shell are still themselves") {
  Shown login = show("aix.login/daemon-message-after-prompt.raw");
  CHECK(login.rec.id == "aix.login");
  Shown shell = show("aix.shell/broadcast-after-prompt.raw");
  CHECK(shell.rec.id == "aix.shell");
  // ...but a password prompt or a shell prompt after "login:" is that screen, not the login.
  CHECK(show_bytes("Console login: \nroot's Password: ").rec.id == "aix.password");
  CHECK(show_bytes("Console login: \n# ").rec.id == "aix.shell");
}

TEST_CASE("real menus keep their id under the variants consoles show") {
  // Choice []/[0]/Choice[0]/Choice [ 0 ], extra or collapsed blanks, the title scrolled off.
  for (const char* file : {"bos.welcome/aix413-render.raw", "bos.settings/aix413-migration-render.raw",
                           "bos.method/aix413-overwrite-default-render.raw", "bos.migration_confirm/aix413-msg62.raw",
                           "bos.language/aix413-render.raw", "bos.summary/ibm-migration-summary.raw",
                           "bos.more_options/install-options-migration.raw"}) {
    CAPTURE(file);
    const Shown base = show(file);
    REQUIRE(base.rec.known());
    const std::string text = rows_of(base.screen);
    auto replace_prompt = [&](const std::string& with) {
      std::string t = text;
      std::size_t at = t.rfind(">>> Choice");
      REQUIRE(at != std::string::npos);
      std::size_t end = t.find(':', at);
      return t.substr(0, at) + with + t.substr(end + 1);
    };
    for (const std::string& prompt : {std::string(">>> Choice []:"), std::string(">>> Choice[0]:"),
                                      std::string(">>> Choice [0]:"), std::string(">>>  Choice  [ 0 ] :"),
                                      std::string(">>> Choice [99]: ")}) {
      CAPTURE(prompt);
      Shown v = show_bytes(replace_prompt(prompt));
      CHECK(v.rec.id == base.rec.id);
      CHECK(prompt_at_cursor(v.screen, v.rec.fields));
    }
    // Collapsed blanks: every run of spaces inside a row made one.
    std::string collapsed;
    for (const auto& l : base.screen.lines) collapsed += collapse_blanks(l) + "\n";
    CHECK(show_bytes(collapsed).rec.id == base.rec.id);
    // Wider gaps: every run of two or more blanks (indentation, columns, dot leaders' sides)
    // one blank longer.
    std::string wider;
    for (std::size_t i = 0; i < text.size(); ++i) {
      wider += text[i];
      if (text[i] == ' ' && i + 1 < text.size() && text[i + 1] == ' ' && (i == 0 || text[i - 1] != ' ')) wider += ' ';
    }
    CHECK(show_bytes(wider).rec.id == base.rec.id);
    // The title scrolled off the top (the screen was taller than 24 rows): its rows gone.
    std::string scrolled;
    std::size_t row = 0;
    const std::string& title = base.rec.fields.title;
    while (row < base.screen.lines.size() &&
           (collapse_blanks(base.screen.lines[row]).empty() ||
            (!title.empty() && title.find(collapse_blanks(base.screen.lines[row])) != std::string::npos)))
      ++row;
    for (; row < base.screen.lines.size(); ++row) scrolled += base.screen.lines[row] + "\n";
    CAPTURE(scrolled);
    CHECK(show_bytes(scrolled).rec.id == base.rec.id);
  }
}

TEST_CASE("the installer's other prompts: the System Console screen, [yes/no], BOS's error menu") {
  // findcons.c's console prompt: no prompt line (the plan answers it without one), and none of
  // its "Type a 1 and press Enter to use this terminal" lines is taken for a sentence prompt.
  Shown console = show("bos.console/aix413-findcons.raw");
  CHECK(console.rec.id == "bos.console");
  CHECK(console.rec.fields.prompt.empty());
  CHECK(verdict(console, "1\r") == "allow");
  // The license question of the first root login ends "[yes/no]: ".
  Shown license = show("aix.license/first-root-login.raw");
  CHECK(license.rec.id == "aix.license");
  CHECK(prompt_at_cursor(license.screen, license.rec.fields));
  // bi_error's menu (BosMenus.msg set 11 message 22) asks "Enter ID number: ".
  Shown error = show_bytes("   ID#        OPTION\r\n     1        Continue\r\n"
                           "     2        Perform System Maintenance and Then Continue\r\n   Enter ID number: ");
  CHECK_FALSE(error.rec.known());
  CHECK(prompt_at_cursor(error.screen, error.rec.fields));
}

TEST_CASE("every screen fixture keeps its id with its blanks collapsed or widened") {
  // Consoles and the people who publish their screens squeeze or pad blank runs (indentation,
  // column gaps, "88  Help ?" as "88 Help ?"): recognition must not hang on their count.
  int seen = 0;
  for (const auto& path : fixture::files(fixture::root() / "screens", ".raw")) {
    const std::string id = path.parent_path().filename().string();
    if (id.rfind("hmc.", 0) == 0) continue;  // mkvterm's messages are bytes, not a drawn screen
    CAPTURE(path.string());
    const Shown base = show_bytes(fixture::read(path));
    REQUIRE(base.rec.id == id);
    std::string collapsed, wider;
    for (const auto& l : base.screen.lines) {
      collapsed += collapse_blanks(l) + "\n";
      std::string w;
      for (std::size_t i = 0; i < l.size(); ++i) {
        w += l[i];
        if (l[i] == ' ' && i + 1 < l.size() && l[i + 1] == ' ' && (i == 0 || l[i - 1] != ' ')) w += ' ';
      }
      wider += (w.size() < 80 ? w : l) + "\n";  // a row the screen would wrap stays as it was
    }
    // 24 rows, no newline after the last (one more would scroll the top row off).
    collapsed.pop_back();
    wider.pop_back();
    CHECK(show_bytes(collapsed).rec.id == id);
    CHECK(show_bytes(wider).rec.id == id);
    ++seen;
  }
  CHECK(seen >= 80);
}
