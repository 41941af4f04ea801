#pragma once
// The single write path: every key a console gets goes through Console::send.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "vtpilot/guard/guard.hpp"

namespace boost::asio {
class io_context;
}

namespace vtpilot {

class Transport;
class Recorder;

// The single write path: spends an Approved, paces its bytes, records each one.
class Console {
 public:
  using Clock = std::function<double()>;
  Console(boost::asio::io_context& io, Transport& transport, Recorder& recorder, Clock now, double pacing_s);
  ~Console();
  void send(Approved keys, bool secret);
  bool busy() const;
  // The console went away: keys still queued are dropped (never sent later). Returns how many.
  std::size_t discard();
  // Called when the last paced byte has been written.
  std::function<void()> on_idle;
  // Asked before each byte is written: false when the screen the keys were judged for is gone.
  // The unwritten rest is then dropped (never written later) and on_dropped gets its size.
  std::function<bool()> still_judged;
  std::function<void(std::size_t)> on_dropped;
  // Called if the transcript cannot be written: nothing more is sent.
  std::function<void(const std::string&)> on_record_error;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vtpilot
