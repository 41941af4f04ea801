// Parsers of the runbook's pre-flight and acceptance commands' output. See acceptance_parse.hpp.
// Output shapes are AIX 7.1 / 7.2's (oslevel(1), lppchk(1), instfix(1), bootlist(1), lspv(1),
// errpt(1), lscfg(1), df(1), lsvg(1)); a line that fits no shape is kept, never guessed at.
#include "vtpilot/shell/acceptance_parse.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "vtpilot/base/regex.hpp"

namespace vtpilot {

namespace {

std::vector<std::string> lines_of(std::string_view out) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : out) {
    if (c == '\n') {
      v.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> w;
  std::istringstream is{std::string(s)};
  for (std::string x; is >> x;) w.push_back(x);
  return w;
}

long to_long(std::string_view s) {
  std::string t(s);
  char* end = nullptr;
  long v = std::strtol(t.c_str(), &end, 10);
  return end && end != t.c_str() ? v : -1;
}

double to_mb(const std::string& s, double unit_mb) {
  if (s == "-" || s.empty()) return -1;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (!end || end == s.c_str()) return -1;
  return v * unit_mb;
}

}  // namespace


OsLevel parse_oslevel(std::string_view out) {
  static const Regex level(R"(^\s*(\d{4}-\d{2}-\d{2}-\d{4})\s*$)");
  OsLevel o;
  for (const std::string& l : lines_of(out)) {
    if (o.level.empty())
      if (auto m = level.find(l)) {
        o.level = std::string(m->group(1));
        continue;
      }
    if (!trim(l).empty()) o.other_lines.push_back(trim(l));
  }
  return o;
}

Lppchk parse_lppchk(std::string_view out) {
  // "  bos.rte.libc 7.2.5.0                    (usr: COMMITTED, root: not installed)"
  static const Regex problem(R"(^\s+([A-Za-z0-9_.+-]+)\s+(\d+\.\d+\.\d+\.\d+)\s+\((.*)\)\s*$)");
  Lppchk r;
  for (const std::string& l : lines_of(out)) {
    if (trim(l).empty()) continue;
    r.clean = false;
    if (auto m = problem.find(l)) r.problems.push_back({std::string(m->group(1)), std::string(m->group(2)), std::string(m->group(3))});
    else r.other_lines.push_back(trim(l));
  }
  return r;
}

std::vector<MlLine> parse_instfix_ml(std::string_view out) {
  static const Regex ml(R"(^\s*(All|Not all) filesets for (\S+) were found\.?\s*$)");
  std::vector<MlLine> v;
  for (const std::string& l : lines_of(out))
    if (auto m = ml.find(l)) v.push_back({std::string(m->group(2)), m->group(1) == "All"});
  return v;
}

std::vector<BootEntry> parse_bootlist(std::string_view out) {
  std::vector<BootEntry> v;
  for (const std::string& l : lines_of(out)) {
    auto w = words(l);
    if (w.empty()) continue;
    // device names are short words (hdisk0, cd0, ent0); anything else is a message
    if (!std::all_of(w[0].begin(), w[0].end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; })) continue;
    BootEntry e{w[0], ""};
    for (std::size_t i = 1; i < w.size(); ++i) e.attrs += (i > 1 ? " " : "") + w[i];
    if (!e.attrs.empty() && e.attrs.find('=') == std::string::npos) continue;  // a sentence, not an entry
    v.push_back(e);
  }
  return v;
}

std::vector<PhysicalVolume> parse_lspv(std::string_view out) {
  static const Regex row(R"(^(\S+)\s+([0-9a-fA-F]{16}|none)\s+(\S+)(?:\s+(\S+))?\s*$)");
  std::vector<PhysicalVolume> v;
  for (const std::string& l : lines_of(out))
    if (auto m = row.find(l)) v.push_back({std::string(m->group(1)), std::string(m->group(2)), std::string(m->group(3)), std::string(m->group(4))});
  return v;
}

std::vector<ErrptEntry> parse_errpt(std::string_view out) {
  // A6DF45AA   1124151725 I O RMCdaemon      The daemon is started.
  static const Regex row(R"(^([0-9A-F]{8})\s+(\d{10})\s+(\S)\s+(\S)\s+(\S+)\s+(.*?)\s*$)");
  std::vector<ErrptEntry> v;
  for (const std::string& l : lines_of(out))
    if (auto m = row.find(l))
      v.push_back({std::string(m->group(1)), std::string(m->group(2)), std::string(m->group(3)), std::string(m->group(4)),
                   std::string(m->group(5)), std::string(m->group(6))});
  return v;
}

std::vector<DeviceLocation> parse_lscfg(std::string_view out) {
  // The device line is indented by two; its location code (when the device has one) starts
  // with U (a physical location code). VPD lines are indented further and hold dots.
  static const Regex dev(R"(^\s{1,4}([a-z]+\d+)\s+(U[0-9A-Za-z.]+(?:-[0-9A-Za-z]+)*)?\s*(.*?)\s*$)");
  static const Regex serial(R"(^\s+Serial Number\.+(\S+)\s*$)");
  std::vector<DeviceLocation> v;
  for (const std::string& l : lines_of(out)) {
    if (auto m = serial.find(l)) {
      if (!v.empty()) v.back().serial = std::string(m->group(1));
      continue;
    }
    if (l.find("..") != std::string::npos) continue;  // other VPD lines
    if (auto m = dev.find(l)) v.push_back({std::string(m->group(1)), std::string(m->group(2)), std::string(m->group(3)), ""});
  }
  return v;
}

std::vector<FileSystem> parse_df(std::string_view out) {
  std::vector<FileSystem> v;
  double unit = 1;  // MB per block
  bool header = false;
  for (const std::string& l : lines_of(out)) {
    if (l.rfind("Filesystem", 0) == 0) {
      header = true;
      if (l.find("GB blocks") != std::string::npos) unit = 1024;
      else if (l.find("MB blocks") != std::string::npos) unit = 1;
      else if (l.find("1024-blocks") != std::string::npos) unit = 1.0 / 1024;
      else if (l.find("512-blocks") != std::string::npos) unit = 1.0 / 2048;
      continue;
    }
    if (!header) continue;
    auto w = words(l);
    if (w.size() < 7) continue;
    FileSystem f;
    f.device = w[0];
    f.size_mb = to_mb(w[1], unit);
    f.free_mb = to_mb(w[2], unit);
    f.mount = w[6];
    for (std::size_t i = 7; i < w.size(); ++i) f.mount += " " + w[i];
    v.push_back(f);
  }
  return v;
}

std::optional<VolumeGroup> parse_lsvg(std::string_view out) {
  static const Regex name(R"(VOLUME GROUP:\s+(\S+))");
  static const Regex state(R"(VG STATE:\s+(\S+))");
  static const Regex pp(R"(PP SIZE:\s+(\d+)\s+megabyte)");
  static const Regex total(R"(TOTAL PPs:\s+(\d+))");
  static const Regex free(R"(FREE PPs:\s+(\d+)\s+\((\d+)\s+megabytes\))");
  static const Regex stale_pvs(R"(STALE PVs:\s+(\d+))");
  static const Regex stale_pps(R"(STALE PPs:\s+(\d+))");
  const std::string text(out);
  auto m = name.find(text);
  if (!m) return std::nullopt;
  VolumeGroup g;
  g.name = std::string(m->group(1));
  if (auto x = state.find(text)) g.state = std::string(x->group(1));
  if (auto x = pp.find(text)) g.pp_size_mb = to_long(x->group(1));
  if (auto x = total.find(text)) g.total_pps = to_long(x->group(1));
  if (auto x = free.find(text)) {
    g.free_pps = to_long(x->group(1));
    g.free_mb = to_long(x->group(2));
  }
  if (auto x = stale_pvs.find(text)) g.stale_pvs = to_long(x->group(1));
  if (auto x = stale_pps.find(text)) g.stale_pps = to_long(x->group(1));
  return g;
}

std::vector<LogicalVolume> parse_lsvg_l(std::string_view out) {
  std::vector<LogicalVolume> v;
  bool header = false;
  for (const std::string& l : lines_of(out)) {
    if (l.rfind("LV NAME", 0) == 0) {
      header = true;
      continue;
    }
    auto w = words(l);
    if (!header || w.size() < 7) continue;
    v.push_back({w[0], w[1], w[5], w[6]});
  }
  return v;
}

}  // namespace vtpilot
