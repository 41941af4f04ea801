#include "state.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace lparsim {

std::string read_state_file(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "/" + name);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

bool write_state_file(const std::string& dir, const std::string& name, const std::string& value) {
  std::string tmp = dir + "/." + name + "." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << value << "\n";
    if (!out) return false;
  }
  return ::rename(tmp.c_str(), (dir + "/" + name).c_str()) == 0;
}

}  // namespace lparsim
