#include "vtpilot/term/capture.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "vtpilot/term/terminal.hpp"

namespace vtpilot {

std::optional<std::string> feed_file(const std::string& path, Terminal& terminal) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return path + ": " + std::strerror(errno);
  if (S_ISDIR(st.st_mode)) return path + ": is a directory, expected a file of console bytes";
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return path + ": " + std::strerror(errno);

  constexpr std::size_t kChunk = 1 << 16;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  // Pass 1: does the file hold any CR? (Regular files only; a pipe is taken as raw bytes.)
  bool lf_only = false;
  if (S_ISREG(st.st_mode)) {
    lf_only = true;
    std::size_t n;
    while (lf_only && (n = std::fread(buf.get(), 1, kChunk, f.get())) > 0)
      if (std::memchr(buf.get(), '\r', n)) lf_only = false;
    if (std::ferror(f.get())) return path + ": read error: " + std::strerror(errno);
    std::rewind(f.get());
  }
  std::string converted;
  std::size_t n;
  while ((n = std::fread(buf.get(), 1, kChunk, f.get())) > 0) {
    if (!lf_only) {
      terminal.feed(std::string_view(buf.get(), n));
      continue;
    }
    converted.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') converted += '\r';
      converted += buf[i];
    }
    terminal.feed(converted);
  }
  if (std::ferror(f.get())) return path + ": read error: " + std::strerror(errno);
  return std::nullopt;
}

}  // namespace vtpilot
