// Plan files (TOML) -> validated Plan. Errors are file:line: message, never exceptions.
#include "vtpilot/plan/plan.hpp"

#include "screens/toml_errors.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "vtpilot/base/embedded.hpp"
#include "vtpilot/guard/guard.hpp"
#include "vtpilot/base/regex.hpp"

namespace vtpilot {

const PlanStep* Plan::step_for(std::string_view screen_id) const {
  for (const PlanStep& s : steps)
    if (s.screen == screen_id) return &s;
  return nullptr;
}


bool load_plan(std::string_view file_name, std::string_view text, const Recognizer& recognizer, Plan& plan,
               std::vector<SignatureError>& errors) {
  const std::string file(file_name);
  const std::size_t before = errors.size();
  auto parsed = parse_toml(text, file, errors);
  if (!parsed) return false;
  const toml::table& tbl = *parsed;
  auto err = [&](const toml::node* n, std::string msg) { errors.push_back({file, line_of(n), std::move(msg)}); };

  plan = Plan{};
  plan.file = file;
  plan.name = tbl["name"].value_or(std::string(std::filesystem::path(file).stem()));
  plan.description = tbl["description"].value_or(std::string());
  for (auto&& [k, v] : tbl) {
    std::string key(k.str());
    if (key != "name" && key != "description" && key != "step" && key != "forbid" && key != "halt_on_install_loop" &&
        key != "halt_on_installer")
      err(&v, "unknown key `" + key +
                  "` (expected name, description, forbid, halt_on_install_loop, halt_on_installer, [[step]])");
  }
  for (auto [key, flag] : {std::pair<const char*, bool*>{"halt_on_install_loop", &plan.halt_on_install_loop},
                           std::pair<const char*, bool*>{"halt_on_installer", &plan.halt_on_installer}}) {
    const toml::node* n = tbl.get(key);
    if (!n) continue;
    if (auto b = n->value<bool>()) *flag = *b;
    else err(n, std::string("`") + key + "` must be true or false");
  }
  if (plan.halt_on_install_loop && plan.halt_on_installer)
    err(tbl.get("halt_on_installer"),
        "`halt_on_installer` (the plan never installs) contradicts `halt_on_install_loop` (the plan installs once)");
  if (auto* forbid = tbl["forbid"].as_array()) {
    for (auto& item : *forbid) {
      std::string e;
      std::size_t off = 0;
      if (!item.is_string()) {
        err(&item, "`forbid` holds a non-string");
      } else if (!Regex::compile(item.as_string()->get(), e, off)) {
        err(&item, "bad regex in `forbid` at offset " + std::to_string(off) + ": " + e);
      } else {
        plan.forbidden_labels.push_back(item.as_string()->get());
      }
    }
  }

  const auto ids = recognizer.ids();
  const toml::array* steps = tbl["step"].as_array();
  if (!steps || steps->empty()) err(tbl.get("step"), "a plan needs at least one [[step]]");
  if (steps) {
    for (const toml::node& node : *steps) {
      const toml::table* st = node.as_table();
      if (!st) {
        err(&node, "`step` must be a table ([[step]])");
        continue;
      }
      PlanStep s;
      s.line = line_of(&node);
      for (auto&& [k, v] : *st) {
        std::string key(k.str());
        static const char* known[] = {"screen", "when", "choose", "device", "disk", "keys",
                                      "wait",   "done", "needs_prompt", "secret", "once", "action", "reveal", "requires"};
        if (std::none_of(std::begin(known), std::end(known), [&](const char* x) { return key == x; }))
          err(&v, "unknown key `" + key + "` in [[step]]");
      }
      s.screen = (*st)["screen"].value_or(std::string());
      s.when = (*st)["when"].value_or(std::string());
      s.choose = (*st)["choose"].value_or(std::string());
      s.device = (*st)["device"].value_or(std::string());
      s.disk = (*st)["disk"].value_or(std::string());
      s.keys = (*st)["keys"].value_or(std::string());
      s.wait = (*st)["wait"].value_or(false);
      s.done = (*st)["done"].value_or(false);
      s.needs_prompt = (*st)["needs_prompt"].value_or(true);
      s.secret = (*st)["secret"].value_or(false);
      s.once = (*st)["once"].value_or(false);
      s.action = (*st)["action"].value_or(std::string());
      s.reveal = (*st)["reveal"].value_or(std::string());
      s.requirement = (*st)["requires"].value_or(std::string());
      if (s.screen.empty()) {
        err(&node, "[[step]] needs `screen = \"id\"`");
      } else if (std::find(ids.begin(), ids.end(), s.screen) == ids.end()) {
        err(st->get("screen"), "unknown screen id `" + s.screen + "` (not in the signatures)");
      }
      int actions = !s.choose.empty() + !s.device.empty() + !s.disk.empty() + !s.keys.empty() + s.wait + s.done;
      if (actions != 1)
        err(&node, "step for `" + s.screen + "` needs exactly one of choose, device, disk, keys, wait, done");
      if (!s.when.empty() && s.when != "settings-ready" && s.when != "!settings-ready" && s.when != "before-install")
        err(st->get("when"), "unknown condition `" + s.when + "` (known: settings-ready, !settings-ready, before-install)");
      if (!s.device.empty() && s.device != "media" && s.device != "clone")
        err(st->get("device"), "unknown device `" + s.device + "` (known: media, clone)");
      if (!s.action.empty() && s.action != "media-swap")
        err(st->get("action"), "unknown action `" + s.action + "` (known: media-swap)");
      if (!s.action.empty() && s.keys.empty() && s.choose.empty())
        err(st->get("action"), "an action runs before keys: give `keys` or `choose` with it");
      if (!s.requirement.empty() && s.requirement != "install")
        err(st->get("requires"), "unknown requirement `" + s.requirement + "` (known: install)");
      else if (!s.requirement.empty() && !s.done)
        err(st->get("requires"), "`requires` is for a `done` step (what must have happened before the plan may end there)");
      if (!s.disk.empty() && s.disk != "target")
        err(st->get("disk"), "unknown disk `" + s.disk + "` (known: target)");
      if (!s.reveal.empty() && s.disk.empty())
        err(st->get("reveal"), "`reveal` goes with `disk = \"target\"`: it names the item that shows the disks' PVIDs");
      if (!s.reveal.empty()) {
        std::string e;
        std::size_t off = 0;
        if (!Regex::compile(s.reveal, e, off, false, true))
          err(st->get("reveal"), "bad regex in `reveal` at offset " + std::to_string(off) + ": " + e);
      }
      if (!s.choose.empty()) {
        std::string e;
        std::size_t off = 0;
        if (!Regex::compile(s.choose, e, off, false, true))
          err(st->get("choose"), "bad regex in `choose` at offset " + std::to_string(off) + ": " + e);
      }
      if (plan.halt_on_installer && s.screen.rfind("bos.", 0) == 0)
        err(st->get("screen"), "step for `" + s.screen + "` can never run: the plan says `halt_on_installer = true`");
      plan.steps.push_back(std::move(s));
    }
  }
  return errors.size() == before;
}

std::vector<std::string> unmet_needs(const Plan& plan, const Policy& policy) {
  std::vector<std::string> out;
  const bool clone = std::any_of(plan.steps.begin(), plan.steps.end(), [](const PlanStep& s) { return s.device == "clone"; });
  if (clone && policy.clone_location.empty())
    out.push_back("plan `" + plan.name + "` boots the clone by its location code: give --clone-location LOC (or "
                  "clone = { location = \"LOC\" } in the config; `lscfg -vl hdisk1` or vtpilot preflight prints it)");
  return out;
}

std::vector<std::string> builtin_plan_names() {
  std::vector<std::string> out;
  for (const auto& f : embedded_plans()) out.push_back(std::string(std::filesystem::path(f.name).stem()));
  return out;
}

bool resolve_plan(const std::string& name_or_path, const Recognizer& recognizer, Plan& plan,
                  std::vector<SignatureError>& errors) {
  for (const auto& f : embedded_plans())
    if (std::filesystem::path(f.name).stem() == name_or_path)
      return load_plan("(built-in) " + std::string(f.name), f.text, recognizer, plan, errors);
  std::ifstream in(name_or_path, std::ios::binary);
  if (!in || std::filesystem::is_directory(name_or_path)) {
    std::string known;
    for (auto& n : builtin_plan_names()) known += (known.empty() ? "" : ", ") + n;
    errors.push_back({name_or_path, 0, "no such plan file, and not a built-in plan (" + known + ")"});
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_plan(name_or_path, ss.str(), recognizer, plan, errors);
}

}  // namespace vtpilot
