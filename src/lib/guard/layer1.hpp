#pragma once
// Layer 1: what the recognized screen means (its id, the labels of its choices, the disk table,
// the settings). Layer 2 (layer2.hpp) judges the same keys without any of this.
#include <optional>

#include "guard/keys.hpp"
#include "vtpilot/guard/guard.hpp"

namespace vtpilot::guard_impl {

// `verified` is set to the disk screen's target row when these keys leave it verified.
Verdict layer1(const Recognized& r, const Keys& k, const Policy& p, std::optional<Disk>* verified);

}  // namespace vtpilot::guard_impl
