// vtpilot audit [--json] [policy flags] LOG...: every screen a log shows, the choice made on
// each, and the guard's verdict on it. The rebuilding is the library's (src/lib/record/audit.cpp).
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "vtpilot/record/audit.hpp"
#include "vtpilot/record/import.hpp"
#include "vtpilot/screens/recognizer.hpp"

namespace vtpilot::cli {

namespace {

using Json = nlohmann::ordered_json;

std::string answer_text(const AuditChoice& c) {
  std::string s = c.keys.empty() ? "Enter" : c.keys;
  if (!c.label.empty()) s += " = " + c.label;
  else if (c.keys.empty()) s += " (no default shown)";
  return s;
}

std::string screen_name(const std::string& id, const std::string& title) {
  if (id.empty()) return "an unrecognized screen";
  return title.empty() ? id : title + " (" + id + ")";
}

Json to_json(const std::string& file, const ImportedLog& log, const AuditReport& r, int code) {
  Json j{{"file", file}, {"format", log.format}, {"timed", log.timed}};
  Json screens = Json::array();
  for (const AuditScreen& s : r.screens) {
    Json sj{{"t", s.t}, {"screen", s.id.empty() ? Json(nullptr) : Json(s.id)}};
    if (!s.title.empty()) sj["title"] = s.title;
    screens.push_back(std::move(sj));
  }
  j["screens"] = std::move(screens);
  Json choices = Json::array();
  for (const AuditChoice& c : r.choices) {
    Json cj{{"t", c.t}, {"screen", c.screen.empty() ? Json(nullptr) : Json(c.screen)}};
    if (!c.title.empty()) cj["title"] = c.title;
    cj["keys"] = c.keys;
    if (!c.label.empty()) cj["label"] = c.label;
    cj["next"] = c.next.empty() ? Json(nullptr) : Json(c.next);
    cj["verdict"] = c.verdict.allow ? "allow" : "refuse";
    if (!c.verdict.allow) {
      cj["code"] = c.verdict.code;
      cj["reason"] = c.verdict.reason;
    }
    choices.push_back(std::move(cj));
  }
  j["choices"] = std::move(choices);
  j["refused"] = r.refused;
  j["exit"] = code;
  return j;
}

void print_text(const std::string& file, const ImportedLog& log, const AuditReport& r) {
  std::cout << file << " (" << log.format << (log.timed ? "" : ", no times in the log") << ")\n";
  // Screens and choices in the order they happened.
  std::size_t si = 0, ci = 0;
  auto when = [&](double t) { return log.timed ? clock_text(t) : std::string("--:--"); };
  while (si < r.screens.size() || ci < r.choices.size()) {
    if (ci >= r.choices.size() || (si < r.screens.size() && si < r.choices[ci].after_screens)) {
      const AuditScreen& s = r.screens[si++];
      std::cout << "  " << when(s.t) << "  " << (s.id.empty() ? "(unrecognized)" : s.id)
                << (s.title.empty() ? "" : "  \"" + s.title + "\"") << "\n";
      continue;
    }
    const AuditChoice& c = r.choices[ci++];
    std::cout << "         at " << when(c.t) << " on " << screen_name(c.screen, c.title)
              << " the answer was " << answer_text(c) << ": " << (c.verdict.allow ? "allowed" : "REFUSED");
    if (!c.verdict.allow) std::cout << " (" << c.verdict.code << ": " << c.verdict.reason << ")";
    if (!c.next.empty()) std::cout << "; next " << c.next;
    std::cout << "\n";
  }
  std::cout << "  " << r.screens.size() << " screens, " << r.choices.size() << " choices, " << r.refused
            << " would be refused" << (r.recognized_any ? "" : "; no screen vtpilot knows") << "\n";
}

}  // namespace

void add_audit(CLI::App& app) {
  struct Opts {
    std::vector<std::string> logs;
    bool json = false;
    Policy policy;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "audit",
      "rebuild what the operator chose from a console log (any log `import` reads; output alone is enough:\n"
      "SMS and BOS echo the digits typed, and each answer is followed by the next screen), and judge each\n"
      "choice with the guard under the policy flags. Exit 0 no choice would be refused, 3 some would be\n"
      "(also when another LOG is bad), 4 nothing in a log was recognizable, 2 bad input.");
  cmd->add_option("LOG", o->logs, "console logs: script typescripts, .cast (v2/v3), conserver or plain logs")
      ->required();
  cmd->add_flag("--json", o->json, "one JSON object per LOG, one per line");
  add_policy_flags(*cmd, o->policy);
  cmd->callback([o] {
    bool bad = false, refused = false, nothing = false;
    for (const std::string& file : o->logs) {
      ImportedLog log;
      LogPaths paths;
      paths.file = file;
      if (auto err = load_log(paths, log)) {
        std::cerr << "vtpilot audit: " << *err << "\n";
        if (o->json) std::cout << Json{{"file", file}, {"error", *err}, {"exit", 2}}.dump() << "\n";
        bad = true;
        continue;
      }
      const AuditReport r = audit_events(log.events, Recognizer::builtin(), o->policy, log.height, log.width);
      const int code = r.refused ? kRefused : !r.recognized_any ? kHalted : kDone;
      refused |= code == kRefused;
      nothing |= code == kHalted;
      if (o->json)
        std::cout << to_json(file, log, r, code).dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
      else
        print_text(file, log, r);
    }
    // A refusal is what the audit is for: it wins over a bad file beside it.
    exit_code() = refused ? kRefused : bad ? kUsage : nothing ? kHalted : kDone;
  });
}

}  // namespace vtpilot::cli
