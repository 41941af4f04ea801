// spawn: a local command on a pty, read and written through Asio (no polling).
#include <utility>  // before Asio: Boost 1.74 + g++ 12 (debian12-notes.md)

#include <boost/asio.hpp>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "vtpilot/record/recorder.hpp"
#include "vtpilot/transport/transport.hpp"

namespace vtpilot {

namespace asio = boost::asio;

namespace {

class SpawnTransport final : public Transport {
 public:
  SpawnTransport(asio::io_context& io, std::string command, int rows, int cols)
      : io_(io), command_(std::move(command)), rows_(rows), cols_(cols), master_(io), reap_timer_(io) {}
  ~SpawnTransport() override {
    stop();
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }

  void start(DataFn on_data, CloseFn on_close) override {
    on_data_ = std::move(on_data);
    on_close_ = std::move(on_close);
    struct winsize ws {};
    ws.ws_row = static_cast<unsigned short>(rows_);
    ws.ws_col = static_cast<unsigned short>(cols_);
    int fd = -1;
    pid_ = ::forkpty(&fd, nullptr, nullptr, &ws);
    if (pid_ < 0) {
      std::string why = std::string("forkpty: ") + std::strerror(errno);
      asio::post(io_, [this, why] { close_once(why); });
      return;
    }
    if (pid_ == 0) {
      ::setenv("TERM", "vt100", 1);
      ::signal(SIGXFSZ, SIG_DFL);  // the Recorder ignores it in vtpilot; the console program need not
      // A simple command is exec'd by the shell, so the console program itself is our child:
      // its exit status is what we report, and it, not a shell, receives the hangup.
      const bool simple = command_.find_first_of(";&|`()\n") == std::string::npos;
      const std::string line = simple ? "exec " + command_ : command_;
      ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
      std::fprintf(stderr, "vtpilot: cannot run /bin/sh: %s\n", std::strerror(errno));
      ::_exit(127);
    }
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    master_.assign(fd);
    read();
  }

  void stop() override {
    if (master_.is_open()) {
      boost::system::error_code ec;
      master_.cancel(ec);
      master_.close(ec);  // the child sees hangup on its terminal
    }
  }

  std::string describe() const override { return "spawn: " + command_; }
  int child_status() const override { return status_; }

  void wait_child(double timeout_s, std::function<void()> done) override {
    if (pid_ <= 0 || status_ >= 0) {
      done();
      return;
    }
    deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    reap(std::move(done), true);
  }

  void await_exit(double timeout_s, std::function<void()> done) override {
    if (pid_ <= 0 || status_ >= 0) {
      done();
      return;
    }
    deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    reap(std::move(done), false);
  }

 protected:
  void write_bytes(std::string_view bytes) override {
    if (!master_.is_open()) return;
    boost::system::error_code ec;
    asio::write(master_, asio::buffer(bytes.data(), bytes.size()), ec);  // a few bytes: the pty takes them
  }

 private:
  void read() {
    // Wait for the pty to be readable, then read straight into the burst buffer: no copy
    // from a read buffer into the burst, and no allocation per burst.
    master_.async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
      if (ec) {
        close_once(ec == asio::error::eof || ec.value() == EIO ? "end of file" : ec.message());
        return;
      }
      // Drain what is already waiting before handing it on, so the session looks at the screen
      // once per burst rather than once per read (a pty gives at most 4 KiB per read). A
      // prompt ends a burst, so no latency is added; a flood is still looked at every kBurst
      // bytes.
      const int fd = master_.native_handle();
      std::size_t len = 0;
      int err = 0;
      bool eof = false;
      while (len < kBurst) {
        const ssize_t got = ::read(fd, burst_.get() + len, kBurstCapacity - len);
        if (got > 0) {
          len += static_cast<std::size_t>(got);
          continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        eof = true;  // 0, or EIO from a pty master: the child closed its side
        err = got < 0 ? errno : 0;
        break;
      }
      if (len > 0) on_data_(std::string_view(burst_.get(), len));
      if (eof) {
        close_once(err == 0 || err == EIO ? "end of file" : std::strerror(err));
        return;
      }
      if (master_.is_open()) read();
    });
  }

  void close_once(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    try_reap();
    if (on_close_) on_close_(why);
  }

  void try_reap() {
    if (pid_ <= 0 || status_ >= 0) return;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }

  // Bounded wait for the child at shutdown: a short timer tick, then SIGTERM, then SIGKILL.
  void reap(std::function<void()> done, bool kill) {
    try_reap();
    if (status_ >= 0) {
      done();
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline_) {
      if (!kill) {
        done();
        return;
      }
      ::kill(pid_, killed_ ? SIGKILL : SIGTERM);
      killed_ = true;
      deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    reap_timer_.expires_after(std::chrono::milliseconds(5));
    reap_timer_.async_wait(
        [this, kill, done = std::move(done)](boost::system::error_code) mutable { reap(std::move(done), kill); });
  }

  asio::io_context& io_;
  std::string command_;
  int rows_, cols_;
  asio::posix::stream_descriptor master_;
  asio::steady_timer reap_timer_;
  std::chrono::steady_clock::time_point deadline_;
  static constexpr std::size_t kBurst = 256 * 1024;
  static constexpr std::size_t kBurstCapacity = kBurst + 64 * 1024;  // the last read may pass kBurst
  std::unique_ptr<char[]> burst_{new char[kBurstCapacity]};
  DataFn on_data_;
  CloseFn on_close_;
  pid_t pid_ = -1;
  int status_ = -1;
  bool closed_ = false;
  bool killed_ = false;
};

}  // namespace

std::unique_ptr<Transport> make_spawn_transport(asio::io_context& io, const std::string& command, int rows, int cols) {
  return std::make_unique<SpawnTransport>(io, command, rows, cols);
}

}  // namespace vtpilot
