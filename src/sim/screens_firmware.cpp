// lpar-sim: the firmware before any menu: the POST banner and its keys (1 SMS, 5/6 boot list,
// 8 Open Firmware), the Open Firmware prompt, and booting a device (PLEASE WAIT, STARTING
// SOFTWARE, then the install media's or AIX's boot messages). PLEASE WAIT and STARTING
// SOFTWARE follow screens 25 and 33 of ../shared/screens.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "console_sim.hpp"
#include "console_sim_impl.hpp"

namespace lparsim {

using text::upper_hex_digit;

void ConsoleSim::power_on(bool sms_mode) {
  stage_ = Stage::Post;
  post_key_ = sms_mode ? '1' : 0;
  sms_stack_.clear();
  if (on_state) on_state("Open Firmware");
  if (on_rmc) on_rmc("inactive", "");  // the OS is gone: the HMC keeps its last os_version
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

// The Open Firmware prompt (POST key 8): `boot` boots the stored boot list, `reset-all` powers
// on again; anything else is answered with "ok" as the prompt does for words it runs.
void ConsoleSim::of_answer(const std::string& l) {
  if (l == "boot") {
    out("\n");
    boot_default_list();
  } else if (l == "reset-all") {
    power_on(false);
  } else {
    out(l.empty() ? " ok\n0 > " : "  ok\n0 > ");
  }
}

}  // namespace lparsim
