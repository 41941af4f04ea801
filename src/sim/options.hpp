// lpar-sim: options shared by the console state machine, its I/O loop and the HMC commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lparsim {

// Exit codes of `lpar-sim console` (documented in --help and src/sim/README.md).
inline constexpr int kExitClean = 0;       // migrated, reached Console login:
inline constexpr int kExitUsage = 3;       // bad command line
inline constexpr int kExitEofEarly = 4;    // input hit EOF / hangup before Console login:
inline constexpr int kExitNotMigrated = 5; // reached Console login: of a system that was not migrated
inline constexpr int kExitDestroyed = 9;   // the oracle saw a destructive install start
inline constexpr const char* kOslevel71 = "7100-05-06-2016";  // oslevel -s of the system before the migration

struct DiskSpec {
  std::string name;      // hdisk0
  std::string vg;        // rootvg, altinst_rootvg, None, datavg ...
  int size_mb = 30720;
  std::string location;  // physical location code (generated when empty)
  std::string pvid;      // 16 hex digits (generated when empty)
};

struct SimOptions {
  std::string firmware = "power7";          // power7 | power8 | power9
  std::vector<DiskSpec> disks;              // parsed from --disks
  std::string disk_screen = "vgstatus";     // vgstatus | levels
  std::string bos_location = "physical";     // BOS Location Code column: physical | none
  std::string clone_label = "altinst_rootvg";  // how BOS labels the clone: altinst_rootvg | rootvg
  std::string media_label = "SCSI CD-ROM";
  int cdrom_item = 2;                       // place of the media in "List all Devices"
  int install_lines = 2000;
  double time_scale = 1.0;                  // 0 = no waiting at all
  int media_volumes = 1;                    // 1 | 2
  std::string media_prompt = "colon";       // how the volume request ends: colon | sentence | sentence-newline
  std::string volume2_iso = "aix72_vol2.iso";
  bool first_boot_term = false;
  bool no_rmc = false;  // RMC never reaches the HMC (no network, RSCT down): rmc_state stays inactive
  double drop_keys_under_ms = 0;
  // A slow console (issue 20). Wall seconds, not scaled by time_scale: they are what a test of
  // a slow console is about, while --fast compresses everything else.
  double link_latency = 0;                  // every byte, both ways, arrives this late (HMC relay)
  double think = 0;                         // SMS/BOS menus: after an Enter, nothing drawn for this long
  double jitter = 0;                        // each of those delays times 1 +- this fraction (from --seed)
  std::uint64_t seed = 1;
  std::string boot = "norm";                // norm (POST waits for 1 = SMS Menu) | sms
  std::optional<double> post_wait;          // wall seconds; unset = default (see --help)
  std::string default_method = "overwrite"; // overwrite | preservation | migration
  bool summary_screen = false;              // show "... Installation Summary" before installing
  std::string root_password;                // empty = any password
  // Where the console starts: power-on (POST of the 7.1 system to migrate), power-on-migrated
  // (POST after a migration: the rootvg disk holds 7.2 and the boot list points at it),
  // login71 (the running 7.1 system at Console login:), login72 (the migrated system at
  // Console login:, or at its TERM prompt with --first-boot-term).
  std::string start = "power-on";
  std::string oslevel = "7200-05-11-2546";  // oslevel -s of the migrated system
  std::vector<std::string> broken_filesets;
  bool exit_at_login = false;
  std::string log_file;
  std::string listen;                       // unix socket path: daemon mode (HMC)
  double attach_wait = 10;                  // daemon: wall seconds POST waits for a first vterm
  std::string state_dir;                    // HMC state directory (media, LPAR state)
};

// Parse "hdisk0:rootvg,hdisk1:altinst_rootvg[:SIZE[:LOC[:PVID]]]". Empty string on success, else why.
std::string parse_disks(const std::string& spec, std::vector<DiskSpec>& out);

}  // namespace lparsim
