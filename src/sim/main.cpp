// lpar-sim: a simulator of an IBM Power LPAR serial console (SMS firmware, AIX BOS installer,
// the migrated system's login) and of the HMC commands around it. The test oracle of vtpilot.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "console_io.hpp"
#include "hmc.hpp"
#include "options.hpp"

namespace lparsim {
namespace {

std::string self_exe(const char* argv0) {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) return std::string(buf, static_cast<std::size_t>(n));
  return argv0;
}

// `lpar-sim console`'s flags and what they fill; checked after parsing (console_main).
struct ConsoleArgs {
  SimOptions o;
  std::string disks = "hdisk0:rootvg,hdisk1:altinst_rootvg";
  bool fast = false;
  bool check_only = false;
  double post_wait = 0;
  CLI::Option* post_wait_flag = nullptr;  // whether --post-wait was given
  std::string password_file;
};

// The machine: firmware, disks, how BOS shows them, the install media in SMS.
void add_machine_flags(CLI::App* con, ConsoleArgs& a) {
  SimOptions& o = a.o;
  std::string& disks = a.disks;
  con->add_option("--firmware", o.firmware,
                  "power7 (AL730: 7 device types, List all Devices = 7), power8 (SV810) or power9 (FW950):\n"
                  "5 device types (List all Devices = 5) and Select Media Type / Select Media Adapter for CD/DVD")
      ->check(CLI::IsMember({"power7", "power8", "power9"}))
      ->capture_default_str();
  con->add_option("--disks", disks,
                  "disks in BOS order: NAME:VG[:SIZE_MB[:LOCATION[:PVID]]],... VG is rootvg (the system to\n"
                  "migrate; exactly one needed), altinst_rootvg (the alt_disk_copy clone), None or any VG.\n"
                  "Location codes and PVIDs are generated (PVIDs from --seed) when not given. Without an\n"
                  "altinst_rootvg disk there is no rollback clone (e.g. hdisk0:rootvg,hdisk1:None)")
      ->capture_default_str();
  con->add_option("--disk-screen", o.disk_screen,
                  "shape of BOS's disk screen for Migration/Preservation: vgstatus (multi-select 'Change\n"
                  "Disk(s) Where You Want to Install', Name/Location Code/Size/VG Status table) or levels (IBM's\n"
                  "BosMenus.h ChgRootVG: 'Change Disks Where You Want to Install', one row per root volume group,\n"
                  "Level / Disks In Rootvg / Location Code / Size(MB); choosing a row returns to Installation\n"
                  "and Settings; 77 shows PVIDs in place of the locations and back; Choice [] until one is chosen)")
      ->check(CLI::IsMember({"vgstatus", "levels"}))
      ->capture_default_str();
  con->add_option("--bos-location,--locations", o.bos_location,
                  "BOS disk screens' Location Code column: physical (the disk's physical location code; rows that\n"
                  "do not fit 80 columns continue on an indented line) or none (as older levels show virtual disks)")
      ->check(CLI::IsMember({"physical", "none"}))
      ->capture_default_str();
  con->add_option("--clone-label", o.clone_label,
                  "how BOS shows the altinst_rootvg clone's VG Status: altinst_rootvg, or rootvg (a second\n"
                  "rootvg the screen cannot tell apart; the oracle still knows which disk is the original)")
      ->check(CLI::IsMember({"altinst_rootvg", "rootvg"}))
      ->capture_default_str();
  con->add_option("--media-label", o.media_label,
                  "the install media's name in SMS device lists: SCSI CD-ROM, USB CD-ROM, SATA CD-ROM,\n"
                  "USB Mass Storage, IBM 9.5mm DVD-RAM Drive ... (its bus picks the Select Media Type entry)")
      ->capture_default_str();
  con->add_option("--cdrom-item", o.cdrom_item,
                  "place of the media in SMS 'List all Devices' (among the network adapter and the hard disks)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

// The install: its length, the pace of everything, the media volumes, the first boot.
void add_install_flags(CLI::App* con, ConsoleArgs& a) {
  SimOptions& o = a.o;
  bool& fast = a.fast;
  con->add_option("--install-lines", o.install_lines, "lines of installp output during the install (spread over about 12 s at --time-scale 1)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  con->add_option("--time-scale", o.time_scale,
                  "multiply every simulated delay (1: a whole run takes about 35-45 s with keys 100 ms apart;\n"
                  "0: no waiting at all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  con->add_flag("--fast", fast, "same as --time-scale 0 (for tests)");
  con->add_option("--media-volumes", o.media_volumes,
                  "install media volumes: 2 stops at 75% with 'Please remove volume 1, insert volume 2, and\n"
                  "press Enter to continue:' (console: Enter is enough; HMC mode: only after viosvrcmd loadopt\n"
                  "of --volume2-iso, else it asks again)")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  con->add_option("--media-prompt", o.media_prompt,
                  "how the volume 2 request ends: colon ('... and press Enter to continue: '), sentence\n"
                  "('Insert volume 2 ... / and press the ENTER key.', the cursor after the full stop) or\n"
                  "sentence-newline ('Please mount volume 2 ... / Press the Enter key to continue.' and its newline):\n"
                  "the wordings of public write-ups of multi-volume installs (issue 14)")
      ->check(CLI::IsMember({"colon", "sentence", "sentence-newline"}))
      ->capture_default_str();
  con->add_option("--volume2-iso", o.volume2_iso, "HMC mode: the ISO that must be in vtopt0 to pass the media swap")
      ->capture_default_str();
  con->add_flag("--no-rmc", o.no_rmc,
                "HMC mode: RMC never comes up in the booted AIX (no network, RSCT down), so the HMC's rmc_state\n"
                "stays inactive and its os_version is the last one heard");
  con->add_flag("--first-boot-term", o.first_boot_term,
                "the first boot of the migrated system asks 'Set Terminal Type' before Console login:, and the\n"
                "first root login asks to accept the license agreements ([yes/no])");
}

// The link and the firmware's timing: dropped keys, latency, --think, jitter and its seed, POST.
void add_timing_flags(CLI::App* con, ConsoleArgs& a) {
  SimOptions& o = a.o;
  double& post_wait = a.post_wait;
  con->add_option("--drop-keys-under", o.drop_keys_under_ms,
                  "drop (no echo, logged as dropped) any key byte arriving less than MS milliseconds after the\n"
                  "previous accepted one, as service processors do")
      ->check(CLI::NonNegativeNumber);
  con->add_option("--link-latency", o.link_latency,
                  "seconds every byte takes through the link, both ways, as an HMC relaying a vterm under load:\n"
                  "keys reach the console S late, its output reaches the client S late (order kept). Wall\n"
                  "seconds, not scaled by --time-scale")
      ->check(CLI::Range(0.0, 600.0));
  con->add_option("--think", o.think,
                  "seconds SMS and the BOS menus take after an Enter before drawing anything, as they do while\n"
                  "they scan devices and disks; keys typed meanwhile are buffered and read afterwards by whatever\n"
                  "screen is drawn then, as a real console does. Wall seconds, not scaled by --time-scale")
      ->check(CLI::Range(0.0, 600.0));
  con->add_option("--jitter", o.jitter,
                  "vary each --link-latency and --think delay by up to this fraction of itself (0..1), as load\n"
                  "does; the variation is drawn from --seed (same seed, same delays)")
      ->check(CLI::Range(0.0, 1.0));
  con->add_option("--seed", o.seed, "seed for generated PVIDs and --jitter (same flags + seed + keys = same bytes)")->capture_default_str();
  con->add_option("--boot", o.boot,
                  "norm: the POST banner waits for 1 = SMS Menu (5/6 boot the boot list, 8 the OF prompt) and\n"
                  "boots the stored boot list when no key comes; sms: go to SMS by itself (chsysstate -b sms)")
      ->check(CLI::IsMember({"norm", "sms"}))
      ->capture_default_str();
  a.post_wait_flag = con->add_option("--post-wait", post_wait,
                                     "seconds (wall clock, not scaled) the POST banner waits for a key before booting the boot\n"
                                     "list; negative = wait forever. Default: 10 at power-on and 3 after the install's reboot;\n"
                                     "with --fast: forever at power-on, 0 after the install's reboot");
}

// Where the console starts and what it answers: method, login, level, broken filesets, exits.
void add_start_flags(CLI::App* con, ConsoleArgs& a) {
  SimOptions& o = a.o;
  std::string& password_file = a.password_file;
  bool& check_only = a.check_only;
  con->add_option("--default-method", o.default_method,
                  "installation method BOS starts with: overwrite (New and Complete Overwrite, as in the runbook),\n"
                  "preservation or migration")
      ->check(CLI::IsMember({"overwrite", "preservation", "migration"}))
      ->capture_default_str();
  con->add_flag("--summary-screen", o.summary_screen,
                "show the '<Method> Installation Summary' screen (1 Continue with Install) after choosing 0 on\n"
                "Installation and Settings (off: the classic blind key list goes straight on)");
  con->add_option("--root-password", o.root_password, "the root password the login accepts (default: any)");
  con->add_option("--root-password-file", password_file,
                  "read the root password from the first line of FILE (keeps it out of argv)");
  con->add_option("--start", o.start,
                  "where the console starts: power-on (POST of the 7.1 system to migrate); power-on-migrated\n"
                  "(POST after a migration: the rootvg disk holds 7.2 and the boot list points at it, e.g. to\n"
                  "roll back by booting the clone from SMS); login71 (the running 7.1 system at Console login:,\n"
                  "for pre-flight checks; exit 5 at hangup); login72 (the migrated system at Console login:, or\n"
                  "at its TERM prompt with --first-boot-term; exit 0 at hangup)")
      ->check(CLI::IsMember({"power-on", "power-on-migrated", "login71", "login72"}))
      ->capture_default_str();
  con->add_option("--oslevel", o.oslevel, "what `oslevel -s` answers on the migrated system (the 7.1 system: 7100-05-06-2016)")->capture_default_str();
  con->add_option("--broken-fileset", o.broken_filesets, "a fileset `lppchk -v` reports broken after the migration (repeatable)");
  con->add_flag("--check", check_only,
                "check the flags and exit: 0 if the console would start, 3 and the reason if not\n"
                "(vtpilot run --sim asks this before it attaches, so bad --sim-args are a usage error)");
  con->add_flag("--exit-at-login", o.exit_at_login, "exit as soon as Console login: is shown (0 if migrated, else 5)");
}

// The event log and the daemon behind `lpar-sim hmc`.
void add_log_and_daemon_flags(CLI::App* con, ConsoleArgs& a) {
  SimOptions& o = a.o;
  con->add_option("--log", o.log_file,
                  "JSON lines, flushed per line: {\"t\":S,\"ev\":\"screen\",\"id\":\"sms.main\"} per screen drawn,\n"
                  "{\"ev\":\"key\",\"data\":\"5\",\"keys\":\"5\",\"screen\":\"sms.main\"} per key byte when the console reads it:\n"
                  "\"keys\" as vtpilot prints them (<Enter>), \"screen\" the screen drawn last, where it landed (\"rx\": when\n"
                  "it arrived, if it waited for a --think; \"line\" on an Enter: the line it submits, a password as ***;\n"
                  "\"dropped\":true / \"ignored\":true; password bytes as *),\n"
                  "\"think\" (after an Enter, with --think: \"screen\", \"s\" seconds),\n"
                  "\"boot\" (SMS exit to a device: \"device\" label, \"loc\", \"kind\" disk|cd|net, and for disks\n"
                  "\"disk\" and \"vg\" as given in --disks), \"aix_boot\" (AIX started: \"disk\", \"vg\", \"os\"),\n"
                  "\"bootlist\", \"install\", \"destroyed\", \"migrated\", \"login_prompt\", \"login\", \"license\",\n"
                  "\"hangup\", \"exit\" (with \"code\")");
  con->add_option("--listen", o.listen, "daemon mode: serve the console on this unix socket (used by `lpar-sim hmc`)");
  con->add_option("--attach-wait", o.attach_wait,
                  "daemon mode: a real POST takes seconds before its banner; the console waits up to this many\n"
                  "wall seconds for a first vterm before it starts drawing (a vterm sees only what is drawn\n"
                  "while it is attached)")->capture_default_str();
  con->add_option("--state", o.state_dir, "HMC state directory: vtopt (loaded ISO) for the media swap, lpar_state");
}

CLI::App* add_console(CLI::App& app, ConsoleArgs& a) {
  auto* con = app.add_subcommand(
      "console",
      "The LPAR console: POST -> SMS -> boot the install media -> BOS installer -> migration with\n"
      "progress and media swap -> reboot -> Console login: -> a small root shell (ksh-like: `;`,\n"
      "`| grep WORD`, `| head [-N]`, echo with quotes and $?; oslevel -s|-r, lppchk -v, instfix -i,\n"
      "bootlist -m normal -o, lspv, lscfg -vl NAME|hdisk*, lsvg rootvg, lsvg -l rootvg, df -m [FS...],\n"
      "errpt, hostname, uname, true, false, exit). Booted from the clone, lspv shows it as rootvg and\n"
      "the migrated disk as old_rootvg.\n"
      "The oracle: starting an install that is not a Migration Install onto exactly the original\n"
      "rootvg disk prints `LPAR-SIM: DESTROYED <what>` and exits 9.\n"
      "Exit codes: 0 migrated and reached Console login: (exit on input EOF/hangup after it, or at\n"
      "once with --exit-at-login); 9 destroyed; 4 input EOF/hangup before Console login:;\n"
      "5 reached Console login: of a system that was not migrated; 3 bad usage.");
  add_machine_flags(con, a);
  add_install_flags(con, a);
  add_timing_flags(con, a);
  add_start_flags(con, a);
  add_log_and_daemon_flags(con, a);
  return con;
}

// The flags given, checked: the password file read, --disks parsed (one rootvg). Runs the console.
int console_main(ConsoleArgs& a) {
  SimOptions& o = a.o;
  if (a.fast) o.time_scale = 0;
  if (!a.password_file.empty()) {
    std::ifstream in(a.password_file);
    if (!in || !std::getline(in, o.root_password)) {
      std::cerr << "lpar-sim console: --root-password-file: cannot read " << a.password_file << "\n";
      return kExitUsage;
    }
    if (!o.root_password.empty() && o.root_password.back() == '\r') o.root_password.pop_back();
  }
  if (a.post_wait_flag->count()) o.post_wait = a.post_wait;
  if (auto err = parse_disks(a.disks, o.disks); !err.empty()) {
    std::cerr << "lpar-sim console: --disks: " << err << "\n";
    return kExitUsage;
  }
  int roots = 0;
  for (auto& d : o.disks) roots += d.vg == "rootvg";
  if (roots != 1) {
    std::cerr << "lpar-sim console: --disks: exactly one disk must hold rootvg (the system to migrate); "
                 "name the clone altinst_rootvg and use --clone-label rootvg to show it as rootvg\n";
    return kExitUsage;
  }
  if (a.check_only) return 0;
  return run_console(o);
}

// `lpar-sim hmc`'s arguments.
struct HmcArgs {
  std::string state_dir;
  std::vector<std::string> words;
  HmcBehaviour behaviour;
};

CLI::App* add_hmc(CLI::App& app, HmcArgs& h) {
  std::string& state_dir = h.state_dir;
  std::vector<std::string>& words = h.words;
  HmcBehaviour& behaviour = h.behaviour;
  auto* hmc = app.add_subcommand(
      "hmc",
      "One HMC command, from SSH_ORIGINAL_COMMAND (or the words after `--`), against the LPAR in the\n"
      "state directory:\n"
      "  lssyscfg -r lpar -m MS [--filter lpar_names=LPAR] [-F state,...]   Not Activated | Open Firmware | Running\n"
      "                            (also rmc_state: active once AIX is up, and os_version: the last level RMC reported)\n"
      "  lssyscfg -r sys [-m MS] [-F name,state]\n"
      "  chsysstate -r lpar -m MS -o on -n LPAR -f PROFILE [-b sms|norm]    starts the console daemon\n"
      "  chsysstate -r lpar -m MS -o shutdown -n LPAR [--immed]\n"
      "  mkvterm -m MS -p LPAR     'Open in progress', then the console; busy message + exit 0 when held;\n"
      "                            ~. at line start asks 'Terminate session? [y/n]'\n"
      "  rmvterm -m MS -p LPAR     frees the console (the holder gets 'Connection has closed ...')\n"
      "  viosvrcmd -m MS -p VIOS -c \"loadopt [-f] [-release] -disk ISO -vtd vtopt0\" | \"unloadopt [-release] -vtd vtopt0\"\n"
      "                            | \"lsvopt [-vtd vtopt0]\" | lsrep\n"
      "Unknown commands: 'rbash: X: command not found', exit 127; bad arguments: a message, exit 1.\n"
      "State dir files: hmc.conf (managed_system=, lpar=, profile=, vios=, media=ISO,ISO), sim-args (the\n"
      "console flags of the LPAR), and what the commands keep (lpar_state, vtopt, vterm.lock, console.log).\n"
      "Defaults: managed system Server-8247-42L-SN21271DA, LPAR lpar01, profile default_profile, VIOS vios1,\n"
      "media aix72_vol1.iso,aix72_vol2.iso.");
  hmc->add_option("--state", state_dir, "state directory (default: $LPAR_SIM_STATE)");
  hmc->add_option("command", words, "the command, when not in SSH_ORIGINAL_COMMAND (after `--`)");
  hmc->add_flag("--hold-dropped-vterm", behaviour.hold_dropped_vterm,
                "a vterm whose ssh connection dropped stays held until rmvterm, as recorded on HMC V10R3 (busy\n"
                "at 0 s, 30 s, 5 min after the client was killed); without it the console is freed at once");
  hmc->add_flag("--optical-reserved", behaviour.optical_reserved,
                "the client holds a SCSI reserve on its virtual optical device: unloadopt, and loadopt -f onto\n"
                "a loaded device, fail unless given -release");
  hmc->add_option("--hmc-latency", behaviour.latency_s,
                  "seconds every command takes before it answers (chsysstate -o on starts the partition first)")
      ->check(CLI::Range(0.0, 600.0));
  hmc->add_option("--deny", behaviour.deny, "a command this HMC user may not run (HSCL authority error; repeatable)");
  return hmc;
}

// One HMC command, from the arguments or SSH_ORIGINAL_COMMAND, against the state directory.
int hmc_main(HmcArgs& h, const char* argv0) {
  if (h.state_dir.empty()) {
    if (const char* s = std::getenv("LPAR_SIM_STATE")) h.state_dir = s;
  }
  if (h.words.empty()) {
    if (const char* c = std::getenv("SSH_ORIGINAL_COMMAND")) h.words = split_words(c);
  }
  return run_hmc(h.state_dir, self_exe(argv0), h.words, h.behaviour);
}

}  // namespace
}  // namespace lparsim

int main(int argc, char** argv) {
  using namespace lparsim;
  CLI::App app{
      "lpar-sim: an IBM Power LPAR console (POST, SMS, BOS install, migrated AIX 7.2 login) and the\n"
      "HMC commands around it, for testing console automation without a real LPAR.\n"
      "  lpar-sim console [options]     the console on stdin/stdout (a pty is expected; pipes work)\n"
      "  lpar-sim hmc [--state DIR]     one HMC command from SSH_ORIGINAL_COMMAND (sshd ForceCommand)\n"
      "See `lpar-sim console --help` and `lpar-sim hmc --help`."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lpar-sim 0.1.0");

  ConsoleArgs console_args;
  CLI::App* con = add_console(app, console_args);
  HmcArgs hmc_args;
  add_hmc(app, hmc_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }


  if (*con) return console_main(console_args);
  return hmc_main(hmc_args, argv[0]);
}
