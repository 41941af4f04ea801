#pragma once
// Which disk is the target and which is the rollback clone (rules 2 and 3), and layer 1's
// judgement of the disk screen. The public part (find_target, with_seen_pvids,
// same_disk_names, verification_lost) is in vtpilot/guard/guard.hpp.
#include <optional>
#include <string>
#include <vector>

#include "guard/keys.hpp"
#include "vtpilot/guard/guard.hpp"

namespace vtpilot::guard_impl {

// The alt_disk_copy rollback clone: VG Status altinst_rootvg, or the pinned clone PVID / location.
bool is_clone(const Disk& d, const Policy& p);
// Layer 1 on bos.disks, for one line as a plan sends it. `verified` is set to the target row
// when the answer leaves the screen with exactly the target selected, the clone accounted for
// and nothing ambiguous (the only way a VerifiedTarget is made).
Verdict judge_disks(const Recognized& r, const Answer& a, const Policy& p, std::optional<Disk>* verified);
// A row's hdisk names ("hdisk0 hdisk1" for a root VG on two disks) as a list.
std::vector<std::string> split_names(const std::string& s);

}  // namespace vtpilot::guard_impl
