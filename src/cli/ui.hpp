#pragma once
// What a run shows while it goes: the human lines on stderr (screens, keys sent and what they
// choose, refusals, notes, the install's progress bar or lines, the heartbeat of a long silent
// wait) and the `--events json` lines on stdout (design.md ◆ JSON). LiveRun only reports
// events (RunOptions::on_event, on_silence); this is where they are drawn.
#include <functional>
#include <string>

#include "vtpilot/run/runner.hpp"

namespace vtpilot::cli {

struct UiOptions {
  bool events_json = false;  // JSON lines on stdout
  bool quiet = false;        // no human progress on stderr
  bool tty = false;          // stderr is a terminal: draw a progress bar
  // --timeout, for the heartbeat during long silent waits (what is awaited, time left); 0: none.
  double timeout_s = 0;
  // Several consoles in one process: lines start with [label], JSON events carry "lpar", and
  // progress goes to on_progress (a combined view) instead of this run's own bar.
  std::string label;
  std::function<void(int percent, int elapsed_min)> on_progress;
};

// Sets options.on_event and options.on_silence (and heartbeat_s: a tenth of --timeout, 1 to
// 60 s) to show this run's events as ui says.
void show_run(RunOptions& options, UiOptions ui);

// The one status line at the bottom of the terminal (the progress bar); any other line
// printed through the run's view clears it first.
void draw_status_line(const std::string& line);

}  // namespace vtpilot::cli
