#pragma once
// Layer 2: the raw screen text, the keys and the policy, nothing else. This header and
// layer2.cpp include nothing of vtpilot/screens (tests/cli/layer2_closure.py checks it), so a
// wrong signature or a parser bug cannot change what layer 2 refuses.
#include <string_view>

#include "vtpilot/guard/policy.hpp"

namespace vtpilot::guard_impl {

// Refuses numbers that carry a forbidden label (rule 1, or the plan's), an unselected
// altinst_rootvg disk row, Continue while such a row is selected, and more than one line.
Verdict layer2(const Screen& screen, std::string_view keys, const Policy& policy);

}  // namespace vtpilot::guard_impl
