#pragma once
// The live view's page and the vendored asciinema-player, compiled into the binary
// (cmake/embed.cmake; no network at run time).
#include <string_view>

namespace vtpilot::serve {
struct Asset {
  std::string_view type;  // Content-Type
  std::string_view text;
};
// By file name ("index.html", "asciinema-player.min.js"); nullptr if there is none.
const Asset* find_asset(std::string_view name);
}  // namespace vtpilot::serve
