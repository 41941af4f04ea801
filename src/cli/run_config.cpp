// vtpilot run --config FILE: ssh to the HMC, mkvterm, the HMC commands around the console, and
// every LPAR of the config migrated at once in one Asio loop. Each LPAR has its own ssh
// connection, guard, plan state and transcript: one LPAR's failure never stops another.
#include <utility>  // before Asio (debian12-notes.md)

#include <unistd.h>

#include <boost/asio.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "vtpilot/config.hpp"
#include "vtpilot/secret.hpp"
#include "vtpilot/transport_hmc.hpp"

namespace vtpilot::cli {

namespace {

std::string stamp() {
  std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&now));
  return buf;
}

bool policy_given(const Policy& p) {
  const Policy d;
  return p.target_name != d.target_name || !p.target_location.empty() || !p.target_pvid.empty() ||
         !p.clone_location.empty() || !p.clone_pvid.empty();
}

struct Lpar {
  LparConfig cfg;
  Plan plan;
  std::string transcript;
  std::unique_ptr<Recorder> recorder;
  std::unique_ptr<Session> session;
  std::unique_ptr<LiveRun> run;
  int percent = -1, elapsed = -1;
};

}  // namespace

std::optional<std::string> load_hmc_password(const HmcConfig& h, std::string& error) {
  if (!h.password_file.empty()) {
    auto pw = read_secret_file(h.password_file, error);
    if (!pw) error = "[hmc] password_file: " + error;
    return pw;
  }
  if (h.password_prompt) return prompt_secret("Password for " + (h.user.empty() ? "" : h.user + "@") + h.host + ": ", error);
  return std::nullopt;
}

HmcVtermOptions hmc_options(const Config& c, const LparConfig& l, const std::optional<std::string>& password) {
  HmcVtermOptions o;
  o.ssh.host = c.hmc.host;
  o.ssh.port = c.hmc.port;
  o.ssh.user = c.hmc.user;
  o.ssh.identity = c.hmc.identity;
  o.ssh.known_hosts = c.hmc.known_hosts;
  o.ssh.ssh_config = c.hmc.ssh_config;
  o.ssh.password = password;
  o.ssh.connect_timeout_s = c.hmc.connect_timeout_s;
  o.ssh.keepalive_s = c.hmc.keepalive_s;
  o.reconnect_attempts = c.hmc.reconnect_attempts;
  o.managed_system = l.managed_system;
  o.lpar = l.name;
  o.profile = l.profile;
  o.vios = l.vios;
  o.vtd = l.vtd;
  o.media = l.media;
  o.power_on = l.power_on;
  o.allow_restart = l.allow_restart;
  o.take_over = l.take_over;
  return o;
}

// The config, the LPARs chosen on the command line, and the command line's overrides.
std::optional<Config> load_run_config(const RunArgs& a, const char* who, int& code) {
  Config c;
  std::vector<SignatureError> errors;
  if (!read_config(a.config, c, errors)) {
    for (auto& e : errors) std::cerr << e.str() << "\n";
    code = kUsage;
    return std::nullopt;
  }
  if (!a.lpars.empty()) {
    std::vector<LparConfig> chosen;
    for (const std::string& name : a.lpars) {
      auto it = std::find_if(c.lpars.begin(), c.lpars.end(), [&](const LparConfig& l) { return l.name == name; });
      if (it == c.lpars.end()) {
        std::string known;
        for (auto& l : c.lpars) known += (known.empty() ? "" : ", ") + l.name;
        std::cerr << "vtpilot " << who << ": --lpar " << name << " is not in " << a.config << " (it has: " << known << ")\n";
        code = kUsage;
        return std::nullopt;
      }
      chosen.push_back(*it);
    }
    c.lpars = std::move(chosen);
  }
  if (policy_given(a.policy) && c.lpars.size() != 1) {
    std::cerr << "vtpilot " << who << ": the --target-*/--clone-* flags pin one LPAR's disks; with " << c.lpars.size()
              << " LPARs put them in the config ([lpar.target], [lpar.clone]) or choose one with --lpar\n";
    code = kUsage;
    return std::nullopt;
  }
  if (!a.transcript.empty() && c.lpars.size() != 1) {
    std::cerr << "vtpilot " << who << ": --transcript names one file; with " << c.lpars.size()
              << " LPARs each gets <transcripts>/<lpar>-DATE-TIME.cast (set `transcripts` in the config)\n";
    code = kUsage;
    return std::nullopt;
  }
  for (LparConfig& l : c.lpars) {
    if (a.power_on) l.power_on = true;
    if (a.take_over) l.take_over = true;
    if (a.pacing_given) l.pacing_ms = a.pacing_ms;
    if (a.timeout_given) l.timeout_s = a.timeout_s;
    if (policy_given(a.policy)) l.policy = a.policy;
    if (!a.media_pattern.empty()) l.media_pattern = a.media_pattern;
    if (!a.media_location.empty()) l.media_location = a.media_location;
    if (a.plan != "migrate") l.plan = a.plan;
  }
  return c;
}

int run_config(const RunArgs& a) {
  int code = 0;
  auto config = load_run_config(a, "run", code);
  if (!config) return code;
  std::string err;
  std::optional<std::string> password = load_hmc_password(config->hmc, err);
  if (!password && !err.empty()) {
    std::cerr << "vtpilot run: " << err << "\n";
    return kUsage;
  }

  std::vector<std::unique_ptr<Lpar>> lpars;
  const bool many = config->lpars.size() > 1;
  for (const LparConfig& l : config->lpars) {
    auto x = std::make_unique<Lpar>();
    x->cfg = l;
    std::vector<SignatureError> errors;
    if (!resolve_plan(l.plan, Recognizer::builtin(), x->plan, errors)) {
      for (auto& e : errors) std::cerr << e.str() << "\n";
      return kUsage;
    }
    x->transcript = a.transcript;
    if (x->transcript.empty()) {
      // <lpar>-DATE-TIME.cast, and -2, -3 ... when a run in the same second made one already.
      const auto base = std::filesystem::path(l.transcripts) / (l.name + "-" + stamp());
      x->transcript = base.string() + ".cast";
      for (int n = 2; std::filesystem::exists(x->transcript) && n < 1000; ++n) x->transcript = base.string() + "-" + std::to_string(n) + ".cast";
    }
    x->recorder = std::make_unique<Recorder>();
    if (auto e = x->recorder->open(x->transcript, 80, 24, "vtpilot run " + l.name + " (" + x->plan.name + ")",
                                   static_cast<double>(std::time(nullptr)))) {
      std::cerr << "vtpilot run: " << l.name << ": cannot create the transcript: " << *e << "\n";
      return kUsage;
    }
    EngineOptions eo;
    eo.screen_timeout_s = l.timeout_s;
    eo.confirm_timeout_s = l.confirm_timeout_s;
    if (!l.media_pattern.empty()) eo.media_pattern = l.media_pattern;
    eo.media_location = l.media_location;
    Policy policy = l.policy;
    policy.extra_forbidden_labels = x->plan.forbidden_labels;
    x->session = std::make_unique<Session>(x->plan, Recognizer::builtin(), Guard(policy), eo);
    lpars.push_back(std::move(x));
  }

  boost::asio::io_context io;
  const auto t0 = std::chrono::steady_clock::now();
  auto clock = [t0] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const bool tty = ::isatty(2);
  auto combined = [&] {
    std::string line = "  install:";
    for (auto& x : lpars)
      if (x->percent >= 0)
        line += " " + x->cfg.name + " " + std::to_string(x->percent) + "% (" + std::to_string(x->elapsed) + " min)";
    if (tty) draw_status_line(line);
    else std::cerr << line << "\n";
  };
  std::size_t running = lpars.size();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  for (auto& xp : lpars) {
    Lpar& x = *xp;
    RunOptions ro;
    ro.pacing_s = x.cfg.pacing_ms / 1000.0;
    ro.events_json = a.events == "json";
    ro.quiet = a.quiet;
    ro.tty = tty;
    if (many) {
      ro.label = x.cfg.name;
      ro.on_progress = [&x, &combined](int percent, int elapsed) {
        x.percent = percent;
        x.elapsed = elapsed;
        combined();
      };
    }
    Recorder& rec = *x.recorder;
    const std::string name = x.cfg.name;
    const bool quiet = a.quiet, json = a.events == "json";
    auto note = [&rec, clock, name, quiet, json, many, tty](const std::string& s) {
      rec.marker(clock(), "hmc: " + s);
      if (!quiet)
        std::cerr << (tty ? "\r\033[K" : "") << (many ? "[" + name + "] " : std::string()) << "  hmc: " << s << "\n";
      if (json)
        std::cout << nlohmann::json{{"t", clock()}, {"event", "hmc"}, {"lpar", name}, {"text", s}}.dump() << "\n" << std::flush;
    };
    auto transport = make_hmc_transport(io, hmc_options(*config, x.cfg, password), rec, clock, note);
    if (!a.quiet)
      std::cerr << (many ? "[" + name + "] " : std::string()) << "vtpilot: " << transport->describe() << "\n  plan "
                << x.plan.name << ", transcript " << x.transcript << "\n";
    x.run = std::make_unique<LiveRun>(io, *x.session, std::move(transport), rec, ro);
    // The loop ends once every run has finished and left its vterm.
    x.run->start([&running, &signals](const RunResult&) {
      if (--running == 0) signals.cancel();
    });
  }

  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      const int exit = sig == SIGINT ? 130 : sig == SIGTERM ? 143 : 129;
      const std::string why = std::string("stopped by signal ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
      for (auto& x : lpars)
        if (!x->run->finished()) x->run->stop(why, exit);
      wait_signal();
    });
  };
  wait_signal();
  io.run();

  int overall = kDone;
  for (auto& x : lpars) {
    x->recorder->close();
    const RunResult& r = x->run->result();
    if (many && !a.quiet) std::cerr << "\n[" << x->cfg.name << "]";
    int rc = report_outcome(r, x->transcript, a.quiet, a.events == "json");
    if (overall == kDone && rc != kDone) overall = rc;  // the first LPAR that did not finish, in config order
  }
  if (many && !a.quiet) {
    std::cerr << "\nvtpilot: " << lpars.size() << " LPARs:\n";
    for (auto& x : lpars) {
      const RunResult& r = x->run->result();
      std::cerr << "  " << x->cfg.name << std::string(x->cfg.name.size() < 16 ? 16 - x->cfg.name.size() : 1, ' ')
                << "exit " << r.exit_code << "  " << static_cast<int>(r.seconds) << " s  " << x->transcript << "\n";
    }
  }
  return overall;
}

}  // namespace vtpilot::cli
