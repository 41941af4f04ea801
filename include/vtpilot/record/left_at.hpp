#pragma once
// The screen an earlier run left a console at, from its transcript. Pure.
#include <optional>

#include "vtpilot/record/recorder.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot {

// The transcript's output played on a terminal of its size, up to the HMC vterm's own leaving
// (`~.`, the first key that is not for the console). Kept only when the screen was drawn anew
// (a clear-screen sequence, as every BOS menu is drawn: IBM's DisplayMenu prints $CLEAR first)
// after the last key that reached the console: then that key's effect is on it, and nothing
// typed since can have changed it. Nothing otherwise, or for a transcript with no output.
std::optional<Screen> left_at(const Cast& cast);

}  // namespace vtpilot
