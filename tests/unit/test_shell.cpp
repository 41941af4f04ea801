// ShellDriver: the verify/preflight conversation on bytes and virtual time; and the guard on
// typed shell commands (allowed at AIX prompts, refused on every firmware/installer screen).
#include <doctest/doctest.h>

#include <random>

#include "fixture_util.hpp"
#include "vtpilot/shell/acceptance.hpp"
#include "vtpilot/plan/plan.hpp"
#include "vtpilot/term/terminal.hpp"
#include "vtpilot/engine/session.hpp"
#include "vtpilot/engine/driver_chain.hpp"
#include "vtpilot/shell/shell.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;

namespace {

ShellOptions opts(std::vector<ShellCommand> cmds = {{"oslevel", "oslevel -s"}}) {
  ShellOptions o;
  o.password = "Pw-secret-1";
  o.nonce = "t";
  o.commands = std::move(cmds);
  o.screen_timeout_s = 30;
  return o;
}

// Evaluates and returns what the driver sends now ("" = nothing).
std::string step(Driver& d, double now) {
  d.evaluate(now);
  auto k = d.take_send();
  return k ? std::string(k->keys.spend()) : std::string();
}

// A shell's answer to a line's Enter (its echo came before): the markers, the output, the prompt.
std::string answer(const std::string& output, int n, int status = 0) {
  return "\r\n_VB" + std::to_string(n) + "t_\r\n" + output + "_VE" + std::to_string(n) + "t_ " + std::to_string(status) +
         "\r\n# ";
}

// The line the driver types now, echoed back as a console echoes it; its Enter must follow the
// echo, as a send of its own. Returns the line ("" if nothing was typed).
std::string echo_line(Driver& d, double& t) {
  const std::string line = step(d, t);
  if (line.empty()) return line;
  CHECK(line.find('\r') == std::string::npos);  // never the Enter with the text
  CHECK(step(d, t).empty());                    // nor before the echo
  d.on_output(line, t += 0.001);
  CHECK(step(d, t) == "\r");
  return line;
}

std::string raw(const std::string& rel) { return normalize_capture(fixture::read(fixture::root() / "screens" / rel)); }

bool has_event(const std::vector<SessionEvent>& ev, const std::string& code) {
  for (auto& e : ev)
    if (e.code == code) return true;
  return false;
}

}  // namespace

TEST_CASE("shell: login, password as a secret, outputs captured exactly, exit at the login prompt") {
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}),
                opts({{"oslevel", "oslevel -s"}, {"long", "lsvg -l rootvg"}, {"empty", "lppchk -v"}}));
  double t = 0;
  d.on_output("\r\n\r\nAIX Version 7\r\nCopyright IBM Corporation, 1982, 2025.\r\nConsole login: ", t);
  CHECK(echo_line(d, t) == "root");
  d.on_output("\r\nroot's Password: ", t += 0.1);
  d.evaluate(t);
  auto pw = d.take_send();
  REQUIRE(pw);
  CHECK(pw->secret);
  CHECK(std::string(pw->keys.spend()) == "Pw-secret-1\r");  // not echoed: whole, with its Enter
  for (const SessionEvent& e : d.take_events()) {
    CHECK(e.keys.find("Pw-secret") == std::string::npos);
    CHECK(e.text.find("Pw-secret") == std::string::npos);
  }
  d.on_output("\r\n*****\r\n*  Welcome to AIX Version 7.2!  *\r\n*****\r\n# ", t += 0.1);
  std::string c1 = echo_line(d, t);
  CHECK(c1 == "echo _V\"\"B1t_; oslevel -s; echo _V\"\"E1t_ $?");
  CHECK(c1 == d.command_line(0));
  d.on_output(answer("7200-05-11-2546\r\n", 1), t += 0.1);

  // The echo one byte at a time, an evaluate after each: the Enter only after the last.
  std::string c2 = step(d, t);
  CHECK(c2 == d.command_line(1));
  CHECK(c2.find("lsvg -l rootvg") != std::string::npos);
  for (std::size_t i = 0; i < c2.size(); ++i) {
    d.on_output(c2.substr(i, 1), t += 0.001);
    CAPTURE(i);
    REQUIRE(step(d, t) == (i + 1 == c2.size() ? "\r" : ""));
  }

  // 200 lines (far more than a screen), with lines that look like prompts and an old marker,
  // arriving one byte at a time with an evaluate after each: nothing is sent until the end.
  std::string body, expect;
  for (int i = 0; i < 200; ++i) {
    std::string l = i % 50 == 7 ? "# " : i == 99 ? "_VE1t_ 0" : "lv" + std::to_string(i) + "  jfs2  open/syncd  /fs" + std::to_string(i);
    body += l + "\r\n";
    expect += l + "\n";
  }
  const std::string bytes = answer(body, 2);
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    d.on_output(bytes.substr(i, 1), t += 0.001);
    std::string sent = step(d, t);
    CAPTURE(i);
    CAPTURE(bytes.substr(i > 40 ? i - 40 : 0, 41));
    REQUIRE(sent.empty());
  }
  d.on_output(bytes.substr(bytes.size() - 1), t += 0.001);
  std::string c3 = echo_line(d, t);
  CHECK(c3.find("lppchk -v") != std::string::npos);
  d.on_output(answer("", 3), t += 0.1);
  CHECK(echo_line(d, t) == "exit");
  d.on_output("\r\n\r\n\r\nAIX Version 7\r\nConsole login: ", t += 0.1);
  d.evaluate(t);
  CHECK(d.outcome() == Outcome::done);
  CHECK(d.exit_code() == 0);

  const auto& rs = d.results();
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].output == "7200-05-11-2546\n");
  CHECK(rs[0].status == 0);
  CHECK(rs[0].complete);
  CHECK(rs[1].output == expect);
  CHECK(rs[2].output.empty());
  CHECK(rs[2].complete);
}

TEST_CASE("shell: output without a final newline, escapes and CR redraws, a non-zero status") {
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts({{"x", "printf x"}}));
  d.on_output("# ", 0);
  double t = 0;
  echo_line(d, t);
  d.on_output("\r\n_VB1t_\r\n\x1b[1mbold\x1b[0m line\r\nabc\rX\r\npartial_VE1t_ 127\r\n# ", t = 1);
  CHECK(echo_line(d, t) == "exit");
  REQUIRE(d.results().size() == 1);
  CHECK(d.results()[0].output == "bold line\nXbc\npartial");
  CHECK(d.results()[0].status == 127);
}

TEST_CASE("shell: on SMS and BOS screens nothing is sent, not even Enter: halt") {
  for (const char* f : {"bos.welcome/sim-power7.raw", "bos.disks/sim-power7.raw", "sms.main/sim-power7.raw",
                        "bos.console/sim-power7.raw", "bos.progress/sim-summary.raw", "bos.media_swap/sim-summary.raw"}) {
    CAPTURE(f);
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    const std::string bytes = raw(f);
    REQUIRE(!bytes.empty());
    d.on_output(bytes, 0);
    CHECK(step(d, 0).empty());
    for (double t = 0.5; t < 40; t += 0.5) CHECK(step(d, t).empty());
    CHECK(d.outcome() == Outcome::halted);
    CHECK(d.exit_code() == 4);
  }
}

TEST_CASE("shell: a blank console gets one Enter after the quiet time, never more, then a timeout halts") {
  ShellOptions o = opts();
  o.wake_after_s = 2;
  o.screen_timeout_s = 10;
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), o);
  CHECK(step(d, 0).empty());
  REQUIRE(d.deadline());
  CHECK(*d.deadline() == doctest::Approx(2));
  CHECK(step(d, 1.9).empty());
  CHECK(step(d, 2.0) == "\r");
  CHECK(has_event(d.take_events(), "wake"));
  for (double t = 2.5; t < 12.5; t += 0.5) CHECK(step(d, t).empty());
  CHECK(d.outcome() == Outcome::halted);
  CHECK(d.outcome_text().find("timeout") == std::string::npos);  // the sentence, not the code
  CHECK(d.outcome_text().find("nothing changed for 10 s") != std::string::npos);

  ShellOptions quiet = opts();
  quiet.wake = false;
  ShellDriver n(Recognizer::builtin(), Guard(Policy{}), quiet);
  for (double t = 0; t < 20; t += 0.5) CHECK(step(n, t).empty());
}

// (No ';' in test names: ctest's doctest discovery splits a name there and runs nothing.)
TEST_CASE("shell: TERM prompt, license prompt, a refused login is not retried, no password halts") {
  {
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output(raw("aix.term_prompt/sim-summary.raw"), 0);
    double t = 0;
    CHECK(echo_line(d, t) == "vt100");
  }
  {
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output("Console login: ", 0);
    double t = 0;
    CHECK(echo_line(d, t) == "root");
    d.on_output("\r\nroot's Password: ", 0.1);
    CHECK(step(d, 0.1) == "Pw-secret-1\r");
    d.on_output("\r\n                Software License Agreements\r\n\r\nAccept License agreements? [yes/no]: ", t = 0.2);
    CHECK(echo_line(d, t) == "yes");
    d.on_output("\r\nLicense agreements accepted.\r\n# ", 0.3);
    CHECK(step(d, 0.3).find("oslevel -s") != std::string::npos);
  }
  {
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output("Console login: ", 0);
    double t = 0;
    echo_line(d, t);
    d.on_output("\r\nroot's Password: ", 0.1);
    step(d, 0.1);
    d.on_output("\r\n3004-007 You entered an invalid login name or password.\r\nConsole login: ", 0.2);
    CHECK(step(d, 0.2).empty());
    CHECK(d.outcome() == Outcome::halted);
    CHECK(has_event(d.take_events(), "login-failed"));
  }
  {
    ShellOptions o = opts();
    o.password.clear();
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), o);
    d.on_output("Console login: ", 0);
    double t = 0;
    echo_line(d, t);
    d.on_output("\r\nroot's Password: ", 0.1);
    CHECK(step(d, 0.1).empty());
    CHECK(has_event(d.take_events(), "no-password"));
  }
  {
    // an expired password asks for a new one: not the password prompt, nothing typed
    Screen s = render("Console login: root\r\nroot's Password:\r\n3004-332 Your password has expired.\r\nroot's New password: ");
    CHECK(Recognizer::builtin().recognize(s).id.empty());
  }
}

TEST_CASE("shell: the console already at a root shell runs the commands without logging in") {
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
  d.on_output(raw("aix.shell/ps1-host-path.raw"), 0);
  CHECK(step(d, 0).find("oslevel -s") != std::string::npos);
}

TEST_CASE("run --verify: the chain hands the console to the shell conversation after the plan is done") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(load_plan("t.toml", "name = \"t\"\n[[step]]\nscreen = \"aix.login\"\ndone = true\n", Recognizer::builtin(), plan, errors));
  Session s(plan, Recognizer::builtin(), Guard(Policy{}));
  ShellDriver sh(Recognizer::builtin(), Guard(Policy{}), opts());
  DriverChain chain(s, sh);
  chain.on_output("\r\nAIX Version 7\r\nConsole login: ", 0);
  double t = 0;
  CHECK(echo_line(chain, t) == "root");
  CHECK(chain.second_started());
  CHECK(chain.outcome() == Outcome::running);
  chain.on_output("\r\nroot's Password: ", 0.1);
  CHECK(step(chain, 0.1) == "Pw-secret-1\r");
}

TEST_CASE("run --verify: the write path's question about the keys' screen reaches the plan's session through the chain") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), plan, errors));
  Session s(plan, Recognizer::builtin(), Guard(Policy{}));
  ShellDriver sh(Recognizer::builtin(), Guard(Policy{}), opts());
  DriverChain chain(s, sh);
  const std::string welcome =
      "\x1b[2J\x1b[H\r\n                      Welcome to Base Operating System\r\n"
      "                      Installation and Maintenance\r\n\r\n"
      "Type the number of your choice and press Enter.  Choice is indicated by >>>.\r\n\r\n"
      ">>> 1 Start Install Now with Default Settings\r\n\r\n    2 Change/Show Installation Settings and Install\r\n\r\n"
      "    3 Start Maintenance Mode for System Recovery\r\n\r\n    88  Help ?\r\n    99  Previous Menu\r\n\r\n>>> Choice [1]: ";
  chain.on_output(welcome, 0);
  CHECK(step(chain, 0.1) == "2");
  CHECK(chain.keys_still_judged());
  chain.on_output("\x1b[2J\x1b[HRebooting . . .\r\n", 0.2);  // the screen is gone
  CHECK_FALSE(chain.keys_still_judged());
  chain.keys_dropped(1, 0.2);
  bool noted = false;
  for (const SessionEvent& e : chain.take_events()) noted |= e.code == "keys-dropped";
  CHECK(noted);
}

TEST_CASE("run --verify: the chain hands the plan's media swap and the link's gaps to the driver on the console") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(load_plan("t.toml",
                    "name = \"t\"\n[[step]]\nscreen = \"bos.media_swap\"\naction = \"media-swap\"\nkeys = \"\\r\"\n"
                    "[[step]]\nscreen = \"aix.login\"\ndone = true\n",
                    Recognizer::builtin(), plan, errors));
  Session s(plan, Recognizer::builtin(), Guard(Policy{}));
  ShellDriver sh(Recognizer::builtin(), Guard(Policy{}), opts());
  DriverChain chain(s, sh);
  chain.on_output(raw("bos.media_swap/sim-summary.raw"), 0);
  CHECK(step(chain, 0).empty());  // the Enter waits for the swap
  const auto action = chain.take_action();
  REQUIRE(action);
  CHECK(action->rfind("media-swap", 0) == 0);
  CHECK_FALSE(chain.take_action());
  chain.action_done(true, "volume 2 loaded", 0.5);
  CHECK(step(chain, 0.5) == "\r");
  CHECK(chain.outcome() == Outcome::running);

  // A gap while the plan holds the console is the plan's: it drops nothing but notes it.
  chain.on_detach(1, "link lost");
  CHECK(has_event(chain.take_events(), "detached"));
  chain.on_reattach(2, "reconnected");
  CHECK(has_event(chain.take_events(), "reattached"));
}

// ---- echo before Enter: a console that loses bytes -----------------------------------------

namespace {

std::vector<std::string> sent_since(std::vector<SessionEvent> ev, const std::string& code) {
  std::vector<std::string> out;
  for (auto& e : ev)
    if (e.code == code) out.push_back(e.text);
  return out;
}

// The whole of what the driver sends until it has nothing more to say, stepping time to its
// deadline each time (a console that prints nothing more).
std::string drain(Driver& d, double& t, double until) {
  std::string all;
  while (d.outcome() == Outcome::running && t < until) {
    const std::string k = step(d, t);
    all += k;
    if (!k.empty()) continue;
    auto dl = d.deadline();
    if (!dl) break;
    t = std::max(t + 0.001, *dl);
  }
  return all;
}

}  // namespace

TEST_CASE("shell: an echo showing less than the line gets only the missing rest, then the Enter") {
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts({{"bootlist", "bootlist -m normal -o"}}));
  d.on_output("# ", 0);
  double t = 0;
  const std::string line = step(d, t);
  REQUIRE(line == d.command_line(0));
  const std::size_t cut = line.find(" -o") + 3;  // the console lost everything after `bootlist -m normal -o`
  d.on_output(line.substr(0, cut), t += 0.01);
  // Less than the line, but the echo may still be on its way: nothing until the confirm time.
  CHECK(step(d, t).empty());
  CHECK(step(d, 4.9).empty());
  REQUIRE(d.deadline());
  CHECK(*d.deadline() == doctest::Approx(5));
  CHECK(step(d, t = 5) == line.substr(cut));  // only what the echo proves missing, no Enter
  CHECK(sent_since(d.take_events(), "no-echo").size() == 1);
  CHECK(step(d, t += 0.1).empty());
  d.on_output(line.substr(cut), t += 0.01);
  // The echo is whole, but it may be the first copy's, late: the re-sent rest gets its window
  // (1.5 x the 5.1 s the echo took, from its send) before the Enter, so a twin would show first.
  CHECK(step(d, t).empty());
  CHECK(step(d, t = 13) == "\r");  // the same bytes as one "line\r" always were, only spaced by the echo
  d.on_output(answer("hdisk0 blv=hd5 pathid=0\r\n", 1), t += 0.01);
  CHECK(echo_line(d, t) == "exit");
  REQUIRE(d.results().size() == 1);
  CHECK(d.results()[0].output == "hdisk0 blv=hd5 pathid=0\n");
}

TEST_CASE("shell: a byte lost inside the line gets no Enter: a halt, the line never submitted") {
  // `bootlist -m normal` sets the boot list; `lppchk v`, `errpt head` are other commands too.
  struct Case {
    std::string command, lost;
  };
  for (const Case& c : {Case{"bootlist -m normal -o", " -o"}, Case{"lppchk -v", "-"}, Case{"errpt | head", "| "},
                        Case{"oslevel -s", "oslevel -s"}}) {
    CAPTURE(c.command);
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts({{"x", c.command}}));
    d.on_output("lpar01:/# ", 0);
    double t = 0;
    std::string line = step(d, t);
    REQUIRE(line == d.command_line(0));
    std::string shown = line;
    shown.erase(shown.find(c.lost), c.lost.size());
    d.on_output(shown, t += 0.01);
    CHECK(drain(d, t, 60).empty());  // nothing more, not even Enter, however long it waits
    CHECK(d.outcome() == Outcome::halted);
    CHECK(d.exit_code() == 4);
    CHECK(has_event(d.take_events(), "typed-mismatch"));
    CHECK(d.outcome_text().find(shown) != std::string::npos);
    CHECK(d.outcome_text().find("not submitted") != std::string::npos);
    CHECK(d.results().empty());  // no command ran
  }
}

TEST_CASE("shell: the login name follows the rule, the password goes whole, a line printed while typing halts") {
  {
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output("Console login: ", 0);
    double t = 0;
    CHECK(step(d, t) == "root");
    d.on_output("rot", t += 0.01);  // an 'o' lost: `rot` is another login name
    CHECK(drain(d, t, 60).empty());
    CHECK(d.outcome() == Outcome::halted);
    CHECK(has_event(d.take_events(), "typed-mismatch"));
  }
  {
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output("Console login: ", 0);
    double t = 0;
    CHECK(step(d, t) == "root");
    d.on_output("r", t += 0.01);
    CHECK(step(d, t = 5) == "oot");
    d.on_output("oot", t += 0.01);
    CHECK(step(d, t).empty());  // the re-sent "oot" gets its window first
    CHECK(step(d, t = 13) == "\r");
    d.on_output("\r\nroot's Password: ", t += 0.01);
    CHECK(step(d, t) == "Pw-secret-1\r");
  }
  {
    // a console message in the middle of the echo: the line is no longer the one typed
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output("# ", 0);
    double t = 0;
    const std::string line = step(d, t);
    d.on_output(line.substr(0, 10) + "\r\nMessage from syslogd: disk error\r\n", t += 0.01);
    CHECK(drain(d, t, 60).empty());
    CHECK(d.outcome() == Outcome::halted);
    CHECK(d.outcome_text().find("new line") != std::string::npos);
  }
}

TEST_CASE("shell: an Enter nothing answers is never sent again: a slow answer is waited for, silence halts at the timeout") {
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
  d.on_output("# ", 0);
  double t = 0;
  const std::string line = step(d, t);
  d.on_output(line, t += 0.01);
  CHECK(step(d, t) == "\r");
  // Nothing printed, not even the Enter's echo, for longer than the confirm time: no second
  // Enter (before: one at 5 s, which would have submitted an empty line or the next one typed).
  CHECK(drain(d, t, t + 20).empty());
  CHECK(d.outcome() == Outcome::running);
  d.on_output(answer("7200-05-11-2546\r\n", 1), t += 0.01);  // the slow console answers at last
  CHECK(echo_line(d, t) == "exit");
  REQUIRE(d.results().size() == 1);
  CHECK(d.results()[0].output == "7200-05-11-2546\n");
  // ... and when it never answers: no Enter at all, then a halt at the screen timeout
  CHECK(drain(d, t, t + 100).empty());
  CHECK(d.outcome() == Outcome::halted);
  CHECK(d.exit_code() == 4);
  CHECK(d.outcome_text().find("may still arrive") != std::string::npos);
  CHECK(has_event(d.take_events(), "no-reaction"));
}

TEST_CASE("shell: the echo is awaited after the paced bytes, and a stop leaves the typed line unsubmitted") {
  ShellOptions o = opts();
  o.pacing_s = 0.1;
  o.confirm_timeout_s = 1;
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), o);
  d.on_output("# ", 0);
  const std::string line = step(d, 0);
  REQUIRE(d.deadline());
  CHECK(*d.deadline() == doctest::Approx(0.1 * static_cast<double>(line.size()) + 1));
  d.abort(0.5, "interrupted");
  CHECK(d.outcome() == Outcome::halted);
  CHECK(d.outcome_text().find("its Enter not sent") != std::string::npos);
  CHECK(step(d, 1).empty());
}

// ---- a gap in the link (ssh reconnect): nothing re-sent across it ---------------------------

TEST_CASE("shell: a line whose echo was in flight when the link dropped is never re-sent after the reconnect") {
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
  d.on_output("# ", 0);
  double t = 0;
  const std::string line = step(d, t);
  REQUIRE(line == d.command_line(0));
  d.on_output(line.substr(0, 12), t += 0.01);  // part of the echo, the rest still on its way
  d.on_detach(t += 0.01, "ssh: connection lost");
  CHECK(step(d, t = 6).empty());  // nothing while detached, however long
  CHECK_FALSE(d.deadline());
  d.on_reattach(t = 8, "reconnected");
  // The reopened vterm shows nothing of the line: the rest is not sent (the console may have
  // it all, and a second copy would make another command), nor an Enter, nor a wake-up.
  CHECK(drain(d, t, 60).empty());
  CHECK(d.outcome() == Outcome::halted);
  CHECK(d.exit_code() == 4);
  const auto ev = d.take_events();
  CHECK(has_event(ev, "detached"));
  CHECK(has_event(ev, "gap"));
  CHECK(d.outcome_text().find(line) != std::string::npos);
  CHECK(d.outcome_text().find("not submitted") != std::string::npos);
  CHECK(d.results().empty());
}

TEST_CASE("shell: an Enter or a command's output in flight across a gap halts, judged on nothing") {
  {
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output("# ", 0);
    double t = 0;
    echo_line(d, t);  // the Enter is sent; no answer yet
    d.on_detach(t += 0.01, "ssh: connection lost");
    d.on_reattach(t += 1, "reconnected");
    CHECK(drain(d, t, 60).empty());
    CHECK(d.outcome() == Outcome::halted);
    CHECK(d.outcome_text().find("right after the Enter") != std::string::npos);
  }
  {
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
    d.on_output("# ", 0);
    double t = 0;
    echo_line(d, t);
    d.on_output("\r\n_VB1t_\r\n7200-", t += 0.01);  // the command is printing
    d.evaluate(t);
    d.on_detach(t += 0.01, "ssh: connection lost");
    d.on_reattach(t += 1, "reconnected");
    d.on_output("05-11-2546\r\n_VE1t_ 0\r\n# ", t += 0.01);
    CHECK(drain(d, t, 60).empty());
    CHECK(d.outcome() == Outcome::halted);
    CHECK(d.outcome_text().find("`oslevel -s` ran") != std::string::npos);
    REQUIRE(d.results().size() == 1);
    CHECK_FALSE(d.results()[0].complete);
  }
}

TEST_CASE("shell: a gap with no line in flight: the screen is read afresh and the conversation goes on") {
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), opts());
  double t = 0;
  d.on_output("\r\nAIX Version 7\r\nConsole login: ", t);
  d.on_detach(t += 0.01, "ssh: connection lost");  // before anything was typed
  d.on_reattach(t = 1, "reconnected");
  CHECK(has_event(d.take_events(), "reattached"));
  CHECK(d.screen().text().find("Console login") == std::string::npos);  // the old screen is gone
  // The reopened vterm shows nothing until a key: the one wake-up Enter, then the prompt.
  CHECK(step(d, 2.9).empty());
  CHECK(step(d, t = 3) == "\r");
  d.on_output("\r\nConsole login: ", t += 0.01);
  CHECK(echo_line(d, t) == "root");
  CHECK(d.outcome() == Outcome::running);
}

// A console that loses bytes at random (seeded): each key byte, Enter included, is lost with a
// small probability, or (a burst cut short) a send loses everything from some byte on; the
// others are echoed as a tty echoes them (the password not), and an Enter submits the line it
// has. Whatever is lost, no line but the intended ones is ever submitted.
TEST_CASE("shell: random byte loss never submits another line than the intended ones") {
  const std::vector<ShellCommand> cmds = verify_commands();
  int done = 0, halted = 0, recovered = 0;
  long lost_total = 0;
  for (unsigned seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    ShellOptions o = opts(cmds);
    ShellDriver d(Recognizer::builtin(), Guard(Policy{}), o);
    std::vector<std::string> intended;
    for (std::size_t i = 0; i < cmds.size(); ++i) intended.push_back(d.command_line(i));
    std::mt19937 rng(seed);
    const unsigned mode = seed % 3;  // 0: rare single bytes, 1: frequent single bytes, 2: bursts cut short
    std::bernoulli_distribution lose(mode == 0 ? 0.002 : mode == 1 ? 0.02 : 0.0), cut_short(mode == 2 ? 0.3 : 0.0);
    enum { login, password, shell, off } stage = login;
    std::string line, wrong;
    auto console = [&](const std::string& keys) {
      std::string out;
      const std::size_t cut = cut_short(rng) ? std::uniform_int_distribution<std::size_t>(0, keys.size() - 1)(rng) : keys.size();
      for (std::size_t i = 0; i < keys.size(); ++i) {
        const char c = keys[i];
        if (i >= cut || lose(rng)) {
          ++lost_total;
          continue;
        }
        if (c != '\r') {
          line += c;
          if (stage != password) out += c;
          continue;
        }
        const std::string l = std::exchange(line, std::string());
        if (stage == login) {
          if (l == "root") {
            out += "\r\nroot's Password: ";
            stage = password;
          } else {
            if (!l.empty()) wrong += "login " + l + "\n";
            out += "\r\nConsole login: ";
          }
        } else if (stage == password) {
          out += l == o.password ? "\r\n# " : "\r\n3004-007 You entered an invalid login name or password.\r\nConsole login: ";
          stage = l == o.password ? shell : login;
        } else if (stage == shell) {
          auto it = std::find(intended.begin(), intended.end(), l);
          if (it != intended.end()) {
            out += answer("output\r\n", static_cast<int>(it - intended.begin()) + 1);
          } else if (l == "exit") {
            out += "\r\nConsole login: ";
            stage = off;
          } else {
            if (!l.empty()) wrong += "shell " + l + "\n";
            out += "\r\nksh: not found\r\n# ";
          }
        }
      }
      return out;
    };
    double t = 0;
    std::string out = "\r\nAIX Version 7\r\nConsole login: ";
    for (int i = 0; i < 5000 && d.outcome() == Outcome::running; ++i) {
      if (!out.empty()) d.on_output(std::exchange(out, std::string()), t);
      d.evaluate(t);
      if (auto k = d.take_send()) {
        out = console(std::string(k->keys.spend()));
        t += 0.01;
        continue;
      }
      if (d.outcome() != Outcome::running) break;
      auto dl = d.deadline();
      REQUIRE(dl);
      t = std::max(t + 0.01, *dl);
    }
    CHECK(wrong == "");
    REQUIRE(d.outcome() != Outcome::running);
    const auto ev = d.take_events();
    if (d.outcome() == Outcome::done) {
      ++done;
      REQUIRE(d.results().size() == cmds.size());
      for (const CommandResult& r : d.results()) CHECK(r.output == "output\n");
      if (has_event(ev, "no-echo") || has_event(ev, "no-reaction")) ++recovered;
    } else {
      ++halted;
      CAPTURE(d.outcome_text());
      for (auto& e : ev)
        if (e.kind == SessionEvent::halt) CAPTURE(e.code);
      CHECK(d.outcome() == Outcome::halted);
      // A lost byte of the password (or its Enter) is one refused login (or a password prompt that
      // never answers), never retried.
      CHECK((has_event(ev, "typed-mismatch") || has_event(ev, "no-echo") || has_event(ev, "no-reaction") ||
             has_event(ev, "login-failed") || d.outcome_text().find("(the screen is aix.password)") != std::string::npos));
    }
  }
  MESSAGE("done " << done << ", halted " << halted << ", done after a re-send " << recovered << ", bytes lost " << lost_total);
  CHECK(done > 0);
  CHECK(halted > 0);
  CHECK(recovered > 0);
}

// ---- the guard on shell commands ------------------------------------------------------------

TEST_CASE("guard: every verify/preflight command line is allowed at the shell prompt, lspv's altinst_rootvg rows included") {
  std::vector<std::string> lines;
  ShellOptions o = opts(verify_commands());
  for (auto& c : preflight_commands()) o.commands.push_back(c);
  ShellDriver d(Recognizer::builtin(), Guard(Policy{}), o);
  for (std::size_t i = 0; i < o.commands.size(); ++i) lines.push_back(d.command_line(i) + "\r");
  lines.push_back("exit\r");
  Policy pinned;
  pinned.target_pvid = "00f6db0a6c7aad9b";
  pinned.clone_location = "U8231.E2B.06DAFDP-V6-C2-T1-L8200000000000000";
  for (const auto& f : fixture::files(fixture::root() / "screens" / "aix.shell", ".raw")) {
    CAPTURE(f.string());
    Screen s = render(normalize_capture(fixture::read(f)));
    Recognized r = Recognizer::builtin().recognize(s);
    REQUIRE(r.id == "aix.shell");
    for (const auto& l : lines)
      for (const Policy& p : {Policy{}, pinned}) {
        CAPTURE(l);
        CHECK(judge(r, s, l, p).allow);
      }
  }
  Screen login = render("Console login: ");
  CHECK(judge(Recognizer::builtin().recognize(login), login, "root\r", Policy{}).allow);
}

TEST_CASE("guard: shell command lines are refused on every firmware and installer screen") {
  std::vector<std::string> lines = {"oslevel -s\r", "lspv\r", "exit\r", "echo _V\"\"B1t_; lppchk -v; echo _V\"\"E1t_ $?\r",
                                    "root\r", "yes\r"};
  int judged = 0;
  for (const auto& f : fixture::files(fixture::root() / "screens", ".raw")) {
    const std::string id = f.parent_path().filename().string();
    if (id.rfind("sms.", 0) != 0 && id.rfind("bos.", 0) != 0 && id.rfind("fw.", 0) != 0) continue;
    CAPTURE(f.string());
    Screen s = render(normalize_capture(fixture::read(f)));
    Recognized r = Recognizer::builtin().recognize(s);
    for (const auto& l : lines) {
      CAPTURE(l);
      CHECK_FALSE(judge(r, s, l, Policy{}).allow);
      ++judged;
    }
  }
  CHECK(judged > 100);
}

TEST_CASE("guard: a BOS or SMS screen ending like a shell prompt is never aix.shell, and the clone is still refused") {
  for (const char* f : {"bos.disks/sim-power7.raw", "bos.disks/sim-levels.raw", "bos.welcome/sim-power7.raw",
                        "sms.device_list/sim-power7.raw", "bos.method/sim-power7.raw"}) {
    CAPTURE(f);
    Screen s = render(raw(f) + "\r\nlpar01:/# ");
    Recognized r = Recognizer::builtin().recognize(s);
    CHECK(r.id != "aix.shell");
    for (const auto& id : r.ambiguous) CHECK(id != "aix.shell");
  }
  Screen s = render(raw("bos.disks/sim-power7.raw") + "\r\n# ");
  Recognized r = Recognizer::builtin().recognize(s);
  CHECK_FALSE(judge(r, s, "2\r", Policy{}).allow);
}

// Layer 2 alone, as if a wrong signature had called a BOS disk screen a shell: the clone's
// row continues on an indented line (Size / VG Status), which layer 2 must read as part of
// the row. Expected to pass once layer 2 joins continuation rows (the guard rewrite in
// progress); until then layer 1 and the aix.shell signature's `none` list are what stop it.
TEST_CASE("guard layer 2: a wrapped altinst_rootvg disk row is refused whatever the screen id" * doctest::may_fail()) {
  Screen s = render(raw("bos.disks/sim-power7.raw") + "\r\n# ");
  Recognized as_shell = Recognizer::builtin().recognize(s);
  as_shell.id = "aix.shell";
  as_shell.ambiguous.clear();
  Verdict v = judge(as_shell, s, "2\r", Policy{});
  CHECK_FALSE(v.allow);
  CHECK(v.code == "altinst-disk");
}
