// What a run shows while it goes (ui.hpp): human lines on stderr, JSON events on stdout.
#include "ui.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/screens/recognizer.hpp"

namespace vtpilot::cli {

namespace {

bool g_bar_drawn = false;  // one terminal, one status line, whichever run drew it

// A screen's title is shown only where the screen has one: SMS and BOS menus drawn as a page.
// Screens that are a stream of output (the POST banner, the install's progress and its media
// swap, the firmware's boot banner, AIX, the HMC's messages) have none: their first row is
// whatever scrolled there ("installp: APPLYING software for:", "Starting the error daemon").
bool has_title(const std::string& id) {
  if (id == screen_id::sms_post || id == screen_id::bos_progress || id == screen_id::bos_media_swap) return false;
  return id.rfind("sms.", 0) == 0 || id.rfind("bos.", 0) == 0;
}

// What a silent console is waiting for, by the last screen named.
std::string waiting_for(const std::string& id, bool install_seen) {
  if (id.empty()) return "the console's first screen";
  if (id == screen_id::sms_post) return "the firmware to finish its power-on self test";
  if (id == screen_id::sms_please_wait || id == screen_id::fw_starting_software)
    return install_seen ? "the migrated disk to boot" : "the firmware to boot the install media";
  if (id == screen_id::bos_progress) return "the install to go on (it reboots when done)";
  if (id == screen_id::bos_media_swap) return "the media swap";
  if (id.rfind("aix.", 0) == 0) return "AIX";
  return "the screen after " + id;
}

// The guard's reasons start with "Refused: "; the line that shows one says REFUSED already.
std::string without_refused(const std::string& text) {
  const std::string_view p = "Refused: ";
  return text.compare(0, p.size(), p) == 0 ? text.substr(p.size()) : text;
}

struct Ui {
  explicit Ui(UiOptions o) : opt(std::move(o)) {}
  const UiOptions opt;
  std::string last_screen;  // the last screen named
  // Progress: where the bar or the lines are, and whether the install has been seen.
  int last_percent = -1, last_elapsed = -1, printed_percent = -1;
  double printed_at = -1;
  bool install_seen = false, install_over = false;

  std::string stamp(double t) const {
    char ts[64];
    if (opt.label.empty()) std::snprintf(ts, sizeof ts, "%7.1fs", t);
    else std::snprintf(ts, sizeof ts, "[%s] %7.1fs", opt.label.c_str(), t);
    return ts;
  }

  void clear_bar() {
    if (g_bar_drawn) std::fputs("\r\033[K", stderr);
    g_bar_drawn = false;
  }

  // The label of the item a plan's keys choose on the screen now ("Migration Install").
  static std::string label_of(const std::string& keys, const Driver& driver) {
    std::string k = keys;
    const std::string enter = "<Enter>";
    if (k.size() > enter.size() && k.compare(k.size() - enter.size(), enter.size(), enter) == 0)
      k.resize(k.size() - enter.size());
    const Recognized r = Recognizer::builtin().recognize(driver.screen());
    for (const Choice& c : r.fields.choices)
      if (c.key == k) return c.label;
    return {};
  }

  // The install has ended once a screen other than its own comes (the reboot): one line says so.
  void end_install(const SessionEvent& e) {
    if (!install_seen || install_over || e.kind != SessionEvent::screen || e.screen_id == screen_id::bos_progress ||
        e.screen_id == screen_id::bos_media_swap)
      return;
    install_over = true;
    if (opt.quiet || opt.on_progress) return;
    clear_bar();
    std::fprintf(stderr, "%s  install done: %d%% after %d min, then %s\n", stamp(e.t).c_str(), last_percent,
                 last_elapsed, e.screen_id.c_str());
  }

  void progress(const SessionEvent& e) {
    install_seen = true;
    last_percent = e.percent;
    last_elapsed = e.elapsed_min;
    // Estimate from the installer's own percent and elapsed minutes.
    std::string est = "";
    if (e.percent > 0 && e.elapsed_min >= 0)
      est = ", about " + std::to_string((e.elapsed_min * (100 - e.percent)) / e.percent) + " min left";
    if (opt.tty) {
      int filled = std::clamp(e.percent, 0, 100) / 4;
      std::fprintf(stderr, "\r\033[K  install [%s%s] %3d%%  %d min elapsed%s", std::string(filled, '#').c_str(),
                   std::string(25 - filled, '.').c_str(), e.percent, e.elapsed_min, est.c_str());
      g_bar_drawn = true;
      return;
    }
    // A log (stderr not a terminal) gets a line per 10 % or per minute, not one per percent.
    const bool due = printed_percent < 0 || e.percent / 10 != printed_percent / 10 || e.percent >= 100 ||
                     e.t - printed_at >= 60;
    if (!due) return;
    printed_percent = e.percent;
    printed_at = e.t;
    std::fprintf(stderr, "%s  install %d%% complete, %d min elapsed%s\n", stamp(e.t).c_str(), e.percent, e.elapsed_min,
                 est.c_str());
  }

  // Nothing shown for a while: what the run waits for, and how long until --timeout halts it.
  void heartbeat(double now, double last_event) {
    if (opt.quiet || opt.timeout_s <= 0) return;
    const long silent = std::lround(now - last_event);
    const long left = std::max(0L, std::lround(opt.timeout_s - (now - last_event)));
    char line[512];
    std::snprintf(line, sizeof line, "waiting for %s: nothing new for %ld s, halts in %ld s (--timeout %d)",
                  waiting_for(last_screen, install_seen).c_str(), silent, left, static_cast<int>(opt.timeout_s));
    if (opt.tty && opt.label.empty()) {
      clear_bar();
      draw_status_line("  " + std::string(line));
    } else {
      clear_bar();
      std::fprintf(stderr, "%s  %s\n", stamp(now).c_str(), line);
    }
  }

  void show(const SessionEvent& e, const Driver& driver) {
    if (opt.events_json) {
      nlohmann::json j{{"t", e.t}, {"event", event_kind_name(e.kind)}};
      if (!opt.label.empty()) j["lpar"] = opt.label;
      if (!e.screen_id.empty()) j["screen"] = e.screen_id;
      if (!e.keys.empty()) j["keys"] = e.keys;
      if (!e.code.empty()) j["code"] = e.code;
      if (!e.text.empty() && (e.kind != SessionEvent::screen || has_title(e.screen_id)))
        j[e.kind == SessionEvent::screen ? "title" : "text"] = e.text;
      if (e.percent >= 0) j["percent"] = e.percent;
      if (e.elapsed_min >= 0) j["elapsed_min"] = e.elapsed_min;
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      std::fflush(stdout);
    }
    end_install(e);
    if (e.kind == SessionEvent::screen) last_screen = e.screen_id;
    if (e.kind == SessionEvent::progress) install_seen = true;
    if (opt.quiet) return;
    if (e.kind == SessionEvent::progress && opt.on_progress) {
      opt.on_progress(e.percent, e.elapsed_min);
      return;
    }
    const std::string ts = stamp(e.t);
    switch (e.kind) {
      case SessionEvent::screen:
        clear_bar();
        std::fprintf(stderr, "%s  %s%s%s\n", ts.c_str(), e.screen_id.c_str(),
                     has_title(e.screen_id) && !e.text.empty() ? std::string(e.screen_id.size() < 22 ? 23 - e.screen_id.size() : 1, ' ').c_str() : "",
                     has_title(e.screen_id) ? e.text.c_str() : "");
        break;
      case SessionEvent::send: {
        clear_bar();
        // What the keys choose, as step mode shows it: `sending 3 (Migration Install)`.
        const std::string what = e.text.empty() ? label_of(e.keys, driver) : e.text;
        std::fprintf(stderr, "%s  %-22s sending %s%s%s%s\n", ts.c_str(), "", e.keys.c_str(), what.empty() ? "" : " (",
                     what.c_str(), what.empty() ? "" : ")");
        break;
      }
      case SessionEvent::refuse:
        clear_bar();
        // Unattended, a refusal halts: its reason is the outcome, printed once at the end.
        std::fprintf(stderr, "%s  REFUSED %s on %s [%s]\n", ts.c_str(), e.keys.c_str(), e.screen_id.c_str(), e.code.c_str());
        break;
      case SessionEvent::note:
        clear_bar();
        std::fprintf(stderr, "%s  note: %s\n", ts.c_str(), e.text.c_str());
        break;
      case SessionEvent::progress: progress(e); break;
      case SessionEvent::propose:
        clear_bar();
        std::fprintf(stderr, "%s  %-22s proposes %s%s%s\n", ts.c_str(), "", e.keys.c_str(),
                     e.code.empty() ? "  " : "  REFUSED: ", without_refused(e.text).c_str());
        break;
      case SessionEvent::halt:
      case SessionEvent::done:
        clear_bar();
        break;
    }
  }
};

}  // namespace

void draw_status_line(const std::string& line) {
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  g_bar_drawn = true;
}

void show_run(RunOptions& options, UiOptions ui_options) {
  auto ui = std::make_shared<Ui>(std::move(ui_options));
  options.on_event = [ui](const SessionEvent& e, const Driver& driver) { ui->show(e, driver); };
  // A long silent wait (firmware boot, reboot) gets a line, or the status line on a terminal,
  // every tenth of --timeout (1 to 60 s): what it waits for and how long until the timeout.
  options.heartbeat_s = 0;
  options.on_silence = nullptr;
  if (ui->opt.timeout_s > 0 && !ui->opt.quiet) {
    options.heartbeat_s = std::clamp(ui->opt.timeout_s / 10, 1.0, 60.0);
    options.on_silence = [ui](double now, double last_event) { ui->heartbeat(now, last_event); };
  }
}

}  // namespace vtpilot::cli
