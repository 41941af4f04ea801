// Importing recordings: see include/vtpilot/record/import.hpp. Pure: text in, events out.
#include "vtpilot/record/import.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "vtpilot/base/regex.hpp"
#include "vtpilot/record/markers.hpp"
#include "vtpilot/term/terminal.hpp"
#include "vtpilot/base/utf8.hpp"

namespace vtpilot {

namespace {

using Json = nlohmann::json;

std::string at(const std::string& name, int line) { return name + ":" + std::to_string(line) + ": "; }

// Splits into lines (without their '\n'); a last line without '\n' counts.
std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Bytes no console log holds in bulk: NUL and C0 controls other than the ones terminals use,
// and bytes that are not UTF-8 (a console log in Latin-1 has a few, a binary file has many).
bool looks_binary(std::string_view s) {
  const std::size_t n = std::min<std::size_t>(s.size(), 1 << 20);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) {
      if (c != '\t' && c != '\n' && c != '\r' && c != '\b' && c != '\a' && c != 0x1b && c != 0x0e && c != 0x0f &&
          c != '\f')
        ++bad;
      continue;
    }
    if (c < 0x80) continue;
    std::size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = need != 0 && c >= 0xC2 && i + need <= s.size();
    for (std::size_t k = 1; ok && k < need; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok) {
      i += need - 1;
      continue;
    }
    ++bad;
  }
  return n > 0 && bad * 20 > n;  // more than 5% of the bytes
}

bool parse_double(std::string_view s, double& v) {
  // from_chars for double is in g++ 12's libstdc++.
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && v >= 0 && v < 1e9;
}
bool parse_size(std::string_view s, std::size_t& v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> words(std::string_view s, std::size_t max) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size() && out.size() < max) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\r')) ++pos;
    if (pos >= s.size()) break;
    if (out.size() + 1 == max) {  // the last word takes the rest of the line
      std::string_view rest = s.substr(pos);
      while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
      out.push_back(rest);
      break;
    }
    std::size_t end = pos;
    while (end < s.size() && s[end] != ' ' && s[end] != '\t' && s[end] != '\r') ++end;
    out.push_back(s.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

// "2026-12-03 10:27:23+00:00" (script's START_TIME and header), as Unix time; 0 if not that.
long long parse_iso_time(std::string_view s) {
  int y, mo, d, h, mi, se, oh = 0, om = 0;
  char sign = '+';
  const std::string str(s.substr(0, 40));
  const int n = std::sscanf(str.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c%2d:%2d", &y, &mo, &d, &h, &mi, &se, &sign, &oh, &om);
  if (n < 6) return 0;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  long long t = static_cast<long long>(timegm(&tm));
  if (n == 9) t -= (sign == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
  return t;
}

// ctime(3)'s "Thu Dec  3 10:27:23 2026" (conserver's StrTime), as seconds in its own zone.
std::optional<long long> parse_ctime(std::string_view s) {
  static const char* months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (s.size() != 24) return std::nullopt;
  const std::string str(s);
  char wd[4], mon[4];
  int d, h, mi, se, y;
  if (std::sscanf(str.c_str(), "%3s %3s %d %d:%d:%d %d", wd, mon, &d, &h, &mi, &se, &y) != 7) return std::nullopt;
  const char* m = std::strstr(months, mon);
  if (!m || (m - months) % 3 != 0) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = static_cast<int>((m - months) / 3);
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<long long>(timegm(&tm));
}

// COLUMNS="80" LINES="24" in script's header line.
void size_from_header(std::string_view header, ImportedLog& log) {
  auto value = [&](std::string_view key) -> int {
    const std::size_t at = header.find(key);
    if (at == std::string_view::npos) return 0;
    std::size_t i = at + key.size();
    int v = 0;
    while (i < header.size() && std::isdigit(static_cast<unsigned char>(header[i]))) v = v * 10 + (header[i++] - '0');
    return v;
  };
  if (int c = value("COLUMNS=\""); c >= 10 && c <= 1000) log.width = c;
  if (int r = value("LINES=\""); r >= 2 && r <= 500) log.height = r;
}

// A typescript: its "Script started on DATE [...]" line (skipped, as scriptreplay does), the
// bytes the timing file counts, and script's "Script done on" line. Returns the data's offset.
std::size_t typescript_body(const std::string& text, ImportedLog& log) {
  if (!starts_with(text, "Script started on ")) return 0;
  const std::size_t nl = text.find('\n');
  const std::string_view header = std::string_view(text).substr(0, nl == std::string::npos ? text.size() : nl);
  if (!log.timestamp) log.timestamp = parse_iso_time(header.substr(18));
  size_from_header(header, log);
  return nl == std::string::npos ? text.size() : nl + 1;
}

// What follows the counted bytes may only be script's closing line.
bool is_done_trailer(std::string_view rest) {
  if (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
  return rest.empty() || (starts_with(rest, "Script done on ") && rest.find('\n') >= rest.size() - 1);
}

void add(ImportedLog& log, double t, char type, std::string data, int line = 0) {
  if (!log.events.empty()) t = std::max(t, log.events.back().t);
  log.events.push_back(CastEvent{t, type, std::move(data), line});
}

// Output of a plain log in pieces of about 4 KB cut after a newline (a cast reader reads a line
// at a time; one 10 MB line helps no one). A log with no CR at all is read as lines (LF = CRLF).
void add_text_output(ImportedLog& log, double t, std::string_view text) {
  std::string s = normalize_capture(std::string(text));
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = pos + 4096 >= s.size() ? s.size() : s.find('\n', pos + 4096);
    end = end == std::string::npos ? s.size() : std::min(s.size(), end + 1);
    add(log, t, 'o', s.substr(pos, end - pos));
    pos = end;
  }
}

// ---- script(1) with a timing file ----------------------------------------------------------

struct Stream {
  const ImportFile* file = nullptr;
  std::size_t pos = 0, end = 0;
};

std::optional<std::string> import_script(const ImportRequest& rq, ImportedLog& log) {
  const ImportFile& timing = *rq.timing;
  const auto tl = lines_of(timing.text);
  bool advanced = false;
  for (std::string_view l : tl) {
    auto w = words(l, 2);
    if (w.empty()) continue;
    advanced = w[0].size() == 1 && std::isalpha(static_cast<unsigned char>(w[0][0]));
    break;
  }
  if (tl.empty()) return timing.name + ": empty timing file";
  const ImportFile* out_file = rq.io ? &*rq.io : rq.out ? &*rq.out : rq.file ? &*rq.file : nullptr;
  if (!out_file) return std::string("a timing file needs its typescript: FILE, --log-out or --log-io");
  if (!advanced && rq.in)
    return timing.name + ": a classic timing file (DELAY BYTES) has no keys; --log-in needs the advanced format "
                         "(script --log-timing with --log-in or --log-io)";
  if (!advanced && rq.io)
    return timing.name + ": a classic timing file (DELAY BYTES) cannot split a --log-io file into keys and output";
  log.format = advanced ? "script-advanced" : "script-classic";
  log.timed = true;

  Stream out{out_file, 0, out_file->text.size()}, in;
  out.pos = typescript_body(out_file->text, log);
  bool io = rq.io.has_value();
  if (rq.in) {
    in = Stream{&*rq.in, 0, rq.in->text.size()};
    in.pos = typescript_body(rq.in->text, log);
  }
  // The timing's own headers say when one file holds both (OUTPUT_LOG = INPUT_LOG): a
  // typescript given as FILE or --log-out is then the --log-io file.
  std::string out_log, in_log;
  for (std::string_view l : tl) {
    auto w = words(l, 4);
    if (w.size() == 4 && w[0] == "H" && w[2] == "OUTPUT_LOG") out_log = std::string(w[3]);
    if (w.size() == 4 && w[0] == "H" && w[2] == "INPUT_LOG") in_log = std::string(w[3]);
  }
  if (!io && !rq.in && !out_log.empty() && out_log == in_log) io = true;

  double t = 0;
  std::string pending_out;  // an incomplete UTF-8 character held for the next output chunk
  for (std::size_t i = 0; i < tl.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    std::string_view l = tl[i];
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) continue;
    auto w = words(l, advanced ? 4 : 3);
    double delay = 0;
    std::size_t bytes = 0;
    if (!advanced) {
      if (w.size() != 2 || !parse_double(w[0], delay) || !parse_size(w[1], bytes))
        return at(timing.name, n) + "not a script timing line (expected DELAY BYTES, e.g. \"0.415 12\")";
      t += delay;
      Stream& s = out;
      if (bytes > s.end - s.pos)
        return at(timing.name, n) + "the timing file does not match its typescript " + s.file->name + ": it asks for " +
               std::to_string(bytes) + " more bytes, the typescript has " + std::to_string(s.end - s.pos) + " left";
      pending_out.append(s.file->text, s.pos, bytes);
      s.pos += bytes;
      const std::size_t k = utf8_complete_prefix(pending_out);
      if (k) add(log, t, 'o', pending_out.substr(0, k), n);
      pending_out.erase(0, k);
      continue;
    }
    if (w.size() < 2 || w[0].size() != 1 || !parse_double(w[1], delay))
      return at(timing.name, n) + "not a script timing line (expected O|I|H|S DELAY ..., e.g. \"O 0.415 12\")";
    t += delay;
    const char type = w[0][0];
    if (type == 'H') {
      auto h = words(l, 4);
      if (h.size() == 4 && h[2] == "START_TIME") log.timestamp = parse_iso_time(h[3]);
      if (h.size() == 4 && h[2] == "COLUMNS") {
        int c = std::atoi(std::string(h[3]).c_str());
        if (c >= 10 && c <= 1000) log.width = c;
      }
      if (h.size() == 4 && h[2] == "LINES") {
        int r = std::atoi(std::string(h[3]).c_str());
        if (r >= 2 && r <= 500) log.height = r;
      }
      continue;
    }
    if (type == 'S') {  // S DELAY SIGWINCH ROWS=R COLS=C
      std::string rest = w.size() > 2 ? std::string(l.substr(l.find(w[2]))) : "";
      int rows = 0, cols = 0;
      if (auto p = rest.find("ROWS="); p != std::string::npos) rows = std::atoi(rest.c_str() + p + 5);
      if (auto p = rest.find("COLS="); p != std::string::npos) cols = std::atoi(rest.c_str() + p + 5);
      if (rows > 0 && cols > 0) add(log, t, 'r', std::to_string(cols) + "x" + std::to_string(rows), n);
      continue;
    }
    if (type != 'O' && type != 'I')
      return at(timing.name, n) + "unknown entry type '" + std::string(1, type) + "' (script writes O, I, H and S)";
    if (w.size() != 3 || !parse_size(w[2], bytes))
      return at(timing.name, n) + "not a script timing line (expected " + std::string(1, type) + " DELAY BYTES)";
    Stream* s = type == 'O' ? &out : io ? &out : rq.in ? &in : nullptr;
    if (!s) continue;  // keys, but only the output file was given: replayed as scriptreplay does
    if (bytes > s->end - s->pos)
      return at(timing.name, n) + "the timing file does not match its " + (type == 'O' ? "typescript " : "input log ") +
             s->file->name + ": it asks for " + std::to_string(bytes) + " more bytes, the file has " +
             std::to_string(s->end - s->pos) + " left";
    std::string data = s->file->text.substr(s->pos, bytes);
    s->pos += bytes;
    if (type == 'O') {
      pending_out += data;
      const std::size_t k = utf8_complete_prefix(pending_out);
      if (k) add(log, t, 'o', pending_out.substr(0, k), n);
      pending_out.erase(0, k);
    } else {
      add(log, t, 'i', std::move(data), n);
    }
  }
  if (!pending_out.empty()) add(log, t, 'o', pending_out);
  for (const Stream* s : {&out, rq.in ? &in : nullptr}) {
    if (!s) continue;
    const std::string_view rest = std::string_view(s->file->text).substr(s->pos);
    if (!is_done_trailer(rest))
      return timing.name + ": the timing file does not match " + s->file->name + ": " + std::to_string(rest.size()) +
             " bytes of it are not in the timing file (a timing file from another recording?)";
  }
  return std::nullopt;
}

// ---- asciicast v2 / v3 -----------------------------------------------------------------------

std::optional<std::string> import_asciicast(const ImportFile& f, const Json& header, ImportedLog& log) {
  const int version = header.value("version", 0);
  log.format = version == 3 ? "asciicast-v3" : "asciicast-v2";
  log.timed = true;
  auto int_of = [](const Json& j, const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_number_integer() ? it->get<long long>() : -1;
  };
  long long w = -1, h = -1;
  if (version == 2) {
    w = int_of(header, "width");
    h = int_of(header, "height");
  } else if (auto term = header.find("term"); term != header.end() && term->is_object()) {
    w = int_of(*term, "cols");
    h = int_of(*term, "rows");
  }
  // asciinema writes 0 x 0 when it records without a terminal size (in a pipe or under script
  // with no size): the console's own 80 x 24 then.
  if (w > 0 && (w < 10 || w > 1000)) return at(f.name, 1) + "unreasonable terminal width " + std::to_string(w);
  if (h > 0 && (h < 2 || h > 500)) return at(f.name, 1) + "unreasonable terminal height " + std::to_string(h);
  if (w > 0) log.width = static_cast<int>(w);
  if (h > 0) log.height = static_cast<int>(h);
  if (long long ts = int_of(header, "timestamp"); ts > 0) log.timestamp = ts;
  if (auto it = header.find("title"); it != header.end() && it->is_string()) log.title = it->get<std::string>();

  const auto ls = lines_of(f.text);
  double t = 0;
  for (std::size_t i = 1; i < ls.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    std::string_view l = ls[i];
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty() || (version == 3 && l.front() == '#')) continue;
    Json j = Json::parse(l, nullptr, false);
    if (j.is_discarded() || !j.is_array() || j.size() < 3 || !j[0].is_number() || !j[1].is_string() ||
        !j[2].is_string())
      return at(f.name, n) + "expected an event [time, \"o\"|\"i\"|\"m\"|\"r\"" + (version == 3 ? "|\"x\"" : "") +
             ", \"data\"]";
    const double v = j[0].get<double>();
    if (!(v >= 0) || v > 1e9) return at(f.name, n) + "bad event time";
    if (version == 3) {
      t += v;  // v3 times are intervals since the previous event
    } else {
      if (v < t) return at(f.name, n) + "time goes backwards";
      t = v;
    }
    const std::string type = j[1].get<std::string>();
    std::string data = j[2].get<std::string>();
    if (type == "o" || type == "i" || type == "m" || type == "r")
      add(log, t, type[0], std::move(data), n);
    else if (type == "x")  // v3: the recorded program's exit status
      add(log, t, 'm', format_marker(mark::Exit{data}), n);
    // other codes are ignored, as asciinema's players do
  }
  return std::nullopt;
}

// ---- conserver -----------------------------------------------------------------------------

// "[-- WHAT -- Thu Dec  3 10:27:23 2026]" (TagLogfile, Mark in conserver/group.c), CRLF after.
const Regex& conserver_tag() {
  static const Regex re(
      R"(\[-- ([^\r\n\]]{1,200}?) -- ((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4})\]\r?\n?)",
      false);
  return re;
}

void import_conserver(const ImportFile& f, ImportedLog& log) {
  log.format = "conserver";
  log.timed = true;
  std::optional<long long> start;
  double t = 0;
  std::size_t pos = 0;
  const std::string& s = f.text;
  std::size_t from = 0;
  while (auto m = conserver_tag().find(s, from)) {
    const std::size_t mpos = m->spans[0].first;
    from = m->end();
    if (mpos > pos) add_text_output(log, t, std::string_view(s).substr(pos, mpos - pos));
    const std::string when_text(m->group(2));
    if (auto when = parse_ctime(when_text)) {
      if (!start) {
        start = *when;
        log.title = "conserver log from " + when_text;
      }
      t = std::max(t, static_cast<double>(*when - *start));
    }
    add(log, t, 'm', format_marker(mark::Conserver{std::string(m->group(1))}));
    pos = m->end();
  }
  if (pos < s.size()) add_text_output(log, t, std::string_view(s).substr(pos));
}

}  // namespace

int mask_passwords(std::vector<CastEvent>& events) {
  static const Regex prompt(R"(password( for [^:\r\n]*)?:\s*$)", false, true);
  std::string line;  // the output's last line so far (bounded)
  std::vector<CastEvent> out;
  out.reserve(events.size());
  bool secret = false;
  int masked = 0;
  for (CastEvent& e : events) {
    if (e.type == 'o') {
      for (char c : e.data) {
        if (c == '\n' || c == '\r') line.clear();
        else line += c;
      }
      if (line.size() > 256) line.erase(0, line.size() - 256);
      out.push_back(std::move(e));
      continue;
    }
    if (e.type != 'i') {
      out.push_back(std::move(e));
      continue;
    }
    // Already masked (a vtpilot transcript writes the whole answer, Enter included, as "***").
    if (!secret && e.data == "***") {
      line.clear();
      out.push_back(std::move(e));
      continue;
    }
    if (!secret && prompt.search(line)) {
      secret = true;
      ++masked;
      out.push_back(CastEvent{e.t, 'i', "***", e.line});
    }
    if (!secret) {
      out.push_back(std::move(e));
      continue;
    }
    // The password's keys up to and including its Enter are the "***"; what follows is kept.
    const std::size_t enter = e.data.find_first_of("\r\n");
    if (enter == std::string::npos) continue;
    secret = false;
    line.clear();
    std::size_t rest = enter + 1;
    if (e.data[enter] == '\r' && rest < e.data.size() && e.data[rest] == '\n') ++rest;
    if (rest < e.data.size()) out.push_back(CastEvent{e.t, 'i', e.data.substr(rest), e.line});
  }
  events = std::move(out);
  return masked;
}

std::optional<std::string> import_log(const ImportRequest& rq, ImportedLog& log) {
  log = ImportedLog{};
  if (rq.io && rq.out) return std::string("--log-io and --log-out exclude each other (one file holds both, or two files)");
  if (rq.file && (rq.io || rq.out)) return std::string("the typescript is given twice: FILE and --log-io/--log-out");
  if (rq.io && rq.in) return std::string("--log-io already holds the keys; --log-in is for --log-out");
  if (!rq.timing && rq.io)
    return std::string("--log-io needs --log-timing: without it keys and output cannot be told apart (and a password "
                       "typed would show as output)");
  if (!rq.timing && rq.in) return std::string("--log-in needs --log-timing to place the keys in time");
  std::optional<std::string> err;
  if (rq.timing) {
    err = import_script(rq, log);
  } else {
    const ImportFile* f = rq.out ? &*rq.out : rq.file ? &*rq.file : nullptr;
    if (!f) return std::string("nothing to import: give a log FILE (or --log-timing with its typescript)");
    const std::string& s = f->text;
    const std::size_t first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return f->name + ": empty, nothing to import";
    const std::size_t nl = s.find('\n');
    if (s[first] == '{') {
      Json header = Json::parse(std::string_view(s).substr(0, nl), nullptr, false);
      if (!header.is_discarded()) {
        if (!header.is_object() || !header.contains("version"))
          return at(f->name, 1) + "JSON, but not an asciicast header ({\"version\": 2, ...} or {\"version\": 3, ...})";
        const auto& v = header["version"];
        if (!v.is_number_integer() || (v.get<int>() != 2 && v.get<int>() != 3))
          return at(f->name, 1) + "asciicast version " + v.dump() + " is not one vtpilot reads (2 or 3)";
        err = import_asciicast(*f, header, log);
      }
    }
    if (log.format.empty() && !err) {
      if (looks_binary(s)) return f->name + ": binary data, not a console log";
      static const Regex putty(
          R"(^=~=~=~=~=~=~=~=~=~=~=~= PuTTY log (\d{4})\.(\d\d)\.(\d\d) (\d\d:\d\d:\d\d) =~=~=~=~=~=~=~=~=~=~=~=\r?\n)",
          false);
      const std::string head = s.substr(0, std::min<std::size_t>(s.size(), 200));
      const auto pm = putty.find(head);
      if (starts_with(s, "Script started on ")) {
        log.format = "script-typescript";
        const std::size_t body = typescript_body(s, log);
        std::string_view rest = std::string_view(s).substr(body);
        const std::size_t done = rest.rfind("Script done on ");
        if (done != std::string_view::npos && is_done_trailer(rest.substr(done ? done - 1 : 0)))
          rest = rest.substr(0, done ? done - 1 : 0);
        add_text_output(log, 0, rest);
      } else if (pm) {
        log.format = "putty";
        log.timestamp = parse_iso_time(std::string(pm->group(1)) + "-" + std::string(pm->group(2)) + "-" +
                                       std::string(pm->group(3)) + " " + std::string(pm->group(4)));
        add_text_output(log, 0, std::string_view(s).substr(pm->end()));
      } else if (conserver_tag().search(s)) {
        import_conserver(*f, log);
      } else {
        log.format = "plain";
        add_text_output(log, 0, s);
      }
    }
  }
  if (err) return err;
  log.passwords_masked = mask_passwords(log.events);
  return std::nullopt;
}

std::string cast_text(const ImportedLog& log) {
  Json header = {{"version", 2}, {"width", log.width}, {"height", log.height}};
  if (log.timestamp > 0) header["timestamp"] = log.timestamp;
  if (!log.title.empty()) header["title"] = log.title;
  header["vtpilot"] = {{"command", "import"}, {"source", log.format}};
  std::string out = header.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  char head[48];
  for (const CastEvent& e : log.events) {
    std::snprintf(head, sizeof head, "[%.6f, \"%c\", ", e.t, e.type);
    out += head;
    out += Json(e.data).dump(-1, ' ', false, Json::error_handler_t::replace);
    out += "]\n";
  }
  return out;
}

}  // namespace vtpilot
