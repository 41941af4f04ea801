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
std::string lpar_os(std::string_view ms, std::string_view lpar);     // lssyscfg ... -F rmc_state,os_version
std::string power_on_sms(std::string_view ms, std::string_view lpar, std::string_view profile);
std::string shutdown_immed(std::string_view ms, std::string_view lpar);
// viosvrcmd on the VIOS that serves the virtual optical device (names checked by the config).
// -release unlocks a device the client holds a reserve on; -f loads onto a device that still
// holds media (VIOS unloadopt/loadopt command reference).
std::string unloadopt(std::string_view ms, std::string_view vios, std::string_view vtd, bool release = false);
std::string loadopt(std::string_view ms, std::string_view vios, std::string_view vtd, std::string_view iso,
                    bool force = false);
std::string lsvopt(std::string_view ms, std::string_view vios, std::string_view vtd);

// What lsvopt shows in VTD's row: the media name, "" for "No Media"; nothing when VTD has no
// row (an error message instead of the table, say). Columns as IBM prints them:
//   VTD             Media                                   Size(mb)
//   vtopt0          aix72_vol1.iso                          4096
std::optional<std::string> parse_lsvopt(std::string_view output, std::string_view vtd);
// unloadopt/loadopt refused because the client holds a reserve on the device.
bool reserve_error(std::string_view output);
// The first HSCL message line (the HMC's error code and its text), if the output has one.
std::optional<std::string> hscl_error(std::string_view output);
// An HMC command's output for a message: its HSCL line when it has one, else the text on one line.
std::string failure_text(std::string_view output);

// mkvterm's answer when another session holds the console (it exits 0: only the text says so).
bool vterm_busy(std::string_view output);
// mkvterm's answer when the console was taken from us (rmvterm elsewhere, HMC restart).
bool vterm_lost(std::string_view output);
// The state lssyscfg -F state printed ("Not Activated", "Running", "Open Firmware", ...);
// nothing when the output is not a state line (an HSCL error message, say).
std::optional<std::string> parse_state(std::string_view output);

// What the HMC knows of the OS in a partition, from RMC (lssyscfg -F rmc_state,os_version; a
// real line: "inactive,AIX 7.1 7100-00-00-0000"). RMC runs only in a booted AIX: active means
// AIX is up (not firmware, SMS or the BOS installer). os_version is the last level RMC reported
// and stays while RMC is inactive, so only an active RMC makes it the running level.
struct OsFacts {
  bool rmc_active = false;
  std::string rmc_state;   // as printed: active, inactive, none, ...
  std::string os_version;  // as printed: "AIX 7.2 7200-05-03-2148", "Unknown", ...
  std::string level;       // its oslevel -s word ("7200-05-03-2148"), "" when it has none
  // AIX is up at this level, known now (RMC active and a level).
  bool running_aix() const { return rmc_active && !level.empty(); }
};
// Nothing when the output is not such a line (an HSCL message: an HMC that lacks the attributes).
std::optional<OsFacts> parse_os(std::string_view output);

}  // namespace vtpilot::hmc
