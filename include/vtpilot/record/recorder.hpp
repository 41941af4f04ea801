#pragma once
// Transcripts: asciicast v2 (newline-delimited JSON; `asciinema play` / `asciinema cat`).
// Header, then [t, "o", output], [t, "i", keys], [t, "m", marker]. Flushed per event so a crash
// loses nothing; secrets are written as "***".
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vtpilot/record/markers.hpp"

namespace vtpilot {

// What recorded a transcript: the header's "vtpilot" object (design.md, "How a transcript says
// what recorded it and how it ended"). asciicast readers ignore unknown header keys.
struct CastMeta {
  std::string command;  // run, step, verify, preflight
  std::string plan;     // the plan's name, or its file as given
  std::map<std::string, std::string> policy;   // target_disk, target_location, ... (the flags' values)
  std::map<std::string, std::string> options;  // media_pattern, media_location, user, expect_level ...
  std::map<std::string, double> numbers;       // timeout_s, confirm_timeout_s, pacing_ms
  bool verify = false;  // run --verify: the acceptance conversation follows the plan
  std::string version;
};

class Recorder {
 public:
  Recorder() = default;
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Creates the file and writes the header. Returns an error message on failure.
  std::optional<std::string> open(const std::string& path, int width, int height, const std::string& title,
                                  double unix_time, const CastMeta* meta = nullptr);
  void output(double t, std::string_view bytes);
  void input(double t, std::string_view keys, bool secret);
  // A marker (markers.hpp formats it: the one writer of marker text).
  void marker(double t, const Marker& m);
  // The last event: how the run ended (written once; later calls do nothing).
  void end(double t, const CastEnd& end);
  void close();
  // False after any failed write (disk full, unwritable): the engine must stop sending.
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  bool is_open() const { return file_ != nullptr; }
  // The header line as written (no newline), and the bytes in the file so far.
  const std::string& header() const { return header_; }
  std::uint64_t bytes_written() const { return written_; }
  // A tap on every event line once it is in the file (the line with its newline, and the
  // file's size after it): the live view (serve/) streams exactly what the transcript holds.
  std::function<void(std::string_view line, std::uint64_t end_offset)> on_line;

 private:
  void event(double t, const char* type, std::string_view data);
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string utf8_tail_;  // an incomplete UTF-8 sequence held for the next output chunk
  std::string line_;       // the event being written, reused
  bool ok_ = true;
  bool ended_ = false;
  double last_t_ = 0;  // the latest time written
  std::string error_;
  std::string header_;
  std::uint64_t written_ = 0;
};

struct CastEvent {
  double t = 0;
  char type = 'o';  // 'o', 'i', 'm'
  std::string data;
  int line = 0;
};

struct Cast {
  int width = 80, height = 24;
  std::optional<CastMeta> meta;  // the header's "vtpilot" object, when it has one
  std::vector<CastEvent> events;
};

// Reads a whole cast; errors as "file:line: message".
std::optional<std::string> read_cast(const std::string& path, Cast& cast);

}  // namespace vtpilot
