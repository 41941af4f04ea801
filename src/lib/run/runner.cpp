// run_live: one Asio loop, a transport, the single write path, timers and signals.
#include <utility>  // before Asio (debian12-notes.md)

#include <boost/asio.hpp>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/base/exit_code.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/run/runner.hpp"
#include "vtpilot/transport/console.hpp"
#include "vtpilot/transport/transport.hpp"

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

// A screen's title is shown only where the screen has one: SMS and BOS menus drawn as a page.
// Screens that are a stream of output (the POST banner, the install's progress and its media
// swap, the firmware's boot banner, AIX, the HMC's messages) have none: their first row is
// whatever scrolled there ("installp: APPLYING software for:", "Starting the error daemon").
bool has_title(const std::string& id) {
  if (id == "sms.post" || id == "bos.progress" || id == "bos.media_swap") return false;
  return id.rfind("sms.", 0) == 0 || id.rfind("bos.", 0) == 0;
}

// What a silent console is waiting for, by the last screen named.
std::string waiting_for(const std::string& id, bool install_seen) {
  if (id.empty()) return "the console's first screen";
  if (id == "sms.post") return "the firmware to finish its power-on self test";
  if (id == "sms.please_wait" || id == "fw.starting_software")
    return install_seen ? "the migrated disk to boot" : "the firmware to boot the install media";
  if (id == "bos.progress") return "the install to go on (it reboots when done)";
  if (id == "bos.media_swap") return "the media swap";
  if (id.rfind("aix.", 0) == 0) return "AIX";
  return "the screen after " + id;
}

// The guard's reasons start with "Refused: "; the line that shows one says REFUSED already.
std::string without_refused(const std::string& text) {
  const std::string_view p = "Refused: ";
  return text.compare(0, p.size(), p) == 0 ? text.substr(p.size()) : text;
}

struct Ui {
  Ui(const RunOptions& o, std::function<Screen()> s) : opt(o), screen(std::move(s)) {}
  const RunOptions& opt;
  std::function<Screen()> screen;  // the console's screen now, to name what a key chooses
  std::string last_screen;         // the last screen named
  double last_event = 0;           // for the heartbeat: when something was last shown
  // Progress: where the bar or the lines are, and whether the install has been seen.
  int last_percent = -1, last_elapsed = -1, printed_percent = -1;
  double printed_at = -1;
  bool install_seen = false, install_over = false;

  std::string stamp(double t) const {
    char ts[64];
    if (opt.label.empty()) std::snprintf(ts, sizeof ts, "%7.1fs", t);
    else std::snprintf(ts, sizeof ts, "[%s] %7.1fs", opt.label.c_str(), t);
    return ts;
  }

  void clear_bar() {
    if (g_bar_drawn) std::fputs("\r\033[K", stderr);
    g_bar_drawn = false;
  }

  // The label of the item a plan's keys choose on the screen now ("Migration Install").
  std::string label_of(const std::string& keys) const {
    if (!screen) return {};
    std::string k = keys;
    const std::string enter = "<Enter>";
    if (k.size() > enter.size() && k.compare(k.size() - enter.size(), enter.size(), enter) == 0)
      k.resize(k.size() - enter.size());
    const Recognized r = Recognizer::builtin().recognize(screen());
    for (const Choice& c : r.fields.choices)
      if (c.key == k) return c.label;
    return {};
  }

  // The install has ended once a screen other than its own comes (the reboot): one line says so.
  void end_install(const SessionEvent& e) {
    if (!install_seen || install_over || e.kind != SessionEvent::screen || e.screen_id == "bos.progress" ||
        e.screen_id == "bos.media_swap")
      return;
    install_over = true;
    if (opt.quiet || opt.on_progress) return;
    clear_bar();
    std::fprintf(stderr, "%s  install done: %d%% after %d min, then %s\n", stamp(e.t).c_str(), last_percent,
                 last_elapsed, e.screen_id.c_str());
  }

  void progress(const SessionEvent& e) {
    install_seen = true;
    last_percent = e.percent;
    last_elapsed = e.elapsed_min;
    // Estimate from the installer's own percent and elapsed minutes.
    std::string est = "";
    if (e.percent > 0 && e.elapsed_min >= 0)
      est = ", about " + std::to_string((e.elapsed_min * (100 - e.percent)) / e.percent) + " min left";
    if (opt.tty) {
      int filled = std::clamp(e.percent, 0, 100) / 4;
      std::fprintf(stderr, "\r\033[K  install [%s%s] %3d%%  %d min elapsed%s", std::string(filled, '#').c_str(),
                   std::string(25 - filled, '.').c_str(), e.percent, e.elapsed_min, est.c_str());
      g_bar_drawn = true;
      return;
    }
    // A log (stderr not a terminal) gets a line per 10 % or per minute, not one per percent.
    const bool due = printed_percent < 0 || e.percent / 10 != printed_percent / 10 || e.percent >= 100 ||
                     e.t - printed_at >= 60;
    if (!due) return;
    printed_percent = e.percent;
    printed_at = e.t;
    std::fprintf(stderr, "%s  install %d%% complete, %d min elapsed%s\n", stamp(e.t).c_str(), e.percent, e.elapsed_min,
                 est.c_str());
  }

  // Nothing shown for a while: what the run waits for, and how long until --timeout halts it.
  void heartbeat(double now) {
    if (opt.quiet || opt.timeout_s <= 0) return;
    const long silent = std::lround(now - last_event);
    const long left = std::max(0L, std::lround(opt.timeout_s - (now - last_event)));
    char line[512];
    std::snprintf(line, sizeof line, "waiting for %s: nothing new for %ld s, halts in %ld s (--timeout %d)",
                  waiting_for(last_screen, install_seen).c_str(), silent, left, static_cast<int>(opt.timeout_s));
    if (opt.tty && opt.label.empty()) {
      clear_bar();
      draw_status_line("  " + std::string(line));
    } else {
      clear_bar();
      std::fprintf(stderr, "%s  %s\n", stamp(now).c_str(), line);
    }
  }

  void show(const SessionEvent& e) {
    if (opt.events_json) {
      nlohmann::json j{{"t", e.t}, {"event", kind_name(e.kind)}};
      if (!opt.label.empty()) j["lpar"] = opt.label;
      if (!e.screen_id.empty()) j["screen"] = e.screen_id;
      if (!e.keys.empty()) j["keys"] = e.keys;
      if (!e.code.empty()) j["code"] = e.code;
      if (!e.text.empty() && (e.kind != SessionEvent::screen || has_title(e.screen_id)))
        j[e.kind == SessionEvent::screen ? "title" : "text"] = e.text;
      if (e.percent >= 0) j["percent"] = e.percent;
      if (e.elapsed_min >= 0) j["elapsed_min"] = e.elapsed_min;
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      std::fflush(stdout);
    }
    last_event = e.t;
    end_install(e);
    if (e.kind == SessionEvent::screen) last_screen = e.screen_id;
    if (e.kind == SessionEvent::progress) install_seen = true;
    if (opt.quiet) return;
    if (e.kind == SessionEvent::progress && opt.on_progress) {
      opt.on_progress(e.percent, e.elapsed_min);
      return;
    }
    const std::string ts = stamp(e.t);
    switch (e.kind) {
      case SessionEvent::screen:
        clear_bar();
        std::fprintf(stderr, "%s  %s%s%s\n", ts.c_str(), e.screen_id.c_str(),
                     has_title(e.screen_id) && !e.text.empty() ? std::string(e.screen_id.size() < 22 ? 23 - e.screen_id.size() : 1, ' ').c_str() : "",
                     has_title(e.screen_id) ? e.text.c_str() : "");
        break;
      case SessionEvent::send: {
        clear_bar();
        // What the keys choose, as step mode shows it: `sending 3 (Migration Install)`.
        const std::string what = e.text.empty() ? label_of(e.keys) : e.text;
        std::fprintf(stderr, "%s  %-22s sending %s%s%s%s\n", ts.c_str(), "", e.keys.c_str(), what.empty() ? "" : " (",
                     what.c_str(), what.empty() ? "" : ")");
        break;
      }
      case SessionEvent::refuse:
        clear_bar();
        // Unattended, a refusal halts: its reason is the outcome, printed once at the end.
        std::fprintf(stderr, "%s  REFUSED %s on %s [%s]\n", ts.c_str(), e.keys.c_str(), e.screen_id.c_str(), e.code.c_str());
        break;
      case SessionEvent::note:
        clear_bar();
        std::fprintf(stderr, "%s  note: %s\n", ts.c_str(), e.text.c_str());
        break;
      case SessionEvent::progress: progress(e); break;
      case SessionEvent::propose:
        clear_bar();
        std::fprintf(stderr, "%s  %-22s proposes %s%s%s\n", ts.c_str(), "", e.keys.c_str(),
                     e.code.empty() ? "  " : "  REFUSED: ", without_refused(e.text).c_str());
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
  asio::steady_timer deadline, heartbeat;
  Ui ui;
  RunResult result;
  bool finishing = false, done = false, stopped = false;
  bool ready = true;  // the console can show something: the screen clock runs (Transport::defer_ready)
  int forced_exit = 0;
  std::string halt_code;
  std::function<void(const RunResult&)> on_finished;

  Impl(asio::io_context& io_, Driver& s, std::unique_ptr<Transport> t, Recorder& r, RunOptions o)
      : io(io_), session(s), transport(std::move(t)), recorder(r), options(std::move(o)),
        console(io_, *transport, r, [this] { return now(); }, options.pacing_s), deadline(io_), heartbeat(io_),
        ui(options, [this] { return session.screen(); }) {}

  double now() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }

  void finish() {
    if (finishing) return;
    finishing = true;
    deadline.cancel();
    heartbeat.cancel();
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
                         : session.outcome() == Outcome::closed && session.exit_code() == kTransport ? transport->failure_exit()
                                                                                             : session.exit_code();
      result.text = session.outcome_text();
      result.code = halt_code;
      result.last_screen = session.screen();
      result.seconds = now();
      done = true;
      if (on_finished) on_finished(result);
    });
  }

  // A wait already set for no later than the deadline stands: the session is looked at then,
  // which is harmless if nothing is due yet (it says its next deadline again). A console that
  // sends a line per read moves the deadline on every read; re-setting the timer each time was
  // a syscall per read.
  std::optional<double> armed_at;
  void arm() {
    auto d = session.deadline();
    if (!d || (armed_at && *armed_at <= *d)) return;
    armed_at = *d;
    deadline.expires_at(t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(*d + 0.001)));
    deadline.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      armed_at.reset();
      pump();
    });
  }

  void pump() {
    if (finishing) return;
    if (!console.busy() && ready) session.evaluate(now());
    for (const SessionEvent& e : session.take_events()) {
      if (e.kind == SessionEvent::halt) halt_code = e.code;
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
    if (auto out = session.take_send()) console.send(std::move(out->keys), out->secret);
    if (session.outcome() != Outcome::running && !console.busy()) {
      finish();
      return;
    }
    if (ready) arm();
  }

  // A long silent wait (firmware boot, reboot) gets a line, or the status line on a terminal,
  // every tenth of --timeout (1 to 60 s): what it waits for and how long until the timeout.
  void beat() {
    if (options.timeout_s <= 0 || options.on_event || options.quiet) return;
    const double every = std::clamp(options.timeout_s / 10, 1.0, 60.0);
    heartbeat.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(every)));
    heartbeat.async_wait([this, every](boost::system::error_code ec) {
      if (ec || finishing) return;
      const double t = now();
      if (session.outcome() == Outcome::running && t - ui.last_event >= every - 0.001) ui.heartbeat(t);
      beat();
    });
  }

  void start() {
    beat();
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
               exit_for_signal(sig));
      if (!run.finished()) wait_signal();  // finished already: on_finished has cancelled the set
    });
  };
  wait_signal();
  run.start([&](const RunResult&) { signals.cancel(); });
  io.run();
  return run.result();
}

}  // namespace vtpilot
