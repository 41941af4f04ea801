#pragma once
// Pre-flight and acceptance checks (runbook: pre-flight, and "Acceptance: oslevel at target ·
// lppchk clean · ML found · bootlist on hdisk0 · hdisk1 still shows altinst_rootvg"): pure
// parsers of AIX command output into data, and judges of that data against expectations.
// Nothing here talks to a console; ShellDriver (shell.hpp) fetches the outputs.
// The parsers are in acceptance_parse.hpp (included here).
#include <string>
#include <utility>
#include <vector>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/shell/acceptance_parse.hpp"
#include "vtpilot/shell/shell.hpp"

namespace vtpilot {

// ---- judges ------------------------------------------------------------------------------

enum class CheckStatus { pass, fail, info };

struct Check {
  std::string id;      // stable: "oslevel", "lppchk", "ml", "bootlist", "clone", ...
  std::string title;   // "oslevel at target"
  CheckStatus status = CheckStatus::info;
  std::string detail;  // what was found, and on a failure what to do
};

struct Pins {
  std::string target_disk, target_pvid, target_location;
  std::string clone_disk, clone_pvid, clone_location;
};

struct Report {
  std::string kind;  // "verify" | "preflight"
  std::vector<Check> checks;
  Pins pins;                       // what the running system says (preflight: to pin the migration)
  std::string level;               // oslevel -s
  std::vector<std::string> plan;   // preflight: what the migration will do, one sentence a line
  bool ok() const;                 // no check failed
  const Check* first_failure() const;
};

const char* status_name(CheckStatus s);

struct VerifyExpect {
  std::string level_prefix = "7200-05";  // oslevel -s must start with it
  Policy policy;                         // pinned target (the migrated disk) and clone, if any
};

struct PreflightExpect {
  Policy policy;                         // pins given on the command line: checked, never trusted blindly
  std::string target_level = "7200-05"; // what the media installs (for the plan text)
  // Runbook pre-flight: minimum free space (MB) per file system.
  std::vector<std::pair<std::string, double>> min_free_mb = {
      {"/", 100}, {"/usr", 3072}, {"/var", 1024}, {"/tmp", 1024}, {"/opt", 500}};
};

// The commands, in the order they run; ids are what the judges look up.
std::vector<ShellCommand> verify_commands();
std::vector<ShellCommand> preflight_commands();

Report judge_verify(const std::vector<CommandResult>& results, const VerifyExpect& expect);
Report judge_preflight(const std::vector<CommandResult>& results, const PreflightExpect& expect);

}  // namespace vtpilot
