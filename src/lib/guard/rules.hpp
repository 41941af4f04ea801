#pragma once
// What both layers share: how a verdict is made, and the labels rule 1 never lets a key choose
// (each layer matches them on its own reading of the screen). Nothing of the recognizer here.
#include <string>
#include <utility>

#include "vtpilot/guard/policy.hpp"

namespace vtpilot::guard_impl {

// Rule 1: the methods that destroy rootvg, and the default that starts one without asking.
inline constexpr const char* kForbidden =
    R"(new\s+and\s+complete\s+overwrite|preservation\s+install|start\s+install\s+now\s+with\s+default\s+settings)";

inline Verdict allow() { return Verdict{true, "", "", 0}; }
inline Verdict refuse(int layer, std::string code, std::string reason) {
  return Verdict{false, std::move(code), std::move(reason), layer};
}

}  // namespace vtpilot::guard_impl
