#pragma once
// The safety guard: pure code, not data, the one choke point for every key.
// Rules: ../shared/design.md "Guard rules". Plans may add stricter rules, never looser ones.
// Policy and Verdict live in policy.hpp (no recognizer there: layer 2 sees only them). Sources
// (src/lib/guard): judge.cpp combines the layers, layer2.cpp (raw text), layer1.cpp (recognized
// meaning), disks.cpp (which disk is the target), keys.cpp (what the keys type), seal.cpp
// (Approved), policy.cpp, vterm_control.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vtpilot/guard/policy.hpp"
#include "vtpilot/screens/recognizer.hpp"

namespace vtpilot {

// Whether a later screen takes away what the disk screen verified: the disk screen with another
// selection, or an install screen (settings, summary, Migration Confirmation) naming other disks.
// Returns why, or nullopt when the verification stands. The session and audit both ask here.
std::optional<std::string> verification_lost(const Recognized& recognized, const VerifiedTarget& verified);
// The same hdisk names, in any order, and at least one: the one comparison of an install's disks
// with the verified ones (guard, session, audit). Two empty lists are NOT the same: a screen that
// shows no disk, or a verification without names, proves nothing about where the install goes.
bool same_disk_names(std::vector<std::string> a, std::vector<std::string> b);
// What the console will submit with Enter: the text typed after the recognized prompt, up to the
// cursor ("" when the cursor is not on the prompt line). The guard judges keys after this text.
std::string typed_at_prompt(const Screen& screen, const Fields& fields);

// Which rows of a disk table are the install target: the one rule, shared by the guard and the
// session. The precedence of BOS's own target_disk_data stanza: PVID, then the physical location,
// then SIZE_MB (only when no other root VG shows that size), then the hdisk name last. A pin the
// screen does not show is reported (identity-not-shown), never replaced by the name.
struct TargetMatch {
  std::vector<const Disk*> rows;  // into the vector given
  std::string problem;            // "" or a refusal code
  std::string reason;
};
TargetMatch find_target(const std::vector<Disk>& disks, const Policy& policy);
// The rows with the PVIDs that policy.seen_pvids remembers filled in, when the rows show none and
// every row is one the session saw with its PVID; else the rows unchanged.
std::vector<Disk> with_seen_pvids(const std::vector<Disk>& disks, const Policy& policy);

// What the HMC transport knows when it types to mkvterm itself, or asks firmware to redraw.
struct VtermFacts {
  bool at_line_start = true;        // nothing typed on the console since the last Enter
  std::string_view recent_output;   // the last bytes the vterm printed
  // lssyscfg said "Open Firmware" a moment ago and the console printed nothing since the vterm
  // opened: the LPAR sits in POST, SMS or the OF prompt, where a bare Enter only redraws.
  bool firmware_blank = false;
};
// The rule behind Guard::approve_vterm_control (src/lib/guard/vterm_control.cpp).
Verdict judge_vterm_control(std::string_view keys, const VtermFacts& facts);

// Judges `keys` (what would be typed, e.g. "3\r", "\r", "1") on this screen. When the prompt is
// at the cursor, text already typed after it counts: the console submits typed text + keys.
Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys,
              const Policy& policy);

// Keys the guard allowed. Only Guard::approve can make one, and it can be spent once:
// the transports' single write path takes an Approved and nothing else.
class Approved {
 public:
  Approved(Approved&&) noexcept;
  Approved& operator=(Approved&&) = delete;
  Approved(const Approved&) = delete;
  ~Approved();
  std::string_view keys() const { return keys_; }
  // Set when these keys leave the disk screen verified (see judge): the session keeps it.
  const std::optional<VerifiedTarget>& verified() const { return verified_; }
  // Called by the write path; aborts (even in release builds) if spent twice or not judged.
  std::string spend();

 private:
  friend class Guard;
  Approved(std::string keys, std::uint64_t seal);
  std::string keys_;
  std::optional<VerifiedTarget> verified_;
  std::uint64_t seal_ = 0;
  bool spent_ = false;
};

class Guard {
 public:
  explicit Guard(Policy policy) : policy_(std::move(policy)) {}
  const Policy& policy() const { return policy_; }
  // Allow gives keys that can be sent; Refuse gives the verdict with its reason.
  std::variant<Approved, Verdict> approve(const Recognized& recognized, const Screen& screen,
                                          std::string_view keys) const;
  // Keys of the HMC transport itself: `~.` (leave) only at the start of a line, where mkvterm
  // reads it as its escape (anywhere else it would reach the console); `y` only when mkvterm's
  // own "Terminate session? [y/n]" is the last thing on the screen; a bare Enter only to make a
  // blank console in firmware redraw (never where the installer could take it as a choice).
  static std::variant<Approved, Verdict> approve_vterm_control(std::string_view keys, const VtermFacts& facts);

 private:
  Policy policy_;
};

}  // namespace vtpilot
