#pragma once
// Transcripts: asciicast v2 (newline-delimited JSON; `asciinema play` / `asciinema cat`).
// Header, then [t, "o", output], [t, "i", keys], [t, "m", marker]. Flushed per event so a crash
// loses nothing; secrets are written as "***".
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vtpilot {

class Recorder {
 public:
  Recorder() = default;
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Creates the file and writes the header. Returns an error message on failure.
  std::optional<std::string> open(const std::string& path, int width, int height, const std::string& title,
                                  double unix_time);
  void output(double t, std::string_view bytes);
  void input(double t, std::string_view keys, bool secret);
  void marker(double t, std::string_view label);
  void close();
  // False after any failed write (disk full, unwritable): the engine must stop sending.
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  bool is_open() const { return file_ != nullptr; }

 private:
  void event(double t, const char* type, std::string_view data);
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string utf8_tail_;  // an incomplete UTF-8 sequence held for the next output chunk
  std::string line_;       // the event being written, reused
  bool ok_ = true;
  double last_t_ = 0;  // the latest time written
  std::string error_;
};

struct CastEvent {
  double t = 0;
  char type = 'o';  // 'o', 'i', 'm'
  std::string data;
  int line = 0;
};

struct Cast {
  int width = 80, height = 24;
  std::vector<CastEvent> events;
};

// Reads a whole cast; errors as "file:line: message".
std::optional<std::string> read_cast(const std::string& path, Cast& cast);

}  // namespace vtpilot
