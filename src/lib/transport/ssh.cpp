// SshLink: libssh on an Asio loop. See include/vtpilot/transport/ssh.hpp.
//
// After connecting, the session is non-blocking and its socket is an Asio descriptor: when it
// is readable, every channel is stepped (open, pty, exec, read, write) until none makes
// progress. libssh reads at most one buffer per call, so a FIONREAD check after each pass
// schedules another pass while bytes are still waiting (Asio's epoll is edge-triggered).
// Callbacks are posted, never called from inside libssh calls, so a callback may close the
// stream or drop the link; a generation number silences callbacks after disconnect().
//
// The connect thread owns its session until it posts the result back: disconnect() and the
// connect deadline only bump the generation (the loop never waits for the thread), and the
// posted result of an abandoned attempt frees that session on the loop. The thread holds the
// io_context's work until then, so the loop does not end under it.
#include <utility>  // before Asio (debian12-notes.md)

#include "vtpilot/transport/ssh.hpp"

#include <libssh/libssh.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <utility>
#include <vector>

#include "transport/ssh_dl.hpp"  // libssh is loaded on first use, not linked: its calls go through a table

namespace vtpilot {

namespace asio = boost::asio;

namespace {

std::string keyscan_type(const std::string& t) {
  if (t == "ssh-ed25519") return "ed25519";
  if (t == "ssh-rsa") return "rsa";
  if (t.rfind("ecdsa", 0) == 0) return "ecdsa";
  return t;
}

std::string known_hosts_name(const std::string& host, int port) {
  return port == 22 ? host : "[" + host + "]:" + std::to_string(port);
}

std::string session_host(ssh_session s, const SshParams& p) {
  char* h = nullptr;
  std::string host = p.host;
  if (ssh_options_get(s, SSH_OPTIONS_HOST, &h) == SSH_OK && h) {
    host = h;
    ssh_string_free_char(h);
  }
  return host;
}

int session_port(ssh_session s) {
  unsigned int port = 22;
  ssh_options_get_port(s, &port);
  return static_cast<int>(port);
}

std::string session_user(ssh_session s) {
  char* u = nullptr;
  std::string user;
  if (ssh_options_get(s, SSH_OPTIONS_USER, &u) == SSH_OK && u) {
    user = u;
    ssh_string_free_char(u);
  }
  return user;
}

// The host key against known_hosts: nothing is ever accepted silently.
std::optional<SshFailure> check_host_key(ssh_session s, const SshParams& p) {
  const std::string host = session_host(s, p);
  const int port = session_port(s);
  const std::string file = p.known_hosts.empty() ? "~/.ssh/known_hosts" : p.known_hosts;
  ssh_key key = nullptr;
  std::string fingerprint = "(unknown)", type = "?";
  if (ssh_get_server_publickey(s, &key) == SSH_OK) {
    unsigned char* hash = nullptr;
    size_t len = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) == 0) {
      char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
      if (fp) {
        fingerprint = fp;
        ssh_string_free_char(fp);
      }
      ssh_clean_pubkey_hash(&hash);
    }
    if (const char* t = ssh_key_type_to_char(ssh_key_type(key))) type = t;
    ssh_key_free(key);
  }
  const std::string name = known_hosts_name(host, port);
  const std::string scan = "ssh-keyscan -p " + std::to_string(port) + " -t " + keyscan_type(type) + " " + host;
  switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
      return std::nullopt;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return SshFailure{"ssh: the host key of " + name + " HAS CHANGED since it was recorded in " + file +
                            " (or it now offers another key type): someone may be in the middle; nothing was sent.\n"
                            "  The HMC now shows " + type + " " + fingerprint + ".\n"
                            "  Only if the HMC really got a new key (reinstalled, upgraded) and its administrator confirms "
                            "that fingerprint, replace the old entry:\n    ssh-keygen -R '" + name + "' -f " + file +
                            " && " + scan + " >> " + file,
                        false};
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      return SshFailure{"ssh: " + name + " is not a known host (not in " + file + "); nothing was sent.\n"
                            "  It offers " + type + " " + fingerprint + ".\n"
                            "  If the HMC's administrator confirms that fingerprint, trust it with:\n    " + scan +
                            " >> " + file,
                        false};
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return SshFailure{"ssh: cannot check the host key of " + name + " against " + file + ": " + ssh_get_error(s),
                        false};
  }
}

std::optional<SshFailure> authenticate(ssh_session s, const SshParams& p) {
  // SSH_AUTH_ERROR from any userauth call is the connection failing (reset, a disconnect from
  // the HMC), not a refusal: retryable, with libssh's reason. ssh_userauth_publickey_auto
  // reports a disconnect in its agent loop as a denial: the session's state tells.
  auto broke = [&](int rc) -> std::optional<SshFailure> {
    if (rc == SSH_AUTH_SUCCESS) return std::nullopt;
    if (rc != SSH_AUTH_ERROR && ssh_is_connected(s) && !(ssh_get_status(s) & (SSH_CLOSED | SSH_CLOSED_ERROR)))
      return std::nullopt;
    return SshFailure{std::string("ssh: the connection failed during authentication: ") + ssh_get_error(s), true};
  };
  int rc = ssh_userauth_none(s, nullptr);
  if (rc == SSH_AUTH_SUCCESS) return std::nullopt;
  if (auto f = broke(rc)) return f;
  const int methods = ssh_userauth_list(s, nullptr);
  std::string tried;
  auto note = [&](const std::string& what) { tried += (tried.empty() ? "" : ", ") + what; };
  if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
    if (!p.identity.empty()) {
      ssh_key k = nullptr;
      if (ssh_pki_import_privkey_file(p.identity.c_str(), nullptr, nullptr, nullptr, &k) == SSH_OK) {
        rc = ssh_userauth_publickey(s, nullptr, k);
        ssh_key_free(k);
        if (rc == SSH_AUTH_SUCCESS) return std::nullopt;
        if (auto f = broke(rc)) return f;
        note("key " + p.identity);
      } else {
        note("key " + p.identity + " (unreadable, or protected by a passphrase: load it into ssh-agent)");
      }
    }
    // The agent's keys, then the ssh config's IdentityFile and the default keys. Only this
    // call tries the agent: each key offered twice used up the HMC's MaxAuthTries.
    rc = ssh_userauth_publickey_auto(s, nullptr, nullptr);
    if (rc == SSH_AUTH_SUCCESS) return std::nullopt;
    if (auto f = broke(rc)) return f;
    const char* agent = std::getenv("SSH_AUTH_SOCK");
    note(agent && *agent ? "ssh-agent and default keys" : "default keys");
  }
  if (p.password) {
    if (methods & SSH_AUTH_METHOD_PASSWORD) {
      rc = ssh_userauth_password(s, nullptr, p.password->c_str());
      if (rc == SSH_AUTH_SUCCESS) return std::nullopt;
      if (auto f = broke(rc)) return f;
      note("password");
    } else if (methods & SSH_AUTH_METHOD_INTERACTIVE) {
      rc = ssh_userauth_kbdint(s, nullptr, nullptr);
      for (int rounds = 0; rc == SSH_AUTH_INFO && rounds < 4; ++rounds) {
        const int n = ssh_userauth_kbdint_getnprompts(s);
        for (int i = 0; i < n; ++i) {
          char echo = 1;
          ssh_userauth_kbdint_getprompt(s, static_cast<unsigned>(i), &echo);
          ssh_userauth_kbdint_setanswer(s, static_cast<unsigned>(i), echo ? "" : p.password->c_str());
        }
        rc = ssh_userauth_kbdint(s, nullptr, nullptr);
      }
      if (rc == SSH_AUTH_SUCCESS) return std::nullopt;
      if (auto f = broke(rc)) return f;
      note("password (keyboard-interactive)");
    }
  }
  std::string offered;
  if (methods & SSH_AUTH_METHOD_PUBLICKEY) offered += "publickey ";
  if (methods & SSH_AUTH_METHOD_PASSWORD) offered += "password ";
  if (methods & SSH_AUTH_METHOD_INTERACTIVE) offered += "keyboard-interactive ";
  return SshFailure{"ssh: " + session_user(s) + "@" + session_host(s, p) + " refused authentication (tried: " +
                        (tried.empty() ? std::string("nothing usable") : tried) + "; the HMC offers: " +
                        (offered.empty() ? std::string("none") : offered.substr(0, offered.size() - 1)) +
                        "). Check the user, the key (`identity`), or the password file.",
                    false};
}

// A session not yet adopted by the link: freed unless release()d (an abandoned connect).
struct OwnedSession {
  ssh_session s = nullptr;
  explicit OwnedSession(ssh_session session) : s(session) {}
  OwnedSession(OwnedSession&& o) noexcept : s(std::exchange(o.s, nullptr)) {}
  OwnedSession& operator=(OwnedSession&&) = delete;
  ~OwnedSession() {
    if (s) {
      ssh_disconnect(s);
      ssh_free(s);
    }
  }
  ssh_session release() { return std::exchange(s, nullptr); }
};

}  // namespace

struct SshLink::Impl : std::enable_shared_from_this<Impl> {
  struct Chan {
    int id = 0;
    bool pty = false;
    std::string command;
    int rows = 24, cols = 80;
    ssh_channel ch = nullptr;
    enum State { open, request_pty, exec, stream, done } state = open;
    std::string out;   // exec: what it printed
    std::string wbuf;  // bytes waiting for the channel window
    bool close_requested = false;
    std::function<void(std::optional<std::string>)> opened;
    std::function<void(std::string_view)> on_data;
    std::function<void(int, std::string)> closed;
    std::unique_ptr<asio::steady_timer> timer;
  };

  asio::io_context& io;
  SshParams p;
  ssh_session s = nullptr;
  ssh_event ev = nullptr;  // libssh's own poll of the session, run without waiting on each pass
  asio::posix::stream_descriptor sock;
  asio::steady_timer keepalive;
  asio::steady_timer connect_deadline;  // the whole connect + auth, on the loop's clock
  std::vector<std::unique_ptr<Chan>> chans;
  std::function<void(const std::string&)> on_lost;
  bool up = false, reading = false, writing = false, servicing = false, again = false, connecting = false;
  int next_id = 1;
  unsigned gen = 0;  // bumped by disconnect(): posted callbacks of an older generation are dropped
  std::string described;

  Impl(asio::io_context& io_, SshParams params)
      : io(io_), p(std::move(params)), sock(io_), keepalive(io_), connect_deadline(io_) {
    described = (p.user.empty() ? std::string() : p.user + "@") + p.host + (p.port ? ":" + std::to_string(p.port) : "");
  }
  ~Impl() { teardown(); }

  template <class F>
  void later(F f) {
    asio::post(io, [w = weak_from_this(), g = gen, f = std::move(f)]() mutable {
      auto self = w.lock();
      if (self && self->gen == g) f();
    });
  }

  void teardown() {
    ++gen;  // a connect still running is abandoned: its posted result frees its session
    up = false;
    connecting = false;
    connect_deadline.cancel();
    keepalive.cancel();
    if (sock.is_open()) {
      boost::system::error_code ec;
      sock.cancel(ec);
      sock.release();  // libssh owns the fd and closes it
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

  std::optional<SshFailure> configure() {
    std::string why;
    if (!ssh_dl::load(&why)) return SshFailure{"ssh: " + why, false};
    s = ssh_new();
    if (!s) return SshFailure{"ssh: cannot create a session (out of memory)", false};
    ssh_options_set(s, SSH_OPTIONS_HOST, p.host.c_str());
    if (!p.ssh_config.empty()) {
      std::error_code ec;
      if (!std::filesystem::exists(p.ssh_config, ec))
        return SshFailure{"ssh: the ssh config " + p.ssh_config + " does not exist", false};
      if (ssh_options_parse_config(s, p.ssh_config.c_str()) != 0)
        return SshFailure{"ssh: cannot read the ssh config " + p.ssh_config + ": " + ssh_get_error(s), false};
    } else {
      ssh_options_parse_config(s, nullptr);  // ~/.ssh/config, then /etc/ssh/ssh_config
    }
    bool no = false;
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);  // parsed above, with our values on top
    if (p.port) {
      unsigned int port = static_cast<unsigned int>(p.port);
      ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    }
    if (!p.user.empty()) ssh_options_set(s, SSH_OPTIONS_USER, p.user.c_str());
    if (!p.known_hosts.empty()) ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, p.known_hosts.c_str());
    long timeout = static_cast<long>(p.connect_timeout_s + 0.5);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    int nodelay = 1;
    ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay);
    return std::nullopt;
  }

  void connect(std::function<void(std::optional<SshFailure>)> done) {
    teardown();
    if (auto f = configure()) {
      later([done, f = *f] { done(f); });
      return;
    }
    // Blocking libssh calls (each wait bounded by SSH_OPTIONS_TIMEOUT) on a thread of their
    // own, which owns the session until its result is posted back. The whole attempt is
    // bounded by connect_deadline (libssh bounds each wait alone, getaddrinfo not at all); a
    // second later than libssh's own timeout, so that its reason wins when one wait is all.
    OwnedSession session(std::exchange(s, nullptr));
    connecting = true;
    const unsigned g = gen;
    auto cb = std::make_shared<std::function<void(std::optional<SshFailure>)>>(std::move(done));
    connect_deadline.expires_after(std::chrono::milliseconds(static_cast<long>(p.connect_timeout_s * 1000) + 1000));
    connect_deadline.async_wait([w = weak_from_this(), g, cb, what = described, t = p.connect_timeout_s](boost::system::error_code ec) {
      auto self = w.lock();
      if (ec || !self || self->gen != g || !self->connecting) return;
      self->teardown();  // the thread's result is dropped when it comes; its session freed then
      char secs[32];
      std::snprintf(secs, sizeof secs, "%g", t);
      (*cb)(SshFailure{"ssh: cannot connect to " + what + ": no answer within " + secs + " s (connect_timeout_s)", true});
    });
    std::thread([session = std::move(session), params = p, what = described, io = &io, w = weak_from_this(), g, cb,
                 work = asio::make_work_guard(io)]() mutable {
      std::optional<SshFailure> failure;
      if (ssh_connect(session.s) != SSH_OK)
        failure = SshFailure{"ssh: cannot connect to " + what + ": " + ssh_get_error(session.s), true};
      if (!failure) failure = check_host_key(session.s, params);
      if (!failure) failure = authenticate(session.s, params);
      asio::post(*io, [w, g, failure, cb, session = std::move(session), work = std::move(work)]() mutable {
        work.reset();
        auto self = w.lock();
        if (!self || self->gen != g || !self->connecting) return;  // abandoned: `session` is freed here
        self->connecting = false;
        self->connect_deadline.cancel();
        self->s = session.release();
        if (!failure) self->attach_socket();
        (*cb)(failure);
      });
    }).detach();
  }

  void attach_socket() {
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
    sock.assign(fd);
    up = true;
    arm_read();
    arm_keepalive();
  }

  void arm_read() {
    if (!up || reading) return;
    reading = true;
    sock.async_wait(asio::posix::stream_descriptor::wait_read,
                    [w = weak_from_this(), g = gen](boost::system::error_code ec) {
                      auto self = w.lock();
                      if (!self || self->gen != g) return;
                      self->reading = false;
                      if (ec) return;
                      self->service();
                    });
  }

  void arm_write() {
    if (!up || writing) return;
    writing = true;
    sock.async_wait(asio::posix::stream_descriptor::wait_write,
                    [w = weak_from_this(), g = gen](boost::system::error_code ec) {
                      auto self = w.lock();
                      if (!self || self->gen != g) return;
                      self->writing = false;
                      if (ec) return;
                      ssh_blocking_flush(self->s, 0);
                      self->service();
                    });
  }

  void arm_keepalive() {
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

  void kick() {
    later([this] { service(); });
  }

  // Ends one channel and reports it (posted).
  void finish(Chan& c, int status, std::string why) {
    if (c.state == Chan::done) return;
    const bool was_streaming = c.state == Chan::stream;
    c.state = Chan::done;
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
  bool step(Chan& c) {
    char buf[16384];
    switch (c.state) {
      case Chan::open: {
        if (!c.ch) c.ch = ssh_channel_new(s);
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
        if (c.opened) later([cb = std::move(c.opened)] { cb(std::nullopt); });
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
        for (int is_stderr = 0; is_stderr < 2; ++is_stderr) {
          for (;;) {
            int n = ssh_channel_read_nonblocking(c.ch, buf, sizeof buf, is_stderr);
            if (n > 0) {
              moved = true;
              if (c.pty) later([cb = c.on_data, d = std::string(buf, static_cast<std::size_t>(n))] { cb(d); });
              else c.out.append(buf, static_cast<std::size_t>(n));
              continue;
            }
            if (n == SSH_ERROR) {
              finish(c, -1, "read failed: " + std::string(ssh_get_error(s)));
              return true;
            }
            break;  // 0 (nothing now) or SSH_EOF
          }
        }
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

  void service() {
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
    int waiting = 0;
    if (::ioctl(ssh_get_fd(s), FIONREAD, &waiting) == 0 && waiting > 0) kick();
    arm_read();
  }

  void lose(const std::string& why) {
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

  int add(std::unique_ptr<Chan> c) {
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

  Chan* find(int id) {
    for (auto& c : chans)
      if (c->id == id) return c.get();
    return nullptr;
  }
};

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
