// vtpilot plans [NAME]: the built-in plans, one line each, or one of them as its TOML text
// (what to copy into a plan file of your own: plans may add rules, never remove the guard's).
#include <iostream>

#include "commands.hpp"
#include "vtpilot/base/embedded.hpp"

namespace vtpilot::cli {

std::string builtin_plans_summary() {
  std::string out;
  for (const std::string& name : builtin_plan_names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

void add_plans(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("plans",
                                 "list the built-in plans (name and what each does), or print one: vtpilot plans NAME\n"
                                 "(its TOML, a start for a plan file of your own: --plan FILE). Exit 2 for an unknown NAME.");
  cmd->add_option("NAME", *name, "a built-in plan to print");
  cmd->callback([name] {
    if (name->empty()) {
      for (const std::string& n : builtin_plan_names()) {
        Plan plan;
        std::vector<SignatureError> errors;
        resolve_plan(n, Recognizer::builtin(), plan, errors);
        std::cout << n << std::string(n.size() < 10 ? 10 - n.size() : 1, ' ') << plan.description << "\n";
      }
      return;
    }
    for (const auto& f : embedded_plans())
      if (f.name == *name + ".toml") {
        std::cout << f.text;
        return;
      }
    std::cerr << "vtpilot plans: no built-in plan `" << *name << "` (built-in: " << builtin_plans_summary() << ")\n";
    exit_code() = kUsage;
  });
}

}  // namespace vtpilot::cli
