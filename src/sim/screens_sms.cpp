// lpar-sim: System Management Services (SMS), the firmware's menus: drawing each menu
// as the real captures in ../shared/screens show it (SMS 1.7 on AL730 / SV810 firmware), and
// what a typed number or navigation key (M, X, ESC) does there.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "console_sim.hpp"
#include "console_sim_impl.hpp"

namespace lparsim {
namespace {

constexpr const char* kRule = "-------------------------------------------------------------------------------";

}  // namespace

using text::all_digits;
using text::rpad_num;

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

// Draws the menu on top of the stack (the firmware redraws it on any answer it cannot use).
void ConsoleSim::sms_draw(bool) {
  if (sms_stack_.empty()) sms_stack_.push_back(SmsView{SmsKind::Main, "", -1, 0, ""});
  const SmsView& v = sms_stack_.back();
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
    case SmsKind::DeviceType: sms_draw_device_type(); return;
    case SmsKind::MediaType:
      sms_frame("sms.media_type",
                {" Select Media Type", " 1.   SCSI", " 2.   SAN", " 3.   SAS", " 4.   SATA", " 5.   USB",
                 " 6.   List All Devices"},
                false);
      return;
    case SmsKind::MediaAdapter: sms_draw_media_adapter(v); return;
    case SmsKind::DeviceList:
    case SmsKind::BootOrderList: sms_draw_device_list(v); return;
    case SmsKind::SelectTask:
    case SmsKind::BootOrderTask: sms_draw_task(v); return;
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
    case SmsKind::BootOrderType: sms_draw_boot_order_type(); return;
    case SmsKind::BootSequence: sms_draw_boot_sequence(); return;
  }
}

void ConsoleSim::sms_draw_device_type() {
  bool p7 = opt_.firmware == "power7";
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
}

void ConsoleSim::sms_draw_media_adapter(const SmsView& v) {
  bool p7 = opt_.firmware == "power7";
  std::vector<std::string> body = {" Select Media Adapter"};
  if (v.filter == "has")
    body.push_back(" 1.          " + machine_ + (p7 ? "-V6" : opt_.firmware == "power9" ? "-V7" : "-V21") + "-C2-T1   " + vscsi_);
  body.push_back(std::string(" ") + (v.filter == "has" ? "2" : "1") + ".   List all devices");
  sms_frame("sms.media_adapter", body, false);
}

// Select Device (and Configure Boot Device Order's list, which ends with None): two lines a device.
void ConsoleSim::sms_draw_device_list(const SmsView& v) {
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
}

void ConsoleSim::sms_draw_task(const SmsView& v) {
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
}

void ConsoleSim::sms_draw_boot_order_type() {
  bool p7 = opt_.firmware == "power7";
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
}

void ConsoleSim::sms_draw_boot_sequence() {
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
}

// An answer typed on an SMS menu: X (exit), M (main menu), or the number of an item, which
// the menu on top of the stack takes.
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
  switch (v.kind) {
    case SmsKind::Main: sms_pick_main(n); return;
    case SmsKind::BootOptions:
      if (n == 1) sms_push(SmsView{SmsKind::DeviceType, "", -1, 0, ""});
      else if (n == 2) sms_push(SmsView{SmsKind::BootOrder, "", -1, 0, ""});
      else if (n == 3) { multiboot_on_ = !multiboot_on_; sms_draw(); }
      else if (n == 4) sms_push(SmsView{SmsKind::Stub, "", -1, 0, "SAN Zoning Support"});
      else sms_draw();
      return;
    case SmsKind::DeviceType: sms_pick_device_type(n); return;
    case SmsKind::MediaType: sms_pick_media_type(n); return;
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
    case SmsKind::ExitConfirm: sms_pick_exit_confirm(n, v); return;
    case SmsKind::BootOrder: sms_pick_boot_order(n); return;
    case SmsKind::BootOrderType: sms_pick_boot_order_type(n, v); return;
    case SmsKind::BootOrderList: {
      auto list = sms_filtered(v.filter);
      if (n >= 1 && n <= static_cast<int>(list.size()))
        sms_push(SmsView{SmsKind::BootOrderTask, "", list[static_cast<std::size_t>(n - 1)], v.slot, ""});
      else if (n == static_cast<int>(list.size()) + 1) sms_escape();
      else sms_draw();
      return;
    }
    case SmsKind::BootOrderTask: sms_pick_boot_order_task(n, v); return;
    default:
      sms_draw();
      return;
  }
}

void ConsoleSim::sms_pick_main(int n) {
  if (n == 5) sms_push(SmsView{SmsKind::BootOptions, "", -1, 0, ""});
  else if (n >= 1 && n <= 4) {
    const char* titles[] = {"Select Language", "Setup Remote IPL (Initial Program Load)",
                            opt_.firmware == "power9" ? "I/O Device Information" : "Change SCSI Settings",
                            "Select Console"};
    sms_push(SmsView{SmsKind::Stub, "", -1, 0, titles[n - 1]});
  } else sms_draw();
}

void ConsoleSim::sms_pick_device_type(int n) {
  bool p7 = opt_.firmware == "power7";
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
}

// Select Media Type (POWER8 and later): the bus the install media is on (from its label) has an
// adapter to choose; the other buses show only List all devices.
void ConsoleSim::sms_pick_media_type(int n) {
  std::string bus = "SCSI";
  if (opt_.media_label.find("USB") != std::string::npos) bus = "USB";
  else if (opt_.media_label.find("SATA") != std::string::npos) bus = "SATA";
  else if (opt_.media_label.find("SAS") != std::string::npos) bus = "SAS";
  const char* buses[] = {"", "SCSI", "SAN", "SAS", "SATA", "USB"};
  if (n >= 1 && n <= 5) sms_push(SmsView{SmsKind::MediaAdapter, buses[n] == bus ? "has" : "none", -1, 0, ""});
  else if (n == 6) sms_please_wait_then(SmsView{SmsKind::DeviceList, "all", -1, 0, ""}, true);
  else sms_draw();
}

// Exit System Management Services? 1 boots the device chosen (or the boot list), 2 goes back.
void ConsoleSim::sms_pick_exit_confirm(int n, const SmsView& v) {
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
}

void ConsoleSim::sms_pick_boot_order(int n) {
  if (n >= 1 && n <= 5) sms_push(SmsView{SmsKind::BootOrderType, "", -1, n, ""});
  else if (n == 6) sms_push(SmsView{SmsKind::BootSequence, "", -1, 0, ""});
  else if (n == 7) {
    bootlist_.clear();
    for (std::size_t i = 0; i < devices_.size(); ++i)
      if (devices_[i].kind == DevKind::Disk && devices_[i].disk == orig_rootvg_) bootlist_.push_back(static_cast<int>(i));
    log(nlohmann::json{{"t", t()}, {"ev", "bootlist"}, {"action", "restore_default"}}.dump());
    sms_draw();
  } else sms_draw();
}

void ConsoleSim::sms_pick_boot_order_type(int n, const SmsView& v) {
  bool p7 = opt_.firmware == "power7";
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
}

void ConsoleSim::sms_pick_boot_order_task(int n, const SmsView& v) {
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
}

}  // namespace lparsim
