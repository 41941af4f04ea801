// vtpilot: expect-style automation of IBM Power LPAR consoles for AIX boot-media migrations.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <regex>

#include "commands.hpp"

namespace vtpilot::cli {

int& exit_code() {
  static int code = kDone;
  return code;
}

// NaN passes every range check (each comparison is false) and an infinite time is none:
// `--timeout nan` never timed out and `--pacing nan` sent a digit twice. A number that reads as
// NaN or infinity is refused; anything else is left to the option's own conversion.
const CLI::Validator& finite_number() {
  static const CLI::Validator v(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (end != s.c_str() && *end == '\0' && !std::isfinite(d)) return s + " is not a finite number";
        return {};
      },
      "", "finite");
  return v;
}

void add_policy_flags(CLI::App& cmd, Policy& p) {
  cmd.add_option("--target-disk", p.target_name, "install target disk name (default hdisk0)");
  cmd.add_option("--target-location", p.target_location,
                 "pin the target by physical location code (outranks the name)");
  cmd.add_option("--target-pvid", p.target_pvid, "pin the target by PVID (outranks location and name)");
  cmd.add_option("--target-size-mb", p.target_size_mb,
                 "pin the target by its size in MB (counts only when no other root VG shows that size)")
      ->check(CLI::Range(0L, 1000000000L));
  cmd.add_option("--clone-location", p.clone_location, "pin the altinst_rootvg clone by location code");
  cmd.add_option("--clone-pvid", p.clone_pvid, "pin the altinst_rootvg clone by PVID");
}

namespace {

// "--timeout: Value abc not in range 0.1 to 86400" (CLI11's Range on a word): the value is no
// number at all, and that is what to say.
std::optional<std::string> not_a_number(const std::string& what) {
  static const std::regex range(R"(^(--[A-Za-z0-9-]+): Value (.*) not in range .*)");
  std::smatch m;
  if (!std::regex_match(what, m, range)) return std::nullopt;
  const std::string value = m[2];
  char* end = nullptr;
  errno = 0;
  (void)std::strtod(value.c_str(), &end);
  if (!value.empty() && end && *end == '\0') return std::nullopt;  // a number, out of range: CLI11 says so
  return m[1].str() + ": `" + value + "` is not a number";
}

}  // namespace

}  // namespace vtpilot::cli

int main(int argc, char** argv) {
  using namespace vtpilot::cli;
  using vtpilot::kUsage;
  CLI::App app{
      "vtpilot: drives IBM Power LPAR consoles (SMS firmware, AIX BOS installer) through a\n"
      "boot-media migration, refusing every key that could destroy rootvg or the rollback clone.\n"
      "Exit codes: 0 done, 2 bad usage or config, 3 refused by the guard, 4 unknown screen or\n"
      "timeout, 5 transport failure, 6 replay diverged, 7 a verify/preflight check failed."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("vtpilot ") + kVersion);
  add_render(app);
  add_identify(app);
  add_check(app);
  add_run(app);
  add_step(app);
  add_serve(app);
  add_replay(app);
  add_import(app);
  add_audit(app);
  add_verify(app);
  add_preflight(app);
  add_plans(app);
  auto list_commands = [&app] {
    std::fputs("Commands:\n", stderr);
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      const std::string& d = sub->get_description();
      const std::string first = d.substr(0, d.find('\n'));  // the rest is in COMMAND --help
      std::fprintf(stderr, "  %-10s %s\n", sub->get_name().c_str(), first.c_str());
    }
    std::fputs("Run `vtpilot COMMAND --help` for a command's options.\n", stderr);
  };
  // `vtpilot frobnicate`: CLI11 would say only that a subcommand is required.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
      known = known || sub->check_name(argv[1]);
    if (!known) {
      std::fprintf(stderr, "vtpilot: unknown command `%s`\n", argv[1]);
      list_commands();
      return kUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A number option given a word (`--timeout abc`): CLI11's range check says "not in range".
    if (auto bad = not_a_number(e.what())) {
      std::fprintf(stderr, "%s\nRun with --help for more information.\n", bad->c_str());
      return kUsage;
    }
    int rc = app.exit(e);
    // `vtpilot` alone: say which commands there are, not only that one is missing.
    if (dynamic_cast<const CLI::RequiredError*>(&e) && app.get_subcommands().empty()) list_commands();
    return rc == 0 ? 0 : kUsage;
  }
  return exit_code();
}
