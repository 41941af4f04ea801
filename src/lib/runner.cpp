// run_live: one Asio loop, a transport, the single write path, timers and signals.
#include <utility>  // before Asio (debian12-notes.md)

#include <boost/asio.hpp>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "vtpilot/recorder.hpp"
#include "vtpilot/runner.hpp"
#include "vtpilot/transport.hpp"

namespace vtpilot {

namespace asio = boost::asio;

namespace {

const char* kind_name(SessionEvent::Kind k) {
  switch (k) {
    case SessionEvent::screen: return "screen";
    case SessionEvent::send: return "send";
    case SessionEvent::refuse: return "refuse";
    case SessionEvent::progress: return "progress";
    case SessionEvent::note: return "note";
    case SessionEvent::halt: return "halt";
    case SessionEvent::done: return "done";
    case SessionEvent::propose: return "propose";
  }
  return "?";
}

bool g_bar_drawn = false;  // one terminal, one status line, whichever run drew it

struct Ui {
  const RunOptions& opt;

  void clear_bar() {
    if (g_bar_drawn) std::fputs("\r\033[K", stderr);
    g_bar_drawn = false;
  }

  void show(const SessionEvent& e) {
    if (opt.events_json) {
      nlohmann::json j{{"t", e.t}, {"event", kind_name(e.kind)}};
      if (!opt.label.empty()) j["lpar"] = opt.label;
      if (!e.screen_id.empty()) j["screen"] = e.screen_id;
      if (!e.keys.empty()) j["keys"] = e.keys;
      if (!e.code.empty()) j["code"] = e.code;
      if (!e.text.empty()) j[e.kind == SessionEvent::screen ? "title" : "text"] = e.text;
      if (e.percent >= 0) j["percent"] = e.percent;
      if (e.elapsed_min >= 0) j["elapsed_min"] = e.elapsed_min;
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      std::fflush(stdout);
    }
    if (opt.quiet) return;
    if (e.kind == SessionEvent::progress && opt.on_progress) {
      opt.on_progress(e.percent, e.elapsed_min);
      return;
    }
    char ts[64];
    if (opt.label.empty()) std::snprintf(ts, sizeof ts, "%7.1fs", e.t);
    else std::snprintf(ts, sizeof ts, "[%s] %7.1fs", opt.label.c_str(), e.t);
    switch (e.kind) {
      case SessionEvent::screen:
        clear_bar();
        std::fprintf(stderr, "%s  %-22s %s\n", ts, e.screen_id.c_str(), e.text.c_str());
        break;
      case SessionEvent::send:
        clear_bar();
        std::fprintf(stderr, "%s  %-22s sending %s%s%s%s\n", ts, "", e.keys.c_str(), e.text.empty() ? "" : " (",
                     e.text.c_str(), e.text.empty() ? "" : ")");
        break;
      case SessionEvent::refuse:
        clear_bar();
        std::fprintf(stderr, "%s  REFUSED %s on %s [%s]: %s\n", ts, e.keys.c_str(), e.screen_id.c_str(), e.code.c_str(),
                     e.text.c_str());
        break;
      case SessionEvent::note:
        clear_bar();
        std::fprintf(stderr, "%s  note: %s\n", ts, e.text.c_str());
        break;
      case SessionEvent::progress: {
        // Estimate from the installer's own percent and elapsed minutes.
        std::string est = "";
        if (e.percent > 0 && e.elapsed_min >= 0)
          est = ", about " + std::to_string((e.elapsed_min * (100 - e.percent)) / e.percent) + " min left";
        if (opt.tty) {
          int filled = e.percent / 4;
          std::fprintf(stderr, "\r\033[K  install [%s%s] %3d%%  %d min elapsed%s", std::string(filled, '#').c_str(),
                       std::string(25 - filled, '.').c_str(), e.percent, e.elapsed_min, est.c_str());
          g_bar_drawn = true;
        } else {
          std::fprintf(stderr, "%s  install %d%% complete, %d min elapsed%s\n", ts, e.percent, e.elapsed_min, est.c_str());
        }
        break;
      }
      case SessionEvent::propose:
        clear_bar();
        std::fprintf(stderr, "%s  %-22s proposes %s%s%s\n", ts, "", e.keys.c_str(), e.code.empty() ? "  " : "  REFUSED: ",
                     e.text.c_str());
        break;
      case SessionEvent::halt:
      case SessionEvent::done:
        clear_bar();
        break;
    }
  }
};

}  // namespace

void draw_status_line(const std::string& line) {
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  g_bar_drawn = true;
}

struct LiveRun::Impl {
  asio::io_context& io;
  Driver& session;
  std::unique_ptr<Transport> transport;
  Recorder& recorder;
  RunOptions options;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  Console console;
  asio::steady_timer deadline;
  Ui ui;
  RunResult result;
  bool finishing = false, done = false, stopped = false;
  bool ready = true;  // the console can show something: the screen clock runs (Transport::defer_ready)
  int forced_exit = 0;
  std::function<void(const RunResult&)> on_finished;

  Impl(asio::io_context& io_, Driver& s, std::unique_ptr<Transport> t, Recorder& r, RunOptions o)
      : io(io_), session(s), transport(std::move(t)), recorder(r), options(std::move(o)),
        console(io_, *transport, r, [this] { return now(); }, options.pacing_s), deadline(io_), ui{options} {}

  double now() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }

  void finish() {
    if (finishing) return;
    finishing = true;
    deadline.cancel();
    // Done at the login prompt: give the console program a moment to end by itself (a
    // simulator does) before hanging up; otherwise detach at once.
    const double grace = session.outcome() == Outcome::done ? 1.0 : 0.0;
    transport->await_exit(grace, [this] { detach(); });
  }

  void detach() {
    transport->stop();
    transport->wait_child(5.0, [this] {
      result.child_status = transport->child_status();
      // A transport's own failure (refused power-on, host key, busy console) says what it means.
      result.exit_code = forced_exit ? forced_exit
                         : session.outcome() == Outcome::closed && session.exit_code() == 5 ? transport->failure_exit()
                                                                                             : session.exit_code();
      result.text = session.outcome_text();
      result.last_screen = session.screen();
      result.seconds = now();
      done = true;
      if (on_finished) on_finished(result);
    });
  }

  void arm() {
    if (auto d = session.deadline()) {
      deadline.expires_at(t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(*d + 0.001)));
      deadline.async_wait([this](boost::system::error_code ec) {
        if (!ec) pump();
      });
    }
  }

  void pump() {
    if (finishing) return;
    if (!console.busy() && ready) session.evaluate(now());
    for (const SessionEvent& e : session.take_events()) {
      if (options.on_event) options.on_event(e);
      else ui.show(e);
      std::string label = std::string(kind_name(e.kind));
      if (!e.screen_id.empty()) label += " " + e.screen_id;
      if (!e.keys.empty()) label += " keys=" + e.keys;
      if (!e.code.empty()) label += " [" + e.code + "]";
      if (!e.text.empty()) label += ": " + e.text;
      if (e.kind != SessionEvent::progress) recorder.marker(e.t, label);
      if (e.kind == SessionEvent::halt) result.code = e.code;
    }
    if (auto action = session.take_action()) {
      recorder.marker(now(), "action " + *action);
      transport->run_action(*action, [this](bool ok, std::string text) {
        recorder.marker(now(), std::string(ok ? "action done" : "action FAILED") + (text.empty() ? "" : ": " + text));
        session.action_done(ok, text, now());
        pump();
      });
    }
    bool secret = session.secret_pending();
    if (auto keys = session.take_send()) console.send(std::move(*keys), secret);
    if (session.outcome() != Outcome::running && !console.busy()) {
      finish();
      return;
    }
    if (ready) arm();
  }

  void start() {
    console.on_idle = [this] { asio::post(io, [this] { pump(); }); };
    console.still_judged = [this] { return session.keys_still_judged(); };
    console.on_dropped = [this](std::size_t n) {
      recorder.marker(now(), "dropped: " + std::to_string(n) + " key bytes not sent (their screen is gone)");
      session.keys_dropped(n, now());
      asio::post(io, [this] { pump(); });
    };
    console.on_record_error = [this](const std::string& why) {
      session.abort(now(), "the transcript cannot be written (" + why + "); stopped before the next key");
      pump();
    };
    ready = !transport->defer_ready([this] {
      ready = true;
      asio::post(io, [this] { pump(); });
    });
    transport->set_link_events(
        [this](const std::string& why) {
          if (std::size_t n = console.discard()) recorder.marker(now(), "gap: " + std::to_string(n) + " key bytes not sent");
          recorder.marker(now(), "gap: " + why);
          session.on_detach(now(), why);
          pump();
        },
        [this](const std::string& what) {
          recorder.marker(now(), "gap end: " + what);
          session.on_reattach(now(), what);
          pump();
        });
    transport->start(
        [this](std::string_view bytes) {
          recorder.output(now(), bytes);
          session.on_output(bytes, now());
          pump();
        },
        [this](const std::string& why) {
          if (session.outcome() == Outcome::running) session.on_close(now(), why);
          pump();
          finish();
        });
    asio::post(io, [this] { pump(); });
  }
};

LiveRun::LiveRun(asio::io_context& io, Driver& session, std::unique_ptr<Transport> transport, Recorder& recorder,
                 RunOptions options)
    : impl_(std::make_unique<Impl>(io, session, std::move(transport), recorder, std::move(options))) {}
LiveRun::~LiveRun() = default;

void LiveRun::start(std::function<void(const RunResult&)> on_finished) {
  impl_->on_finished = std::move(on_finished);
  impl_->start();
}

void LiveRun::stop(const std::string& why, int exit_code) {
  if (impl_->finishing) return;
  if (impl_->stopped) {
    // Stopped again while the answer in flight is still paced out: drop its keys, end now.
    if (std::size_t n = impl_->console.discard())
      impl_->recorder.marker(impl_->now(), "stopped again: " + std::to_string(n) + " key bytes not sent");
    impl_->finish();
    return;
  }
  impl_->stopped = true;
  impl_->forced_exit = exit_code;
  impl_->session.abort(impl_->now(), why);
  impl_->pump();
}

bool LiveRun::finished() const { return impl_->done; }
void LiveRun::poke() {
  asio::post(impl_->io, [this] { impl_->pump(); });
}
const RunResult& LiveRun::result() const { return impl_->result; }

RunResult run_live(Driver& session, const TransportFactory& make_transport, Recorder& recorder,
                   const RunOptions& options) {
  asio::io_context io;
  LiveRun run(io, session, make_transport(io), recorder, options);
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  // The first signal finishes the answer in flight, then stops; a second one stops at once.
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      run.stop(std::string("stopped by signal ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP"),
               sig == SIGINT ? 130 : sig == SIGTERM ? 143 : 129);
      if (!run.finished()) wait_signal();  // finished already: on_finished has cancelled the set
    });
  };
  wait_signal();
  run.start([&](const RunResult&) { signals.cancel(); });
  io.run();
  return run.result();
}

}  // namespace vtpilot
