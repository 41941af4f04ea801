// lpar-sim hmc: the HMC commands around the console, run as an sshd ForceCommand.
// The command comes from SSH_ORIGINAL_COMMAND (or the words after `--`); the LPAR lives in a
// state directory shared by every connection:
//   hmc.conf      managed_system=, lpar=, profile=, vios=, media= (comma list: the VIOS library)
//   sim-args      lpar-sim console flags for the LPAR (one line, shell words)
//   lpar_state    Not Activated | Starting | Open Firmware | Running
//   rmc_state, os_version   what RMC last reported (lssyscfg -F rmc_state,os_version)
//   daemon.pid    the console daemon (lpar-sim console --listen console.sock)
//   console.sock  its socket; console.log its --log
//   vterm.lock    pid of the mkvterm holding the console; "dropped PID" when that mkvterm's
//                 connection dropped and --hold-dropped-vterm keeps the console held
//   vtopt         the ISO loaded in vtopt0 ("" = none)
// Message texts marked (invented) are plausible HMC wording, not captured output; the vterm
// banners are the captured bytes of ../shared/screens/42..45.
#include "hmc.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hmc.hpp"
#include "state.hpp"

namespace lparsim {
namespace {

constexpr const char* kOpen = "\r\n Open in progress  \r\n ";
constexpr const char* kBusy =
    "\r\n A terminal session is already open for this partition. \r\n"
    " Only one open session is allowed for a partition. \r\n Exiting.... ";
constexpr const char* kLost =
    "\r\n Connection has closed \r\n\r\n\r\n This session is no longer connected. Please close this window.\n\n\n ";
constexpr const char* kWriteClosed = "\r\nThe write socket has closed. Exiting.\r\n";

struct Hmc {
  std::string dir;
  std::string self;
  std::map<std::string, std::string> conf;
  HmcBehaviour b;

  std::string get(const std::string& k) const {
    auto it = conf.find(k);
    return it == conf.end() ? "" : it->second;
  }
  std::string path(const std::string& name) const { return dir + "/" + name; }
};

void msleep(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  ::nanosleep(&ts, nullptr);
}

bool pid_alive(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  long pid = std::strtol(s.c_str(), &end, 10);
  if (pid <= 0 || (end && *end)) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  // a zombie (exited, not yet reaped by whoever adopted it) holds nothing any more
  std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(st, line)) return true;
  auto rp = line.rfind(')');
  return !(rp != std::string::npos && rp + 2 < line.size() && line[rp + 2] == 'Z');
}

void write_fd(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t w = ::write(fd, s.data() + off, s.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    off += static_cast<std::size_t>(w);
  }
}

// Flags of an HMC command: -x VALUE and --long VALUE pairs; bare flags (--immed, -f) map to "".
struct Args {
  std::map<std::string, std::string> opt;
  std::string bad;  // first parameter we do not know
  bool has(const std::string& k) const { return opt.count(k) != 0; }
  std::string operator[](const std::string& k) const {
    auto it = opt.find(k);
    return it == opt.end() ? "" : it->second;
  }
};

Args parse_args(const std::vector<std::string>& w, const std::vector<std::string>& with_value,
                const std::vector<std::string>& bare) {
  Args a;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const std::string& k = w[i];
    bool val = std::find(with_value.begin(), with_value.end(), k) != with_value.end();
    bool flag = std::find(bare.begin(), bare.end(), k) != bare.end();
    if (val && i + 1 < w.size()) {
      a.opt[k] = w[++i];
    } else if (flag) {
      a.opt[k] = "";
    } else if (a.bad.empty()) {
      a.bad = k;
    }
  }
  return a;
}

int fail(const std::string& msg, int code = 1) {
  std::cout << msg << "\n";
  std::cout.flush();
  return code;
}

int bad_param(const std::string& cmd, const std::string& p) {
  return fail("An invalid parameter was entered: " + p + ". Use \"" + cmd + " --help\" for usage. (invented)");
}

int check_ms_lpar(const Hmc& h, const Args& a, const std::string& lpar_flag, bool need_lpar) {
  if (!a.has("-m")) return fail("HSCL2A01 The -m parameter is required. (invented)");
  if (a["-m"] != h.get("managed_system"))
    return fail("HSCL8012 The managed system " + a["-m"] + " was not found. (invented)");
  if (need_lpar) {
    if (!a.has(lpar_flag)) return fail("HSCL2A02 The " + lpar_flag + " parameter is required. (invented)");
    std::string l = a[lpar_flag];
    if (l != h.get("lpar") && l != h.get("vios"))
      return fail("HSCL3006 The partition " + l + " was not found on managed system " + a["-m"] + ". (invented)");
  }
  return 0;
}

std::string lpar_state(const Hmc& h) {
  if (!pid_alive(read_state_file(h.dir, "daemon.pid"))) return "Not Activated";
  std::string s = read_state_file(h.dir, "lpar_state");
  return s.empty() ? "Starting" : s;
}

// What RMC last told the HMC (the console daemon writes it): active only while AIX is up. A
// partition that is not running has no RMC connection; its os_version is the last one heard.
std::string rmc_state(const Hmc& h) {
  if (lpar_state(h) == "Not Activated") return "inactive";
  std::string s = read_state_file(h.dir, "rmc_state");
  return s.empty() ? "inactive" : s;
}
std::string os_version(const Hmc& h) {
  std::string s = read_state_file(h.dir, "os_version");
  return s.empty() ? "Unknown" : s;
}

// ------------------------------------------------------------------------------- lssyscfg

int lssyscfg(const Hmc& h, const std::vector<std::string>& w) {
  Args a = parse_args(w, {"-r", "-m", "--filter", "-F", "--header"}, {"--header"});
  if (!a.bad.empty()) return bad_param("lssyscfg", a.bad);
  if (!a.has("-r")) return fail("HSCL2A03 The -r parameter is required. (invented)");
  std::string r = a["-r"];
  std::vector<std::string> fields;
  if (a.has("-F")) {
    std::stringstream ss(a["-F"]);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
  }
  if (r == "sys") {
    if (a.has("-m") && a["-m"] != h.get("managed_system"))
      return fail("HSCL8012 The managed system " + a["-m"] + " was not found. (invented)");
    std::map<std::string, std::string> v{{"name", h.get("managed_system")}, {"state", "Operating"},
                                         {"type_model", "8247-42L"}, {"serial_num", "21271DA"}};
    std::string line;
    if (fields.empty()) fields = {"name", "type_model", "serial_num", "state"};
    for (auto& f : fields) line += (line.empty() ? "" : ",") + (a.has("-F") ? v[f] : f + "=" + v[f]);
    std::cout << line << "\n";
    return 0;
  }
  if (r != "lpar") return fail("HSCL2A04 The resource type " + r + " is not valid for this command. (invented)");
  if (int rc = check_ms_lpar(h, a, "-p", false)) return rc;
  std::vector<std::string> names = {h.get("vios"), h.get("lpar")};
  if (a.has("--filter")) {
    std::string f = a["--filter"];
    auto eq = f.find('=');
    std::string key = f.substr(0, eq), val = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (!val.empty() && val.front() == '"') val = val.substr(1, val.size() - 2);
    if (key != "lpar_names" && key != "lpar_ids")
      return fail("HSCL2A05 The filter " + key + " is not valid. (invented)");
    std::vector<std::string> want;
    std::stringstream ss(val);
    for (std::string n; std::getline(ss, n, ',');) want.push_back(n);
    std::vector<std::string> keep;
    for (auto& n : names) {
      std::string id = n == h.get("vios") ? "1" : "3";
      for (auto& x : want)
        if (x == (key == "lpar_names" ? n : id)) keep.push_back(n);
    }
    if (keep.empty())
      return fail("HSCL3006 The partition " + val + " was not found on managed system " + a["-m"] + ". (invented)");
    names = keep;
  }
  if (fields.empty()) fields = {"name", "lpar_id", "lpar_env", "state", "curr_profile"};
  for (auto& n : names) {
    bool vios = n == h.get("vios");
    std::map<std::string, std::string> v{{"name", n},
                                         {"lpar_id", vios ? "1" : "3"},
                                         {"lpar_env", vios ? "vioserver" : "aixlinux"},
                                         {"state", vios ? "Running" : lpar_state(h)},
                                         {"curr_profile", vios ? "default" : h.get("profile")},
                                         {"rmc_state", vios ? "active" : rmc_state(h)},
                                         {"os_version", vios ? "VIOS 3.1.4.30" : os_version(h)}};
    std::string line;
    for (auto& f : fields) {
      if (!v.count(f)) return fail("HSCL2A06 The attribute " + f + " is not valid. (invented)");
      line += (line.empty() ? "" : ",") + (a.has("-F") ? v[f] : f + "=" + v[f]);
    }
    std::cout << line << "\n";
  }
  return 0;
}

// ------------------------------------------------------------------------------- chsysstate


int stop_daemon(const Hmc& h) {
  std::string pid = read_state_file(h.dir, "daemon.pid");
  if (pid_alive(pid)) {
    pid_t p = static_cast<pid_t>(std::atol(pid.c_str()));
    ::kill(p, SIGTERM);
    for (int i = 0; i < 300 && pid_alive(pid); ++i) msleep(10);
  }
  ::unlink(h.path("daemon.pid").c_str());
  write_state_file(h.dir, "lpar_state", "Not Activated");
  return 0;
}

int chsysstate(const Hmc& h, const std::vector<std::string>& w) {
  Args a = parse_args(w, {"-r", "-m", "-o", "-n", "-f", "-b", "--id"}, {"--immed", "--restart", "--force"});
  if (!a.bad.empty()) return bad_param("chsysstate", a.bad);
  if (a["-r"] != "lpar") return fail("HSCL2A03 The -r parameter is required and must be lpar here. (invented)");
  if (int rc = check_ms_lpar(h, a, "-n", true)) return rc;
  if (a["-n"] == h.get("vios")) return fail("HSCL0DB4 The partition " + a["-n"] + " is already activated. (invented)");
  std::string op = a["-o"];
  if (op == "shutdown" || op == "osshutdown") return stop_daemon(h);
  if (op != "on") return fail("HSCL2A07 The operation " + op + " is not valid. (invented)");
  if (!a.has("-f")) return fail("HSCL2A08 The -f parameter is required to activate a partition. (invented)");
  if (a["-f"] != h.get("profile"))
    return fail("HSCL3009 The profile " + a["-f"] + " was not found for partition " + a["-n"] + ". (invented)");
  std::string boot = a.has("-b") ? a["-b"] : "norm";
  if (boot != "sms" && boot != "norm")
    return fail("HSCL2A09 The boot mode " + boot + " is not supported by lpar-sim. (invented)");
  if (lpar_state(h) != "Not Activated")
    return fail("HSCL0DB4 The partition " + a["-n"] + " is already activated. (invented)");

  std::vector<std::string> args = {h.self, "console"};
  for (auto& x : split_words(read_state_file(h.dir, "sim-args"))) args.push_back(x);
  for (const char* x : {"--listen"}) args.push_back(x);
  args.push_back(h.path("console.sock"));
  args.push_back("--state");
  args.push_back(h.dir);
  args.push_back("--log");
  args.push_back(h.path("console.log"));
  args.push_back("--boot");
  args.push_back(boot);
  ::unlink(h.path("console.sock").c_str());
  write_state_file(h.dir, "lpar_state", "Starting");
  pid_t pid = ::fork();
  if (pid < 0) return fail("HSCL0001 Unable to start the partition. (lpar-sim: fork failed)");
  if (pid == 0) {
    ::setsid();
    if (::fork() > 0) ::_exit(0);  // the daemon is reparented: nothing of sshd waits on it
    int nul = ::open("/dev/null", O_RDWR);
    int err = ::open(h.path("console.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(nul, 0);
    ::dup2(nul, 1);
    ::dup2(err >= 0 ? err : nul, 2);
    write_state_file(h.dir, "daemon.pid", std::to_string(::getpid()));
    std::vector<char*> av;
    for (auto& s : args) av.push_back(const_cast<char*>(s.c_str()));
    av.push_back(nullptr);
    ::execv(h.self.c_str(), av.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  // chsysstate returns when the partition is starting; wait (bounded) until its console listens.
  struct stat sb{};
  for (int i = 0; i < 500 && ::stat(h.path("console.sock").c_str(), &sb) != 0; ++i) msleep(10);
  return 0;
}

// ------------------------------------------------------------------------------- vterm

volatile sig_atomic_t g_lost = 0;
void on_rmvterm(int) { g_lost = 1; }
volatile sig_atomic_t g_hangup = 0;
void on_hangup(int) { g_hangup = 1; }

int connect_console(const Hmc& h) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string p = h.path("console.sock");
  if (fd < 0 || p.size() >= sizeof addr.sun_path) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  std::strcpy(addr.sun_path, p.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A console whose holder's connection dropped, kept held (--hold-dropped-vterm) until rmvterm.
bool held_by_dropped(const std::string& lock) { return lock.rfind("dropped ", 0) == 0; }

int mkvterm(const Hmc& h, const std::vector<std::string>& w) {
  Args a = parse_args(w, {"-m", "-p", "--id"}, {});
  if (!a.bad.empty()) return bad_param("mkvterm", a.bad);
  if (int rc = check_ms_lpar(h, a, "-p", true)) return rc;
  std::string lock = h.path("vterm.lock");
  std::string holder = read_state_file(h.dir, "vterm.lock");
  if ((pid_alive(holder) && holder != std::to_string(::getpid())) || held_by_dropped(holder)) {
    write_fd(1, kBusy);
    return 0;  // the HMC exits 0 even here
  }
  ::unlink(lock.c_str());
  int lfd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (lfd < 0) {
    write_fd(1, kBusy);
    return 0;
  }
  std::string me = std::to_string(::getpid()) + "\n";
  write_fd(lfd, me);
  ::close(lfd);
  auto release = [&] {
    if (read_state_file(h.dir, "vterm.lock") == std::to_string(::getpid())) ::unlink(lock.c_str());
  };

  struct sigaction sa{};
  sa.sa_handler = on_rmvterm;
  ::sigaction(SIGTERM, &sa, nullptr);
  struct sigaction hup{};
  hup.sa_handler = on_hangup;
  ::sigaction(SIGHUP, &hup, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  termios saved{};
  bool tty = ::isatty(0) && ::tcgetattr(0, &saved) == 0;
  if (tty) {
    termios t = saved;
    t.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
    t.c_iflag &= ~static_cast<tcflag_t>(ICRNL | INLCR | IGNCR | IXON);
    t.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    ::tcsetattr(0, TCSANOW, &t);
  }
  auto restore = [&] {
    if (tty) ::tcsetattr(0, TCSANOW, &saved);
  };

  write_fd(1, kOpen);
  int sock = connect_console(h);
  bool line_start = true, tilde = false, asking = false, lost = false, dropped = false;
  char buf[4096];
  int rc = 0;
  for (;;) {
    if (g_hangup) {  // the ssh channel went away
      dropped = true;
      break;
    }
    if (g_lost && !lost) {  // rmvterm: tell the holder, stop relaying, keep the channel open
      lost = true;
      write_fd(1, kLost);
      if (sock >= 0) ::close(sock);
      sock = -1;
      release();
    }
    if (sock < 0 && !lost && lpar_state(h) != "Not Activated") sock = connect_console(h);
    pollfd p[2] = {{0, POLLIN, 0}, {sock, POLLIN, 0}};
    int n = ::poll(p, sock >= 0 ? 2 : 1, sock >= 0 ? -1 : 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (sock >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = ::read(sock, buf, sizeof buf);
      if (r > 0) {
        write_fd(1, std::string(buf, static_cast<std::size_t>(r)));
      } else {
        ::close(sock);  // the partition stopped (or lpar-sim ended it): the session ends
        sock = -1;
        break;
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::read(0, buf, sizeof buf);
      if (r <= 0) {
        if (r < 0 && errno == EINTR) continue;
        // The pty's far side (sshd) is gone: the connection dropped. A hung-up tty reads 0 (a raw
        // tty has no end-of-file otherwise) or EIO; a pipe's 0 is the client closing stdin.
        if ((r < 0 && errno == EIO) || (r == 0 && tty) || g_hangup) {
          dropped = true;
          break;
        }
        if (!lost) write_fd(1, kWriteClosed);
        break;
      }
      if (lost) continue;
      std::string fwd;
      for (ssize_t i = 0; i < r; ++i) {
        char c = buf[i];
        if (asking) {
          asking = false;
          write_fd(1, std::string(1, c) + "\r\n");
          if (c == 'y' || c == 'Y') {
            if (sock >= 0 && !fwd.empty()) write_fd(sock, fwd);
            restore();
            release();
            return 0;
          }
          continue;
        }
        if (tilde) {
          tilde = false;
          if (c == '.') {
            asking = true;
            write_fd(1, "\r\nTerminate session? [y/n] ");
            continue;
          }
          fwd += '~';
        } else if (c == '~' && line_start) {
          tilde = true;
          continue;
        }
        fwd += c;
        line_start = c == '\r' || c == '\n';
      }
      if (sock >= 0 && !fwd.empty()) write_fd(sock, fwd);
    }
  }
  if (sock >= 0) ::close(sock);
  restore();
  if (dropped && !lost && h.b.hold_dropped_vterm &&
      read_state_file(h.dir, "vterm.lock") == std::to_string(::getpid())) {
    write_state_file(h.dir, "vterm.lock", "dropped " + std::to_string(::getpid()));  // held until rmvterm
    return rc;
  }
  release();
  return rc;
}

int rmvterm(const Hmc& h, const std::vector<std::string>& w) {
  Args a = parse_args(w, {"-m", "-p", "--id"}, {});
  if (!a.bad.empty()) return bad_param("rmvterm", a.bad);
  if (int rc = check_ms_lpar(h, a, "-p", true)) return rc;
  std::string holder = read_state_file(h.dir, "vterm.lock");
  if (pid_alive(holder)) ::kill(static_cast<pid_t>(std::atol(holder.c_str())), SIGTERM);
  ::unlink(h.path("vterm.lock").c_str());
  std::cout << "Close command sent\n";  // recorded on HMC V10R3 (ADR 0072 P2); its exit 0 proves nothing
  return 0;
}

// ------------------------------------------------------------------------------- viosvrcmd

int viosvrcmd(const Hmc& h, const std::vector<std::string>& w) {
  Args a = parse_args(w, {"-m", "-p", "-c", "--id"}, {});
  if (!a.bad.empty()) return bad_param("viosvrcmd", a.bad);
  if (int rc = check_ms_lpar(h, a, "-p", true)) return rc;
  if (a["-p"] != h.get("vios")) return fail("HSCL2A10 The partition " + a["-p"] + " is not a Virtual I/O Server. (invented)");
  if (!a.has("-c")) return fail("HSCL2A11 The -c parameter is required. (invented)");
  std::vector<std::string> c = split_words(a["-c"]);
  if (c.empty()) return fail("HSCL2A11 The -c parameter is required. (invented)");
  std::vector<std::string> lib;
  {
    std::stringstream ss(h.get("media"));
    for (std::string m; std::getline(ss, m, ',');)
      if (!m.empty()) lib.push_back(m);
  }
  std::string extra = read_state_file(h.dir, "media-extra");
  {
    std::stringstream ss(extra);
    for (std::string m; std::getline(ss, m);)
      if (!m.empty()) lib.push_back(m);
  }
  auto in_lib = [&](const std::string& m) { return std::find(lib.begin(), lib.end(), m) != lib.end(); };
  Args v = parse_args(c, {"-disk", "-vtd", "-name", "-file"}, {"-f", "-release", "-ro"});
  // (invented wording: the VIOS docs name the reserve and -release, not the message)
  auto reserved = [](const std::string& d) {
    return "The virtual optical device " + d + " is reserved by the client partition; use -release to unlock it. (invented)";
  };
  const std::string vtd = h.get("vtd").empty() ? "vtopt0" : h.get("vtd");
  if (c[0] == "loadopt") {
    if (!v.bad.empty() || !v.has("-disk") || !v.has("-vtd"))
      return fail("Usage: loadopt [-f] -disk FileName -vtd VirtualTargetDevice [-release]");
    if (v["-vtd"] != vtd) return fail("The specified virtual target device " + v["-vtd"] + " was not found. (invented)");
    if (!in_lib(v["-disk"])) return fail("The specified media " + v["-disk"] + " was not found in the repository. (invented)");
    std::string cur = read_state_file(h.dir, "vtopt");
    if (!cur.empty() && !v.has("-f"))
      return fail("The virtual optical device " + vtd + " already has media " + cur + " loaded; unload it first. (invented)");
    if (!cur.empty() && h.b.optical_reserved && !v.has("-release")) return fail(reserved(vtd));
    write_state_file(h.dir, "vtopt", v["-disk"]);
    return 0;
  }
  if (c[0] == "unloadopt") {
    if (!v.bad.empty() || !v.has("-vtd")) return fail("Usage: unloadopt [-release] -vtd VirtualTargetDevice");
    if (v["-vtd"] != vtd) return fail("The specified virtual target device " + v["-vtd"] + " was not found. (invented)");
    if (!read_state_file(h.dir, "vtopt").empty() && h.b.optical_reserved && !v.has("-release")) return fail(reserved(vtd));
    write_state_file(h.dir, "vtopt", "");
    return 0;
  }
  if (c[0] == "lsvopt") {
    if (!v.bad.empty()) return fail("Usage: lsvopt [-vtd VirtualTargetDevice] [-field FieldName] [-fmt delimiter]");
    if (v.has("-vtd") && v["-vtd"] != vtd)
      return fail("The specified virtual target device " + v["-vtd"] + " was not found. (invented)");
    std::string cur = read_state_file(h.dir, "vtopt");
    std::printf("VTD             Media                                   Size(mb)\n");
    std::printf("%-16s%-40s%s\n", vtd.c_str(), cur.empty() ? "No Media" : cur.c_str(), cur.empty() ? "n/a" : "4096");
    return 0;
  }
  if (c[0] == "lsrep") {
    std::printf("Name                                                  File Size Optical         Access\n");
    for (auto& m : lib) std::printf("%-54s%9s %-16s%s\n", m.c_str(), "4096", m == read_state_file(h.dir, "vtopt") ? vtd.c_str() : "None", "ro");
    return 0;
  }
  if (c[0] == "mkvopt") {
    if (!v.has("-name")) return fail("Usage: mkvopt -name FileName {-size Size | -dev Device | -file FileName} [-ro]");
    write_state_file(h.dir, "media-extra", extra.empty() ? v["-name"] : extra + "\n" + v["-name"]);
    return 0;
  }
  return fail("rksh: " + c[0] + ":  not found.");
}

}  // namespace

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char q = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (q) {
      if (c == q) q = 0;
      else if (c == '\\' && q == '"' && i + 1 < s.size()) cur += s[++i];
      else cur += c;
    } else if (c == '\'' || c == '"') {
      q = c;
      have = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      have = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

namespace {

void read_conf(Hmc& h) {
  std::ifstream in(h.path("hmc.conf"));
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    h.conf[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');)
    if (!x.empty()) out.push_back(x);
  return out;
}

// Several LPARs on one HMC (hmc.conf `lpars=lpar01,lpar02`): each lives in DIR/<lpar>/ with its
// own state, sim-args and console; its virtual optical device is vtopt<index> unless its own
// hmc.conf says `vtd=`. The command names the LPAR (-p, -n, lpar_names=) or, for viosvrcmd,
// the device (-vtd). Returns the LPAR's index, or -1.
int pick_lpar(const std::vector<std::string>& lpars, const std::vector<std::string>& vtds,
              const std::vector<std::string>& w) {
  auto index_of = [&](const std::vector<std::string>& list, const std::string& x) {
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i] == x) return static_cast<int>(i);
    return -1;
  };
  for (std::size_t i = 1; i < w.size(); ++i) {
    const std::string& k = w[i];
    if ((k == "-p" || k == "-n") && i + 1 < w.size() && index_of(lpars, w[i + 1]) >= 0) return index_of(lpars, w[i + 1]);
    if (k == "--filter" && i + 1 < w.size()) {
      std::string f = w[i + 1];
      auto eq = f.find('=');
      if (eq != std::string::npos) {
        std::string v = f.substr(eq + 1);
        if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
        if (int at = index_of(lpars, v); at >= 0) return at;
      }
    }
    if (k == "-c" && i + 1 < w.size()) {
      auto c = split_words(w[i + 1]);
      for (std::size_t j = 0; j + 1 < c.size(); ++j)
        if (c[j] == "-vtd") return index_of(vtds, c[j + 1]);
    }
  }
  return -1;
}

}  // namespace

int run_hmc(const std::string& state_dir, const std::string& self, const std::vector<std::string>& words,
            const HmcBehaviour& behaviour) {
  Hmc h;
  h.dir = state_dir;
  h.self = self;
  h.b = behaviour;
  if (h.dir.empty()) {
    std::cerr << "lpar-sim hmc: no state directory (--state DIR or LPAR_SIM_STATE)\n";
    return 3;
  }
  ::mkdir(h.dir.c_str(), 0755);
  h.conf = {{"managed_system", "Server-8247-42L-SN21271DA"},
            {"lpar", "lpar01"},
            {"profile", "default_profile"},
            {"vios", "vios1"},
            {"media", "aix72_vol1.iso,aix72_vol2.iso"}};
  read_conf(h);
  if (words.empty()) return fail("lpar-sim hmc: no command (SSH_ORIGINAL_COMMAND is empty; this HMC has no interactive shell)");
  if (const auto lpars = split_list(h.get("lpars")); !lpars.empty()) {
    std::vector<std::string> vtds;
    for (std::size_t i = 0; i < lpars.size(); ++i) {
      Hmc sub = h;
      sub.dir = h.dir + "/" + lpars[i];
      sub.conf["vtd"] = "vtopt" + std::to_string(i);
      read_conf(sub);
      vtds.push_back(sub.get("vtd"));
    }
    int at = pick_lpar(lpars, vtds, words);
    if (at < 0) {
      if (words[0] == "viosvrcmd")
        return fail("The specified virtual target device was not found. (invented; lpar-sim serves " + h.get("lpars") + ")");
      return fail("HSCL3006 The partition was not found on managed system " + h.get("managed_system") +
                  ". (invented; lpar-sim needs -p, -n or lpar_names= to pick one of " + h.get("lpars") + ")");
    }
    Hmc sub = h;
    sub.dir = h.dir + "/" + lpars[static_cast<std::size_t>(at)];
    ::mkdir(sub.dir.c_str(), 0755);
    sub.conf.erase("lpars");
    sub.conf["lpar"] = lpars[static_cast<std::size_t>(at)];
    sub.conf["vtd"] = vtds[static_cast<std::size_t>(at)];
    read_conf(sub);
    h = sub;
  }
  const std::string& cmd = words[0];
  if (std::find(h.b.deny.begin(), h.b.deny.end(), cmd) != h.b.deny.end())
    return fail("HSCL350B The user does not have the appropriate authority. (invented wording)");
  const int latency_ms = static_cast<int>(h.b.latency_s * 1000);
  if (cmd == "chsysstate") {  // the partition starts at once; the HMC answers later
    int rc = chsysstate(h, words);
    std::cout.flush();
    msleep(latency_ms);
    return rc;
  }
  msleep(latency_ms);
  if (cmd == "lssyscfg") return lssyscfg(h, words);
  if (cmd == "mkvterm") return mkvterm(h, words);
  if (cmd == "rmvterm") return rmvterm(h, words);
  if (cmd == "viosvrcmd") return viosvrcmd(h, words);
  std::cout << "rbash: " << cmd << ": command not found\n";
  return 127;
}

}  // namespace lparsim
