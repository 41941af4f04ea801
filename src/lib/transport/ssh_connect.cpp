// SshLink, connecting: the session's options and ssh config, ssh_connect, the host key against
// known_hosts, and authentication, on a thread of their own. See ssh_link.hpp.
//
// The connect thread owns its session until it posts the result back: disconnect() and the
// connect deadline only bump the generation (the loop never waits for the thread), and the
// posted result of an abandoned attempt frees that session on the loop. The thread holds the
// io_context's work until then, so the loop does not end under it.
#include "transport/ssh_link.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace vtpilot {

namespace asio = boost::asio;

namespace ssh_detail {
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

}  // namespace ssh_detail

namespace {

using namespace ssh_detail;

std::string keyscan_type(const std::string& t) {
  if (t == "ssh-ed25519") return "ed25519";
  if (t == "ssh-rsa") return "rsa";
  if (t.rfind("ecdsa", 0) == 0) return "ecdsa";
  return t;
}

std::string known_hosts_name(const std::string& host, int port) {
  return port == 22 ? host : "[" + host + "]:" + std::to_string(port);
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

std::optional<SshFailure> SshLink::Impl::configure() {
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

void SshLink::Impl::connect(std::function<void(std::optional<SshFailure>)> done) {
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
      if (!failure) failure = self->attach_socket();
      (*cb)(failure);
    });
  }).detach();
}

}  // namespace vtpilot
