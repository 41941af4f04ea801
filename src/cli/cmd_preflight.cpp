// vtpilot preflight: the runbook's pre-flight checks on the running 7.1 system, over its
// console, before anything is touched: the clone exists (lspv: altinst_rootvg), which disk is
// rootvg (PVID, location code: the pins for the migration), the current level, lppchk, the
// boot list, free space, rootvg health; prints what the migration will do.
#include "commands.hpp"

namespace vtpilot::cli {

void add_preflight(CLI::App& app) {
  add_check_command(
      app, CheckKind::preflight, "preflight",
      "the runbook's pre-flight checks on the running system, over its console, before the migration:\n"
      "log in, run oslevel -s, lppchk -v, bootlist -m normal -o, lspv, lscfg -vl 'hdisk*', lsvg rootvg,\n"
      "lsvg -l rootvg, df -m, log out. Refuses when the rollback clone (altinst_rootvg) is missing, two\n"
      "disks are in doubt, lppchk is not clean, the boot list is not on the rootvg disk, a file system is\n"
      "under the runbook's free-space minimum, rootvg has stale partitions, or a pin given disagrees.\n"
      "Prints the flags (and config lines) that pin the target and the clone, and what the migration will do.\n"
      "Exit: 0 ready to migrate, 7 a pre-flight check refused (the reason on stderr and in the JSON),\n"
      "2 bad usage, 3 refused by the guard, 4 halted, 5 console lost, 130/143/129 signals.\n"
      "Example: vtpilot preflight --sim --sim-args \"--fast --start login71\" --password-file pw");
}

}  // namespace vtpilot::cli
