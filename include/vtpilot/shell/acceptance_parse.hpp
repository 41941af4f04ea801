#pragma once
// Parsers of the AIX commands the runbook's pre-flight and acceptance checks run: one
// command's output in, data out. Pure (text in, no console); the judges that conclude from
// this data are in acceptance.hpp.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vtpilot {

// ---- parsers: one command's output in, data out (lines that fit no known shape are kept) ----

// oslevel -s: "7200-05-11-2546" (VRMF-TL-SP-build). Other lines (warnings) kept aside.
struct OsLevel {
  std::string level;                  // "" when no line has the shape
  std::vector<std::string> other_lines;
};
OsLevel parse_oslevel(std::string_view out);

// lppchk -v: silent when consistent; else a header and one line per fileset to fix.
struct LppchkProblem {
  std::string fileset, level, state;  // "bos.rte.libc", "7.2.5.0", "usr: COMMITTED, root: not installed"
};
struct Lppchk {
  bool clean = true;                   // no output at all
  std::vector<LppchkProblem> problems;
  std::vector<std::string> other_lines;  // anything else it printed (messages, headers)
};
Lppchk parse_lppchk(std::string_view out);

// instfix -i | grep ML: "    All filesets for 7200-05_AIX_ML were found." / "Not all filesets ...".
struct MlLine {
  std::string ml;        // "7200-05_AIX_ML", "7.2.0.0_AIX_ML"
  bool all_found = false;
};
std::vector<MlLine> parse_instfix_ml(std::string_view out);

// bootlist -m normal -o: "hdisk0 blv=hd5 pathid=0" (one line per path), "cd0", "ent0".
struct BootEntry {
  std::string device;
  std::string attrs;  // "blv=hd5 pathid=0"
};
std::vector<BootEntry> parse_bootlist(std::string_view out);

// lspv: NAME PVID VG [STATE]; PVID "none", VG "None" when not in a volume group; state
// active / concurrent / (blank).
struct PhysicalVolume {
  std::string name, pvid, vg, state;
};
std::vector<PhysicalVolume> parse_lspv(std::string_view out);

// errpt: IDENTIFIER TIMESTAMP T C RESOURCE_NAME DESCRIPTION.
struct ErrptEntry {
  std::string id, timestamp, type, klass, resource, description;
};
std::vector<ErrptEntry> parse_errpt(std::string_view out);

// lscfg -vl hdiskN (or 'hdisk*'): "  hdisk0  U8286.42A.21271DA-V3-C2-T1-L8100000000000000  Virtual SCSI Disk Drive",
// then VPD lines ("Serial Number...............") for physical and FC disks.
struct DeviceLocation {
  std::string name, location, description;
  std::string serial;  // from "Serial Number....", when shown
};
std::vector<DeviceLocation> parse_lscfg(std::string_view out);

// df -m / -g / -k / plain (512-blocks): sizes converted to MB from the header's unit.
struct FileSystem {
  std::string device, mount;
  double size_mb = -1, free_mb = -1;  // -1 when df shows "-"
};
std::vector<FileSystem> parse_df(std::string_view out);

// lsvg VG: the fields pre-flight needs.
struct VolumeGroup {
  std::string name, state;
  long pp_size_mb = -1, total_pps = -1, free_pps = -1, free_mb = -1, stale_pvs = -1, stale_pps = -1;
};
std::optional<VolumeGroup> parse_lsvg(std::string_view out);

// lsvg -l VG: one row per logical volume.
struct LogicalVolume {
  std::string name, type, state, mount;  // state "open/syncd", "closed/syncd", "open/stale"
};
std::vector<LogicalVolume> parse_lsvg_l(std::string_view out);

}  // namespace vtpilot
