#include "vtpilot/record/recorder.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/scan.hpp"
#include "vtpilot/base/exit_code.hpp"
#include "vtpilot/base/utf8.hpp"

namespace vtpilot {

namespace {
// Appends a JSON string: plain ASCII is copied in runs; control characters, quotes and
// backslashes are escaped; other bytes must be valid UTF-8 (the recorder holds back split
// characters) and invalid ones become U+FFFD, as the JSON spec requires. Written by hand
// because transcripts carry the whole console output (10 MB for a 2-hour install): the runs
// are found 16 bytes at a time (scan.hpp) and copied straight into the event's line.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t run = scan::first_json_special(s.data() + i, s.size() - i);
    out.append(s.data() + i, run);
    i += run;
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      // Console lines end in CRLF: the pair is one append (of the 4 characters \r\n).
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
        out.append("\\r\\n", 4);
        i += 2;
        continue;
      }
      switch (c) {
        case '"': out.append("\\\"", 2); break;
        case '\\': out.append("\\\\", 2); break;
        case '\n': out.append("\\n", 2); break;
        case '\r': out.append("\\r", 2); break;
        case '\t': out.append("\\t", 2); break;
        case '\b': out.append("\\b", 2); break;
        case '\f': out.append("\\f", 2); break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        }
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: copy it if valid, else U+FFFD for its first byte.
    std::size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = need != 0 && c >= 0xC2 && c <= 0xF4 && i + need <= s.size();
    for (std::size_t k = 1; ok && k < need; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && need == 3) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 > 0x9F);
    }
    if (ok && need == 4) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 > 0x8F);
    }
    if (ok) {
      out.append(s, i, need);
      i += need;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out += '"';
}
}  // namespace

Recorder::~Recorder() { close(); }

std::optional<std::string> Recorder::open(const std::string& path, int width, int height, const std::string& title,
                                          double unix_time, const CastMeta* meta) {
  close();
  // A file size limit (ulimit -f) must be a failed write like a full disk (EFBIG, then the run
  // halts before the next key with the reason), not SIGXFSZ killing vtpilot mid-run. Children
  // get the default back (src/lib/transport/spawn.cpp).
  std::signal(SIGXFSZ, SIG_IGN);
  path_ = path;
  file_ = std::fopen(path.c_str(), "wx");  // never overwrite an earlier transcript
  if (!file_) {
    ok_ = false;
    error_ = path + ": " + std::strerror(errno);
    return error_;
  }
  std::setvbuf(file_, nullptr, _IONBF, 0);  // each event is one write(2) (event)
  nlohmann::json header = {{"version", 2},
                           {"width", width},
                           {"height", height},
                           {"timestamp", static_cast<long long>(unix_time)},
                           {"title", title},
                           {"env", {{"TERM", "vt100"}}}};
  if (meta) {
    nlohmann::json v{{"command", meta->command}, {"plan", meta->plan}, {"policy", meta->policy}, {"version", meta->version}};
    nlohmann::json o(meta->options);
    for (const auto& [k, n] : meta->numbers) o[k] = n;
    v["options"] = o;
    if (meta->verify) v["verify"] = true;
    header["vtpilot"] = v;
  }
  header_ = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string line = header_ + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    ok_ = false;
    error_ = path + ": " + std::strerror(errno);
    return error_;
  }
  written_ = line.size();
  return std::nullopt;
}

void Recorder::event(double t, const char* type, std::string_view data) {
  if (!file_ || !ok_) return;
  // Events come from several clocks of one run (the engine, the HMC transport): time in a
  // cast never goes backwards, so a reader (ours, asciinema) can trust its order.
  last_t_ = std::max(last_t_, t < 0 ? 0.0 : t);
  // The event is one line built in one buffer kept across events (no allocation per event)
  // and written with one write(2): the stream is unbuffered (open), so when this returns the
  // event is in the file, not in a stdio buffer, and a crash loses nothing.
  char head[64];
  const int n = std::snprintf(head, sizeof head, "[%.6f, \"%s\", ", last_t_, type);
  line_.clear();
  line_.reserve(data.size() + data.size() / 8 + 64);
  line_.append(head, static_cast<std::size_t>(n));
  append_json_string(line_, data);
  line_ += "]\n";
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size() || std::fflush(file_) != 0) {
    ok_ = false;
    error_ = path_ + ": write failed: " + std::strerror(errno);
    return;
  }
  written_ += line_.size();
  if (on_line) on_line(line_, written_);
}

void Recorder::output(double t, std::string_view bytes) {
  if (utf8_tail_.empty()) {  // the common case: the output is not copied
    const std::size_t n = utf8_complete_prefix(bytes);
    if (n) event(t, "o", bytes.substr(0, n));
    utf8_tail_.assign(bytes.substr(n));
    return;
  }
  std::string buf = std::move(utf8_tail_);
  buf.append(bytes);
  std::size_t n = utf8_complete_prefix(buf);
  utf8_tail_ = buf.substr(n);
  if (n) event(t, "o", std::string_view(buf).substr(0, n));
}

void Recorder::input(double t, std::string_view keys, bool secret) { event(t, "i", secret ? "***" : keys); }
void Recorder::marker(double t, const Marker& m) { event(t, "m", format_marker(m)); }

void Recorder::end(double t, const CastEnd& e) {
  if (ended_ || !file_) return;
  ended_ = true;
  // The console's last bytes may still sit in the UTF-8 tail: they go before the end.
  if (!utf8_tail_.empty()) {
    std::string tail = std::move(utf8_tail_);
    event(t, "o", tail);
  }
  marker(t, e);
}

void Recorder::close() {
  if (!file_) return;
  if (!utf8_tail_.empty()) {
    std::string tail = std::move(utf8_tail_);
    event(0, "o", tail);  // invalid as UTF-8: written with replacement characters
  }
  if (std::fclose(file_) != 0 && ok_) {
    ok_ = false;
    error_ = path_ + ": " + std::strerror(errno);
  }
  file_ = nullptr;
}

std::optional<std::string> read_cast(const std::string& path, Cast& cast) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return path + ": " + std::strerror(errno);
  // An ifstream opens a directory and then reads nothing: say what it is, not "empty file".
  if (S_ISDIR(st.st_mode)) return path + ": is a directory, expected an asciicast file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": " + std::strerror(errno);
  std::string line;
  int n = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded())
      return path + ":" + std::to_string(n) +
             (header ? ": not JSON" : ": not an asciicast v2 file (its first line must be the JSON header)");
    if (!header) {
      auto number = [&](const char* key, int fallback) {
        auto it = j.find(key);
        return it != j.end() && it->is_number_integer() ? it->get<long long>() : (it == j.end() ? fallback : -1);
      };
      if (!j.is_object() || number("version", 0) != 2)
        return path + ":" + std::to_string(n) + ": not an asciicast v2 header (expected {\"version\": 2, ...})";
      const long long w = number("width", 80), h = number("height", 24);
      if (w < 10 || w > 1000 || h < 2 || h > 500)
        return path + ":" + std::to_string(n) + ": unreasonable terminal size in the header";
      cast.width = static_cast<int>(w);
      cast.height = static_cast<int>(h);
      if (auto v = j.find("vtpilot"); v != j.end() && v->is_object()) {
        CastMeta m;
        auto text = [&](const nlohmann::json& o, const char* key) {
          auto it = o.find(key);
          return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        m.command = text(*v, "command");
        m.plan = text(*v, "plan");
        m.version = text(*v, "version");
        if (auto it = v->find("verify"); it != v->end() && it->is_boolean()) m.verify = it->get<bool>();
        if (auto it = v->find("policy"); it != v->end() && it->is_object())
          for (auto& [k, x] : it->items())
            if (x.is_string()) m.policy[k] = x.get<std::string>();
        if (auto it = v->find("options"); it != v->end() && it->is_object())
          for (auto& [k, x] : it->items()) {
            if (x.is_string()) m.options[k] = x.get<std::string>();
            else if (x.is_number()) m.numbers[k] = x.get<double>();
          }
        cast.meta = std::move(m);
      }
      header = true;
      continue;
    }
    if (!j.is_array() || j.size() < 3 || !j[0].is_number() || !j[1].is_string() || !j[2].is_string())
      return path + ":" + std::to_string(n) + ": expected [time, \"o\"|\"i\"|\"m\", \"data\"]";
    std::string type = j[1].get<std::string>();
    if (type != "o" && type != "i" && type != "m") continue;  // other event types are ignored
    const double t = j[0].get<double>();
    if (!(t >= 0) || t > 1e9) return path + ":" + std::to_string(n) + ": bad event time";
    CastEvent e{t, type[0], j[2].get<std::string>(), n};
    if (!cast.events.empty() && e.t < cast.events.back().t)
      return path + ":" + std::to_string(n) + ": time goes backwards";
    cast.events.push_back(std::move(e));
  }
  if (in.bad()) return path + ":" + std::to_string(n + 1) + ": read error: " + std::strerror(errno);
  if (!header) return path + ": empty file, not an asciicast";
  return std::nullopt;
}

}  // namespace vtpilot
