// Terminal: libvterm's screen layer behind our own Screen type.
// libvterm is the reference emulator (parser -> state -> screen); we only read cells back.
#include <vterm.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "base/scan.hpp"
#include "vtpilot/term/terminal.hpp"

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
void cells_text(const VTermScreenCell* cells, int count, std::string& line) {
  line.clear();
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
}

}  // namespace

bool Screen::blank() const {
  for (const std::string& l : lines)
    if (l.find_first_not_of(' ') != std::string::npos) return false;
  return true;
}

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
  // The history is a ring of strings reused in place: a flood of install lines costs a copy
  // per line, not an allocation and a free. history() lays it out as a deque when asked.
  std::vector<std::string> ring;
  std::size_t ring_next = 0;  // once the ring is full: the oldest line, overwritten next
  mutable std::deque<std::string> history_view;
  std::string line_scratch;                      // a row's text on its way into the history
  mutable std::vector<VTermScreenCell> cells_;  // a row's cells
  std::uint64_t generation = 0;
  std::uint64_t bytes = 0;
  VTermScreenCallbacks callbacks{};
  // Fast path (see feed_fast): off for good once the stream uses what it cannot model.
  bool fast = true;
  bool text_reads = true;  // rows read as text where that is the same (row_text); off with the fast path, for tests
  bool g0_graphics = false;  // ESC ( 0 in force: plain bytes are not plain text
  std::string utf8_pending;  // a UTF-8 character cut by the end of a read
  std::vector<std::size_t> ends_;  // feed_fast's scratch: line ends
  // Plain lines held back (see Terminal::feed): a console printing a line per read pays for
  // the emulator once per look at the screen, not once per line.
  std::string pending;
  static constexpr std::size_t kPendingMax = 64 * 1024;

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
    cells_text(cells, cols, self->line_scratch);
    self->push_history(self->line_scratch);
    return 1;
  }
  void push_history(std::string_view line) {
    if (history_limit == 0) return;
    if (ring.size() < history_limit) {
      ring.emplace_back(line);
      return;
    }
    ring[ring_next].assign(line.data(), line.size());
    if (++ring_next == ring.size()) ring_next = 0;
  }
  const std::deque<std::string>& history() const {
    history_view.clear();
    for (std::size_t i = 0; i < ring.size(); ++i) history_view.push_back(ring[(ring_next + i) % ring.size()]);
    return history_view;
  }

  // Zero-width characters (combining marks, joiners) are dropped: libvterm 0.1.4 loses one
  // that arrives in a new write after a character in the last column, so keeping them would
  // make the screen depend on chunking; console menus carry no meaning in them. Widths come
  // from libvterm itself (a probe terminal), cached per code point.
  static bool zero_width(std::string_view ch) {
    thread_local std::unordered_map<std::string, bool> cache;
    auto it = cache.find(std::string(ch));
    if (it != cache.end()) return it->second;
    thread_local VTerm* probe = [] {
      VTerm* v = vterm_new(2, 10);
      vterm_set_utf8(v, 1);
      vterm_screen_reset(vterm_obtain_screen(v), 1);
      return v;
    }();
    std::string text = "\x1b[H\x1b[2Ja";
    text.append(ch);
    vterm_input_write(probe, text.data(), text.size());
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(probe), &pos);
    bool zero = pos.col == 1;
    if (cache.size() < 65536) cache.emplace(std::string(ch), zero);
    return zero;
  }

  // Streaming UTF-8 validation (RFC 3629: no overlongs, surrogates or code points past U+10FFFF).
  void sanitize(std::string_view in, std::string& out) {
    static const char kBad[] = "\xEF\xBF\xBD";
    out.reserve(in.size() + 8);
    for (std::size_t i = 0; i < in.size();) {
      const unsigned char c = static_cast<unsigned char>(in[i]);
      if (utf8_pending.empty()) {
        if (c < 0x80) {
          out += static_cast<char>(c);
        } else if (c >= 0xC2 && c <= 0xF4) {
          utf8_pending += static_cast<char>(c);
        } else {
          out += kBad;
        }
        ++i;
        continue;
      }
      const unsigned char lead = static_cast<unsigned char>(utf8_pending[0]);
      const std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
      if (utf8_pending.size() == 1) {
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
      }
      if (c < lo || c > hi) {  // not a fitting continuation: the sequence is broken here
        out += kBad;
        utf8_pending.clear();
        continue;  // reread this byte as a fresh start
      }
      utf8_pending += static_cast<char>(c);
      ++i;
      if (utf8_pending.size() == need) {
        if (!zero_width(utf8_pending)) out += utf8_pending;
        utf8_pending.clear();
      }
    }
  }

  void write(std::string_view b) {
    if (b.empty()) return;
    std::string defused;
    if (defuse(b, defused)) b = defused;
    if (fast) watch(b);
    vterm_input_write(vt, b.data(), b.size());
  }

  // Two libvterm 0.1.4 bugs that line noise on a console reaches (the fuzzer found both), so
  // the bytes are rewritten before libvterm sees them, followed across writes (a sequence can
  // be cut anywhere):
  // - REP (CSI Pn b, "repeat the preceding character") with no character before it loops
  //   forever inside vterm_input_write: a hang no timeout can end. REP is no VT100 control and
  //   AIX's console never sends it, so every REP is ignored: its final byte becomes 'z', a CSI
  //   libvterm does not implement and skips.
  // - A CSI with 16 or more parameter separators (';' or ':') writes past libvterm's argument
  //   array (16 entries, unchecked): memory corruption, then a crash. Parameters after the
  //   15th separator are dropped, as a terminal ignores parameters it has no room for.
  static constexpr int kMaxSeparators = 15;
  enum class Rep { ground, esc, csi, other } rep = Rep::ground;
  int separators = 0;  // in the CSI being read
  bool defuse(std::string_view b, std::string& out) {
    bool changed = false;
    auto edit = [&](std::size_t i) {  // from byte i on, `out` holds the rewritten bytes
      if (!changed) out.assign(b.substr(0, i));
      changed = true;
    };
    for (std::size_t i = 0; i < b.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(b[i]);
      char keep = static_cast<char>(c);
      bool drop = false;
      if (c == 0x18 || c == 0x1a) {  // CAN / SUB cancel a sequence
        rep = Rep::ground;
      } else if (c == 0x1b) {
        rep = Rep::esc;
      } else if (c >= 0x20) {  // C0 controls are executed inside a sequence
        switch (rep) {
          case Rep::ground: break;
          case Rep::esc:  // libvterm 0.1.4 still takes '[' as CSI after intermediates (ESC SP [ 2 b hangs too)
            if (c >= 0x20 && c <= 0x2f) break;
            if (c >= 0x7f) break;  // DEL and non-ASCII bytes: libvterm skips them and stays in ESC
            rep = c == '[' ? Rep::csi : Rep::ground;
            separators = 0;
            break;
          case Rep::csi:
          case Rep::other:
            if (c >= 0x40 && c <= 0x7e) {
              if (c == 'b' && rep == Rep::csi) keep = 'z';
              rep = Rep::ground;
            } else if (c >= 0x30 && c <= 0x3b) {  // digits and separators
              if (separators >= kMaxSeparators) drop = true;
              else if (c == ';' || c == ':') ++separators;
            } else if (c < 0x30 || (c >= 0x3c && c <= 0x3f)) {
              rep = Rep::other;  // an intermediate or a private marker: not REP
            }
            break;
        }
      }
      if (drop || keep != static_cast<char>(c)) edit(i);
      if (changed && !drop) out += keep;
    }
    return changed;
  }

  // The escape parser's state, followed alongside libvterm's (ECMA-48 / DEC shapes), so the
  // fast path only runs from the ground state; and what it cannot model turns it off for good:
  // charset shifts and locking shifts, scroll regions (DECSTBM).
  enum class Esc { ground, esc, csi, str, str_esc } esc = Esc::ground;
  std::string seq;  // intermediates of the escape sequence being read

  void watch(std::string_view b) {
    for (char ch : b) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (c == 0x18 || c == 0x1a) {  // CAN / SUB cancel any sequence
        esc = Esc::ground;
        continue;
      }
      switch (esc) {
        case Esc::ground:
          if (c == 0x1b) {
            esc = Esc::esc;
            seq.clear();
          } else if (c == 0x0e || c == 0x0f) {
            fast = false;  // SO / SI: G1 in use
          }
          break;
        case Esc::str_esc:
          if (c == '\\') {
            esc = Esc::ground;
            break;
          }
          esc = Esc::esc;  // the string ended; this ESC starts a new sequence
          seq.clear();
          [[fallthrough]];
        case Esc::esc:
          if (c == 0x1b) {
            seq.clear();
          } else if (c < 0x20) {
            // C0 controls are executed inside a sequence
          } else if (c == '[') {
            esc = Esc::csi;  // as libvterm 0.1.4 reads it: CSI even after intermediates (ESC SP [)
          } else if (c == ']' || c == 'P') {
            esc = Esc::str;  // OSC and DCS, likewise even after intermediates; libvterm 0.1.4 has no
                             // SOS / PM / APC strings: ESC X, ESC ^, ESC _ end there and text follows
          } else if (c <= 0x2f) {
            if (seq.size() < 8) seq += static_cast<char>(c);
          } else if (c >= 0x7f) {
            // DEL and non-ASCII bytes (U+FFFD included): libvterm 0.1.4 skips them and stays
            // in the escape, so the next final byte (a letter of the text) still ends it
          } else {
            if (seq == "(") g0_graphics = c != 'B';
            if (seq.empty() && (c == 'n' || c == 'o' || c == '|' || c == '}' || c == '~' || c == 'N' || c == 'O'))
              fast = false;  // locking / single shifts to G2, G3
            esc = Esc::ground;
          }
          break;
        case Esc::csi:
          if (c == 0x1b) {
            esc = Esc::esc;
            seq.clear();
          } else if (c >= 0x40 && c <= 0x7e) {
            if (c == 'r') fast = false;  // DECSTBM: a scroll region
            esc = Esc::ground;
          }
          break;
        case Esc::str:
          if (c == 0x07) esc = Esc::ground;
          else if (c == 0x1b) esc = Esc::str_esc;
          break;
      }
    }
  }

  // At column 0 of the bottom row, on a blank row: every plain line from here is written on
  // a fresh row and scrolls, so only the last screenful can still be seen.
  bool at_bottom_blank() const {
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(vt), &pos);
    return pos.row == rows - 1 && pos.col == 0 && vterm_screen_is_eol(vs, pos);
  }

  // A row's text, as cells_text makes it from the row's cells. vterm_screen_get_text reads the
  // cells in place, 5-10x cheaper than copying each one out with vterm_screen_get_cell (which
  // converts its attributes and colours), and for a row of ASCII text it gives the same text:
  // an erased cell is a space unless only erased cells follow (cells_text trims those), a
  // cell's characters are its text, and the right half of a wide character is nothing, as in
  // cells_text. A row whose text is not all ASCII (wide characters, box drawing, U+FFFD) is
  // read cell by cell as before.
  void row_text(int r, std::string& out) const {
    char buf[512];
    const std::size_t n = text_reads ? vterm_screen_get_text(vs, buf, sizeof buf, VTermRect{r, r + 1, 0, cols}) : 0;
    if (text_reads && n <= sizeof buf && !scan::any_high(buf, n)) {
      std::size_t len = n;
      while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\0')) --len;
      out.assign(buf, len);
      return;
    }
    cells_.resize(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) vterm_screen_get_cell(vs, VTermPos{r, c}, &cells_[static_cast<std::size_t>(c)]);
    cells_text(cells_.data(), cols, out);
  }

  // The last screen() made, and the generation it was made at: asked again with nothing
  // changed (the session looks again after its keys went out, before the console answers),
  // it is a copy, not 1920 cells read again. generation() counts every change of a cell or
  // of the cursor, all reported by the end of each feed().
  mutable Screen last_screen;
  mutable std::uint64_t last_screen_gen = ~std::uint64_t{0};

  // Install output is nearly all printable text and CRLF (design.md, Terminal). A run of more
  // than a screenful of such lines, starting on a blank bottom row, ends in the same screen and
  // the same history as feeding it byte by byte: the rows above and the early lines scroll
  // off in order. So the early lines go straight to history and libvterm sees only the last
  // screenful. Returns how many bytes it consumed (0: not applicable here).
  std::size_t feed_fast(std::string_view b) {
    // The cursor first: it is cheap to ask, and the caller comes back after every line that
    // went through libvterm, so scanning a whole read before asking would be quadratic.
    if (!fast || g0_graphics || esc != Esc::ground || !at_bottom_blank()) return 0;
    std::vector<std::size_t>& ends = ends_;  // offset just past each plain line's CRLF
    ends.clear();
    // A plain line: at most `cols` printable ASCII bytes, then CRLF. The first byte that is
    // not printable must be that CR, within cols + 1 bytes.
    const std::size_t span_max = static_cast<std::size_t>(cols) + 1;
    std::size_t line_start = 0;
    while (line_start < b.size()) {
      const std::size_t span = std::min(b.size() - line_start, span_max);
      const std::size_t k = scan::first_not_printable(b.data() + line_start, span);
      if (k == span) break;  // longer than a row, or the read ends inside the line
      const std::size_t at = line_start + k;
      if (b[at] != '\r' || at + 1 >= b.size() || b[at + 1] != '\n') break;
      line_start = at + 2;
      ends.push_back(line_start);
    }
    const std::size_t n = ends.size();
    const std::size_t keep = static_cast<std::size_t>(rows);
    if (n <= keep) return 0;
    // History gets what scrolling would have pushed: the rows above, then the early lines.
    if (history_limit > 0)
      for (int r = 0; r < rows - 1; ++r) {
        row_text(r, line_scratch);
        push_history(line_scratch);
      }
    std::size_t start = 0;
    const std::size_t early = n - keep + 1;  // lines that scroll off within this run
    for (std::size_t k = 0; k < early; ++k) {
      // Only the last history_limit lines can still be in the history: skip the others.
      if (early - k <= history_limit) {
        std::string_view line = b.substr(start, ends[k] - 2 - start);
        while (!line.empty() && line.back() == ' ') line.remove_suffix(1);  // as rows read back from libvterm are
        push_history(line);
      }
      start = ends[k];
    }
    // The screen is the last rows - 1 lines from the top and a blank bottom row with the cursor
    // at its start: drawn on a cleared screen, with no scrolling at all.
    static const char kHome[] = "\x1b[H\x1b[2J";
    vterm_input_write(vt, kHome, sizeof kHome - 1);
    vterm_input_write(vt, b.data() + start, ends[n - 1] - start);
    return ends[n - 1];
  }

  // Whole plain lines only: at most `cols` printable ASCII bytes, then CRLF, to the end of b.
  bool plain_lines(std::string_view b) const {
    const std::size_t span_max = static_cast<std::size_t>(cols) + 1;
    std::size_t at = 0;
    while (at < b.size()) {
      const std::size_t span = std::min(b.size() - at, span_max);
      const std::size_t k = scan::first_not_printable(b.data() + at, span);
      if (k == span) return false;
      at += k;
      if (b[at] != '\r' || at + 1 >= b.size() || b[at + 1] != '\n') return false;
      at += 2;
    }
    return true;
  }
  // Plain lines fed at a blank bottom row (the state feed_fast starts from) leave that state
  // as it was: the screen scrolls, the bottom row is blank again, the cursor at its start. So
  // they can wait, and reach the emulator together, as one read would have brought them.
  bool defer(std::string_view b) {
    if (pending.empty() && !(fast && !g0_graphics && esc == Esc::ground && utf8_pending.empty() && at_bottom_blank()))
      return false;
    if (!plain_lines(b)) return false;
    pending.append(b.data(), b.size());
    ++generation;
    if (pending.size() >= kPendingMax) flush();
    return true;
  }
  void flush() {
    if (pending.empty()) return;
    std::string p;
    p.swap(pending);
    feed_now(p);
    vterm_screen_flush_damage(vs);
  }
  void feed_now(std::string_view bytes) {
    while (!bytes.empty()) {
      if (std::size_t used = feed_fast(bytes)) {
        bytes.remove_prefix(used);
        continue;
      }
      // Through the emulator up to the end of the next line; then try the fast path again.
      std::size_t eol = bytes.find("\r\n");
      std::size_t n = (!fast || eol == std::string_view::npos) ? bytes.size() : eol + 2;
      write(bytes.substr(0, n));
      bytes.remove_prefix(n);
    }
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
  Impl& t = *impl_;
  // libvterm 0.1.4 keeps a half-decoded UTF-8 sequence across controls within one write but
  // forgets it at the end of a write, so broken or split sequences would render differently
  // by chunking. We decode UTF-8 ourselves, with state across reads, and give libvterm only
  // valid text (U+FFFD for what is broken): the same bytes give the same screen however split.
  std::string clean;
  if (!t.utf8_pending.empty() || scan::any_high(bytes.data(), bytes.size())) {
    t.sanitize(bytes, clean);
    bytes = clean;
  }
  if (t.defer(bytes)) return;
  t.flush();
  t.feed_now(bytes);
  vterm_screen_flush_damage(impl_->vs);
}

void Terminal::set_fast_path(bool on) {
  impl_->flush();
  impl_->fast = on;
  impl_->text_reads = on;
  impl_->last_screen_gen = ~std::uint64_t{0};
}

Screen Terminal::screen() const {
  Impl& t = *impl_;
  t.flush();
  if (t.last_screen_gen == t.generation) return t.last_screen;
  Screen s;
  s.rows = t.rows;
  s.cols = t.cols;
  s.lines.resize(static_cast<std::size_t>(s.rows));
  for (int r = 0; r < s.rows; ++r) t.row_text(r, s.lines[static_cast<std::size_t>(r)]);
  VTermPos pos;
  vterm_state_get_cursorpos(vterm_obtain_state(t.vt), &pos);
  s.cursor_row = pos.row;
  s.cursor_col = pos.col;
  t.last_screen = s;
  t.last_screen_gen = t.generation;
  return s;
}

const std::deque<std::string>& Terminal::history() const {
  impl_->flush();
  return impl_->history();
}
std::uint64_t Terminal::generation() const {
  impl_->flush();
  return impl_->generation;
}
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
