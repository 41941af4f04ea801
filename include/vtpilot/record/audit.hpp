#pragma once
// Audit: what an operator chose, rebuilt from a console log that may hold only output, and
// the guard's verdict on each choice. SMS and BOS echo the digits typed at their prompt, and
// each answer is followed by the next screen: the screen as it stood with the cursor on the
// prompt line, just before the console left it (a new screen drawn, or the cursor moved off
// the prompt line by the echoed Enter), is the answer. Enter alone answers the default.
// Pure, as the session: output bytes and their times in, the report out. It reuses the
// Terminal, the Recognizer and the Guard (judged as in `step`: on an unknown screen the
// raw-text layer still judges), and keeps what the disk screen verified as the session does.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/term/terminal.hpp"

namespace vtpilot {

struct CastEvent;

struct AuditScreen {
  double t = 0;
  std::string id;  // "" = not recognized
  std::string title;
};

struct AuditChoice {
  double t = 0;           // when the console left the screen
  std::string screen;     // recognized id, "" = unknown
  std::string title;
  std::string keys;       // what was typed at the prompt ("" = Enter alone)
  std::string label;      // the item those keys choose (the default's for Enter alone), "" if none
  std::string next;       // the screen that followed ("" = not recognized or the log ended)
  Verdict verdict;
  std::size_t after_screens = 0;  // how many entries of AuditReport::screens came before it
};

struct AuditReport {
  std::vector<AuditScreen> screens;  // each screen seen, in order (a screen redrawn is listed once)
  std::vector<AuditChoice> choices;
  bool recognized_any = false;
  int refused = 0;
};

class Audit {
 public:
  Audit(const Recognizer& recognizer, Policy policy, int rows = 24, int cols = 80);
  ~Audit();
  Audit(const Audit&) = delete;
  Audit& operator=(const Audit&) = delete;
  // Console output at time t (any chunking gives the same report).
  void output(std::string_view bytes, double t);
  // The log ended: a pending answer with no next screen is not a choice made.
  const AuditReport& finish();

 private:
  void check(double t, bool worth);
  void commit(double t);
  void seen(const Recognized& r, double t);
  const Recognizer& recognizer_;
  Policy policy_;
  Terminal term_;
  std::uint64_t last_gen_ = ~0ULL;
  struct Pending {
    Screen screen;
    Recognized recognized;
    double t = 0;
    std::string body;  // the screen's text without the prompt row
    std::string echo;  // on a screen with no prompt line: the answer echoed alone on its row
  };
  std::optional<Pending> pending_;
  bool awaiting_next_ = false;
  // Bytes up to the next CR, LF or ESC, held so that the terminal sees runs, not single bytes.
  std::array<char, 4096> held_{};
  std::size_t run_ = 0, seg_len_ = 0, seg_alnum_ = 0;
  bool seg_marks_ = false;
  std::uint64_t fed_ = 0, recognized_at_ = 0;
  double last_t_ = 0;
  static constexpr std::uint64_t kQuietRecognize = 16384;
  AuditReport report_;
};

// The whole log: its output events fed in order.
AuditReport audit_events(const std::vector<CastEvent>& events, const Recognizer& recognizer, const Policy& policy,
                         int rows, int cols);

// "01:12" (or "1:02:03" past an hour).
std::string clock_text(double seconds);

}  // namespace vtpilot
