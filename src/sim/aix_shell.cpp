// lpar-sim: AIX after boot: the first boot's Set Terminal Type screen, Console login: and the
// password, the license agreements, and a small root shell answering the commands the
// runbook's pre-flight and acceptance checks use.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "console_sim.hpp"
#include "console_sim_impl.hpp"

namespace lparsim {

using text::all_digits;
using text::pad;
using text::trim;

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

void ConsoleSim::term_answer(const std::string& l) {
  if (l.empty()) { beep(); term_prompt(); return; }
  term_done_ = true;
  out("\n");
  stage_ = Stage::Busy;
  after(0.5, [this] {
    clear();  // the terminal is set up: the TERM screen goes away
    login_prompt();
  });
}

void ConsoleSim::login_prompt() {
  stage_ = Stage::LoginUser;
  echo_ = true;
  screen("aix.login");
  out("\n\nAIX Version 7\nCopyright IBM Corporation, 1982, 2025.\nConsole login: ");
  if (on_rmc && !opt_.no_rmc) on_rmc("active", os_version());  // AIX is up: RMC reports it (in minutes; compressed)
  if (!login_seen_) {
    login_seen_ = true;
    log(nlohmann::json{{"t", t()}, {"ev", "login_prompt"}, {"migrated", booted_migrated_}}.dump());
  }
  if (opt_.exit_at_login) finish(booted_migrated_ ? kExitClean : kExitNotMigrated);
}

void ConsoleSim::login_user_answer(const std::string& l) {
  if (l.empty()) { login_prompt(); return; }
  login_user_ = l;
  out("\n" + l + "'s Password: ");
  echo_ = false;
  stage_ = Stage::LoginPassword;
}

void ConsoleSim::login_password_answer(const std::string& raw_line) {
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
}

void ConsoleSim::license_answer(const std::string& l) {
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

// ---------------------------------------------------------------------------------- commands

// The commands the shell answers, one handler each, found by name in a sorted table (kCommands
// below, tmux's input.c habit). A handler gets the console (the machine it reports on) and the
// words of the command; it returns the output lines and sets the shell's $? (last_status_, 0
// when it is called) when the command fails. Output formats follow AIX 7.1/7.2.
struct AixCommands {
  using Argv = std::vector<std::string>;
  using Lines = std::vector<std::string>;
  using Handler = Lines (*)(ConsoleSim&, const Argv&);

  // --- what the running system reports
  static bool v72(const ConsoleSim& s) { return s.running_os_ == "7.2"; }
  static std::string level(const ConsoleSim& s) { return v72(s) ? s.opt_.oslevel : kOslevel71; }
  // VG names as the running system sees them: booted from the clone, the clone is rootvg and
  // the migrated disk old_rootvg (RB.1 verification).
  static std::string vg_of(const ConsoleSim& s, std::size_t i) {
    std::string vg = s.disks_[i].spec.vg.empty() ? "None" : s.disks_[i].spec.vg;
    if (s.running_disk_ >= 0 && s.running_disk_ == s.clone_ && static_cast<int>(i) == s.clone_) return std::string("rootvg");
    if (s.running_disk_ >= 0 && s.running_disk_ == s.clone_ && static_cast<int>(i) == s.orig_rootvg_) return std::string("old_rootvg");
    return vg;
  }
  static std::size_t root(const ConsoleSim& s) {
    return static_cast<std::size_t>(s.running_disk_ >= 0 ? s.running_disk_ : s.orig_rootvg_);
  }

  // --- the commands, by name
  static Lines bootlist(ConsoleSim& s, const Argv&) {
    Lines lines;
    for (int dev : s.bootlist_) {
      const ConsoleSim::Device& d = s.devices_[static_cast<std::size_t>(dev)];
      if (d.kind == ConsoleSim::DevKind::Disk) lines.push_back(s.disks_[static_cast<std::size_t>(d.disk)].spec.name + " blv=hd5 pathid=0");
      else if (d.kind == ConsoleSim::DevKind::Cd) lines.push_back("cd0");
      else lines.push_back("ent0");
    }
    return lines;
  }

  static Lines df(ConsoleSim&, const Argv& argv) {
    struct Fs { const char* dev; double size, free; int used, iused, ipct; const char* mnt; };
    const Fs all[] = {{"/dev/hd4", 256.00, 148.62, 42, 10264, 26, "/"},
                      {"/dev/hd2", 6144.00, 3402.17, 45, 48822, 6, "/usr"},
                      {"/dev/hd9var", 2048.00, 1787.45, 13, 1282, 1, "/var"},
                      {"/dev/hd3", 2048.00, 2021.78, 2, 141, 1, "/tmp"},
                      {"/dev/hd1", 64.00, 63.62, 1, 9, 1, "/home"},
                      {"/dev/hd10opt", 1024.00, 720.31, 30, 9011, 6, "/opt"}};
    Lines lines;
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
    return lines;
  }

  static Lines errpt(ConsoleSim&, const Argv&) {
    return {"IDENTIFIER TIMESTAMP  T C RESOURCE_NAME  DESCRIPTION",
            "A6DF45AA   1124151725 I O RMCdaemon      The daemon is started.",
            "9DBCFDEE   1124151525 T O errdemon       ERROR LOGGING TURNED ON",
            "2BFA76F6   1124140325 T S SYSPROC        SYSTEM SHUTDOWN BY USER"};
  }

  static Lines false_(ConsoleSim& s, const Argv&) {
    s.last_status_ = 1;
    return {};
  }

  static Lines hostname(ConsoleSim&, const Argv&) { return {"lpar01"}; }

  static Lines instfix(ConsoleSim& s, const Argv&) {
    const std::string lv = level(s);
    int tl = 5;
    if (lv.size() >= 7 && std::isdigit(static_cast<unsigned char>(lv[6]))) tl = lv[6] - '0';
    std::string v = v72(s) ? "7200" : "7100";
    Lines lines;
    for (int i = 0; i <= tl; ++i) {
      bool bad = v72(s) && i == tl && !s.opt_.broken_filesets.empty();
      lines.push_back(std::string(bad ? "    Not all filesets for " : "    All filesets for ") + v + "-0" + std::to_string(i) +
                      "_AIX_ML were found.");
    }
    return lines;
  }

  static Lines lppchk(ConsoleSim& s, const Argv&) {
    Lines lines;
    if (v72(s) && !s.opt_.broken_filesets.empty()) {
      lines.push_back("lppchk:  The following filesets need to be installed or corrected to bring");
      lines.push_back("         the system to a consistent state:");
      lines.push_back("");
      for (auto& f : s.opt_.broken_filesets) lines.push_back("  " + pad(f + " 7.2.5.0", 38) + "(usr: COMMITTED, root: not installed)");
      s.last_status_ = 1;
    }
    return lines;
  }

  // lscfg -vl NAME (NAME may be a pattern such as hdisk*): one line per device, as for
  // virtual SCSI disks (no VPD lines)
  static Lines lscfg(ConsoleSim& s, const Argv& argv) {
    std::string name;
    for (std::size_t i = 1; i < argv.size(); ++i)
      if (argv[i] == "-l" || argv[i] == "-vl" || argv[i] == "-lv") name = i + 1 < argv.size() ? argv[i + 1] : "";
    Lines lines;
    bool any = false;
    for (auto& d : s.disks_) {
      bool hit = name == d.spec.name ||
                 (!name.empty() && name.back() == '*' && d.spec.name.rfind(name.substr(0, name.size() - 1), 0) == 0);
      if (!hit) continue;
      any = true;
      lines.push_back("  " + pad(d.spec.name, 17) + d.spec.location + "  Virtual SCSI Disk Drive");
      lines.push_back("");
    }
    if (!any) {
      lines.push_back("lscfg: device " + name + " not found.");
      s.last_status_ = 1;
    }
    return lines;
  }

  static Lines lspv(ConsoleSim& s, const Argv&) {
    Lines lines;
    for (std::size_t i = 0; i < s.disks_.size(); ++i) {
      std::string vg = vg_of(s, i);
      std::string state = vg == "rootvg" ? "active" : "";
      lines.push_back(pad(s.disks_[i].spec.name, 16) + pad(s.disks_[i].spec.pvid, 36) + pad(vg, 16) + state);
    }
    return lines;
  }

  // lsvg -l rootvg, lsvg rootvg; any other volume group is unknown.
  static Lines lsvg(ConsoleSim& s, const Argv& argv) {
    if (argv.size() > 2 && argv[1] == "-l") return lsvg_l();
    if (argv.size() > 1 && argv[1] == "rootvg") return lsvg_rootvg(s);
    s.last_status_ = 1;
    return {"0516-306 lsvg: Unable to find volume group " + (argv.size() > 1 ? argv.back() : std::string()) + " in the Device",
            "        Configuration Database."};
  }
  static Lines lsvg_l() {
    return {"rootvg:",
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
  }
  static Lines lsvg_rootvg(const ConsoleSim& s) {
    const std::size_t r = root(s);
    const int pp = 64;
    const int total = s.disks_[r].spec.size_mb / pp - 1;
    const int used = std::min(total, 237);
    Lines lines;
    char buf[160];
    auto row = [&](const char* k1, const std::string& v1, const char* k2, const std::string& v2) {
      std::snprintf(buf, sizeof buf, "%-20s%-25s%-16s%s", k1, v1.c_str(), k2, v2.c_str());
      lines.push_back(buf);
    };
    auto mb = [&](int pps) { return std::to_string(pps) + " (" + std::to_string(pps * pp) + " megabytes)"; };
    row("VOLUME GROUP:", "rootvg", "VG IDENTIFIER:", s.disks_[r].spec.pvid + "0000014a5b3c2d1e");
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
    return lines;
  }

  static Lines oslevel(ConsoleSim& s, const Argv& argv) {
    if (argv.size() > 1 && argv[1] == "-s") return {level(s)};
    if (argv.size() > 1 && argv[1] == "-r") return {level(s).substr(0, 7)};
    return {v72(s) ? "7.2.0.0" : "7.1.0.0"};
  }

  static Lines true_(ConsoleSim&, const Argv&) { return {}; }

  static Lines uname(ConsoleSim& s, const Argv&) {
    return {v72(s) ? "AIX lpar01 2 7 00F6DB0A4C00" : "AIX lpar01 1 7 00F6DB0A4C00"};
  }
};

namespace {

// Sorted by name (checked below); run_one finds a command by binary search.
constexpr std::pair<std::string_view, AixCommands::Handler> kCommands[] = {
    {"bootlist", &AixCommands::bootlist},
    {"df", &AixCommands::df},
    {"errpt", &AixCommands::errpt},
    {"false", &AixCommands::false_},
    {"hostname", &AixCommands::hostname},
    {"instfix", &AixCommands::instfix},
    {"lppchk", &AixCommands::lppchk},
    {"lscfg", &AixCommands::lscfg},
    {"lspv", &AixCommands::lspv},
    {"lsvg", &AixCommands::lsvg},
    {"oslevel", &AixCommands::oslevel},
    {"true", &AixCommands::true_},
    {"uname", &AixCommands::uname},
};
constexpr auto kByName = [](const auto& a, const auto& b) { return a.first < b.first; };
static_assert(std::is_sorted(std::begin(kCommands), std::end(kCommands), kByName), "kCommands must stay sorted by name");

}  // namespace

std::vector<std::string> ConsoleSim::run_one(const std::vector<std::string>& argv) {
  last_status_ = 0;
  const std::string& a0 = argv[0];
  auto it = std::lower_bound(std::begin(kCommands), std::end(kCommands), a0,
                             [](const auto& c, const std::string& name) { return c.first < name; });
  if (it != std::end(kCommands) && it->first == a0) return it->second(*this, argv);
  last_status_ = 127;
  return {"ksh: " + a0 + ":  not found."};
}

std::string ConsoleSim::os_version() const { return "AIX " + running_os_ + " " + AixCommands::level(*this); }

}  // namespace lparsim
