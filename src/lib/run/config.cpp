// The TOML config of `run --config` -> validated Config. Errors are file:line: message.
#include "vtpilot/run/config.hpp"

#include "screens/toml_errors.hpp"

#include <cmath>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "vtpilot/base/regex.hpp"

namespace vtpilot {

namespace {

struct Reader {
  const std::string& file;
  std::vector<SignatureError>& errors;
  const std::string& home;

  void err(const toml::node* n, std::string msg) { errors.push_back({file, line_of(n), std::move(msg)}); }

  std::string expand(std::string p) const {
    if (!home.empty() && (p == "~" || p.rfind("~/", 0) == 0)) p = home + p.substr(1);
    return p;
  }

  void unknown_keys(const toml::table& t, const std::string& where, std::initializer_list<const char*> known) {
    for (auto&& [k, v] : t) {
      std::string key(k.str());
      if (std::none_of(known.begin(), known.end(), [&](const char* x) { return key == x; })) {
        std::string list;
        for (const char* x : known) list += (list.empty() ? "" : ", ") + std::string(x);
        err(&v, "unknown key `" + key + "` in " + where + " (known: " + list + ")");
      }
    }
  }

  void str(const toml::table& t, const char* key, std::string& out, bool path = false) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (auto s = n->value<std::string>()) out = path ? expand(*s) : *s;
    else err(n, std::string("`") + key + "` must be a string");
  }
  void boolean(const toml::table& t, const char* key, bool& out) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (auto b = n->value<bool>()) out = *b;
    else err(n, std::string("`") + key + "` must be true or false");
  }
  void number(const toml::table& t, const char* key, double& out, double lo, double hi) {
    const toml::node* n = t.get(key);
    if (!n) return;
    auto d = n->value<double>();  // integers convert
    if (!d || !std::isfinite(*d) || *d < lo || *d > hi) {  // nan passes both comparisons
      std::ostringstream m;
      m << "`" << key << "` must be a number from " << lo << " to " << hi;
      err(n, m.str());
      return;
    }
    out = *d;
  }
  void integer(const toml::table& t, const char* key, int& out, int lo, int hi) {
    double d = out;
    const std::size_t before = errors.size();
    number(t, key, d, lo, hi);
    if (errors.size() == before) {
      if (d != static_cast<int>(d)) err(t.get(key), std::string("`") + key + "` must be a whole number");
      else out = static_cast<int>(d);
    }
  }
};

// ISO and device names go into a command the VIOS shell runs (viosvrcmd -c "loadopt ..."):
// only plain words, so a name can never become a second command.
bool safe_word(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
  });
}

// "7200", "7200-05", "7200-05-03-2148": the start of what oslevel -s prints.
bool level_prefix(const std::string& s) {
  if (s.size() < 4 || !std::all_of(s.begin(), s.begin() + 4, [](unsigned char c) { return std::isdigit(c); })) return false;
  for (std::size_t i = 4; i < s.size(); ++i)
    if (!(std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] == '-' && i + 1 < s.size() && s[i + 1] != '-'))) return false;
  return true;
}

const std::initializer_list<const char*> kLparKeys = {
    "name", "managed_system", "profile", "vios", "vtd", "media", "plan", "media_pattern", "media_location",
    "pacing_ms", "timeout_s", "confirm_timeout_s", "transcripts", "power_on", "allow_restart", "take_over",
    "reclaim_own_vterm", "resume", "expect_level", "target", "clone"};

// [defaults] and [[lpar]] take the same keys; an [[lpar]] starts from the defaults.
void read_lpar(Reader& r, const toml::table& t, LparConfig& l, const std::string& where) {
  r.unknown_keys(t, where, kLparKeys);
  r.str(t, "name", l.name);
  r.str(t, "managed_system", l.managed_system);
  r.str(t, "profile", l.profile);
  r.str(t, "vios", l.vios);
  r.str(t, "vtd", l.vtd);
  if (!safe_word(l.vtd)) r.err(t.get("vtd"), "`vtd` is a virtual target device name such as vtopt0 (letters, digits, . _ + -)");
  r.str(t, "plan", l.plan);
  r.str(t, "media_pattern", l.media_pattern);
  r.str(t, "media_location", l.media_location);
  r.str(t, "transcripts", l.transcripts, true);
  r.number(t, "pacing_ms", l.pacing_ms, 0, 10000);
  r.number(t, "timeout_s", l.timeout_s, 0.1, 86400);
  r.number(t, "confirm_timeout_s", l.confirm_timeout_s, 0.01, 600);
  r.boolean(t, "power_on", l.power_on);
  r.boolean(t, "allow_restart", l.allow_restart);
  r.boolean(t, "take_over", l.take_over);
  r.boolean(t, "reclaim_own_vterm", l.reclaim_own_vterm);
  r.boolean(t, "resume", l.resume);
  r.str(t, "expect_level", l.expect_level);
  if (!l.expect_level.empty() && !level_prefix(l.expect_level))
    r.err(t.get("expect_level"), "`expect_level` is the start of oslevel -s, such as \"7200-05\" or \"7300\" (4 digits, then "
                                 "-NN groups)");
  if (const toml::node* n = t.get("media")) {
    if (const toml::array* a = n->as_array()) {
      l.media.clear();
      for (const toml::node& item : *a) {
        auto s = item.value<std::string>();
        if (s && safe_word(*s)) l.media.push_back(*s);
        else r.err(&item, "`media` lists ISO names of the VIOS media library (letters, digits, . _ + -), volume 1 first");
      }
    } else {
      r.err(n, "`media` must be a list of ISO names, e.g. [\"aix72_vol1.iso\", \"aix72_vol2.iso\"]");
    }
  }
  if (!l.media_pattern.empty()) {
    std::string e;
    std::size_t off = 0;
    if (!Regex::compile(l.media_pattern, e, off, false, true))
      r.err(t.get("media_pattern"), "bad regex in `media_pattern` at offset " + std::to_string(off) + ": " + e);
  }
  for (const char* which : {"target", "clone"}) {
    const toml::node* n = t.get(which);
    if (!n) continue;
    const toml::table* d = n->as_table();
    if (!d) {
      r.err(n, std::string("`") + which + "` must be a table, e.g. " + which +
                   (std::string(which) == "target" ? " = { disk = \"hdisk0\", pvid = \"00f6...\" }"
                                                   : " = { location = \"U8247...-L8200000000000000\" }"));
      continue;
    }
    if (std::string(which) == "target") {
      r.unknown_keys(*d, "target", {"disk", "location", "pvid", "size_mb"});
      r.str(*d, "disk", l.policy.target_name);
      r.str(*d, "location", l.policy.target_location);
      r.str(*d, "pvid", l.policy.target_pvid);
      if (const toml::node* sz = d->get("size_mb")) {
        if (auto v = sz->value<std::int64_t>(); v && *v >= 0) l.policy.target_size_mb = static_cast<long>(*v);
        else r.err(sz, "`size_mb` must be a whole number of MB, e.g. size_mb = 20480");
      }
    } else {
      r.unknown_keys(*d, "clone", {"location", "pvid"});
      r.str(*d, "location", l.policy.clone_location);
      r.str(*d, "pvid", l.policy.clone_pvid);
    }
  }
}

}  // namespace

bool looks_like_config(std::string_view text) {
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto b = line.find_first_not_of(" \t");
    if (b != std::string::npos && line.compare(b, 5, "[hmc]") == 0) return true;
  }
  return false;
}

bool load_config(std::string_view file_name, std::string_view text, Config& config,
                 std::vector<SignatureError>& errors, const std::string& home) {
  const std::string file(file_name);
  const std::size_t before = errors.size();
  auto parsed = parse_toml(text, file, errors);
  if (!parsed) return false;
  const toml::table& tbl = *parsed;
  Reader r{file, errors, home};
  config = Config{};
  config.file = file;
  r.unknown_keys(tbl, "the file", {"hmc", "defaults", "lpar"});

  const toml::table* hmc = tbl["hmc"].as_table();
  if (!hmc) {
    r.err(tbl.get("hmc"), "a config needs an [hmc] table with at least `host = \"...\"`");
  } else {
    HmcConfig& h = config.hmc;
    r.unknown_keys(*hmc, "[hmc]", {"host", "port", "user", "identity", "password_file", "password_prompt", "known_hosts",
                                   "ssh_config", "connect_timeout_s", "keepalive_s", "reconnect_attempts",
                                   "max_concurrent"});
    r.str(*hmc, "host", h.host);
    r.integer(*hmc, "port", h.port, 1, 65535);
    r.str(*hmc, "user", h.user);
    r.str(*hmc, "identity", h.identity, true);
    r.str(*hmc, "password_file", h.password_file, true);
    r.boolean(*hmc, "password_prompt", h.password_prompt);
    r.str(*hmc, "known_hosts", h.known_hosts, true);
    r.str(*hmc, "ssh_config", h.ssh_config, true);
    r.number(*hmc, "connect_timeout_s", h.connect_timeout_s, 1, 600);
    r.number(*hmc, "keepalive_s", h.keepalive_s, 1, 3600);
    r.integer(*hmc, "reconnect_attempts", h.reconnect_attempts, 0, 100);
    r.integer(*hmc, "max_concurrent", h.max_concurrent, 1, 64);
    if (h.host.empty()) r.err(hmc, "[hmc] needs `host = \"...\"` (a name, an address, or a Host of ~/.ssh/config)");
    if (!h.password_file.empty() && h.password_prompt)
      r.err(hmc->get("password_prompt"), "give `password_file` or `password_prompt`, not both");
    for (const char* k : {"password", "pass", "secret"})
      if (hmc->get(k))
        r.err(hmc->get(k), "never put a password in the config: use `password_file` (mode 0600) or `password_prompt = true`");
  }

  LparConfig defaults;
  if (const toml::node* d = tbl.get("defaults")) {
    if (const toml::table* t = d->as_table()) {
      if (t->get("name")) r.err(t->get("name"), "`name` belongs in an [[lpar]], not in [defaults]");
      read_lpar(r, *t, defaults, "[defaults]");
    } else {
      r.err(d, "`defaults` must be a table ([defaults])");
    }
  }

  const toml::array* lpars = tbl["lpar"].as_array();
  if (!lpars || lpars->empty()) r.err(tbl.get("lpar"), "a config needs at least one [[lpar]] with `name = \"...\"`");
  std::set<std::string> names;
  if (lpars) {
    for (const toml::node& node : *lpars) {
      const toml::table* t = node.as_table();
      if (!t) {
        r.err(&node, "`lpar` must be a table ([[lpar]])");
        continue;
      }
      LparConfig l = defaults;
      l.name.clear();
      l.line = line_of(&node);
      read_lpar(r, *t, l, "[[lpar]]");
      if (l.name.empty()) r.err(&node, "[[lpar]] needs `name = \"...\"` (the partition name on the HMC)");
      else if (!names.insert(l.name).second) r.err(t->get("name"), "LPAR `" + l.name + "` is listed twice");
      if (l.managed_system.empty())
        r.err(&node, "LPAR `" + l.name + "` needs `managed_system` (here or in [defaults]; `lssyscfg -r sys -F name`)");
      if (l.media.size() > 1 && l.vios.empty())
        r.err(&node, "LPAR `" + l.name + "` lists " + std::to_string(l.media.size()) +
                         " media volumes but no `vios` to swap them on (viosvrcmd -p VIOS)");
      if (l.allow_restart && l.resume)
        r.err(t->get("resume") ? t->get("resume") : t->get("allow_restart"),
              "`resume` attaches a Running LPAR as it is, `allow_restart` shuts it down: choose one");
      if (l.allow_restart && !l.power_on)
        r.err(t->get("allow_restart"), "`allow_restart` only means something with `power_on = true`");
      config.lpars.push_back(std::move(l));
    }
  }
  return errors.size() == before;
}

bool read_config(const std::string& path, Config& config, std::vector<SignatureError>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back({path, 0, "cannot read the config (no such file, or not readable)"});
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const char* home = std::getenv("HOME");
  return load_config(path, ss.str(), config, errors, home ? home : "");
}

}  // namespace vtpilot
