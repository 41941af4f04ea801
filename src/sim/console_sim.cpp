// lpar-sim: the console state machine. Screen shapes follow the real captures in
// ../shared/screens (SMS 1.7 on AL730 / SV810 firmware) and the BOS install menus of AIX 7.x;
// wording that no capture shows is marked "invented" where it is written.
#include "console_sim.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lparsim {
namespace {

constexpr const char* kClear = "\x1b[2J\x1b[H";
constexpr const char* kRule = "-------------------------------------------------------------------------------";

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}
std::string rpad_num(long v, std::size_t w) {
  std::string s = std::to_string(v);
  if (s.size() < w) s.insert(0, w - s.size(), ' ');
  return s;
}
std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}
bool all_digits(const std::string& s) {
  return !s.empty() && s.size() < 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
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
std::string upper_hex_digit(int v) {
  const char* d = "0123456789ABCDEF";
  return std::string(1, d[v & 15]);
}

const char* kFilesets[] = {
    "bos.rte", "bos.rte.libc", "bos.rte.shell", "bos.rte.commands", "bos.rte.libpthreads",
    "bos.rte.security", "bos.rte.login", "bos.rte.lvm", "bos.rte.filesystem", "bos.rte.net",
    "bos.rte.tty", "bos.rte.serv_aid", "bos.rte.boot", "bos.rte.cron", "bos.rte.devices",
    "bos.mp64", "bos.64bit", "bos.acct", "bos.adt.base", "bos.adt.include", "bos.adt.lib",
    "bos.alt_disk_install.rte", "bos.diag.rte", "bos.net.tcp.client_core", "bos.net.tcp.server_core",
    "bos.net.nfs.client", "bos.perf.tools", "bos.perf.perfstat", "bos.sysmgt.serv_aid",
    "bos.sysmgt.smit", "bos.sysmgt.sysbr", "bos.sysmgt.trace", "bos.loc.utf.EN_US", "bos.aio.rte",
    "devices.vdevice.IBM.l-lan.rte", "devices.vdevice.IBM.vscsi.rte", "devices.vdevice.hvterm1.rte",
    "devices.scsi.disk.rte", "devices.fcp.disk.rte", "devices.chrp.base.rte",
    "devices.common.IBM.mpio.rte", "openssh.base.client", "openssh.base.server", "openssl.base",
    "xlC.rte", "rsct.core.rmc", "rsct.core.utils", "rsct.basic.rte", "perl.rte", "Java8_64.sdk",
    "X11.base.rte", "X11.base.lib", "bos.cluster.rte"};
constexpr long kNumFilesets = static_cast<long>(sizeof kFilesets / sizeof kFilesets[0]);

// How vtpilot's events and transcripts write keys (<Enter>, ^C): the log's "keys" field.
std::string printable(char c) {
  if (c == '\r') return "<Enter>";
  if (c == '\n') return "<LF>";
  if (static_cast<unsigned char>(c) < 0x20) return "^" + std::string(1, static_cast<char>(c + '@'));
  return std::string(1, c);
}

}  // namespace

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

void ConsoleSim::submit(const std::string& raw_line) {
  std::string l = trim(raw_line);
  switch (stage_) {
    case Stage::OpenFirmware:
      if (l == "boot") {
        out("\n");
        boot_default_list();
      } else if (l == "reset-all") {
        power_on(false);
      } else {
        out(l.empty() ? " ok\n0 > " : "  ok\n0 > ");
      }
      return;
    case Stage::Sms: sms_line(l); return;
    case Stage::BosConsole:
      if (l == "1") {
        bos_language();
      } else {
        bos_console();
      }
      return;
    case Stage::BosLanguage:
      if (l.empty() || l == "1" || l == "2" || l == "3") bos_welcome();
      else { beep(); bos_language(); }
      return;
    case Stage::BosWelcome:
      if (l.empty() || l == "1") {
        bos_start_install();  // Start Install Now with Default Settings
      } else if (l == "2") {
        bos_settings();
      } else if (l == "3" || l == "4" || l == "5" || l == "88") {
        bos_info(l == "3" ? "Maintenance" : l == "4" ? "Make Additional Disks Available"
                 : l == "5" ? "Select Storage Adapters" : "Help",
                 {"This choice is not modelled by lpar-sim.", "", "Press Enter to return."}, Stage::BosWelcome);
      } else if (l == "99") {
        bos_language();
      } else {
        beep();
        bos_welcome();
      }
      return;
    case Stage::BosSettings:
      if (l.empty() || l == "0") bos_install_path();
      else if (l == "1") bos_method();
      else if (l == "4") bos_more_options();
      else if (l == "99") bos_welcome();
      else if (l == "2" || l == "3" || l == "5" || l == "88")
        bos_info(l == "2" ? "Primary Language Environment Settings" : l == "3" ? "Security Models"
                 : l == "5" ? "Select Edition" : "Help",
                 {"This choice is not modelled by lpar-sim; the setting is kept.", "", "Press Enter to return."},
                 Stage::BosSettings);
      else { beep(); bos_settings(); }
      return;
    case Stage::BosMethod:
      if (l == "1" || l == "2" || l == "3" || l.empty()) {
        if (l == "1") method_ = Method::Overwrite;
        if (l == "2") method_ = Method::Preservation;
        if (l == "3") method_ = Method::Migration;
        // BOS asks for the target again after a method change (runbook: "select hdisk0").
        std::fill(selected_.begin(), selected_.end(), false);
        bos_disks();
      } else if (l == "99") {
        bos_settings();
      } else {
        beep();
        bos_method();
      }
      return;
    case Stage::BosDisks: {
      auto rows = bos_disk_rows();
      if (levels_shape()) {
        // BosMenus.c ChgRootVGDrvr: a row's number chooses that root VG (and the disks in it) and
        // returns to Installation and Settings; 88 help, 99 Change Method; anything else (Enter
        // alone with Choice [] too) is an Invalid Choice.
        if (l == "77") {
          show_pvid_ = !show_pvid_;
          bos_disks();
        } else if (l == "99") {
          bos_method();
        } else if (l == "88") {
          bos_info("Help", {"Choose the root volume group to install into.", "", "Press Enter to return."}, Stage::BosDisks);
        } else if (all_digits(l) && !l.empty() && l.size() < 4 && std::stoi(l) >= 1 &&
                   std::stoi(l) <= static_cast<int>(rows.size())) {
          std::fill(selected_.begin(), selected_.end(), false);
          selected_[static_cast<std::size_t>(rows[static_cast<std::size_t>(std::stoi(l) - 1)])] = true;
          bos_settings();
        } else {
          beep();
          bos_disks("Invalid Choice.  Please try again");
        }
        return;
      }
      if (l.empty() || l == "0") {
        bool any = std::any_of(selected_.begin(), selected_.end(), [](bool b) { return b; });
        if (!any) {
          beep();
          bos_disks("At least one bootable disk must be selected.");
        } else {
          bos_settings();
        }
      } else if (l == "77") {
        show_pvid_ = !show_pvid_;
        bos_disks();
      } else if (l == "99") {
        bos_method();
      } else if (l == "66" || l == "88") {
        bos_info(l == "66" ? "Devices not known to Base Operating System Installation" : "Help",
                 {"No other devices were found.", "", "Press Enter to return."}, Stage::BosDisks);
      } else {
        // one or more numbers, separated by blanks
        std::istringstream is(l);
        std::string tok;
        bool ok = true;
        std::vector<int> picks;
        while (is >> tok) {
          if (!all_digits(tok)) { ok = false; break; }
          int n = std::stoi(tok);
          if (n < 1 || n > static_cast<int>(rows.size())) { ok = false; break; }
          picks.push_back(rows[static_cast<std::size_t>(n - 1)]);
        }
        if (!ok || picks.empty()) {
          beep();
          bos_disks();
          return;
        }
        for (int d : picks) {
          auto i = static_cast<std::size_t>(d);
          if (levels_shape()) {  // single select: a root volume group
            std::fill(selected_.begin(), selected_.end(), false);
            selected_[i] = true;
          } else {
            selected_[i] = !selected_[i];  // typing a selected disk's number deselects it
          }
        }
        bos_disks();
      }
      return;
    }
    case Stage::BosMoreOptions:
      if (l.empty() || l == "0") bos_install_path();
      else if (l == "99") bos_settings();
      else if (l.size() == 1 && l[0] >= '1' && l[0] <= '5') {
        more_opts_[l[0] - '1'] = !more_opts_[l[0] - '1'];
        bos_more_options();
      } else { beep(); bos_more_options(); }
      return;
    case Stage::BosSummary:
      if (l.empty() || l == "1") {
        if (method_ == Method::Migration) bos_mig_confirm();
        else bos_start_install();
      } else if (l == "99") {
        bos_settings();
      } else { beep(); bos_summary(); }
      return;
    case Stage::BosMigConfirm:
      if (l.empty() || l == "0") bos_start_install();
      else if (l == "1") bos_info("Saved Base System Configuration Files", {"/etc/inittab", "/etc/inetd.conf", "/etc/services", "/etc/rc.tcpip", "/etc/security/limits", "", "Press Enter to return."}, Stage::BosMigConfirm);
      else if (l == "2") bos_info("Filesets Removed", {"bos.rte.ifor_ls 7.1.5.0", "bos.msg.en_US.txt.tfs 7.1.5.0", "", "Press Enter to return."}, Stage::BosMigConfirm);
      else if (l == "3") bos_info("Directories Emptied", {"/usr/lib/drivers/isa", "/usr/lpp/bos.rte.ifor_ls", "", "Press Enter to return."}, Stage::BosMigConfirm);
      else if (l == "4") {
        out("\nRebooting . . .\n");
        stage_ = Stage::Busy;
        after(1.0, [this] { power_on(false); });
      } else { beep(); bos_mig_confirm(); }
      return;
    case Stage::BosInfo:
      switch (info_back_) {
        case Stage::BosWelcome: bos_welcome(); break;
        case Stage::BosDisks: bos_disks(); break;
        case Stage::BosMigConfirm: bos_mig_confirm(); break;
        default: bos_settings(); break;
      }
      return;
    case Stage::MediaSwap: {
      std::string loaded = media_probe ? media_probe() : opt_.volume2_iso;
      if (loaded != opt_.volume2_iso) {
        out("\n\n        The media in the drive is not volume 2 (" + (loaded.empty() ? std::string("no media") : loaded) + ").\n");
        media_swap_prompt();
        return;
      }
      swapped_ = true;
      out("\n\n        Volume 2 accepted.  Continuing the installation ...\n\n");
      stage_ = Stage::Busy;
      after(0.5, [this] { install_step(install_total_ * 3 / 4); });
      return;
    }
    case Stage::TermPrompt:
      if (l.empty()) { beep(); term_prompt(); return; }
      term_done_ = true;
      out("\n");
      stage_ = Stage::Busy;
      after(0.5, [this] {
        clear();  // the terminal is set up: the TERM screen goes away
        login_prompt();
      });
      return;
    case Stage::LoginUser:
      if (l.empty()) { login_prompt(); return; }
      login_user_ = l;
      out("\n" + l + "'s Password: ");
      echo_ = false;
      stage_ = Stage::LoginPassword;
      return;
    case Stage::LoginPassword: {
      echo_ = true;
      bool ok = login_user_ == "root" && (opt_.root_password.empty() || raw_line == opt_.root_password);
      out("\n");
      if (!ok) {
        out("3004-007 You entered an invalid login name or password.\n");
        login_prompt();
        return;
      }
      log(nlohmann::json{{"t", t()}, {"ev", "login"}, {"user", login_user_}}.dump());
      if (booted_migrated_ && opt_.first_boot_term && !license_done_) {
        screen("aix.license");
        stage_ = Stage::License;
        out("\n                         Software License Agreements\n\n"
            "The license agreements for the software installed on this system must be\n"
            "accepted before the system can be used.  The agreements are in\n"
            "/usr/swlag/en_US; run \"lslpp -E\" to list them.\n\n"
            "Accept License agreements? [yes/no]: ");
        return;
      }
      out("*******************************************************************************\n"
          "*                                                                             *\n"
          "*                                                                             *\n");
      out(running_os_ == "7.2" ? "*  Welcome to AIX Version 7.2!                                                *\n"
                               : "*  Welcome to AIX Version 7.1!                                                *\n");
      out("*                                                                             *\n"
          "*                                                                             *\n"
          "*  Please see the README file in /usr/lpp/bos for information pertinent to    *\n"
          "*  this release of the AIX Operating System.                                  *\n"
          "*                                                                             *\n"
          "*                                                                             *\n"
          "*******************************************************************************\n");
      shell_prompt();
      return;
    }
    case Stage::License: {
      std::string a = l;
      std::transform(a.begin(), a.end(), a.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      out("\n");
      if (a == "y" || a == "yes") {
        license_done_ = true;
        log(nlohmann::json{{"t", t()}, {"ev", "license"}, {"accepted", true}}.dump());
        out("License agreements accepted.\n");
        shell_prompt();
      } else if (a == "n" || a == "no") {
        log(nlohmann::json{{"t", t()}, {"ev", "license"}, {"accepted", false}}.dump());
        out("The license agreements were not accepted.  Logging out.\n\n");
        login_prompt();
      } else {
        out("Accept License agreements? [yes/no]: ");
      }
      return;
    }
    case Stage::Shell: shell_command(l); return;
    default: return;
  }
}

// ---------------------------------------------------------------------------------- firmware

void ConsoleSim::power_on(bool sms_mode) {
  stage_ = Stage::Post;
  post_key_ = sms_mode ? '1' : 0;
  sms_stack_.clear();
  if (on_state) on_state("Open Firmware");
  clear();
  screen("sms.post");
  int rows = opt_.firmware == "power7" ? 18 : 8;
  for (int r = 0; r < rows; ++r) {
    std::string row;
    for (int i = 0; i < 19; ++i) row += i ? " IBM" : "IBM";
    out(row + "\n");
  }
  out("\n          1 = SMS Menu                          5 = Default Boot List\n"
      "          8 = Open Firmware Prompt              6 = Stored Boot List\n\n");
  std::vector<std::string> words = {"Memory", "Keyboard", "Network"};
  if (opt_.firmware == "power7") words.push_back("SCSI");
  words.push_back("Speaker");
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string w = (i == 0 ? "     " : i == 1 ? "      " : "     ") + words[i];
    after(0.4, [this, w] { out(w); });
  }
  after(0.2, [this] { post_end(); });
}

void ConsoleSim::post_end() {
  if (post_key_ == '1') {
    out("\n");
    stage_ = Stage::Busy;
    after(0.5, [this] { sms_enter(); });
    return;
  }
  if (post_key_ == '5' || post_key_ == '6') {
    out("\n");
    boot_default_list();
    return;
  }
  if (post_key_ == '8') {
    out("\n\n0 > ");
    screen("fw.open_firmware");
    stage_ = Stage::OpenFirmware;
    return;
  }
  double wait;
  if (opt_.post_wait) wait = *opt_.post_wait;
  else if (opt_.time_scale == 0) wait = post_after_install_ ? 0 : -1;
  else wait = post_after_install_ ? 2 : 10;
  if (wait == 0) {
    out("\n");
    boot_default_list();
    return;
  }
  stage_ = Stage::PostWait;
  post_deadline_ = wait < 0 ? kNever : now_ + wait;
}

void ConsoleSim::boot_default_list() {
  post_deadline_ = kNever;
  for (int dev : bootlist_) {
    const Device& d = devices_[static_cast<std::size_t>(dev)];
    if (d.kind == DevKind::Net) continue;
    if (d.kind == DevKind::Disk && disks_[static_cast<std::size_t>(d.disk)].os.empty()) continue;
    boot_device(dev);
    return;
  }
  out("\n\n    No OS image was detected by firmware.\n    At least one disk in the bootlist was not found yet.\n\n");
  stage_ = Stage::Busy;
  after(1.0, [this] { sms_enter(); });
}

void ConsoleSim::boot_device(int dev) {
  const Device& d = devices_[static_cast<std::size_t>(dev)];
  stage_ = Stage::Busy;
  if (d.kind == DevKind::Net) {
    out("\n\nBOOTP: chosen-network-type = ethernet,auto,none,auto\nBOOTP: server IP = 0.0.0.0\n"
        "BOOTP: requested filename =\nBOOTP: R = 1 BOOTP S = 2\n\n      !BA01B015 !\n");
    after(2.0, [this] { sms_enter(); });
    return;
  }
  if (d.kind == DevKind::Cd && media_probe && media_probe().empty()) {
    out("\n\n    No OS image was detected by firmware.\n\n");
    after(1.0, [this] { sms_enter(); });
    return;
  }
  if (d.kind == DevKind::Disk && disks_[static_cast<std::size_t>(d.disk)].os.empty()) {
    out("\n\n    No OS image was detected by firmware.\n\n");
    after(1.0, [this] { sms_enter(); });
    return;
  }
  // PLEASE WAIT, then STARTING SOFTWARE (screens 25, 33).
  clear();
  screen("sms.please_wait");
  out("                              .------------------.\n"
      "                              |  PLEASE WAIT.... |\n"
      "                              `------------------'\n");
  after(1.0, [this, dev] { starting_software(dev); });
}

void ConsoleSim::starting_software(int dev) {
  if (on_state) on_state("Running");
  clear();
  screen("fw.starting_software");
  std::string row;
  for (int i = 0; i < 19; ++i) row += i ? " IBM" : "IBM";
  for (int r = 0; r < 6; ++r) out(row + "\n");
  out("IBM IBM IBM IBM IBM IBM                             IBM IBM IBM IBM IBM IBM\n"
      "IBM IBM IBM IBM IBM IBM     STARTING SOFTWARE       IBM IBM IBM IBM IBM IBM\n"
      "IBM IBM IBM IBM IBM IBM        PLEASE WAIT...       IBM IBM IBM IBM IBM IBM\n"
      "IBM IBM IBM IBM IBM IBM                             IBM IBM IBM IBM IBM IBM\n");
  for (int r = 0; r < 6; ++r) out(row + "\n");
  out("-");
  for (const char* s : {"\b\\", "\b|", "\b/", "\b-"}) after(0.4, [this, s] { raw(s); });
  const Device& d = devices_[static_cast<std::size_t>(dev)];
  if (d.kind == DevKind::Cd) after(0.2, [this] { boot_chatter_media(); });
  else after(0.2, [this, dev] { boot_aix_from_disk(devices_[static_cast<std::size_t>(dev)].disk); });
}

void ConsoleSim::boot_chatter_media() {
  std::vector<std::string> lines = {
      "", "Elapsed time since release of system processors: 12 mins 41 secs",
      "", "-------------------------------------------------------------------------------",
      "                                Welcome to AIX.",
      "                   boot image timestamp: 09:41:07 10/15/2025",
      "                 The current time and date: 14:03:55 11/24/2025",
      "        processor count: 4;  memory size: 16384MB;  kernel size: 61441221",
      "boot device: " + vscsi_ + "/disk@8" + upper_hex_digit(static_cast<int>(disks_.size() + 1)) + "00000000000000:\\ppc\\bootinfo.txt",
      "-------------------------------------------------------------------------------"};
  for (int cpu = 1; cpu < 4; ++cpu)
    lines.push_back("Starting NODE#000 physical CPU#00" + std::to_string(cpu) + " as logical CPU#00" + std::to_string(cpu) + "... done.");
  lines.push_back("Configuring devices on the system bus ...");
  lines.push_back("Probing virtual SCSI adapter vscsi0 ...");
  for (std::size_t i = 0; i < disks_.size(); ++i)
    lines.push_back("Found hdisk" + std::to_string(i) + " at location " + disks_[i].spec.location);
  for (auto& dv : devices_)
    if (dv.kind == DevKind::Cd) lines.push_back("Found cd0 at location " + dv.loc + " (" + opt_.media_label + ")");
  for (const char* s : {"Configuring virtual Ethernet adapter ent0 ...", "Loading kernel extensions ...",
                        "Initializing the RAM file system ...", "Starting the system resource controller ...",
                        "Mounting the installation media file systems ...", "Reading the SPOT from the installation media ...",
                        "Copying the BOS install programs into memory ..."})
    lines.push_back(s);
  for (std::size_t i = 0; i < disks_.size(); ++i)
    if (!disks_[i].os.empty()) lines.push_back("Checking the existing root volume group on hdisk" + std::to_string(i) + " ...");
  const char* classes[] = {"adapter", "disk", "bus", "tty", "lvm", "if", "pty", "cd"};
  for (int i = 0; i < 24; ++i) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "  0x%04X  init: configuring device class %-12s instance %d ... ok", 0x0500 + i * 0x11,
                  classes[i % 8], i / 8);
    lines.push_back(buf);
  }
  lines.push_back("Initializing the BOS installation environment ...");
  for (auto& l : lines) after(0.07, [this, l] { out("\n" + l); });
  after(1.0, [this] { out("\n\n"); bos_console(); });
}

void ConsoleSim::boot_aix_from_disk(int disk) {
  stage_ = Stage::Busy;
  auto& d = disks_[static_cast<std::size_t>(disk)];
  running_os_ = d.os;
  running_disk_ = disk;
  booted_migrated_ = disk == orig_rootvg_ && d.os == "7.2";
  log(nlohmann::json{{"t", t()}, {"ev", "aix_boot"}, {"disk", d.spec.name}, {"vg", d.spec.vg}, {"os", d.os}}.dump());
  std::vector<std::string> lines = {
      "", "-------------------------------------------------------------------------------",
      "                                Welcome to AIX.",
      "                   boot image timestamp: 15:12:44 11/24/2025",
      "        processor count: 4;  memory size: 16384MB;  kernel size: 61441221",
      "boot device: " + vscsi_ + "/disk@8" + upper_hex_digit(disk + 1) + "00000000000000",
      "-------------------------------------------------------------------------------",
      "", "Saving Base Customize Data to boot disk", "Starting the sync daemon",
      "Mounting the platform dump file system, /var/adm/ras/platform", "Starting the error daemon",
      "System initialization completed.", "TE=OFF", "CHKEXEC=OFF", "CHKSHLIB=OFF",
      "Setting tunable parameters...complete", "Starting Multi-user Initialization",
      " Performing auto-varyon of Volume Groups ", " Activating all paging spaces ",
      "0517-075 swapon: Paging device /dev/hd6 is already active.", " The current volume is: /dev/hd1",
      "Primary superblock is valid.", " Performing all automatic mounts ", "Multi-user initialization completed",
      "Checking for srcmstr active...complete", "Starting tcpip daemons:",
      "0513-059 The syslogd Subsystem has been started. Subsystem PID is 4587622.",
      "0513-059 The sshd Subsystem has been started. Subsystem PID is 4653162.",
      "Finished starting tcpip daemons."};
  for (auto& l : lines) after(0.1, [this, l] { out(l + "\n"); });
  after(0.5, [this] {
    if (booted_migrated_ && opt_.first_boot_term && !term_done_) term_prompt();
    else login_prompt();
  });
}

// ---------------------------------------------------------------------------------- SMS

std::string ConsoleSim::sms_header() const {
  std::string lead = opt_.firmware == "power7" ? "" : " ";
  return lead + "PowerPC Firmware\n Version " + fw_version_ +
         "\n SMS 1.7 (c) Copyright IBM Corp. 2000,2008 All rights reserved.\n" + kRule + "\n";
}

std::string ConsoleSim::sms_footer(bool main_style) const {
  std::string f = std::string(" ") + kRule + "\n";
  if (main_style)
    f += " Navigation Keys:\n\n                                             X = eXit System Management Services\n";
  else
    f += " Navigation keys:\n M = return to Main Menu\n"
         " ESC key = return to previous screen         X = eXit System Management Services\n";
  f += std::string(" ") + kRule + "\n Type menu item number and press Enter or select Navigation key:";
  return f;
}

void ConsoleSim::sms_frame(const std::string& id, const std::vector<std::string>& body, bool main_style) {
  clear();
  screen(id);
  std::string s = sms_header();
  for (auto& l : body) s += l + "\n";
  // pad so the prompt sits on row 24, as the firmware draws it (4 header + body + 6 footer)
  for (std::size_t n = body.size(); n < 14; ++n) s += "\n";
  if (body.size() >= 14) s += "\n";
  s += sms_footer(main_style);
  out(s);
  stage_ = Stage::Sms;
}

void ConsoleSim::sms_enter() {
  sms_stack_.clear();
  if (on_state) on_state("Open Firmware");
  sms_push(SmsView{SmsKind::Main, "", -1, 0, ""});
}

void ConsoleSim::sms_push(SmsView v) {
  sms_stack_.push_back(std::move(v));
  sms_draw();
}

void ConsoleSim::sms_escape() {
  if (sms_stack_.size() > 1) sms_stack_.pop_back();
  sms_draw();
}

std::vector<int> ConsoleSim::sms_filtered(const std::string& filter) const {
  std::vector<int> r;
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    const Device& d = devices_[i];
    bool ok = filter == "all" || (filter == "cd" && d.kind == DevKind::Cd) ||
              (filter == "disk" && d.kind == DevKind::Disk) || (filter == "net" && d.kind == DevKind::Net);
    if (ok) r.push_back(static_cast<int>(i));
  }
  return r;
}

void ConsoleSim::sms_please_wait_then(SmsView v, bool probe_line) {
  clear();
  screen("sms.please_wait");
  out("                              .------------------.\n"
      "                              |  PLEASE WAIT.... |\n"
      "                              `------------------'\n");
  stage_ = Stage::Busy;
  if (probe_line && opt_.firmware != "power7") {
    std::string disk_probe = "\n\n\n\n\n\ncheck " + vscsi_ + "/disk@8200000000000000";
    after(0.5, [this, disk_probe] { out(disk_probe); });
  }
  after(1.0, [this, v] { sms_push(v); });
}

void ConsoleSim::sms_draw(bool) {
  if (sms_stack_.empty()) sms_stack_.push_back(SmsView{SmsKind::Main, "", -1, 0, ""});
  const SmsView& v = sms_stack_.back();
  bool p7 = opt_.firmware == "power7";
  switch (v.kind) {
    case SmsKind::Main:
      sms_frame("sms.main",
                {" Main Menu", " 1.   Select Language", " 2.   Setup Remote IPL (Initial Program Load)",
                 opt_.firmware == "power9" ? " 3.   I/O Device Information" : " 3.   Change SCSI Settings",
                 " 4.   Select Console", " 5.   Select Boot Options"},
                true);
      return;
    case SmsKind::BootOptions:
      sms_frame("sms.boot_options",
                {" Multiboot", " 1.   Select Install/Boot Device", " 2.   Configure Boot Device Order",
                 std::string(" 3.   Multiboot Startup <") + (multiboot_on_ ? "ON" : "OFF") + ">",
                 " 4.   SAN Zoning Support"},
                false);
      return;
    case SmsKind::DeviceType:
      if (p7)
        sms_frame("sms.device_type",
                  {" Select Device Type", " 1.   Diskette", " 2.   Tape", " 3.   CD/DVD", " 4.   IDE", " 5.   Hard Drive",
                   " 6.   Network", " 7.   List all Devices"},
                  false);
      else
        sms_frame("sms.device_type",
                  {" Select Device Type", " 1.   Tape", " 2.   CD/DVD", " 3.   Hard Drive", " 4.   Network",
                   " 5.   List all Devices"},
                  false);
      return;
    case SmsKind::MediaType:
      sms_frame("sms.media_type",
                {" Select Media Type", " 1.   SCSI", " 2.   SAN", " 3.   SAS", " 4.   SATA", " 5.   USB",
                 " 6.   List All Devices"},
                false);
      return;
    case SmsKind::MediaAdapter: {
      std::vector<std::string> body = {" Select Media Adapter"};
      if (v.filter == "has")
        body.push_back(" 1.          " + machine_ + (p7 ? "-V6" : opt_.firmware == "power9" ? "-V7" : "-V21") + "-C2-T1   " + vscsi_);
      body.push_back(std::string(" ") + (v.filter == "has" ? "2" : "1") + ".   List all devices");
      sms_frame("sms.media_adapter", body, false);
      return;
    }
    case SmsKind::DeviceList:
    case SmsKind::BootOrderList: {
      std::vector<std::string> body = {" Select Device", " Device  Current  Device", " Number  Position  Name"};
      auto list = sms_filtered(v.filter);
      int n = 0;
      for (int di : list) {
        const Device& d = devices_[static_cast<std::size_t>(di)];
        auto it = std::find(bootlist_.begin(), bootlist_.end(), di);
        std::string pos = it == bootlist_.end() ? "-" : std::to_string(it - bootlist_.begin() + 1);
        ++n;
        std::string num = rpad_num(n, 2) + ".";
        body.push_back(num + "        " + pos + "      " + d.label);
        body.push_back("        ( loc=" + d.loc + " )");
      }
      if (v.kind == SmsKind::BootOrderList) body.push_back(rpad_num(n + 1, 2) + ".    None");
      sms_frame(v.kind == SmsKind::DeviceList ? "sms.device_list" : "sms.boot_order_device_list", body, false);
      return;
    }
    case SmsKind::SelectTask:
    case SmsKind::BootOrderTask: {
      const Device& d = devices_[static_cast<std::size_t>(v.device)];
      std::vector<std::string> body = {" Select Task", "", d.label, "    ( loc=" + d.loc + " )", "", " 1.   Information"};
      if (v.kind == SmsKind::SelectTask) {
        body.push_back(" 2.   Normal Mode Boot");
        body.push_back(" 3.   Service Mode Boot");
      } else {
        const char* nth[] = {"1st", "2nd", "3rd", "4th", "5th"};
        body.push_back(std::string(" 2.   Set Boot Sequence: Configure as ") + nth[std::clamp(v.slot, 1, 5) - 1] + " Boot Device");
      }
      sms_frame(v.kind == SmsKind::SelectTask ? "sms.select_task" : "sms.boot_order_task", body, false);
      return;
    }
    case SmsKind::ExitConfirm:
      sms_frame("sms.exit_confirm", {" Are you sure you want to exit System Management Services?", " 1.   Yes", " 2.   No"},
                true);
      return;
    case SmsKind::Info: {
      const Device& d = devices_[static_cast<std::size_t>(v.device)];
      sms_frame("sms.device_info", {" Device Information", "", d.label, "    ( loc=" + d.loc + " )"}, false);
      return;
    }
    case SmsKind::Stub:
      sms_frame("sms.other", {" " + v.title, "", " (not modelled by lpar-sim: ESC to go back)"}, false);
      return;
    case SmsKind::BootOrder:
      sms_frame("sms.boot_order",
                {" Configure Boot Device Order", " 1.   Select 1st Boot Device", " 2.   Select 2nd Boot Device",
                 " 3.   Select 3rd Boot Device", " 4.   Select 4th Boot Device", " 5.   Select 5th Boot Device",
                 " 6.   Display Current Setting", " 7.   Restore Default Setting"},
                false);
      return;
    case SmsKind::BootOrderType:
      // screen 09: inside Configure Boot Device Order, 7 = None and 8 = List All Devices (POWER7)
      if (p7)
        sms_frame("sms.boot_order_device_type",
                  {" Select Device Type", " 1.   Diskette", " 2.   Tape", " 3.   CD/DVD", " 4.   IDE", " 5.   Hard Drive",
                   " 6.   Network", " 7.   None", " 8.   List All Devices"},
                  false);
      else
        sms_frame("sms.boot_order_device_type",
                  {" Select Device Type", " 1.   Tape", " 2.   CD/DVD", " 3.   Hard Drive", " 4.   Network", " 5.   None",
                   " 6.   List All Devices"},
                  false);
      return;
    case SmsKind::BootSequence: {
      std::vector<std::string> body = {" Current Boot Sequence"};
      for (int i = 0; i < 5; ++i) {
        if (i < static_cast<int>(bootlist_.size())) {
          const Device& d = devices_[static_cast<std::size_t>(bootlist_[static_cast<std::size_t>(i)])];
          body.push_back(" " + std::to_string(i + 1) + ".  " + d.label);
          body.push_back("    ( loc=" + d.loc + " )");
        } else {
          body.push_back(" " + std::to_string(i + 1) + ".    None");
        }
      }
      sms_frame("sms.boot_order", body, false);
      return;
    }
  }
}

void ConsoleSim::sms_line(const std::string& l) {
  if (l == "x" || l == "X") {
    sms_push(SmsView{SmsKind::ExitConfirm, "", -1, 0, ""});
    return;
  }
  if (l == "m" || l == "M") {
    sms_enter();
    return;
  }
  if (!all_digits(l)) {
    sms_draw();  // the firmware redraws the menu on anything it cannot use
    return;
  }
  int n = std::stoi(l);
  SmsView v = sms_stack_.back();
  bool p7 = opt_.firmware == "power7";
  std::string bus = "SCSI";
  if (opt_.media_label.find("USB") != std::string::npos) bus = "USB";
  else if (opt_.media_label.find("SATA") != std::string::npos) bus = "SATA";
  else if (opt_.media_label.find("SAS") != std::string::npos) bus = "SAS";
  switch (v.kind) {
    case SmsKind::Main:
      if (n == 5) sms_push(SmsView{SmsKind::BootOptions, "", -1, 0, ""});
      else if (n >= 1 && n <= 4) {
        const char* titles[] = {"Select Language", "Setup Remote IPL (Initial Program Load)",
                                opt_.firmware == "power9" ? "I/O Device Information" : "Change SCSI Settings",
                                "Select Console"};
        sms_push(SmsView{SmsKind::Stub, "", -1, 0, titles[n - 1]});
      } else sms_draw();
      return;
    case SmsKind::BootOptions:
      if (n == 1) sms_push(SmsView{SmsKind::DeviceType, "", -1, 0, ""});
      else if (n == 2) sms_push(SmsView{SmsKind::BootOrder, "", -1, 0, ""});
      else if (n == 3) { multiboot_on_ = !multiboot_on_; sms_draw(); }
      else if (n == 4) sms_push(SmsView{SmsKind::Stub, "", -1, 0, "SAN Zoning Support"});
      else sms_draw();
      return;
    case SmsKind::DeviceType: {
      // POWER7: 1 Diskette 2 Tape 3 CD/DVD 4 IDE 5 Hard Drive 6 Network 7 List all Devices
      // POWER8+: 1 Tape 2 CD/DVD 3 Hard Drive 4 Network 5 List all Devices
      std::string what;
      if (p7) {
        const char* m[] = {"", "none", "none", "cd", "none", "disk", "net", "all"};
        if (n >= 1 && n <= 7) what = m[n];
      } else {
        const char* m[] = {"", "none", "cd", "disk", "net", "all"};
        if (n >= 1 && n <= 5) what = m[n];
      }
      if (what.empty()) { sms_draw(); return; }
      if (what == "cd" && !p7) { sms_push(SmsView{SmsKind::MediaType, "", -1, 0, ""}); return; }
      sms_please_wait_then(SmsView{SmsKind::DeviceList, what, -1, 0, ""}, what == "all" || what == "cd");
      return;
    }
    case SmsKind::MediaType: {
      const char* buses[] = {"", "SCSI", "SAN", "SAS", "SATA", "USB"};
      if (n >= 1 && n <= 5) sms_push(SmsView{SmsKind::MediaAdapter, buses[n] == bus ? "has" : "none", -1, 0, ""});
      else if (n == 6) sms_please_wait_then(SmsView{SmsKind::DeviceList, "all", -1, 0, ""}, true);
      else sms_draw();
      return;
    }
    case SmsKind::MediaAdapter:
      if (v.filter == "has" && n == 1) sms_please_wait_then(SmsView{SmsKind::DeviceList, "cd", -1, 0, ""}, true);
      else if ((v.filter == "has" && n == 2) || (v.filter != "has" && n == 1))
        sms_please_wait_then(SmsView{SmsKind::DeviceList, "all", -1, 0, ""}, true);
      else sms_draw();
      return;
    case SmsKind::DeviceList: {
      auto list = sms_filtered(v.filter);
      if (n >= 1 && n <= static_cast<int>(list.size()))
        sms_push(SmsView{SmsKind::SelectTask, "", list[static_cast<std::size_t>(n - 1)], 0, ""});
      else sms_draw();
      return;
    }
    case SmsKind::SelectTask:
      if (n == 1) sms_push(SmsView{SmsKind::Info, "", v.device, 0, ""});
      else if (n == 2 || n == 3) sms_push(SmsView{SmsKind::ExitConfirm, "", v.device, 0, ""});
      else sms_draw();
      return;
    case SmsKind::ExitConfirm:
      if (n == 1) {
        nlohmann::json boot{{"t", t()}, {"ev", "boot"},
                            {"device", v.device < 0 ? std::string("bootlist") : devices_[static_cast<std::size_t>(v.device)].label}};
        if (v.device >= 0) {
          const Device& bd = devices_[static_cast<std::size_t>(v.device)];
          boot["loc"] = bd.loc;
          boot["kind"] = bd.kind == DevKind::Disk ? "disk" : bd.kind == DevKind::Cd ? "cd" : "net";
          if (bd.kind == DevKind::Disk) {
            boot["disk"] = disks_[static_cast<std::size_t>(bd.disk)].spec.name;
            boot["vg"] = disks_[static_cast<std::size_t>(bd.disk)].spec.vg;
          }
        }
        log(boot.dump());
        if (v.device < 0) boot_default_list();
        else boot_device(v.device);
      } else if (n == 2) {
        sms_escape();
      } else sms_draw();
      return;
    case SmsKind::BootOrder:
      if (n >= 1 && n <= 5) sms_push(SmsView{SmsKind::BootOrderType, "", -1, n, ""});
      else if (n == 6) sms_push(SmsView{SmsKind::BootSequence, "", -1, 0, ""});
      else if (n == 7) {
        bootlist_.clear();
        for (std::size_t i = 0; i < devices_.size(); ++i)
          if (devices_[i].kind == DevKind::Disk && devices_[i].disk == orig_rootvg_) bootlist_.push_back(static_cast<int>(i));
        log(nlohmann::json{{"t", t()}, {"ev", "bootlist"}, {"action", "restore_default"}}.dump());
        sms_draw();
      } else sms_draw();
      return;
    case SmsKind::BootOrderType: {
      std::string what;
      if (p7) {
        const char* m[] = {"", "none", "none", "cd", "none", "disk", "net", "clear", "all"};
        if (n >= 1 && n <= 8) what = m[n];
      } else {
        const char* m[] = {"", "none", "cd", "disk", "net", "clear", "all"};
        if (n >= 1 && n <= 6) what = m[n];
      }
      if (what.empty()) { sms_draw(); return; }
      if (what == "clear") {  // None: remove this boot device
        auto slot = static_cast<std::size_t>(v.slot - 1);
        if (slot < bootlist_.size()) bootlist_.erase(bootlist_.begin() + static_cast<long>(slot));
        log(nlohmann::json{{"t", t()}, {"ev", "bootlist"}, {"action", "none"}, {"slot", v.slot}}.dump());
        sms_stack_.pop_back();
        sms_draw();
        return;
      }
      sms_please_wait_then(SmsView{SmsKind::BootOrderList, what, -1, v.slot, ""}, false);
      return;
    }
    case SmsKind::BootOrderList: {
      auto list = sms_filtered(v.filter);
      if (n >= 1 && n <= static_cast<int>(list.size()))
        sms_push(SmsView{SmsKind::BootOrderTask, "", list[static_cast<std::size_t>(n - 1)], v.slot, ""});
      else if (n == static_cast<int>(list.size()) + 1) sms_escape();
      else sms_draw();
      return;
    }
    case SmsKind::BootOrderTask:
      if (n == 1) sms_push(SmsView{SmsKind::Info, "", v.device, 0, ""});
      else if (n == 2) {
        auto slot = static_cast<std::size_t>(std::clamp(v.slot, 1, 5) - 1);
        auto it = std::find(bootlist_.begin(), bootlist_.end(), v.device);
        if (it != bootlist_.end()) bootlist_.erase(it);
        if (slot > bootlist_.size()) slot = bootlist_.size();
        bootlist_.insert(bootlist_.begin() + static_cast<long>(slot), v.device);
        log(nlohmann::json{{"t", t()}, {"ev", "bootlist"}, {"action", "set"}, {"slot", v.slot},
                           {"device", devices_[static_cast<std::size_t>(v.device)].label}}.dump());
        // back to Configure Boot Device Order, showing the new sequence first
        while (!sms_stack_.empty() && sms_stack_.back().kind != SmsKind::BootOrder) sms_stack_.pop_back();
        sms_push(SmsView{SmsKind::BootSequence, "", -1, 0, ""});
      } else sms_draw();
      return;
    default:
      sms_draw();
      return;
  }
}

// ---------------------------------------------------------------------------------- BOS

bool ConsoleSim::levels_shape() const {
  return opt_.disk_screen == "levels" && method_ != Method::Overwrite;
}

std::vector<int> ConsoleSim::bos_disk_rows() const {
  std::vector<int> r;
  for (std::size_t i = 0; i < disks_.size(); ++i)
    if (!levels_shape() || !disks_[i].os.empty()) r.push_back(static_cast<int>(i));
  return r;
}

std::string ConsoleSim::vg_label(int disk) const {
  const auto& vg = disks_[static_cast<std::size_t>(disk)].spec.vg;
  if (vg == "altinst_rootvg" && opt_.clone_label == "rootvg") return "rootvg";
  return vg;
}

std::string ConsoleSim::method_name() const {
  switch (method_) {
    case Method::Overwrite: return "New and Complete Overwrite";
    case Method::Preservation: return "Preservation Install";
    case Method::Migration: return "Migration Install";
  }
  return "";
}

std::string ConsoleSim::selected_names() const {
  std::string s;
  for (std::size_t i = 0; i < disks_.size(); ++i)
    if (selected_[i]) s += (s.empty() ? "" : " ") + disks_[i].spec.name;
  return s;
}

void ConsoleSim::bos_console() {
  stage_ = Stage::BosConsole;
  clear();
  screen("bos.console");
  out("\n ******* Please define the System Console. *******\n\n"
      "Type a 1 and press Enter to use this terminal as the\n  system console.\n"
      "Pour definir ce terminal comme console systeme, appuyez\n  sur 1 puis sur Entree.\n"
      "Taste 1 druecken und anschliessend die Eingabetaste druecken, um\n  diese Datenstation als Systemkonsole zu verwenden.\n"
      "Premere il tasto 1 ed Invio per usare questo terminale\n  come console di sistema.\n"
      "Escriba 1 y pulse Intro para utilizar esta terminal como\n  consola del sistema.\n\n");
}

void ConsoleSim::bos_language() {
  stage_ = Stage::BosLanguage;
  clear();
  screen("bos.language");
  out("\n        >>>  1 Type 1 and press Enter to have English during install.\n\n"
      "             2 Entreu 2 i premeu Intro per veure la instal.lacio en catala.\n\n"
      "             3 Entrez 3 pour effectuer l'installation en francais.\n\n\n\n"
      "    88  Help ?\n\n\n>>> Choice [1]: ");
}

void ConsoleSim::bos_welcome() {
  stage_ = Stage::BosWelcome;
  clear();
  screen("bos.welcome");
  out("\n                      Welcome to Base Operating System\n"
      "                      Installation and Maintenance\n\n"
      "Type the number of your choice and press Enter.  Choice is indicated by >>>.\n\n"
      ">>> 1 Start Install Now with Default Settings\n\n"
      "    2 Change/Show Installation Settings and Install\n\n"
      "    3 Start Maintenance Mode for System Recovery\n\n"
      "    4 Make Additional Disks Available\n\n"
      "    5 Select Storage Adapters\n\n\n\n"
      "    88  Help ?\n    99  Previous Menu\n\n>>> Choice [1]: ");
}

void ConsoleSim::bos_settings() {
  stage_ = Stage::BosSettings;
  clear();
  screen("bos.settings");
  std::string disks = selected_names();
  std::string first = disks.substr(0, disks.find(' '));
  out("                          Installation and Settings\n\n"
      "Either type 0 and press Enter to install with current settings, or type the\n"
      "number of the setting you want to change and press Enter.\n\n"
      "    1  System Settings:\n"
      "         Method of Installation.............");
  out(method_name() + "\n         Disk Where You Want to Install....." + disks + "\n\n");
  out("    2  Primary Language Environment Settings (AFTER Install):\n"
      "         Cultural Convention................English (United States)\n"
      "         Language...........................English (United States)\n"
      "         Keyboard...........................English (United States)\n"
      "         Keyboard Type......................Default\n"
      "    3  Security Model.......................Default\n"
      "    4  More Options  (Software install options)\n"
      "    5  Select Edition.......................standard\n"
      ">>> 0  Install with the current settings listed above.\n\n"
      "                       +-----------------------------------------------------\n"
      "    88  Help ?         |  WARNING: Base Operating System Installation will\n");
  out(std::string("    99  Previous Menu  |  destroy or impair recovery of ") +
      (method_ == Method::Overwrite ? "ALL" : "SOME") + " data on the\n");
  out("                       |  destination disk " + first + ".\n>>> Choice [0]: ");
}

void ConsoleSim::bos_method() {
  stage_ = Stage::BosMethod;
  clear();
  screen("bos.method");
  auto mark = [this](Method m) { return method_ == m ? ">>> " : "    "; };
  int cur = method_ == Method::Overwrite ? 1 : method_ == Method::Preservation ? 2 : 3;
  out("                        Change Method of Installation\n\n"
      "  Type the number of the installation method and press Enter.\n\n");
  out(std::string(mark(Method::Overwrite)) + "1 New and Complete Overwrite\n"
      "          Overwrites EVERYTHING on the disk selected for installation.\n"
      "          Warning: Only use this method if the disk is totally empty or if\n"
      "          there is nothing on the disk you want to preserve.\n\n");
  out(std::string(mark(Method::Preservation)) + "2 Preservation Install\n"
      "          Preserves SOME of the existing data on the disk selected for\n"
      "          installation.  Warning: This method overwrites the usr (/usr),\n"
      "          variable (/var), temporary (/tmp), and root (/) file systems.  Other\n"
      "          product (applications) files and configuration data will be destroyed.\n\n");
  out(std::string(mark(Method::Migration)) + "3 Migration Install\n"
      "          Upgrades the Base Operating System to current release.\n"
      "          Other product (applications) files and configuration data are saved.\n\n"
      "    88  Help ?\n    99  Previous Menu\n\n>>> Choice [" + std::to_string(cur) + "]: ");
}

void ConsoleSim::bos_disks(const std::string& message) {
  stage_ = Stage::BosDisks;
  clear();
  screen("bos.disks");
  auto rows = bos_disk_rows();
  std::size_t numw = std::to_string(rows.size()).size();
  if (levels_shape()) {
    // IBM's text: BosMenus.h ChgRootVG (title without "(s)", instruction, heading, 88, 99,
    // ">>> Choice "), rows as BosMenus.c ChgRootVGPre prints them ("    %2s %-6.6s   %-20.20s
    // %15.15s   %6.6s": number, level, disk, location, size), the chosen row marked ">>>" over the
    // first three blanks; 77 from a public write-up of a 7.2 TL5 migration, whose location column
    // reads `none` (--bos-location none). What 77 shows is invented: PVIDs in place of the locations.
    out("          Change Disks Where You Want to Install\n\n"
        "Type the number for the disks to be used for installation and press Enter.\n\n");
    out(std::string("       Level    Disks In Rootvg       ") + (show_pvid_ ? "Physical Volume ID " : "Location Code     ") +
        " Size(MB)\n\n");
    std::string chosen;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto d = static_cast<std::size_t>(rows[r]);
      const std::string id = show_pvid_ ? disks_[d].spec.pvid : bos_location(d);
      // A physical location code does not fit BosMenus.c's 15 columns: the name column narrows
      // so the row stays within 80 columns, and the size goes on an indented line.
      std::string head = (selected_[d] ? ">>>" : "   ") + std::string(" ") + rpad_num(static_cast<long>(r + 1), 2) + " " +
                         pad(disks_[d].os, 6) + "   " + pad(disks_[d].spec.name, id.size() > 15 ? 13 : 20) + " ";
      if (selected_[d]) chosen = std::to_string(r + 1);
      head += id.size() < 15 ? std::string(15 - id.size(), ' ') + id : id;
      table_row(head, rpad_num(disks_[d].spec.size_mb, 6), 63);
    }
    out("\n    77  Display More Disk Information\n"
        "    88  Help ?\n"
        "    99  Previous Menu\n");
    if (!message.empty()) out("\n    " + message + "\n");
    out("\n>>> Choice [" + chosen + "]: ");
    return;
  }
  {
    out("                  Change Disk(s) Where You Want to Install\n\n");
    out("Type one or more numbers for the disk(s) to be used for installation and press\n"
        "Enter.  To cancel a choice, type the corresponding number and Press Enter.\n"
        "At least one bootable disk must be selected.  The current choice is indicated\n"
        "by >>>.\n\n");
    out(std::string("        Name      ") + (show_pvid_ ? "Physical Volume Identifier" : "Location Code") +
        "   Size(MB)  VG Status   Bootable\n\n");
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto d = static_cast<std::size_t>(rows[r]);
      std::string vg = vg_label(static_cast<int>(d));
      std::string head = selected_[d] ? ">>> " : "    ";
      head += rpad_num(static_cast<long>(r + 1), numw) + "  " + pad(disks_[d].spec.name, 10);
      head += show_pvid_ ? pad(disks_[d].spec.pvid, 26) : pad(bos_location(d), 13);
      table_row(head, rpad_num(disks_[d].spec.size_mb, 5) + "  " + pad(vg, std::max<std::size_t>(12, vg.size() + 2)) + "Yes    No", 36);
    }
  }
  out("\n>>> 0   Continue with choices indicated above\n"
      "   66  Devices not known to Base Operating System Installation\n"
      "   77  Display More Disk Information\n"
      "   88  Help ?\n"
      "   99  Previous Menu\n");
  if (!message.empty()) out("\n    " + message + "\n");
  out("\n>>> Choice [0]: ");
}

std::string ConsoleSim::bos_location(std::size_t disk) const {
  return opt_.bos_location == "none" ? std::string("none") : disks_[disk].spec.location;
}

// A BOS table row on an 80-column console: on one line when it fits, else the fields after
// a long location code go on an indented line of their own (no row ever wraps the terminal).
void ConsoleSim::table_row(const std::string& head, const std::string& tail, std::size_t tail_col) {
  if (head.size() + 3 + tail.size() <= 79) out(head + "   " + tail + "\n");
  else out(head + "\n" + std::string(tail_col, ' ') + tail + "\n");
}

void ConsoleSim::bos_more_options() {
  stage_ = Stage::BosMoreOptions;
  clear();
  screen("bos.more_options");
  // Invented layout following the runbook's table of More Options.
  const char* names[] = {"Trusted Computing Base.............................",
                         "Backup Configuration (Install all devices)..........",
                         "Remote Services.....................................",
                         "64-bit Kernel.......................................",
                         "Import User Volume Groups..........................."};
  out("\n                               Install Options\n\n");
  for (int i = 0; i < 5; ++i)
    out("    " + std::to_string(i + 1) + ".  " + names[i] + (more_opts_[i] ? " Yes" : " No") + "\n");
  out("\n>>> 0   Install with the settings listed above.\n\n"
      "    88  Help ?\n    99  Previous Menu\n\n>>> Choice [0]: ");
}

void ConsoleSim::bos_summary() {
  stage_ = Stage::BosSummary;
  clear();
  screen("bos.summary");
  std::string kind = method_ == Method::Migration ? "Migration" : method_ == Method::Preservation ? "Preservation" : "Overwrite";
  std::string disks = selected_names();
  out("\n                       " + kind + " Installation Summary\n\n");
  out("Disks:  " + disks + "\n"
      "Cultural Convention:  en_US\nLanguage:  en_US\nKeyboard:  en_US\n"
      "JFS2 File Systems Created:  Yes\nGraphics Software:  Yes\n"
      "System Management Client Software:  Yes\n"
      "Enable System Backups to install any system:  Yes\n\n"
      "Optional Software being installed:\n\n"
      ">>> 1   Continue with Install\n"
      "                       +-----------------------------------------------------\n"
      "    88  Help ?         |    WARNING: Base Operating System Installation will\n");
  out(std::string("    99  Previous Menu  |    destroy or impair recovery of ") +
      (method_ == Method::Overwrite ? "ALL" : "SOME") + " data on the\n");
  out("                       |    destination disk " + disks.substr(0, disks.find(' ')) + ".\n>>> Choice [1]: ");
}

void ConsoleSim::bos_mig_confirm() {
  stage_ = Stage::BosMigConfirm;
  clear();
  screen("bos.migration_confirm");
  out("\n                            Migration Confirmation\n\n"
      "  Either type 0 and press Enter to continue the installation, or type the\n"
      "  number of your choice and press Enter.\n\n"
      "    1  List the saved Base System configuration files which will not be\n"
      "       merged into the system.  These files are saved in /tmp/bos.\n"
      "    2  List the filesets which will be removed and not replaced.\n"
      "    3  List directories which will have all current contents removed.\n"
      "    4  Reboot without migrating.\n\n"
      "  File systems to be migrated on " + selected_names() + ":\n"
      "    /  /usr  /var  /tmp  /home  /opt  /admin  /var/adm/ras/livedump\n\n"
      "  Acceptance of license agreements is required before using system.\n"
      "  You will be prompted to accept after the system reboots.\n\n"
      ">>> 0  Continue with the migration.\n"
      "   88  Help ?\n"
      "+-----------------------------------------------------------------------------\n"
      "WARNING: Selected files, directories, and filesets (installable options) from\n"
      "    the Base System will be removed.  Choose 2 or 3 for more information.\n\n"
      ">>> Choice [0]: ");
}

void ConsoleSim::bos_info(const std::string& title, const std::vector<std::string>& lines, Stage back) {
  stage_ = Stage::BosInfo;
  info_back_ = back;
  clear();
  screen("bos.info");
  out("\n                    " + title + "\n\n");
  for (auto& l : lines) out("  " + l + "\n");
}

void ConsoleSim::bos_install_path() {
  if (selected_names().empty()) {
    bos_disks("At least one bootable disk must be selected.");
    return;
  }
  if (opt_.summary_screen) bos_summary();
  else if (method_ == Method::Migration) bos_mig_confirm();
  else bos_start_install();
}

void ConsoleSim::bos_start_install() {
  // The oracle: only a Migration Install onto exactly the original rootvg disk is safe.
  log(nlohmann::json{{"t", t()}, {"ev", "install"}, {"method", method_name()}, {"disks", selected_names()}}.dump());
  std::vector<std::string> hit;
  for (std::size_t i = 0; i < disks_.size(); ++i) {
    if (!selected_[i]) continue;
    bool is_orig = static_cast<int>(i) == orig_rootvg_;
    if (method_ == Method::Migration && is_orig) continue;
    std::string what = disks_[i].spec.name + " (";
    if (is_orig) what += "rootvg";
    else if (disks_[i].spec.vg == "altinst_rootvg") what += "altinst_rootvg clone";
    else if (disks_[i].spec.vg == "None" || disks_[i].spec.vg.empty()) what += "no volume group";
    else what += disks_[i].spec.vg;
    hit.push_back(what + ")");
  }
  if (selected_names().empty()) hit.push_back("nothing selected");
  if (!hit.empty()) {
    std::string w;
    for (auto& h : hit) w += (w.empty() ? "" : ", ") + h;
    destroyed(w + " by " + method_name());
    return;
  }
  stage_ = Stage::Busy;
  install_total_ = std::max(1, opt_.install_lines);
  last_pct_ = -1;
  clear();
  install_step(0);
}

void ConsoleSim::progress_block(int pct) {
  static const char* phases[] = {"Restoring base operating system", "Merging system configuration",
                                 "Installing additional software", "Over mounting /.", "Copying Cu* to disk.",
                                 "Initializing disk environment."};
  const char* phase = phases[pct < 8 ? 5 : pct < 15 ? 4 : pct < 20 ? 3 : pct < 30 ? 0 : pct < 90 ? 2 : 1];
  screen("bos.progress");
  char buf[256];
  std::snprintf(buf, sizeof buf, "%11d%18d      %s\n", pct, pct * 9 / 10, phase);
  out("\n                       Installing Base Operating System\n\n"
      "        Please wait...\n\n"
      "        Approximate     Elapsed time\n"
      "     % tasks complete   (in minutes)\n\n");
  out(buf);
  out("\n");
}

void ConsoleSim::install_line(long i) {
  const char* fs = kFilesets[(i / 7) % kNumFilesets];
  int lvl = static_cast<int>((i * 37) % 500);
  char buf[256];
  switch (i % 16) {
    case 0: std::snprintf(buf, sizeof buf, "installp:  APPLYING software for:"); break;
    case 1: case 2: case 3:
      std::snprintf(buf, sizeof buf, "        %s 7.2.5.%d", kFilesets[(i / 16 * 3 + i % 16) % kNumFilesets], lvl);
      break;
    case 4: std::snprintf(buf, sizeof buf, ". . . . . << Copyright notice for %s >> . . . . . . .", fs); break;
    case 5: std::snprintf(buf, sizeof buf, "Restoring files, please wait."); break;
    case 6: std::snprintf(buf, sizeof buf, "%ld files restored.", 100 + (i * 13) % 3000); break;
    case 15:
      std::snprintf(buf, sizeof buf, "Filesets processed:  %ld of %ld  (Total time:  %ld mins %ld secs).", i / 16 + 1,
                    install_total_ / 16 + 1, i / 4000, (i / 67) % 60);
      break;
    default: std::snprintf(buf, sizeof buf, "Installing fileset %s 7.2.5.%d ... done", fs, lvl); break;
  }
  out(std::string(buf) + "\n");
}

void ConsoleSim::install_step(long i) {
  long n = install_total_;
  int pct = static_cast<int>((i * 100) / n);
  if (pct != last_pct_ && (i < n || pct == 100)) {
    progress_block(pct);
    last_pct_ = pct;
  }
  if (opt_.media_volumes >= 2 && !swapped_ && i >= (3 * n) / 4) {
    media_swap_prompt();
    return;
  }
  if (i >= n) {
    install_done();
    return;
  }
  install_line(i);
  after(12.0 / static_cast<double>(n), [this, i] { install_step(i + 1); });
}

void ConsoleSim::media_swap_prompt() {
  stage_ = Stage::MediaSwap;
  screen("bos.media_swap");
  // The request as installers word it: "...: " at the cursor, or a sentence (public write-ups
  // of multi-volume installs, quoted in issue 14), with or without its newline.
  if (opt_.media_prompt == "sentence")
    out("\n   Insert volume 2 of the installation media into the drive\n   and press the ENTER key.");
  else if (opt_.media_prompt == "sentence-newline")
    out("\n        Please mount volume 2 of the installation media.\n        Press the Enter key to continue.\n");
  else
    out("\n        Please remove volume 1, insert volume 2, and press Enter to continue: ");
}

void ConsoleSim::install_done() {
  auto& d = disks_[static_cast<std::size_t>(orig_rootvg_)];
  d.os = "7.2";
  migrated_ = true;
  log(nlohmann::json{{"t", t()}, {"ev", "migrated"}, {"disk", d.spec.name}}.dump());
  bootlist_.clear();
  for (std::size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i].kind == DevKind::Disk && devices_[i].disk == orig_rootvg_) bootlist_.push_back(static_cast<int>(i));
  out("\nFinished processing all filesets.  (Total time:  47 mins 12 secs).\n\n"
      "+-----------------------------------------------------------------------------+\n"
      "                                Summaries:\n"
      "+-----------------------------------------------------------------------------+\n"
      "Installation Summary\n--------------------\nAll filesets were applied successfully.\n\n"
      "Saving the installation log to /var/adm/ras/bosinstlog ...\n"
      "Updating the boot image on " + d.spec.name + " ...\n"
      "bosboot: Boot image is 61441 512 byte blocks.\n\n"
      "Rebooting . . .\n\n");
  stage_ = Stage::Busy;
  post_after_install_ = true;
  after(2.0, [this] { power_on(false); });
}

// ---------------------------------------------------------------------------------- AIX

void ConsoleSim::term_prompt() {
  stage_ = Stage::TermPrompt;
  clear();
  screen("aix.term_prompt");
  out("                              Set Terminal Type\n"
      "The terminal is not properly initialized.  Please enter a terminal type\n"
      "and press Enter.  Some terminal types are not supported in\n"
      "non-English languages.\n\n"
      "     ibm3101          tvi912          vt330          aixterm\n"
      "     ibm3151          tvi920          vt340          dtterm\n"
      "     ibm3161          tvi925          wyse30         xterm\n"
      "     ibm3162          tvi950          wyse50         lft\n"
      "     ibm3163          vs100           wyse60         sun\n"
      "     ibm3164          vt100           wyse100\n"
      "     ibmpc            vt320           wyse350\n\n"
      "                      +-----------------------Messages------------------------\n"
      "                      | If the next screen is unreadable, press Break (Ctrl-c)\n"
      "    88  Help ?        | to return to this screen.\n"
      "    99  Exit          |\n"
      "                      |\n"
      ">>> Choice []: ");
}

void ConsoleSim::login_prompt() {
  stage_ = Stage::LoginUser;
  echo_ = true;
  screen("aix.login");
  out("\n\nAIX Version 7\nCopyright IBM Corporation, 1982, 2025.\nConsole login: ");
  if (!login_seen_) {
    login_seen_ = true;
    log(nlohmann::json{{"t", t()}, {"ev", "login_prompt"}, {"migrated", booted_migrated_}}.dump());
  }
  if (opt_.exit_at_login) finish(booted_migrated_ ? kExitClean : kExitNotMigrated);
}

void ConsoleSim::shell_prompt() {
  stage_ = Stage::Shell;
  out("# ");
}

// A small ksh: `;` between commands, `| grep WORD` / `| head [-N]`, `echo` with quotes and
// $?, and the commands the runbook's pre-flight and acceptance checks use. Output formats
// follow AIX 7.1/7.2 (lspv, lscfg -vl, lsvg, df -m, instfix -i, lppchk -v, errpt).
void ConsoleSim::shell_command(const std::string& line) {
  out("\n");
  // split at ; outside quotes
  std::vector<std::string> parts;
  std::string cur;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ';') {
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  parts.push_back(cur);
  for (const std::string& part : parts) {
    std::string p = trim(part);
    if (p.empty()) continue;
    if (p == "exit" || p == "logout") {
      login_prompt();
      return;
    }
    for (auto& l : run_simple(p)) out(l + "\n");
  }
  shell_prompt();
}

std::string ConsoleSim::echo_word(const std::string& word) const {
  std::string r;
  char quote = 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (quote == '"' && c == '$' && i + 1 < word.size() && word[i + 1] == '?') {
        r += std::to_string(last_status_);
        ++i;
      } else r += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < word.size() && word[i + 1] == '?') {
      r += std::to_string(last_status_);
      ++i;
    } else {
      r += c;
    }
  }
  return r;
}

std::vector<std::string> ConsoleSim::run_simple(const std::string& command) {
  std::string cmd = command, grep;
  long head = -1;
  if (auto bar = command.find('|'); bar != std::string::npos) {
    cmd = trim(command.substr(0, bar));
    std::string rest = trim(command.substr(bar + 1));
    if (rest.rfind("grep ", 0) == 0) {
      grep = trim(rest.substr(5));
      if (grep.size() >= 2 && (grep.front() == '"' || grep.front() == '\'')) grep = grep.substr(1, grep.size() - 2);
    } else if (rest == "head") {
      head = 10;
    } else if (rest.rfind("head -", 0) == 0 && all_digits(trim(rest.substr(6)))) {
      head = std::stol(trim(rest.substr(6)));
    }
  }
  std::vector<std::string> argv;
  {
    // words, with quotes kept for echo and removed for the others
    std::string w;
    char quote = 0;
    bool in = false;
    for (char c : cmd) {
      if (!quote && (c == ' ' || c == '\t')) {
        if (in) argv.push_back(w);
        w.clear();
        in = false;
        continue;
      }
      in = true;
      if (quote && c == quote) quote = 0;
      else if (!quote && (c == '\'' || c == '"')) quote = c;
      w += c;
    }
    if (in) argv.push_back(w);
  }
  if (argv.empty()) return {};
  if (argv[0] == "echo") {
    std::string r;
    for (std::size_t i = 1; i < argv.size(); ++i) r += (i > 1 ? " " : "") + echo_word(argv[i]);
    last_status_ = 0;
    return {r};
  }
  for (auto& a : argv) a = echo_word(a);
  std::vector<std::string> lines = run_one(argv);
  std::vector<std::string> shown;
  for (auto& l : lines)
    if (grep.empty() || l.find(grep) != std::string::npos) shown.push_back(l);
  if (head >= 0 && static_cast<long>(shown.size()) > head) shown.resize(static_cast<std::size_t>(head));
  if (!grep.empty()) last_status_ = shown.empty() ? 1 : 0;
  return shown;
}

std::vector<std::string> ConsoleSim::run_one(const std::vector<std::string>& argv) {
  std::vector<std::string> lines;
  last_status_ = 0;
  const bool v72 = running_os_ == "7.2";
  const std::string level = v72 ? opt_.oslevel : "7100-05-06-2016";
  // VG names as the running system sees them: booted from the clone, the clone is rootvg and
  // the migrated disk old_rootvg (RB.1 verification).
  auto vg_of = [&](std::size_t i) {
    std::string vg = disks_[i].spec.vg.empty() ? "None" : disks_[i].spec.vg;
    if (running_disk_ >= 0 && running_disk_ == clone_ && static_cast<int>(i) == clone_) return std::string("rootvg");
    if (running_disk_ >= 0 && running_disk_ == clone_ && static_cast<int>(i) == orig_rootvg_) return std::string("old_rootvg");
    return vg;
  };
  const std::size_t root = static_cast<std::size_t>(running_disk_ >= 0 ? running_disk_ : orig_rootvg_);
  const std::string& a0 = argv[0];
  if (a0 == "oslevel") {
    if (argv.size() > 1 && argv[1] == "-s") lines.push_back(level);
    else if (argv.size() > 1 && argv[1] == "-r") lines.push_back(level.substr(0, 7));
    else lines.push_back(v72 ? "7.2.0.0" : "7.1.0.0");
  } else if (a0 == "lppchk") {
    if (v72 && !opt_.broken_filesets.empty()) {
      lines.push_back("lppchk:  The following filesets need to be installed or corrected to bring");
      lines.push_back("         the system to a consistent state:");
      lines.push_back("");
      for (auto& f : opt_.broken_filesets) lines.push_back("  " + pad(f + " 7.2.5.0", 38) + "(usr: COMMITTED, root: not installed)");
      last_status_ = 1;
    }
  } else if (a0 == "instfix") {
    int tl = 5;
    if (level.size() >= 7 && std::isdigit(static_cast<unsigned char>(level[6]))) tl = level[6] - '0';
    std::string v = v72 ? "7200" : "7100";
    for (int i = 0; i <= tl; ++i) {
      bool bad = v72 && i == tl && !opt_.broken_filesets.empty();
      lines.push_back(std::string(bad ? "    Not all filesets for " : "    All filesets for ") + v + "-0" + std::to_string(i) +
                      "_AIX_ML were found.");
    }
  } else if (a0 == "bootlist") {
    for (int dev : bootlist_) {
      const Device& d = devices_[static_cast<std::size_t>(dev)];
      if (d.kind == DevKind::Disk) lines.push_back(disks_[static_cast<std::size_t>(d.disk)].spec.name + " blv=hd5 pathid=0");
      else if (d.kind == DevKind::Cd) lines.push_back("cd0");
      else lines.push_back("ent0");
    }
  } else if (a0 == "lspv") {
    for (std::size_t i = 0; i < disks_.size(); ++i) {
      std::string vg = vg_of(i);
      std::string state = vg == "rootvg" ? "active" : "";
      lines.push_back(pad(disks_[i].spec.name, 16) + pad(disks_[i].spec.pvid, 36) + pad(vg, 16) + state);
    }
  } else if (a0 == "lscfg") {
    // lscfg -vl NAME (NAME may be a pattern such as hdisk*): one line per device, as for
    // virtual SCSI disks (no VPD lines)
    std::string name;
    for (std::size_t i = 1; i < argv.size(); ++i)
      if (argv[i] == "-l" || argv[i] == "-vl" || argv[i] == "-lv") name = i + 1 < argv.size() ? argv[i + 1] : "";
    bool any = false;
    for (auto& d : disks_) {
      bool hit = name == d.spec.name ||
                 (!name.empty() && name.back() == '*' && d.spec.name.rfind(name.substr(0, name.size() - 1), 0) == 0);
      if (!hit) continue;
      any = true;
      lines.push_back("  " + pad(d.spec.name, 17) + d.spec.location + "  Virtual SCSI Disk Drive");
      lines.push_back("");
    }
    if (!any) {
      lines.push_back("lscfg: device " + name + " not found.");
      last_status_ = 1;
    }
  } else if (a0 == "lsvg") {
    const int pp = 64;
    const int total = disks_[root].spec.size_mb / pp - 1;
    const int used = std::min(total, 237);
    if (argv.size() > 2 && argv[1] == "-l") {
      lines = {"rootvg:",
               "LV NAME             TYPE       LPs     PPs     PVs  LV STATE      MOUNT POINT",
               "hd5                 boot       1       1       1    closed/syncd  N/A",
               "hd6                 paging     8       8       1    open/syncd    N/A",
               "hd8                 jfs2log    1       1       1    open/syncd    N/A",
               "hd4                 jfs2       4       4       1    open/syncd    /",
               "hd2                 jfs2       96      96      1    open/syncd    /usr",
               "hd9var              jfs2       32      32      1    open/syncd    /var",
               "hd3                 jfs2       32      32      1    open/syncd    /tmp",
               "hd1                 jfs2       1       1       1    open/syncd    /home",
               "hd10opt             jfs2       16      16      1    open/syncd    /opt",
               "hd11admin           jfs2       2       2       1    open/syncd    /admin",
               "lg_dumplv           sysdump    16      16      1    open/syncd    N/A",
               "livedump            jfs2       4       4       1    open/syncd    /var/adm/ras/livedump"};
    } else if (argv.size() > 1 && argv[1] == "rootvg") {
      char buf[160];
      auto row = [&](const char* k1, const std::string& v1, const char* k2, const std::string& v2) {
        std::snprintf(buf, sizeof buf, "%-20s%-25s%-16s%s", k1, v1.c_str(), k2, v2.c_str());
        lines.push_back(buf);
      };
      auto mb = [&](int pps) { return std::to_string(pps) + " (" + std::to_string(pps * pp) + " megabytes)"; };
      row("VOLUME GROUP:", "rootvg", "VG IDENTIFIER:", disks_[root].spec.pvid + "0000014a5b3c2d1e");
      row("VG STATE:", "active", "PP SIZE:", std::to_string(pp) + " megabyte(s)");
      row("VG PERMISSION:", "read/write", "TOTAL PPs:", mb(total));
      row("MAX LVs:", "256", "FREE PPs:", mb(total - used));
      row("LVs:", "12", "USED PPs:", mb(used));
      row("OPEN LVs:", "11", "QUORUM:", "2 (Enabled)");
      row("TOTAL PVs:", "1", "VG DESCRIPTORS:", "2");
      row("STALE PVs:", "0", "STALE PPs:", "0");
      row("ACTIVE PVs:", "1", "AUTO ON:", "yes");
      lines.push_back("MAX PPs per VG:     32512");
      row("MAX PPs per PV:", "1016", "MAX PVs:", "32");
      row("LTG size (Dynamic):", "256 kilobyte(s)", "AUTO SYNC:", "no");
      row("HOT SPARE:", "no", "BB POLICY:", "relocatable");
      row("PV RESTRICTION:", "none", "INFINITE RETRY:", "no");
      row("DISK BLOCK SIZE:", "512", "CRITICAL VG:", "no");
      lines.push_back("FS SYNC OPTION:     no");
    } else {
      lines.push_back("0516-306 lsvg: Unable to find volume group " + (argv.size() > 1 ? argv.back() : std::string()) +
                      " in the Device");
      lines.push_back("        Configuration Database.");
      last_status_ = 1;
    }
  } else if (a0 == "df") {
    struct Fs { const char* dev; double size, free; int used, iused, ipct; const char* mnt; };
    const Fs all[] = {{"/dev/hd4", 256.00, 148.62, 42, 10264, 26, "/"},
                      {"/dev/hd2", 6144.00, 3402.17, 45, 48822, 6, "/usr"},
                      {"/dev/hd9var", 2048.00, 1787.45, 13, 1282, 1, "/var"},
                      {"/dev/hd3", 2048.00, 2021.78, 2, 141, 1, "/tmp"},
                      {"/dev/hd1", 64.00, 63.62, 1, 9, 1, "/home"},
                      {"/dev/hd10opt", 1024.00, 720.31, 30, 9011, 6, "/opt"}};
    lines.push_back("Filesystem    MB blocks      Free %Used    Iused %Iused Mounted on");
    std::vector<std::string> want(argv.begin() + 1, argv.end());
    want.erase(std::remove_if(want.begin(), want.end(), [](const std::string& w) { return !w.empty() && w[0] == '-'; }),
               want.end());
    for (auto& f : all) {
      if (!want.empty() && std::find(want.begin(), want.end(), f.mnt) == want.end()) continue;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%-14s%9.2f %9.2f %4d%% %8d %5d%% %s", f.dev, f.size, f.free, f.used, f.iused, f.ipct, f.mnt);
      lines.push_back(buf);
    }
  } else if (a0 == "errpt") {
    lines = {"IDENTIFIER TIMESTAMP  T C RESOURCE_NAME  DESCRIPTION",
             "A6DF45AA   1124151725 I O RMCdaemon      The daemon is started.",
             "9DBCFDEE   1124151525 T O errdemon       ERROR LOGGING TURNED ON",
             "2BFA76F6   1124140325 T S SYSPROC        SYSTEM SHUTDOWN BY USER"};
  } else if (a0 == "hostname") {
    lines.push_back("lpar01");
  } else if (a0 == "uname") {
    lines.push_back(v72 ? "AIX lpar01 2 7 00F6DB0A4C00" : "AIX lpar01 1 7 00F6DB0A4C00");
  } else if (a0 == "true") {
  } else if (a0 == "false") {
    last_status_ = 1;
  } else {
    lines.push_back("ksh: " + a0 + ":  not found.");
    last_status_ = 127;
  }
  return lines;
}

// ---------------------------------------------------------------------------------- options

std::string parse_disks(const std::string& spec, std::vector<DiskSpec>& out) {
  out.clear();
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    std::vector<std::string> f;
    std::stringstream is(item);
    for (std::string p; std::getline(is, p, ':');) f.push_back(p);
    if (f.size() < 2 || f[0].empty() || f[1].empty()) return "bad disk '" + item + "' (want NAME:VG[:SIZE_MB[:LOCATION[:PVID]]])";
    DiskSpec d;
    d.name = f[0];
    d.vg = f[1];
    if (f.size() > 2 && !f[2].empty()) {
      if (!all_digits(f[2])) return "bad size in '" + item + "'";
      d.size_mb = std::stoi(f[2]);
    }
    if (f.size() > 3) d.location = f[3];
    if (f.size() > 4) d.pvid = f[4];
    if (f.size() > 5) return "too many fields in '" + item + "'";
    for (auto& o : out)
      if (o.name == d.name) return "disk " + d.name + " given twice";
    out.push_back(d);
  }
  if (out.empty()) return "no disks";
  return "";
}

}  // namespace lparsim
