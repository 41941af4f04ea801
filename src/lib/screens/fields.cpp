// The shared parsers: one screen in, its meaning (Fields) out. Pure, no I/O.
// Written against the real shapes: SMS 1.7 menus (AL7xx, SV8xx, FW9xx firmware; see
// ../shared/screens), the AIX BOS install menus (bosinst "Welcome to Base Operating System ...",
// "Installation and Settings", "Change Method of Installation", "Change Disk(s) Where You Want
// to Install" in both shapes, summaries and "Migration Confirmation") and the BOS progress block
// ("Approximate % tasks complete / Elapsed time (in minutes)").
#include <algorithm>
#include <cctype>

#include "vtpilot/screens/fields.hpp"
#include "vtpilot/base/regex.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot {

std::string collapse_blanks(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// A prompt that is a sentence: the installer's requests to act and press Enter. The media
// request of a multi-volume install ("Insert volume 2 ... and press the ENTER key.", "Please
// mount volume 2 ... / Press the Enter key to continue."), BOS's "End of list.  Press Enter"
// (bosinst BosMenus.msg set 10 msg 64) and "Press the ENTER key to restart (reboot) the
// system." (set 11 msg 27/35), in any case, ending the line with '.', ':', '!' or nothing.
// An instruction line of a menu ("Type the number of your choice and press Enter.", "Either
// type 0 and press Enter ...") is never one: its menu's own `Choice` prompt follows.
namespace {
const Regex& sentence_prompt_re() {
  static const Regex re(
      R"(^(.*?\bpress\s+(?:the\s+)?(?:<\s*enter\s*>|enter\b)(?:\s+key)?(?:\s+to\s+(?:continue|restart\b[^.:!]*))?\s*[.:!]?)(?:(?<=[.:!])\s*(.*?))?\s*$)",
      true, true);
  return re;
}
// A menu's instruction tells what to type ("Type the number ...", "Either type 0 ...", "To
// cancel a choice, type the corresponding number and press Enter."); its sentence may wrap, so
// the whole paragraph (the rows with text above the sentence's last row) is read.
bool is_instruction(const std::vector<std::string>& lines, std::size_t last) {
  static const Regex re(R"(\btype\s+(?:the|one|a|an|\d+)\b)", true, true);
  for (std::size_t i = last + 1; i-- > 0;) {
    if (collapse_blanks(lines[i]).empty()) break;
    if (re.search(lines[i])) return true;
  }
  return false;
}
}  // namespace

bool prompt_at_cursor(const Screen& s, const Fields& f) {
  if (f.prompt.empty() || s.cursor_row < 0 || s.cursor_row >= static_cast<int>(s.lines.size())) return false;
  auto row = static_cast<std::size_t>(s.cursor_row);
  if (collapse_blanks(s.lines[row]).find(f.prompt) != std::string::npos) return true;
  // A sentence prompt printed with its newline leaves the cursor at the start of a blank row
  // below it: still waiting for that Enter, as long as nothing but blank rows came after.
  if (!f.prompt_sentence || !collapse_blanks(s.lines[row]).empty()) return false;
  while (row-- > 0) {
    const std::string l = collapse_blanks(s.lines[row]);
    if (!l.empty()) return l.find(f.prompt) != std::string::npos;
  }
  return false;
}

namespace {

// Dot leaders ("Security Model..........Default") read as "Security Model ... Default".
std::string tidy_label(std::string_view s) {
  static const Regex dots(R"(\s*\.{3,}\s*)");
  std::string in = collapse_blanks(s), out;
  std::size_t pos = 0;
  while (auto m = dots.find(in, pos)) {
    out.append(in, pos, m->spans[0].first - pos);
    out += " ... ";
    pos = m->end();
  }
  out.append(in, pos);
  return out;
}

// Whitespace only: location codes carry commas ("00-08-00-2,0").
std::vector<std::string> split_ws(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A horizontal rule or box border: "-----", "=====", "+----+", ".----." and "`----'" (the
// firmware's PLEASE WAIT box).
bool is_rule(std::string_view line) {
  std::size_t n = 0;
  for (char c : line) {
    if (c == ' ' || c == '.' || c == '\'' || c == '`') continue;
    if (c != '-' && c != '=' && c != '+' && c != '_' && c != '*') return false;
    ++n;
  }
  return n >= 10;
}

bool is_firmware_header(std::string_view line) {
  static const Regex hdr(R"(^\s*(PowerPC Firmware|Version [A-Z]{2}\d|SMS \d+\.\d+ \(c\)|(IBM\s+){3,}))");
  return hdr.search(line);
}

struct Item {
  std::size_t line;
  bool marked;  // ">>>"
  std::string key, label;
};

// "88  Help ?         |  WARNING: ..." -> "Help ?"; "88  Help ?   99  Previous Menu" -> two items.
void cut_label(std::string& label, std::vector<std::pair<std::string, std::string>>& more) {
  static const Regex bar(R"(\s{2,}\|)");
  static const Regex second(R"(\s{3,}(\d{1,2})\s+([A-Za-z].*)$)");
  if (auto m = bar.find(label)) label.resize(m->spans[0].first);
  if (auto m = second.find(label)) {
    more.emplace_back(std::string(m->group(1)), std::string(m->group(2)));
    label.resize(m->spans[0].first);
  }
}

// A physical volume identifier as BOS and lspv print it: 16 hex digits ("00f6db0a2c1d4e5f").
bool is_pvid(const std::string& t) {
  return t.size() == 16 && std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// The item shapes: SMS " 5.   Select Boot Options"; BOS ">>> 1 Start Install Now ...", "   88  Help ?";
// the POST banner "1 = SMS Menu     5 = Default Boot List ...".
const Regex& sms_item_re() {
  static const Regex re(R"(^\s*(>>>)?\s*(\d{1,3})\.\s+(\S.*?)\s*$)");
  return re;
}
const Regex& bos_item_re() {
  static const Regex re(R"(^(\s*>>>\s*|\s+)(\d{1,2})\s+([^=\s].*?)\s*$)");
  return re;
}
const Regex& post_item_re() {
  static const Regex re(R"((?:^|\s)(\d)\s*=\s*([A-Za-z][^=]*?)(?=\s{2,}\d\s*=|\s*$))");
  return re;
}
const Regex& loc_re() {
  static const Regex re(R"(\(\s*loc=([^\s)]+)\s*\))");
  return re;
}

// Title: the first line that is not blank, a rule or the firmware banner.
void parse_title(const std::vector<std::string>& lines, Fields& f) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (collapse_blanks(l).empty() || is_rule(l) || is_firmware_header(l)) continue;
    if (bos_item_re().search(l) || sms_item_re().search(l) || post_item_re().search(l)) break;
    // A boxed title ("|  PLEASE WAIT.... |") reads without its sides.
    auto unboxed = [](const std::string& s) {
      std::string t = collapse_blanks(s);
      if (t.size() >= 2 && t.front() == '|' && t.back() == '|') t = collapse_blanks(t.substr(1, t.size() - 2));
      return t;
    };
    f.title = unboxed(l);
    // BOS centres two-line titles ("Welcome to Base Operating System" / "Installation and ...").
    auto indent = [](const std::string& s) { return s.find_first_not_of(' '); };
    if (i + 1 < lines.size() && !collapse_blanks(lines[i + 1]).empty() && indent(l) >= 8 &&
        indent(lines[i + 1]) >= 8 && !bos_item_re().search(lines[i + 1]) && !is_rule(lines[i + 1]))
      f.title += " " + unboxed(lines[i + 1]);
    break;
  }
}

// Prompt and typed text: the last prompt-shaped line. A sentence prompt counts only as the
// last line with text: below it is what the console did after the Enter (the install going on).
// Returns the prompt's line (lines.size() when there is none): it is not an item.
std::size_t parse_prompt(const std::vector<std::string>& lines, Fields& f) {
  static const Regex prompt_re(
      R"(^(.*?(?:Navigation [Kk]ey|Choice\s*\[\s*(\d*)\s*\]|Choice|[Ss]election|login|Password|\[y(?:es)?/n(?:o)?\]|press Enter(?: to continue)?|Enter ID number)\s*[:?]) ?(.*?)\s*$)");
  bool text_below = false;
  for (std::size_t i = lines.size(); i-- > 0;) {
    if (!text_below && !is_instruction(lines, i)) {
      if (auto m = sentence_prompt_re().find(lines[i]); m && !prompt_re.search(lines[i])) {
        f.prompt = collapse_blanks(m->group(1));
        f.typed = collapse_blanks(m->group(2));
        f.prompt_sentence = true;
        return i;
      }
    }
    if (!collapse_blanks(lines[i]).empty()) text_below = true;
    if (auto m = prompt_re.find(lines[i])) {
      std::string p = collapse_blanks(m->group(1));
      if (p.rfind(">>> ", 0) == 0) p = p.substr(4);
      f.prompt = p;
      f.typed = collapse_blanks(m->group(3));
      if (m->spans[2].first != std::string_view::npos && !m->group(2).empty())
        f.prompt_default = std::string(m->group(2));
      return i;
    }
  }
  return lines.size();
}

// Progress: the last "% tasks complete" block and the numbers under it. Returns the line the
// numbers were read from (lines.size() when none): "17   Restoring ..." there is not an item.
std::size_t parse_progress(const std::vector<std::string>& lines, Fields& f) {
  static const Regex progress_hdr(R"(%\s*tasks\s+complete)");
  static const Regex progress_row(R"(^\s*(\d{1,3})\s+(\d+)\b)");
  for (std::size_t i = lines.size(); i-- > 0;) {
    if (!progress_hdr.search(lines[i])) continue;
    for (std::size_t j = i + 1; j < lines.size() && j <= i + 3; ++j) {
      if (auto m = progress_row.find(lines[j])) {
        Progress p;
        p.percent = std::stoi(std::string(m->group(1)));
        p.elapsed_min = std::stoi(std::string(m->group(2)).substr(0, 6));
        if (p.percent <= 100) f.progress = p;
        return j;
      }
    }
    break;
  }
  return lines.size();
}

// Numbered items, every shape, in screen order (the prompt's line and the progress numbers
// excepted), and the choices they make: ">>>" or "Choice [N]" marks the default.
std::vector<Item> parse_choices(const std::vector<std::string>& lines, std::size_t prompt_line,
                                std::size_t progress_line, Fields& f) {
  std::vector<Item> items;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == progress_line || i == prompt_line) continue;
    const std::string& l = lines[i];
    std::optional<Regex::Match> m = sms_item_re().find(l);
    bool bos = false;
    if (!m) {
      m = bos_item_re().find(l);
      bos = true;
    }
    if (m) {
      std::string label(m->group(3));
      // "17   Restoring ..." under a progress block, "42 files restored": numbers, not items.
      if (bos && (std::isdigit(static_cast<unsigned char>(label[0])) && label.find_first_of(" \t") != std::string::npos &&
                  all_digits(label.substr(0, label.find_first_of(" \t")))))
        continue;
      if (bos && !std::any_of(label.begin(), label.end(), [](unsigned char c) { return std::isalpha(c); }))
        continue;
      std::vector<std::pair<std::string, std::string>> more;
      if (bos) cut_label(label, more);
      bool marked = m->group(1).find(">>>") != std::string_view::npos;
      items.push_back({i, marked, std::string(m->group(2)), label});
      for (auto& [k, lab] : more) items.push_back({i, false, k, lab});
      continue;
    }
    // POST banner: "1 = SMS Menu     5 = Default Boot List ..."
    std::size_t pos = 0;
    while (auto pm = post_item_re().find(l, pos)) {
      items.push_back({i, false, std::string(pm->group(1)), std::string(pm->group(2))});
      pos = pm->end();
    }
  }

  for (const Item& it : items) f.choices.push_back({it.key, tidy_label(it.label), it.marked});
  if (f.prompt_default) {
    for (Choice& c : f.choices) c.is_default = (c.key == *f.prompt_default);
  }
  return items;
}

// SMS device lists: items followed by "( loc=... )".
void parse_devices(const std::vector<std::string>& lines, const std::vector<Item>& items, Fields& f) {
  for (const Item& it : items) {
    std::string loc;
    if (auto m = loc_re().find(lines[it.line])) loc = std::string(m->group(1));
    else if (it.line + 1 < lines.size()) {
      const std::string& next = lines[it.line + 1];
      if (auto m2 = loc_re().find(next); m2 && !sms_item_re().search(next)) loc = std::string(m2->group(1));
    }
    if (loc.empty()) continue;
    Device d;
    d.key = it.key;
    d.location = loc;
    std::string label = it.label;
    if (auto m = loc_re().find(label)) label.resize(m->spans[0].first);
    auto toks = split_ws(label);
    // "Current Position" column: "-" or a number, then the name.
    if (toks.size() > 1 && (toks[0] == "-" || all_digits(toks[0])) &&
        label.find("  ") != std::string::npos) {
      d.position = toks[0];
      d.name = collapse_blanks(label.substr(label.find(toks[0]) + toks[0].size()));
    } else {
      d.name = collapse_blanks(label);
    }
    // The choice reads as the device, not as its Current Position ("1  SCSI CD-ROM" is "SCSI CD-ROM").
    for (Choice& c : f.choices)
      if (c.key == d.key && !d.name.empty()) c.label = d.name;
    f.devices.push_back(std::move(d));
  }
}

// A disk row of the multi-select shape: Name | Location Code (or PVID) | Size(MB) | VG Status |
// Bootable. False for a row that names no device (the menu items under the table, "0 Continue ...").
bool vgstatus_row(const std::vector<std::string>& toks, bool pvid_column, Disk& d) {
  if (!std::isdigit(static_cast<unsigned char>(toks[0].back()))) return false;
  d.name = toks[0];
  std::size_t k = 1;
  std::string second;
  while (k < toks.size() && !all_digits(toks[k])) second += (second.empty() ? "" : " ") + toks[k++];
  if (k < toks.size()) d.size_mb = std::stol(toks[k++].substr(0, 12));
  if (k < toks.size()) d.vg = toks[k++];
  if (k < toks.size()) d.bootable = toks[k++];
  if (second == "none") second.clear();
  (pvid_column ? d.pvid : d.location) = second;
  return true;
}

// A root VG of the levels shape (BosMenus ChgRootVG, preservation and migration): Level | Disks
// In Rootvg | Location Code | Size(MB), one numbered row per root VG; the VG's further disks
// follow on unnumbered rows (joined by the caller). The location reads `none` on virtual disks;
// after 77 the column may show PVIDs instead. Tokens are told apart by their shape, not their
// column, so extra or collapsed blanks and a wrapped row read the same. False for a row without
// a level (the menu items under the table).
bool levels_row(const std::vector<std::string>& toks, Disk& d) {
  if (!std::isdigit(static_cast<unsigned char>(toks[0][0])) || toks[0].find('.') == std::string::npos) return false;
  d.level = toks[0];
  d.vg = "rootvg";
  std::string names;
  for (std::size_t k = 1; k < toks.size(); ++k) {
    const std::string& t = toks[k];
    if (is_pvid(t)) {
      if (d.pvid.empty()) d.pvid = t;
    } else if (all_digits(t)) {
      if (d.size_mb < 0) d.size_mb = std::stol(t.substr(0, 12));
    } else if (t == "none") {
      // no location code shown for this disk
    } else if (std::isalpha(static_cast<unsigned char>(t[0])) && t.find_first_of("-.,/:") == std::string::npos &&
               std::isdigit(static_cast<unsigned char>(t.back()))) {
      names += (names.empty() ? "" : " ") + t;
    } else if (d.location.empty()) {
      d.location = t;
    }
  }
  d.name = names;
  return true;
}

// The BOS disk table under its header, either shape: each numbered row below the header, with
// the lines it continues on.
void parse_disks(const Screen& screen, const std::vector<Item>& items, Fields& f) {
  static const Regex disk_hdr(R"(\bName\b.*\b(Location\s+Code|Physical\s+Volume|PVID)\b)");
  static const Regex level_hdr(R"(\bLevel\b.*\bDisks?\s+In\s+Rootvg\b)");
  const auto& lines = screen.lines;
  std::size_t table = lines.size();
  bool pvid_column = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (auto m = disk_hdr.find(lines[i])) {
      table = i;
      f.disk_shape = DiskShape::vgstatus;
      pvid_column = m->group(1).find("Location") == std::string_view::npos;
      break;
    }
    if (level_hdr.search(lines[i])) {
      table = i;
      f.disk_shape = DiskShape::levels;
      break;
    }
  }
  if (f.disk_shape == DiskShape::none) return;
  for (const Item& it : items) {
    if (it.line <= table) continue;
    // A row wider than the screen continues on the next line: joined directly when the
    // terminal wrapped it (the row fills every column), with a space when the installer put
    // the rest of the fields on an indented line of their own (long location codes).
    std::string row = it.label;
    for (std::size_t next = it.line + 1; next < lines.size(); ++next) {
      const std::string& prev = lines[next - 1];
      const std::string& l = lines[next];
      if (collapse_blanks(l).empty() || bos_item_re().search(l) || sms_item_re().search(l)) break;
      if (static_cast<int>(prev.size()) >= screen.cols) {
        row += l;
      } else if (l.find_first_not_of(' ') >= 8) {
        row += " " + collapse_blanks(l);
      } else {
        break;
      }
    }
    auto toks = split_ws(row);
    if (toks.empty()) continue;
    Disk d;
    d.key = it.key;
    d.selected = it.marked;
    const bool is_row = f.disk_shape == DiskShape::vgstatus ? vgstatus_row(toks, pvid_column, d) : levels_row(toks, d);
    if (is_row) f.disks.push_back(std::move(d));
  }
  // On the disk screen ">>>" marks a selected disk, not the default: Enter continues with the
  // selection (only "Choice [N]" can name a row as what Enter types).
  for (Choice& c : f.choices)
    if (c.is_default && !(f.prompt_default && c.key == *f.prompt_default) &&
        std::any_of(f.disks.begin(), f.disks.end(), [&](const Disk& d) { return d.key == c.key; }))
      c.is_default = false;
}

// Installation and Settings, summaries, confirmations: the method and the disks.
void parse_settings(const Screen& screen, Fields& f) {
  static const Regex method_re(
      R"(^\s*(?:Method of Installation|Installation Method|Method)\s*(?:\.{2,}|:)\s*(\S.*?)\s*$)");
  static const Regex disks_re(
      R"(^\s*(?:Disks? Where You Want to Install|Disk\(s\) Where You Want to Install|Disks?|Target Disks?)\s*(?:\.{2,}|:)\s*(\S.*?)\s*$)");
  static const Regex summary_re(
      R"(\b(New and Complete Overwrite|Overwrite|Preservation|Migration)\s+Install(?:ation)?\s+Summary\b)");
  Settings s;
  bool have_settings = false;
  for (const std::string& l : screen.lines) {
    if (auto m = method_re.find(l)) {
      s.method = collapse_blanks(m->group(1));
      have_settings = true;
    } else if (auto d = disks_re.find(l)) {
      std::string list(d->group(1));
      std::replace(list.begin(), list.end(), ',', ' ');
      for (auto& t : split_ws(list)) s.disks.push_back(t);
      have_settings = true;
    }
  }
  if (s.method.empty()) {
    // The match points into the text: keep it alive past the condition (ASan found the
    // temporary freed before group(1) was read).
    const std::string text = screen.text();
    if (auto m = summary_re.find(text)) {
      s.method = std::string(m->group(1));
      have_settings = true;
    }
  }
  if (have_settings) f.settings = std::move(s);
}

}  // namespace

// One function per field family, in this order: the prompt and the progress numbers first,
// since their lines are not items; the disk table after the choices, since it unmarks a
// selected row's ">>>" as a default.
Fields parse_fields(const Screen& screen) {
  Fields f;
  const auto& lines = screen.lines;
  parse_title(lines, f);
  const std::size_t prompt_line = parse_prompt(lines, f);
  const std::size_t progress_line = parse_progress(lines, f);
  const std::vector<Item> items = parse_choices(lines, prompt_line, progress_line, f);
  parse_devices(lines, items, f);
  parse_disks(screen, items, f);
  parse_settings(screen, f);
  return f;
}

std::string default_key(const Fields& fields) {
  if (fields.prompt_default && !fields.prompt_default->empty()) return *fields.prompt_default;
  for (const Choice& c : fields.choices)
    if (c.is_default) return c.key;
  return {};
}

}  // namespace vtpilot
