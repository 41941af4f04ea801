// lpar-sim: the BOS installer's menus of AIX 7.x (console, language, Welcome, Installation and
// Settings, Change Method, the disk screens, More Options, Summary, Migration Confirmation):
// drawing each and what an answer typed there does. Wording that no capture shows is marked
// "invented" where it is written.
#include <algorithm>
#include <sstream>

#include "console_sim.hpp"
#include "console_sim_impl.hpp"

namespace lparsim {

using text::all_digits;
using text::pad;
using text::rpad_num;

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

void ConsoleSim::bos_console_answer(const std::string& l) {
  if (l == "1") {
    bos_language();
  } else {
    bos_console();
  }
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

void ConsoleSim::bos_language_answer(const std::string& l) {
  if (l.empty() || l == "1" || l == "2" || l == "3") bos_welcome();
  else if (l == "88") bos_help(Stage::BosLanguage);
  else { beep(); bos_language(); }
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

void ConsoleSim::bos_welcome_answer(const std::string& l) {
  if (l.empty() || l == "1") {
    bos_start_install();  // Start Install Now with Default Settings
  } else if (l == "2") {
    bos_settings();
  } else if (l == "88") {
    bos_help(Stage::BosWelcome);
  } else if (l == "3" || l == "4" || l == "5") {
    bos_info(l == "3" ? "Maintenance" : l == "4" ? "Make Additional Disks Available" : "Select Storage Adapters",
             {"This choice is not modelled by lpar-sim.", "", "Press Enter to return."}, Stage::BosWelcome);
  } else if (l == "99") {
    bos_language();
  } else {
    beep();
    bos_welcome();
  }
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

void ConsoleSim::bos_settings_answer(const std::string& l) {
  if (l.empty() || l == "0") bos_install_path();
  else if (l == "1") bos_method();
  else if (l == "4") bos_more_options();
  else if (l == "99") bos_welcome();
  else if (l == "88") bos_help(Stage::BosSettings);
  else if (l == "2" || l == "3" || l == "5")
    bos_info(l == "2" ? "Primary Language Environment Settings" : l == "3" ? "Security Models" : "Select Edition",
             {"This choice is not modelled by lpar-sim; the setting is kept.", "", "Press Enter to return."},
             Stage::BosSettings);
  else { beep(); bos_settings(); }
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

void ConsoleSim::bos_method_answer(const std::string& l) {
  if (l == "1" || l == "2" || l == "3" || l.empty()) {
    if (l == "1") method_ = Method::Overwrite;
    if (l == "2") method_ = Method::Preservation;
    if (l == "3") method_ = Method::Migration;
    // BOS asks for the target again after a method change (runbook: "select hdisk0").
    std::fill(selected_.begin(), selected_.end(), false);
    bos_disks();
  } else if (l == "99") {
    bos_settings();
  } else if (l == "88") {
    bos_help(Stage::BosMethod);
  } else {
    beep();
    bos_method();
  }
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

void ConsoleSim::bos_disks_answer(const std::string& l) {
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
      bos_help(Stage::BosDisks);
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
  } else if (l == "88") {
    bos_help(Stage::BosDisks);
  } else if (l == "66") {
    bos_info("Devices not known to Base Operating System Installation", {"No other devices were found.", "",
             "Press Enter to return."}, Stage::BosDisks);
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

void ConsoleSim::bos_more_options_answer(const std::string& l) {
  if (l.empty() || l == "0") bos_install_path();
  else if (l == "99") bos_settings();
  else if (l == "88") bos_help(Stage::BosMoreOptions);
  else if (l.size() == 1 && l[0] >= '1' && l[0] <= '5') {
    more_opts_[l[0] - '1'] = !more_opts_[l[0] - '1'];
    bos_more_options();
  } else { beep(); bos_more_options(); }
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

void ConsoleSim::bos_summary_answer(const std::string& l) {
  if (l.empty() || l == "1") {
    if (method_ == Method::Migration) bos_mig_confirm();
    else bos_start_install();
  } else if (l == "99") {
    bos_settings();
  } else if (l == "88") {
    bos_help(Stage::BosSummary);
  } else { beep(); bos_summary(); }
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

void ConsoleSim::bos_mig_confirm_answer(const std::string& l) {
  if (l.empty() || l == "0") bos_start_install();
  else if (l == "1") bos_info("Saved Base System Configuration Files", {"/etc/inittab", "/etc/inetd.conf", "/etc/services", "/etc/rc.tcpip", "/etc/security/limits", "", "Press Enter to return."}, Stage::BosMigConfirm);
  else if (l == "2") bos_info("Filesets Removed", {"bos.rte.ifor_ls 7.1.5.0", "bos.msg.en_US.txt.tfs 7.1.5.0", "", "Press Enter to return."}, Stage::BosMigConfirm);
  else if (l == "3") bos_info("Directories Emptied", {"/usr/lib/drivers/isa", "/usr/lpp/bos.rte.ifor_ls", "", "Press Enter to return."}, Stage::BosMigConfirm);
  else if (l == "88") bos_help(Stage::BosMigConfirm);
  else if (l == "4") {
    out("\nRebooting . . .\n");
    stage_ = Stage::Busy;
    after(1.0, [this] { power_on(false); });
  } else { beep(); bos_mig_confirm(); }
}

void ConsoleSim::bos_info(const std::string& title, const std::vector<std::string>& lines, Stage back) {
  stage_ = Stage::BosInfo;
  info_back_ = back;
  clear();
  screen("bos.info");
  out("\n                    " + title + "\n\n");
  for (auto& l : lines) out("  " + l + "\n");
}

void ConsoleSim::bos_info_answer() {
  switch (info_back_) {
    case Stage::BosLanguage: bos_language(); break;
    case Stage::BosWelcome: bos_welcome(); break;
    case Stage::BosMethod: bos_method(); break;
    case Stage::BosDisks: bos_disks(); break;
    case Stage::BosMoreOptions: bos_more_options(); break;
    case Stage::BosSummary: bos_summary(); break;
    case Stage::BosMigConfirm: bos_mig_confirm(); break;
    default: bos_settings(); break;
  }
}

// IBM's bosinst source (AIX 4.1.3 BosMenus: Help.c DisplayHelp, HelpDrvr; MenuHand.c
// DisplayMenu): every menu driver answers 88 (BIM_HELP) with DisplayHelp and then returns the
// same menu, which DisplayMenu draws again. The help screen is a 24-line menu: its text, line
// 21 "    99  Previous Menu" as the default line (">>>" + the text from its 4th character), the
// last line ">>> Choice " + "[99]: "; HelpDrvr returns on any input ("Any user input exits the
// screen"). Texts: BosMenus.msg set BH, FIG_03 (language), FIG_04 (Installation and
// Maintenance), FIG_11 (Destination Disk), verbatim; the other menus' help (invented) is one line.
void ConsoleSim::bos_help(Stage back) {
  stage_ = Stage::BosInfo;
  info_back_ = back;
  clear();
  screen("bos.help");
  std::vector<std::string> text;
  if (back == Stage::BosLanguage) {
    text = {"                  Help for Select Language for Install", "",
            "Select the language in which you want the installation instructions, options,",
            "help screens, and messages displayed during the installation process."};
  } else if (back == Stage::BosWelcome) {
    text = {"                  Help for Installation and Maintenance", "",
            "Type 1 and press Enter to begin installation immediately using the defaults",
            "selected by the system.", "",
            "Type 2 and press Enter to go to the Installation and Settings menu.",
            "Use this option to view or change the default settings.  You can begin the",
            "installation from this menu.", "",
            "Type 3 and press Enter to select from a list of maintenance options.", "",
            "Maintenance options are primarily intended for recovery procedures."};
  } else if (back == Stage::BosDisks) {
    text = {"                     Help for Destination Disk", "",
            "You can change the installation destination disk to another disk containing an",
            "existing root volume group. The level refers to the version of the Base ",
            "Operating System installed for the root volume group.  The disks in Root VG",
            "indicate which disks are used by the root volume group. The location code ",
            "indicates the slot where the SCSI board for the disk is connected. The size",
            "indicates the number of Megabytes of space for the disk."};
  } else {
    text = {"                  Help", "", "Type the number of your choice and press Enter. (invented)"};
  }
  text.resize(21);
  text.push_back(">>> 99  Previous Menu");
  text.push_back("");
  std::string all;
  for (auto& l : text) all += l + "\n";
  out(all + ">>> Choice [99]: ");
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

}  // namespace lparsim
