// The expect loop, as a pure state machine. See include/vtpilot/engine/session.hpp.
//
// Decisions are made only on a complete screen: a recognized id whose prompt is drawn at the
// cursor (the prompt is the last thing these menus draw), so a half-drawn disk table is never
// judged. After keys are sent, nothing more is sent until the console reacts (a new screen, or
// a change outside the prompt line). If it does not react, the screen itself says what arrived
// (the text echoed after the prompt): only the keys it proves missing are sent again.
//
// An answer's Enter never travels with its digits. Service processors drop bytes sent too close
// together; if the 2 of "2<Enter>" is lost and the Enter arrives, the menu takes a bare Enter,
// which is its default (BOS Welcome: Start Install Now with Default Settings; Change Method: New
// and Complete Overwrite). The guard judged "2<Enter>" and cannot see what was lost. So the text
// goes first, and the Enter is held until the screen shows exactly that text typed (the prompt
// line's typed text, or on a screen without a prompt line the echo at the cursor); the Enter is
// then a send of its own, judged on that screen as "typed text + Enter" (what the echo proves, and
// what to send then, is decided in one home shared with the shell: AnswerGate). A screen showing less
// gets only the missing text; one showing anything else gets nothing more (a halt).
#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/engine/session.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "vtpilot/base/regex.hpp"
#include "vtpilot/engine/answer_gate.hpp"
#include "vtpilot/engine/exit_code.hpp"
#include "vtpilot/term/terminal.hpp"

namespace vtpilot {

namespace {


// Screen text without one row (the prompt row, where echo happens).
std::string text_without_row(const Screen& s, int row) {
  std::string out;
  for (int i = 0; i < static_cast<int>(s.lines.size()); ++i) {
    if (i == row) continue;
    out += s.lines[static_cast<std::size_t>(i)];
    out += '\n';
  }
  return out;
}

// Text a console echoes as typed: printable, one line. Only such an answer has its Enter held
// back until the echo proves it (a secret is never echoed; control keys echo in other shapes).
bool echoable(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

const char* event_kind_name(SessionEvent::Kind k) {
  switch (k) {
    case SessionEvent::screen: return "screen";
    case SessionEvent::send: return "send";
    case SessionEvent::refuse: return "refuse";
    case SessionEvent::progress: return "progress";
    case SessionEvent::note: return "note";
    case SessionEvent::halt: return "halt";
    case SessionEvent::done: return "done";
    case SessionEvent::propose: return "propose";
  }
  return "?";
}

std::optional<SessionEvent::Kind> event_kind_from_name(std::string_view name) {
  for (SessionEvent::Kind k : {SessionEvent::screen, SessionEvent::send, SessionEvent::refuse, SessionEvent::progress,
                               SessionEvent::note, SessionEvent::halt, SessionEvent::done, SessionEvent::propose})
    if (name == event_kind_name(k)) return k;
  return std::nullopt;
}

std::string printable_keys(std::string_view keys) {
  std::string out;
  for (char c : keys) {
    if (c == '\r') out += "<Enter>";
    else if (c == '\n') out += "<LF>";
    else if (static_cast<unsigned char>(c) < 0x20) out += "^" + std::string(1, static_cast<char>(c + '@'));
    else out += c;
  }
  return out;
}

struct Session::Impl {
  Plan plan;
  const Recognizer& recognizer;
  Guard guard;
  EngineOptions opt;
  Terminal term{24, 80, 2000};
  Regex media_re;
  std::map<std::string, Regex> choose_regexes;  // the plan's `choose` patterns, compiled

  Outcome outcome = Outcome::running;
  int exit = 0;
  std::string outcome_text;
  std::vector<SessionEvent> events;
  std::optional<Outgoing> pending;  // with its secret flag: one value, never out of step

  std::string cur_id;
  std::string last_known;
  bool seen_first = false;
  double last_change = 0, last_output = 0;
  bool started = false;
  std::optional<double> unknown_since;
  std::optional<double> ambiguous_since;  // two signatures match: since when (see evaluate)
  bool sent_this_visit = false;
  std::map<std::string, int> sends;  // keys sent per screen id
  std::set<const PlanStep*> fired;    // steps that sent keys (for `once`)
  bool install_started = false;       // bos.progress or bos.media_swap was seen (or its text went by)
  // The end of the install: after it started, the system rebooted (BOS's "Rebooting", or a POST
  // or firmware boot screen). A `requires = "install"` end counts only after both.
  bool install_rebooted = false;
  bool saw_install_menu = false;      // this run saw a screen that starts the install (else it attached mid-install)
  bool attached_running = false;      // Session::attached_as_running: this run boots nothing
  // Session::left_at: the BOS menu an earlier run left the console at, to ask it to draw again.
  struct Reveal {
    Screen screen;
    Recognized r;
    std::string source;
  };
  std::optional<Reveal> reveal;
  double reveal_from = 0;  // when this console was first looked at
  std::string install_tail;           // the last bytes of output, for the evidence split across chunks
  int last_percent = -1, last_elapsed = -1;
  std::string resolved_target;  // the disk name the target identity resolved to on bos.disks
  int reveals = 0;              // times the plan's `reveal` item (77) was chosen to show PVIDs
  std::optional<Proposal> proposal;       // step mode
  std::optional<std::string> skipped_text;  // step mode: the screen the operator skipped
  bool noted_unknown = false;               // step mode: told the operator once per screen
  bool detached = false;                    // the transport lost the console and is reconnecting
  enum class Action { none, requested, running, ok } action = Action::none;  // the step's orchestration
  std::string action_request;               // "media-swap 2"

  // The answer in flight: sent, and the console has not reacted yet. What the screen shows of it
  // is read here (shown_typed, took); what that proves, and what to send, the gate decides.
  struct Awaiting {
    std::string screen_id;
    std::string answer;  // what the prompt must show typed when the Enter goes (the whole answer)
    bool enter = false;  // the answer ends with Enter
    bool by_prompt = true;    // typed text is read from the prompt line; else from the echo at the cursor
    std::string echo_ref;     // no prompt line: the screen (and cursor) when the text was last sent
    bool secret = false, by_operator = false;
    std::string pre_text;
    int prompt_row = -1;
    int enter_row = -1, enter_col = -1;  // the cursor when the Enter was judged
    double enter_at = 0;
  };
  std::optional<Awaiting> awaiting;
  // Echo before Enter (answer_gate.hpp): the timing, the re-sends, the Enter of `awaiting`.
  AnswerGate gate;
  std::optional<std::string> closing;  // stopping (signal, operator quit): only the answer in flight is finished

  Impl(Plan p, const Recognizer& r, Guard g, EngineOptions o)
      : plan(std::move(p)), recognizer(r), guard(std::move(g)), opt(std::move(o)),
        gate(AnswerGateOptions{opt.pacing_s, opt.confirm_timeout_s, opt.max_recoveries}) {
    std::string err;
    std::size_t off = 0;
    auto re = Regex::compile(opt.media_pattern, err, off, false, true);
    media_re = re ? std::move(*re) : Regex(R"(\b(CD-ROM|DVD))", false, true);
  }

  void emit(SessionEvent e) { events.push_back(std::move(e)); }

  // The end of the run: its exit follows from the outcome (exit_for), its event is `done` or `halt`.
  void finish(Outcome o, double now, std::string code_name, std::string text) {
    if (outcome != Outcome::running) return;
    outcome = o;
    exit = exit_for(o);
    outcome_text = text;
    awaiting.reset();
    SessionEvent e{o == Outcome::done ? SessionEvent::done : SessionEvent::halt, now, cur_id, "", std::move(code_name),
                   std::move(text)};
    emit(std::move(e));
  }
  void halt(double now, std::string code, std::string text) {
    finish(Outcome::halted, now, std::move(code), std::move(text));
  }

  std::string target_name() const { return resolved_target.empty() ? guard.policy().target_name : resolved_target; }

  // "settings-ready": the method is Migration and the disks shown are exactly what this session
  // verified on the disk screen. A Migration that BOS offers by default, on a disk never checked
  // here, is not ready: the plan goes System Settings -> Migration -> the disk screen first.
  bool condition(const std::string& when, const Fields& f) const {
    if (when.empty()) return true;
    // The POST's "1 = SMS Menu" is for the boot into the install media only. After the install
    // the LPAR must boot its migrated disk: an LPAR activated with `-b sms` never showed that
    // banner before, so `once` alone would press 1 at the first POST after the install.
    if (when == "before-install") return !install_started;
    bool ready = false;
    const auto& verified = guard.policy().verified_target;
    if (f.settings && verified) {
      std::string m = f.settings->method;
      std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
      ready = m.find("migration") != std::string::npos && same_disk_names(f.settings->disks, verified->names());
    }
    return when == "settings-ready" ? ready : !ready;
  }

  // The disk screen's verification lives in the guard's policy, so the guard sees it as input.
  void set_verified(std::optional<VerifiedTarget> v, double now, const std::string& why) {
    if (guard.policy().verified_target == v) return;
    Policy p = guard.policy();
    const bool had = p.verified_target.has_value();
    p.verified_target = std::move(v);
    guard = Guard(p);
    if (had && !guard.policy().verified_target) emit({SessionEvent::note, now, cur_id, "", "disk-unverified", why});
  }

  // A later screen showing another selection than the one verified takes the verification away:
  // the disk screen with other disks selected, or an install screen naming other disks.
  void check_verified(const Recognized& r, double now) {
    const auto& v = guard.policy().verified_target;
    if (!v) return;
    if (auto why = verification_lost(r, *v)) set_verified(std::nullopt, now, *why);
  }

  // The PVIDs a disk screen shows are remembered as the guard's input (Policy::seen_pvids), so a
  // view of the same disks without them (back from 77) is still judged by PVID. Only the screen
  // fills it: what the recognizer read, never the plan or the config.
  void remember_pvids(const Fields& f) {
    std::vector<SeenDisk> seen;
    for (const Disk& d : f.disks)
      if (!d.pvid.empty()) seen.push_back({d.name, d.level, d.size_mb, d.pvid});
    if (seen.empty() || seen == guard.policy().seen_pvids) return;
    Policy p = guard.policy();
    p.seen_pvids = std::move(seen);
    guard = Guard(p);
  }

  // Nothing on this disk screen can be chosen (the target is not there, or two rows fit it, or
  // nothing tells the root VGs apart): the guard's verdict on every row says why. When it refuses
  // them all, that is a refusal (exit 3) with its reason; nothing is sent.
  bool refuse_all_rows(const Recognized& r, double now) {
    if (opt.operator_confirms || r.fields.disks.empty()) return false;
    const Screen s = term.screen();
    std::optional<Verdict> first;
    for (const Disk& d : r.fields.disks) {
      Verdict v = judge(r, s, d.key + "\r", guard.policy());
      if (v.allow) return false;
      if (!first) first = v;
    }
    emit({SessionEvent::refuse, now, r.id, "", first->code, "every disk row is refused: " + first->reason});
    finish(Outcome::refused, now, first->code, first->reason);
    return true;
  }

  // The keys this step means on this screen, or a halt.
  std::optional<std::string> keys_for(const PlanStep& step, const Recognized& r, double now) {
    const Fields& f = r.fields;
    auto choose = [&](const std::string& pattern) -> std::optional<std::string> {
      // Compiled once per pattern for the run (a JIT compile costs more than the match).
      auto at = choose_regexes.find(pattern);
      if (at == choose_regexes.end()) at = choose_regexes.emplace(pattern, Regex(pattern, false, true)).first;
      const Regex& re = at->second;
      std::vector<const Choice*> hits;
      for (const Choice& c : f.choices)
        if (re.search(c.label)) hits.push_back(&c);
      if (hits.size() == 1) return hits[0]->key + "\r";
      if (hits.empty())
        halt(now, "choice-not-found", "no choice on " + r.id + " matches /" + pattern + "/; the screen may differ from what the plan expects");
      else
        halt(now, "choice-ambiguous", std::to_string(hits.size()) + " choices on " + r.id + " match /" + pattern + "/; refusing to guess");
      return std::nullopt;
    };
    if (!step.keys.empty()) return step.keys;
    if (!step.choose.empty()) return choose(step.choose);
    if (step.device == "clone") {
      // The rollback boots the alt_disk_copy clone. SMS lists disks in firmware order, which
      // differs by level, so the clone is found by its location code, never by a number.
      const std::string& loc = guard.policy().clone_location;
      if (loc.empty()) {
        halt(now, "clone-not-pinned",
             "the rollback needs the clone's location code: give --clone-location (from `lscfg -vl hdisk1` or preflight)");
        return std::nullopt;
      }
      std::vector<const Device*> hits;
      for (const Device& d : f.devices)
        if (d.location == loc) hits.push_back(&d);
      if (hits.size() == 1) return hits[0]->key + "\r";
      halt(now, hits.empty() ? "clone-not-found" : "clone-ambiguous",
           hits.empty() ? "no device at the clone's location " + loc + " in this list; check --clone-location"
                        : "more than one device at location " + loc + "; refusing to guess");
      return std::nullopt;
    }
    if (step.device == "media") {
      std::vector<const Device*> hits;
      for (const Device& d : f.devices) {
        bool fits = opt.media_location.empty() ? media_re.search(d.name) : d.location == opt.media_location;
        if (fits) hits.push_back(&d);
      }
      if (hits.size() == 1) return hits[0]->key + "\r";
      std::string which;
      for (auto* d : hits) which += (which.empty() ? "" : "; ") + d->key + ". " + d->name + " (" + d->location + ")";
      if (hits.empty())
        halt(now, "media-not-found",
             "the install media is not in the device list (looked for " +
                 (opt.media_location.empty() ? "/" + opt.media_pattern + "/" : "location " + opt.media_location) +
                 "); check that the virtual optical device is loaded and assigned to this LPAR");
      else
        halt(now, "media-ambiguous",
             "more than one device could be the install media: " + which + "; pin it with --media-location");
      return std::nullopt;
    }
    if (step.disk == "target") {
      remember_pvids(f);
      // The guard's rule decides which row is the target (one home for it).
      const std::vector<Disk> disks = with_seen_pvids(f.disks, guard.policy());
      const TargetMatch match = find_target(disks, guard.policy());
      if (match.problem == "identity-not-shown" && !step.reveal.empty() && reveals < 3) {
        ++reveals;  // 77 may cycle through several views; bounded, then the guard says why
        return choose(step.reveal);
      }
      if (match.problem.empty() && match.rows.size() == 1) {
        const Disk* t = nullptr;
        for (const Disk& d : f.disks)
          if (d.key == match.rows[0]->key) t = &d;
        if (t) {
          if (!t->name.empty()) resolved_target = split_first(t->name);
          if (!t->selected) return t->key + "\r";
          for (const Disk& d : f.disks)
            if (d.selected && &d != t) return d.key + "\r";  // deselect the other disk first
          for (const Choice& c : f.choices)
            if (c.label.rfind("Continue", 0) == 0) return c.key + "\r";
          if (f.disk_shape == DiskShape::levels) return t->key + "\r";
          halt(now, "choice-not-found", "no Continue item on the disk screen");
          return std::nullopt;
        }
      }
      if (refuse_all_rows(r, now)) return std::nullopt;
      halt(now, match.rows.empty() ? "target-not-found" : "target-ambiguous",
           !match.reason.empty() ? match.reason
           : match.rows.empty()  ? "the target disk is not in the disk list; check --target-disk / --target-location / --target-pvid"
                                 : "more than one disk fits the target; pin it with --target-location or --target-pvid");
      return std::nullopt;
    }
    return std::nullopt;
  }

  static std::string split_first(const std::string& names) {
    auto sp = names.find(' ');
    return sp == std::string::npos ? names : names.substr(0, sp);
  }

  // The operator's keys are judged with unknown screens allowed (layer 2 still judges).
  Guard operator_guard() const {
    Policy op = guard.policy();
    op.allow_unknown_screen = true;
    return Guard(op);
  }

  static std::string screen_key(const Screen& s) {
    return s.text() + "\x01" + std::to_string(s.cursor_row) + "," + std::to_string(s.cursor_col);
  }

  // What the screen shows typed of the answer in flight. With a prompt line at the cursor: its
  // typed text. Without one (the System Console screen, which may still be drawing when its
  // step acts): nothing while nothing was printed since the text was sent, else the longest
  // start of the answer that sits right before the cursor (an echo ends where the cursor is).
  // There the held Enter is judged by the guard as a bare Enter (no typed text to read), so a
  // default it forbids is never chosen whatever the echo was. nullopt: the screen does not say.
  static std::optional<std::string> shown_typed(const Screen& s, const Recognized& r, const Awaiting& a) {
    if (a.by_prompt) return prompt_at_cursor(s, r.fields) ? std::optional<std::string>(r.fields.typed) : std::nullopt;
    // Only an answer with an Enter is read from the echo (the POST's "1" is not echoed and needs no proof).
    if (!a.enter || s.cursor_row < 0 || s.cursor_row >= static_cast<int>(s.lines.size()) || s.cursor_col < 0)
      return std::nullopt;
    if (screen_key(s) == a.echo_ref) return std::string();
    std::string line = s.lines[static_cast<std::size_t>(s.cursor_row)];
    const auto col = static_cast<std::size_t>(s.cursor_col);
    line.resize(std::max(line.size(), col), ' ');
    for (std::size_t k = std::min(a.answer.size(), col); k > 0; --k)
      if (line.compare(col - k, k, a.answer, 0, k) == 0) return a.answer.substr(0, k);
    return std::string();
  }

  // Whether the console shows it took the answer in flight, so that the screen is judged afresh.
  // Text whose Enter is held: another screen, or (on a prompt line) a change outside that line;
  // without a prompt line the screen may still be drawing, so only another screen counts.
  // An Enter in flight: another screen, the cursor gone from where the Enter was judged, or the
  // prompt line no longer showing the answer typed. Anything else printed meanwhile (a daemon's
  // message above the prompt) proves nothing: the Enter may still arrive on this screen, and the
  // answer on the line is what it submits, so nothing is typed on top of it.
  static bool took(const Awaiting& a, bool enter_sent, const Recognized& r, const Screen& s) {
    if (r.id != a.screen_id) return true;
    if (!enter_sent) return a.by_prompt && text_without_row(s, a.prompt_row) != a.pre_text;
    if (s.cursor_row != a.enter_row) return true;
    if (!a.by_prompt) return s.cursor_col != a.enter_col;
    // More of the answer's own text echoed (a copy sent again arriving late) is no reaction:
    // the console has not taken the Enter yet.
    const std::optional<std::string> shown = shown_typed(s, r, a);
    const std::string want = wanted(a);
    return !shown || shown->compare(0, want.size(), want) != 0;
  }
  // The line the prompt must show typed for the answer in flight.
  static std::string wanted(const Awaiting& a) { return a.by_prompt ? collapse_blanks(a.answer) : a.answer; }

  // `recovery`: keys the screen proved missing from the answer in flight. `completes`: that
  // answer's held Enter, now that the screen shows its text typed.
  Verdict send(const Recognized& r, const Screen& s, const std::string& keys, bool secret, double now, bool recovery,
               const Guard* with = nullptr, bool by_operator = false, bool completes = false) {
    // A pinned identity resolved on the disk screen names the target from here on.
    if (r.id == screen_id::bos_disks && !resolved_target.empty() && resolved_target != guard.policy().target_name &&
        (!guard.policy().target_pvid.empty() || !guard.policy().target_location.empty())) {
      Policy p = guard.policy();
      p.target_name = resolved_target;
      guard = Guard(p);
    }
    // Text + Enter goes as the text alone; the Enter follows once the screen shows the text typed
    // (see the top of this file). The guard judges a line without its Enter as if submitted, so
    // the text gets the verdict the whole answer would. A secret is not echoed: it goes whole (a
    // password prompt takes a bare Enter as an empty password, never as a menu default).
    const bool enter = !keys.empty() && (keys.back() == '\r' || keys.back() == '\n');
    const std::string text = enter ? keys.substr(0, keys.size() - 1) : keys;
    const bool hold = enter && !secret && echoable(text);
    const std::string out = hold ? text : keys;
    auto verdict = (with ? *with : guard).approve(r, s, out);
    if (auto* refused = std::get_if<Verdict>(&verdict)) {
      SessionEvent e{SessionEvent::refuse, now, r.id, secret ? "***" : printable_keys(keys), refused->code,
                     (by_operator ? "operator keys: " : "") + refused->reason};
      emit(e);
      // In step mode the operator hears why and decides; unattended, a refusal halts the run.
      if (!opt.operator_confirms) finish(Outcome::refused, now, refused->code, refused->reason);
      return *refused;
    }
    // A plan going in circles (the same screen answered again and again) halts.
    if (!by_operator && !completes && ++sends[r.id] > 20) {
      halt(now, "loop", "keys were sent on " + r.id + " " + std::to_string(sends[r.id] - 1) + " times; the plan is going in circles");
      return Verdict{false, "loop", outcome_text, 1};
    }
    // Keys sent on the disk screen either leave it verified (exactly the target, the clone
    // accounted for) or take any earlier verification away: the selection may have changed.
    if (r.id == screen_id::bos_disks)
      set_verified(std::get<Approved>(verdict).verified(), now, "keys on the disk screen changed what was verified");
    pending.emplace(Outgoing{std::move(std::get<Approved>(verdict)), secret});
    const bool continues = (recovery || completes) && awaiting;
    Awaiting a;
    a.screen_id = r.id;
    if (continues) {
      const Awaiting& prev = *awaiting;
      a.answer = prev.answer;  // the whole answer, for the next check
      a.enter = prev.enter;
      a.by_prompt = prev.by_prompt;
      a.echo_ref = hold || !enter ? screen_key(s) : prev.echo_ref;  // text sent again: the echo is looked for anew
      a.secret = prev.secret;
      a.by_operator = prev.by_operator;
      if (completes) gate.entered(now);
      else gate.resent(out.size(), now);
    } else {
      a.by_prompt = prompt_at_cursor(s, r.fields);
      // The guard judged what was typed already + the keys: that is the line the prompt must show.
      a.answer = (a.by_prompt ? r.fields.typed : std::string()) + text;
      a.enter = enter;
      a.echo_ref = screen_key(s);
      a.secret = secret;
      a.by_operator = by_operator;
      gate.start(wanted(a), enter, hold, out.size(), now);
    }
    a.prompt_row = s.cursor_row;
    a.pre_text = text_without_row(s, a.prompt_row);
    if (gate.enter_in_flight()) {
      a.enter_row = s.cursor_row;
      a.enter_col = s.cursor_col;
      a.enter_at = now;
    }
    awaiting = a;
    sent_this_visit = true;
    last_change = now;
    proposal.reset();
    emit({SessionEvent::send, now, r.id, secret ? "***" : printable_keys(out), "",
          recovery      ? "recovery"
          : completes   ? "the screen shows \"" + a.answer + "\" typed"
          : by_operator ? "operator typed"
          : opt.operator_confirms ? "operator accepted"
                                  : "",
          -1, -1, secret});
    return Verdict{true, "", "", 0};
  }

  // The stream shortcut (issue 21). During the install the console prints a line per read and
  // nothing can be decided: bos.progress only waits. Judging the whole screen after each such
  // read (the terminal's screen, every signature, the parsers) is where a real-paced run spent
  // its CPU. So while the last judged screen is bos.progress and nothing is in flight, a read
  // that ends a line, holds no '%' (the progress block's "% tasks complete", whose numbers
  // follow within a few lines, so the 8 lines after one are judged too) and no escape (every
  // new screen, the POST after the reboot among them, is drawn with escapes) changes nothing
  // that matters: a screen that waits for input ends with its prompt, not a line end (menus,
  // "press Enter", "login: "). Such reads are only
  // fed to the terminal; the screen is judged again on the next read that may matter, after
  // kStreamPause of quiet (deadline()), and at least every kStreamStale of output, so timeouts,
  // progress and screen changes are still seen.
  static constexpr double kStreamPause = 0.1, kStreamStale = 1.0;
  bool ends_line = false;     // the last read ended with a line feed
  bool must_judge = true;     // a read since the last judgement held '%', an escape, or a progress row may follow
  bool drawn_since_install = true;  // escapes came after the install screen was last recognized: a new screen is being drawn
  int lines_since_pct = 99;   // line feeds since the last '%' read
  double last_judged = -1e9;  // when the whole screen was last judged
  bool stream_skipped = false;
  bool streaming(double now) const {
    if (!opt.stream_shortcut) return false;
    // The install's lines scroll the progress block off the screen: then no signature names it,
    // and the screen last named is still the install.
    const bool installing = cur_id == screen_id::bos_progress || (cur_id.empty() && last_known == screen_id::bos_progress && !drawn_since_install);
    return installing && seen_first && !awaiting && !closing && !proposal && action == Action::none && ends_line &&
           !must_judge && now - last_judged < kStreamStale && now - last_output < kStreamPause;
  }

  // The answer in flight, on the screen shown now: what the screen shows of it (read here) and
  // what that proves (the gate). True while it holds the screen (nothing else is decided).
  bool follow_answer(const Recognized& r, const Screen& s, double now) {
    const Awaiting a = *awaiting;
    // Another screen is a reaction, never an echo.
    const std::optional<std::string> shown = r.id == a.screen_id ? shown_typed(s, r, a) : std::nullopt;
    const std::string want = wanted(a);
    const Guard og = operator_guard();
    const Guard* with = a.by_operator ? &og : nullptr;
    const std::string whole = printable_keys(a.answer + (a.enter ? "\r" : ""));
    const bool held = gate.enter_held();
    const bool reacted = took(a, gate.enter_in_flight(), r, s);
    if (closing && !held) {
      // The answer is whole; hang up only once the console took it (a pty closed at once
      // may lose the Enter still unread), or after the confirm time.
      if (reacted || now >= gate.confirm_by())
        finish(Outcome::halted, now, "aborted",
               *closing + "; the answer " + whole + " was completed first" +
                   (reacted ? std::string() : " (the console had not reacted to it yet)"));
      return true;
    }
    const AnswerGate::Look look = gate.look(shown, reacted, now);
    switch (look.step) {
      case AnswerGate::Step::wait:
        return true;
      case AnswerGate::Step::enter:
        // Proven: the Enter, judged on this screen as the typed text + Enter.
        if (!send(r, s, "\r", a.secret, now, false, with, a.by_operator, true).allow) {
          awaiting.reset();  // step mode: the operator sees the refusal; the text stays typed
          if (closing) finish(Outcome::halted, now, "aborted", *closing);
        }
        return true;  // stopping: the session ends once the console has taken the Enter
      case AnswerGate::Step::reacted:
        // The console acted on the text alone (redrew, or went to another screen): that
        // answer is void, and its Enter never lands on what the console did instead.
        emit({SessionEvent::note, now, r.id, "", "answer-abandoned",
              "the console reacted to \"" + a.answer + "\" before its Enter; the Enter is not sent, the screen is read again"});
        awaiting.reset();
        if (closing) {
          finish(Outcome::halted, now, "aborted", *closing + "; the answer " + whole + " was not completed");
          return true;
        }
        return false;
      case AnswerGate::Step::taken:
        awaiting.reset();
        proposal.reset();
        last_change = now;
        return false;
      case AnswerGate::Step::resend:
      case AnswerGate::Step::exhausted:
      case AnswerGate::Step::mismatch:
        break;
    }
    if (!held) {
      // Text without an Enter (the POST's 1): only the part the screen proves missing.
      // Recovery re-types only what vtpilot itself typed.
      if (a.by_operator) return true;
      if (look.step == AnswerGate::Step::exhausted) {
        halt(now, "no-reaction", "the console did not react to " + whole + " after " + std::to_string(gate.resends() + 1) + " tries");
        return true;
      }
      emit({SessionEvent::note, now, r.id, "", "no-reaction",
            "the console shows \"" + *shown + "\" typed, not \"" + want + "\": sending the missing " + printable_keys(look.rest)});
      send(r, s, look.rest, a.secret, now, true, with, a.by_operator);
      return true;
    }
    if (closing && (!shown || shown->empty())) {
      finish(Outcome::halted, now, "aborted",
             *closing + "; the answer " + whole + " never showed on the screen, so nothing of it is typed and no Enter was sent");
      return true;
    }
    if (look.step != AnswerGate::Step::mismatch && a.by_operator) {
      // Recovery re-types only what vtpilot itself typed: the operator's answer that did not
      // arrive whole goes back to the operator, with what the line shows.
      emit({SessionEvent::note, now, r.id, "", "operator-answer-incomplete",
            "the console shows \"" + *shown + "\" typed, not your \"" + want +
                "\": nothing more is sent; type the rest, or clear the line, yourself"});
      awaiting.reset();
      return true;
    }
    if (look.step == AnswerGate::Step::exhausted) {
      halt(now, "no-echo", "the screen never showed \"" + want + "\" typed after " + std::to_string(gate.resends() + 1) +
                               " tries, so its Enter was never sent");
      return true;
    }
    if (look.step == AnswerGate::Step::resend) {
      emit({SessionEvent::note, now, r.id, "", "no-echo",
            "the console shows \"" + *shown + "\" typed, not \"" + want + "\": sending the missing " + printable_keys(look.rest) +
                " (the Enter waits until the screen shows it)"});
      send(r, s, look.rest, a.secret, now, true, with, a.by_operator);
      return true;
    }
    if (a.by_operator && shown) {
      emit({SessionEvent::note, now, r.id, "", "operator-answer-mismatch",
            "the console shows \"" + *shown + "\" typed, not your \"" + want + "\": no Enter is sent; the line is yours"});
      awaiting.reset();
      return true;
    }
    halt(now, "typed-mismatch",
         shown ? "the prompt line shows \"" + *shown + "\" typed, not the answer \"" + want +
                     "\"; no Enter is sent on top of it. Clear the prompt line on the console and run again"
               : "after \"" + want + "\" was sent the cursor left the prompt line without a new screen; no Enter is sent");
    return true;
  }

  // Look at the screen and decide, in named steps: skip a read that cannot matter (the stream
  // shortcut), recognize, note the visit (a new screen, progress, install evidence), the
  // timeouts, the answer in flight, the screens the plan does not answer, then the plan's step.
  void evaluate(double now) {
    if (outcome != Outcome::running || detached) return;
    if (!started) {
      started = true;
      last_change = reveal_from = now;
    }
    stream_skipped = streaming(now);
    if (stream_skipped) return;
    last_judged = now;
    must_judge = false;
    const Screen s = term.screen();
    const Recognized r = recognizer.recognize(s);
    if (r.id == screen_id::bos_progress) drawn_since_install = false;
    if (ambiguous(r, now)) return;
    visit(r, s, now);
    if (timed_out(r, s, now)) return;

    const bool ready = prompt_at_cursor(s, r.fields);
    if (ready) check_verified(r, now);  // a complete screen only: a half-drawn one proves nothing
    if (closing && !awaiting) {
      finish(Outcome::halted, now, "aborted", *closing);
      return;
    }
    if (awaiting && follow_answer(r, s, now)) return;
    if (reveal && reveal_menu(r, s, now)) return;
    const PlanStep* step = plan_step_or_halt(r, ready, now);
    if (step) act(*step, r, s, ready, now);
  }

  // Session::left_at. True while it holds the screen: the console still shows nothing (or only
  // the vterm's banner) and the quiet time is not over. Anything else drawn cancels it.
  bool reveal_menu(const Recognized& r, const Screen& s, double now) {
    const bool nothing = r.id == screen_id::hmc_vterm_open || (r.id.empty() && s.blank());
    if (!nothing || install_started || !attached_running) {
      reveal.reset();
      return false;
    }
    if (now - std::max(reveal_from, last_output) < opt.reveal_after_s) return true;
    Reveal rv = std::move(*reveal);
    reveal.reset();
    auto verdict = guard.approve(rv.r, rv.screen, "88\r");
    if (auto* refused = std::get_if<Verdict>(&verdict)) {
      emit({SessionEvent::note, now, r.id, "", "no-reveal",
            "the console shows nothing; the guard refused 88 on " + rv.r.id + " (" + refused->reason + "): nothing sent"});
      return false;
    }
    emit({SessionEvent::note, now, r.id, "", "reveal",
          "the console shows nothing (a vterm shows only what is drawn while it is open); " + rv.source + " left it at " +
              rv.r.id + ", a BOS menu: 88 (Help) there, then 99 (Previous Menu), draws it again"});
    emit({SessionEvent::send, now, rv.r.id, printable_keys("88\r"), "", "reveal: judged on " + rv.r.id + " as " + rv.source + " left it"});
    pending.emplace(Outgoing{std::move(std::get<Approved>(verdict)), false});
    last_change = now;
    return true;
  }

  // Two signatures matching is never a silent pick, and nothing is decided on such a screen.
  // While the console is still drawing, the old screen's text can stand above the new one's
  // (a console that sends a line per read shows SMS's exit question over STARTING SOFTWARE):
  // that is a screen in passing, so the halt comes only once it has stood still for the
  // grace time, as for an unknown screen. True: nothing more is decided now.
  bool ambiguous(const Recognized& r, double now) {
    if (r.ambiguous.empty()) {
      ambiguous_since.reset();
      return false;
    }
    if (!ambiguous_since) ambiguous_since = now;
    if (now - std::max(*ambiguous_since, last_output) >= opt.unknown_grace_s) {
      std::string ids;
      for (auto& id : r.ambiguous) ids += (ids.empty() ? "" : " and ") + id;
      halt(now, "ambiguous-screen", "signatures " + ids + " both match this screen; nothing sent");
    }
    return true;
  }

  // What this look at the screen tells, whatever is decided: a new screen (a new visit), the
  // install's progress and evidence, and time that is not the console's silence.
  void visit(const Recognized& r, const Screen& s, double now) {
    if (r.id != cur_id || !seen_first) {
      seen_first = true;
      cur_id = r.id;
      last_change = now;
      sent_this_visit = false;
      unknown_since.reset();
      proposal.reset();
      noted_unknown = false;
      action = Action::none;
      // Install output scrolls the progress block in and out of view: announce a screen only
      // when it differs from the last one named.
      if (!r.id.empty() && r.id != last_known) emit({SessionEvent::screen, now, r.id, "", "", r.fields.title});
      if (!r.id.empty()) last_known = r.id;
    }
    if (r.fields.progress && (r.fields.progress->percent != last_percent || r.fields.progress->elapsed_min != last_elapsed)) {
      last_percent = r.fields.progress->percent;
      last_elapsed = r.fields.progress->elapsed_min;
      last_change = now;
      emit({SessionEvent::progress, now, r.id, "", "", "", last_percent, last_elapsed});
    }
    track_install(r, now);
    // The operator's thinking time is not the console's silence, nor is the HMC's time on an
    // orchestration (a media swap is several HMC commands of seconds each).
    if (proposal || action == Action::running) last_change = now;
    if (skipped_text && *skipped_text != s.text()) skipped_text.reset();
  }

  // Nothing changed for the screen timeout: an Enter in flight that nothing answered (never sent
  // again: it may still arrive), or plain silence. True: halted.
  bool timed_out(const Recognized& r, const Screen& s, double now) {
    if (now - last_change < opt.screen_timeout_s) return false;
    if (awaiting && gate.enter_in_flight() && !took(*awaiting, true, r, s)) {
      const Awaiting& a = *awaiting;
      halt(now, "no-reaction",
           "the console has not reacted to the Enter of " + (a.secret ? std::string("***") : "\"" + a.answer + "\"") + " sent " +
               std::to_string(static_cast<int>(now - a.enter_at)) + " s ago on " + a.screen_id +
               "; it was not sent again, and it may still arrive: look at the console before anyone types there "
               "(that Enter submits what its prompt line shows, on the screen shown when it arrives)");
      return true;
    }
    halt(now, "timeout",
         "nothing changed for " + std::to_string(static_cast<int>(opt.screen_timeout_s)) + " s on " +
             (r.id.empty() ? std::string("an unrecognized screen") : r.id) +
             (awaiting ? " after sending " + printable_keys(awaiting->answer + (awaiting->enter ? "\r" : "")) : std::string()));
    return true;
  }

  // The plan's step for this screen, or nullptr when there is none to act on: in step mode the
  // operator is told; an unknown screen, or one outside the plan, halts once it has stood still
  // with its prompt for the grace time; and the plan's own rules (halt_on_install_loop,
  // halt_on_installer) halt at once.
  const PlanStep* plan_step_or_halt(const Recognized& r, bool ready, double now) {
    if (opt.operator_confirms && (r.id.empty() || !plan_step(r)) && ready) {
      // Step mode: an unknown screen, or one outside the plan, is the operator's to answer.
      if (!noted_unknown)
        emit({SessionEvent::note, now, r.id, "", r.id.empty() ? "unknown-screen" : "unexpected-screen",
              r.id.empty() ? "vtpilot does not know this screen: type keys (still judged by the guard) or quit"
                           : "screen " + r.id + " is not part of plan `" + plan.name + "`: type keys or quit"});
      noted_unknown = true;
      return nullptr;
    }
    if (r.id.empty()) {
      if (!ready) {
        unknown_since.reset();
        return nullptr;
      }
      if (!unknown_since) unknown_since = now;
      if (now - std::max(*unknown_since, last_output) >= opt.unknown_grace_s)
        halt(now, "unknown-screen", "this screen is not one vtpilot knows, and it is waiting for input; nothing was sent");
      return nullptr;
    }

    // Once the install is running, a menu of SMS or of the installer means the machine came back
    // where it should not (runbook: "Reboot loops back to install media"): never follow the plan
    // into a second install.
    if (install_started && ready && plan.halt_on_install_loop &&
        ((r.id.rfind("sms.", 0) == 0 && r.id != screen_id::sms_please_wait) ||
         (r.id.rfind("bos.", 0) == 0 && r.id != screen_id::bos_progress && r.id != screen_id::bos_media_swap))) {
      halt(now, "install-loop",
           "after the install the system came back to " + r.id +
               " instead of booting the migrated disk; set the boot list from SMS (hdisk0 as 1st boot device) and "
               "boot it, then run again to finish");
      return nullptr;
    }
    // The rollback boots a disk; an installer screen means the install media booted instead
    // (the pinned location was the media's, or firmware fell through to it). Stop at once, even
    // without a prompt: the installer's first screens take Enter or 1 as their default.
    if (plan.halt_on_installer && r.id.rfind("bos.", 0) == 0) {
      halt(now, "entered-installer",
           "screen " + r.id + " is not part of plan `" + plan.name + "`: it landed in the BOS installer instead of booting "
           "the clone; nothing was sent. "
           "Check --clone-location against `lscfg -vl` of the clone (vtpilot preflight prints it)");
      return nullptr;
    }
    if (attached_running && !install_started && (r.id.rfind("sms.", 0) == 0 || r.id.rfind("fw.", 0) == 0)) {
      if (ready && r.id != screen_id::sms_post && r.id != screen_id::sms_please_wait)
        halt(now, "resume-in-firmware",
             "the LPAR was found Running and attached as it was, and now shows " + r.id +
                 ": this run boots nothing (entering SMS here would start a second install); nothing was sent. "
                 "Boot it yourself, or shut it down (Not Activated) and run again to migrate it");
      return nullptr;
    }
    const PlanStep* step = plan_step(r);
    if (!step) {
      if (!ready) return nullptr;
      if (!unknown_since) unknown_since = now;
      if (now - std::max(*unknown_since, last_output) >= opt.unknown_grace_s)
        halt(now, "unexpected-screen", "screen " + r.id + " is not part of plan `" + plan.name + "`; nothing was sent");
      return nullptr;
    }
    unknown_since.reset();
    return step;
  }

  // The plan's step on its screen: the end, a wait, or keys (proposed in step mode; else judged
  // and sent) once the prompt is drawn and any orchestration it asks for is done.
  void act(const PlanStep& st, const Recognized& r, const Screen& s, bool ready, double now) {
    const PlanStep* step = &st;
    if (step->done) {
      reach_done(*step, r, now);
      return;
    }
    if (step->wait) return;
    if (step->once && fired.count(step)) return;  // done its job earlier (e.g. SMS before the install)
    if (step->needs_prompt ? !ready : sent_this_visit) return;
    if (!step->action.empty() && action != Action::ok) {
      // The keys wait for the orchestration (the HMC loading the volume this screen asks for).
      if (action == Action::none) {
        auto vol = r.fields.captures.find("volume");
        action_request = step->action + (vol == r.fields.captures.end() ? std::string() : " " + vol->second);
        action = Action::requested;
        emit({SessionEvent::note, now, r.id, "", "action", "running " + action_request + " before sending keys"});
      }
      return;
    }
    auto keys = keys_for(*step, r, now);
    if (!keys) return;
    if (opt.operator_confirms) {
      if (proposal || skipped_text) return;
      Proposal p{r.id, *keys, label_for(*keys, r.fields), step->secret, judge(r, s, *keys, guard.policy())};
      proposal = p;
      emit({SessionEvent::propose, now, r.id, step->secret ? "***" : printable_keys(*keys), p.verdict.code,
            p.verdict.allow ? p.label : p.verdict.reason});
      return;
    }
    if (send(r, s, *keys, step->secret, now, false).allow) {
      fired.insert(step);
      action = Action::none;  // asked again, the screen gets the orchestration again
    }
  }

  // Install evidence, from the byte stream as well as the screens: a fast console can draw the
  // whole install, its reboot and the login between two looks at the screen. Only two phrases,
  // and only while they are still awaited, so the cost is one search per output chunk.
  void watch_install(std::string_view bytes, double now) {
    std::size_t from = 0;
    while (!install_rebooted) {
      const std::string_view want = install_started ? "Rebooting" : "Installing Base Operating System";
      std::size_t at = bytes.find(want, from);
      if (at == std::string_view::npos && from == 0 && !install_tail.empty()) {
        std::string edge = install_tail;
        edge.append(bytes.substr(0, std::min(bytes.size(), want.size() - 1)));
        if (edge.find(want) != std::string::npos) at = 0;
      }
      if (at == std::string_view::npos) break;
      if (install_started) install_rebooted = true;
      else install_began(now);
      from = std::min(bytes.size(), at + want.size());
    }
    install_tail.append(bytes.substr(bytes.size() > 40 ? bytes.size() - 40 : 0));
    if (install_tail.size() > 40) install_tail.erase(0, install_tail.size() - 40);
  }

  void install_began(double now) {
    if (install_started) return;
    install_started = true;
    if (!saw_install_menu)
      emit({SessionEvent::note, now, cur_id, "", "attached-install",
            "attached to an install already under way (this run did not see it start); the end is judged the same "
            "way: the login counts only after the install ends and the system reboots"});
  }

  // What the screens say about the install (the byte stream says it too: watch_install).
  void track_install(const Recognized& r, double now) {
    if (r.id == screen_id::bos_settings || r.id == screen_id::bos_summary || r.id == screen_id::bos_migration_confirm || r.id == screen_id::bos_welcome)
      saw_install_menu = true;
    if (r.id == screen_id::bos_progress || r.id == screen_id::bos_media_swap) install_began(now);
    if (install_started && (r.id == screen_id::sms_post || r.id == screen_id::fw_starting_software)) install_rebooted = true;
  }

  // A `done` step: the plan ends here, if what it requires happened in this run.
  void reach_done(const PlanStep& step, const Recognized& r, double now) {
    if (step.requirement == "install" && !(install_started && install_rebooted)) {
      const std::string what =
          !install_started ? "this run never saw the BOS install start"
                           : "this run saw the install start but not end with a reboot";
      if (opt.level_decides) {
        emit({SessionEvent::note, now, r.id, "", "install-not-seen",
              what + "; the level the verify reads decides whether the system migrated"});
      } else {
        halt(now, "not-installed",
             "reached the login prompt of a system that did not install (" + what +
                 "); nothing was migrated by this run. Boot the install media from SMS (at POST press 1) and run again");
        return;
      }
    }
    finish(Outcome::done, now, "", "reached " + r.id);
  }

  const PlanStep* plan_step(const Recognized& r) const {
    for (const PlanStep& st : plan.steps)
      if (st.screen == r.id && condition(st.when, r.fields)) return &st;
    return nullptr;
  }

  static std::string label_for(const std::string& keys, const Fields& f) {
    std::string k = keys;
    while (!k.empty() && (k.back() == '\r' || k.back() == '\n')) k.pop_back();
    for (const Choice& c : f.choices)
      if (c.key == k) return c.label;
    return {};
  }

  Verdict operator_send(std::string_view keys, double now, bool use_proposal) {
    if (outcome != Outcome::running) return Verdict{false, "not-running", "the session has ended", 0};
    const Screen s = term.screen();
    const Recognized r = recognizer.recognize(s);
    if (use_proposal) {
      if (!proposal) return Verdict{false, "no-proposal", "there is nothing proposed on this screen", 0};
      Proposal p = *proposal;
      Verdict v = send(r, s, p.keys, p.secret, now, false);
      if (v.allow)
        if (const PlanStep* st = plan_step(r)) fired.insert(st);
      return v;
    }
    const Guard g = operator_guard();  // the operator may answer what vtpilot does not know; layer 2 still judges
    return send(r, s, std::string(keys), false, now, false, &g, true);
  }

  std::optional<double> deadline() const {
    if (outcome != Outcome::running || detached) return std::nullopt;
    double d = last_change + opt.screen_timeout_s;
    // An Enter in flight has nothing due at the confirm time: it is waited for, up to the screen timeout.
    if (awaiting)
      if (const auto g = gate.deadline()) d = std::min(d, *g);
    if (unknown_since) d = std::min(d, std::max(*unknown_since, last_output) + opt.unknown_grace_s);
    if (ambiguous_since) d = std::min(d, std::max(*ambiguous_since, last_output) + opt.unknown_grace_s);
    if (stream_skipped) d = std::min(d, std::min(last_output + kStreamPause, last_judged + kStreamStale));
    if (reveal && started) d = std::min(d, std::max(reveal_from, last_output) + opt.reveal_after_s);
    return d;
  }
};

Session::Session(Plan plan, const Recognizer& recognizer, Guard guard, EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(plan), recognizer, std::move(guard), std::move(options))) {}
Session::~Session() = default;

void Session::on_output(std::string_view bytes, double now) {
  Impl& m = *impl_;
  m.term.feed(bytes);
  m.last_output = now;
  // What the stream shortcut needs to know of these bytes (see Impl::streaming).
  if (!bytes.empty()) {
    m.ends_line = bytes.back() == '\n';
    const std::size_t pct = bytes.rfind('%');
    const bool escape = bytes.find('\x1b') != std::string_view::npos;
    if (pct != std::string_view::npos || m.lines_since_pct <= 8 || escape) m.must_judge = true;
    if (escape) m.drawn_since_install = true;
    if (pct != std::string_view::npos) m.lines_since_pct = 0;
    const std::string_view after = pct == std::string_view::npos ? bytes : bytes.substr(pct);
    m.lines_since_pct += static_cast<int>(std::count(after.begin(), after.end(), '\n'));
  }
  m.watch_install(bytes, now);
}
void Session::evaluate(double now) { impl_->evaluate(now); }
void Session::on_close(double now, const std::string& why) {
  impl_->finish(Outcome::closed, now, "console-closed", "the console closed: " + why);
}
void Session::abort(double now, const std::string& why) {
  Impl& m = *impl_;
  if (m.outcome != Outcome::running) return;
  // Never leave a half-typed answer: text sent whose Enter is held gets that Enter once the
  // screen shows the text typed (or, if it never shows, nothing more), and the session ends once
  // the console took the answer (a pty hung up at once can lose bytes it has not read yet), or
  // after the confirm time. A second stop ends it at once.
  if (!m.closing && !m.detached && m.awaiting) {
    m.closing = why;
    m.proposal.reset();
    const std::string whole = printable_keys(m.awaiting->answer + (m.awaiting->enter ? "\r" : ""));
    m.emit({SessionEvent::note, now, m.cur_id, "", "finishing",
            why + ": first the answer in flight (" + whole + ") is finished" +
                (m.gate.enter_held() ? ": its Enter once the screen shows it typed" : "") +
                ", up to the console's reaction; nothing else is sent"});
    return;
  }
  m.finish(Outcome::halted, now, "aborted",
           m.closing ? why + "; the answer in flight was not completed" : why);
}
std::optional<Outgoing> Session::take_send() {
  std::optional<Outgoing> out;
  if (impl_->pending) {
    out.emplace(std::move(*impl_->pending));
    impl_->pending.reset();
  }
  return out;
}
const std::optional<Proposal>& Session::proposal() const { return impl_->proposal; }
Verdict Session::accept(double now) { return impl_->operator_send({}, now, true); }
Verdict Session::operator_keys(std::string_view keys, double now) { return impl_->operator_send(keys, now, false); }
void Session::skip(double now) {
  impl_->proposal.reset();
  impl_->skipped_text = impl_->term.screen().text();
  impl_->emit({SessionEvent::note, now, impl_->cur_id, "", "skipped", "operator skipped this screen"});
}
void Session::operator_note(double now, const std::string& code, const std::string& text) {
  impl_->emit({SessionEvent::note, now, impl_->cur_id, "", code, text});
}
std::vector<SessionEvent> Session::take_events() { return std::exchange(impl_->events, {}); }
std::optional<double> Session::deadline() const { return impl_->deadline(); }
Outcome Session::outcome() const { return impl_->outcome; }
int Session::exit_code() const { return impl_->exit; }
const std::string& Session::outcome_text() const { return impl_->outcome_text; }
Screen Session::screen() const { return impl_->term.screen(); }

void Session::on_detach(double now, const std::string& why) {
  Impl& m = *impl_;
  if (m.outcome != Outcome::running) return;
  if (m.closing) {
    m.finish(Outcome::halted, now, "aborted", *m.closing + "; the console went away before the answer's Enter");
    return;
  }
  // Keys not yet handed to the write path are dropped, never sent later: after the gap the
  // screen is read again and the plan decides afresh from what it means.
  m.detached = true;
  m.pending.reset();
  m.awaiting.reset();
  m.proposal.reset();
  m.action = Impl::Action::none;
  m.emit({SessionEvent::note, now, m.cur_id, "", "detached", "console lost (" + why + "); reconnecting; nothing is sent until the screen is read again"});
}

void Session::left_at(const Screen& screen, const std::string& source) {
  Impl& m = *impl_;
  Recognized r = m.recognizer.recognize(screen);
  const bool menu = r.id.rfind("bos.", 0) == 0 && r.ambiguous.empty() &&
                    std::any_of(r.fields.choices.begin(), r.fields.choices.end(), [](const Choice& c) { return c.key == "88"; });
  if (!menu) return;
  m.reveal = Impl::Reveal{screen, std::move(r), source};
}

void Session::attached_as_running(double now, const RunningOs& os) {
  Impl& m = *impl_;
  m.attached_running = true;
  if (!os.known || !os.aix_up) return;  // firmware, the installer, or not known: the console tells
  const std::string at = os.os_version.empty() ? os.level : os.os_version;
  if (!m.opt.expect_level.empty() && os.level.rfind(m.opt.expect_level, 0) == 0) {
    m.finish(Outcome::done, now, "already-at-target",
             "the HMC reports AIX up (RMC active) at " + at + ", already at " + m.opt.expect_level +
                 ": nothing to migrate; nothing was sent");
    return;
  }
  m.halt(now, "running-aix",
         "the HMC reports AIX up (RMC active) at " + (at.empty() ? std::string("an unreported level") : at) +
             (m.opt.expect_level.empty() ? std::string(" (no expect_level given to compare)")
                                         : ", not " + m.opt.expect_level) +
             ": no install is under way to resume and this run shuts nothing down; nothing was sent. Shut it down "
             "yourself (runbook: shutdown -F now) and run again, or set allow_restart = true instead of resume");
}

void Session::on_reattach(double now, const std::string& what) {
  Impl& m = *impl_;
  if (m.outcome != Outcome::running) return;
  m.detached = false;
  m.term = Terminal(24, 80, 2000);  // a reopened vterm shows only what is drawn from now on
  m.seen_first = false;
  m.cur_id.clear();
  m.last_change = m.last_output = now;
  m.unknown_since.reset();
  m.ambiguous_since.reset();
  m.sent_this_visit = false;
  m.skipped_text.reset();
  m.emit({SessionEvent::note, now, "", "", "reattached", what + "; reading the screen again before sending anything"});
}

bool Session::keys_still_judged() const {
  const Impl& m = *impl_;
  if (!m.awaiting || m.outcome != Outcome::running) return true;
  const Screen s = m.term.screen();
  return !Impl::took(*m.awaiting, m.gate.enter_in_flight(), m.recognizer.recognize(s), s);
}

void Session::keys_dropped(std::size_t bytes, double now) {
  Impl& m = *impl_;
  if (m.outcome != Outcome::running || !m.awaiting) return;
  const std::string what = m.awaiting->secret ? "***" : printable_keys(m.awaiting->answer + (m.awaiting->enter ? "\r" : ""));
  m.emit({SessionEvent::note, now, m.cur_id, "", "keys-dropped",
          std::to_string(bytes) + " key byte(s) of " + what + " not written: the screen they were judged for (" +
              m.awaiting->screen_id + ") is gone; the screen is read again and judged afresh"});
  m.awaiting.reset();
  m.pending.reset();
  m.last_change = now;
  if (m.closing) m.finish(Outcome::halted, now, "aborted", *m.closing + "; the answer in flight was dropped with its screen");
}

std::optional<std::string> Session::take_action() {
  if (impl_->action != Impl::Action::requested) return std::nullopt;
  impl_->action = Impl::Action::running;
  return impl_->action_request;
}

void Session::action_done(bool ok, const std::string& text, double now) {
  Impl& m = *impl_;
  if (m.action != Impl::Action::running) return;
  if (ok) {
    m.action = Impl::Action::ok;
    m.last_change = now;  // the screen's time runs again from here, not from before the swap
    if (!text.empty()) m.emit({SessionEvent::note, now, m.cur_id, "", "action", text});
    return;
  }
  m.finish(Outcome::closed, now, "action-failed", m.action_request + " failed: " + text);
}

}  // namespace vtpilot
