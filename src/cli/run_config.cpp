// vtpilot run --config FILE: ssh to the HMC and mkvterm (issue 5).
// Placeholder until the libssh transport lands: a clear error, exit 2.
#include <iostream>

#include "commands.hpp"

namespace vtpilot::cli {

int run_config(const RunArgs& args) {
  (void)args;
  std::cerr << "vtpilot run: --config (ssh to the HMC + mkvterm) is not available in this build yet; "
               "use --spawn or --sim\n";
  return kUsage;
}

}  // namespace vtpilot::cli
