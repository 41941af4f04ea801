// lpar-sim console: the I/O loops (stdin/stdout, or a unix-socket daemon for the HMC mode).
#pragma once

#include "console_sim.hpp"
#include "options.hpp"

namespace lparsim {

int run_console(const SimOptions& opt);
int run_console_daemon(const SimOptions& opt, EventSink sink);

}  // namespace lparsim
