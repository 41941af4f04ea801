// SshLink, the channel pump: libssh on an Asio loop. See include/vtpilot/transport/ssh.hpp and
// ssh_link.hpp.
//
// After connecting, the session is non-blocking and its socket is an Asio socket: when it is
// readable, libssh takes in what arrived (one poll and one recv of up to 4 KB) and hands each
// channel's data to the channel's data callback; then every channel is stepped (open, pty,
// exec, hand up what arrived, write) until none makes progress. A console sends a line per
// read: this is paid per read, so each syscall counts (bench/README.md, "A console at its own
// pace"). The socket is watched by a 1-byte MSG_PEEK receive, not a wait: Asio re-registers
// the descriptor with epoll_ctl for every wait (and the re-registration wakes epoll again), a
// receive it tries at once and queues without re-registering. That first try is also the check
// for bytes libssh left in the socket (it reads 4 KB at a time; Asio's epoll is edge-triggered).
// Callbacks are never called from inside libssh calls, so a callback may close the stream or
// drop the link: a stream's data at the end of a pass (hand_up), the others posted; a
// generation number silences callbacks after disconnect().
#include "transport/ssh_link.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace vtpilot {

namespace asio = boost::asio;
using ssh_detail::session_host;
using ssh_detail::session_port;
using ssh_detail::session_user;

void SshLink::Impl::teardown() {
  ++gen;  // a connect still running is abandoned: its posted result frees its session
  up = false;
  connecting = false;
  connect_deadline.cancel();
  keepalive.cancel();
  if (sock.is_open()) {
    boost::system::error_code ec;
    sock.cancel(ec);
    sock.release(ec);  // libssh owns the fd and closes it
  }
  for (auto& c : chans)
    if (c->ch) ssh_channel_free(c->ch);
  chans.clear();
  if (ev) {
    if (s) ssh_event_remove_session(ev, s);
    ssh_event_free(ev);
    ev = nullptr;
  }
  if (s) {
    ssh_disconnect(s);
    ssh_free(s);
    s = nullptr;
  }
}

std::optional<SshFailure> SshLink::Impl::attach_socket() {
  described = session_user(s) + "@" + session_host(s, p) + ":" + std::to_string(session_port(s));
  ssh_set_blocking(s, 0);
  const int fd = ssh_get_fd(s);
  // A stalled link (a dead HMC, a cut network) must fail within a few keepalive periods,
  // not after TCP's 15-minute retransmission timeout.
  int on = 1, idle = static_cast<int>(p.keepalive_s), intvl = std::max(1, idle / 3), cnt = 3;
  unsigned user_timeout = static_cast<unsigned>(p.keepalive_s * 3 * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
  ev = ssh_event_new();
  if (ev) ssh_event_add_session(ev, s);
  // A TCP socket, or a Unix socket pair when the ssh config has a ProxyCommand.
  int domain = AF_INET, protocol = 0;
  socklen_t len = sizeof domain;
  ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  len = sizeof protocol;
  ::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
  boost::system::error_code ec;
  sock.assign(asio::generic::stream_protocol(domain, protocol), fd, ec);
  if (ec) return SshFailure{"ssh: cannot watch the connection's socket: " + ec.message(), true};
  up = true;
  arm_read();
  arm_keepalive();
  return std::nullopt;
}

void SshLink::Impl::arm_read() {
  if (!up || reading) return;
  reading = true;
  sock.async_receive(asio::buffer(&peeked, 1), asio::socket_base::message_peek,
                     [w = weak_from_this(), g = gen](boost::system::error_code ec, std::size_t) {
                       auto self = w.lock();
                       if (!self || self->gen != g) return;
                       self->reading = false;
                       if (ec == asio::error::operation_aborted) return;
                       self->service();
                       // The peer closed (eof) or the socket failed: libssh has taken in
                       // everything before it; if it has not noticed, the link is lost anyway.
                       if (ec && self->up) self->lose("the connection closed: " + ec.message());
                     });
}

void SshLink::Impl::arm_write() {
  if (!up || writing) return;
  writing = true;
  sock.async_wait(asio::socket_base::wait_write,
                  [w = weak_from_this(), g = gen](boost::system::error_code ec) {
                    auto self = w.lock();
                    if (!self || self->gen != g) return;
                    self->writing = false;
                    if (ec) return;
                    ssh_blocking_flush(self->s, 0);
                    self->service();
                  });
}

void SshLink::Impl::arm_keepalive() {
  keepalive.expires_after(std::chrono::milliseconds(static_cast<long>(p.keepalive_s * 1000)));
  keepalive.async_wait([w = weak_from_this(), g = gen](boost::system::error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->gen != g || !self->up) return;
    if (ssh_send_ignore(self->s, "keepalive") != SSH_OK) {
      self->lose(std::string("keepalive failed: ") + ssh_get_error(self->s));
      return;
    }
    self->service();
    self->arm_keepalive();
  });
}

void SshLink::Impl::kick() {
  later([this] { service(); });
}

// Ends one channel and reports it (posted).
void SshLink::Impl::finish(Chan& c, int status, std::string why) {
  if (c.state == Chan::done) return;
  const bool was_streaming = c.state == Chan::stream;
  c.state = Chan::done;
  if (was_streaming && !c.in.empty() && c.on_data)  // what came before the end, before it
    later([cb = c.on_data, d = std::exchange(c.in, std::string())] { cb(d); });
  if (c.timer) c.timer->cancel();
  if (c.ch) {
    if (ssh_channel_is_open(c.ch)) ssh_channel_close(c.ch);
    ssh_channel_free(c.ch);
    c.ch = nullptr;
  }
  if (!was_streaming && c.opened) {
    later([cb = c.opened, why] { cb(why.empty() ? std::string("the command ended before it started") : why); });
    c.opened = nullptr;
  }
  if (c.closed) later([cb = c.closed, status, why, out = std::move(c.out)]() mutable {
    cb(status, why.empty() ? std::move(out) : why);
  });
  c.closed = nullptr;
}

// One step of a channel's life; true when something moved.
int SshLink::Impl::on_channel_data(ssh_session, ssh_channel, void* data, uint32_t len, int, void* chan) {
  Chan& c = *static_cast<Chan*>(chan);
  (c.pty ? c.in : c.out).append(static_cast<const char*>(data), len);
  return static_cast<int>(len);  // all of it taken: libssh reopens the window
}

bool SshLink::Impl::step(Chan& c) {
  switch (c.state) {
    case Chan::open: {
      if (!c.ch && (c.ch = ssh_channel_new(s))) {
        ssh_callbacks_init(&c.callbacks);
        c.callbacks.userdata = &c;
        c.callbacks.channel_data_function = &on_channel_data;
        ssh_set_channel_callbacks(c.ch, &c.callbacks);
      }
      if (!c.ch) {
        finish(c, -1, "cannot create a channel: " + std::string(ssh_get_error(s)));
        return true;
      }
      int rc = ssh_channel_open_session(c.ch);
      if (rc == SSH_AGAIN) return false;
      if (rc != SSH_OK) {
        finish(c, -1, "the HMC refused a session channel: " + std::string(ssh_get_error(s)));
        return true;
      }
      c.state = c.pty ? Chan::request_pty : Chan::exec;
      return true;
    }
    case Chan::request_pty: {
      int rc = ssh_channel_request_pty_size(c.ch, "vt100", c.cols, c.rows);
      if (rc == SSH_AGAIN) return false;
      if (rc != SSH_OK) {
        finish(c, -1, "the HMC refused a terminal (pty): " + std::string(ssh_get_error(s)));
        return true;
      }
      c.state = Chan::exec;
      return true;
    }
    case Chan::exec: {
      int rc = ssh_channel_request_exec(c.ch, c.command.c_str());
      if (rc == SSH_AGAIN) return false;
      if (rc != SSH_OK) {
        finish(c, -1, "the HMC refused to run `" + c.command + "`: " + std::string(ssh_get_error(s)));
        return true;
      }
      c.state = Chan::stream;
      if (c.opened) {
        c.opened_pending = true;  // its data goes up after it (hand_up)
        later([this, id = c.id, cb = std::move(c.opened)] {
          if (Chan* live = find(id)) live->opened_pending = false;
          cb(std::nullopt);
        });
      }
      c.opened = nullptr;
      return true;
    }
    case Chan::stream: {
      bool moved = false;
      if (!c.wbuf.empty()) {
        int n = ssh_channel_write(c.ch, c.wbuf.data(), static_cast<uint32_t>(c.wbuf.size()));
        if (n == SSH_ERROR) {
          finish(c, -1, "write failed: " + std::string(ssh_get_error(s)));
          return true;
        }
        if (n > 0) {
          c.wbuf.erase(0, static_cast<std::size_t>(n));
          moved = true;
        }
      }
      // What libssh took in (stdout and stderr as they came) waits in c.in and goes up at the
      // end of the pass (hand_up), as one chunk: reading it back with
      // ssh_channel_read_nonblocking polled the socket once more per channel and stream when
      // there was nothing left, four polls per console line.
      if (c.close_requested && c.wbuf.empty()) {
        ssh_channel_send_eof(c.ch);
        finish(c, -1, "closed by us");
        return true;
      }
      // The exit status may come after EOF: the channel is done when the HMC closes it.
      if (ssh_channel_is_closed(c.ch) || (ssh_channel_is_eof(c.ch) && !ssh_channel_is_open(c.ch))) {
        int status = ssh_channel_get_exit_status(c.ch);
        finish(c, status, "");
        return true;
      }
      return moved;
    }
    case Chan::done:
      return false;
  }
  return false;
}

void SshLink::Impl::service() {
  if (!up) return;
  if (servicing) {
    again = true;
    return;
  }
  servicing = true;
  auto keep = shared_from_this();
  do {
    again = false;
    // Let libssh take in whatever arrived, whatever the channels' states, through its own
    // event poll (timeout 0): a channel that saw EOF no longer reads packets by itself
    // (libssh's channel poll stops at remote EOF), and the session's own packet loop can
    // leave bytes in the socket that only this poll takes in (seen as a busy loop on
    // FIONREAD and a stall until the next keepalive before it was used).
    if ((ev ? ssh_event_dopoll(ev, 0) : ssh_blocking_flush(s, 0)) == SSH_ERROR) {
      servicing = false;
      lose(std::string("the connection failed: ") + ssh_get_error(s));
      return;
    }
    bool moved = true;
    for (int rounds = 0; moved && up && rounds < 1000; ++rounds) {
      moved = false;
      for (std::size_t i = 0; i < chans.size(); ++i) moved |= step(*chans[i]);
      std::erase_if(chans, [](const std::unique_ptr<Chan>& c) { return c->state == Chan::done; });
    }
  } while (again && up);
  servicing = false;
  if (!up) return;
  if (ssh_is_connected(s) == 0 || (ssh_get_status(s) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
    lose(std::string("the connection closed: ") + ssh_get_error(s));
    return;
  }
  if (ssh_get_poll_flags(s) & SSH_WRITE_PENDING) arm_write();
  arm_read();  // its first try finds bytes libssh left in the socket: another pass then
  hand_up();
}

// Each streaming channel's new bytes go to its on_data now, outside any libssh call, not
// posted: a posted handler made Asio look at epoll once more (timeout 0) before running it, a
// syscall per console line. The callback may write (a nested pass), close the stream or drop
// the link: channels are looked up again by id, and a disconnect ends the round.
void SshLink::Impl::hand_up() {
  std::vector<int> ids;
  for (auto& c : chans)
    if (c->state == Chan::stream && !c->in.empty()) ids.push_back(c->id);
  if (ids.empty()) return;
  auto keep = shared_from_this();
  const unsigned g = gen;
  for (int id : ids) {
    Chan* c = gen == g ? find(id) : nullptr;
    if (!c || c->state != Chan::stream || c->in.empty()) continue;
    auto cb = c->on_data;  // a copy: the call may end the channel
    std::string d = std::exchange(c->in, std::string());
    if (c->opened_pending) later([cb, d = std::move(d)] { cb(d); });  // after `opened`
    else if (cb) cb(d);
  }
}

void SshLink::Impl::lose(const std::string& why) {
  if (!up) return;
  up = false;
  for (auto& c : chans) finish(*c, -1, "connection lost: " + why);
  auto cb = on_lost;
  if (cb) later([cb, why] { cb(why); });
  // Free the dead session now, but keep the callbacks already posted for this generation.
  const unsigned g = gen;
  teardown();
  gen = g;
}

int SshLink::Impl::add(std::unique_ptr<Chan> c) {
  c->id = next_id++;
  const int id = c->id;
  if (!up) {
    finish(*c, -1, "not connected");
    return id;
  }
  chans.push_back(std::move(c));
  kick();
  return id;
}

SshLink::Impl::Chan* SshLink::Impl::find(int id) {
  for (auto& c : chans)
    if (c->id == id) return c.get();
  return nullptr;
}

SshLink::SshLink(asio::io_context& io, SshParams params) : impl_(std::make_shared<Impl>(io, std::move(params))) {}
SshLink::~SshLink() = default;

void SshLink::connect(std::function<void(std::optional<SshFailure>)> done) {
  impl_->on_lost = on_lost;
  impl_->connect(std::move(done));
}

bool SshLink::connected() const { return impl_->up; }
std::string SshLink::describe() const { return impl_->described; }

void SshLink::exec(const std::string& command, double timeout_s, std::function<void(int, std::string)> done) {
  auto c = std::make_unique<Impl::Chan>();
  c->command = command;
  c->closed = std::move(done);
  c->timer = std::make_unique<asio::steady_timer>(impl_->io);
  Impl::Chan* raw = c.get();
  const int id = impl_->add(std::move(c));
  if (Impl::Chan* live = impl_->find(id); live && live == raw) {
    live->timer->expires_after(std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)));
    live->timer->async_wait([w = std::weak_ptr<Impl>(impl_), id, command, timeout_s](boost::system::error_code ec) {
      auto self = w.lock();
      if (ec || !self) return;
      if (Impl::Chan* ch = self->find(id))
        self->finish(*ch, -1, "`" + command + "` did not finish within " + std::to_string(static_cast<int>(timeout_s)) + " s");
    });
  }
}

int SshLink::open_pty(const std::string& command, int rows, int cols, std::function<void(std::optional<std::string>)> opened,
                      std::function<void(std::string_view)> on_data, std::function<void(int, std::string)> closed) {
  auto c = std::make_unique<Impl::Chan>();
  c->pty = true;
  c->command = command;
  c->rows = rows;
  c->cols = cols;
  c->opened = std::move(opened);
  c->on_data = std::move(on_data);
  c->closed = std::move(closed);
  return impl_->add(std::move(c));
}

void SshLink::write(int stream, std::string_view bytes) {
  if (Impl::Chan* c = impl_->find(stream)) {
    c->wbuf.append(bytes.data(), bytes.size());
    impl_->service();  // keys go out now, not on the next read
  }
}

void SshLink::close_stream(int stream) {
  if (Impl::Chan* c = impl_->find(stream)) {
    c->close_requested = true;
    impl_->kick();
  }
}

void SshLink::disconnect() { impl_->teardown(); }

}  // namespace vtpilot
