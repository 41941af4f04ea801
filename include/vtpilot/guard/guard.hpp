#pragma once
// The safety guard: pure code, not data, the one choke point for every key.
// Rules: ../shared/design.md "Guard rules". Plans may add stricter rules, never looser ones.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vtpilot/screens/recognizer.hpp"

namespace vtpilot {

struct Screen;
struct Policy;
struct Verdict;
class VerifiedTarget;
// judge() below; on an Allow that leaves the disk screen with exactly the target selected (Continue,
// or a row of the single-select list), also says what that proved in *verified (else resets it).
Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys, const Policy& policy,
              std::optional<VerifiedTarget>* verified);

// What the disk screen proved (rules 2 and 3): the guard allowed leaving bos.disks (Continue, or
// choosing a row of the single-select list) with exactly the target selected, the rollback clone
// accounted for and no two root VGs in doubt. Only the guard's own judge() can make one (a plan,
// a config or a test can only earn it by showing the guard such a screen). The session keeps it
// in Policy::verified_target and drops it when a later disk screen or a settings screen shows
// another selection; installing (Installation and Settings, a summary, Migration Confirmation)
// is refused without it, and refused when the install screen names other disks.
class VerifiedTarget {
 public:
  const std::vector<std::string>& names() const { return names_; }  // hdisk names, as the disk screen showed them
  const std::string& location() const { return location_; }
  const std::string& pvid() const { return pvid_; }
  bool operator==(const VerifiedTarget&) const = default;

 private:
  friend Verdict judge(const Recognized&, const Screen&, std::string_view, const Policy&, std::optional<VerifiedTarget>*);
  VerifiedTarget() = default;
  std::vector<std::string> names_;
  std::string location_, pvid_;
};

// A disk's identity as a disk screen showed it with its PVID (77 Display More Disk Information):
// what the session saw, handed to the guard as input so that a later view of the same disks
// without PVIDs (BOS's location view) can still be judged by PVID.
struct SeenDisk {
  std::string name;   // as the row shows it ("hdisk0", "hdisk0 hdisk1" for a root VG on two disks)
  std::string level;  // levels shape: the root VG's level
  long size_mb = -1;
  std::string pvid;
  bool operator==(const SeenDisk&) const = default;
};
// Whether a later screen takes away what the disk screen verified: the disk screen with another
// selection, or an install screen (settings, summary, Migration Confirmation) naming other disks.
// Returns why, or nullopt when the verification stands. The session and audit both ask here.
std::optional<std::string> verification_lost(const Recognized& recognized, const VerifiedTarget& verified);
// The same hdisk names, in any order (and at least one).
bool same_disk_names(std::vector<std::string> a, std::vector<std::string> b);
// What the console will submit with Enter: the text typed after the recognized prompt, up to the
// cursor ("" when the cursor is not on the prompt line). The guard judges keys after this text.
std::string typed_at_prompt(const Screen& screen, const Fields& fields);

// Which disk is the install target and which is the rollback clone.
// A pinned PVID or location code outranks the hdisk name (names change when booted from media).
struct Policy {
  std::string target_name = "hdisk0";
  std::string target_location;   // physical location code, "" = not pinned
  std::string target_pvid;       // "" = not pinned
  // SIZE_MB of BOS's target_disk_data: counts only when no other root VG shows that size.
  long target_size_mb = -1;      // -1 = not pinned
  std::string clone_location;
  std::string clone_pvid;
  bool rollback_required = true;
  // false in `run` and `replay`: nothing is sent on an unrecognized screen (rule 4).
  // `step` sets it true for operator keys; layer 2 still applies.
  bool allow_unknown_screen = false;
  // Stricter rules a plan adds: labels (ECMAScript regex, case-insensitive) never to choose.
  std::vector<std::string> extra_forbidden_labels;
  // What this session verified on the disk screen (see VerifiedTarget); empty = nothing yet.
  // It can only make the guard stricter to lack it: without it nothing installs.
  std::optional<VerifiedTarget> verified_target;
  // PVIDs a disk screen of this session showed (see SeenDisk); the session fills it from the
  // screen, never from the plan or the config. Used only when a view shows no PVIDs and every
  // row on it is one of these (same name, level and size).
  std::vector<SeenDisk> seen_pvids;
};

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

struct Verdict {
  bool allow = false;
  std::string code;    // stable reason code: "forbidden-method", "altinst-disk", ...; "" on allow
  std::string reason;  // one sentence for a tired operator: what is wrong and what to do
  int layer = 0;       // 1 = recognized fields, 2 = raw-text scan, 0 = allow
};

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
