#pragma once
// Passwords (the HMC's, root's on the console): from a file or typed at the terminal; never
// from argv or the environment, never logged, never written to a transcript.
#include <optional>
#include <string>

namespace vtpilot {

// The first line of a file that only its owner can read (like ssh with private keys: a file
// that group or others may read is refused, with the chmod that fixes it).
std::optional<std::string> read_secret_file(const std::string& path, std::string& error);
// Asks on /dev/tty with echo off (works when stdin and stdout are redirected).
std::optional<std::string> prompt_secret(const std::string& prompt, std::string& error);

}  // namespace vtpilot
