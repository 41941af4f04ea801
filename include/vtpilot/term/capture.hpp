#pragma once
// Reading console captures from files, with bounded memory whatever their size.
#include <optional>
#include <string>

namespace vtpilot {

class Terminal;

// Streams the file into the terminal in chunks. A file with no CR at all (a screen copied
// from a document) is read as lines, each LF taken as CRLF. Returns an error message for a
// missing, unreadable or non-regular file; nullopt on success.
std::optional<std::string> feed_file(const std::string& path, Terminal& terminal);

}  // namespace vtpilot
