// lpar-sim: the LPAR console as a pure state machine.
//
// No file descriptors, no clocks: the I/O loop feeds bytes with the time they arrived (`now`,
// seconds on any monotonic clock), collects the bytes to write, and sleeps until next_wake().
// Everything the console prints is a function of the options and the keys, so the same flags,
// seed and keys give the same bytes (timing only decides which keys a --drop-keys-under
// service processor drops, when a POST key window closes, and which screen reads a key typed
// while a menu thinks after an Enter, --think). --link-latency lives in the I/O loop.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace lparsim {

// Receives one JSON object per event (the --log file, or nothing).
using EventSink = std::function<void(const std::string& json_line)>;

// A delay of `s` seconds varied by +-`fraction` of itself (--jitter), drawn from `rng` (a
// splitmix64 state seeded from --seed): the same seed gives the same delays.
double jittered(double s, double fraction, std::uint64_t& rng);

class ConsoleSim {
 public:
  ConsoleSim(SimOptions opt, EventSink sink);

  void start(double now);                       // power on: POST banner
  void input(std::string_view bytes, double now);
  void advance(double now);                     // run what is due
  void hangup(double now);                      // console input closed (EOF, SIGHUP)
  std::string take_output();
  double next_wake() const;                     // +inf when only a key can change anything
  bool finished() const { return finished_; }
  int exit_code() const { return exit_code_; }

  // HMC mode: what the virtual optical drive holds now ("" = empty). Unset in console mode,
  // where the operator swaps the media by hand and Enter is enough.
  std::function<std::string()> media_probe;
  // HMC mode: the LPAR state lssyscfg reports ("Open Firmware", "Running").
  std::function<void(const std::string&)> on_state;
  // HMC mode: what RMC tells the HMC (lssyscfg -F rmc_state,os_version). RMC runs only in a
  // booted AIX: "active" with the running level once AIX is up (its login prompt), "inactive"
  // from power-on to then (firmware, SMS, the BOS installer), os_version kept from before, as
  // the HMC keeps the last level it heard (a real lssyscfg: "inactive,AIX 7.1 7100-00-00-0000").
  std::function<void(const std::string& rmc_state, const std::string& os_version)> on_rmc;
  std::string os_version() const;  // "AIX 7.2 7200-05-11-2546", as the running system reports it

  static constexpr double kNever = std::numeric_limits<double>::infinity();

 private:
  enum class Stage {
    Post, PostWait, OpenFirmware, Sms, Busy, BosConsole, BosLanguage, BosWelcome, BosSettings,
    BosMethod, BosDisks, BosMoreOptions, BosSummary, BosMigConfirm, BosInfo, MediaSwap,
    TermPrompt, LoginUser, LoginPassword, License, Shell, Done
  };
  enum class Method { Overwrite, Preservation, Migration };
  enum class DevKind { Net, Cd, Disk };
  struct Device {
    DevKind kind;
    std::string label;
    std::string loc;
    int disk = -1;  // index in disks_
  };
  struct Disk {
    DiskSpec spec;
    std::string os;  // "" (no AIX), "7.1", "7.2"
  };
  enum class SmsKind {
    Main, BootOptions, DeviceType, MediaType, MediaAdapter, DeviceList, SelectTask, ExitConfirm,
    Stub, Info, BootOrder, BootOrderType, BootOrderList, BootOrderTask, BootSequence
  };
  struct SmsView {
    SmsKind kind;
    std::string filter;    // device list: all, cd, disk, net, none, bus:SCSI ...
    int device = -1;       // select task / exit confirm: index in devices_ (-1 = boot list)
    int slot = 0;          // boot order: which boot device (1..5)
    std::string title;     // stubs
  };
  struct Timed {
    double delay;          // nominal seconds after the previous action
    std::function<void()> fn;
  };

  // output
  void out(std::string_view text);      // "\n" becomes CRLF
  void raw(std::string_view bytes);
  void clear();
  void screen(const std::string& id);   // log a screen shown
  void log(const std::string& json);
  double t() const;

  // scheduling
  void after(double nominal_s, std::function<void()> fn);
  bool busy() const { return !queue_.empty(); }

  // input
  void take_key(char c, double rx);     // one byte reaches the program reading the console
  bool thinking() const { return think_until_ < kNever; }
  bool thinks_after_enter() const;
  void key(char c);
  void line_key(char c);
  void submit(const std::string& line);  // to the answer of the screen it was typed on

  // firmware (screens_firmware.cpp)
  void power_on(bool sms_mode);
  void post_end();
  void boot_default_list();
  void boot_device(int dev);
  void starting_software(int dev);
  void boot_chatter_media();
  void boot_aix_from_disk(int disk);
  void of_answer(const std::string& l);

  // SMS (screens_sms.cpp)
  void sms_enter();
  void sms_push(SmsView v);
  void sms_draw(bool redraw = false);
  void sms_line(const std::string& line);
  void sms_escape();
  std::vector<int> sms_filtered(const std::string& filter) const;
  void sms_please_wait_then(SmsView v, bool probe_line);
  std::string sms_header() const;
  std::string sms_footer(bool main_style) const;
  void sms_frame(const std::string& id, const std::vector<std::string>& body, bool main_style);
  void sms_draw_device_type();
  void sms_draw_media_adapter(const SmsView& v);
  void sms_draw_device_list(const SmsView& v);
  void sms_draw_task(const SmsView& v);
  void sms_draw_boot_order_type();
  void sms_draw_boot_sequence();
  void sms_pick_main(int n);
  void sms_pick_device_type(int n);
  void sms_pick_media_type(int n);
  void sms_pick_exit_confirm(int n, const SmsView& v);
  void sms_pick_boot_order(int n);
  void sms_pick_boot_order_type(int n, const SmsView& v);
  void sms_pick_boot_order_task(int n, const SmsView& v);

  // BOS menus (screens_bos.cpp): each screen, and the answer typed on it
  void bos_console();
  void bos_console_answer(const std::string& l);
  void bos_language();
  void bos_language_answer(const std::string& l);
  void bos_welcome();
  void bos_welcome_answer(const std::string& l);
  void bos_settings();
  void bos_settings_answer(const std::string& l);
  void bos_method();
  void bos_method_answer(const std::string& l);
  void bos_disks(const std::string& message = "");
  void bos_disks_answer(const std::string& l);
  std::string bos_location(std::size_t disk) const;
  void table_row(const std::string& head, const std::string& tail, std::size_t tail_col);
  void bos_more_options();
  void bos_more_options_answer(const std::string& l);
  void bos_summary();
  void bos_summary_answer(const std::string& l);
  void bos_mig_confirm();
  void bos_mig_confirm_answer(const std::string& l);
  void bos_info(const std::string& title, const std::vector<std::string>& lines, Stage back);
  void bos_info_answer();
  void bos_help(Stage back);  // 88 on a BOS menu: IBM's help screen, any answer returns to the menu
  void bos_install_path();
  bool levels_shape() const;
  std::vector<int> bos_disk_rows() const;
  std::string vg_label(int disk) const;
  std::string method_name() const;
  std::string selected_names() const;
  void beep() { raw("\a"); }

  // the install (install.cpp)
  void bos_start_install();
  void install_step(long i);
  void progress_block(int pct);
  void install_line(long i);
  void media_swap_prompt();
  void media_swap_answer();
  void install_done();

  // AIX after boot (aix_shell.cpp)
  void term_prompt();
  void term_answer(const std::string& l);
  void login_prompt();
  void login_user_answer(const std::string& l);
  void login_password_answer(const std::string& raw_line);
  void license_answer(const std::string& l);
  void shell_prompt();
  void shell_command(const std::string& line);
  // One simple command of a command line (no `;`), its output lines; sets last_status_.
  std::vector<std::string> run_simple(const std::string& command);
  // One command (its words), answered by its handler in aix_shell.cpp's table of AixCommands.
  std::vector<std::string> run_one(const std::vector<std::string>& argv);
  friend struct AixCommands;
  std::string echo_word(const std::string& word) const;

  // the machine's end states (console_sim.cpp)
  void set_migrated_state();
  void finish(int code);
  void destroyed(const std::string& what);

  SimOptions opt_;
  EventSink sink_;
  std::string out_;
  double now_ = 0, t0_ = 0;
  bool started_ = false, finished_ = false;
  int exit_code_ = kExitEofEarly;

  std::deque<Timed> queue_;
  // --think: keys that arrived and wait to be read (while a menu thinks after an Enter, a real
  // console buffers them); the line taken with that Enter, submitted at think_until_.
  struct Held {
    char c;
    double rx;  // when the byte reached the console
  };
  std::deque<Held> held_;
  double think_until_ = kNever;
  std::string think_line_;
  std::uint64_t think_rng_ = 0;
  std::string screen_id_;        // the screen drawn last (its id in the log): where keys land
  double queue_clock_ = 0;
  double post_deadline_ = kNever;

  Stage stage_ = Stage::Busy;
  Stage info_back_ = Stage::BosSettings;
  std::string line_;
  bool skip_lf_ = false;
  bool esc_seq_ = false;
  bool echo_ = true;
  bool have_key_time_ = false;
  double last_key_time_ = 0;
  char post_key_ = 0;
  bool post_after_install_ = false;

  // machine
  std::vector<Disk> disks_;
  std::vector<Device> devices_;  // SMS "List all Devices" order
  std::vector<int> bootlist_;    // device indices
  int orig_rootvg_ = -1, clone_ = -1;
  std::string machine_;          // U8231.E2B.06DAFDP ...
  std::string fw_version_;
  std::string vscsi_;            // /vdevice/v-scsi@30000002
  std::vector<SmsView> sms_stack_;
  bool multiboot_on_ = false;

  // BOS
  Method method_ = Method::Overwrite;
  std::vector<bool> selected_;
  bool show_pvid_ = false;
  bool more_opts_[5] = {false, false, false, true, true};
  bool swapped_ = false;
  long install_total_ = 0;
  int last_pct_ = -1;
  bool migrated_ = false;        // the original rootvg disk now holds 7.2
  bool booted_migrated_ = false; // the running AIX is the migrated one
  std::string running_os_;       // os of the booted disk
  int running_disk_ = -1;        // index in disks_ of the booted disk
  int last_status_ = 0;          // the shell's $?
  bool login_seen_ = false;
  bool term_done_ = false;
  bool license_done_ = false;
  std::string login_user_;
};

}  // namespace lparsim
