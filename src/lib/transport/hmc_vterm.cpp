// The HMC transport: ssh + mkvterm, with the HMC commands around the console.
//
// Attach: connect (host key checked), lssyscfg state, then the vterm. The vterm is opened
// before a power-on, so that POST and SMS are seen from their first byte (a vterm shows only
// what is drawn while it is open). mkvterm exits 0 when another session holds the console:
// its first output is held back until it is known not to be the busy message.
// A dropped connection mid-run is a gap, not an end: the engine is told (nothing is sent),
// the transport reconnects with backoff, reopens the vterm, and tells the engine again, which
// reads the screen afresh before anything is sent. A real HMC keeps the dropped session's vterm
// held (recorded on V10R3: busy at 0 s, 30 s, 5 min after the client was killed; rmvterm frees
// it at once): when every sign says the holder is our own dropped session, it is reclaimed
// with rmvterm once (reclaim_own_vterm); otherwise the run halts with the command to run.
// The media swap is checked step by step (lsvopt, unloadopt, loadopt, lsvopt): the console's
// Enter goes only once lsvopt shows the device holds the volume asked for.
#include <utility>  // before Asio (debian12-notes.md)

#include "vtpilot/transport/hmc_vterm.hpp"

#include <boost/asio.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/hmc/commands.hpp"
#include "vtpilot/record/recorder.hpp"

namespace vtpilot {

namespace asio = boost::asio;

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s.size() > 400 ? s.substr(0, 400) + "..." : s;
}

class HmcTransport final : public Transport {
 public:
  HmcTransport(asio::io_context& io, HmcVtermOptions o, Recorder& rec, std::function<double()> now,
               std::function<void(const std::string&)> note)
      : io_(io), o_(std::move(o)), rec_(rec), now_(std::move(now)), note_(std::move(note)), timer_(io), hold_timer_(io),
        leave_timer_(io) {}
  ~HmcTransport() override {
    closed_ = true;
    if (link_) link_->disconnect();
  }

  void start(DataFn on_data, CloseFn on_close) override {
    on_data_ = std::move(on_data);
    on_close_ = std::move(on_close);
    connect();
  }

  void set_link_events(std::function<void(const std::string&)> lost, std::function<void(const std::string&)> back) override {
    lost_ = std::move(lost);
    back_ = std::move(back);
  }

  bool defer_ready(std::function<void()> ready) override {
    ready_fn_ = std::move(ready);
    return true;
  }

  std::string describe() const override {
    return "ssh " + (link_ ? link_->describe() : o_.ssh.host) + ": " + hmc::mkvterm(o_.managed_system, o_.lpar);
  }
  int failure_exit() const override { return failure_exit_; }

  void stop() override {
    if (closed_ || leaving_) return;
    leaving_ = true;
    timer_.cancel();
    hold_timer_.cancel();
    if (!link_ || !link_->connected() || stream_ < 0 || !vterm_open_) {
      end_leave();
      return;
    }
    // Leave the vterm the HMC's way: `~.` at the start of a line, then `y` to its question.
    auto escape = Guard::approve_vterm_control("~.", facts());
    if (auto* ok = std::get_if<Approved>(&escape)) {
      note("leaving the vterm with ~.");
      control(std::move(*ok));
      arm_leave(3.0);
    } else {
      note(std::get<Verdict>(escape).reason);
      link_->close_stream(stream_);  // EOF: mkvterm says "The write socket has closed" and exits
      arm_leave(3.0);
    }
  }

  void wait_child(double, std::function<void()> done) override {
    if (left_) done();
    else left_cb_ = std::move(done);
  }

  void run_action(const std::string& action, ActionDone done) override {
    if (action.rfind("media-swap", 0) != 0) {
      done(false, "unknown action " + action);
      return;
    }
    int volume = 0;
    if (action.size() > 11) volume = std::atoi(action.c_str() + 11);
    if (volume <= 0) volume = swaps_ + 2;  // the screen did not say: the next one
    if (volume > static_cast<int>(o_.media.size())) {
      done(false, "BOS asks for volume " + std::to_string(volume) + " but the config's `media` lists " +
                      std::to_string(o_.media.size()) + " ISO(s); add it and load it by hand (viosvrcmd ... loadopt)");
      return;
    }
    if (!link_ || !link_->connected()) {
      done(false, "the HMC connection is down");
      return;
    }
    const std::string iso = o_.media[static_cast<std::size_t>(volume - 1)];
    note("media swap: volume " + std::to_string(volume) + " (" + iso + ") into " + o_.vtd + " on " + o_.vios);
    load_media(iso, [this, iso, volume, done](bool ok, std::string why) {
      if (!ok) {
        done(false, why + "; nothing was pressed on the console");
        return;
      }
      swaps_ = std::max(swaps_, volume - 1);
      done(true, why);
    });
  }

 protected:
  void write_bytes(std::string_view bytes) override {
    if (!link_ || !vterm_open_ || in_gap_ || leaving_ || bytes.empty()) return;
    link_->write(stream_, bytes);
    line_start_ = bytes.back() == '\r' || bytes.back() == '\n';
  }

 private:
  void note(const std::string& s) {
    if (note_) note_(s);
  }

  VtermFacts facts(bool firmware_blank = false) const {
    VtermFacts f;
    f.at_line_start = line_start_;
    f.recent_output = tail_;
    f.firmware_blank = firmware_blank;
    return f;
  }

  void control(Approved keys) {
    const std::string k = keys.spend();
    rec_.input(now_(), k, false);
    link_->write(stream_, k);
    line_start_ = k == "\r";
  }

  void fail(int code, const std::string& why) {
    if (closed_) return;
    closed_ = true;
    failure_exit_ = code;
    timer_.cancel();
    hold_timer_.cancel();
    if (link_) link_->disconnect();
    left_ = true;
    if (on_close_) on_close_(why);
    if (left_cb_) std::exchange(left_cb_, nullptr)();
  }

  // ---- connecting --------------------------------------------------------------------
  void connect() {
    link_ = std::make_unique<SshLink>(io_, o_.ssh);
    link_->on_lost = [this](const std::string& why) { lost(why); };
    link_->connect([this](std::optional<SshFailure> failure) {
      if (closed_ || leaving_) return;
      if (failure) {
        if (attached_once_ && failure->retryable) retry(failure->message);
        else fail(kTransport, failure->message);
        return;
      }
      note("ssh: connected to " + link_->describe());
      if (attached_once_) open_vterm();
      else check_state();
    });
  }

  void check_state() {
    link_->exec(hmc::lpar_state(o_.managed_system, o_.lpar), o_.command_timeout_s, [this](int status, std::string out) {
      if (closed_ || leaving_) return;
      auto state = hmc::parse_state(out);
      if (!state) {
        // The HMC answered but not with a state: an unknown managed system or partition.
        fail(status > 0 ? kUsage : kTransport, "lssyscfg: " + (one_line(out).empty() ? "no answer" : hmc::failure_text(out)));
        return;
      }
      note(o_.lpar + " is " + *state);
      ask_os([this, state = *state](std::optional<hmc::OsFacts> os) { act_on_state(state, os); });
    });
  }

  // What to do with the LPAR in this state, knowing what the HMC says of its OS.
  void act_on_state(const std::string& state, const std::optional<hmc::OsFacts>& os) {
    if (o_.os_facts) o_.os_facts(os);
    if (state == "Not Activated") {
      if (!o_.power_on) {
        fail(kUsage, o_.lpar + " is Not Activated: run with --power-on (power_on = true) to activate it into SMS, "
                          "or activate it yourself (chsysstate ... -o on -b sms); verify and preflight need it "
                          "running AIX");
        return;
      }
      power_on_ = true;
      open_vterm();
    } else if (state == "Running" && o_.power_on && o_.resume) {
      // A re-run (the controller that died mid-install, a playbook run twice): Running is
      // AIX up or BOS under way; either way nothing is powered. The session judges what the
      // console shows: an install is watched, a menu continued under the guard, a login
      // prompt is not taken for a migration this run did not see.
      note(o_.lpar + " is Running: attaching as it is (resume); nothing is powered on or off");
      if (!o_.attached_running || o_.attached_running(os)) open_vterm();
      else end_decided();
    } else if (state == "Running" && o_.power_on) {
      if (!o_.allow_restart) {
        fail(kUsage, o_.lpar + " is Running (AIX is up): vtpilot shuts down a running LPAR only with allow_restart = true. "
                          "Shut it down yourself (runbook: shutdown -F now), then run again; or resume = true to attach to it "
                          "as it is (an install under way is watched to its end)");
        return;
      }
      shut_down();
    } else if (state == "Not Available" || state == "Error" || state.rfind("Migrating", 0) == 0) {
      fail(kTransport, o_.lpar + " is " + state + ": its console cannot be used now");
    } else {
      open_vterm();
    }
  }

  // What RMC told the HMC about the OS (AIX up or not, its level); nothing when the HMC lacks
  // the attributes or does not answer: then the console alone tells.
  void ask_os(std::function<void(std::optional<hmc::OsFacts>)> then) {
    link_->exec(hmc::lpar_os(o_.managed_system, o_.lpar), o_.command_timeout_s,
                [this, then = std::move(then)](int, std::string out) {
                  if (closed_ || leaving_) return;
                  auto os = hmc::parse_os(out);
                  if (!os) note("lssyscfg -F rmc_state,os_version: " + hmc::failure_text(out) + " (the console alone tells)");
                  else
                    note("RMC " + os->rmc_state + ", os_version " + os->os_version +
                         (os->rmc_active ? " (AIX is up)" : " (the last level the HMC heard; AIX is not up)"));
                  then(std::move(os));
                });
  }

  // The run decided from the HMC's facts alone: no vterm is opened, the connection closes.
  void end_decided() {
    closed_ = true;
    if (link_) link_->disconnect();
    left_ = true;
    if (on_close_) on_close_("decided from the HMC's facts; the vterm was not opened");
    if (left_cb_) std::exchange(left_cb_, nullptr)();
  }

  void shut_down() {
    note("shutting down " + o_.lpar + " (allow_restart = true)");
    link_->exec(hmc::shutdown_immed(o_.managed_system, o_.lpar), o_.command_timeout_s, [this](int status, std::string out) {
      if (closed_ || leaving_) return;
      if (status != 0) {
        fail(kTransport, "chsysstate -o shutdown failed: " + hmc::failure_text(out));
        return;
      }
      wait_not_activated(60);
    });
  }

  // The HMC's state changes a while after chsysstate returns: ask again, 1 s apart, bounded.
  void wait_not_activated(int tries_left) {
    link_->exec(hmc::lpar_state(o_.managed_system, o_.lpar), o_.command_timeout_s, [this, tries_left](int, std::string out) {
      if (closed_ || leaving_) return;
      if (hmc::parse_state(out) == std::optional<std::string>("Not Activated")) {
        power_on_ = true;
        open_vterm();
        return;
      }
      if (tries_left <= 0) {
        fail(kTransport, o_.lpar + " did not reach Not Activated after shutdown (now: " + one_line(out) + ")");
        return;
      }
      timer_.expires_after(std::chrono::seconds(1));
      timer_.async_wait([this, tries_left](boost::system::error_code ec) {
        if (!ec) wait_not_activated(tries_left - 1);
      });
    });
  }

  // ---- the vterm ---------------------------------------------------------------------
  void open_vterm() {
    holding_ = true;
    busy_ = taken_ = vterm_open_ = false;
    first_.clear();
    tail_.clear();  // what the last vterm printed (its "no longer connected") is not this one's
    open_error_.clear();
    line_start_ = true;
    stream_ = link_->open_pty(
        hmc::mkvterm(o_.managed_system, o_.lpar), 24, 80,
        [this](std::optional<std::string> err) {
          if (closed_ || leaving_) return;
          if (err) {
            // A reopen that failed: vterm_closed() follows and counts it, once.
            if (attached_once_) open_error_ = "mkvterm: " + *err;
            else fail(kTransport, "mkvterm could not start: " + *err);
            return;
          }
          vterm_open_ = true;
          // A vterm that prints nothing recognisable is released after a moment anyway.
          hold_timer_.expires_after(std::chrono::seconds(3));
          hold_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec && !closed_ && !leaving_ && holding_ && !busy_) release();  // never while leaving
          });
        },
        [this](std::string_view bytes) { data(bytes); },
        [this](int status, std::string why) { vterm_closed(status, why); });
  }

  void data(std::string_view bytes) {
    tail_.append(bytes.data(), bytes.size());
    if (tail_.size() > 512) tail_.erase(0, tail_.size() - 512);
    if (leaving_) {
      auto yes = Guard::approve_vterm_control("y", facts());
      if (auto* ok = std::get_if<Approved>(&yes); ok && !answered_) {
        answered_ = true;
        control(std::move(*ok));
      }
      if (on_data_) on_data_(bytes);
      return;
    }
    if (holding_) {
      first_.append(bytes.data(), bytes.size());
      if (hmc::vterm_busy(first_)) {
        busy_ = true;  // mkvterm exits 0 after this: nothing of it reaches the engine
        return;
      }
      if (first_.find("Open in progress") != std::string::npos || first_.size() > 512) release();
      return;
    }
    // Only the new bytes and the tail's end can complete the message: look there, not at all 512.
    const std::size_t look = std::min(tail_.size(), bytes.size() + 128);
    if (!taken_ && hmc::vterm_lost(std::string_view(tail_).substr(tail_.size() - look))) {
      // Another session ran rmvterm on us. A real HMC then keeps the channel open with no EOF
      // (screens/44): stop now rather than wait for a close that does not come.
      taken_ = true;
      held_ = false;
      if (on_data_) on_data_(bytes);
      fail(kTransport, "another session took " + o_.lpar + "'s console (rmvterm): this run stopped; nothing more was sent");
      return;
    }
    console_spoke_ = true;
    ready();
    if (on_data_) on_data_(bytes);
  }

  // The vterm is ours: tell the engine (after a gap), hand over what it printed, power on.
  void release() {
    holding_ = false;
    hold_timer_.cancel();
    busy_tries_ = 0;
    held_ = true;
    const bool reattach = attached_once_;
    attached_once_ = true;
    if (reattach) {
      in_gap_ = false;
      attempts_ = 0;
      if (back_)
        back_("reattached to the vterm after " + std::to_string(static_cast<int>(now_() - gap_start_)) + " s" +
              (reclaimed_ ? " (reclaimed from our dropped session with rmvterm)" : ""));
    }
    reclaimed_ = false;
    // Console output beyond mkvterm's own banner, in what was held back?
    std::string rest = first_;
    if (auto at = rest.find("Open in progress"); at != std::string::npos) rest.erase(0, at + 16);
    console_spoke_ = rest.find_first_not_of(" \r\n") != std::string::npos;
    if (!power_on_ || console_spoke_) ready();  // powering on: once the LPAR is activated or speaks
    if (!first_.empty() && on_data_) on_data_(std::exchange(first_, {}));
    if (power_on_) {
      power_on_ = false;
      load_volume_1();
    } else {
      redraw_if_blank();
    }
  }

  // A vterm shows only what is drawn while it is open: attached to an LPAR that already sits
  // in SMS, it stays blank. Ask the HMC again, and only if the LPAR is still in firmware and
  // has printed nothing, press Enter once (SMS redraws; POST and the OF prompt ignore it).
  void redraw_if_blank() {
    timer_.expires_after(std::chrono::seconds(3));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || closed_ || leaving_ || console_spoke_ || !vterm_open_) return;
      link_->exec(hmc::lpar_state(o_.managed_system, o_.lpar), o_.command_timeout_s, [this](int, std::string out) {
        if (closed_ || leaving_ || console_spoke_ || !vterm_open_) return;
        const bool firmware = hmc::parse_state(out) == std::optional<std::string>("Open Firmware");
        auto enter = Guard::approve_vterm_control("\r", facts(firmware));
        if (auto* ok = std::get_if<Approved>(&enter)) {
          note("the console is in firmware and shows nothing: Enter to make SMS redraw");
          control(std::move(*ok));
        } else {
          note(std::get<Verdict>(enter).reason);
        }
      });
    });
  }

  // Before activating: volume 1 of the install media in the virtual optical device (runbook
  // Phase 2, "Load ISO into LPAR's virtual optical"), then chsysstate -o on -b sms.
  void load_volume_1() {
    if (o_.media.empty() || o_.vios.empty()) {
      power_on();
      return;
    }
    note("loading volume 1 (" + o_.media[0] + ") into " + o_.vtd + " on " + o_.vios);
    load_media(o_.media[0], [this](bool ok, std::string why) {
      if (!ok) {
        fail(kTransport, why + "; " + o_.lpar + " was not activated");
        return;
      }
      note(why);
      power_on();
    });
  }

  void power_on() {
    note("activating " + o_.lpar + " into SMS (profile " + o_.profile + ")");
    const double asked = now_();
    link_->exec(hmc::power_on_sms(o_.managed_system, o_.lpar, o_.profile), o_.command_timeout_s,
                [this, asked](int status, std::string out) {
                  if (closed_ || leaving_) return;
                  if (status != 0) {
                    fail(status > 0 ? kUsage : kTransport, "chsysstate -o on failed: " + hmc::failure_text(out));
                    return;
                  }
                  note(o_.lpar + " activated (chsysstate answered after " + seconds(now_() - asked) + ")");
                  ready();
                });
  }

  // ---- the virtual optical device ----------------------------------------------------
  // A checked media load (design.md "HMC facts"): lsvopt; a device holding other media is
  // unloaded (again with -release when the client holds a reserve on it), the volume loaded
  // (-f when the device held media), and lsvopt must then show it. done(ok, what) once; a
  // failure says which step, the VIOS's own message, and the commands to run by hand.
  using MediaDone = std::function<void(bool, std::string)>;

  void load_media(const std::string& iso, MediaDone done) {
    viosvr(hmc::lsvopt(o_.managed_system, o_.vios, o_.vtd), iso, done, [this, iso, done](int status, const std::string& out) {
      auto held = hmc::parse_lsvopt(out, o_.vtd);
      if (status != 0 || !held) {
        done(false, media_failure("lsvopt shows no row for " + o_.vtd, out, iso));
        return;
      }
      if (*held == iso) {
        done(true, o_.vtd + " holds " + iso + " (lsvopt)");
        return;
      }
      if (held->empty()) {
        load_and_check(iso, false, done);
        return;
      }
      note(o_.vtd + " holds " + *held + ": unloading it");
      unload(iso, false, done);
    });
  }

  void unload(const std::string& iso, bool release, MediaDone done) {
    viosvr(hmc::unloadopt(o_.managed_system, o_.vios, o_.vtd, release), iso, done,
           [this, iso, release, done](int status, const std::string& out) {
             if (status == 0 && !hmc::hscl_error(out)) {
               load_and_check(iso, true, done);
               return;
             }
             if (!release && hmc::reserve_error(out)) {
               note("unloadopt: " + hmc::failure_text(out) + ": again with -release");
               unload(iso, true, done);
               return;
             }
             done(false, media_failure(std::string("unloadopt") + (release ? " -release" : "") + " failed", out, iso));
           });
  }

  void load_and_check(const std::string& iso, bool held_media, MediaDone done) {
    viosvr(hmc::loadopt(o_.managed_system, o_.vios, o_.vtd, iso, held_media), iso, done,
           [this, iso, done](int status, const std::string& out) {
             if (status != 0 || hmc::hscl_error(out)) {
               done(false, media_failure("loadopt -disk " + iso + " failed", out, iso));
               return;
             }
             viosvr(hmc::lsvopt(o_.managed_system, o_.vios, o_.vtd), iso, done,
                    [this, iso, done](int st, const std::string& o2) {
                      auto now_held = hmc::parse_lsvopt(o2, o_.vtd);
                      if (st == 0 && now_held == std::optional<std::string>(iso)) {
                        done(true, o_.vtd + " holds " + iso + " (lsvopt)");
                        return;
                      }
                      done(false, media_failure(now_held ? "after loadopt, lsvopt shows " + o_.vtd + " holding " +
                                                               (now_held->empty() ? std::string("No Media") : *now_held) +
                                                               ", not " + iso
                                                         : "after loadopt, lsvopt shows no row for " + o_.vtd,
                                                now_held ? std::string() : o2, iso));
                    });
           });
  }

  // One viosvrcmd; a connection that is gone or a run that is ending fails the whole sequence.
  void viosvr(const std::string& command, const std::string& iso, MediaDone done,
              std::function<void(int, const std::string&)> next) {
    if (!link_ || !link_->connected()) {
      done(false, media_failure("the HMC connection is down", "", iso));
      return;
    }
    link_->exec(command, o_.command_timeout_s, [this, command, iso, done, next](int status, std::string out) {
      if (closed_ || leaving_) return;
      if (status < 0) {
        done(false, media_failure(command + ": no answer", out, iso));
        return;
      }
      next(status, out);
    });
  }

  std::string media_failure(const std::string& what, const std::string& out, const std::string& iso) const {
    std::string s = "media " + iso + " into " + o_.vtd + ": " + what;
    if (!out.empty()) s += ": " + hmc::failure_text(out);
    return s + ". By hand on the HMC: " + hmc::unloadopt(o_.managed_system, o_.vios, o_.vtd, true) + "; " +
           hmc::loadopt(o_.managed_system, o_.vios, o_.vtd, iso, true) + "; then check with " +
           hmc::lsvopt(o_.managed_system, o_.vios, o_.vtd);
  }

  void vterm_closed(int status, const std::string& why) {
    vterm_open_ = false;
    stream_ = -1;
    if (closed_) return;
    if (leaving_) {
      end_leave();
      return;
    }
    if (busy_) {
      busy();
      return;
    }
    if (taken_) {
      fail(kTransport, "another session took " + o_.lpar + "'s console (rmvterm): this run stopped; nothing more was sent");
      return;
    }
    if (!attached_once_) {
      fail(kTransport, "mkvterm ended at once (exit " + std::to_string(status) + "): " +
                  (hmc::hscl_error(first_) ? *hmc::hscl_error(first_) : one_line(first_ + " " + why)));
      return;
    }
    if (auto hscl = hmc::hscl_error(first_); hscl && holding_) {
      // The HMC refused the reopen with a reason: trying again would only repeat it.
      fail(kTransport, "mkvterm refused to reopen " + o_.lpar + "'s console: " + *hscl + ". Nothing was sent; the install goes on unwatched");
      return;
    }
    if (!link_->connected()) return;  // lost() handles it; a dropped session's vterm may stay held
    held_ = false;                    // mkvterm ended by itself: the HMC released our hold
    lost(open_error_.empty() ? "mkvterm ended (exit " + std::to_string(status) + ")" : std::exchange(open_error_, {}));
  }

  void busy() {
    const std::string rmvterm = hmc::rmvterm(o_.managed_system, o_.lpar);
    if (in_gap_ && reclaimed_) {
      fail(kTransport, o_.lpar + "'s console is still held after vtpilot's own " + rmvterm +
                  ": another session may hold it now, so vtpilot does not touch it again. Nothing was sent; the "
                  "install goes on unwatched. If that session is yours, free it (" + rmvterm + ") and run again");
      return;
    }
    if (in_gap_ && held_ && o_.reclaim_own_vterm) {
      reclaim(rmvterm);
      return;
    }
    if (!o_.take_over && !in_gap_) {
      fail(kTransport, o_.lpar + "'s console is held by another session (mkvterm: \"A terminal session is already open "
                        "for this partition\"). Close that session, or run again with --take-over (take_over = true) "
                        "to free it with rmvterm");
      return;
    }
    if (++busy_tries_ > 4) {
      fail(kTransport, o_.lpar + "'s console is still held after " + std::to_string(busy_tries_ - 1) +
                  (o_.take_over ? " rmvterm and probe(s)" : " probe(s)") +
                  (held_ ? " (by our own dropped session, most likely: a real HMC keeps it held; reclaim_own_vterm = "
                           "false)"
                         : "") +
                  ". Nothing was sent; the install goes on unwatched. Free it on the HMC (" + rmvterm +
                  ") and run again");
      return;
    }
    auto probe = [this] {
      timer_.expires_after(std::chrono::seconds(std::min(8, 1 << busy_tries_)));
      timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !closed_ && !leaving_) open_vterm();  // rmvterm's exit code proves nothing: probe
      });
    };
    if (!o_.take_over) {
      note("the console is still held (our dropped session?); waiting to probe again");
      probe();
      return;
    }
    note("console held by another session: " + hmc::rmvterm(o_.managed_system, o_.lpar));
    link_->exec(hmc::rmvterm(o_.managed_system, o_.lpar), o_.command_timeout_s, [this, probe](int, std::string) {
      if (!closed_ && !leaving_) probe();
    });
  }

  // The console is held, and by every sign we have it is our own dropped session: we held the
  // vterm when the link dropped, its mkvterm never ended while the link was up, and no
  // "no longer connected" came (another session's rmvterm). rmvterm once, then probe with a
  // fresh mkvterm (rmvterm's exit code proves nothing); busy again halts (busy() above).
  void reclaim(const std::string& rmvterm) {
    reclaimed_ = true;
    note("the console is still held by our own dropped session (a real HMC keeps it until rmvterm): reclaiming it: " +
         rmvterm);
    link_->exec(rmvterm, o_.command_timeout_s, [this, rmvterm](int status, std::string out) {
      if (closed_ || leaving_) return;
      if (status < 0 && (!link_ || !link_->connected())) return;  // dropped again: lost() goes on
      if (status != 0 || hmc::hscl_error(out)) {
        fail(kTransport, "reclaiming " + o_.lpar + "'s console was refused: " + rmvterm + ": " + hmc::failure_text(out) +
                    (status > 0 ? " (exit " + std::to_string(status) + ")" : "") +
                    ". Nothing was sent; the install goes on unwatched. Free the console on the HMC (" + rmvterm +
                    ") and run again");
        return;
      }
      timer_.expires_after(std::chrono::seconds(1));
      timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !closed_ && !leaving_) open_vterm();
      });
    });
  }

  // The console can show something now: the engine's screen clock starts (once).
  void ready() {
    if (ready_fn_) std::exchange(ready_fn_, nullptr)();
  }

  // ---- gaps --------------------------------------------------------------------------
  void lost(const std::string& why) {
    if (closed_ || leaving_) return;
    vterm_open_ = false;
    if (!attached_once_) {
      fail(kTransport, "the HMC connection was lost before the console was attached: " + why);
      return;
    }
    if (!in_gap_) {
      in_gap_ = true;
      gap_start_ = now_();
      note("connection lost: " + why);
      if (lost_) lost_(why);
    }
    retry(why);
  }

  void retry(const std::string& why) {
    if (++attempts_ > o_.reconnect_attempts) {
      fail(kTransport, "gave up after " + std::to_string(o_.reconnect_attempts) + " reconnect attempts: " + why);
      return;
    }
    const double delay = std::min(o_.reconnect_max_delay_s, std::pow(2.0, attempts_ - 1));
    note("reconnecting in " + std::to_string(static_cast<int>(delay)) + " s (attempt " + std::to_string(attempts_) + " of " +
         std::to_string(o_.reconnect_attempts) + ")");
    timer_.expires_after(std::chrono::milliseconds(static_cast<long>(delay * 1000)));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || closed_ || leaving_) return;
      if (link_ && link_->connected()) open_vterm();  // only the vterm ended
      else connect();
    });
  }

  // ---- leaving -----------------------------------------------------------------------
  void arm_leave(double s) {
    leave_timer_.expires_after(std::chrono::milliseconds(static_cast<long>(s * 1000)));
    leave_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || left_) return;
      if (link_ && stream_ >= 0) link_->close_stream(stream_);
      end_leave();
    });
  }

  void end_leave() {
    if (left_) return;
    left_ = true;
    closed_ = true;
    leave_timer_.cancel();
    hold_timer_.cancel();
    if (link_) link_->disconnect();
    if (left_cb_) std::exchange(left_cb_, nullptr)();
  }

  asio::io_context& io_;
  HmcVtermOptions o_;
  Recorder& rec_;
  std::function<double()> now_;
  std::function<void(const std::string&)> note_;
  asio::steady_timer timer_, hold_timer_, leave_timer_;
  std::unique_ptr<SshLink> link_;
  DataFn on_data_;
  CloseFn on_close_;
  std::function<void(const std::string&)> lost_, back_;
  std::function<void()> left_cb_, ready_fn_;
  std::string first_, tail_, open_error_;
  int stream_ = -1;
  int failure_exit_ = kTransport;
  int attempts_ = 0, busy_tries_ = 0, swaps_ = 0;
  double gap_start_ = 0;
  bool holding_ = false, busy_ = false, taken_ = false, vterm_open_ = false, line_start_ = true;
  bool attached_once_ = false, in_gap_ = false, power_on_ = false, console_spoke_ = false;
  bool closed_ = false, leaving_ = false, left_ = false, answered_ = false;
  // held_: the vterm was ours and nothing has released it since (a drop leaves it held on a
  // real HMC); reclaimed_: this gap's one rmvterm of our own dropped session is spent.
  bool held_ = false, reclaimed_ = false;
};

}  // namespace

std::unique_ptr<Transport> make_hmc_transport(asio::io_context& io, HmcVtermOptions options, Recorder& recorder,
                                              std::function<double()> now, std::function<void(const std::string&)> note) {
  return std::make_unique<HmcTransport>(io, std::move(options), recorder, std::move(now), std::move(note));
}

}  // namespace vtpilot
