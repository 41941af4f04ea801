// lpar-sim hmc: HMC commands (mkvterm, rmvterm, lssyscfg, chsysstate, viosvrcmd).
#pragma once

#include <string>
#include <vector>

namespace lparsim {

// Shell-like split of SSH_ORIGINAL_COMMAND ('single', "double" quotes and backslashes).
std::vector<std::string> split_words(const std::string& s);
// Run one HMC command line; returns its exit code. `self` is this program (for the console daemon).
int run_hmc(const std::string& state_dir, const std::string& self, const std::vector<std::string>& words);

}  // namespace lparsim
