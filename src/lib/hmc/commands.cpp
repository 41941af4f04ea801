// HMC command lines and output (design.md "HMC facts"; captures in ../shared/screens/42..45).
#include "vtpilot/hmc/commands.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace vtpilot::hmc {

namespace {

std::string collapsed_lower(std::string_view s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::string cat(std::initializer_list<std::string_view> words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : " ") + std::string(w);
  return out;
}

}  // namespace

std::string quote(std::string_view w) {
  const bool plain = !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == ':' || c == '=' || c == ',';
  });
  if (plain) return std::string(w);
  std::string out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string mkvterm(std::string_view ms, std::string_view lpar) { return cat({"mkvterm -m", quote(ms), "-p", quote(lpar)}); }
std::string rmvterm(std::string_view ms, std::string_view lpar) { return cat({"rmvterm -m", quote(ms), "-p", quote(lpar)}); }
std::string lpar_state(std::string_view ms, std::string_view lpar) {
  return cat({"lssyscfg -r lpar -m", quote(ms), "--filter", quote("lpar_names=" + std::string(lpar)), "-F state"});
}
std::string lpar_os(std::string_view ms, std::string_view lpar) {
  return cat({"lssyscfg -r lpar -m", quote(ms), "--filter", quote("lpar_names=" + std::string(lpar)), "-F rmc_state,os_version"});
}
std::string power_on_sms(std::string_view ms, std::string_view lpar, std::string_view profile) {
  return cat({"chsysstate -r lpar -m", quote(ms), "-o on -n", quote(lpar), "-f", quote(profile), "-b sms"});
}
std::string shutdown_immed(std::string_view ms, std::string_view lpar) {
  return cat({"chsysstate -r lpar -m", quote(ms), "-o shutdown --immed -n", quote(lpar)});
}
std::string unloadopt(std::string_view ms, std::string_view vios, std::string_view vtd, bool release) {
  return cat({"viosvrcmd -m", quote(ms), "-p", quote(vios), "-c",
              "\"unloadopt " + std::string(release ? "-release " : "") + "-vtd " + std::string(vtd) + "\""});
}
std::string loadopt(std::string_view ms, std::string_view vios, std::string_view vtd, std::string_view iso, bool force) {
  return cat({"viosvrcmd -m", quote(ms), "-p", quote(vios), "-c",
              "\"loadopt " + std::string(force ? "-f " : "") + "-disk " + std::string(iso) + " -vtd " + std::string(vtd) +
                  "\""});
}
std::string lsvopt(std::string_view ms, std::string_view vios, std::string_view vtd) {
  return cat({"viosvrcmd -m", quote(ms), "-p", quote(vios), "-c", "\"lsvopt -vtd " + std::string(vtd) + "\""});
}

std::optional<std::string> parse_lsvopt(std::string_view output, std::string_view vtd) {
  std::size_t at = 0;
  while (at <= output.size()) {
    std::size_t end = output.find('\n', at);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(at, end - at);
    at = end + 1;
    auto words_from = [&](std::size_t from) {
      std::string rest;
      for (std::size_t i = from; i < line.size(); ++i) rest += line[i] == '\t' || line[i] == '\r' ? ' ' : line[i];
      const auto b = rest.find_first_not_of(' ');
      return b == std::string::npos ? std::string() : rest.substr(b);
    };
    const std::string row = words_from(0);
    if (row.rfind(std::string(vtd), 0) != 0 || (row.size() > vtd.size() && row[vtd.size()] != ' ')) continue;
    const std::string rest = words_from(line.find(vtd) + vtd.size());
    if (rest.empty()) return std::nullopt;
    if (collapsed_lower(rest).rfind("no media", 0) == 0) return std::string();
    return rest.substr(0, rest.find(' '));
  }
  return std::nullopt;
}

bool reserve_error(std::string_view output) { return collapsed_lower(output).find("reserve") != std::string::npos; }

std::optional<std::string> hscl_error(std::string_view output) {
  for (std::size_t at = output.find("HSCL"); at != std::string_view::npos; at = output.find("HSCL", at + 4)) {
    // HSCL and four hex digits, at the start of a word (the HMC's message id, e.g. HSCL3006)
    if (at > 0 && std::isalnum(static_cast<unsigned char>(output[at - 1]))) continue;
    if (at + 8 > output.size() ||
        !std::all_of(output.begin() + static_cast<long>(at) + 4, output.begin() + static_cast<long>(at) + 8,
                     [](unsigned char c) { return std::isxdigit(c); }))
      continue;
    std::size_t end = output.find_first_of("\r\n", at);
    std::string line(output.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
  }
  return std::nullopt;
}

std::string failure_text(std::string_view output) {
  if (auto h = hscl_error(output)) return *h;
  std::string s(output);
  for (char& c : s)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  std::string out;
  for (char c : s)
    if (!(c == ' ' && (out.empty() || out.back() == ' '))) out += c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.empty()) return "no message";
  return out.size() > 400 ? out.substr(0, 400) + "..." : out;
}

bool vterm_busy(std::string_view output) {
  return collapsed_lower(output).find("a terminal session is already open for this partition") != std::string::npos;
}

bool vterm_lost(std::string_view output) {
  return collapsed_lower(output).find("this session is no longer connected") != std::string::npos;
}

std::optional<std::string> parse_state(std::string_view output) {
  // The states lssyscfg shows for a partition (HMC V8-V10 documentation of lssyscfg -F state).
  static const std::array<std::string_view, 12> known = {
      "Not Activated", "Running",   "Open Firmware", "Starting",       "Shutting Down", "Error",
      "Not Available", "Migrating - Running", "Migrating - Not Activated", "Hardware Discovery",
      "Suspended",     "Suspending"};
  std::string line;
  for (char c : output) {
    if (c == '\n') {
      if (!line.empty()) break;
      continue;
    }
    if (c != '\r') line += c;
  }
  auto b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  line = line.substr(b, e - b + 1);
  for (auto k : known)
    if (line == k) return line;
  return std::nullopt;
}

std::optional<OsFacts> parse_os(std::string_view output) {
  std::string_view line = output.substr(0, output.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  const std::size_t comma = line.find(',');
  if (comma == std::string_view::npos || hscl_error(output)) return std::nullopt;
  OsFacts f;
  f.rmc_state = std::string(line.substr(0, comma));
  f.os_version = std::string(line.substr(comma + 1));
  if (f.rmc_state.empty() || f.rmc_state.find(' ') != std::string::npos) return std::nullopt;
  f.rmc_active = f.rmc_state == "active";
  // "AIX 7.2 7200-05-03-2148": the word of four digits, then dash-separated digit groups.
  std::size_t at = 0;
  while (at < f.os_version.size()) {
    std::size_t end = f.os_version.find(' ', at);
    if (end == std::string::npos) end = f.os_version.size();
    const std::string w = f.os_version.substr(at, end - at);
    const bool levelish = w.size() >= 7 && w[4] == '-' && std::all_of(w.begin(), w.end(), [](unsigned char c) {
      return std::isdigit(c) || c == '-';
    });
    if (levelish) f.level = w;
    at = end + 1;
  }
  return f;
}

}  // namespace vtpilot::hmc
