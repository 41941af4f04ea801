// lpar-sim hmc: HMC commands (mkvterm, rmvterm, lssyscfg, chsysstate, viosvrcmd).
#pragma once

#include <string>
#include <vector>

namespace lparsim {

// Shell-like split of SSH_ORIGINAL_COMMAND ('single', "double" quotes and backslashes).
std::vector<std::string> split_words(const std::string& s);
// How this HMC behaves beyond the commands' syntax: each switch imitates a recorded behaviour.
struct HmcBehaviour {
  // A vterm whose ssh connection dropped stays held until rmvterm (HMC V10R3: after SIGKILL of
  // the client, mkvterm still answers busy at 0 s, 30 s and 5 min; randomparity/hmc-mcp ADR 0072 P3).
  bool hold_dropped_vterm = false;
  // The client partition holds a SCSI reserve on its virtual optical device: unloadopt, and
  // loadopt -f onto a loaded device, fail unless -release is given (VIOS unloadopt/loadopt docs:
  // "-release Forces the virtual optical device to be unlocked even if the client has a reserve").
  bool optical_reserved = false;
  // Every command takes this many seconds (busy HMCs answer in seconds, tens under load).
  // chsysstate -o on starts the partition first and answers after the delay.
  double latency_s = 0;
  // Commands this HMC user's task role may not run (an HSCL authority error, exit 1).
  std::vector<std::string> deny;
};

// Run one HMC command line; returns its exit code. `self` is this program (for the console daemon).
int run_hmc(const std::string& state_dir, const std::string& self, const std::vector<std::string>& words,
            const HmcBehaviour& behaviour = {});

}  // namespace lparsim
