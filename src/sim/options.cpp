// lpar-sim: parsing of the console's option values (options.hpp).
#include <sstream>

#include "console_sim_impl.hpp"
#include "options.hpp"

namespace lparsim {

using text::all_digits;
using text::trim;

std::string parse_disks(const std::string& spec, std::vector<DiskSpec>& out) {
  out.clear();
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    std::vector<std::string> f;
    std::stringstream is(item);
    for (std::string p; std::getline(is, p, ':');) f.push_back(p);
    if (f.size() < 2 || f[0].empty() || f[1].empty()) return "bad disk '" + item + "' (want NAME:VG[:SIZE_MB[:LOCATION[:PVID]]])";
    DiskSpec d;
    d.name = f[0];
    d.vg = f[1];
    if (f.size() > 2 && !f[2].empty()) {
      if (!all_digits(f[2])) return "bad size in '" + item + "'";
      d.size_mb = std::stoi(f[2]);
    }
    if (f.size() > 3) d.location = f[3];
    if (f.size() > 4) d.pvid = f[4];
    if (f.size() > 5) return "too many fields in '" + item + "'";
    for (auto& o : out)
      if (o.name == d.name) return "disk " + d.name + " given twice";
    out.push_back(d);
  }
  if (out.empty()) return "no disks";
  return "";
}

}  // namespace lparsim
