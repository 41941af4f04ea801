#include <doctest/doctest.h>

#include "vtpilot/guard/guard.hpp"
#include "vtpilot/plan/plan.hpp"
#include "vtpilot/screens/recognizer.hpp"

using namespace vtpilot;

namespace {
std::vector<SignatureError> load(const std::string& text, Plan& plan) {
  std::vector<SignatureError> errors;
  load_plan("p.toml", text, Recognizer::builtin(), plan, errors);
  return errors;
}
}  // namespace

TEST_CASE("plans: the built-in migrate plan loads and answers the migration screens by meaning") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), plan, errors));
  CHECK(errors.empty());
  REQUIRE(plan.step_for("bos.method"));
  CHECK(plan.step_for("bos.method")->choose == "^Migration Install");
  CHECK(plan.step_for("bos.disks")->disk == "target");
  CHECK(plan.step_for("sms.device_list")->device == "media");
  CHECK(plan.step_for("aix.login")->done);
  // No step types a fixed menu number on a menu: numbers differ by firmware.
  for (const PlanStep& s : plan.steps)
    if (s.screen.rfind("sms.", 0) == 0 && s.screen != "sms.post") CHECK(s.keys.empty());
}

TEST_CASE("plans: errors are file:line with a message") {
  Plan plan;
  auto e = load("name = \"x\"\n[[step]]\nscreen = \"bos.nope\"\nwait = true\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line == 3);
  CHECK(e[0].str().find("unknown screen id") != std::string::npos);

  e = load("[[step]]\nscreen = \"bos.method\"\nchoose = '(unclosed'\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line == 3);
  CHECK(e[0].message.find("bad regex") != std::string::npos);

  e = load("[[step]]\nscreen = \"bos.method\"\nchoose = 'Migration'\nkeys = \"3\\r\"\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].message.find("exactly one") != std::string::npos);

  e = load("[[step]]\nscreen = \"bos.method\"\nbogus = 1\nwait = true\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line == 3);

  e = load("name = [\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line >= 1);

  e = load("name = \"empty\"\n", plan);
  CHECK(e.size() == 1);
}

TEST_CASE("plans: a bad `forbid` regex is a file:line error at load, and good ones reach the guard") {
  Plan plan;
  auto e = load("forbid = [\n  'Maintenance Mode',\n  '(unclosed',\n]\n[[step]]\nscreen = \"bos.method\"\nwait = true\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line == 3);
  CHECK(e[0].str().rfind("p.toml:3: bad regex in `forbid`", 0) == 0);
  CHECK(plan.forbidden_labels == std::vector<std::string>{"Maintenance Mode"});

  e = load("forbid = ['Maintenance Mode']\n[[step]]\nscreen = \"bos.method\"\nwait = true\n", plan);
  REQUIRE(e.empty());
  Policy policy;
  policy.extra_forbidden_labels = plan.forbidden_labels;  // compiled here, once
  CHECK(policy.extra_forbidden_labels.patterns() == plan.forbidden_labels);
  CHECK(policy.extra_forbidden_labels.matches("Start maintenance mode for System Recovery"));
  CHECK_FALSE(policy.extra_forbidden_labels.matches("Change/Show Installation Settings and Install"));
}

TEST_CASE("plans: an unknown plan name lists the built-in ones") {
  Plan plan;
  std::vector<SignatureError> errors;
  CHECK_FALSE(resolve_plan("nosuchplan", Recognizer::builtin(), plan, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message.find("migrate") != std::string::npos);
}

TEST_CASE("plans: `reveal` names the item that shows PVIDs on the disk screen, and only there") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), plan, errors));
  CHECK(plan.step_for("bos.disks")->reveal == "^Display More Disk Information");
  auto e = load("[[step]]\nscreen = \"bos.disks\"\ndisk = \"target\"\nreveal = '(77'\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line == 4);
  CHECK(e[0].message.find("bad regex in `reveal`") != std::string::npos);
  e = load("[[step]]\nscreen = \"bos.method\"\nchoose = 'Migration'\nreveal = 'More'\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].message.find("goes with `disk") != std::string::npos);
}

TEST_CASE("plans: a done step may require an install (migrate's does), and only a done step") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), plan, errors));
  CHECK(plan.step_for("aix.login")->requirement == "install");
  REQUIRE(resolve_plan("rollback", Recognizer::builtin(), plan, errors));
  CHECK(plan.step_for("aix.login")->requirement.empty());
  Plan p;
  auto e1 = load("[[step]]\nscreen = \"aix.login\"\ndone = true\nrequires = \"reboot\"\n", p);
  REQUIRE(e1.size() == 1);
  CHECK(e1[0].str() == "p.toml:4: unknown requirement `reboot` (known: install)");
  auto e2 = load("[[step]]\nscreen = \"bos.progress\"\nwait = true\nrequires = \"install\"\n", p);
  REQUIRE(e2.size() == 1);
  CHECK(e2[0].str().find("`requires` is for a `done` step") != std::string::npos);
}

TEST_CASE("plans: a plan's needs are known before attaching (rollback needs the clone's location)") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("rollback", Recognizer::builtin(), plan, errors));
  Policy pol;
  auto needs = unmet_needs(plan, pol);
  REQUIRE(needs.size() == 1);
  CHECK(needs[0].find("--clone-location") != std::string::npos);
  pol.clone_location = "U9009.42A.78ABCDE-V7-C4-T1-L8100000000000000";
  CHECK(unmet_needs(plan, pol).empty());
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), plan, errors));
  CHECK(unmet_needs(plan, Policy{}).empty());
}

TEST_CASE("plans: rules of what a plan does are data (halt_on_install_loop, halt_on_installer), validated") {
  Plan plan;
  std::vector<SignatureError> errors;
  REQUIRE(resolve_plan("migrate", Recognizer::builtin(), plan, errors));
  CHECK(plan.halt_on_install_loop);
  CHECK_FALSE(plan.halt_on_installer);
  REQUIRE(resolve_plan("rollback", Recognizer::builtin(), plan, errors));
  CHECK(plan.halt_on_installer);
  CHECK_FALSE(plan.halt_on_install_loop);
  const std::string step = "[[step]]\nscreen = \"aix.login\"\ndone = true\n";
  CHECK(load("halt_on_installer = true\n" + step, plan).empty());
  auto e = load("halt_on_installer = \"yes\"\n" + step, plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line == 1);
  CHECK(e[0].str().find("must be true or false") != std::string::npos);
  e = load("halt_on_install_loop = true\nhalt_on_installer = true\n" + step, plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].str().find("contradicts") != std::string::npos);
  // A step the rule makes unreachable is an error, not a silent dead line.
  e = load("halt_on_installer = true\n[[step]]\nscreen = \"bos.method\"\nchoose = '^Migration'\n", plan);
  REQUIRE(e.size() == 1);
  CHECK(e[0].line == 3);
  CHECK(e[0].str().find("can never run") != std::string::npos);
}
