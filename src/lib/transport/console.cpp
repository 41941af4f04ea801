// Console: the single write path. Spends an Approved, paces its bytes, records each one.
#include <utility>  // before Asio: Boost 1.74 + g++ 12 (debian12-notes.md)

#include <boost/asio.hpp>
#include <deque>
#include <string>

#include "vtpilot/record/recorder.hpp"
#include "vtpilot/transport/console.hpp"
#include "vtpilot/transport/transport.hpp"

namespace vtpilot {

namespace asio = boost::asio;

struct Console::Impl {
  asio::io_context& io;
  Transport& transport;
  Recorder& recorder;
  Clock now;
  double pacing_s;
  asio::steady_timer timer;
  std::string queue;
  bool secret = false;
  bool secret_recorded = false;
  bool writing = false;
  double last_write = -1e9;  // when the last byte went out
  Console* self;

  void next() {
    if (queue.empty()) {
      writing = false;
      if (self->on_idle) self->on_idle();
      return;
    }
    // Never drive unrecorded: a transcript that cannot be written stops the keys.
    if (!recorder.ok()) {
      queue.clear();
      writing = false;
      if (self->on_record_error) self->on_record_error(recorder.error());
      return;
    }
    // With pacing, one byte at a time (service processors drop bytes sent at full speed), and
    // the pause counts from the last byte written, also across answers: the first key of the
    // next screen's answer must not follow the previous Enter too closely either.
    if (pacing_s > 0 && last_write >= 0) {
      double wait = last_write + pacing_s - now();
      if (wait > 0) {
        timer.expires_after(std::chrono::microseconds(static_cast<long>(wait * 1e6)));
        timer.async_wait([this](boost::system::error_code ec) {
          if (!ec) {
            last_write = -1e9;  // the pause is served
            next();
          }
        });
        return;
      }
    }
    // Every key lands where it was judged: a screen gone while keys were paced out (or an Enter
    // queued) drops what is unwritten, and the new screen gets a judgement of its own.
    if (self->still_judged && !self->still_judged()) {
      const std::size_t dropped = queue.size();
      queue.clear();
      writing = false;
      if (self->on_dropped) self->on_dropped(dropped);
      return;
    }
    std::size_t n = pacing_s > 0 ? 1 : queue.size();
    std::string chunk = queue.substr(0, n);
    queue.erase(0, n);
    if (!secret) recorder.input(now(), chunk, false);
    else if (!secret_recorded) {
      recorder.input(now(), "", true);
      secret_recorded = true;
    }
    // The key is recorded before it is written: if that record failed, the key stays unsent.
    if (!recorder.ok()) {
      queue.clear();
      writing = false;
      if (self->on_record_error) self->on_record_error(recorder.error());
      return;
    }
    transport.write_bytes(chunk);
    last_write = now();
    next();
  }
};

Console::Console(asio::io_context& io, Transport& transport, Recorder& recorder, Clock now, double pacing_s)
    : impl_(new Impl{io, transport, recorder, std::move(now), pacing_s, asio::steady_timer(io), {}, false, false, false, -1e9, this}) {}
Console::~Console() = default;

void Console::send(Approved keys, bool secret) {
  impl_->queue += keys.spend();
  impl_->secret = secret;
  impl_->secret_recorded = false;
  if (!impl_->writing) {
    impl_->writing = true;
    impl_->next();
  }
}

bool Console::busy() const { return impl_->writing; }

std::size_t Console::discard() {
  const std::size_t n = impl_->queue.size();
  impl_->queue.clear();
  impl_->timer.cancel();
  impl_->writing = false;
  return n;
}

}  // namespace vtpilot
