#pragma once
// What the guard is told (Policy) and what it answers (Verdict), without the recognizer: layer 2
// (src/lib/guard/layer2.cpp) reads only the raw screen, the keys and this, so a wrong signature
// or a parser bug cannot reach it. Including this header brings in nothing of vtpilot/screens.
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vtpilot {

struct Screen;
struct Recognized;
struct Policy;
struct Verdict;
class VerifiedTarget;
// guard.hpp; on an Allow that leaves the disk screen with exactly the target selected (Continue,
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

// The labels a plan forbids (PCRE2, case-insensitive), compiled once when the list is set: both
// layers match them on every judgement, and a JIT compile costs far more than a match. Patterns
// come checked from the plan's loader (a bad one is a file:line error there); one that does not
// compile here anyway matches nothing, as it always did.
class ForbiddenLabels {
 public:
  ForbiddenLabels() = default;
  ForbiddenLabels(std::vector<std::string> patterns);  // implicit: `policy.extra_forbidden_labels = plan.forbidden_labels`
  ForbiddenLabels(std::initializer_list<std::string> patterns);
  const std::vector<std::string>& patterns() const { return patterns_; }
  bool empty() const { return patterns_.empty(); }
  // Whether any of the patterns matches this label.
  bool matches(std::string_view label) const;

 private:
  struct Compiled;
  std::vector<std::string> patterns_;
  std::shared_ptr<const Compiled> compiled_;  // shared by copies of a Policy: never recompiled
};

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
  // Stricter rules a plan adds: labels never to choose.
  ForbiddenLabels extra_forbidden_labels;
  // What this session verified on the disk screen (see VerifiedTarget); empty = nothing yet.
  // It can only make the guard stricter to lack it: without it nothing installs.
  std::optional<VerifiedTarget> verified_target;
  // PVIDs a disk screen of this session showed (see SeenDisk); the session fills it from the
  // screen, never from the plan or the config. Used only when a view shows no PVIDs and every
  // row on it is one of these (same name, level and size).
  std::vector<SeenDisk> seen_pvids;
};

struct Verdict {
  bool allow = false;
  std::string code;    // stable reason code: "forbidden-method", "altinst-disk", ...; "" on allow
  std::string reason;  // one sentence for a tired operator: what is wrong and what to do
  int layer = 0;       // 1 = recognized fields, 2 = raw-text scan, 0 = allow
};

}  // namespace vtpilot
