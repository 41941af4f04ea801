// Terminal: libvterm's screen layer behind our own Screen type.
// libvterm is the reference emulator (parser -> state -> screen); we only read cells back.
#include <vterm.h>

#include <algorithm>
#include <cstring>

#include "vtpilot/screen.hpp"

namespace vtpilot {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void rtrim(std::string& s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
}

// Text of `count` cells; wide characters occupy two cells, the second with no chars.
std::string cells_text(const VTermScreenCell* cells, int count) {
  std::string line;
  line.reserve(static_cast<std::size_t>(count));
  for (int c = 0; c < count; ++c) {
    const VTermScreenCell& cell = cells[c];
    if (cell.chars[0] == 0) {
      if (c > 0 && cells[c - 1].width == 2) continue;  // right half of a wide char
      line += ' ';
      continue;
    }
    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; ++i) append_utf8(line, cell.chars[i]);
  }
  rtrim(line);
  return line;
}

}  // namespace

std::string Screen::text() const {
  std::size_t last = lines.size();
  while (last > 0 && lines[last - 1].empty()) --last;
  std::string out;
  for (std::size_t i = 0; i < last; ++i) {
    out += lines[i];
    if (i + 1 < last) out += '\n';
  }
  return out;
}

struct Terminal::Impl {
  VTerm* vt = nullptr;
  VTermScreen* vs = nullptr;
  int rows, cols;
  std::size_t history_limit;
  std::deque<std::string> history;
  std::uint64_t generation = 0;
  std::uint64_t bytes = 0;
  VTermScreenCallbacks callbacks{};

  static int on_damage(VTermRect, void* user) {
    ++static_cast<Impl*>(user)->generation;
    return 1;
  }
  static int on_moverect(VTermRect, VTermRect, void* user) {
    ++static_cast<Impl*>(user)->generation;
    return 1;
  }
  static int on_movecursor(VTermPos, VTermPos, int, void* user) {
    ++static_cast<Impl*>(user)->generation;
    return 1;
  }
  static int on_pushline(int cols, const VTermScreenCell* cells, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (self->history_limit == 0) return 1;
    if (self->history.size() >= self->history_limit) self->history.pop_front();
    self->history.push_back(cells_text(cells, cols));
    return 1;
  }

  Impl(int r, int c, std::size_t limit) : rows(r), cols(c), history_limit(limit) {
    vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    vs = vterm_obtain_screen(vt);
    callbacks.damage = &on_damage;
    callbacks.moverect = &on_moverect;
    callbacks.movecursor = &on_movecursor;
    callbacks.sb_pushline = &on_pushline;
    vterm_screen_set_callbacks(vs, &callbacks, this);
    // Damage is only used as a change counter: merge it per scroll to keep callbacks rare.
    vterm_screen_set_damage_merge(vs, VTERM_DAMAGE_SCROLL);
    vterm_screen_reset(vs, 1);
  }
  ~Impl() { vterm_free(vt); }
};

Terminal::Terminal(int rows, int cols, std::size_t history_limit)
    : impl_(std::make_unique<Impl>(std::max(rows, 2), std::max(cols, 10), history_limit)) {}
Terminal::~Terminal() = default;
Terminal::Terminal(Terminal&&) noexcept = default;
Terminal& Terminal::operator=(Terminal&&) noexcept = default;

void Terminal::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  impl_->bytes += bytes.size();
  vterm_input_write(impl_->vt, bytes.data(), bytes.size());
  vterm_screen_flush_damage(impl_->vs);
}

Screen Terminal::screen() const {
  Screen s;
  s.rows = impl_->rows;
  s.cols = impl_->cols;
  s.lines.reserve(static_cast<std::size_t>(s.rows));
  std::vector<VTermScreenCell> cells(static_cast<std::size_t>(s.cols));
  for (int r = 0; r < s.rows; ++r) {
    for (int c = 0; c < s.cols; ++c) vterm_screen_get_cell(impl_->vs, VTermPos{r, c}, &cells[static_cast<std::size_t>(c)]);
    s.lines.push_back(cells_text(cells.data(), s.cols));
  }
  VTermPos pos;
  vterm_state_get_cursorpos(vterm_obtain_state(impl_->vt), &pos);
  s.cursor_row = pos.row;
  s.cursor_col = pos.col;
  return s;
}

const std::deque<std::string>& Terminal::history() const { return impl_->history; }
std::uint64_t Terminal::generation() const { return impl_->generation; }
std::uint64_t Terminal::bytes_fed() const { return impl_->bytes; }

std::string normalize_capture(std::string bytes) {
  if (bytes.find('\r') != std::string::npos) return bytes;
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 16);
  for (char ch : bytes) {
    if (ch == '\n') out += '\r';
    out += ch;
  }
  return out;
}

Screen render(std::string_view bytes, int rows, int cols) {
  Terminal t(rows, cols, 0);
  t.feed(bytes);
  return t.screen();
}

}  // namespace vtpilot
