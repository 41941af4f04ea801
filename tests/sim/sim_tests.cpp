// lpar-sim driven the way vtpilot drives a console: on a pty, waiting (bounded, by poll) for
// each prompt, then typing. Every wait has a deadline; nothing sleeps. The simulator runs with
// --fast (no simulated delays), so each test takes well under a second when things work.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#ifndef LPAR_SIM
#error "LPAR_SIM (the lpar-sim binary) must be defined"
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kWait = 5.0;  // seconds: bound of any single wait

std::string tmpdir(const std::string& tag) {
  std::string base = fs::temp_directory_path() / ("lpar-sim-test-" + tag + "-XXXXXX");
  std::vector<char> buf(base.begin(), base.end());
  buf.push_back('\0');
  char* d = ::mkdtemp(buf.data());
  REQUIRE(d != nullptr);
  return d;
}

// One process on a pty (forkpty), with expect-style waits.
class Pty {
 public:
  explicit Pty(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
    winsize ws{};
    ws.ws_row = 24;
    ws.ws_col = 80;
    pid_ = ::forkpty(&fd_, nullptr, nullptr, &ws);
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      for (auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> av;
      for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
      av.push_back(nullptr);
      ::execv(av[0], av.data());
      ::_exit(127);
    }
  }
  ~Pty() {
    if (fd_ >= 0) ::close(fd_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // Wait until `text` appears after the last match; true if it did within the bound.
  bool expect(const std::string& text, double secs = kWait) {
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(secs));
    for (;;) {
      auto at = buf_.find(text, pos_);
      if (at != std::string::npos) {
        pos_ = at + text.size();
        return true;
      }
      if (!read_some(deadline)) {
        MESSAGE("waited for: " << text << "\n--- tail of output ---\n" << tail());
        return false;
      }
    }
  }
  void send(const std::string& s) {
    REQUIRE(::write(fd_, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
  }
  // Close our side (the console hangs up) and return the exit code (-1 if not within the bound).
  int hangup_and_wait(double secs = kWait) {
    ::close(fd_);
    fd_ = -1;
    return wait(secs);
  }
  int wait(double secs = kWait) {
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(secs));
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        while (fd_ >= 0 && read_some(Clock::now() + std::chrono::milliseconds(50))) {
        }  // what the child wrote before exiting is still in the pty
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      if (Clock::now() > deadline) return -1;
      if (fd_ >= 0) {
        read_some(std::min<Clock::time_point>(deadline, Clock::now() + std::chrono::milliseconds(20)));
      } else {
        pollfd none{-1, 0, 0};
        ::poll(&none, 0, 10);  // bounded wait for the child to finish exiting
      }
    }
  }
  // Read whatever arrives within `ms` milliseconds (a bounded wait, for polling a log file).
  void pump(int ms) { read_some(Clock::now() + std::chrono::milliseconds(ms)); }
  const std::string& output() const { return buf_; }
  std::string tail() const { return buf_.size() > 1500 ? buf_.substr(buf_.size() - 1500) : buf_; }
  std::size_t count(const std::string& s) const {
    std::size_t n = 0;
    for (auto at = buf_.find(s); at != std::string::npos; at = buf_.find(s, at + 1)) ++n;
    return n;
  }

 private:
  bool read_some(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r <= 0) return false;
    char b[65536];
    ssize_t n = ::read(fd_, b, sizeof b);
    if (n <= 0) return false;  // EIO: the child closed the pty
    buf_.append(b, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string buf_;
  std::size_t pos_ = 0;
};

std::vector<std::string> sim_args(std::initializer_list<std::string> extra) {
  std::vector<std::string> a = {LPAR_SIM, "console", "--fast"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::vector<nlohmann::json> read_log(const std::string& path) {
  std::vector<nlohmann::json> v;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) v.push_back(nlohmann::json::parse(line));
  return v;
}
std::vector<std::string> screens(const std::vector<nlohmann::json>& log) {
  std::vector<std::string> s;
  for (auto& e : log)
    if (e["ev"] == "screen") s.push_back(e["id"]);
  return s;
}
bool has_screen(const std::vector<nlohmann::json>& log, const std::string& id) {
  auto s = screens(log);
  return std::find(s.begin(), s.end(), id) != s.end();
}

const char* kSmsPrompt = "select Navigation key:";

// SMS: POST -> main -> Multiboot -> List all Devices -> the media -> Normal Mode Boot -> exit.
void sms_to_media(Pty& p, const std::string& firmware, const std::string& cd_item = "2") {
  REQUIRE(p.expect("1 = SMS Menu"));
  REQUIRE(p.expect("Speaker"));
  p.send("1");
  REQUIRE(p.expect(" Main Menu"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("5\r");
  REQUIRE(p.expect(" Multiboot"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("1\r");
  REQUIRE(p.expect(" Select Device Type"));
  REQUIRE(p.expect(firmware == "power7" ? " 7.   List all Devices" : " 5.   List all Devices"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send(firmware == "power7" ? "7\r" : "5\r");
  REQUIRE(p.expect("PLEASE WAIT"));
  REQUIRE(p.expect(" Number  Position  Name"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send(cd_item + "\r");
  REQUIRE(p.expect(" 2.   Normal Mode Boot"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("2\r");
  REQUIRE(p.expect("Are you sure you want to exit System Management Services?"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("1\r");
  REQUIRE(p.expect("STARTING SOFTWARE"));
}

// BOS: console -> English -> 2 -> 1 -> 3 Migration -> disk -> 0 -> 0 -> 0.
void bos_migrate(Pty& p, const std::string& disk_key = "1") {
  REQUIRE(p.expect("Please define the System Console."));
  p.send("1\r");
  REQUIRE(p.expect("have English during install."));
  REQUIRE(p.expect(">>> Choice [1]: "));
  p.send("1\r");
  REQUIRE(p.expect("Welcome to Base Operating System"));
  REQUIRE(p.expect(">>> Choice [1]: "));
  p.send("2\r");
  REQUIRE(p.expect("Installation and Settings"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("1\r");
  REQUIRE(p.expect("Change Method of Installation"));
  REQUIRE(p.expect(">>> Choice ["));
  p.send("3\r");
  REQUIRE(p.expect("Change Disk(s) Where You Want to Install"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send(disk_key + "\r");
  REQUIRE(p.expect("Change Disk(s) Where You Want to Install"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("0\r");
  REQUIRE(p.expect("Method of Installation.............Migration Install"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("0\r");
}

void confirm_migration(Pty& p) {
  REQUIRE(p.expect("Migration Confirmation"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("0\r");
  REQUIRE(p.expect("% tasks complete"));
}

}  // namespace

TEST_CASE("correct keys migrate and end at Console login: with exit 0 on every firmware") {
  for (std::string fw : {"power7", "power8", "power9"}) {
    CAPTURE(fw);
    std::string dir = tmpdir("fw");
    std::string log = dir + "/log.jsonl";
    Pty p(sim_args({"--firmware", fw, "--log", log, "--install-lines", "300"}));
    sms_to_media(p, fw);
    bos_migrate(p);
    confirm_migration(p);
    REQUIRE(p.expect("Rebooting"));
    REQUIRE(p.expect("1 = SMS Menu"));  // the reboot's POST, which boots the migrated disk
    REQUIRE(p.expect("Console login: "));
    CHECK(p.hangup_and_wait() == 0);
    auto l = read_log(log);
    CHECK(has_screen(l, "sms.device_list"));
    CHECK(has_screen(l, "bos.migration_confirm"));
    CHECK(has_screen(l, "aix.login"));
    bool migrated = false, destroyed = false;
    for (auto& e : l) {
      migrated |= e["ev"] == "migrated";
      destroyed |= e["ev"] == "destroyed";
    }
    CHECK(migrated);
    CHECK_FALSE(destroyed);
    CHECK(l.back()["ev"] == "exit");
    CHECK(l.back()["code"] == 0);
    fs::remove_all(dir);
  }
}

TEST_CASE("POWER8: CD/DVD by type goes through Select Media Type and Select Media Adapter") {
  std::string dir = tmpdir("p8");
  std::string log = dir + "/log.jsonl";
  Pty p(sim_args({"--firmware", "power8", "--media-label", "USB CD-ROM", "--log", log, "--exit-at-login",
                  "--install-lines", "50"}));
  REQUIRE(p.expect("Speaker"));
  p.send("1");
  REQUIRE(p.expect(kSmsPrompt));
  p.send("5\r");
  REQUIRE(p.expect(kSmsPrompt));
  p.send("1\r");
  REQUIRE(p.expect(" 2.   CD/DVD"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("2\r");
  REQUIRE(p.expect(" Select Media Type"));
  REQUIRE(p.expect(" 5.   USB"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("5\r");
  REQUIRE(p.expect(" Select Media Adapter"));
  REQUIRE(p.expect("/vdevice/v-scsi@30000002"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("1\r");
  REQUIRE(p.expect("check /vdevice/v-scsi@30000002/disk@8200000000000000"));
  REQUIRE(p.expect(" 1.        -      USB CD-ROM"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("1\r");
  REQUIRE(p.expect(kSmsPrompt));
  p.send("2\r");
  REQUIRE(p.expect(kSmsPrompt));
  p.send("1\r");
  bos_migrate(p);
  confirm_migration(p);
  REQUIRE(p.expect("Console login: "));
  CHECK(p.wait() == 0);  // --exit-at-login
  auto l = read_log(log);
  CHECK(has_screen(l, "sms.media_type"));
  CHECK(has_screen(l, "sms.media_adapter"));
  fs::remove_all(dir);
}

TEST_CASE("the classic blind key list destroys the clone when the disks are swapped (exit 9)") {
  std::string dir = tmpdir("blind");
  std::string log = dir + "/log.jsonl";
  Pty p(sim_args({"--firmware", "power7", "--disks", "hdisk0:altinst_rootvg,hdisk1:rootvg", "--log", log}));
  // 5 1 7 <cd> 2 1 | 1 1 2 1 3 1 0 0 0: the same keys as a correct run on the usual disk order
  sms_to_media(p, "power7", "2");
  bos_migrate(p, "1");
  REQUIRE(p.expect("Migration Confirmation"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("0\r");
  REQUIRE(p.expect("LPAR-SIM: DESTROYED hdisk0 (altinst_rootvg clone) by Migration Install"));
  CHECK(p.wait() == 9);
  auto l = read_log(log);
  bool destroyed = false;
  for (auto& e : l) destroyed |= e["ev"] == "destroyed";
  CHECK(destroyed);
  CHECK(l.back()["code"] == 9);
  fs::remove_all(dir);
}

TEST_CASE("the same blind list on the usual disk order is a clean migration") {
  Pty p(sim_args({"--exit-at-login", "--install-lines", "20"}));
  sms_to_media(p, "power7", "2");
  bos_migrate(p, "1");
  confirm_migration(p);
  REQUIRE(p.expect("Console login: "));
  CHECK(p.wait() == 0);
}

TEST_CASE("Overwrite or Preservation destroys rootvg (exit 9) from the settings or from Start Install Now") {
  SUBCASE("Installation and Settings, default method, 0") {
    Pty p(sim_args({}));
    sms_to_media(p, "power7");
    REQUIRE(p.expect("Please define the System Console."));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("2\r");
    REQUIRE(p.expect("New and Complete Overwrite"));
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("0\r");
    REQUIRE(p.expect("LPAR-SIM: DESTROYED hdisk0 (rootvg) by New and Complete Overwrite"));
    CHECK(p.wait() == 9);
  }
  SUBCASE("Welcome: Enter takes the default, Start Install Now with Default Settings") {
    Pty p(sim_args({}));
    sms_to_media(p, "power7");
    REQUIRE(p.expect("Please define the System Console."));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("\r");
    REQUIRE(p.expect("Start Install Now with Default Settings"));
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("\r");
    REQUIRE(p.expect("LPAR-SIM: DESTROYED hdisk0 (rootvg) by New and Complete Overwrite"));
    CHECK(p.wait() == 9);
  }
  SUBCASE("Preservation on the right disk is destructive too") {
    Pty p(sim_args({}));
    sms_to_media(p, "power7");
    REQUIRE(p.expect("Please define the System Console."));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("2\r");
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("1\r");
    REQUIRE(p.expect("Change Method of Installation"));
    REQUIRE(p.expect(">>> Choice ["));
    p.send("2\r");
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("0\r");
    REQUIRE(p.expect("Preservation Install"));
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("0\r");
    REQUIRE(p.expect("LPAR-SIM: DESTROYED hdisk0 (rootvg) by Preservation Install"));
    CHECK(p.wait() == 9);
  }
}

TEST_CASE("selecting both disks then deselecting the clone is judged on the final selection") {
  Pty p(sim_args({"--exit-at-login", "--install-lines", "20"}));
  sms_to_media(p, "power7");
  REQUIRE(p.expect("Please define the System Console."));
  p.send("1\r");
  REQUIRE(p.expect(">>> Choice [1]: "));
  p.send("1\r");
  REQUIRE(p.expect(">>> Choice [1]: "));
  p.send("2\r");
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("1\r");
  REQUIRE(p.expect(">>> Choice ["));
  p.send("3\r");
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("1 2\r");
  REQUIRE(p.expect(">>> 2  hdisk1"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("2\r");  // typing a selected disk's number deselects it
  REQUIRE(p.expect(">>> 1  hdisk0"));
  REQUIRE(p.expect("    2  hdisk1"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("0\r");
  REQUIRE(p.expect("Disk Where You Want to Install.....hdisk0\r\n"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("0\r");
  confirm_migration(p);
  REQUIRE(p.expect("Console login: "));
  CHECK(p.wait() == 0);
}

TEST_CASE("--drop-keys-under drops keys that arrive back to back") {
  std::string dir = tmpdir("drop");
  std::string log = dir + "/log.jsonl";
  Pty p(sim_args({"--drop-keys-under", "50", "--log", log}));
  REQUIRE(p.expect("Speaker"));
  p.send("1");
  REQUIRE(p.expect(kSmsPrompt));
  p.send("5\r");  // one write: the Enter follows the 5 by far less than 50 ms
  // bounded wait for the simulator to log the dropped Enter (the pty is pumped meanwhile)
  auto dropped_cr = [&] {
    for (auto& e : read_log(log))
      if (e["ev"] == "key" && e["data"] == "\r" && e.value("dropped", false)) return true;
    return false;
  };
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!dropped_cr() && Clock::now() < deadline) p.pump(20);
  REQUIRE(dropped_cr());
  CHECK(p.hangup_and_wait() == 4);
  auto l = read_log(log);
  int dropped = 0, accepted_cr = 0;
  for (auto& e : l) {
    if (e["ev"] != "key") continue;
    if (e.value("dropped", false)) ++dropped;
    else if (e["data"] == "\r") ++accepted_cr;
  }
  CHECK(dropped >= 1);  // the Enter, and the 5 too if it came within 50 ms of the 1
  CHECK(accepted_cr == 0);
  CHECK_FALSE(has_screen(l, "sms.boot_options"));  // the Enter never arrived
  fs::remove_all(dir);
}

namespace {
double secs_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
std::vector<nlohmann::json> key_events(const std::vector<nlohmann::json>& log) {
  std::vector<nlohmann::json> k;
  for (auto& e : log)
    if (e["ev"] == "key") k.push_back(e);
  return k;
}
}  // namespace

TEST_CASE("--think: keys typed while a menu thinks are read by the screen it draws next") {
  std::string dir = tmpdir("think");
  std::string log = dir + "/log.jsonl";
  Pty p(sim_args({"--think", "0.3", "--log", log}));
  REQUIRE(p.expect("Speaker"));
  p.send("1");  // POST takes its key at once: no Enter, no think
  REQUIRE(p.expect(kSmsPrompt));
  auto t0 = Clock::now();
  p.send("5\r");
  p.send("\r");  // a second Enter, as a client re-sends one it thinks lost
  REQUIRE(p.expect(" Multiboot"));
  CHECK(secs_since(t0) >= 0.3);
  REQUIRE(p.expect(kSmsPrompt));
  // The second Enter landed on Multiboot (an empty line: it thinks again, then redraws).
  REQUIRE(p.expect(" Multiboot"));
  CHECK(secs_since(t0) >= 0.6);
  CHECK(p.hangup_and_wait() == 4);
  auto k = key_events(read_log(log));
  REQUIRE(k.size() == 4);
  CHECK(k[1]["keys"] == "5");
  CHECK(k[1]["screen"] == "sms.main");
  CHECK(k[2]["keys"] == "<Enter>");
  CHECK(k[2]["screen"] == "sms.main");
  CHECK(k[3]["keys"] == "<Enter>");
  CHECK(k[3]["screen"] == "sms.boot_options");  // judged for nothing, read by the next menu
  REQUIRE(k[3].contains("rx"));
  CHECK(k[3]["t"].get<double>() - k[3]["rx"].get<double>() >= 0.25);  // it waited for the think
  int thinks = 0;
  for (auto& e : read_log(log))
    if (e["ev"] == "think") {
      ++thinks;
      CHECK(e["s"] == 0.3);  // no --jitter: exactly --think
    }
  CHECK(thinks == 2);
  fs::remove_all(dir);
}

TEST_CASE("--link-latency delays the output and the keys, in order") {
  std::string dir = tmpdir("latency");
  std::string log = dir + "/log.jsonl";
  auto t0 = Clock::now();
  Pty p(sim_args({"--link-latency", "0.2", "--log", log}));
  REQUIRE(p.expect("Speaker"));
  CHECK(secs_since(t0) >= 0.2);
  auto t1 = Clock::now();
  p.send("1");
  REQUIRE(p.expect(kSmsPrompt));
  CHECK(secs_since(t1) >= 0.4);  // there and back
  for (char c : std::string("5\r")) p.send(std::string(1, c));  // two writes, two chunks
  REQUIRE(p.expect(" Multiboot"));
  CHECK(p.hangup_and_wait() == 4);
  auto k = key_events(read_log(log));
  REQUIRE(k.size() == 3);
  CHECK(k[0]["keys"] == "1");
  CHECK(k[1]["keys"] == "5");
  CHECK(k[2]["keys"] == "<Enter>");
  CHECK(k[2]["screen"] == "sms.main");
  fs::remove_all(dir);
}

TEST_CASE("--jitter varies each think within the fraction, the same way for the same --seed") {
  auto thinks = [](const std::string& seed) {
    std::string dir = tmpdir("jitter");
    std::string log = dir + "/log.jsonl";
    Pty p(sim_args({"--think", "0.05", "--jitter", "0.5", "--seed", seed, "--log", log}));
    REQUIRE(p.expect("Speaker"));
    p.send("1");
    REQUIRE(p.expect(kSmsPrompt));
    p.send("5\r");
    REQUIRE(p.expect(" Multiboot"));
    REQUIRE(p.expect(kSmsPrompt));
    p.send("1\r");
    REQUIRE(p.expect(" Select Device Type"));
    REQUIRE(p.expect(kSmsPrompt));
    p.send("9\r");  // not an item: thinks, then redraws
    REQUIRE(p.expect(" Select Device Type"));
    CHECK(p.hangup_and_wait() == 4);
    std::vector<double> v;
    for (auto& e : read_log(log))
      if (e["ev"] == "think") v.push_back(e["s"]);
    fs::remove_all(dir);
    return v;
  };
  auto a = thinks("7"), b = thinks("7"), c = thinks("8");
  REQUIRE(a.size() == 3);
  CHECK(a == b);
  CHECK(a != c);
  bool varied = false;
  for (double s : a) {
    CHECK(s >= 0.025 - 1e-9);
    CHECK(s <= 0.075 + 1e-9);
    varied |= s != 0.05;
  }
  CHECK(varied);
}

TEST_CASE("wrong keys in SMS redraw the menu and never crash") {
  Pty p(sim_args({"--firmware", "power8"}));
  REQUIRE(p.expect("Speaker"));
  p.send("1");
  REQUIRE(p.expect(kSmsPrompt));
  p.send("9\r");
  REQUIRE(p.expect(" Main Menu"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("5\r");
  REQUIRE(p.expect(" Multiboot"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("1\r");
  REQUIRE(p.expect(" Select Device Type"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("7\r");  // POWER7's List all Devices: not on this firmware
  REQUIRE(p.expect(" Select Device Type"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("\x1b");  // ESC: back to Multiboot
  REQUIRE(p.expect(" Multiboot"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("zz\r");
  REQUIRE(p.expect(" Multiboot"));
  REQUIRE(p.expect(kSmsPrompt));
  p.send("M\r");
  REQUIRE(p.expect(" Main Menu"));
  REQUIRE(p.expect(kSmsPrompt));
  CHECK(p.hangup_and_wait() == 4);
}

TEST_CASE("BOS rejects a wrong choice with a beep and the same menu") {
  Pty p(sim_args({}));
  sms_to_media(p, "power7");
  REQUIRE(p.expect("Please define the System Console."));
  p.send("1\r");
  REQUIRE(p.expect(">>> Choice [1]: "));
  p.send("1\r");
  REQUIRE(p.expect(">>> Choice [1]: "));
  p.send("7\r");
  REQUIRE(p.expect("\a"));
  REQUIRE(p.expect("Welcome to Base Operating System"));
  REQUIRE(p.expect(">>> Choice [1]: "));
  p.send("2\r");
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("1\r");
  REQUIRE(p.expect(">>> Choice ["));
  p.send("3\r");
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("0\r");  // nothing selected yet
  REQUIRE(p.expect("At least one bootable disk must be selected."));
  REQUIRE(p.expect(">>> Choice [0]: "));
  p.send("9\r");
  REQUIRE(p.expect("Change Disk(s)"));
  REQUIRE(p.expect(">>> Choice [0]: "));
  CHECK(p.hangup_and_wait() == 4);
}

TEST_CASE("the levels disk screen and the clone shown as a second rootvg are reachable") {
  SUBCASE("levels") {
    std::string dir = tmpdir("levels");
    std::string log = dir + "/log.jsonl";
    Pty p(sim_args({"--disk-screen", "levels", "--disks", "hdisk0:rootvg,hdisk1:altinst_rootvg,hdisk2:None",
                    "--log", log, "--exit-at-login", "--install-lines", "20"}));
    sms_to_media(p, "power7", "2");
    REQUIRE(p.expect("Please define the System Console."));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("2\r");
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice ["));
    p.send("3\r");
    // IBM's ChgRootVG (BosMenus.h): no "(s)", the Level heading, no Continue, Choice [] until chosen.
    REQUIRE(p.expect("          Change Disks Where You Want to Install\r\n"));
    REQUIRE(p.expect("       Level    Disks In Rootvg       Location Code      Size(MB)"));
    REQUIRE(p.expect(">>> Choice []: "));
    CHECK(p.output().find("hdisk2") == p.output().rfind("hdisk2"));  // only in the boot chatter
    CHECK(p.output().find("Continue with choices") == std::string::npos);
    p.send("\r");  // Enter alone chooses nothing: Invalid Choice, the same menu
    REQUIRE(p.expect("Invalid Choice"));
    REQUIRE(p.expect(">>> Choice []: "));
    p.send("77\r");
    REQUIRE(p.expect("Physical Volume ID"));
    REQUIRE(p.expect(">>> Choice []: "));
    p.send("2\r");  // choosing a row returns to Installation and Settings at once
    REQUIRE(p.expect("Disk Where You Want to Install.....hdisk1"));
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice ["));
    p.send("3\r");
    REQUIRE(p.expect(">>> Choice []: "));  // a method change asks for the disk again
    p.send("1\r");
    REQUIRE(p.expect("Disk Where You Want to Install.....hdisk0"));
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("0\r");
    confirm_migration(p);
    REQUIRE(p.expect("Console login: "));
    CHECK(p.wait() == 0);
    fs::remove_all(dir);
  }
  SUBCASE("clone labelled rootvg, clone first: the oracle still knows") {
    Pty p(sim_args({"--clone-label", "rootvg", "--disks", "hdisk0:altinst_rootvg,hdisk1:rootvg"}));
    sms_to_media(p, "power7", "2");
    REQUIRE(p.expect("Please define the System Console."));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [1]: "));
    p.send("2\r");
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice ["));
    p.send("3\r");
    REQUIRE(p.expect("Change Disk(s)"));
    REQUIRE(p.expect(">>> Choice [0]: "));
    std::string screen = p.output().substr(p.output().rfind("Change Disk(s)"));
    CHECK(screen.find("altinst_rootvg") == std::string::npos);
    // rows longer than 80 columns continue on an indented line: name + location, then the rest
    CHECK(screen.find("    1  hdisk0    U8231.E2B.06DAFDP-V6-C2-T1-L8100000000000000\r\n") != std::string::npos);
    CHECK(screen.find("    2  hdisk1    U8231.E2B.06DAFDP-V6-C2-T1-L8200000000000000\r\n") != std::string::npos);
    std::size_t rootvg_rows = 0;
    for (auto at = screen.find("30720  rootvg      Yes    No"); at != std::string::npos;
         at = screen.find("30720  rootvg      Yes    No", at + 1))
      ++rootvg_rows;
    CHECK(rootvg_rows == 2);
    p.send("1\r");
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("0\r");
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("0\r");
    REQUIRE(p.expect("Migration Confirmation"));
    REQUIRE(p.expect(">>> Choice [0]: "));
    p.send("0\r");
    REQUIRE(p.expect("LPAR-SIM: DESTROYED hdisk0 (altinst_rootvg clone) by Migration Install"));
    CHECK(p.wait() == 9);
  }
}

TEST_CASE("two media volumes: the install stops for volume 2 and goes on after Enter") {
  std::string dir = tmpdir("swap");
  std::string log = dir + "/log.jsonl";
  Pty p(sim_args({"--media-volumes", "2", "--log", log, "--exit-at-login", "--install-lines", "200"}));
  sms_to_media(p, "power7");
  bos_migrate(p);
  confirm_migration(p);
  REQUIRE(p.expect("Please remove volume 1, insert volume 2, and press Enter to continue: "));
  CHECK(p.output().find("Finished processing all filesets") == std::string::npos);
  p.send("\r");
  REQUIRE(p.expect("Volume 2 accepted"));
  REQUIRE(p.expect("Finished processing all filesets"));
  REQUIRE(p.expect("Console login: "));
  CHECK(p.wait() == 0);
  CHECK(has_screen(read_log(log), "bos.media_swap"));
  fs::remove_all(dir);
}

TEST_CASE("first-boot-term gives a TERM prompt and a license prompt then a migrated 7.2 shell") {
  Pty p(sim_args({"--first-boot-term", "--install-lines", "20", "--broken-fileset", "bos.rte.foo",
                  "--root-password", "s3cret"}));
  sms_to_media(p, "power7");
  bos_migrate(p);
  confirm_migration(p);
  REQUIRE(p.expect("Set Terminal Type"));
  REQUIRE(p.expect(">>> Choice []: "));
  p.send("vt100\r");
  REQUIRE(p.expect("Console login: "));
  p.send("root\r");
  REQUIRE(p.expect("root's Password: "));
  p.send("wrong\r");
  REQUIRE(p.expect("3004-007 You entered an invalid login name or password."));
  REQUIRE(p.expect("Console login: "));
  p.send("root\r");
  REQUIRE(p.expect("root's Password: "));
  p.send("s3cret\r");
  REQUIRE(p.expect("Accept License agreements? [yes/no]: "));
  CHECK(p.output().find("s3cret") == std::string::npos);  // never echoed
  p.send("yes\r");
  REQUIRE(p.expect("# "));
  p.send("oslevel -s\r");
  REQUIRE(p.expect("7200-05-11-2546\r\n# "));
  p.send("lppchk -v\r");
  REQUIRE(p.expect("bos.rte.foo 7.2.5.0"));
  REQUIRE(p.expect("# "));
  p.send("bootlist -m normal -o\r");
  REQUIRE(p.expect("hdisk0 blv=hd5 pathid=0"));
  REQUIRE(p.expect("# "));
  p.send("lspv\r");
  REQUIRE(p.expect("hdisk0 "));
  REQUIRE(p.expect("rootvg          active"));
  REQUIRE(p.expect("altinst_rootvg"));
  REQUIRE(p.expect("# "));
  p.send("instfix -i | grep ML\r");
  REQUIRE(p.expect("Not all filesets for 7200-05_AIX_ML were found."));
  REQUIRE(p.expect("# "));
  p.send("errpt\r");
  REQUIRE(p.expect("IDENTIFIER TIMESTAMP"));
  REQUIRE(p.expect("# "));
  p.send("foo\r");
  REQUIRE(p.expect("ksh: foo:  not found."));
  REQUIRE(p.expect("# "));
  p.send("exit\r");
  REQUIRE(p.expect("Console login: "));
  CHECK(p.hangup_and_wait() == 0);
}

TEST_CASE("login and oslevel -s without first-boot prompts and --oslevel changes the answer") {
  Pty p(sim_args({"--install-lines", "20", "--oslevel", "7200-04-02-2028"}));
  sms_to_media(p, "power7");
  bos_migrate(p);
  confirm_migration(p);
  REQUIRE(p.expect("Console login: "));
  p.send("root\r");
  REQUIRE(p.expect("Password: "));
  p.send("anything\r");
  REQUIRE(p.expect("Welcome to AIX Version 7.2!"));
  REQUIRE(p.expect("# "));
  p.send("oslevel -s\r");
  REQUIRE(p.expect("7200-04-02-2028"));
  CHECK(p.hangup_and_wait() == 0);
}

TEST_CASE("--start login71: the running 7.1 system answers the pre-flight commands, with `,`, `echo $?` and `head`") {
  std::string dir = tmpdir("login71");
  std::string pwfile = dir + "/pw";
  std::ofstream(pwfile) << "t0ps3cret\n";
  Pty p(sim_args({"--start", "login71", "--root-password-file", pwfile, "--disks",
                  "hdisk0:rootvg:30720:U8286.42A.21271DA-V3-C2-T1-L8100000000000000,hdisk1:altinst_rootvg"}));
  REQUIRE(p.expect("Console login: "));
  p.send("root\r");
  REQUIRE(p.expect("root's Password: "));
  p.send("t0ps3cret\r");
  REQUIRE(p.expect("Welcome to AIX Version 7.1!"));
  REQUIRE(p.expect("# "));
  p.send("oslevel -s; echo __M\"\"_1__ $?\r");
  REQUIRE(p.expect("7100-05-06-2016\r\n__M_1__ 0\r\n# "));
  p.send("lscfg -vl 'hdisk*'\r");
  REQUIRE(p.expect("  hdisk0           U8286.42A.21271DA-V3-C2-T1-L8100000000000000  Virtual SCSI Disk Drive"));
  REQUIRE(p.expect("# "));
  p.send("lsvg rootvg | grep FREE\r");
  REQUIRE(p.expect("FREE PPs:       242 (15488 megabytes)"));
  REQUIRE(p.expect("# "));
  p.send("errpt | head -2\r");
  REQUIRE(p.expect("A6DF45AA"));
  REQUIRE(p.expect("# "));
  CHECK(p.output().find("9DBCFDEE") == std::string::npos);
  p.send("nosuch; echo \"s=$?\"\r");
  REQUIRE(p.expect("s=127"));
  p.send("exit\r");
  REQUIRE(p.expect("Console login: "));
  CHECK(p.hangup_and_wait() == 5);  // the 7.1 system: not migrated
  fs::remove_all(dir);
}

TEST_CASE("--start login72 is the migrated system (exit 0), --first-boot-term starts at its TERM prompt") {
  Pty p(sim_args({"--start", "login72", "--first-boot-term"}));
  REQUIRE(p.expect(">>> Choice []: "));
  p.send("vt100\r");
  REQUIRE(p.expect("Console login: "));
  CHECK(p.hangup_and_wait() == 0);
}

TEST_CASE("no key at the POST boots the stored boot list (the old system) and exits 5") {
  Pty p(sim_args({"--post-wait", "0", "--exit-at-login"}));
  REQUIRE(p.expect("1 = SMS Menu"));
  REQUIRE(p.expect("Console login: "));
  CHECK(p.wait() == 5);
}

TEST_CASE("EOF before the login prompt exits 4 and the same flags and keys give the same bytes") {
  auto run = [] {
    Pty p(sim_args({"--seed", "42", "--firmware", "power9"}));
    REQUIRE(p.expect("Speaker"));
    p.send("1");
    REQUIRE(p.expect(kSmsPrompt));
    CHECK(p.hangup_and_wait() == 4);
    return p.output();
  };
  std::string a = run(), b = run();
  CHECK(a == b);
  CHECK(a.find("FW950") != std::string::npos);
}

TEST_CASE("bad usage exits 3") {
  Pty p({LPAR_SIM, "console", "--disks", "hdisk0:datavg"});
  CHECK(p.wait() == 3);
  Pty q({LPAR_SIM, "console", "--firmware", "power6"});
  CHECK(q.wait() == 3);
  for (auto bad : {std::vector<std::string>{"--think", "-1"}, {"--link-latency", "x"}, {"--jitter", "1.5"}}) {
    std::vector<std::string> argv = {LPAR_SIM, "console"};
    argv.insert(argv.end(), bad.begin(), bad.end());
    Pty b(argv);
    CHECK_MESSAGE(b.wait() == 3, bad[0] << " " << bad[1]);
  }
  Pty h({LPAR_SIM, "console", "--help"});
  CHECK(h.wait() == 0);
  for (const char* flag : {"--firmware", "--disks", "--disk-screen", "--clone-label", "--media-label", "--cdrom-item",
                           "--install-lines", "--time-scale", "--fast", "--media-volumes", "--first-boot-term",
                           "--drop-keys-under", "--seed", "--log", "--boot", "--post-wait", "--exit-at-login",
                           "--link-latency", "--think", "--jitter"})
    CHECK_MESSAGE(h.output().find(flag) != std::string::npos, flag);
}

// ------------------------------------------------------------------------------------ HMC

namespace {

struct HmcResult {
  int code;
  std::string out;
};

// Runs `lpar-sim hmc` the way sshd's ForceCommand would: the command in SSH_ORIGINAL_COMMAND.
HmcResult hmc(const std::string& state, const std::string& command) {
  Pty p({LPAR_SIM, "hmc"}, {"LPAR_SIM_STATE=" + state, "SSH_ORIGINAL_COMMAND=" + command});
  int code = p.wait();
  return {code, p.output()};
}

const std::string kMS = "Server-8247-42L-SN21271DA";

struct State {
  std::string dir = tmpdir("hmc");
  explicit State(const std::string& sim_args = "--fast") {
    std::ofstream(dir + "/sim-args") << sim_args << "\n";
  }
  ~State() {
    hmc(dir, "chsysstate -r lpar -m " + kMS + " -o shutdown -n lpar01 --immed");
    fs::remove_all(dir);
  }
};

}  // namespace

TEST_CASE("hmc: lssyscfg shows the state that chsysstate on and shutdown change") {
  State s;
  auto r = hmc(s.dir, "lssyscfg -r lpar -m " + kMS + " --filter lpar_names=lpar01 -F state");
  CHECK(r.code == 0);
  CHECK(r.out == "Not Activated\r\n");
  r = hmc(s.dir, "chsysstate -r lpar -m " + kMS + " -o on -n lpar01 -f default_profile -b sms");
  CHECK(r.code == 0);
  r = hmc(s.dir, "lssyscfg -r lpar -m " + kMS + " --filter \"lpar_names=lpar01\" -F name,state");
  CHECK(r.code == 0);
  CHECK(r.out == "lpar01,Open Firmware\r\n");
  r = hmc(s.dir, "chsysstate -r lpar -m " + kMS + " -o on -n lpar01 -f default_profile -b sms");
  CHECK(r.code != 0);  // already activated
  r = hmc(s.dir, "chsysstate -r lpar -m " + kMS + " -o shutdown -n lpar01 --immed");
  CHECK(r.code == 0);
  r = hmc(s.dir, "lssyscfg -r lpar -m " + kMS + " --filter lpar_names=lpar01 -F state");
  CHECK(r.out == "Not Activated\r\n");
}

TEST_CASE("hmc: wrong arguments and unknown commands fail like the HMC") {
  State s;
  auto r = hmc(s.dir, "lssyscfg -r lpar -m NoSuchSystem -F state");
  CHECK(r.code == 1);
  CHECK(r.out.find("NoSuchSystem") != std::string::npos);
  r = hmc(s.dir, "lssyscfg -m " + kMS);
  CHECK(r.code == 1);
  r = hmc(s.dir, "lssyscfg -r lpar -m " + kMS + " --filter lpar_names=nope -F state");
  CHECK(r.code == 1);
  r = hmc(s.dir, "chsysstate -r lpar -m " + kMS + " -o on -n lpar01 -f wrong_profile");
  CHECK(r.code == 1);
  r = hmc(s.dir, "rm -rf /");
  CHECK(r.code == 127);
  CHECK(r.out.find("rm: command not found") != std::string::npos);
  r = hmc(s.dir, "");
  CHECK(r.code != 0);
}

TEST_CASE("hmc: viosvrcmd loadopt / unloadopt record the virtual optical media") {
  State s;
  auto r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"loadopt -disk aix72_vol1.iso -vtd vtopt0\"");
  CHECK(r.code == 0);
  r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"lsvopt\"");
  CHECK(r.out.find("aix72_vol1.iso") != std::string::npos);
  r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"loadopt -disk aix72_vol2.iso -vtd vtopt0\"");
  CHECK(r.code == 1);  // something is loaded already
  r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"unloadopt -vtd vtopt0\"");
  CHECK(r.code == 0);
  r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"loadopt -disk aix72_vol2.iso -vtd vtopt0\"");
  CHECK(r.code == 0);
  std::ifstream in(s.dir + "/vtopt");
  std::string loaded;
  std::getline(in, loaded);
  CHECK(loaded == "aix72_vol2.iso");
  r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"loadopt -f -disk nosuch.iso -vtd vtopt0\"");
  CHECK(r.code == 1);
  r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p lpar01 -c \"lsvopt\"");
  CHECK(r.code == 1);  // not a VIOS
  r = hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"frobnicate\"");
  CHECK(r.code == 1);
}

TEST_CASE("hmc: mkvterm attaches and a second one is busy (exit 0) and ~. asks and rmvterm frees") {
  State s;
  REQUIRE(hmc(s.dir, "chsysstate -r lpar -m " + kMS + " -o on -n lpar01 -f default_profile -b sms").code == 0);
  std::vector<std::string> env = {"LPAR_SIM_STATE=" + s.dir, "SSH_ORIGINAL_COMMAND=mkvterm -m " + kMS + " -p lpar01"};
  Pty v({LPAR_SIM, "hmc"}, env);
  REQUIRE(v.expect("\r\n Open in progress  \r\n "));
  v.send("\r");  // the firmware redraws its menu on Enter
  REQUIRE(v.expect(" Main Menu"));
  REQUIRE(v.expect(kSmsPrompt));

  auto busy = hmc(s.dir, "mkvterm -m " + kMS + " -p lpar01");
  CHECK(busy.code == 0);
  CHECK(busy.out.find("A terminal session is already open for this partition.") != std::string::npos);
  CHECK(busy.out.find("Exiting....") != std::string::npos);

  v.send("~.");
  REQUIRE(v.expect("Terminate session? [y/n]"));
  v.send("n");
  v.send("5\r");
  REQUIRE(v.expect(" Multiboot"));  // the session goes on after n
  v.send("\r~.");
  REQUIRE(v.expect("Terminate session? [y/n]"));
  v.send("y");
  CHECK(v.wait() == 0);

  // free again: a new vterm, which rmvterm then takes away
  Pty w({LPAR_SIM, "hmc"}, env);
  REQUIRE(w.expect("Open in progress"));
  w.send("\r");
  REQUIRE(w.expect(" Multiboot"));  // the LPAR kept its place between sessions
  CHECK(hmc(s.dir, "rmvterm -m " + kMS + " -p lpar01").code == 0);
  REQUIRE(w.expect("This session is no longer connected. Please close this window."));
  CHECK(w.hangup_and_wait() == 0);
  Pty again({LPAR_SIM, "hmc"}, env);  // free now: attaches instead of the busy message
  REQUIRE(again.expect("Open in progress"));
  again.send("\r");
  REQUIRE(again.expect(kSmsPrompt));
  CHECK(again.output().find("already open") == std::string::npos);
  CHECK(again.hangup_and_wait() == 0);
}

TEST_CASE("hmc: the media swap passes only once volume 2 is loaded with viosvrcmd") {
  State s("--fast --media-volumes 2 --install-lines 40");
  REQUIRE(hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"loadopt -disk aix72_vol1.iso -vtd vtopt0\"").code == 0);
  REQUIRE(hmc(s.dir, "chsysstate -r lpar -m " + kMS + " -o on -n lpar01 -f default_profile -b sms").code == 0);
  Pty v({LPAR_SIM, "hmc"},
        {"LPAR_SIM_STATE=" + s.dir, "SSH_ORIGINAL_COMMAND=mkvterm -m " + kMS + " -p lpar01"});
  REQUIRE(v.expect("Open in progress"));
  v.send("\r");
  REQUIRE(v.expect(kSmsPrompt));
  v.send("5\r");
  REQUIRE(v.expect(kSmsPrompt));
  v.send("1\r");
  REQUIRE(v.expect(kSmsPrompt));
  v.send("7\r");
  REQUIRE(v.expect(" Number  Position  Name"));
  REQUIRE(v.expect(kSmsPrompt));
  v.send("2\r");
  REQUIRE(v.expect(kSmsPrompt));
  v.send("2\r");
  REQUIRE(v.expect(kSmsPrompt));
  v.send("1\r");
  bos_migrate(v);
  confirm_migration(v);
  REQUIRE(v.expect("insert volume 2, and press Enter to continue: "));
  CHECK(hmc(s.dir, "lssyscfg -r lpar -m " + kMS + " --filter lpar_names=lpar01 -F state").out == "Running\r\n");
  v.send("\r");
  REQUIRE(v.expect("is not volume 2 (aix72_vol1.iso)"));
  REQUIRE(v.expect("insert volume 2, and press Enter to continue: "));
  REQUIRE(hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"unloadopt -vtd vtopt0\"").code == 0);
  REQUIRE(hmc(s.dir, "viosvrcmd -m " + kMS + " -p vios1 -c \"loadopt -disk aix72_vol2.iso -vtd vtopt0\"").code == 0);
  v.send("\r");
  REQUIRE(v.expect("Volume 2 accepted"));
  REQUIRE(v.expect("Console login: "));
  CHECK(v.hangup_and_wait() == 0);
}
