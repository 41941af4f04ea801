// SshLink's connect thread against a loopback listener that never answers (the kernel
// completes the TCP handshake; nobody ever accepts or speaks): the loop is never made to wait.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>  // before Asio (debian12-notes.md)

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "vtpilot/transport/ssh.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A listening socket on 127.0.0.1 that never accepts. close() resets the waiting connections,
// which ends a connect thread still blocked on them.
struct SilentListener {
  int fd = -1;
  int port = 0;
  SilentListener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  ~SilentListener() { close(); }
};

SshParams params_for(const SilentListener& l, double timeout_s) {
  const fs::path dir = fs::temp_directory_path() / ("vtpilot-ssh-link-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "known_hosts").flush();
  std::ofstream(dir / "ssh_config").flush();  // the tester's ~/.ssh/config must not matter
  SshParams p;
  p.host = "127.0.0.1";
  p.port = l.port;
  p.user = "nobody";
  p.known_hosts = (dir / "known_hosts").string();
  p.ssh_config = (dir / "ssh_config").string();
  p.connect_timeout_s = timeout_s;
  return p;
}

}  // namespace

TEST_CASE("SshLink: disconnect during a connect returns at once and the loop goes on") {
  SilentListener silent;
  boost::asio::io_context io;
  SshLink link(io, params_for(silent, 6));
  bool reported = false;
  link.connect([&](std::optional<SshFailure>) { reported = true; });
  const auto t0 = Clock::now();
  double disconnect_took = -1, tick_at = -1;
  boost::asio::steady_timer at(io), tick(io);
  at.expires_after(std::chrono::milliseconds(300));
  at.async_wait([&](boost::system::error_code) {
    const auto t = Clock::now();
    link.disconnect();
    disconnect_took = since(t);
    silent.close();  // lets the abandoned thread end soon, so the test does not wait 6 s
  });
  tick.expires_after(std::chrono::milliseconds(500));
  tick.async_wait([&](boost::system::error_code) { tick_at = since(t0); });
  io.run();
  CHECK(disconnect_took >= 0);
  CHECK(disconnect_took < 0.2);
  CHECK(tick_at < 1.0);  // another LPAR's timer was not held up by the connect
  CHECK_FALSE(reported);  // no callbacks after disconnect()
}

TEST_CASE("SshLink: the loop keeps running until a connect reports") {
  SilentListener silent;
  boost::asio::io_context io;
  SshLink link(io, params_for(silent, 1));
  std::optional<SshFailure> failure;
  bool reported = false;
  link.connect([&](std::optional<SshFailure> f) {
    reported = true;
    failure = std::move(f);
  });
  io.run();  // nothing else holds the loop: only the connect in progress
  REQUIRE(reported);
  REQUIRE(failure);
  CHECK(failure->retryable);
  CHECK(failure->message.find("cannot connect") != std::string::npos);
}

TEST_CASE("SshLink: connect_timeout_s bounds the whole connect on the loop's clock") {
  // 0.4 s: libssh's own per-wait timeout is whole seconds (0 here, which libssh takes as 10 s);
  // the loop's deadline is a second after connect_timeout_s.
  SilentListener silent;
  boost::asio::io_context io;
  SshLink link(io, params_for(silent, 0.4));
  std::optional<SshFailure> failure;
  double reported_at = -1;
  const auto t0 = Clock::now();
  link.connect([&](std::optional<SshFailure> f) {
    reported_at = since(t0);
    failure = std::move(f);
    silent.close();
  });
  io.run();
  REQUIRE(failure);
  CHECK(reported_at < 3.0);
  CHECK(reported_at > 1.0);
  CHECK(failure->retryable);
  CHECK(failure->message.find("cannot connect") != std::string::npos);
}
