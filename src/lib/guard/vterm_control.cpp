// Keys addressed to the HMC's mkvterm (its `~.` escape and the answer to its question), not
// to the LPAR. They still pass the guard: written anywhere else, they would reach the console.
#include <cctype>

#include "vtpilot/guard/guard.hpp"

namespace vtpilot {

namespace {
Verdict verdict(bool allow, std::string code = "", std::string reason = "") {
  Verdict v;
  v.allow = allow;
  v.code = std::move(code);
  v.reason = std::move(reason);
  v.layer = allow ? 0 : 1;
  return v;
}
}  // namespace

Verdict judge_vterm_control(std::string_view keys, const VtermFacts& facts) {
  if (keys == "~.") {
    if (facts.at_line_start) return verdict(true);
    return verdict(false, "vterm-escape-mid-line",
                   "Refused: `~.` is mkvterm's escape only at the start of a line; here it would reach the console. "
                   "Closing the channel instead.");
  }
  if (keys == "y") {
    std::string_view t = facts.recent_output;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    constexpr std::string_view ask = "Terminate session? [y/n]";
    if (t.size() >= ask.size() && t.substr(t.size() - ask.size()) == ask) return verdict(true);
    return verdict(false, "vterm-not-asking",
                   "Refused: `y` answers mkvterm's \"Terminate session? [y/n]\", which is not on the screen.");
  }
  if (keys == "\r") {
    // SMS redraws its menu on an empty Enter, POST and the OF prompt ignore it. Once AIX runs
    // (lssyscfg: Running) an Enter could choose an installer default: never then.
    if (facts.firmware_blank) return verdict(true);
    return verdict(false, "redraw-not-in-firmware",
                   "Refused: an Enter to redraw is sent only to a blank console that the HMC shows in Open Firmware.");
  }
  return verdict(false, "vterm-control", "Refused: the HMC transport itself types only `~.`, `y` and a redraw Enter.");
}

}  // namespace vtpilot
