#pragma once
// The HMC's command lines and what its output means (design.md "HMC facts"). Pure.
#include <optional>
#include <string>
#include <string_view>

namespace vtpilot::hmc {

// One word for the HMC's restricted shell: plain words as they are, anything else single-quoted.
std::string quote(std::string_view word);

std::string mkvterm(std::string_view ms, std::string_view lpar);
std::string rmvterm(std::string_view ms, std::string_view lpar);
std::string lpar_state(std::string_view ms, std::string_view lpar);  // lssyscfg ... -F state
std::string power_on_sms(std::string_view ms, std::string_view lpar, std::string_view profile);
std::string shutdown_immed(std::string_view ms, std::string_view lpar);
// viosvrcmd on the VIOS that serves the virtual optical device (names checked by the config).
std::string unloadopt(std::string_view ms, std::string_view vios, std::string_view vtd);
std::string loadopt(std::string_view ms, std::string_view vios, std::string_view vtd, std::string_view iso);

// mkvterm's answer when another session holds the console (it exits 0: only the text says so).
bool vterm_busy(std::string_view output);
// mkvterm's answer when the console was taken from us (rmvterm elsewhere, HMC restart).
bool vterm_lost(std::string_view output);
// The state lssyscfg -F state printed ("Not Activated", "Running", "Open Firmware", ...);
// nothing when the output is not a state line (an HSCL error message, say).
std::optional<std::string> parse_state(std::string_view output);

}  // namespace vtpilot::hmc
