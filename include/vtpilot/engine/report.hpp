#pragma once
// The `identify --json` object (◆ contract in ../shared/design.md), built in the library so
// the CLI and the golden-file tests share one definition.
#include <string>

namespace vtpilot {

struct Recognized;
struct Screen;
struct Policy;

// One line of JSON (no trailing newline): file, screen, title, choices with verdicts, devices,
// disks, settings, progress; keys that are not there are left out.
std::string identify_json(const std::string& file, const Recognized& recognized, const Screen& screen,
                          const Policy& policy);

}  // namespace vtpilot
