// Reading passwords without leaving them anywhere. See include/vtpilot/secret.hpp.
#include "vtpilot/secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vtpilot {

std::optional<std::string> read_secret_file(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ICANON;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  if (::write(fd, prompt.data(), prompt.size()) < 0) {}
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r' && line.size() < 8192) line += c;
  if (tty) ::tcsetattr(fd, TCSAFLUSH, &saved);
  if (::write(fd, "\n", 1) < 0) {}
  ::close(fd);
  if (line.empty()) {
    error = "no password typed";
    return std::nullopt;
  }
  return line;
}

}  // namespace vtpilot
