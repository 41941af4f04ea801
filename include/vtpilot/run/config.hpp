#pragma once
// `run --config FILE`: the HMC, the LPARs on it, and each LPAR's policy, as TOML.
// Pure: text in, a validated Config out; every problem is file:line: message (check, run).
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"  // SignatureError: file:line: message

namespace vtpilot {

// How to reach the HMC. Empty / 0 means "as ~/.ssh/config (then OpenSSH's defaults) says".
struct HmcConfig {
  std::string host;           // name, address, or a Host alias of the ssh config
  int port = 0;
  std::string user;
  std::string identity;       // private key file (no passphrase); else agent, then default keys
  std::string password_file;  // mode 0600; read once, held in memory, never logged
  bool password_prompt = false;  // ask on the terminal instead
  std::string known_hosts;    // default ~/.ssh/known_hosts; an unknown or changed key is exit 5
  std::string ssh_config;     // default ~/.ssh/config and /etc/ssh/ssh_config
  double connect_timeout_s = 20;
  double keepalive_s = 30;
  int reconnect_attempts = 6;  // after a drop mid-run; backoff 1, 2, 4, ... s (at most 30 s apart)
  // LPARs of this HMC driven at once (each is an ssh connection and a vterm on the HMC); the
  // others wait their turn in config order. 4: an HMC serves many sessions, and a migration
  // is a long quiet vterm, but a fleet's worth of logins at once is not kind to a busy HMC.
  int max_concurrent = 4;
};

struct LparConfig {
  std::string name;
  std::string managed_system;
  std::string profile = "default_profile";
  std::string vios;
  std::string vtd = "vtopt0";
  std::vector<std::string> media;  // ISO names in the VIOS library, volume 1 first
  Policy policy;                   // target and clone identity
  std::string plan = "migrate";
  std::string media_pattern;       // SMS install media label (regex), "" = the built-in default
  std::string media_location;
  double pacing_ms = 100;
  double timeout_s = 900;
  double confirm_timeout_s = 5;
  std::string transcripts = ".";   // folder for <lpar>-DATE-TIME.cast
  bool power_on = false;           // activate into SMS when Not Activated
  bool allow_restart = false;      // with power_on: shut down a Running LPAR first (never by default)
  bool take_over = false;          // rmvterm a console held by another session
  bool reclaim_own_vterm = true;   // after a drop: rmvterm a console our own dropped session still holds
  bool resume = false;             // with power_on: a Running LPAR is attached as it is (a re-run), never refused or powered
  std::string expect_level;        // oslevel -s prefix of the target ("7200-05"): with resume, an AIX the HMC reports up at it is done
  int line = 0;                    // where [[lpar]] starts, for messages
};

struct Config {
  std::string file;
  HmcConfig hmc;
  std::vector<LparConfig> lpars;
};

// Parses and validates; appends every problem to errors. `home` expands a leading ~/ in paths.
bool load_config(std::string_view file_name, std::string_view text, Config& config,
                 std::vector<SignatureError>& errors, const std::string& home = "");
bool read_config(const std::string& path, Config& config, std::vector<SignatureError>& errors);
// A config file is told from plans and signatures by its [hmc] table.
bool looks_like_config(std::string_view text);

}  // namespace vtpilot
