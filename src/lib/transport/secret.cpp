// Reading passwords without leaving them anywhere. See include/vtpilot/transport/secret.hpp.
#include "vtpilot/transport/secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace vtpilot {

namespace {

// Ctrl-C (or SIGTERM, SIGHUP) while the password is typed: the terminal gets its echo back,
// then the signal does what it would have done (the prompt comes before any signal_set).
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
int g_tty = -1;
termios g_saved{};
struct sigaction g_old[3];
bool g_caught[3];

void restore_and_reraise(int sig) {
  if (g_tty >= 0) ::tcsetattr(g_tty, TCSANOW, &g_saved);
  for (int i = 0; i < 3; ++i)
    if (kSignals[i] == sig) ::sigaction(sig, &g_old[i], nullptr);
  ::raise(sig);  // delivered when this handler returns, to the disposition it had before
}

void catch_signals(int fd, const termios& saved) {
  g_tty = fd;
  g_saved = saved;
  for (int i = 0; i < 3; ++i) {
    g_caught[i] = false;
    if (::sigaction(kSignals[i], nullptr, &g_old[i]) != 0 || g_old[i].sa_handler == SIG_IGN) continue;
    struct sigaction sa{};
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (int other : kSignals) sigaddset(&sa.sa_mask, other);
    g_caught[i] = ::sigaction(kSignals[i], &sa, nullptr) == 0;
  }
}

void release_signals() {
  for (int i = 0; i < 3; ++i)
    if (g_caught[i]) ::sigaction(kSignals[i], &g_old[i], nullptr);
  g_tty = -1;
}

}  // namespace

std::optional<std::string> read_secret_file(const std::string& path, std::string& error) {
  // O_NONBLOCK: a FIFO must not block the open before the S_ISREG check refuses it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = path + ": not a regular file";
    return std::nullopt;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    error = path + ": others may read it (mode " + mode + "); a password file must be private: chmod 600 " + path;
    return std::nullopt;
  }
  std::string data;
  char buf[512];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0 && data.size() < 8192;) data.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto nl = data.find_first_of("\r\n");
  if (nl != std::string::npos) data.resize(nl);
  if (data.empty()) {
    error = path + ": the first line is empty";
    return std::nullopt;
  }
  return data;
}

std::optional<std::string> prompt_secret(const std::string& prompt, std::string& error) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = "no terminal to ask for the password on (/dev/tty: " + std::string(std::strerror(errno)) +
            "); use a password file";
    return std::nullopt;
  }
  termios saved{};
  const bool tty = ::tcgetattr(fd, &saved) == 0;
  if (tty) {
    catch_signals(fd, saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ICANON;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  if (::write(fd, prompt.data(), prompt.size()) < 0) {}
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r' && line.size() < 8192) line += c;
  if (tty) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    release_signals();
  }
  if (::write(fd, "\n", 1) < 0) {}
  ::close(fd);
  if (line.empty()) {
    error = "no password typed";
    return std::nullopt;
  }
  return line;
}

}  // namespace vtpilot
