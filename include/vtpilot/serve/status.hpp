#pragma once
// The live view's status model (issue 19): one row per LPAR, fed with the run's SessionEvents,
// the HMC's notes and each run's end, read as the JSON of /api/status. Pure: events and `now`
// in, JSON out; the server (server.hpp) owns the clock and the sockets.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "vtpilot/engine/driver.hpp"
#include "vtpilot/shell/acceptance.hpp"

namespace vtpilot::serve {

struct KeyEntry {
  double t = 0;
  std::string screen, keys;
  std::string verdict;  // "sent" or "refused"
  std::string code, text;
};

struct LparStatus {
  std::string name, transcript;
  // attaching, screen, installing, media-swap, waiting (the operator), refused, halted, done,
  // stopped, console-lost; the run's end decides the last one.
  std::string state = "attaching";
  std::string screen, title;  // the last screen named, and its title where it has one
  int percent = -1, elapsed_min = -1, eta_min = -1;
  std::string code, reason;   // a refusal's or halt's
  std::string note;           // the last note or HMC step
  double last_t = -1;         // run time of the last event
  std::deque<KeyEntry> keys;  // the latest (kMaxKeys); the transcript has them all
  int keys_sent = 0, keys_refused = 0;
  bool finished = false;
  int exit = -1;
  double seconds = 0;
  // run --verify: the acceptance checks' verdict, once judged (before the run's end is told).
  bool verified = false;
  Report verify;
};

class StatusBoard {
 public:
  static constexpr std::size_t kMaxKeys = 40;
  int add(std::string name, std::string transcript);
  void event(int lpar, const SessionEvent& e);
  void note(int lpar, double t, const std::string& text);
  // The run's end: its exit code (0 done, 3 refused, 4 halted, 5 console lost, >= 128 stopped).
  void finished(int lpar, int exit, const std::string& text, const std::string& code, double seconds);
  // run --verify: the checks' report. A failed check makes a run that ended 0 end
  // `check-failed`, exit 7, as the run's own exit says.
  void verdict(int lpar, const Report& report);
  // /api/status: {"elapsed_s", "viewers", "dropped", "lpars": [...]} (README "Live view").
  std::string json(double now, int viewers, std::uint64_t dropped) const;
  const std::vector<LparStatus>& lpars() const { return lpars_; }
  // Bumped by every change: the server pushes the status when it moved.
  std::uint64_t version() const { return version_; }

 private:
  void push_key(LparStatus& s, KeyEntry k);
  std::vector<LparStatus> lpars_;
  std::uint64_t version_ = 0;
};

}  // namespace vtpilot::serve
