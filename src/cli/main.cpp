// vtpilot: expect-style automation of IBM Power LPAR consoles for AIX boot-media migrations.
#include <cstdio>

#include "commands.hpp"

namespace vtpilot::cli {

int& exit_code() {
  static int code = kDone;
  return code;
}

void add_policy_flags(CLI::App& cmd, Policy& p) {
  cmd.add_option("--target-disk", p.target_name, "install target disk name (default hdisk0)");
  cmd.add_option("--target-location", p.target_location,
                 "pin the target by physical location code (outranks the name)");
  cmd.add_option("--target-pvid", p.target_pvid, "pin the target by PVID (outranks location and name)");
  cmd.add_option("--clone-location", p.clone_location, "pin the altinst_rootvg clone by location code");
  cmd.add_option("--clone-pvid", p.clone_pvid, "pin the altinst_rootvg clone by PVID");
}

}  // namespace vtpilot::cli

int main(int argc, char** argv) {
  using namespace vtpilot::cli;
  CLI::App app{
      "vtpilot: drives IBM Power LPAR consoles (SMS firmware, AIX BOS installer) through a\n"
      "boot-media migration, refusing every key that could destroy rootvg or the rollback clone.\n"
      "Exit codes: 0 done, 2 bad usage or config, 3 refused by the guard, 4 unknown screen or\n"
      "timeout, 5 transport failure, 6 replay diverged, 7 a verify/preflight check failed."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vtpilot 0.1.0");
  add_render(app);
  add_identify(app);
  add_check(app);
  add_run(app);
  add_step(app);
  add_replay(app);
  add_import(app);
  add_audit(app);
  add_verify(app);
  add_preflight(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // `vtpilot` alone: say which commands there are, not only that one is missing.
    if (dynamic_cast<const CLI::RequiredError*>(&e) && app.get_subcommands().empty()) {
      std::fputs("Commands:\n", stderr);
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        const std::string& d = sub->get_description();
        const std::string first = d.substr(0, d.find('\n'));  // the rest is in COMMAND --help
        std::fprintf(stderr, "  %-10s %s\n", sub->get_name().c_str(), first.c_str());
      }
      std::fputs("Run `vtpilot COMMAND --help` for a command's options.\n", stderr);
    }
    return rc == 0 ? 0 : kUsage;
  }
  return exit_code();
}
