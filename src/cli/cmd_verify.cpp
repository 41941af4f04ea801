// vtpilot verify: the runbook's acceptance checks on the migrated system, over its console.
// Log in (TERM prompt and first-login license included), run oslevel -s, lppchk -v,
// instfix -i | grep ML, bootlist -m normal -o, lspv, lscfg -vl 'hdisk*', errpt | head, judge
// them, log out. Every key through the guard; the password recorded as ***.
#include "commands.hpp"

namespace vtpilot::cli {

void add_verify(CLI::App& app) {
  add_check_command(
      app, CheckKind::verify, "verify",
      "the runbook's acceptance checks on the migrated system, over its console: log in (TERM prompt,\n"
      "password, first-login license), run oslevel -s, lppchk -v, instfix -i | grep ML, bootlist -m normal -o,\n"
      "lspv, lscfg -vl 'hdisk*', errpt | head, log out; report a table (or --json).\n"
      "Checks: oslevel starts with --expect-level; lppchk clean; ML found; rootvg on the target\n"
      "(--target-pvid/--target-location/--target-disk); the boot list starts with it; the clone still\n"
      "altinst_rootvg (--clone-pvid/--clone-location if pinned); errpt shown for review.\n"
      "Exit: 0 all checks passed, 7 an acceptance check failed (the reason on stderr and in the JSON),\n"
      "2 bad usage, 3 refused by the guard, 4 halted (unknown screen, timeout, login refused, not at AIX),\n"
      "5 console lost, 130/143/129 signals.\n"
      "Example: vtpilot verify --sim --sim-args \"--fast --start login72\" --password-file pw");
}

}  // namespace vtpilot::cli
