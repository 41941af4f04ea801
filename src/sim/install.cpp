// lpar-sim: the install itself, after the last BOS menu: the oracle that decides whether the
// chosen method and disks destroy anything, the progress screen and installp output, the media
// swap of a two-volume install, and the reboot into the migrated system.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "console_sim.hpp"

namespace lparsim {
namespace {

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

}  // namespace

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

void ConsoleSim::media_swap_answer() {
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

}  // namespace lparsim
