#pragma once
// The terminal screen model: console bytes in, rows of text out.
// libvterm does the emulation behind Terminal; no libvterm type leaks from here.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "vtpilot/term/screen.hpp"

namespace vtpilot {

class Terminal {
 public:
  explicit Terminal(int rows = 24, int cols = 80, std::size_t history_limit = 2000);
  ~Terminal();
  Terminal(Terminal&&) noexcept;
  Terminal& operator=(Terminal&&) noexcept;
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Feeds raw console bytes; any chunking gives the same result.
  void feed(std::string_view bytes);
  Screen screen() const;
  // Lines that scrolled off the top, oldest first, at most history_limit of them. A snapshot:
  // valid until the next call of history() or feed().
  const std::deque<std::string>& history() const;
  // Bumped whenever visible content or the cursor changes; cheap change detection.
  std::uint64_t generation() const;
  std::uint64_t bytes_fed() const;
  // The fast paths are on by default; off gives libvterm every byte and reads the screen cell
  // by cell (for tests: the two must agree).
  void set_fast_path(bool on);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a file's bytes as a console capture. A capture with no CR at all (a screen copied
// from a document) is read as lines: each LF becomes CRLF.
std::string normalize_capture(std::string bytes);

// Convenience: the final screen that `bytes` produce on a fresh terminal.
Screen render(std::string_view bytes, int rows = 24, int cols = 80);

}  // namespace vtpilot
