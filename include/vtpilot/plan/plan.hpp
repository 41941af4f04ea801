#pragma once
// Plans are data: per screen id, what to choose *by meaning* (label regex, install media,
// `disk = target`), never by a fixed number. The engine resolves meaning to the key shown.
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/screens/recognizer.hpp"  // SignatureError (file:line errors)

namespace vtpilot {

struct PlanStep {
  std::string screen;       // screen id this step answers
  std::string when;         // "" or a condition: "settings-ready", "!settings-ready"
  std::string choose;       // regex (case-insensitive) for the label of the choice to make
  std::string device;       // "media": the install media (pattern / location from options);
                            // "clone": the rollback disk, by the policy's pinned clone location
  std::string disk;         // "target": select exactly the target disk, then continue
  std::string reveal;       // with disk: the item (label regex) that shows the disks' PVIDs, chosen
                            // when the target is pinned by PVID and the screen shows none
                            // (BOS: "77 Display More Disk Information"); at most 3 times a run
  std::string keys;         // literal keys (escapes \r \n decoded), judged like any other
  bool wait = false;        // a transient or progress screen: send nothing, keep waiting
  bool done = false;        // reaching this screen ends the plan successfully
  std::string requirement;    // with done: "install" = only once this run saw the install start,
                            // end and the system reboot; otherwise the run halts (not-installed)
  bool needs_prompt = true; // act only once the prompt is drawn at the cursor
  bool secret = false;      // keys are a secret: recorded as ***
  bool once = false;        // fires at most once per run; afterwards the screen is waited through
  std::string action;       // orchestration before the keys: "media-swap" (the HMC loads the
                            // volume the screen asks for); transports without one just go on
  int line = 0;             // where it was defined, for messages
};

struct Plan {
  std::string name;
  std::string description;
  std::string file;
  std::vector<PlanStep> steps;
  std::vector<std::string> forbidden_labels;  // stricter rules added by the plan (never looser)
  // What the plan does, as data, so a copy under another name keeps its rules (both stricter,
  // never looser; they halt, sending nothing):
  // `halt_on_install_loop`: the plan installs once. After the install started, a menu of SMS or
  // of the installer at its prompt means the machine came back to the media (runbook: "Reboot
  // loops back to install media"): halt, never follow the plan into a second install.
  bool halt_on_install_loop = false;
  // `halt_on_installer`: the plan never installs (it boots a disk). Any BOS installer screen
  // means the install media booted instead: halt at once, even before its prompt is drawn (the
  // installer's first screens take Enter or 1 as their default).
  bool halt_on_installer = false;
  // The first step for this screen whose condition holds; nullptr when the plan has none.
  const PlanStep* step_for(std::string_view screen_id) const;
};

struct Policy;
// What the plan needs from the policy before it may attach, each unmet need as a sentence (a
// `device = "clone"` step needs the clone's location code: SMS lists disks by location, and
// without it the run would get as far as the device list before halting). Empty: it can run.
std::vector<std::string> unmet_needs(const Plan& plan, const Policy& policy);

// Parses a plan; every problem is appended as file:line: message. Screen ids are checked
// against the recognizer's ids, regexes are compiled.
bool load_plan(std::string_view file_name, std::string_view text, const Recognizer& recognizer, Plan& plan,
               std::vector<SignatureError>& errors);
// "migrate", "rollback" (built in), or a path to a TOML file.
bool resolve_plan(const std::string& name_or_path, const Recognizer& recognizer, Plan& plan,
                  std::vector<SignatureError>& errors);
std::vector<std::string> builtin_plan_names();

}  // namespace vtpilot
