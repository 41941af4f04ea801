#pragma once
// The console of an LPAR through its HMC: ssh, `mkvterm -m MS -p LPAR` on a PTY channel, and
// the HMC commands around it (lssyscfg, chsysstate, rmvterm, viosvrcmd) on exec channels.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vtpilot/hmc/commands.hpp"
#include "vtpilot/transport/ssh.hpp"
#include "vtpilot/transport/transport.hpp"

namespace vtpilot {

struct HmcVtermOptions {
  SshParams ssh;
  std::string managed_system, lpar, profile = "default_profile", vios, vtd = "vtopt0";
  std::vector<std::string> media;  // ISO names, volume 1 first (the media swap loads the next)
  bool power_on = false;       // Not Activated: open the vterm, then chsysstate -o on -b sms
  bool allow_restart = false;  // with power_on: shut down a Running LPAR first
  bool resume = false;         // with power_on: a Running LPAR is attached as it is (never shut down or activated)
  // resume: a Running LPAR is attached as it is. Before its vterm opens, this hears what the
  // HMC says of its OS (nothing when the HMC did not say) and answers whether the run still
  // needs the console (false: the run has decided; no vterm is opened).
  std::function<bool(const std::optional<hmc::OsFacts>&)> attached_running;
  // Every attach: what the HMC says of the LPAR's OS, once its state is known (before the vterm).
  std::function<void(const std::optional<hmc::OsFacts>&)> os_facts;
  bool take_over = false;      // a console held by another session: rmvterm, then probe again
  // After a drop, a console still held by what can only be our own dropped session (we held
  // it, the link dropped, no other session was seen): rmvterm it once and reopen. A real HMC
  // keeps a dropped client's vterm held until rmvterm (design.md "HMC facts").
  bool reclaim_own_vterm = true;
  int reconnect_attempts = 6;  // after a drop; backoff 1, 2, 4 ... 30 s
  double command_timeout_s = 120;
  double reconnect_max_delay_s = 30;
};

// `note` hears what is done on the HMC (for the operator and the transcript's markers);
// `recorder` and `now` record the keys addressed to mkvterm itself (`~.`, `y`).
std::unique_ptr<Transport> make_hmc_transport(boost::asio::io_context& io, HmcVtermOptions options, Recorder& recorder,
                                              std::function<double()> now, std::function<void(const std::string&)> note);

}  // namespace vtpilot
