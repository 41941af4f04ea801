#pragma once
// Live and replayed runs of a Session: the I/O around the pure core.
#include <functional>
#include <memory>
#include <string>

#include "vtpilot/engine/driver.hpp"

namespace boost::asio {
class io_context;
}

namespace vtpilot {

class Transport;
class Recorder;

struct RunResult;

struct RunOptions {
  double pacing_s = 0.1;  // between key bytes
  // Every event of the session, in order, with the session (its screen now names what a key
  // chooses): what the run shows is up to the caller (the CLI's lines and JSON events,
  // src/cli/ui.cpp; step mode's own view). Unset: nothing is shown.
  std::function<void(const SessionEvent&, const Driver&)> on_event;
  // A long silent wait: every heartbeat_s seconds while the session runs and no event has come
  // for that long, on_silence(now, last_event) on the run's clock. 0 or unset: never.
  double heartbeat_s = 0;
  std::function<void(double now, double last_event)> on_silence;
  // Sees every event too, beside on_event (the live view's status, --serve).
  std::function<void(const SessionEvent&)> on_tap;
  // run_live on this loop (the live view's, --serve) instead of one of its own; on_finished
  // runs on it once the run has ended and detached (the view then closes: the loop ends).
  boost::asio::io_context* loop = nullptr;
  std::function<void(const RunResult&)> on_finished;
};

struct RunResult {
  int exit_code = 0;
  std::string text;        // outcome sentence
  std::string code;        // the halt's or refusal's reason code ("not-installed", "altinst-disk"), if any
  Screen last_screen;
  int child_status = -1;   // spawned program's exit status, if any
  double seconds = 0;
};

using TransportFactory = std::function<std::unique_ptr<Transport>(boost::asio::io_context&)>;

// One session driven on a shared io_context: several of them can run in one loop (many LPARs
// in one process), each with its own transport, guard, plan state and transcript.
class LiveRun {
 public:
  LiveRun(boost::asio::io_context& io, Driver& session, std::unique_ptr<Transport> transport, Recorder& recorder,
          RunOptions options);
  ~LiveRun();
  // Attaches; on_finished runs once the session has ended and the transport is detached.
  void start(std::function<void(const RunResult&)> on_finished);
  // Stop sending, detach (signals, operator quit). exit_code is what the run reports.
  void stop(const std::string& why, int exit_code);
  bool finished() const;
  const RunResult& result() const;
  // Look at the session again now (after the operator acted on it).
  void poke();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One session in its own loop, with SIGINT / SIGTERM / SIGHUP handled (exit 130 / 143 / 129).
RunResult run_live(Driver& session, const TransportFactory& make_transport, Recorder& recorder,
                   const RunOptions& options);

}  // namespace vtpilot
