// lpar-sim console: the I/O loops around ConsoleSim. One on stdin/stdout (a pty, or pipes),
// one as a daemon on a unix socket (--listen), which is how the HMC mode keeps an LPAR alive
// between vterm sessions.
#include "console_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <limits>
#include <memory>

#include "console_sim.hpp"
#include "state.hpp"

namespace lparsim {
namespace {

double mono_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

volatile sig_atomic_t g_hup = 0;
volatile sig_atomic_t g_term = 0;
void on_hup(int) { g_hup = 1; }
void on_term(int) { g_term = 1; }

bool write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t w = ::write(fd, s.data() + off, s.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, 1000);
        continue;
      }
      return false;
    }
    off += static_cast<std::size_t>(w);
  }
  return true;
}

int poll_timeout_ms(double wake, double now) {
  if (std::isinf(wake)) return -1;
  double ms = (wake - now) * 1000.0;
  if (ms <= 0) return 0;
  if (ms > 60000) return 60000;
  return static_cast<int>(std::ceil(ms));
}

// --link-latency: the HMC's relay between the console and the vterm client, slow under load.
// Every chunk of bytes is delivered `latency` (+- --jitter) seconds after it was handed in, and
// never before a chunk handed in earlier: a delay line that keeps the order, one per direction.
// With no latency a chunk is due at once, and the loops below behave as without a line.
class DelayLine {
 public:
  DelayLine(const SimOptions& opt, std::uint64_t salt)
      : latency_(opt.link_latency), jitter_(opt.jitter), rng_(opt.seed * 0xD1B54A32D192ED03ULL + salt) {}
  void push(double now, std::string bytes) {
    if (bytes.empty()) return;
    double due = std::max(now + jittered(latency_, jitter_, rng_), last_due_);
    last_due_ = due;
    q_.push_back(Chunk{due, std::move(bytes)});
  }
  double next_due() const { return q_.empty() ? std::numeric_limits<double>::infinity() : q_.front().due; }
  bool empty() const { return q_.empty(); }
  void clear() { q_.clear(); }
  // The next chunk due by `now` into `bytes` (and the time it was due into `due`); false if none.
  bool pop_due(double now, std::string& bytes, double& due) {
    if (q_.empty() || q_.front().due > now) return false;
    bytes = std::move(q_.front().bytes);
    due = q_.front().due;
    q_.pop_front();
    return true;
  }

 private:
  struct Chunk {
    double due;
    std::string bytes;
  };
  double latency_, jitter_;
  std::uint64_t rng_;
  double last_due_ = -std::numeric_limits<double>::infinity();
  std::deque<Chunk> q_;
};
constexpr std::uint64_t kUpSalt = 0x75702d6b657973ULL;     // keys: client -> console
constexpr std::uint64_t kDownSalt = 0x646f776e2d6f7574ULL; // output: console -> client

void sleep_until(double when) {
  int ms = poll_timeout_ms(when, mono_now());
  if (ms > 0) ::poll(nullptr, 0, ms);
}

struct LogFile {
  std::FILE* f = nullptr;
  ~LogFile() {
    if (f) std::fclose(f);
  }
  EventSink sink() {
    return [this](const std::string& line) {
      if (!f) return;
      std::fputs(line.c_str(), f);
      std::fputc('\n', f);
      std::fflush(f);
    };
  }
};

struct TtyGuard {
  termios saved{};
  bool active = false;
  void setup() {
    if (!::isatty(0)) return;
    termios t{};
    if (::tcgetattr(0, &t) != 0) return;
    saved = t;
    active = true;
    // A firmware console: char at a time, the far end echoes (we do), no signals from keys.
    t.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
    t.c_iflag &= ~static_cast<tcflag_t>(ICRNL | INLCR | IGNCR | IXON);
    t.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    ::tcsetattr(0, TCSANOW, &t);
  }
  ~TtyGuard() {
    if (active) ::tcsetattr(0, TCSANOW, &saved);
  }
};

}  // namespace

int run_console(const SimOptions& opt) {
  LogFile lf;
  if (!opt.log_file.empty()) {
    lf.f = std::fopen(opt.log_file.c_str(), "w");
    if (!lf.f) {
      std::fprintf(stderr, "lpar-sim: cannot write the log %s: %s\n", opt.log_file.c_str(), std::strerror(errno));
      return kExitUsage;
    }
  }
  if (!opt.listen.empty()) return run_console_daemon(opt, lf.sink());

  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa{};
  sa.sa_handler = on_hup;
  ::sigaction(SIGHUP, &sa, nullptr);
  TtyGuard tty;
  tty.setup();

  ConsoleSim sim(opt, lf.sink());
  DelayLine up(opt, kUpSalt), down(opt, kDownSalt);
  sim.start(mono_now());
  down.push(mono_now(), sim.take_output());
  bool out_ok = true, in_open = true;
  std::string chunk;
  double due = 0;
  char buf[4096];
  while (!sim.finished()) {
    double now = mono_now();
    while (up.pop_due(now, chunk, due)) sim.input(chunk, due);  // keys reach the console
    sim.advance(now);
    down.push(now, sim.take_output());
    while (down.pop_due(now, chunk, due))
      if (out_ok) out_ok = write_all(1, chunk);
    // The client is gone (EOF, which is EIO on a pty whose other side closed; SIGHUP; a failed
    // write): keys already on their way still arrive, then the console sees the hangup.
    if ((!out_ok || g_hup || !in_open) && up.empty()) {
      sim.hangup(now);
      break;
    }
    if (sim.finished()) break;
    double wake = std::min({sim.next_wake(), up.next_due(), out_ok ? down.next_due() : sim.next_wake()});
    pollfd p{in_open && out_ok && !g_hup ? 0 : -1, POLLIN, 0};
    int r = ::poll(&p, 1, poll_timeout_ms(wake, mono_now()));
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n > 0) up.push(mono_now(), std::string(buf, static_cast<std::size_t>(n)));
      else if (n == 0 || (errno != EINTR && errno != EAGAIN)) in_open = false;
    }
  }
  // What the console printed last (Console login: at --exit-at-login) still reaches a client
  // that is there to read it, as late as the link makes it.
  down.push(mono_now(), sim.take_output());
  while (out_ok && in_open && !g_hup && down.pop_due(down.next_due(), chunk, due)) {
    sleep_until(due);
    out_ok = write_all(1, chunk);
  }
  return sim.exit_code();
}

int run_console_daemon(const SimOptions& opt, EventSink sink) {
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  struct sigaction sa{};
  sa.sa_handler = on_term;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);

  int lfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (opt.listen.size() >= sizeof addr.sun_path) {
    std::fprintf(stderr, "lpar-sim: socket path too long: %s\n", opt.listen.c_str());
    return kExitUsage;
  }
  std::strcpy(addr.sun_path, opt.listen.c_str());
  ::unlink(opt.listen.c_str());
  if (lfd < 0 || ::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 4) != 0) {
    std::fprintf(stderr, "lpar-sim: cannot listen on %s: %s\n", opt.listen.c_str(), std::strerror(errno));
    return kExitUsage;
  }

  ConsoleSim sim(opt, sink);
  if (!opt.state_dir.empty()) {
    std::string dir = opt.state_dir;
    sim.media_probe = [dir] { return read_state_file(dir, "vtopt"); };
    sim.on_state = [dir](const std::string& s) { write_state_file(dir, "lpar_state", s); };
    sim.on_rmc = [dir](const std::string& rmc, const std::string& os) {
      write_state_file(dir, "rmc_state", rmc);
      if (!os.empty()) write_state_file(dir, "os_version", os);
    };
    // Before anything runs: the level the HMC heard last is the installed system's.
    const bool migrated = opt.start == "login72" || opt.start == "power-on-migrated";
    sim.on_rmc("inactive", migrated ? "AIX 7.2 " + opt.oslevel : std::string("AIX 7.1 ") + kOslevel71);
  }
  int cfd = -1;
  // Power-on to banner takes a real LPAR seconds: a vterm opened right after chsysstate sees
  // POST from its start. Model that by waiting (bounded) for the first vterm.
  {
    // What the HMC says meanwhile: POST is firmware; a system started at its login is up.
    if (sim.on_state) sim.on_state(opt.start.rfind("login", 0) == 0 ? "Running" : "Open Firmware");
    pollfd p{lfd, POLLIN, 0};
    if (opt.attach_wait > 0 && ::poll(&p, 1, static_cast<int>(opt.attach_wait * 1000)) > 0)
      cfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  }
  // The relay (--link-latency): output in flight to a vterm that goes away is lost with it;
  // keys in flight from it still reach the console.
  DelayLine up(opt, kUpSalt), down(opt, kDownSalt);
  auto send = [&](const std::string& s) {
    if (s.empty() || cfd < 0) return;  // nobody attached: the console output is lost, as on a real vterm
    if (!write_all(cfd, s)) {
      ::close(cfd);
      cfd = -1;
      down.clear();
    }
  };
  std::string chunk;
  double due = 0;
  auto pump = [&] {
    double now = mono_now();
    while (up.pop_due(now, chunk, due)) sim.input(chunk, due);
    sim.advance(now);
    if (cfd >= 0) down.push(now, sim.take_output());
    else sim.take_output();
    while (down.pop_due(now, chunk, due)) send(chunk);
  };
  sim.start(mono_now());
  pump();
  char buf[4096];
  while (!sim.finished() && !g_term) {
    pollfd p[2] = {{lfd, POLLIN, 0}, {cfd, POLLIN, 0}};
    double wake = std::min({sim.next_wake(), up.next_due(), down.next_due()});
    int r = ::poll(p, cfd >= 0 ? 2 : 1, poll_timeout_ms(wake, mono_now()));
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && (p[0].revents & POLLIN)) {
      int nfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (nfd >= 0) {
        if (cfd >= 0) ::close(cfd);  // the newest vterm wins (mkvterm's lock keeps it to one)
        cfd = nfd;
        down.clear();
      }
    } else if (r > 0 && cfd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::read(cfd, buf, sizeof buf);
      if (n > 0) {
        up.push(mono_now(), std::string(buf, static_cast<std::size_t>(n)));
      } else if (n == 0 || errno != EINTR) {
        ::close(cfd);  // the vterm went away; the LPAR keeps running
        cfd = -1;
        down.clear();
      }
    }
    pump();
  }
  // The last output (Console login: at --exit-at-login) still reaches an attached vterm.
  if (cfd >= 0) down.push(mono_now(), sim.take_output());
  while (cfd >= 0 && !g_term && down.pop_due(down.next_due(), chunk, due)) {
    sleep_until(due);
    send(chunk);
  }
  if (cfd >= 0) ::close(cfd);
  ::close(lfd);
  ::unlink(opt.listen.c_str());
  if (!opt.state_dir.empty()) {
    write_state_file(opt.state_dir, "lpar_state", "Not Activated");
    write_state_file(opt.state_dir, "last_exit", std::to_string(g_term ? 0 : sim.exit_code()));
    ::unlink((opt.state_dir + "/daemon.pid").c_str());
  }
  return g_term ? 0 : sim.exit_code();
}

}  // namespace lparsim
