// run_live: one Asio loop, a transport, the single write path, timers and signals.
#include <utility>  // before Asio (debian12-notes.md)

#include <boost/asio.hpp>
#include <algorithm>
#include <csignal>

#include "vtpilot/base/exit_code.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/run/runner.hpp"
#include "vtpilot/transport/console.hpp"
#include "vtpilot/transport/transport.hpp"

namespace vtpilot {

namespace asio = boost::asio;

struct LiveRun::Impl {
  asio::io_context& io;
  Driver& session;
  std::unique_ptr<Transport> transport;
  Recorder& recorder;
  RunOptions options;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  Console console;
  asio::steady_timer deadline, heartbeat;
  double last_event = 0;  // for the heartbeat: when the session last said something
  RunResult result;
  bool finishing = false, done = false, stopped = false;
  bool ready = true;  // the console can show something: the screen clock runs (Transport::defer_ready)
  int forced_exit = 0;
  std::string halt_code;
  std::function<void(const RunResult&)> on_finished;

  Impl(asio::io_context& io_, Driver& s, std::unique_ptr<Transport> t, Recorder& r, RunOptions o)
      : io(io_), session(s), transport(std::move(t)), recorder(r), options(std::move(o)),
        console(io_, *transport, r, [this] { return now(); }, options.pacing_s), deadline(io_), heartbeat(io_) {}

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
      if (e.kind == SessionEvent::halt || (e.kind == SessionEvent::done && !e.code.empty())) halt_code = e.code;
      last_event = e.t;
      if (options.on_tap) options.on_tap(e);
      if (options.on_event) options.on_event(e, session);
      if (e.kind != SessionEvent::progress) recorder.marker(e.t, event_marker(e));
      if (e.kind == SessionEvent::halt) result.code = e.code;
    }
    if (auto action = session.take_action()) {
      recorder.marker(now(), mark::Action{*action});
      transport->run_action(*action, [this](bool ok, std::string text) {
        recorder.marker(now(), mark::ActionResult{ok, text});
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

  // A long silent wait (firmware boot, reboot): the caller is told every heartbeat_s.
  void beat() {
    if (options.heartbeat_s <= 0 || !options.on_silence) return;
    const double every = options.heartbeat_s;
    heartbeat.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(every)));
    heartbeat.async_wait([this, every](boost::system::error_code ec) {
      if (ec || finishing) return;
      const double t = now();
      if (session.outcome() == Outcome::running && t - last_event >= every - 0.001) options.on_silence(t, last_event);
      beat();
    });
  }

  void start() {
    beat();
    console.on_idle = [this] { asio::post(io, [this] { pump(); }); };
    console.still_judged = [this] { return session.keys_still_judged(); };
    console.on_dropped = [this](std::size_t n) {
      recorder.marker(now(), mark::Dropped{n});
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
          if (std::size_t n = console.discard()) recorder.marker(now(), mark::GapDiscard{n});
          recorder.marker(now(), mark::Gap{why});
          session.on_detach(now(), why);
          pump();
        },
        [this](const std::string& what) {
          recorder.marker(now(), mark::GapEnd{what});
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
      impl_->recorder.marker(impl_->now(), mark::StoppedAgain{n});
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
  asio::io_context own;
  asio::io_context& io = options.loop ? *options.loop : own;
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
  run.start([&](const RunResult& r) {
    signals.cancel();
    if (options.on_finished) options.on_finished(r);
  });
  io.run();
  return run.result();
}

}  // namespace vtpilot
