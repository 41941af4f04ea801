// Audit: see include/vtpilot/record/audit.hpp.
#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/record/audit.hpp"

#include <cctype>
#include <cstdio>

#include "vtpilot/screens/fields.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/record/recorder.hpp"

namespace vtpilot {

namespace {

// The screen's text without one row: what must stay the same while the operator types on it.
std::string body_without(const Screen& s, int row) {
  std::string out;
  for (std::size_t i = 0; i < s.lines.size(); ++i) {
    if (static_cast<int>(i) == row) continue;
    out += s.lines[i];
    out += '\n';
  }
  return out;
}

// Cheap test before recognizing: the text left of the cursor looks like a prompt with at most
// a few characters typed after it ("... key:5", "Choice [1]: 2", "[yes/no]?").
bool may_be_prompt(const Screen& s) {
  if (s.cursor_row < 0 || s.cursor_row >= static_cast<int>(s.lines.size())) return false;
  const std::string& line = s.lines[static_cast<std::size_t>(s.cursor_row)];
  const std::string left = line.substr(0, std::min<std::size_t>(line.size(), static_cast<std::size_t>(s.cursor_col) + 1));
  return left.find_first_of(":?]") != std::string::npos;
}

// A screen with no prompt line (BOS's "Please define the System Console": "Type a 1 and press
// Enter") echoes the answer on a row of its own: a few characters alone, the cursor after them.
std::string bare_echo(const Screen& s) {
  if (s.cursor_row < 0 || s.cursor_row >= static_cast<int>(s.lines.size())) return {};
  const std::string& line = s.lines[static_cast<std::size_t>(s.cursor_row)];
  const std::size_t start = line.find_first_not_of(' ');
  if (start == std::string::npos || line.size() - start > 4 || static_cast<int>(line.size()) != s.cursor_col) return {};
  const std::string word = line.substr(start);
  for (char c : word)
    if (!std::isalnum(static_cast<unsigned char>(c))) return {};
  return word;
}

}  // namespace

Audit::Audit(const Recognizer& recognizer, Policy policy, int rows, int cols)
    : recognizer_(recognizer), policy_(std::move(policy)), term_(rows, cols, 0) {
  // Judged as the operator's keys in `step`: an unknown screen is not refused for being unknown
  // (the operator was there); the raw-text layer still refuses forbidden items on it.
  policy_.allow_unknown_screen = true;
  policy_.verified_target.reset();
}

Audit::~Audit() = default;

void Audit::output(std::string_view bytes, double t) {
  // The screen is looked at before every CR, LF and escape sequence: the echoed answer stands
  // on the prompt line until one of them starts the next screen (or the Enter's echo). Only
  // there, never where a chunk happens to end: the same bytes give the same report however
  // they were cut (a chunk's end can fall in the middle of a line being drawn).
  last_t_ = t;
  for (char c : bytes) {
    if (c == '\r' || c == '\n' || c == '\x1b') {
      if (run_) term_.feed(std::string_view(&held_[0], run_));
      // Only a stretch of output that could draw a prompt (":", "?", "]") or echo a short
      // answer is worth reading the screen for (reading it costs more than the parsing).
      const bool worth = seg_marks_ || (seg_alnum_ >= 1 && seg_alnum_ <= 4 && seg_len_ <= 8);
      run_ = seg_len_ = seg_alnum_ = 0;
      seg_marks_ = false;
      check(t, worth);
    }
    if (run_ == held_.size()) {
      term_.feed(std::string_view(&held_[0], run_));
      run_ = 0;
      seg_marks_ = true;  // a very long stretch: look at it
    }
    held_[run_++] = c;
    ++seg_len_;
    seg_alnum_ += std::isalnum(static_cast<unsigned char>(c)) != 0;
    seg_marks_ |= c == ':' || c == '?' || c == ']';
    ++fed_;
  }
}

void Audit::check(double t, bool worth) {
  // Screens with no prompt are looked at every few KB of output (more often while the screen
  // that followed an answer is still unknown).
  const std::uint64_t quiet = awaiting_next_ ? kQuietRecognize / 8 : kQuietRecognize;
  if (!worth && !pending_ && fed_ - recognized_at_ < quiet) return;
  const std::uint64_t gen = term_.generation();
  if (gen == last_gen_) return;
  last_gen_ = gen;
  const Screen s = term_.screen();
  if (pending_ && (s.cursor_row != pending_->screen.cursor_row || body_without(s, pending_->screen.cursor_row) != pending_->body))
    commit(t);
  const std::string echo = bare_echo(s);
  if (may_be_prompt(s) || !echo.empty()) {
    Recognized r = recognizer_.recognize(s);
    const bool at_prompt = prompt_at_cursor(s, r.fields);
    if (at_prompt || (r.known() && r.fields.prompt.empty() && !echo.empty())) {
      // A complete screen, waiting: what it shows may take the disk screen's verification away.
      if (r.known() && policy_.verified_target)
        if (verification_lost(r, *policy_.verified_target)) policy_.verified_target.reset();
      recognized_at_ = fed_;
      seen(r, t);
      std::string body = body_without(s, s.cursor_row);
      pending_ = Pending{s, std::move(r), t, std::move(body), at_prompt ? std::string() : echo};
      return;
    }
    if (fed_ - recognized_at_ >= quiet) {
      recognized_at_ = fed_;
      seen(r, t);
    }
    return;
  }
  if (fed_ - recognized_at_ >= quiet) {
    recognized_at_ = fed_;
    seen(recognizer_.recognize(s), t);
  }
}

void Audit::seen(const Recognized& r, double t) {
  if (r.known()) report_.recognized_any = true;
  if (awaiting_next_ && r.known()) {
    report_.choices.back().next = r.id;
    awaiting_next_ = false;
  }
  const std::string& title = r.fields.title;
  if (!report_.screens.empty() && report_.screens.back().id == r.id &&
      (r.id.empty() || report_.screens.back().title == title))
    return;
  report_.screens.push_back(AuditScreen{t, r.id, r.known() ? title : std::string()});
}

void Audit::commit(double t) {
  Pending p = std::move(*pending_);
  pending_.reset();
  const Fields& f = p.recognized.fields;
  AuditChoice c;
  c.t = t;
  c.screen = p.recognized.id;
  c.title = f.title;
  c.keys = p.echo.empty() ? typed_at_prompt(p.screen, f) : p.echo;
  const std::string key = c.keys.empty() ? default_key(f) : c.keys;
  for (const Choice& ch : f.choices)
    if (ch.key == key) c.label = ch.label;
  // The console submits what is typed, then Enter: the guard judges exactly that.
  std::optional<VerifiedTarget> verified;
  // With no prompt line the guard reads nothing as typed: the echoed answer goes as the keys.
  c.verdict = judge(p.recognized, p.screen, p.echo + "\r", policy_, &verified);
  if (c.verdict.allow && p.recognized.id == screen_id::bos_disks) policy_.verified_target = verified;
  if (!c.verdict.allow) ++report_.refused;
  c.after_screens = report_.screens.size();
  report_.choices.push_back(std::move(c));
  awaiting_next_ = true;
}

const AuditReport& Audit::finish() {
  if (run_) term_.feed(std::string_view(&held_[0], run_));
  run_ = 0;
  recognized_at_ = 0;
  fed_ = kQuietRecognize;  // the last screen is always looked at
  check(last_t_, true);
  // A prompt still waiting when the log ends was not answered.
  pending_.reset();
  return report_;
}

AuditReport audit_events(const std::vector<CastEvent>& events, const Recognizer& recognizer, const Policy& policy,
                         int rows, int cols) {
  Audit audit(recognizer, policy, rows, cols);
  for (const CastEvent& e : events)
    if (e.type == 'o') audit.output(e.data, e.t);
  return audit.finish();
}

std::string clock_text(double seconds) {
  const long s = seconds < 0 ? 0 : static_cast<long>(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace vtpilot
