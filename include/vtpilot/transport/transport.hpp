#pragma once
// One small async transport interface for every mode: a local command on a pty (`spawn`),
// ssh + mkvterm (the HMC), and replay (virtual time, in replay.cpp). Bytes reach a console
// only through Console::send, which takes an Approved and nothing else.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vtpilot/base/exit_code.hpp"
#include "vtpilot/guard/guard.hpp"

namespace boost::asio {
class io_context;
}

namespace vtpilot {

class Recorder;

class Transport {
 public:
  using DataFn = std::function<void(std::string_view)>;
  using CloseFn = std::function<void(const std::string& why)>;
  virtual ~Transport() = default;
  virtual void start(DataFn on_data, CloseFn on_close) = 0;
  // Detach cleanly (close the pty, leave the vterm). Idempotent.
  virtual void stop() = 0;
  // What is attached, for messages ("spawn: lpar-sim console ...").
  virtual std::string describe() const = 0;
  // The spawned program's exit status once it has ended (-1 while unknown; 128+N for signal N).
  virtual int child_status() const { return -1; }
  // Waits (bounded) for the child to end after stop(); calls done() either way.
  virtual void wait_child(double timeout_s, std::function<void()> done) { (void)timeout_s; done(); }
  // Waits (bounded) for the child to end by itself, without hanging up or killing it.
  virtual void await_exit(double timeout_s, std::function<void()> done) { (void)timeout_s; done(); }

  // Orchestration a plan step asks for ("media-swap 2"); done(ok, what happened) once.
  // A transport with nothing to orchestrate (a local pty) just goes on.
  using ActionDone = std::function<void(bool ok, std::string text)>;
  virtual void run_action(const std::string& action, ActionDone done) {
    (void)action;
    done(true, "");
  }
  // Transports that reconnect (ssh) report the gap: lost(why) when the console went away,
  // back(what) once it is attached again. Set before start().
  virtual void set_link_events(std::function<void(const std::string&)> lost, std::function<void(const std::string&)> back) {
    (void)lost, (void)back;
  }
  // Transports that work before the console can show anything (the HMC: load volume 1, activate
  // the LPAR) say when it is ready: ready() once, when the console printed or that work is done.
  // The screen timeout runs from then, not from the start. Returns false (and never calls ready)
  // when the console is ready at once. Called before start().
  virtual bool defer_ready(std::function<void()> ready) {
    (void)ready;
    return false;
  }
  // The exit code the transport's own failure means (5 by default: connect, auth, host key,
  // vterm busy; 2 for a request the config must change, such as powering on a Running LPAR).
  virtual int failure_exit() const { return kTransport; }

 protected:
  friend class Console;
  virtual void write_bytes(std::string_view bytes) = 0;
};

// A local command run by /bin/sh -c on a new pty of rows x cols (like expect's spawn).
std::unique_ptr<Transport> make_spawn_transport(boost::asio::io_context& io, const std::string& command,
                                                int rows = 24, int cols = 80);

}  // namespace vtpilot
