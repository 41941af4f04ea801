#pragma once
// Importing the console recordings people already have into the events of an asciicast v2
// transcript (what replay, identify, render, audit and asciinema read):
//   - util-linux script(1): a typescript with a classic timing file (`DELAY BYTES` lines), or the
//     advanced format (`script --log-timing`: `O`/`I` DELAY BYTES, `H` DELAY NAME VALUE headers,
//     `S` DELAY SIGWINCH ROWS=R COLS=C) over one --log-io file or --log-out/--log-in files;
//     a typescript alone (its `Script started on` header, no timing) is output without times;
//   - asciicast v2 (checked and passed through) and v3 (intervals, `term`, `x` exit, `#` lines);
//   - conserver console logs: its `[-- MARK -- DATE]`, `[-- Console up -- DATE]`,
//     `[-- USER attached -- DATE]` ... tags (conserver/group.c TagLogfile, Mark) become markers
//     and give the times; the rest is console output;
//   - plain output logs (Expect log_file, screen, minicom, PuTTY's `=~=~= PuTTY log DATE =~=~=`).
// Keys typed at a `Password:` prompt become one "i" event "***" (the vtpilot transcript rule).
// Pure: the files' contents in, events out. The CLI reads the files and writes the cast.
#include <optional>
#include <string>
#include <vector>

#include "vtpilot/record/recorder.hpp"

namespace vtpilot {

struct ImportedLog {
  // script-classic, script-advanced, script-typescript, asciicast-v2, asciicast-v3, conserver,
  // putty, plain
  std::string format;
  int width = 80, height = 24;
  long long timestamp = 0;  // Unix time of the start; 0 = the log does not say
  bool timed = false;       // the events carry the log's own times (else all are at 0)
  std::string title;
  std::vector<CastEvent> events;  // 'o', 'i', 'm', 'r'; times from 0, never going backwards
  int passwords_masked = 0;
};

// One file's name (for messages) and contents.
struct ImportFile {
  std::string name, text;
};

// What was given, under scriptreplay's option names. `file` is the positional FILE: the
// typescript when a timing file is given (as scriptreplay takes it), else any log to detect.
struct ImportRequest {
  std::optional<ImportFile> timing, io, out, in, file;
};

// Fills `log`; returns an error for bad input ("name:line: what is wrong") or nullopt.
std::optional<std::string> import_log(const ImportRequest& request, ImportedLog& log);

// The asciicast v2 text: header (with "vtpilot": {"command": "import", "source": FORMAT}) and
// one event per line. Invalid UTF-8 in output becomes U+FFFD, as in the recorder.
std::string cast_text(const ImportedLog& log);

// Replaces keys typed at a `Password:` prompt (the output's last line ends in "password:") up to
// and including their Enter by one "i" event "***". Returns how many were replaced.
int mask_passwords(std::vector<CastEvent>& events);

}  // namespace vtpilot
