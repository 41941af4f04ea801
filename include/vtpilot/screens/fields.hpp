#pragma once
// What a screen means, as data: the output of the shared parsers (src/lib/screens/fields.cpp).
// Filled the same way for every screen; a field that a screen does not have stays empty.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vtpilot {

struct Screen;

// A numbered item: "5.   Select Boot Options", ">>> 1 Type 1 and press Enter ...",
// "  2 Change/Show Installation Settings and Install".
struct Choice {
  std::string key;      // what to type: "5", "0", "88"
  std::string label;    // the text after the number, whitespace collapsed
  bool is_default = false;  // marked ">>>" or named by "Choice [N]"
};

// An SMS device list entry ("Select Device"): number, position, name, loc=.
struct Device {
  std::string key;
  std::string name;       // "SCSI CD-ROM", "PORT - 6 IBM Host Ethernet Adapter"
  std::string location;   // the loc= value, "" when none shown
  std::string position;   // "Current Position" column ("-", "1", ...)
};

enum class DiskShape { none, vgstatus, levels };

// A row of the BOS disk screen, either shape.
struct Disk {
  std::string key;        // number to type
  std::string name;       // hdiskN ("" on the levels shape when not shown)
  std::string location;   // location code
  long size_mb = -1;
  std::string vg;         // VG Status: rootvg, altinst_rootvg, none, ... ("rootvg" on levels shape)
  std::string bootable;   // Yes / No
  std::string level;      // levels shape: the AIX level of that root VG ("7.1")
  std::string pvid;       // when shown (77 Display More Disk Information)
  bool selected = false;  // ">>>" before the row
};

// Installation and Settings (and the summary / confirmation screens).
struct Settings {
  std::string method;              // "New and Complete Overwrite", "Migration", "Preservation", ...
  std::vector<std::string> disks;  // "hdisk0", ...
};

struct Progress {
  int percent = -1;       // Approximate % tasks complete
  int elapsed_min = -1;   // Elapsed time (in minutes)
};

struct Fields {
  std::string title;
  std::vector<Choice> choices;
  std::vector<Device> devices;
  DiskShape disk_shape = DiskShape::none;
  std::vector<Disk> disks;
  std::optional<Settings> settings;
  std::optional<Progress> progress;
  std::string prompt;                         // the prompt line, without typed text
  std::string typed;                          // text typed after the prompt (not a choice)
  std::optional<std::string> prompt_default;  // N from "Choice [N]"
  bool prompt_sentence = false;               // the prompt is a sentence ("Press the Enter key to continue.")
  std::map<std::string, std::string> captures;  // named groups from the matching signature
};

// The shared parsers: pure, screen in, fields out.
Fields parse_fields(const Screen& screen);

// The default choice's key: "Choice [N]" wins, else the item marked ">>>", else "".
std::string default_key(const Fields& fields);

// Runs of blanks and tabs as one space, none at the start or the end: how a prompt line is
// compared ("Choice [0]:" with any spacing).
std::string collapse_blanks(std::string_view s);

// Whether the cursor is on the prompt line (fields.prompt), so that text typed after it is
// part of what Enter submits.
bool prompt_at_cursor(const Screen& screen, const Fields& fields);

}  // namespace vtpilot
