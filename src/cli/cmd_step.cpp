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

#include "commands.hpp"
#include "vtpilot/transport.hpp"

namespace vtpilot::cli {

namespace asio = boost::asio;

namespace {

const char* kHelp = "[Enter] accept  [s] skip  [t] type keys  [w] accept and watch  [q] or ~. quit";

// Screens that are no decision about the install: watching accepts the plan's keys there (each
// still judged by the guard) and goes on. The media swap's Enter continues the install with the
// next volume; the TERM prompt after the reboot only names the terminal. Everything else that
// proposes keys (SMS and installer menus) is a decision: watching stops and asks.
bool watch_through(const std::string& screen_id) {
  return screen_id == "bos.media_swap" || screen_id == "aix.term_prompt";
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
  explicit Operator(Session& s) : session(s) {}
  Session& session;
  LiveRun* run = nullptr;
  bool raw = false;
  bool full_screen = false;
  bool watching = false;
  bool typing = false;
  std::string line;
  char last = '\n';
  double t0 = 0;
  std::function<double()> now;

  void out(const std::string& s) {
    std::cerr << s;
    std::cerr.flush();
  }

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
    if (full_screen) out("\x1b[H\x1b[2J");
    print_screen(session.screen());
    std::string verdict = !p ? "" : p->verdict.allow ? "allow" : "REFUSED [" + p->verdict.code + "]: " + p->verdict.reason;
    out("screen " + e.screen_id + "   plan: " + e.keys + (p && !p->label.empty() ? "  (" + p->label + ")" : "") +
        "\n  guard: " + verdict + "\n" + kHelp + "\n> ");
  }

  void event(const SessionEvent& e) {
    switch (e.kind) {
      case SessionEvent::propose: show_proposal(e); break;
      case SessionEvent::screen:
        if (!full_screen || watching) out("-- " + e.screen_id + "  " + e.text + "\n");
        break;
      case SessionEvent::send: out("sent " + e.keys + (e.text.empty() ? "" : " (" + e.text + ")") + "\n"); break;
      case SessionEvent::refuse:
        watching = false;
        out("REFUSED " + e.keys + " [" + e.code + "]: " + e.text + "\n  nothing was sent: refused keys never reach the console.\n> ");
        break;
      case SessionEvent::progress:
        out("install " + std::to_string(e.percent) + "% complete, " + std::to_string(e.elapsed_min) + " min elapsed\n");
        break;
      case SessionEvent::note:
        out("note: " + e.text + "\n");
        if (e.code == "unknown-screen" || e.code == "unexpected-screen") {
          watching = false;
          print_screen(session.screen());
          out("[t] type keys  [s] wait  [q] quit\n> ");
        }
        break;
      case SessionEvent::halt:
      case SessionEvent::done: out((e.kind == SessionEvent::done ? "done: " : "halted: ") + e.text + "\n"); break;
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
    if (typing) {
      if (c == '\r' || c == '\n') return submit_typed();
      if (c == 0x1b) {
        typing = false;
        line.clear();
        return out("\n(cancelled)\n> ");
      }
      if ((c == 0x7f || c == 0x08) && !line.empty()) {
        line.pop_back();
        return out("\b \b");
      }
      if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
        line += c;
        out(std::string(1, c));
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
        }
        break;
      case 's': session.skip(now()); out("skipped: waiting for the next screen\n"); run->poke(); break;
      case 't': typing = true; out("keys (Enter sends, Esc cancels)> "); break;
      case 'w':
        // Watch: accept what is proposed here (as Enter would), then let progress and transient
        // screens go by, accepting only where nothing is decided, up to the next decision.
        watching = true;
        session.operator_note(now(), "watch", "operator watching until the next decision");
        if (session.proposal()) {
          if (!session.accept(now()).allow) watching = false;  // refused: the reason is shown, and the prompt
          run->poke();
        }
        break;
      case 'q': quit(); break;
      default: break;
    }
  }

  bool quitting = false;
  void quit() {
    if (quitting) {
      out("\nquitting now\n");  // a second q does not wait for the answer in flight
      run->stop("operator quit again", kHalted);
      return;
    }
    quitting = true;
    out("\nquitting: the answer in flight (if any) is finished, then vtpilot detaches (the transcript is complete)\n");
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
      "action is recorded.\n"
      "Without a terminal on stdin, commands are read as lines: empty = accept, s, w, q, t KEYS.\n"
      "Exit codes as for run; q is 4 (halted by the operator), Ctrl-C 130.");
  add_run_flags(cmd, *o);
  if (auto* opt = cmd->get_option_no_throw("--lpar"))  // step drives one console
    opt->description("with --config: the one LPAR to step through (needed when the config lists more than one)");
  cmd->callback([o] {
    int code = 0;
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
    asio::io_context io;
    const auto start = std::chrono::steady_clock::now();
    Operator op(session);
    op.now = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    RunOptions ro;
    ro.pacing_s = o->pacing_ms / 1000.0;
    ro.on_event = [&op](const SessionEvent& e) { op.event(e); };
    const std::string spawn = p->command;
    TransportFactory factory = maker ? maker(*p) : TransportFactory([spawn](asio::io_context& ctx) {
      return make_spawn_transport(ctx, spawn);
    });
    const std::string command = p->command;
    LiveRun run(io, session, factory(io), *p->recorder, ro);
    op.run = &run;

    RawTerminal raw(0);
    op.raw = raw.active();
    struct winsize ws {};
    if (::ioctl(2, TIOCGWINSZ, &ws) == 0) op.full_screen = ws.ws_row >= 32 && ws.ws_col >= 82;
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
        run.stop("operator interrupt", sig == SIGINT ? 130 : sig == SIGTERM ? 143 : 129);
        if (!run.finished()) wait_signal();  // finished already: on_finished has cancelled the set
      });
    };
    wait_signal();
    std::cerr << "vtpilot step: " << command << "\n  plan " << p->plan.name << ", transcript " << p->transcript << "\n  "
              << kHelp << "\n";
    run.start([&](const RunResult&) {
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
