#pragma once
// The shell conversation of `verify` and `preflight`: a pure Driver (bytes and the time in,
// judged keys and events out; no clocks, no sleeps). It gets from whatever the console shows
// to a root shell (TERM prompt, login, password, the first-login license prompt), runs a list
// of commands, captures each one's output exactly, and logs out with `exit`.
//
// Output capture: each command is typed as
//     echo _V""B<n><nonce>_; <command>; echo _V""E<n><nonce>_ $?
// The shell prints the markers without the quotes, so the echo of the typed line (which
// has them) never matches; the output is the byte stream between the two printed markers
// (escapes removed, CR/BS applied per line), however long, wrapped or prompt-like it is.
//
// Echo before Enter: service processors drop bytes sent close together, and a command line
// missing a byte is another command (`bootlist -m normal -o` without ` -o` sets the boot
// list). So every echoed line (the login name, the TERM and license answers, each command,
// `exit`) is typed without its Enter; the Enter goes, as a send of its own judged as "line +
// Enter" at the prompt the line was typed at, only once the console's echo (the byte stream's
// current line) shows exactly that line after the prompt. An echo showing less gets only the
// missing text (at most `max_resends` times); one showing anything else gets no Enter: the
// conversation halts, the line left unsubmitted. The password is not echoed: it goes whole.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vtpilot/engine/driver.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"

namespace vtpilot {

struct ShellCommand {
  std::string id;       // what the result is called ("oslevel")
  std::string command;  // the command line ("oslevel -s")
};

struct CommandResult {
  std::string id, command;
  std::string output;      // the command's lines, each ending in '\n' (a last partial line without)
  int status = -1;         // $? after the command line (a pipeline's last command)
  bool complete = false;   // the end marker was seen
  bool truncated = false;  // longer than ShellOptions::max_output: the rest was dropped
};

struct ShellOptions {
  std::string user = "root";
  std::string password;          // typed only on aix.password, as a secret (recorded "***")
  std::string term = "vt100";    // the answer to the first boot's TERM prompt
  bool accept_license = true;    // answer yes at the first root login's license prompt
  // A console that shows nothing (an HMC vterm shows nothing until a key) gets one Enter after
  // `wake_after_s` of silence. Only on a blank screen (or the vterm's "Open in progress"): on
  // any menu Enter chooses the default, so on SMS/BOS screens the conversation halts instead.
  bool wake = true;
  double wake_after_s = 2;
  double screen_timeout_s = 300;  // nothing changing while waiting (a screen, a command's output)
  std::string nonce = "v";        // marker token: letters, unique per run (digits would run into <n>)
  std::vector<ShellCommand> commands;
  bool logout = true;             // `exit` at the end: leave the console at its login prompt
  std::size_t max_output = 1 << 20;  // bytes kept per command
  double pacing_s = 0;            // the write path's pause between key bytes: the echo is awaited after the last
  double confirm_timeout_s = 5;   // then this long for the echo before the missing text is re-sent
  int max_resends = 3;            // per line: re-sends of the text the echo proves missing (never an Enter)
};

class ShellDriver final : public Driver {
 public:
  ShellDriver(const Recognizer& recognizer, Guard guard, ShellOptions options);
  ~ShellDriver() override;

  void on_output(std::string_view bytes, double now) override;
  void evaluate(double now) override;
  void on_close(double now, const std::string& why) override;
  void abort(double now, const std::string& why) override;
  std::optional<Outgoing> take_send() override;
  std::vector<SessionEvent> take_events() override;
  std::optional<double> deadline() const override;
  Outcome outcome() const override;
  int exit_code() const override;
  const std::string& outcome_text() const override;
  Screen screen() const override;
  // A gap (ssh reconnect): nothing is sent across it. A line in flight then (typed, or its
  // Enter not yet answered) or a command still printing is unknown after it: a halt.
  void on_detach(double now, const std::string& why) override;
  void on_reattach(double now, const std::string& what) override;

  // The wake-up Enter is not to be pressed on this console (an HMC that does not report AIX
  // up: the blank vterm may hide a BOS menu whose default Enter chooses). `why` is noted at the
  // next look at the screen and told again if the blank console times out.
  void withhold_wake(const std::string& why);

  // One per command that was started, in order (complete or not).
  const std::vector<CommandResult>& results() const;
  // The line typed for command n (0-based), markers included: what goes to the console.
  std::string command_line(std::size_t n) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vtpilot
