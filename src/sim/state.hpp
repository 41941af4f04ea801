// lpar-sim: the HMC state directory (one small file per fact, shared by all connections).
#pragma once

#include <string>

namespace lparsim {

// Contents of DIR/NAME without the trailing newline; "" when missing.
std::string read_state_file(const std::string& dir, const std::string& name);
// Atomically replace DIR/NAME (write a temp file, rename).
bool write_state_file(const std::string& dir, const std::string& name, const std::string& value);

}  // namespace lparsim
