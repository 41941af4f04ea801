// The shell conversation, as a pure state machine. See include/vtpilot/shell/shell.hpp.
//
// What Enter means, screen by screen (why this driver presses it almost never):
//   SMS menus                 redraw, or a default the firmware picks: never
//   BOS menus (bos.*)         the default choice (Welcome: Start Install Now): never
//   aix.term_prompt           an empty TERM: the prompt again; we type the terminal type
//   aix.login / aix.password  an empty login / an empty password (a failed login): never
//   aix.shell                 a new prompt; we type commands
//   blank / vterm "Open in progress"   nothing visible yet: one Enter to make AIX redraw its
//                             prompt (getty answers it with a new "login:")
// So the only Enter sent without a line before it is the wake-up on a console that shows
// nothing at all, and on any SMS, firmware or BOS screen the conversation halts without sending
// anything.
//
// A line's Enter never travels with it. Service processors drop bytes sent close together, and
// at a root shell a line missing one byte is another command (`bootlist -m normal -o` without
// ` -o` sets the boot list; `lppchk -v` without `-` is `lppchk v`). So the text goes first, and
// the Enter only once the echo shows exactly that text typed after the prompt: the byte
// stream's current line (what the console printed since its last newline, escapes dropped,
// CR/BS applied), so a line wrapped by the terminal reads whole. The Enter is a send of its own,
// judged as "line + Enter" on the prompt screen the line was typed at (the typed screen itself
// is no prompt the recognizer knows). What the echo proves is decided by AnswerGate
// (answer_gate.hpp), the rule's one home, shared with the menu Session: less than the text
// shown, after the confirm time: only the missing rest is sent (at most max_resends times per
// line), and once the echo is whole the re-sent rest gets its window before the Enter (a slow
// first copy would otherwise arrive after it: "rootoot"); anything else shown, or a newline
// before the Enter, at the confirm time: no Enter, a halt. The line is then left typed, never submitted:
// erasing it (Ctrl-U) is the usual line-kill on AIX, but only if the tty's kill character is
// ^U, and a shell in vi mode or with another kill character would take it as text; so nothing
// more is typed, and the halt says how to clear it. An Enter is never sent again: nothing printed
// after it is no proof it was lost, and a second one would submit whatever the first left
// there; the wait ends at the screen timeout with a halt saying it may still arrive. The password is not
// echoed: it goes whole, and a byte lost there is one refused login, never retried.
#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/shell/shell.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

#include "vtpilot/engine/answer_gate.hpp"
#include "vtpilot/engine/exit_code.hpp"
#include "vtpilot/term/terminal.hpp"

namespace vtpilot {

namespace {

// Screens on the way to a running system: wait for them to pass.
bool passing_screen(const std::string& id) {
  return id == screen_id::sms_post || id == screen_id::sms_please_wait || id == screen_id::fw_starting_software;
}

// The cursor sits right after the last thing drawn: a prompt waiting for input. With
// `blank_after`, after a blank too: a shell prompt is "# ", and its '#' alone may be the
// middle of a line still arriving.
bool at_prompt(const Screen& s, bool blank_after = false) {
  int last = -1;
  for (int i = 0; i < static_cast<int>(s.lines.size()); ++i)
    if (s.lines[static_cast<std::size_t>(i)].find_first_not_of(' ') != std::string::npos) last = i;
  if (last < 0 || s.cursor_row != last) return false;
  return s.cursor_col >= static_cast<int>(s.lines[static_cast<std::size_t>(last)].size()) + (blank_after ? 1 : 0);
}


// Console bytes to lines: escape sequences dropped, CR returns to column 0 (later text
// overwrites), BS steps back, LF ends the line. Enough for shell output and ksh's redraws.
class LineReader {
 public:
  template <typename F>
  void feed(std::string_view bytes, F&& on_line) {
    for (char ch : bytes) {
      const auto c = static_cast<unsigned char>(ch);
      switch (state_) {
        case St::esc:
          state_ = c == '[' ? St::csi : c == ']' ? St::osc : (c == '(' || c == ')') ? St::charset : St::text;
          continue;
        case St::csi:
          if (c >= 0x40 && c <= 0x7e) state_ = St::text;
          continue;
        case St::osc:
          if (c == 0x07) state_ = St::text;
          else if (c == 0x1b) state_ = St::esc;
          continue;
        case St::charset:
          state_ = St::text;
          continue;
        case St::text:
          break;
      }
      if (c == 0x1b) {
        state_ = St::esc;
      } else if (c == '\n') {
        on_line(line_);
        line_.clear();
        col_ = 0;
      } else if (c == '\r') {
        col_ = 0;
      } else if (c == '\b') {
        if (col_ > 0) --col_;
      } else if (c == '\t') {
        put(' ');
        while (col_ % 8) put(' ');
      } else if (c >= 0x20 && c != 0x7f) {
        put(ch);
      }
    }
  }
  const std::string& partial() const { return line_; }
  std::size_t column() const { return std::min(col_, line_.size()); }

 private:
  void put(char c) {
    if (line_.size() > 65536) return;  // a line without end: keep it bounded
    if (col_ < line_.size()) line_[col_] = c;
    else line_ += c;
    ++col_;
  }
  enum class St { text, esc, csi, osc, charset } state_ = St::text;
  std::string line_;
  std::size_t col_ = 0;
};

}  // namespace

struct ShellDriver::Impl {
  const Recognizer& recognizer;
  Guard guard;
  ShellOptions opt;
  Terminal term{24, 80, 2000};
  LineReader reader;

  Outcome outcome = Outcome::running;
  int exit = 0;
  std::string outcome_text;
  std::vector<SessionEvent> events;
  std::optional<Outgoing> pending;  // with its secret flag: one value, never out of step

  bool started = false;
  double start_t = 0, last_change = 0, last_output = 0;
  std::string last_text;
  std::string cur_id, last_known;
  bool seen_first = false;
  std::string wake_withheld;  // why no wake-up Enter may be pressed (withhold_wake)
  bool wake_note_due = false;  // ... said at the next evaluate
  bool wake_armed = false;  // a blank console: the wake-up Enter is due at its deadline
  bool acted_this_visit = false;  // keys were sent on this visit of the current screen
  bool woke = false;
  bool user_sent = false, password_sent = false, shell_seen = false, exiting = false;

  enum class Cmd { idle, awaiting_begin, in_output, finished } cmd = Cmd::idle;
  std::size_t next_cmd = 0;  // index of the next command to start
  std::vector<CommandResult> results;

  std::size_t lines_in = 0;  // lines the console ended (LF), from the start
  std::size_t bytes_in = 0;  // bytes the console printed, from the start

  // The line in flight: typed, its Enter held until the echo shows it (see the top of this file).
  enum class Line { term, login, license, command, exit };
  struct Typing {
    Line kind = Line::command;
    std::size_t command = 0;  // Line::command: which one
    std::string what;         // for messages: "the login name", "`oslevel -s`"
    std::string text;         // the whole line, as the echo must show it
    std::string prompt;       // the console's line up to the cursor when the text was sent
    std::size_t lines0 = 0;   // lines_in then: a line ended before the Enter means something else happened
    Recognized r;             // the prompt screen the line is typed at: every part and the Enter are judged there
    Screen s;
    std::size_t bytes_at_enter = 0;
  };
  std::optional<Typing> typing;
  // Echo before Enter (answer_gate.hpp): the timing, the re-sends and the Enter of `typing`.
  AnswerGate gate;
  bool enter_sent() const { return typing && gate.enter_in_flight(); }

  // A transport that reconnects (ssh): while detached nothing is decided or sent. What was in
  // flight when the console went away (a line typed, its Enter's answer, a command's output)
  // is unknown after the gap: a reopened vterm shows only what is drawn from then on, so an
  // echo read after it proves nothing about the bytes before it. Never re-sent across the gap.
  bool detached = false;
  std::optional<std::string> lost_in_gap;  // the halt's sentence, when something was in flight

  Impl(const Recognizer& r, Guard g, ShellOptions o)
      : recognizer(r), guard(std::move(g)), opt(std::move(o)),
        gate(AnswerGateOptions{opt.pacing_s, opt.confirm_timeout_s, opt.max_resends}) {}

  // Short markers: every typed byte is paced (100 ms by default on a console).
  std::string begin_marker(std::size_t n) const { return "_VB" + std::to_string(n + 1) + opt.nonce + "_"; }
  std::string end_marker(std::size_t n) const { return "_VE" + std::to_string(n + 1) + opt.nonce + "_"; }
  std::string typed_line(std::size_t n) const {
    const std::string b = "_V\"\"B" + std::to_string(n + 1) + opt.nonce + "_";
    const std::string e = "_V\"\"E" + std::to_string(n + 1) + opt.nonce + "_";
    return "echo " + b + "; " + opt.commands[n].command + "; echo " + e + " $?";
  }

  void emit(SessionEvent e) { events.push_back(std::move(e)); }

  // The end of the conversation: its exit follows from the outcome (exit_for).
  void finish(Outcome o, double now, std::string code_name, std::string text) {
    if (outcome != Outcome::running) return;
    outcome = o;
    exit = exit_for(o);
    outcome_text = text;
    emit({o == Outcome::done ? SessionEvent::done : SessionEvent::halt, now, cur_id, "", std::move(code_name), std::move(text)});
  }
  void halt(double now, std::string code, std::string text) {
    finish(Outcome::halted, now, std::move(code), std::move(text));
  }

  void on_line(const std::string& line) {
    if (cmd == Cmd::awaiting_begin) {
      if (line.find(begin_marker(results.size() - 1)) != std::string::npos) cmd = Cmd::in_output;
      return;
    }
    if (cmd != Cmd::in_output) return;
    CommandResult& r = results.back();
    const std::string end = end_marker(results.size() - 1);
    if (auto at = line.find(end); at != std::string::npos) {
      append(r, line.substr(0, at), false);
      std::string rest = line.substr(at + end.size());
      auto b = rest.find_first_not_of(' ');
      r.status = -1;
      if (b != std::string::npos && std::isdigit(static_cast<unsigned char>(rest[b]))) {
        r.status = 0;
        for (std::size_t i = b; i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])) && r.status < 100000; ++i)
          r.status = r.status * 10 + (rest[i] - '0');
      }
      r.complete = true;
      cmd = Cmd::finished;
      return;
    }
    append(r, line, true);
  }

  void append(CommandResult& r, const std::string& text, bool newline) {
    if (text.empty() && !newline) return;
    if (r.output.size() + text.size() + 1 > opt.max_output) {
      r.truncated = true;
      return;
    }
    r.output += text;
    if (newline) r.output += '\n';
  }

  bool send(const Recognized& r, const Screen& s, const std::string& keys, bool secret, double now,
            const Guard* with = nullptr) {
    auto verdict = (with ? *with : guard).approve(r, s, keys);
    if (auto* refused = std::get_if<Verdict>(&verdict)) {
      emit({SessionEvent::refuse, now, r.id, secret ? "***" : printable_keys(keys), refused->code, refused->reason});
      finish(Outcome::refused, now, refused->code, refused->reason);
      return false;
    }
    pending.emplace(Outgoing{std::move(std::get<Approved>(verdict)), secret});
    acted_this_visit = true;
    last_change = now;
    // No text: the runner shows a send's text as a recovery note.
    emit({SessionEvent::send, now, r.id, secret ? "***" : printable_keys(keys), "", "", -1, -1, secret});
    return true;
  }

  std::string waiting_for() const {
    if (typing)
      return enter_sent() ? "the console to take the Enter after \"" + typing->text + "\""
                                : "the echo of \"" + typing->text + "\"";
    if (cmd == Cmd::awaiting_begin || cmd == Cmd::in_output)
      return "the output of `" + results.back().command + "`";
    if (exiting) return "the login prompt after `exit`";
    if (password_sent) return "the shell prompt after the login";
    if (user_sent) return "the password prompt";
    return "a login prompt or shell prompt";
  }

  // What the console's line shows typed after the prompt the text was typed at; nullopt when it
  // is no longer that line (a line ended, or the cursor went back into the prompt).
  std::optional<std::string> echoed(const Typing& t) const {
    if (lines_in != t.lines0) return std::nullopt;
    const std::string& l = reader.partial();
    const std::size_t col = reader.column(), p = t.prompt.size();
    if (col < p || l.compare(0, p, t.prompt) != 0) return std::nullopt;
    return l.substr(p, col - p);
  }

  // Types a line without its Enter, judged as the whole line (the guard judges a line without
  // Enter as if submitted), and holds the Enter.
  void type_line(const Recognized& r, const Screen& s, Line kind, std::string what, std::string text, double now,
                 std::size_t command = 0) {
    Typing t;
    t.kind = kind;
    t.command = command;
    t.what = std::move(what);
    t.text = std::move(text);
    t.prompt = reader.partial().substr(0, reader.column());
    t.lines0 = lines_in;
    t.r = r;
    t.s = s;
    if (!send(r, s, t.text, false, now)) return;
    gate.start(t.text, true, true, t.text.size(), now);
    typing = std::move(t);
  }

  // Part of the line in flight (the rest the echo proves missing, or its Enter), judged on the
  // prompt screen as what the console will submit: the whole line (with the Enter, for it).
  bool send_part(Typing& t, const std::string& keys, double now) {
    const bool enter = keys == "\r";
    const std::string line = t.text + (enter ? "\r" : "");
    const Verdict v = judge(t.r, t.s, line, guard.policy());
    if (!v.allow) {
      emit({SessionEvent::refuse, now, t.r.id, printable_keys(line), v.code, v.reason});
      finish(Outcome::refused, now, v.code, v.reason);
      return false;
    }
    if (!send(t.r, t.s, keys, false, now)) return false;
    if (enter) gate.entered(now);
    else gate.resent(keys.size(), now);
    return true;
  }

  void press_enter(Typing& t, double now) {
    if (!send_part(t, "\r", now)) return;  // the gate sends it once: never again
    t.bytes_at_enter = bytes_in;
    switch (t.kind) {
      case Line::login: user_sent = true; break;
      case Line::exit: exiting = true; break;
      case Line::command: {
        CommandResult res;
        res.id = opt.commands[t.command].id;
        res.command = opt.commands[t.command].command;
        results.push_back(std::move(res));
        cmd = Cmd::awaiting_begin;
        break;
      }
      case Line::term:
      case Line::license: break;
    }
  }

  // Nothing erases a line vtpilot typed (see the top of this file): the operator is told.
  static std::string left_typed() {
    return " The line stays typed at the console's prompt, not submitted: clear it there (Ctrl-U, or Ctrl-C) before "
           "anyone presses Enter on that console.";
  }

  // The line in flight. True while it holds the conversation (nothing else is decided).
  bool follow_typing(double now) {
    Typing& t = *typing;
    // After the Enter: any byte printed since is its answer (its echo, at least). Nothing
    // printed is no proof it was lost (an HMC under load relays seconds late): the gate never
    // sends it again, since a second Enter would submit an empty line, or the next line typed,
    // wherever the first one left the shell. The wait is bounded by the screen timeout, whose
    // halt says the Enter may still arrive.
    const bool in_flight = gate.enter_in_flight();
    const bool answered = in_flight && bytes_in != t.bytes_at_enter;
    const std::optional<std::string> shown = in_flight ? std::nullopt : echoed(t);
    const AnswerGate::Look look = gate.look(shown, answered, now);
    switch (look.step) {
      case AnswerGate::Step::wait:
        return true;
      case AnswerGate::Step::taken:
        typing.reset();
        gate.clear();
        return false;
      case AnswerGate::Step::enter:
        press_enter(t, now);
        return true;
      case AnswerGate::Step::resend:
        emit({SessionEvent::note, now, t.r.id, "", "no-echo",
              "the console shows \"" + *shown + "\" typed, not \"" + t.text + "\": sending the missing \"" + look.rest +
                  "\" (the Enter waits until the echo shows the whole line)"});
        send_part(t, look.rest, now);
        return true;
      case AnswerGate::Step::exhausted:
        halt(now, "no-echo",
             "the console shows \"" + *shown + "\" typed, not \"" + t.text + "\" (" + t.what + "), after " +
                 std::to_string(gate.resends() + 1) + " tries, so its Enter was never sent." + left_typed() +
                 " A larger --pacing gives the console more time per byte.");
        return true;
      case AnswerGate::Step::reacted:  // before its Enter, the shell's only reaction is a line ended: shown is nullopt
      case AnswerGate::Step::mismatch:
        break;
    }
    halt(now, "typed-mismatch",
         shown ? "the console shows \"" + *shown + "\" typed, not \"" + t.text + "\" (" + t.what +
                     "): a byte was lost or changed on the way, and that line is another one, so its Enter was not sent." +
                     left_typed() + " A larger --pacing gives the console more time per byte."
               : "the console printed a new line while " + t.what + " (\"" + t.text +
                     "\") was being typed, before its Enter; the Enter was not sent." + left_typed());
    return true;
  }

  void detach(double now, const std::string& why) {
    if (outcome != Outcome::running) return;
    detached = true;
    pending.reset();  // keys not handed to the write path are dropped, never sent later
    wake_armed = false;
    const bool answered = enter_sent() && bytes_in != typing->bytes_at_enter;
    if (typing && !answered) {
      const Typing& t = *typing;
      lost_in_gap = enter_sent()
                        ? "the console went away (" + why + ") right after the Enter of " + t.what + " (\"" + t.text +
                              "\"), before any answer: whether the console took it is unknown, so nothing more was sent."
                        : "the console went away (" + why + ") while " + t.what + " (\"" + t.text +
                              "\") was being typed: what reached it is unknown, so nothing was sent again and its Enter "
                              "was not sent." + left_typed();
    } else if (cmd == Cmd::awaiting_begin || cmd == Cmd::in_output) {
      lost_in_gap = "the console went away (" + why + ") while `" + results.back().command +
                    "` ran: what it printed in the gap is lost, so its output is not known whole; nothing more was sent.";
    }
    emit({SessionEvent::note, now, cur_id, "", "detached",
          "console lost (" + why + "); reconnecting; nothing is sent until the screen is read again"});
  }

  void reattach(double now, const std::string& what) {
    if (outcome != Outcome::running) return;
    detached = false;
    term = Terminal(24, 80, 2000);  // a reopened vterm shows only what is drawn from now on
    reader = LineReader{};
    seen_first = false;
    cur_id.clear();
    last_text.clear();
    started = true;
    start_t = last_change = last_output = now;
    acted_this_visit = false;
    woke = false;  // a reopened vterm shows nothing until a key: one wake-up again
    if (lost_in_gap) {
      if (cmd == Cmd::awaiting_begin || cmd == Cmd::in_output) cmd = Cmd::idle;  // its capture ends incomplete
      halt(now, "gap", *lost_in_gap);
      return;
    }
    emit({SessionEvent::note, now, "", "", "reattached", what + "; reading the screen again before sending anything"});
  }

  void evaluate(double now) {
    if (outcome != Outcome::running || detached) return;
    if (!started) {
      started = true;
      start_t = last_change = now;
    }
    if (wake_note_due) {
      wake_note_due = false;
      emit({SessionEvent::note, now, "", "", "no-wake", "no Enter will be pressed on a blank console: " + wake_withheld});
    }
    const Screen s = term.screen();
    std::string text = s.text();
    if (text != last_text) {
      last_text = std::move(text);
      last_change = now;
    }
    const Recognized r = recognizer.recognize(s);
    if (!r.ambiguous.empty()) {
      std::string ids;
      for (auto& id : r.ambiguous) ids += (ids.empty() ? "" : " and ") + id;
      halt(now, "ambiguous-screen", "signatures " + ids + " both match this screen; nothing sent");
      return;
    }
    if (r.id != cur_id || !seen_first) {
      seen_first = true;
      cur_id = r.id;
      acted_this_visit = false;
      if (!r.id.empty() && r.id != last_known) emit({SessionEvent::screen, now, r.id, "", "", r.fields.title});
      if (!r.id.empty()) last_known = r.id;
    }
    wake_armed = false;
    if (now - last_change >= opt.screen_timeout_s && enter_sent() && bytes_in == typing->bytes_at_enter) {
      halt(now, "no-reaction",
           "the console printed nothing for " + std::to_string(static_cast<int>(opt.screen_timeout_s)) + " s after the Enter of " +
               typing->what + " (\"" + typing->text + "\"); it was not sent again, and it may still arrive: look at the "
               "console before anyone types there (the line may still be typed at its prompt, not submitted)");
      return;
    }
    if (now - last_change >= opt.screen_timeout_s) {
      halt(now, "timeout",
           "nothing changed for " + std::to_string(static_cast<int>(opt.screen_timeout_s)) + " s while waiting for " +
               waiting_for() + (r.id.empty() ? std::string() : " (the screen is " + r.id + ")") +
               (!wake_withheld.empty() && s.blank() ? "; the console showed nothing and no Enter was pressed: " + wake_withheld
                                                   : std::string()));
      return;
    }

    // A line typed and not yet taken: only its echo matters.
    if (typing && follow_typing(now)) return;

    // A command is running: only its end marker matters (the screen may show anything,
    // including lines that look like prompts).
    if (cmd == Cmd::awaiting_begin || cmd == Cmd::in_output) return;

    const std::string& id = r.id;
    if (id == screen_id::hmc_vterm_busy) {
      finish(Outcome::closed, now, "vterm-busy",
             "another session holds this console (mkvterm: a terminal session is already open); free it with rmvterm");
      return;
    }
    if (id == screen_id::hmc_vterm_closed) {
      finish(Outcome::closed, now, "vterm-closed", "the HMC closed the console session");
      return;
    }
    if (id.rfind("sms.", 0) == 0 || id.rfind("bos.", 0) == 0 || id.rfind("fw.", 0) == 0) {
      if (passing_screen(id)) return;  // booting: wait (bounded by the timeout)
      halt(now, id == screen_id::bos_progress || id == screen_id::bos_media_swap ? "install-running" : "not-at-aix",
           "the console shows " + id + ", not a running AIX system; nothing was sent (Enter on this screen would "
           "choose its default). Boot the system to its login prompt first.");
      return;
    }
    const bool ready = at_prompt(s, id == screen_id::aix_shell);
    if (id.empty() || id == screen_id::hmc_vterm_open) {
      if ((s.blank() || id == screen_id::hmc_vterm_open) && opt.wake && !woke) {
        wake_armed = true;
        if (now - std::max(start_t, last_output) >= opt.wake_after_s) {
          wake_armed = false;
          woke = true;
          // Nothing is recognized on a blank screen; this one Enter is allowed as step mode
          // allows operator keys there: layer 2 still judges (and finds nothing to refuse).
          Policy p = guard.policy();
          p.allow_unknown_screen = true;
          Guard wake_guard(p);
          emit({SessionEvent::note, now, id, "", "wake", "the console shows nothing: pressing Enter once to make it draw its prompt"});
          send(r, s, "\r", false, now, &wake_guard);
        }
      }
      return;  // unknown screens: wait for something known (bounded by the timeout)
    }
    if (!ready || acted_this_visit) return;

    if (id == screen_id::aix_term_prompt) {
      type_line(r, s, Line::term, "the terminal type", opt.term, now);
    } else if (id == screen_id::aix_login) {
      if (exiting) {
        finish(Outcome::done, now, "", "logged out; the console is at its login prompt");
      } else if (shell_seen) {
        halt(now, "logged-out", "the shell ended before the commands were done (the console is back at its login prompt)");
      } else if (password_sent) {
        halt(now, "login-failed",
             "the console refused the login of " + opt.user + " (wrong password?); not retried, to avoid a lockout");
      } else {
        type_line(r, s, Line::login, "the login name", opt.user, now);
      }
    } else if (id == screen_id::aix_password) {
      if (!user_sent) {
        halt(now, "password-prompt", "the console asks for a password for a login vtpilot did not type; nothing sent");
      } else if (password_sent) {
        halt(now, "login-failed", "the console asks for the password again; not retried");
      } else if (opt.password.empty()) {
        halt(now, "no-password", "the console asks for " + opt.user + "'s password: give --password-file FILE, or run on a terminal to be asked");
      } else {
        password_sent = true;
        send(r, s, opt.password + "\r", true, now);
      }
    } else if (id == screen_id::aix_license) {
      if (!opt.accept_license) {
        halt(now, "license", "the first root login asks to accept the software license agreements; accept them on the console first");
        return;
      }
      const bool short_form = last_text.find("[y/n]") != std::string::npos;
      emit({SessionEvent::note, now, id, "", "license", "accepting the software license agreements (first root login)"});
      type_line(r, s, Line::license, "the license answer", short_form ? "y" : "yes", now);
    } else if (id == screen_id::aix_shell) {
      shell_seen = true;
      if (exiting) return;  // `exit` was typed; wait for the login prompt
      if (next_cmd < opt.commands.size()) {
        const std::size_t n = next_cmd++;
        type_line(r, s, Line::command, "`" + opt.commands[n].command + "`", typed_line(n), now, n);
      } else if (opt.logout) {
        type_line(r, s, Line::exit, "`exit`", "exit", now);
      } else {
        finish(Outcome::done, now, "", "commands done; the shell is left open");
      }
    } else {
      // hmc.* and aix.* screens this driver has no answer for: wait (bounded by the timeout).
    }
  }

  std::optional<double> deadline() const {
    if (outcome != Outcome::running || detached) return std::nullopt;  // the transport bounds the reconnect
    double d = last_change + opt.screen_timeout_s;
    if (wake_armed) d = std::min(d, std::max(start_t, last_output) + opt.wake_after_s);
    if (typing)
      if (const auto g = gate.deadline()) d = std::min(d, *g);  // an Enter in flight: the screen timeout
    return d;
  }
};

ShellDriver::ShellDriver(const Recognizer& recognizer, Guard guard, ShellOptions options)
    : impl_(std::make_unique<Impl>(recognizer, std::move(guard), std::move(options))) {}
ShellDriver::~ShellDriver() = default;

void ShellDriver::on_output(std::string_view bytes, double now) {
  impl_->term.feed(bytes);
  impl_->last_output = now;
  impl_->last_change = now;
  impl_->bytes_in += bytes.size();
  impl_->reader.feed(bytes, [this](const std::string& line) {
    ++impl_->lines_in;
    impl_->on_line(line);
  });
  if (impl_->cmd == Impl::Cmd::finished) {
    // The command is over: the next prompt is a new place to act, even if the screen never
    // stopped being aix.shell in between (echo, output and prompt can come in one read).
    impl_->cmd = Impl::Cmd::idle;
    impl_->acted_this_visit = false;
  }
}
void ShellDriver::evaluate(double now) { impl_->evaluate(now); }
void ShellDriver::on_detach(double now, const std::string& why) { impl_->detach(now, why); }
void ShellDriver::withhold_wake(const std::string& why) {
  Impl& m = *impl_;
  if (!m.opt.wake) return;
  m.opt.wake = false;
  m.wake_withheld = why;
  m.wake_note_due = true;
}

void ShellDriver::on_reattach(double now, const std::string& what) { impl_->reattach(now, what); }
void ShellDriver::on_close(double now, const std::string& why) {
  impl_->finish(Outcome::closed, now, "console-closed", "the console closed: " + why);
}
void ShellDriver::abort(double now, const std::string& why) {
  const auto& t = impl_->typing;
  impl_->finish(Outcome::halted, now, "aborted",
                t && !impl_->enter_sent() ? why + "; " + t->what + " (\"" + t->text + "\") was typed, its Enter not sent." +
                                          Impl::left_typed()
                                    : why);
}
std::optional<Outgoing> ShellDriver::take_send() {
  std::optional<Outgoing> out;
  if (impl_->pending) {
    out.emplace(std::move(*impl_->pending));
    impl_->pending.reset();
  }
  return out;
}
std::vector<SessionEvent> ShellDriver::take_events() { return std::exchange(impl_->events, {}); }
std::optional<double> ShellDriver::deadline() const { return impl_->deadline(); }
Outcome ShellDriver::outcome() const { return impl_->outcome; }
int ShellDriver::exit_code() const { return impl_->exit; }
const std::string& ShellDriver::outcome_text() const { return impl_->outcome_text; }
Screen ShellDriver::screen() const { return impl_->term.screen(); }
const std::vector<CommandResult>& ShellDriver::results() const { return impl_->results; }
std::string ShellDriver::command_line(std::size_t n) const {
  return n < impl_->opt.commands.size() ? impl_->typed_line(n) : std::string();
}

}  // namespace vtpilot
