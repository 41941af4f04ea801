// lpar-sim: the console state machine's core: the machine (disks, devices, boot list) built
// from the options, output and the event log, the timed queue, key input (echo, --think,
// --drop-keys-under) and the dispatch of a submitted line to the screen it was typed on. The
// screens themselves live in one file per family (see console_sim_impl.hpp). Screen shapes
// follow the real captures in ../shared/screens (SMS 1.7 on AL730 / SV810 firmware) and the
// BOS install menus of AIX 7.x; wording that no capture shows is marked "invented" where it is
// written.
#include "console_sim.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "console_sim_impl.hpp"

namespace lparsim {
namespace {

constexpr const char* kClear = "\x1b[2J\x1b[H";

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
std::string hex(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(v));
  std::string s(buf);
  return s.substr(s.size() - static_cast<std::size_t>(digits));
}

// How vtpilot's events and transcripts write keys (<Enter>, ^C): the log's "keys" field.
std::string printable(char c) {
  if (c == '\r') return "<Enter>";
  if (c == '\n') return "<LF>";
  if (static_cast<unsigned char>(c) < 0x20) return "^" + std::string(1, static_cast<char>(c + '@'));
  return std::string(1, c);
}

}  // namespace

using text::trim;
using text::upper_hex_digit;

double jittered(double s, double fraction, std::uint64_t& rng) {
  if (s <= 0 || fraction <= 0) return std::max(s, 0.0);
  double u = static_cast<double>(splitmix(rng) >> 11) / 9007199254740992.0;  // [0, 1)
  return std::max(0.0, s * (1.0 + fraction * (2.0 * u - 1.0)));
}

// ---------------------------------------------------------------------------------- setup

ConsoleSim::ConsoleSim(SimOptions opt, EventSink sink) : opt_(std::move(opt)), sink_(std::move(sink)) {
  std::string vpart;
  if (opt_.firmware == "power7") {
    machine_ = "U8231.E2B.06DAFDP";
    vpart = "-V6";
    fw_version_ = "AL730_066";
  } else if (opt_.firmware == "power9") {
    machine_ = "U9009.42A.78ABCDE";
    vpart = "-V7";
    fw_version_ = "FW950.80 (VL950_131)";
  } else {
    machine_ = "U8247.42L.21271DA";
    vpart = "-V21";
    fw_version_ = "SV810_108";
  }
  vscsi_ = "/vdevice/v-scsi@30000002";
  std::uint64_t rng = opt_.seed * 0x2545F4914F6CDD1DULL + 7;
  std::string pvid_prefix = "00f6" + hex(splitmix(rng), 4);
  for (std::size_t i = 0; i < opt_.disks.size(); ++i) {
    Disk d{opt_.disks[i], ""};
    if (d.spec.location.empty())
      d.spec.location = machine_ + vpart + "-C2-T1-L8" + upper_hex_digit(static_cast<int>(i + 1)) + "00000000000000";
    if (d.spec.pvid.empty()) d.spec.pvid = pvid_prefix + hex(splitmix(rng), 8);
    if (d.spec.vg == "rootvg" || d.spec.vg == "altinst_rootvg") d.os = "7.1";
    if (d.spec.vg == "rootvg" && orig_rootvg_ < 0) orig_rootvg_ = static_cast<int>(i);
    if (d.spec.vg == "altinst_rootvg" && clone_ < 0) clone_ = static_cast<int>(i);
    disks_.push_back(d);
  }
  // Devices in "List all Devices" order: the adapter, the disks, and the media at --cdrom-item.
  Device net;
  net.kind = DevKind::Net;
  if (opt_.firmware == "power7") {
    net.label = "PORT - 6 IBM Host Ethernet Adapter";
    net.loc = "U78AB.001.WZSGFG5-P1-C2-T2";
  } else {
    net.label = "Interpartition Logical LAN";
    net.loc = machine_ + vpart + "-C3-T1";
  }
  devices_.push_back(net);
  for (std::size_t i = 0; i < disks_.size(); ++i) {
    Device d;
    d.kind = DevKind::Disk;
    d.disk = static_cast<int>(i);
    d.label = "SCSI " + std::to_string(std::max(1, disks_[i].spec.size_mb / 1024)) + " GB Harddisk";
    d.loc = disks_[i].spec.location;
    devices_.push_back(d);
  }
  Device cd;
  cd.kind = DevKind::Cd;
  cd.label = opt_.media_label;
  cd.loc = machine_ + vpart + "-C2-T1-L8" + upper_hex_digit(static_cast<int>(disks_.size() + 1)) + "00000000000000";
  int at = std::clamp(opt_.cdrom_item, 1, static_cast<int>(devices_.size()) + 1) - 1;
  devices_.insert(devices_.begin() + at, cd);
  // Stored boot list: the running system's disk, then the network (like screen 05).
  for (std::size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i].kind == DevKind::Disk && devices_[i].disk == orig_rootvg_) bootlist_.push_back(static_cast<int>(i));
  for (std::size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i].kind == DevKind::Net) bootlist_.push_back(static_cast<int>(i));

  if (opt_.default_method == "migration") method_ = Method::Migration;
  else if (opt_.default_method == "preservation") method_ = Method::Preservation;
  selected_.assign(disks_.size(), false);
  if (!disks_.empty()) selected_[0] = true;  // BOS's default: the first disk
}

// ---------------------------------------------------------------------------------- output

void ConsoleSim::out(std::string_view text) {
  for (char c : text) {
    if (c == '\n') out_ += '\r';
    out_ += c;
  }
}
void ConsoleSim::raw(std::string_view bytes) { out_ += bytes; }
void ConsoleSim::clear() { raw(kClear); }
double ConsoleSim::t() const { return std::round((now_ - t0_) * 1000.0) / 1000.0; }
void ConsoleSim::log(const std::string& json) {
  if (!sink_) return;
  // The names vtpilot's --events json uses ride along with the log's own (kept for existing
  // readers): "event" beside "ev", "screen" beside a screen's "id", "keys" beside a key's "data".
  nlohmann::ordered_json in = nlohmann::ordered_json::parse(json, nullptr, false);
  if (in.is_discarded() || !in.is_object() || !in.contains("ev")) return sink_(json);
  nlohmann::ordered_json j;
  for (auto& [k, v] : in.items()) {
    j[k] = v;
    if (k == "ev") j["event"] = v;
  }
  if (j["ev"] == "screen" && j.contains("id")) j["screen"] = j["id"];
  // A key line already says `keys` as vtpilot writes them (<Enter>, ^C) and the screen it landed on.
  if (j["ev"] == "key" && j.contains("data") && !j.contains("keys")) j["keys"] = j["data"];
  sink_(j.dump());
}
void ConsoleSim::screen(const std::string& id) {
  screen_id_ = id;
  nlohmann::json j{{"t", t()}, {"ev", "screen"}, {"id", id}};
  log(j.dump());
}
std::string ConsoleSim::take_output() {
  std::string s;
  s.swap(out_);
  return s;
}

// ---------------------------------------------------------------------------------- time

void ConsoleSim::after(double nominal_s, std::function<void()> fn) {
  if (queue_.empty()) queue_clock_ = now_;
  queue_.push_back(Timed{nominal_s, std::move(fn)});
}

double ConsoleSim::next_wake() const {
  if (finished_) return kNever;
  double w = post_deadline_;
  if (!queue_.empty()) w = std::min(w, queue_clock_ + queue_.front().delay * opt_.time_scale);
  w = std::min(w, think_until_);
  if (!thinking() && !held_.empty()) w = std::min(w, now_);
  return w;
}

void ConsoleSim::advance(double now) {
  now_ = std::max(now_, now);
  while (!finished_) {
    if (!queue_.empty()) {
      double due = queue_clock_ + queue_.front().delay * opt_.time_scale;
      if (due <= now_) {
        queue_clock_ = due;
        auto fn = std::move(queue_.front().fn);
        queue_.pop_front();
        fn();
        continue;
      }
    }
    if (post_deadline_ <= now_) {
      post_deadline_ = kNever;
      screen("sms.post_timeout");
      boot_default_list();
      continue;
    }
    if (think_until_ <= now_) {  // --think: the menu acts on the line taken with its Enter
      think_until_ = kNever;
      submit(think_line_);
      continue;
    }
    if (!thinking() && !held_.empty()) {  // the next key waiting to be read
      Held h = held_.front();
      held_.pop_front();
      take_key(h.c, h.rx);
      continue;
    }
    break;
  }
}

void ConsoleSim::start(double now) {
  now_ = t0_ = now;
  think_rng_ = opt_.seed * 0x9E3779B97F4A7C15ULL + 0x7468696e6bULL;  // "think": apart from the PVIDs' stream
  started_ = true;
  if (opt_.start == "login71" || opt_.start == "login72") {
    // A running system, attached at its login prompt (no boot shown).
    if (opt_.start == "login72") set_migrated_state();
    running_disk_ = orig_rootvg_;
    running_os_ = disks_[static_cast<std::size_t>(orig_rootvg_)].os;
    booted_migrated_ = running_os_ == "7.2";
    log(nlohmann::json{{"t", t()}, {"ev", "aix_boot"}, {"disk", disks_[static_cast<std::size_t>(orig_rootvg_)].spec.name},
                       {"vg", "rootvg"}, {"os", running_os_}, {"start", opt_.start}}.dump());
    if (booted_migrated_ && opt_.first_boot_term) term_prompt();
    else login_prompt();
  } else {
    if (opt_.start == "power-on-migrated") set_migrated_state();
    power_on(opt_.boot == "sms");
  }
  advance(now);
}

void ConsoleSim::set_migrated_state() {
  auto& d = disks_[static_cast<std::size_t>(orig_rootvg_)];
  d.os = "7.2";
  migrated_ = true;
  bootlist_.clear();
  for (std::size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i].kind == DevKind::Disk && devices_[i].disk == orig_rootvg_) bootlist_.push_back(static_cast<int>(i));
}

void ConsoleSim::finish(int code) {
  if (finished_) return;
  finished_ = true;
  exit_code_ = code;
  queue_.clear();
  post_deadline_ = kNever;
  stage_ = Stage::Done;
  nlohmann::json j{{"t", t()}, {"ev", "exit"}, {"code", code}};
  log(j.dump());
}

void ConsoleSim::hangup(double now) {
  now_ = std::max(now_, now);
  if (finished_) return;
  log(nlohmann::json{{"t", t()}, {"ev", "hangup"}}.dump());
  if (login_seen_) finish(booted_migrated_ ? kExitClean : kExitNotMigrated);
  else finish(kExitEofEarly);
}

void ConsoleSim::destroyed(const std::string& what) {
  out("\nLPAR-SIM: DESTROYED " + what + "\n");
  log(nlohmann::json{{"t", t()}, {"ev", "destroyed"}, {"what", what}, {"method", method_name()},
                     {"disks", selected_names()}}.dump());
  finish(kExitDestroyed);
}

// ---------------------------------------------------------------------------------- input

void ConsoleSim::input(std::string_view bytes, double now) {
  now_ = std::max(now_, now);
  for (char c : bytes) held_.push_back(Held{c, now_});
  advance(now_);  // reads them one by one, what is due running before each (unless a menu thinks)
}

// One key byte reaches the program reading the console, on the screen drawn last (logged as
// "screen"). `rx` is when it reached the console: later only when a menu was thinking.
void ConsoleSim::take_key(char c, double rx) {
  const char* shown = stage_ == Stage::LoginPassword && c != '\r' && c != '\n' ? "*" : nullptr;
  nlohmann::json j{{"t", t()}, {"ev", "key"}, {"data", shown ? std::string(shown) : std::string(1, c)},
                   {"keys", shown ? std::string(shown) : printable(c)}, {"screen", screen_id_}};
  if (now_ - rx >= 0.0005) j["rx"] = std::round((rx - t0_) * 1000.0) / 1000.0;  // held while a menu thought
  if (opt_.drop_keys_under_ms > 0 && have_key_time_ && (rx - last_key_time_) * 1000.0 < opt_.drop_keys_under_ms) {
    j["dropped"] = true;
    log(j.dump());
    return;
  }
  have_key_time_ = true;
  last_key_time_ = rx;
  bool post = stage_ == Stage::Post || stage_ == Stage::PostWait;
  if (busy() && !post) {
    j["ignored"] = true;  // nothing is reading the console right now (output in progress)
    log(j.dump());
    return;
  }
  if ((c == '\r' || (c == '\n' && !skip_lf_)) && !esc_seq_ && !post && stage_ != Stage::Busy && stage_ != Stage::Done)
    j["line"] = stage_ == Stage::LoginPassword ? std::string("***") : line_;  // what this Enter submits
  log(j.dump());
  key(c);
}

// --think imitates the firmware and BOS menus, which scan devices and disks after an answer
// before drawing the next screen; the AIX login and shell answer at once.
bool ConsoleSim::thinks_after_enter() const {
  switch (stage_) {
    case Stage::Sms: case Stage::BosConsole: case Stage::BosLanguage: case Stage::BosWelcome:
    case Stage::BosSettings: case Stage::BosMethod: case Stage::BosDisks: case Stage::BosMoreOptions:
    case Stage::BosSummary: case Stage::BosMigConfirm: case Stage::BosInfo: case Stage::MediaSwap:
      return true;
    default:
      return false;
  }
}

void ConsoleSim::key(char c) {
  switch (stage_) {
    case Stage::Post:
      if (!post_key_ && (c == '1' || c == '5' || c == '6' || c == '8')) post_key_ = c;
      return;
    case Stage::PostWait:
      if (c == '1' || c == '5' || c == '6' || c == '8') {
        post_key_ = c;
        post_deadline_ = kNever;
        post_end();
      }
      return;
    case Stage::Done:
    case Stage::Busy:
      return;
    default:
      line_key(c);
  }
}

void ConsoleSim::line_key(char c) {
  if (esc_seq_) {  // swallow the rest of an ANSI sequence (arrow keys ...)
    if (c != '[' && c >= 0x40 && c <= 0x7e) esc_seq_ = false;
    return;
  }
  if (c == '\n' && skip_lf_) {
    skip_lf_ = false;
    return;
  }
  skip_lf_ = false;
  if (c == '\r' || c == '\n') {
    skip_lf_ = c == '\r';
    std::string l;
    l.swap(line_);
    if (opt_.think > 0 && thinks_after_enter()) {
      // The line is taken now; the menu draws nothing until it has thought, and keys that
      // arrive meanwhile wait (held_) to be read by whatever screen it draws then.
      double d = jittered(opt_.think, opt_.jitter, think_rng_);
      think_line_ = l;
      think_until_ = now_ + d;
      log(nlohmann::json{{"t", t()}, {"ev", "think"}, {"screen", screen_id_}, {"s", std::round(d * 1000.0) / 1000.0}}.dump());
      return;
    }
    submit(l);
    return;
  }
  if (c == 0x1b) {
    esc_seq_ = false;
    if (stage_ == Stage::Sms) {
      line_.clear();
      sms_escape();
    }
    return;
  }
  if (c == 0x7f || c == 0x08) {
    if (!line_.empty()) {
      line_.pop_back();
      if (echo_) raw("\b \b");
    }
    return;
  }
  if (c == 0x03 && stage_ == Stage::Shell) {
    line_.clear();
    out("^C\n");
    shell_prompt();
    return;
  }
  if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return;
  if (line_.size() >= 256) return;
  line_ += c;
  if (echo_) raw(std::string(1, c));
}

// A line submitted with Enter goes to the answer of the screen it was typed on (trimmed;
// the password as typed).
void ConsoleSim::submit(const std::string& raw_line) {
  std::string l = trim(raw_line);
  switch (stage_) {
    case Stage::OpenFirmware: return of_answer(l);
    case Stage::Sms: return sms_line(l);
    case Stage::BosConsole: return bos_console_answer(l);
    case Stage::BosLanguage: return bos_language_answer(l);
    case Stage::BosWelcome: return bos_welcome_answer(l);
    case Stage::BosSettings: return bos_settings_answer(l);
    case Stage::BosMethod: return bos_method_answer(l);
    case Stage::BosDisks: return bos_disks_answer(l);
    case Stage::BosMoreOptions: return bos_more_options_answer(l);
    case Stage::BosSummary: return bos_summary_answer(l);
    case Stage::BosMigConfirm: return bos_mig_confirm_answer(l);
    case Stage::BosInfo: return bos_info_answer();
    case Stage::MediaSwap: return media_swap_answer();
    case Stage::TermPrompt: return term_answer(l);
    case Stage::LoginUser: return login_user_answer(l);
    case Stage::LoginPassword: return login_password_answer(raw_line);
    case Stage::License: return license_answer(l);
    case Stage::Shell: return shell_command(l);
    default: return;
  }
}

}  // namespace lparsim
