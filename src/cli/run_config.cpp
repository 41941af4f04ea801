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
#include "ui.hpp"
#include "vtpilot/engine/driver_chain.hpp"
#include "vtpilot/record/left_at.hpp"
#include "vtpilot/run/config.hpp"
#include "vtpilot/hmc/commands.hpp"
#include "vtpilot/transport/secret.hpp"
#include "vtpilot/transport/hmc_vterm.hpp"

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
  return p.target_name != d.target_name || !p.target_location.empty() || !p.target_pvid.empty() || p.target_size_mb >= 0 ||
         !p.clone_location.empty() || !p.clone_pvid.empty();
}

struct Lpar {
  LparConfig cfg;
  Plan plan;
  Policy policy;
  std::string transcript;
  std::string previous;  // resume: the transcript of the last run on this LPAR
  std::unique_ptr<Recorder> recorder;
  std::unique_ptr<Session> session;
  std::unique_ptr<ShellDriver> shell;  // run --verify: the acceptance checks after the plan
  std::unique_ptr<DriverChain> chain;
  std::unique_ptr<LiveRun> run;
  int percent = -1, elapsed = -1;
  bool started = false;     // max_concurrent: started in its turn
  RunResult not_started;    // the result of one stopped before its turn
  int view_index = -1;  // --serve: this LPAR in the live view
};

// <dir>/<lpar>[-what]-DATE-TIME.cast, and -2, -3 ... when a run in the same second made one.
std::string unique_transcript(const std::string& dir, const std::string& stem) {
  const auto base = std::filesystem::path(dir) / (stem + "-" + stamp());
  std::string path = base.string() + ".cast";
  for (int n = 2; std::filesystem::exists(path) && n < 1000; ++n) path = base.string() + "-" + std::to_string(n) + ".cast";
  return path;
}

// The newest transcript of an earlier run or step on this LPAR (<dir>/<lpar>-DATE-TIME[-N].cast,
// not the checks' <lpar>-verify-...), by modification time; "" when there is none.
std::string previous_transcript(const std::string& dir, const std::string& lpar) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string best;
  fs::file_time_type best_t{};
  for (const auto& e : fs::directory_iterator(dir.empty() ? "." : dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() < lpar.size() + 21 || name.compare(0, lpar.size() + 1, lpar + "-") != 0 ||
        e.path().extension() != ".cast")
      continue;
    const std::string rest = name.substr(lpar.size() + 1);  // DATE-TIME[-N].cast
    if (!(std::isdigit(static_cast<unsigned char>(rest[0])) && rest[8] == '-')) continue;
    const auto t = e.last_write_time(ec);
    if (!ec && (best.empty() || t > best_t)) {
      best = e.path().string();
      best_t = t;
    }
  }
  return best;
}

// What the transport does on the HMC: a marker in the transcript, a line for the operator,
// a JSON event for machines.
std::function<void(const std::string&)> hmc_notes(Recorder& rec, std::function<double()> clock, std::string name,
                                                  bool quiet, bool json, bool labelled) {
  const bool tty = ::isatty(2);
  return [&rec, clock, name, quiet, json, labelled, tty](const std::string& s) {
    rec.marker(clock(), mark::Hmc{s});
    if (!quiet) std::cerr << (tty ? "\r\033[K" : "") << (labelled ? "[" + name + "] " : std::string()) << "  hmc: " << s << "\n";
    if (json) std::cout << nlohmann::json{{"t", clock()}, {"event", "hmc"}, {"lpar", name}, {"text", s}}.dump() << "\n" << std::flush;
  };
}

std::function<double()> clock_from_now() {
  const auto t0 = std::chrono::steady_clock::now();
  return [t0] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
}

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
  o.resume = l.resume;
  o.take_over = l.take_over;
  o.reclaim_own_vterm = l.reclaim_own_vterm;
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
    if (a.no_reclaim) l.reclaim_own_vterm = false;
    if (a.pacing_given) l.pacing_ms = a.pacing_ms;
    if (a.timeout_given) l.timeout_s = a.timeout_s;
    if (policy_given(a.policy)) l.policy = a.policy;
    if (!a.media_pattern.empty()) l.media_pattern = a.media_pattern;
    if (!a.media_location.empty()) l.media_location = a.media_location;
    if (a.plan_given) l.plan = a.plan;  // --plan migrate too, over a config's plan = "rollback"
  }
  return c;
}

std::optional<TransportMaker> config_attach(RunArgs& a, const char* who, int& code, bool for_checks) {
  auto config = load_run_config(a, who, code);
  if (!config) return std::nullopt;
  if (config->lpars.size() != 1) {
    std::cerr << "vtpilot " << who << " drives one LPAR; " << a.config << " lists " << config->lpars.size()
              << ": choose one with --lpar NAME\n";
    code = kUsage;
    return std::nullopt;
  }
  const LparConfig& l = config->lpars.front();  // the command line's overrides are in it already
  a.policy = l.policy;
  a.pacing_ms = l.pacing_ms;
  a.confirm_s = l.confirm_timeout_s;
  if (!for_checks) {
    a.timeout_s = l.timeout_s;
    a.plan = l.plan;
    a.media_pattern = l.media_pattern;
    a.media_location = l.media_location;
  }
  if (a.transcript.empty()) a.transcript = unique_transcript(l.transcripts, l.name + (for_checks ? std::string("-") + who : ""));
  if (!for_checks) {  // the plan's needs before the HMC's password is asked for
    Plan plan;
    std::vector<SignatureError> errors;
    if (!resolve_plan(a.plan, Recognizer::builtin(), plan, errors)) {
      for (auto& e : errors) std::cerr << e.str() << "\n";
      code = kUsage;
      return std::nullopt;
    }
    if (auto needs = unmet_needs(plan, a.policy); !needs.empty()) {
      for (auto& n : needs) std::cerr << "vtpilot " << who << ": " << n << "\n";
      code = kUsage;
      return std::nullopt;
    }
  }
  std::string err;
  std::optional<std::string> password = load_hmc_password(config->hmc, err);
  if (!password && !err.empty()) {
    std::cerr << "vtpilot " << who << ": " << err << "\n";
    code = kUsage;
    return std::nullopt;
  }
  HmcVtermOptions opts = hmc_options(*config, l, password);
  if (for_checks) opts.power_on = false;  // the system being checked is up: never power anything on
  const bool quiet = a.quiet, json = a.events == "json";
  return TransportMaker([opts, quiet, json](Prepared& p) -> TransportFactory {
    p.command = "ssh " + opts.ssh.host + ": " + hmc::mkvterm(opts.managed_system, opts.lpar);
    Recorder* rec = p.recorder.get();
    HmcVtermOptions o = opts;
    o.os_facts = [pp = &p](const std::optional<hmc::OsFacts>& os) {
      if (!pp->on_hmc_os) return;
      pp->on_hmc_os(os && os->rmc_active,
                    os ? "RMC " + os->rmc_state + ", os_version " + os->os_version : std::string("no RMC facts from the HMC"));
    };
    return [opts = std::move(o), rec, quiet, json](boost::asio::io_context& io) {
      auto clock = clock_from_now();
      return make_hmc_transport(io, opts, *rec, clock, hmc_notes(*rec, clock, opts.lpar, quiet, json, false));
    };
  });
}

int run_config(const RunArgs& a) {
  int code = 0;
  if (!use_signatures(a.signatures, "run")) return kUsage;
  auto config = load_run_config(a, "run", code);
  if (!config) return code;

  // The live view first: a port in use is exit 2 before anything is created or attached.
  auto view = LiveView::open(a.serve, a.serve_token_file, a.quiet, "run", code);
  if (code) return code;
  // The loop outlives every run on it: each LiveRun's transport holds Asio timers and sockets of
  // this io_context, so it is declared first and destroyed last (ASan saw the other order). With
  // --serve it is the view's loop (the view is declared before the runs, destroyed after).
  boost::asio::io_context own_io;
  boost::asio::io_context& io = view ? view->loop() : own_io;
  std::vector<std::unique_ptr<Lpar>> lpars;
  const bool many = config->lpars.size() > 1;
  // Every LPAR's plan and transcript path first: a later LPAR's mistake must not leave the
  // earlier ones' transcripts behind.
  for (const LparConfig& l : config->lpars) {
    auto x = std::make_unique<Lpar>();
    x->cfg = l;
    std::vector<SignatureError> errors;
    if (!resolve_plan(l.plan, active_recognizer(), x->plan, errors)) {
      for (auto& e : errors) std::cerr << e.str() << "\n";
      return kUsage;
    }
    if (auto needs = unmet_needs(x->plan, l.policy); !needs.empty()) {
      for (auto& n : needs) std::cerr << "vtpilot run: " << l.name << ": " << n << "\n";
      return kUsage;
    }
    if (l.resume) x->previous = previous_transcript(l.transcripts, l.name);  // before this run's own exists
    x->transcript = a.transcript.empty() ? unique_transcript(l.transcripts, l.name) : a.transcript;
    lpars.push_back(std::move(x));
  }
  // The passwords only once every LPAR's plan can run (never asked for, then exit 2).
  std::string err;
  std::optional<std::string> password = load_hmc_password(config->hmc, err);
  if (!password && !err.empty()) {
    std::cerr << "vtpilot run: " << err << "\n";
    return kUsage;
  }
  std::optional<std::string> root_password;
  if (a.verify) {
    root_password = read_console_password(a.shell, err);
    if (!root_password) {
      std::cerr << "vtpilot run: " << err << "\n";
      return kUsage;
    }
  }
  for (auto& xp : lpars) {
    Lpar* x = xp.get();
    const LparConfig& l = x->cfg;
    x->recorder = std::make_unique<Recorder>();
    RunArgs la = a;  // this LPAR's settings, as the header records them
    la.plan = l.plan;
    la.policy = l.policy;
    la.media_pattern = l.media_pattern;
    la.media_location = l.media_location;
    la.timeout_s = l.timeout_s;
    la.confirm_s = l.confirm_timeout_s;
    la.pacing_ms = l.pacing_ms;
    const CastMeta meta = cast_meta(la, "run", x->plan);
    if (auto e = x->recorder->open(x->transcript, 80, 24, "vtpilot run " + l.name + " (" + x->plan.name + ")",
                                   static_cast<double>(std::time(nullptr)), &meta)) {
      std::cerr << "vtpilot run: " << l.name << ": cannot create the transcript: " << *e << "\n";
      return kUsage;
    }
    EngineOptions eo;
    eo.screen_timeout_s = l.timeout_s;
    eo.confirm_timeout_s = l.confirm_timeout_s;
    eo.pacing_s = l.pacing_ms / 1000.0;
    if (!l.media_pattern.empty()) eo.media_pattern = l.media_pattern;
    eo.media_location = l.media_location;
    eo.level_decides = a.verify;  // verify reads the level: that decides whether it migrated
    eo.expect_level = !l.expect_level.empty() ? l.expect_level : a.verify ? a.shell.expect_level : "";
    x->policy = l.policy;
    x->policy.extra_forbidden_labels = x->plan.forbidden_labels;
    x->session = std::make_unique<Session>(x->plan, active_recognizer(), Guard(x->policy), eo);
    if (!x->previous.empty()) {
      // Where the last run left this console: a BOS menu it shows no more can be drawn again.
      Cast before;
      if (!read_cast(x->previous, before))
        if (auto screen = left_at(before)) x->session->left_at(*screen, "the run recorded in " + x->previous);
    }
    if (a.verify) {
      ShellOptions so = verify_shell_options(a, *root_password);
      so.pacing_s = eo.pacing_s;  // this LPAR's, as its plan's
      so.confirm_timeout_s = eo.confirm_timeout_s;
      x->shell = std::make_unique<ShellDriver>(active_recognizer(), Guard(x->policy), std::move(so));
      x->chain = std::make_unique<DriverChain>(*x->session, *x->shell);
    }
  }

  auto clock = clock_from_now();
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
    UiOptions ui;
    ui.events_json = a.events == "json";
    ui.quiet = a.quiet;
    ui.tty = tty;
    ui.timeout_s = x.cfg.timeout_s;
    if (many) {
      ui.label = x.cfg.name;
      ui.on_progress = [&x, &combined](int percent, int elapsed) {
        x.percent = percent;
        x.elapsed = elapsed;
        combined();
      };
    }
    show_run(ro, ui);
    Recorder& rec = *x.recorder;
    const std::string name = x.cfg.name;
    HmcVtermOptions ho = hmc_options(*config, x.cfg, password);
    ho.attached_running = [&x, clock](const std::optional<hmc::OsFacts>& os) {
      RunningOs r;
      if (os) r = RunningOs{true, os->rmc_active, os->level, os->os_version};
      x.session->attached_as_running(clock(), r);
      const Driver& d = x.chain ? static_cast<const Driver&>(*x.chain) : *x.session;
      return d.outcome() == Outcome::running;  // run --verify goes on to log in (AIX is up: a wake is safe)
    };
    auto notes = hmc_notes(rec, clock, name, a.quiet, a.events == "json", many);
    if (view) {
      x.view_index = view->watch(name, rec, x.transcript, ro);
      // The HMC's steps (connect, mkvterm, power-on, media swap) show on the LPAR's tile.
      notes = [notes, clock, v = view.get(), i = x.view_index](const std::string& s) {
        notes(s);
        v->note(i, clock(), "hmc: " + s);
      };
    }
    auto transport = make_hmc_transport(io, std::move(ho), rec, clock, notes);
    if (!a.quiet)
      std::cerr << (many ? "[" + name + "] " : std::string()) << "vtpilot: " << transport->describe() << "\n  plan "
                << x.plan.name << ", transcript " << x.transcript << "\n";
    Driver& driver = x.chain ? static_cast<Driver&>(*x.chain) : *x.session;
    x.run = std::make_unique<LiveRun>(io, driver, std::move(transport), rec, ro);
  }
  // At most max_concurrent LPARs of this HMC at once; the next in config order starts when one
  // finishes. The loop ends once every run has finished and left its vterm.
  const std::size_t at_once = static_cast<std::size_t>(config->hmc.max_concurrent);
  std::size_t next = 0;
  bool stopping = false;
  std::function<void()> start_next = [&] {
    if (stopping || next >= lpars.size()) return;
    Lpar& x = *lpars[next++];
    x.started = true;
    if (next > at_once && !a.quiet)
      std::cerr << (many ? "[" + x.cfg.name + "] " : std::string()) << "vtpilot: starting (max_concurrent = " << at_once << ")\n";
    x.run->start([&](const RunResult& r) {
      // run --verify: the checks' verdict on the LPAR's tile (judged again for the report below).
      if (view && x.chain && r.exit_code == kDone && x.chain->second_started())
        view->verdict(x.view_index, verify_report(x.shell->results(), x.policy, a));
      if (view) view->finished(x.view_index, r);
      if (--running == 0) signals.cancel();
      else start_next();
    });
  };
  for (std::size_t i = 0; i < std::min(at_once, lpars.size()); ++i) start_next();

  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      const int exit = exit_for_signal(sig);
      const std::string why = std::string("stopped by signal ") + (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
      if (!stopping) {  // the LPARs still waiting for their turn never start
        stopping = true;
        for (auto& x : lpars)
          if (!x->started) {
            x->not_started.exit_code = exit;
            x->not_started.code = "not-started";
            x->not_started.text = why + " before its turn (max_concurrent); nothing was done on the HMC";
            --running;
          }
        if (running == 0) signals.cancel();
      }
      for (auto& x : lpars)
        if (x->started && !x->run->finished()) x->run->stop(why, exit);
      if (running > 0) wait_signal();  // all finished already: the last on_finished cancelled the set
    });
  };
  wait_signal();
  io.run();

  int overall = kDone;
  for (auto& x : lpars) {
    const RunResult& r = x->started ? x->run->result() : x->not_started;
    if (many && !a.quiet) std::cerr << "\n[" << x->cfg.name << "]";
    int rc = report_outcome(r, x->transcript, a.quiet, a.events == "json", x->cfg.name);
    if (rc == kDone && x->chain) {
      if (!x->chain->second_started()) rc = kHalted;  // never reached the login: nothing verified
      else rc = report_verify(x->shell->results(), x->policy, a);
    }
    end_transcript(*x->recorder, r, rc);
    if (overall == kDone && rc != kDone) overall = rc;  // the first LPAR that did not finish, in config order
  }
  if (many && !a.quiet) {
    std::cerr << "\nvtpilot: " << lpars.size() << " LPARs:\n";
    for (auto& x : lpars) {
      const RunResult& r = x->started ? x->run->result() : x->not_started;
      std::cerr << "  " << x->cfg.name << std::string(x->cfg.name.size() < 16 ? 16 - x->cfg.name.size() : 1, ' ')
                << "exit " << r.exit_code << "  " << static_cast<int>(r.seconds) << " s  " << x->transcript << "\n";
    }
  }
  return overall;
}

}  // namespace vtpilot::cli
