#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/serve/status.hpp"

#include <nlohmann/json.hpp>

namespace vtpilot::serve {

namespace {
// Screens drawn as a page have a title (their first row); stream screens do not (as the run's lines).
bool has_title(const std::string& id) {
  if (id == screen_id::sms_post || id == screen_id::bos_progress || id == screen_id::bos_media_swap) return false;
  return id.rfind("sms.", 0) == 0 || id.rfind("bos.", 0) == 0;
}
}  // namespace

int StatusBoard::add(std::string name, std::string transcript) {
  LparStatus s;
  s.name = std::move(name);
  s.transcript = std::move(transcript);
  lpars_.push_back(std::move(s));
  ++version_;
  return static_cast<int>(lpars_.size()) - 1;
}

void StatusBoard::push_key(LparStatus& s, KeyEntry k) {
  s.keys.push_back(std::move(k));
  while (s.keys.size() > kMaxKeys) s.keys.pop_front();
}

void StatusBoard::event(int i, const SessionEvent& e) {
  if (i < 0 || i >= static_cast<int>(lpars_.size())) return;
  LparStatus& s = lpars_[static_cast<std::size_t>(i)];
  if (s.finished) return;
  ++version_;
  s.last_t = e.t;
  switch (e.kind) {
    case SessionEvent::screen:
      s.screen = e.screen_id;
      s.title = has_title(e.screen_id) ? e.text : "";
      s.state = e.screen_id == screen_id::bos_progress ? "installing" : e.screen_id == screen_id::bos_media_swap ? "media-swap" : "screen";
      break;
    case SessionEvent::progress:
      s.percent = e.percent;
      s.elapsed_min = e.elapsed_min;
      // The installer's own percent and minutes, as the run's progress line estimates.
      s.eta_min = e.percent > 0 && e.elapsed_min >= 0 ? (e.elapsed_min * (100 - e.percent)) / e.percent : -1;
      if (s.state == "screen" || s.state == "attaching") s.state = "installing";
      break;
    case SessionEvent::send:
      ++s.keys_sent;
      push_key(s, {e.t, e.screen_id, e.keys, "sent", "", e.text});
      if (s.state == "waiting") s.state = "screen";
      break;
    case SessionEvent::refuse:
      ++s.keys_refused;
      push_key(s, {e.t, e.screen_id, e.keys, "refused", e.code, e.text});
      s.state = "refused";
      s.code = e.code;
      s.reason = e.text;
      break;
    case SessionEvent::propose:
      s.state = "waiting";  // step mode: the operator is asked
      s.note = "proposes " + e.keys + (e.text.empty() ? "" : ": " + e.text);
      break;
    case SessionEvent::note:
      s.note = e.text;
      break;
    case SessionEvent::halt:
      if (s.state != "refused") s.state = "halted";
      s.code = e.code;
      s.reason = e.text;
      break;
    case SessionEvent::done:
      s.state = "done";
      s.code.clear();
      s.reason.clear();
      break;
  }
}

void StatusBoard::note(int i, double t, const std::string& text) {
  if (i < 0 || i >= static_cast<int>(lpars_.size())) return;
  LparStatus& s = lpars_[static_cast<std::size_t>(i)];
  ++version_;
  s.note = text;
  if (t > s.last_t) s.last_t = t;
}

void StatusBoard::finished(int i, int exit, const std::string& text, const std::string& code, double seconds) {
  if (i < 0 || i >= static_cast<int>(lpars_.size())) return;
  LparStatus& s = lpars_[static_cast<std::size_t>(i)];
  ++version_;
  s.finished = true;
  s.exit = exit;
  s.seconds = seconds;
  if (exit == 0 && s.verified && !s.verify.ok()) {
    const Check* f = s.verify.first_failure();
    s.exit = exit = 7;  // kCheckFailed: what the run exits with
    s.state = "check-failed";
    s.code = "verify:" + f->id;
    s.reason = f->title + ": " + f->detail;
    return;
  }
  s.state = exit == 0 ? "done" : exit == 3 ? "refused" : exit == 5 ? "console-lost" : exit >= 128 ? "stopped" : exit == 7 ? "check-failed" : "halted";
  if (exit != 0) {
    if (!code.empty()) s.code = code;
    s.reason = text;
  }
}

void StatusBoard::verdict(int i, const Report& report) {
  if (i < 0 || i >= static_cast<int>(lpars_.size())) return;
  LparStatus& s = lpars_[static_cast<std::size_t>(i)];
  ++version_;
  s.verified = true;
  s.verify = report;
  s.note = report.ok() ? report.kind + ": all checks passed" : report.kind + ": a check failed";
}

std::string StatusBoard::json(double now, int viewers, std::uint64_t dropped) const {
  using nlohmann::json;
  json out{{"elapsed_s", now}, {"viewers", viewers}, {"dropped", dropped}};
  json rows = json::array();
  for (std::size_t i = 0; i < lpars_.size(); ++i) {
    const LparStatus& s = lpars_[i];
    json r{{"index", i},
           {"name", s.name},
           {"state", s.state},
           {"transcript", s.transcript},
           {"cast_url", "/transcripts/" + std::to_string(i) + ".cast"},
           {"events_url", "/api/lpar/" + std::to_string(i) + "/events"},
           {"keys_sent", s.keys_sent},
           {"keys_refused", s.keys_refused},
           {"finished", s.finished}};
    // Fields not known are left out, never null (as --events json).
    if (!s.screen.empty()) r["screen"] = s.screen;
    if (!s.title.empty()) r["title"] = s.title;
    if (s.percent >= 0) r["percent"] = s.percent;
    if (s.elapsed_min >= 0) r["elapsed_min"] = s.elapsed_min;
    if (s.eta_min >= 0) r["eta_min"] = s.eta_min;
    if (!s.code.empty()) r["code"] = s.code;
    if (!s.reason.empty()) r["reason"] = s.reason;
    if (!s.note.empty()) r["note"] = s.note;
    if (s.last_t >= 0) r["last_event_s"] = s.last_t;
    if (s.finished) {
      r["exit"] = s.exit;
      r["seconds"] = s.seconds;
    }
    json keys = json::array();
    for (const KeyEntry& k : s.keys) {
      json kj{{"t", k.t}, {"keys", k.keys}, {"verdict", k.verdict}};
      if (!k.screen.empty()) kj["screen"] = k.screen;
      if (!k.code.empty()) kj["code"] = k.code;
      if (!k.text.empty()) kj["text"] = k.text;
      keys.push_back(std::move(kj));
    }
    r["keys"] = std::move(keys);
    if (s.verified) {  // as `vtpilot verify --json` reports it
      json checks = json::array();
      for (const Check& c : s.verify.checks)
        checks.push_back({{"id", c.id}, {"title", c.title}, {"status", c.status == CheckStatus::fail ? "fail" : status_name(c.status)}, {"detail", c.detail}});
      r["verify"] = json{{"ok", s.verify.ok()}, {"level", s.verify.level}, {"checks", std::move(checks)}};
    }
    rows.push_back(std::move(r));
  }
  out["lpars"] = std::move(rows);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace vtpilot::serve
