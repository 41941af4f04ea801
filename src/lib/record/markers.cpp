// Transcript markers: their one writer (format_marker) and their one reader (parse_marker).
#include "vtpilot/record/markers.hpp"

#include <cstdlib>

#include "vtpilot/record/recorder.hpp"

namespace vtpilot {

namespace {

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A count of bytes: digits only, the whole text.
std::optional<std::size_t> count(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

// "N" + tail, for the markers that count key bytes.
std::optional<std::size_t> count_before(std::string_view s, std::string_view tail) {
  if (s.size() < tail.size() || s.substr(s.size() - tail.size()) != tail) return std::nullopt;
  return count(s.substr(0, s.size() - tail.size()));
}

constexpr std::string_view kKeysNotSent = " key bytes not sent";
constexpr std::string_view kScreenGone = " key bytes not sent (their screen is gone)";

// Where an event's keys end: at its code (` [CODE]` then the end or `: `) or its text (`: `).
std::size_t keys_end(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (starts(s.substr(i), ": ")) return i;
    if (!starts(s.substr(i), " [")) continue;
    const std::size_t close = s.find(']', i + 2);
    if (close == std::string_view::npos) continue;
    const std::string_view code = s.substr(i + 2, close - i - 2);
    const std::string_view after = s.substr(close + 1);
    if (code.find(' ') == std::string_view::npos && (after.empty() || starts(after, ": "))) return i;
  }
  return s.size();
}

// KIND[ SCREEN][ keys=KEYS][ [CODE]][: TEXT]
std::optional<mark::Event> parse_event(std::string_view s) {
  const std::size_t word_end = std::min(s.find(' '), s.find(": "));
  const auto kind = event_kind_from_name(s.substr(0, word_end));
  if (!kind) return std::nullopt;
  mark::Event e;
  e.kind = *kind;
  std::string_view rest = word_end == std::string_view::npos ? std::string_view() : s.substr(word_end);
  if (starts(rest, " ") && !starts(rest, " keys=") && !starts(rest, " [")) {
    rest.remove_prefix(1);
    const std::size_t end = std::min(rest.find(' '), rest.find(": "));
    e.screen = std::string(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (e.screen.empty()) return std::nullopt;
  }
  if (starts(rest, " keys=")) {
    rest.remove_prefix(6);
    const std::size_t end = keys_end(rest);
    e.keys = std::string(rest.substr(0, end));
    rest = rest.substr(end);
  }
  if (starts(rest, " [")) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    e.code = std::string(rest.substr(2, close - 2));
    rest = rest.substr(close + 1);
  }
  if (starts(rest, ": ")) {
    e.text = std::string(rest.substr(2));
    rest = {};
  }
  if (!rest.empty()) return std::nullopt;
  return e;
}

// end OUTCOME exit=N[ code=CODE]
std::optional<CastEnd> parse_end(std::string_view m) {
  if (!starts(m, "end ")) return std::nullopt;
  m.remove_prefix(4);
  CastEnd e;
  bool have_exit = false;
  bool first = true;
  while (!m.empty()) {
    const std::size_t sp = m.find(' ');
    const std::string_view word = m.substr(0, sp);
    m = sp == std::string_view::npos ? std::string_view() : m.substr(sp + 1);
    if (word.empty()) continue;
    if (first) {
      e.outcome = std::string(word);
      first = false;
    } else if (starts(word, "exit=")) {
      const std::string digits(word.substr(5));
      char* stop = nullptr;
      const long v = std::strtol(digits.c_str(), &stop, 10);
      if (digits.empty() || *stop) return std::nullopt;
      e.exit = static_cast<int>(v);
      have_exit = true;
    } else if (starts(word, "code=")) {
      e.code = std::string(word.substr(5));
    }
  }
  if (first || !have_exit) return std::nullopt;
  return e;
}

std::string with_text(std::string head, const std::string& text) {
  if (!text.empty()) head += ": " + text;
  return head;
}

struct Formatter {
  std::string operator()(const mark::Event& e) const {
    std::string s = event_kind_name(e.kind);
    if (!e.screen.empty()) s += " " + e.screen;
    if (!e.keys.empty()) s += " keys=" + e.keys;
    if (!e.code.empty()) s += " [" + e.code + "]";
    return with_text(std::move(s), e.text);
  }
  std::string operator()(const mark::Action& a) const { return "action " + a.what; }
  std::string operator()(const mark::ActionResult& a) const {
    return with_text(a.ok ? "action done" : "action FAILED", a.text);
  }
  std::string operator()(const mark::Dropped& d) const {
    return "dropped: " + std::to_string(d.bytes) + std::string(kScreenGone);
  }
  std::string operator()(const mark::GapDiscard& g) const {
    return "gap: " + std::to_string(g.bytes) + std::string(kKeysNotSent);
  }
  std::string operator()(const mark::Gap& g) const { return "gap: " + g.why; }
  std::string operator()(const mark::GapEnd& g) const { return "gap end: " + g.what; }
  std::string operator()(const mark::StoppedAgain& s) const {
    return "stopped again: " + std::to_string(s.bytes) + std::string(kKeysNotSent);
  }
  std::string operator()(const mark::Hmc& h) const { return "hmc: " + h.text; }
  std::string operator()(const CastEnd& e) const {
    return "end " + e.outcome + " exit=" + std::to_string(e.exit) + (e.code.empty() ? std::string() : " code=" + e.code);
  }
  std::string operator()(const mark::Exit& x) const { return "exit " + x.status; }
  std::string operator()(const mark::Conserver& c) const { return "conserver: " + c.text; }
};

}  // namespace

std::string outcome_for_exit(int exit) {
  switch (exit) {
    case 0: return "done";
    case 2: return "usage";
    case 3: return "refused";
    case 4: return "halted";
    case 5: return "console-lost";
    case 6: return "diverged";
    case 7: return "check-failed";
    default: return exit >= 128 ? "stopped" : "exit";
  }
}

std::string CastEnd::marker() const { return format_marker(*this); }

mark::Event event_marker(const SessionEvent& e) { return {e.kind, e.screen_id, e.keys, e.code, e.text}; }

std::string format_marker(const Marker& m) { return std::visit(Formatter{}, m); }

std::optional<Marker> parse_marker(std::string_view s) {
  if (starts(s, "end ")) {
    if (auto e = parse_end(s)) return *e;
    return std::nullopt;
  }
  if (starts(s, "action ")) {
    const std::string_view rest = s.substr(7);
    if (rest == "done" || starts(rest, "done: ")) return mark::ActionResult{true, std::string(rest.substr(rest.size() > 4 ? 6 : 4))};
    if (rest == "FAILED" || starts(rest, "FAILED: "))
      return mark::ActionResult{false, std::string(rest.substr(rest.size() > 6 ? 8 : 6))};
    return mark::Action{std::string(rest)};
  }
  if (starts(s, "dropped: ")) {
    if (auto n = count_before(s.substr(9), kScreenGone)) return mark::Dropped{*n};
    return std::nullopt;
  }
  if (starts(s, "gap end: ")) return mark::GapEnd{std::string(s.substr(9))};
  if (starts(s, "gap: ")) {
    if (auto n = count_before(s.substr(5), kKeysNotSent)) return mark::GapDiscard{*n};
    return mark::Gap{std::string(s.substr(5))};
  }
  if (starts(s, "stopped again: ")) {
    if (auto n = count_before(s.substr(15), kKeysNotSent)) return mark::StoppedAgain{*n};
    return std::nullopt;
  }
  if (starts(s, "hmc: ")) return mark::Hmc{std::string(s.substr(5))};
  if (starts(s, "exit ")) return mark::Exit{std::string(s.substr(5))};
  if (starts(s, "conserver: ")) return mark::Conserver{std::string(s.substr(11))};
  if (auto e = parse_event(s)) return *e;
  return std::nullopt;
}

std::optional<Marker> parse_marker(const CastEvent& e) {
  if (e.type != 'm') return std::nullopt;
  return parse_marker(e.data);
}

}  // namespace vtpilot
