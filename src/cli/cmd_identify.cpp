// vtpilot identify [--json] FILE...: name each capture's screen, its fields, and the guard's
// verdict on every numbered choice. JSON shape: ../shared/design.md (◆ contract).
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "vtpilot/term/capture.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/engine/report.hpp"
#include "vtpilot/term/terminal.hpp"

namespace vtpilot::cli {

namespace {

using Json = nlohmann::ordered_json;

void print_text(const Json& j) {
  std::cout << j["file"].get<std::string>() << ": "
            << (j["screen"].is_null() ? std::string("unknown screen") : j["screen"].get<std::string>());
  if (j.contains("ambiguous")) std::cout << " (ambiguous: " << j["ambiguous"].dump() << ")";
  if (j.contains("title")) std::cout << "  \"" << j["title"].get<std::string>() << "\"";
  std::cout << "\n";
  if (j.contains("choices"))
    for (const auto& c : j["choices"]) {
      std::cout << "  " << (c["default"].get<bool>() ? ">>>" : "   ") << " " << c["key"].get<std::string>()
                << "  " << c["label"].get<std::string>();
      if (c["verdict"] == "refuse") std::cout << "   [REFUSED " << c["code"].get<std::string>() << "]";
      std::cout << "\n";
    }
  for (const char* k : {"settings", "progress"})
    if (j.contains(k)) std::cout << "  " << k << ": " << j[k].dump() << "\n";
}

}  // namespace

void add_identify(CLI::App& app) {
  struct Opts {
    std::vector<std::string> files;
    bool json = false, explain = false;
    std::string signatures;
    Policy policy;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "identify",
      "name the screen in each file of raw console bytes, print its fields and the guard's verdict\n"
      "on every numbered choice (--explain: why an unknown screen is none of the signatures).\n"
      "Exit 0 if every file was recognized, 4 if any was not, 2 on a bad file.");
  cmd->add_option("FILE", o->files, "raw console bytes (escapes allowed; LF-only text is read as lines)")
      ->required();
  cmd->add_flag("--json", o->json, "one JSON object per file, one per line");
  cmd->add_flag("--explain", o->explain,
                "on an unknown screen, name the closest signatures and the patterns of each that did not match\n"
                "(with --json: an \"explain\" list)");
  add_signatures_flag(*cmd, o->signatures);
  add_policy_flags(*cmd, o->policy);
  cmd->callback([o] {
    if (!use_signatures(o->signatures, "identify")) {
      exit_code() = kUsage;
      return;
    }
    const Recognizer* rec = &active_recognizer();
    bool bad_file = false, unknown = false;
    for (const std::string& file : o->files) {
      Terminal term;
      if (auto err = feed_file(file, term)) {
        std::cerr << "vtpilot identify: " << *err << "\n";
        if (o->json) std::cout << Json{{"file", file}, {"error", *err}}.dump() << "\n";
        bad_file = true;
        continue;
      }
      Screen screen = term.screen();
      Recognized r = rec->recognize(screen);
      if (!r.known()) unknown = true;
      if (!r.ambiguous.empty()) {
        std::string ids;
        for (std::size_t i = 0; i < r.ambiguous.size(); ++i)
          ids += (i == 0 ? "" : i + 1 == r.ambiguous.size() ? " and " : ", ") + r.ambiguous[i];
        std::cerr << "vtpilot identify: " << file << ": signatures " << ids
                  << (r.ambiguous.size() == 2 ? " both" : " all") << " match this screen; fix one of them (vtpilot check)\n";
      }
      Json j = Json::parse(identify_json(file, r, screen, o->policy));
      std::vector<NearMiss> misses;
      const bool explain = o->explain && !r.known() && r.ambiguous.empty();
      if (explain) misses = rec->explain(screen.text());
      if (o->json) {
        if (explain) {
          Json list = Json::array();
          for (const NearMiss& n : misses) {
            Json failed = Json::array();
            for (const auto& f : n.failed) failed.push_back({{"key", f.key}, {"pattern", f.pattern}, {"line", f.line}});
            list.push_back({{"id", n.id}, {"file", n.file}, {"held", n.held}, {"total", n.total}, {"failed", failed}});
          }
          j["explain"] = list;
        }
        std::cout << j.dump() << "\n";
      } else {
        print_text(j);
        if (explain) std::cout << describe_near_misses(misses, "  ");
      }
    }
    exit_code() = bad_file ? kUsage : unknown ? kHalted : kDone;
  });
}

}  // namespace vtpilot::cli
