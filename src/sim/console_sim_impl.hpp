// lpar-sim: what the files of the console core (ConsoleSim) share, private to src/sim.
//
// The core is one class split by screen family: console_sim.cpp (setup, time, key input and
// the dispatch of a submitted line), screens_firmware.cpp (POST, Open Firmware, booting),
// screens_sms.cpp (SMS menus), screens_bos.cpp (BOS installer menus), install.cpp (progress,
// media swap, reboot) and aix_shell.cpp (TERM prompt, login, the small root shell).
#pragma once

#include <algorithm>
#include <string>

namespace lparsim::text {

inline std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}
inline std::string rpad_num(long v, std::size_t w) {
  std::string s = std::to_string(v);
  if (s.size() < w) s.insert(0, w - s.size(), ' ');
  return s;
}
inline std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}
inline bool all_digits(const std::string& s) {
  return !s.empty() && s.size() < 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
inline std::string upper_hex_digit(int v) {
  const char* d = "0123456789ABCDEF";
  return std::string(1, d[v & 15]);
}

}  // namespace lparsim::text
