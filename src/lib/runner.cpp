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
  }
  return "?";
}

struct Ui {
  const RunOptions& opt;
  bool bar_drawn = false;

  void clear_bar() {
    if (bar_drawn) std::fputs("\r\033[K", stderr);
    bar_drawn = false;
  }

  void show(const SessionEvent& e) {
    if (opt.events_json) {
      nlohmann::json j{{"t", e.t}, {"event", kind_name(e.kind)}};
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
    char ts[16];
    std::snprintf(ts, sizeof ts, "%7.1fs", e.t);
    switch (e.kind) {
      case SessionEvent::screen:
        clear_bar();
        std::fprintf(stderr, "%s  %-22s %s\n", ts, e.screen_id.c_str(), e.text.c_str());
        break;
      case SessionEvent::send:
        clear_bar();
        std::fprintf(stderr, "%s  %-22s sending %s%s\n", ts, "", e.keys.c_str(), e.text.empty() ? "" : " (recovery)");
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
          bar_drawn = true;
        } else {
          std::fprintf(stderr, "%s  install %d%% complete, %d min elapsed%s\n", ts, e.percent, e.elapsed_min, est.c_str());
        }
        break;
      }
      case SessionEvent::halt:
      case SessionEvent::done:
        clear_bar();
        break;
    }
  }
};

}  // namespace

RunResult run_live(Session& session, const TransportFactory& make_transport, Recorder& recorder,
                   const RunOptions& options) {
  asio::io_context io;
  const auto start = std::chrono::steady_clock::now();
  auto now = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::unique_ptr<Transport> transport = make_transport(io);
  Console console(io, *transport, recorder, now, options.pacing_s);
  asio::steady_timer deadline(io);
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  Ui ui{options};
  RunResult result;
  bool finished = false;
  int signal_exit = 0;

  std::function<void()> pump;
  auto finish = [&] {
    if (finished) return;
    finished = true;
    deadline.cancel();
    signals.cancel();
    transport->stop();
    transport->wait_child(5.0, [&] { result.child_status = transport->child_status(); });
  };
  auto arm = [&] {
    if (auto d = session.deadline()) {
      deadline.expires_at(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(*d + 0.001)));
      deadline.async_wait([&](boost::system::error_code ec) {
        if (!ec) pump();
      });
    }
  };
  pump = [&] {
    if (finished) return;
    if (!console.busy()) session.evaluate(now());
    for (const SessionEvent& e : session.take_events()) {
      ui.show(e);
      std::string label = std::string(kind_name(e.kind));
      if (!e.screen_id.empty()) label += " " + e.screen_id;
      if (!e.keys.empty()) label += " keys=" + e.keys;
      if (!e.code.empty()) label += " [" + e.code + "]";
      if (!e.text.empty() && e.kind != SessionEvent::send) label += ": " + e.text;
      if (e.kind != SessionEvent::progress) recorder.marker(e.t, label);
    }
    bool secret = session.secret_pending();
    if (auto keys = session.take_send()) console.send(std::move(*keys), secret);
    if (session.outcome() != Outcome::running && !console.busy()) {
      finish();
      return;
    }
    arm();
  };
  console.on_idle = [&] { asio::post(io, [&] { pump(); }); };
  console.on_record_error = [&](const std::string& why) {
    session.abort(now(), "the transcript cannot be written (" + why + "); stopped before the next key");
    pump();
  };

  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    signal_exit = sig == SIGINT ? 130 : sig == SIGTERM ? 143 : 129;
    session.abort(now(), std::string("stopped by signal ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP"));
    pump();
  });

  transport->start(
      [&](std::string_view bytes) {
        recorder.output(now(), bytes);
        session.on_output(bytes, now());
        pump();
      },
      [&](const std::string& why) {
        if (session.outcome() == Outcome::running) session.on_close(now(), why);
        pump();
        finish();
      });
  asio::post(io, [&] { pump(); });
  io.run();

  result.exit_code = signal_exit ? signal_exit : session.exit_code();
  result.text = session.outcome_text();
  result.last_screen = session.screen();
  result.seconds = now();
  if (result.child_status < 0) result.child_status = transport->child_status();
  return result;
}

}  // namespace vtpilot
