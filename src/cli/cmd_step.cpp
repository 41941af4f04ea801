// vtpilot step: the operator sees each screen, the plan's keys and the guard's verdict, and
// accepts (Enter), skips (s), types other keys (t, still judged), accepts and watches to the next
// decision (w) or quits (q, ~.).
#include <utility>  // before Asio (debian12-notes.md)

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <csignal>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/transport/transport.hpp"

namespace vtpilot::cli {

namespace asio = boost::asio;

namespace {

const char* kHelp = "[Enter] accept  [s] skip  [t] type keys  [w] watch  [q] or ~. quit";

// The console is 80x24; a proposal adds its status lines (screen, plan, verdict; the keys).
constexpr int kConsoleRows = 24, kConsoleCols = 80, kStatusRows = 2;
// The POST banner takes 1 (SMS Menu) only for a few seconds, then the firmware boots its boot
// list: the old 7.1 disk. Step mode counts down this long and then sends the plan's key itself
// (judged as always); the operator can answer at once, or s lets the firmware boot.
constexpr int kPostCountdownS = 3;

// How the operator's terminal shows a proposal: the whole console screen and the status lines
// at once, never wrapped. full: redrawn from the top (room for 24 rows and the status);
// otherwise line mode: the screen printed below the last events, its blank rows collapsed
// (and, if still too tall, its top rows left out) so the proposal fits the terminal's height.
struct Layout {
  bool tty = false;
  int rows = 0, cols = 0;  // 0: unknown (not a terminal)
  bool full() const { return tty && cols >= kConsoleCols && rows >= kConsoleRows + kStatusRows; }
  bool too_small() const { return tty && rows > 0 && (cols < kConsoleCols || rows < kConsoleRows); }
};

Layout terminal_layout() {
  Layout l;
  l.tty = ::isatty(2);
  struct winsize ws {};
  if (l.tty && ::ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    l.rows = ws.ws_row;
    l.cols = ws.ws_col;
  }
  return l;
}

std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

// Words of `text` in lines of at most `cols` columns (0: one line); a word longer than a line
// gets a line of its own.
std::vector<std::string> wrap(const std::string& text, int cols) {
  if (cols <= 0 || display_width(text) <= static_cast<std::size_t>(cols)) return {text};
  std::vector<std::string> out;
  std::string line, word;
  std::istringstream in(text);
  while (in >> word) {
    if (!line.empty() && display_width(line) + 1 + display_width(word) > static_cast<std::size_t>(cols)) {
      out.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

// The console's rows for a proposal in at most max_rows lines (0: no limit). They are shown
// as they are when they fit; else runs of blank rows become one and the blank rows above and
// below go; then, if needed, every blank row; if still too tall, the top rows are left out (the
// menu's items and its prompt are at the bottom) and a first line says how many.
std::vector<std::string> fitted_rows(const Screen& s, std::size_t max_rows, bool compact_always) {
  std::vector<std::string> rows(s.lines.begin(), s.lines.end());
  if (!compact_always && (max_rows == 0 || rows.size() <= max_rows)) return rows;
  std::vector<std::string> out;
  for (const std::string& r : rows) {
    const bool blank = r.find_first_not_of(' ') == std::string::npos;
    if (blank && (out.empty() || out.back().empty())) continue;
    out.push_back(blank ? std::string() : r);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  if (max_rows > 0 && out.size() > max_rows) std::erase(out, std::string());  // then no blank rows at all
  if (max_rows > 1 && out.size() > max_rows) {
    const std::size_t cut = out.size() - (max_rows - 1);
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(cut));
    out.insert(out.begin(), "(" + std::to_string(cut) + " rows above not shown: the terminal is too short)");
  }
  return out;
}

// Screens that are no decision about the install: watching accepts the plan's keys there (each
// still judged by the guard) and goes on. The media swap's Enter continues the install with the
// next volume; the TERM prompt after the reboot only names the terminal. Everything else that
// proposes keys (SMS and installer menus) is a decision: watching stops and asks.
bool watch_through(const std::string& id) {
  return id == screen_id::bos_media_swap || id == screen_id::aix_term_prompt;
}

// Raw keys from the operator's terminal, restored on every way out (RAII; signals go through Asio).
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (!::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_iflag &= ~static_cast<tcflag_t>(ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

struct Operator {
  Operator(Session& s, asio::io_context& io) : session(s), countdown_timer(io) {}
  Session& session;
  LiveRun* run = nullptr;
  bool raw = false;
  bool watching = false;
  bool typing = false;
  bool warned_small = false;
  std::string line;
  char last = '\n';
  std::function<double()> now;
  // POST: seconds left before the plan's key goes by itself (0: no countdown running).
  asio::steady_timer countdown_timer;
  int countdown = 0;
  std::string countdown_keys;

  // A prompt leaves the cursor at its end; whatever is printed next starts on a line of its own
  // (raw keys are not echoed, so nothing else would end the prompt's line).
  bool at_prompt = false;
  void write(const std::string& s) {
    std::cerr << s;
    std::cerr.flush();
  }
  void out(const std::string& s) {
    if (s.empty()) return;
    const bool newline_first = at_prompt && s.front() != '\n';
    at_prompt = false;
    write(newline_first ? "\n" + s : s);
    if (s.size() >= 2 && s.compare(s.size() - 2, 2, "> ") == 0) at_prompt = true;
  }

  static constexpr const char* kSkippedKeys =
      "nothing proposed until the screen changes: [t] type keys  [w] watch  [q] quit";

  void show_proposal(const SessionEvent& e) {
    const auto& p = session.proposal();
    if (watching && p && p->verdict.allow && watch_through(e.screen_id)) {
      session.operator_note(now(), "watch-accept", "operator watching: accepting " + e.keys + " on " + e.screen_id);
      session.accept(now());  // judged again on the current screen; a refusal comes back as an event
      run->poke();
      return;
    }
    if (watching) out("watch: " + e.screen_id + " is a decision: stopped watching\n");
    watching = false;
    const Layout lay = terminal_layout();
    if (lay.too_small() && !warned_small) {
      warned_small = true;
      out("vtpilot step: this terminal is " + std::to_string(lay.cols) + "x" + std::to_string(lay.rows) +
          ", smaller than the console's 80x24: line mode, console rows may wrap (resize to 80x" +
          std::to_string(kConsoleRows + kStatusRows) + " or more for the full screen)\n");
    }
    // Status: what is on screen, what the plan would send and the guard's verdict; then the keys.
    std::string verdict = !p ? "" : p->verdict.allow ? "allow" : "REFUSED [" + p->verdict.code + "]: " + refusal_text(p->verdict.reason);
    std::string status = "screen " + e.screen_id + "   plan: " + e.keys +
                         (p && !p->label.empty() ? " (" + p->label + ")" : "") + "   guard: " + verdict;
    const bool post = p && p->verdict.allow && e.screen_id == screen_id::sms_post;
    std::vector<std::string> lines = wrap(status, lay.cols);
    if (post)
      for (auto& l : wrap("WARNING: with no key the firmware boots its boot list (the old disk) in seconds", lay.cols))
        lines.push_back(l);
    std::string prompt = post ? countdown_prompt(kPostCountdownS, e.keys, p->label) : std::string(kHelp) + " > ";
    std::size_t room = lay.rows > 0 ? static_cast<std::size_t>(lay.rows) - std::min<std::size_t>(lines.size() + 1, lay.rows) : 0;
    if (lay.full()) out("\x1b[H\x1b[2J");
    std::string block;
    for (const std::string& r : fitted_rows(session.screen(), room, !lay.full())) block += r + "\n";
    for (const std::string& l : lines) block += l + "\n";
    out(block + prompt);
    if (post) start_countdown(e.keys, p->label);
  }

  static std::string countdown_prompt(int left, const std::string& keys, const std::string& label) {
    return "sending " + keys + (label.empty() ? "" : " (" + label + ")") + " in " + std::to_string(left) +
           " s   [Enter] now  [s] let it boot  [q] quit > ";
  }

  void start_countdown(const std::string& keys, const std::string& label) {
    countdown = kPostCountdownS;
    countdown_keys = keys;
    session.operator_note(now(), "post-countdown",
                          "POST banner: the plan's " + keys + " goes in " + std::to_string(kPostCountdownS) +
                              " s unless the operator answers (waiting would boot the old disk)");
    tick(label);
  }

  void tick(const std::string& label) {
    countdown_timer.expires_after(std::chrono::seconds(1));
    countdown_timer.async_wait([this, label](boost::system::error_code ec) {
      if (ec || countdown == 0) return;
      if (--countdown > 0) {
        // On a terminal the prompt line counts down in place; a log gets the last call only.
        if (::isatty(2)) write("\r\x1b[K" + countdown_prompt(countdown, countdown_keys, label));
        return tick(label);
      }
      out("no answer on the POST banner: sending the plan's " + countdown_keys + " before the firmware boots the old disk\n");
      if (session.proposal() && session.proposal()->screen_id == screen_id::sms_post) {
        session.operator_note(now(), "post-countdown-accept",
                              "no operator answer within " + std::to_string(kPostCountdownS) + " s on the POST banner: sending the plan's " +
                                  countdown_keys);
        session.accept(now());
        run->poke();
      }
    });
  }

  void stop_countdown() {
    if (countdown == 0) return;
    countdown = 0;
    countdown_timer.cancel();
  }

  // The guard's reasons start with "Refused: "; the line that shows one says REFUSED already.
  static std::string refusal_text(const std::string& reason) {
    const std::string_view prefix = "Refused: ";
    std::string r = reason;
    for (std::string_view lead : {std::string_view("operator keys: "), std::string_view()}) {
      std::string_view v(r);
      if (v.substr(0, lead.size()) == lead && v.substr(lead.size(), prefix.size()) == prefix)
        return std::string(lead) + r.substr(lead.size() + prefix.size());
    }
    return r;
  }

  void event(const SessionEvent& e) {
    if (e.kind != SessionEvent::note && e.kind != SessionEvent::progress) stop_countdown();
    switch (e.kind) {
      case SessionEvent::propose: show_proposal(e); break;
      case SessionEvent::screen:
        if (!terminal_layout().full() || watching) out("-- " + e.screen_id + (e.text.empty() ? "" : "  " + e.text) + "\n");
        break;
      case SessionEvent::send: out("sent " + e.keys + (e.text.empty() ? "" : " (" + e.text + ")") + "\n"); break;
      case SessionEvent::refuse:
        watching = false;
        out("REFUSED " + e.keys + " [" + e.code + "]: " + refusal_text(e.text) +
            "\n  nothing was sent: refused keys never reach the console.\n> ");
        break;
      case SessionEvent::progress:
        out("install " + std::to_string(e.percent) + "% complete, " + std::to_string(e.elapsed_min) + " min elapsed\n");
        break;
      case SessionEvent::note:
        // Shown already: the countdown on the prompt line, the skip where the operator pressed s.
        if (e.code == "post-countdown" || e.code == "post-countdown-accept" || e.code == "skipped") break;
        out("note: " + e.text + "\n");
        if (e.code == "unknown-screen" || e.code == "unexpected-screen") {
          watching = false;
          const Layout lay = terminal_layout();
          std::size_t room = lay.rows > 0 ? static_cast<std::size_t>(std::max(lay.rows - kStatusRows, 1)) : 0;
          std::string block;
          for (const std::string& r : fitted_rows(session.screen(), room, !lay.full())) block += r + "\n";
          out(block + "[t] type keys  [s] wait  [q] quit > ");
        }
        break;
      case SessionEvent::halt:  // the outcome, with its reason, is printed once at the end
        break;
      case SessionEvent::done: out("done: " + e.text + "\n"); break;
    }
  }

  void submit_typed() {
    typing = false;
    std::string keys = line + "\r";
    line.clear();
    out("\n");
    session.operator_keys(keys, now());  // a refusal comes back as an event, with its reason
    run->poke();
  }

  void key(char c) {
    stop_countdown();
    if (typing) {
      if (c == '\r' || c == '\n') return submit_typed();
      if (c == 0x1b) {
        typing = false;
        line.clear();
        return out("(cancelled)\n> ");
      }
      if ((c == 0x7f || c == 0x08) && !line.empty()) {
        line.pop_back();
        return write("\b \b");
      }
      if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
        line += c;
        write(std::string(1, c));
      }
      return;
    }
    char prev = last;
    last = c;
    if (c == '.' && prev == '~') return quit();
    switch (c) {
      case '\r':
      case '\n':
        if (session.proposal()) {
          Verdict v = session.accept(now());
          if (!v.allow) out("> ");
          run->poke();
        } else if (!quitting) {
          out(std::string(kSkippedKeys) + "\n> ");
        }
        break;
      case 's':
        if (session.proposal()) {
          session.skip(now());
          out(std::string("skipped: nothing sent\n") + kSkippedKeys + "\n> ");
          run->poke();
        } else if (!quitting) {
          out(std::string("waiting: nothing sent\n") + kSkippedKeys + "\n> ");
        }
        break;
      case 't': typing = true; out("keys (Enter sends, Esc cancels)> "); break;
      case 'w':
        // Watch: accept what is proposed here (as Enter would), then let progress and transient
        // screens go by, accepting only where nothing is decided, up to the next decision.
        watching = true;
        out("\n");
        session.operator_note(now(), "watch", "operator watching until the next decision");
        if (session.proposal()) {
          if (!session.accept(now()).allow) watching = false;  // refused: the reason is shown, and the prompt
          run->poke();
        }
        break;
      case 'q': quit(); break;
      case '~': break;
      default:
        if (!quitting && static_cast<unsigned char>(c) >= 0x20)
          out(std::string("'") + c + "' is no key here\n" + (session.proposal() ? kHelp : kSkippedKeys) + "\n> ");
        break;
    }
  }

  bool quitting = false;
  void quit() {
    stop_countdown();
    if (quitting) {
      out("quitting now\n");  // a second q does not wait for the answer in flight
      run->stop("operator quit again", kHalted);
      return;
    }
    quitting = true;
    out("quitting: the answer in flight (if any) is finished, then vtpilot detaches (the transcript is complete)\n");
    run->stop("operator quit", kHalted);
  }
};

}  // namespace

void add_step(CLI::App& app) {
  auto o = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "step",
      "operator-supervised: like run, but each decision waits for the operator, who sees the console\n"
      "screen, the plan's keys and the guard's verdict. Keys: Enter accept, s skip (wait for the next\n"
      "screen), t type other keys (judged by the same guard; a refused key never reaches the console),\n"
      "w accept and watch to the next decision (the media swap and the TERM prompt are accepted on the\n"
      "way, each judged), q or ~. quit (the answer in flight is finished, then detach). Every operator\n"
      "action is recorded. On the firmware POST banner, which takes 1 (SMS Menu) only for a few seconds\n"
      "before booting the old disk, the plan's key goes by itself after a 3 s countdown (s lets it boot).\n"
      "The console screen and the status fit an 80x24 terminal; 80x26 or more redraws it in place.\n"
      "Without a terminal on stdin, commands are read as lines: empty = accept, s, w, q, t KEYS.\n"
      "Exit codes as for run; q is 4 (halted by the operator), Ctrl-C 130.");
  add_run_flags(cmd, *o);
  if (auto* opt = cmd->get_option_no_throw("--lpar"))  // step drives one console
    opt->description("with --config: the one LPAR to step through (needed when the config lists more than one)");
  cmd->callback([o] {
    int code = 0;
    // The live view first: a port in use is exit 2 before anything is created or attached.
    auto view = LiveView::open(o->serve, o->serve_token_file, o->quiet, "step", code);
    if (code) {
      exit_code() = code;
      return;
    }
    TransportMaker maker;
    if (!o->config.empty()) {
      auto m = config_attach(*o, "step", code, false);
      if (!m) {
        exit_code() = code;
        return;
      }
      maker = std::move(*m);
    }
    auto p = prepare_run(*o, "step", code);
    if (!p) {
      exit_code() = code;
      return;
    }
    p->eo.operator_confirms = true;
    Session session(p->plan, active_recognizer(), Guard(p->policy), p->eo);
    asio::io_context own_io;
    asio::io_context& io = view ? view->loop() : own_io;  // --serve: the view's loop
    const auto start = std::chrono::steady_clock::now();
    Operator op(session, io);
    op.now = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    RunOptions ro;
    ro.pacing_s = o->pacing_ms / 1000.0;
    ro.on_event = [&op](const SessionEvent& e, const Driver&) { op.event(e); };
    const int view_index =
        view ? view->watch(o->config.empty() ? (o->spawn.empty() ? "lpar-sim" : "console") : o->lpars.empty() ? o->config : o->lpars.front(),
                           *p->recorder, p->transcript, ro)
             : -1;
    const std::string spawn = p->command;
    TransportFactory factory = maker ? maker(*p) : TransportFactory([spawn](asio::io_context& ctx) {
      return make_spawn_transport(ctx, spawn);
    });
    const std::string command = p->command;
    LiveRun run(io, session, factory(io), *p->recorder, ro);
    op.run = &run;

    RawTerminal raw(0);
    op.raw = raw.active();
    asio::posix::stream_descriptor in(io, ::dup(0));
    std::array<char, 256> buf{};
    std::string pending_line;
    std::function<void()> read_in = [&] {
      in.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
        if (ec) {
          if (!run.finished() && !op.raw) op.quit();  // stdin closed: leave cleanly
          return;
        }
        for (std::size_t i = 0; i < n; ++i) {
          char c = buf[i];
          if (op.raw) {
            op.key(c);
            continue;
          }
          // Line mode: one command per line.
          if (c != '\n') {
            pending_line += c;
            continue;
          }
          std::string l = pending_line;
          pending_line.clear();
          if (l.rfind("t ", 0) == 0) {
            op.line = l.substr(2);
            op.submit_typed();
          } else if (l.empty()) {
            op.key('\r');
          } else {
            op.key(l[0]);
          }
        }
        read_in();
      });
    };
    read_in();
    asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    // The first signal finishes the answer in flight, then stops; a second one stops at once.
    std::function<void()> wait_signal = [&] {
      signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec) return;
        run.stop("operator interrupt", exit_for_signal(sig));
        if (!run.finished()) wait_signal();  // finished already: on_finished has cancelled the set
      });
    };
    wait_signal();
    std::cerr << "vtpilot step: " << command << "\n  plan " << p->plan.name << ", transcript " << p->transcript << "\n  "
              << kHelp << "\n";
    run.start([&](const RunResult& r) {
      if (view) view->finished(view_index, r);
      boost::system::error_code ignored;
      in.cancel(ignored);
      in.close(ignored);
      signals.cancel();
    });
    io.run();
    exit_code() = report_outcome(run.result(), p->transcript, false, false);
    end_transcript(*p->recorder, run.result(), exit_code());
  });
}

}  // namespace vtpilot::cli
