#pragma once
// SshLink's insides, shared by its two halves: ssh_connect.cpp (configure, connect on a thread,
// known_hosts, authentication) and ssh_channel.cpp (the pump: exec and pty channels on the
// Asio loop, reading, writing, keepalive). Private to src/lib/transport: it brings Asio and
// libssh, which the public header keeps out.
#include <utility>  // before Asio (debian12-notes.md)

#include <libssh/libssh.h>

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transport/ssh_dl.hpp"  // libssh is loaded on first use, not linked: its calls go through a table
#include "vtpilot/transport/ssh.hpp"

namespace vtpilot {

namespace ssh_detail {
// What the session will use after the ssh config: host, port, user.
std::string session_host(ssh_session s, const SshParams& p);
int session_port(ssh_session s);
std::string session_user(ssh_session s);
}  // namespace ssh_detail

struct SshLink::Impl : std::enable_shared_from_this<Impl> {
  struct Chan {
    int id = 0;
    bool pty = false;
    std::string command;
    int rows = 24, cols = 80;
    ssh_channel ch = nullptr;
    enum State { open, request_pty, exec, stream, done } state = open;
    std::string out;   // exec: what it printed
    std::string in;    // pty: what arrived since the last pass, handed up as one chunk
    bool opened_pending = false;  // `opened` is posted and has not run yet
    std::string wbuf;  // bytes waiting for the channel window
    bool close_requested = false;
    std::function<void(std::optional<std::string>)> opened;
    std::function<void(std::string_view)> on_data;
    std::function<void(int, std::string)> closed;
    std::unique_ptr<boost::asio::steady_timer> timer;
    // libssh hands each data packet to on_channel_data as it takes it in (no read call that
    // polls the socket again per channel and stream); the Chan does not move (unique_ptr).
    ssh_channel_callbacks_struct callbacks{};
  };
  static int on_channel_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* chan);

  boost::asio::io_context& io;
  SshParams p;
  ssh_session s = nullptr;
  ssh_event ev = nullptr;  // libssh's own poll of the session, run without waiting on each pass
  // The session's socket, watched by a 1-byte MSG_PEEK receive (see arm_read).
  boost::asio::generic::stream_protocol::socket sock;
  char peeked = 0;
  boost::asio::steady_timer keepalive;
  boost::asio::steady_timer connect_deadline;  // the whole connect + auth, on the loop's clock
  std::vector<std::unique_ptr<Chan>> chans;
  std::function<void(const std::string&)> on_lost;
  bool up = false, reading = false, writing = false, servicing = false, again = false, connecting = false;
  int next_id = 1;
  unsigned gen = 0;  // bumped by disconnect(): posted callbacks of an older generation are dropped
  std::string described;


  Impl(boost::asio::io_context& io_, SshParams params)
      : io(io_), p(std::move(params)), sock(io_), keepalive(io_), connect_deadline(io_) {
    described = (p.user.empty() ? std::string() : p.user + "@") + p.host + (p.port ? ":" + std::to_string(p.port) : "");
  }
  ~Impl() { teardown(); }

  template <class F>
  void later(F f) {
    boost::asio::post(io, [w = weak_from_this(), g = gen, f = std::move(f)]() mutable {
      auto self = w.lock();
      if (self && self->gen == g) f();
    });
  }

  // ssh_connect.cpp
  std::optional<SshFailure> configure();
  void connect(std::function<void(std::optional<SshFailure>)> done);

  // ssh_channel.cpp
  void teardown();
  std::optional<SshFailure> attach_socket();
  void arm_read();
  void arm_write();
  void arm_keepalive();
  void kick();
  void finish(Chan& c, int status, std::string why);
  bool step(Chan& c);
  void service();
  void hand_up();
  void lose(const std::string& why);
  int add(std::unique_ptr<Chan> c);
  Chan* find(int id);
};

}  // namespace vtpilot
