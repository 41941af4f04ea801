// run --config files: what a user writes, and the file:line errors they get for mistakes.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "vtpilot/run/config.hpp"

using namespace vtpilot;

namespace {

std::string errors_of(const std::string& text, Config* out = nullptr) {
  Config c;
  std::vector<SignatureError> errors;
  load_config("c.toml", text, c, errors, "/home/op");
  if (out) *out = c;
  std::string all;
  for (auto& e : errors) all += e.str() + "\n";
  return all;
}

const char* kMinimal = R"([hmc]
host = "hmc01"
[[lpar]]
name = "lpar01"
managed_system = "MS1"
)";

}  // namespace

TEST_CASE("config: the README's example loads, defaults flow into each LPAR, pins are read") {
  std::ifstream in(VTPILOT_SOURCE_DIR "/fixtures/configs/hmc01-two-lpars.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  Config c;
  CHECK(errors_of(ss.str(), &c).empty());
  REQUIRE(c.lpars.size() == 2);
  CHECK(c.hmc.host == "hmc01.example.com");
  CHECK(c.hmc.known_hosts == "/home/op/.ssh/known_hosts");  // ~ expanded
  CHECK(c.lpars[0].managed_system == "Server-8247-42L-SN21271DA");
  CHECK(c.lpars[1].media == std::vector<std::string>{"aix72_tl5_vol1.iso", "aix72_tl5_vol2.iso"});
  CHECK(c.lpars[1].vtd == "vtopt1");
  CHECK(c.lpars[0].power_on);
  CHECK(c.lpars[0].policy.target_pvid == "00f6db0a2c1d4e5f");
  CHECK(c.lpars[0].policy.clone_location == "U8247.42L.21271DA-V3-C2-T1-L8200000000000000");
  CHECK(c.lpars[1].policy.target_name == "hdisk0");
  CHECK(c.lpars[1].line == 26);
}

TEST_CASE("config: a minimal config works with the defaults a user expects") {
  Config c;
  CHECK(errors_of(kMinimal, &c).empty());
  REQUIRE(c.lpars.size() == 1);
  CHECK(c.lpars[0].pacing_ms == 100);
  CHECK(c.lpars[0].policy.target_name == "hdisk0");
  CHECK(c.lpars[0].plan == "migrate");
  CHECK_FALSE(c.lpars[0].power_on);
  CHECK(c.hmc.port == 0);  // from ~/.ssh/config, else 22
}

TEST_CASE("config: every mistake is file:line: message") {
  CHECK(errors_of("[hmc\nhost=1") .rfind("c.toml:1:", 0) == 0);  // not TOML
  CHECK(errors_of("[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n").find("c.toml:1: a config needs an [hmc] table") != std::string::npos);
  CHECK(errors_of("[hmc]\nhost = \"h\"\n").find("at least one [[lpar]]") != std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "pacing = 5\n").find("c.toml:6: unknown key `pacing` in [[lpar]]") !=
        std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "pacing_ms = -1\n").find("c.toml:6: `pacing_ms` must be a number from 0") !=
        std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "power_on = \"yes\"\n").find("c.toml:6: `power_on` must be true or false") !=
        std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "media_pattern = \"(\"\n").find("c.toml:6: bad regex in `media_pattern`") !=
        std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "target = \"hdisk0\"\n").find("c.toml:6: `target` must be a table") !=
        std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "target = { disk = \"hdisk0\", serial = \"x\" }\n")
            .find("unknown key `serial` in target") != std::string::npos);
  CHECK(errors_of("[hmc]\nhost = \"h\"\n[[lpar]]\nname = \"a\"\n").find("c.toml:3: LPAR `a` needs `managed_system`") !=
        std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "[[lpar]]\nname = \"lpar01\"\nmanaged_system = \"m\"\n")
            .find("c.toml:7: LPAR `lpar01` is listed twice") != std::string::npos);
  CHECK(errors_of("[hmc]\nhost = \"h\"\nport = 70000\n[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n")
            .find("c.toml:3: `port` must be a number from 1 to 65535") != std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "media = [\"v1.iso\", \"v2.iso\"]\n").find("no `vios` to swap them on") !=
        std::string::npos);
}

TEST_CASE("config: a password is never accepted in the file, and names that reach a shell are plain words") {
  CHECK(errors_of("[hmc]\nhost = \"h\"\npassword = \"secret\"\n[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n")
            .find("c.toml:3: never put a password in the config") != std::string::npos);
  // ISO and device names go into viosvrcmd -c "loadopt ...": a name can never be a second command.
  CHECK(errors_of(std::string(kMinimal) + "vios = \"v\"\nmedia = [\"a.iso; rm -rf /\"]\n").find("c.toml:7: `media` lists ISO names") !=
        std::string::npos);
  CHECK(errors_of(std::string(kMinimal) + "vtd = \"vtopt0 -f\"\n").find("c.toml:6: `vtd` is a virtual target device") !=
        std::string::npos);
  CHECK(errors_of("[hmc]\nhost = \"h\"\npassword_file = \"/p\"\npassword_prompt = true\n[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n")
            .find("not both") != std::string::npos);
}

TEST_CASE("config: told from plans and signatures by its [hmc] table") {
  CHECK(looks_like_config(kMinimal));
  CHECK(looks_like_config("# comment\n  [hmc]\nhost='x'\n"));
  CHECK_FALSE(looks_like_config("name = \"migrate\"\n[[step]]\nscreen = \"sms.main\"\n"));
  CHECK_FALSE(looks_like_config("id = \"sms.main\"\nall = ['[hmc]']\n"));
}

TEST_CASE("config: reclaim_own_vterm is on by default, can be turned off, and a wrong type is file:line") {
  Config c;
  CHECK(errors_of(kMinimal, &c).empty());
  CHECK(c.lpars[0].reclaim_own_vterm);
  CHECK(errors_of(std::string(kMinimal) + "reclaim_own_vterm = false\n", &c).empty());
  CHECK_FALSE(c.lpars[0].reclaim_own_vterm);
  CHECK(errors_of("[hmc]\nhost = \"h\"\n[defaults]\nreclaim_own_vterm = false\n[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n", &c)
            .empty());
  CHECK_FALSE(c.lpars[0].reclaim_own_vterm);  // from [defaults]
  CHECK(errors_of(std::string(kMinimal) + "reclaim_own_vterm = \"no\"\n")
            .find("c.toml:6: `reclaim_own_vterm` must be true or false") != std::string::npos);
}

TEST_CASE("config: target.size_mb pins SIZE_MB, anything but a whole number of MB is file:line") {
  Config c;
  CHECK(errors_of(std::string(kMinimal) + "target = { size_mb = 20480 }\n", &c).empty());
  REQUIRE(c.lpars.size() == 1);
  CHECK(c.lpars[0].policy.target_size_mb == 20480);
  const std::string e = errors_of(std::string(kMinimal) + "target = { size_mb = \"20G\" }\n", &c);
  CHECK(e.find("c.toml:6: `size_mb` must be a whole number") != std::string::npos);
}

TEST_CASE("config: max_concurrent is per HMC, 4 unless given, a whole number from 1 to 64") {
  Config c;
  CHECK(errors_of(kMinimal, &c).empty());
  CHECK(c.hmc.max_concurrent == 4);
  CHECK(errors_of("[hmc]\nhost = \"h\"\nmax_concurrent = 2\n[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n", &c).empty());
  CHECK(c.hmc.max_concurrent == 2);
  CHECK(errors_of("[hmc]\nhost = \"h\"\nmax_concurrent = 0\n[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n")
            .find("c.toml:3: `max_concurrent` must be a number from 1 to 64") != std::string::npos);
  CHECK(errors_of("[hmc]\nhost = \"h\"\nmax_concurrent = 1.5\n[[lpar]]\nname = \"a\"\nmanaged_system = \"m\"\n")
            .find("c.toml:3: `max_concurrent` must be a whole number") != std::string::npos);
  // An LPAR-level key would say one LPAR's share of the HMC: it is not one.
  CHECK(errors_of(std::string(kMinimal) + "max_concurrent = 2\n").find("unknown key `max_concurrent`") != std::string::npos);
}

TEST_CASE("config: resume is off by default and excludes allow_restart (attach as it is, or shut down)") {
  Config c;
  CHECK(errors_of(kMinimal, &c).empty());
  CHECK_FALSE(c.lpars[0].resume);
  CHECK(errors_of(std::string(kMinimal) + "power_on = true\nresume = true\n", &c).empty());
  CHECK(c.lpars[0].resume);
  CHECK(errors_of(std::string(kMinimal) + "power_on = true\nresume = true\nallow_restart = true\n")
            .find("c.toml:7: `resume` attaches a Running LPAR as it is, `allow_restart` shuts it down: choose one") !=
        std::string::npos);
}

TEST_CASE("config: expect_level is the start of oslevel -s, or not given") {
  Config c;
  CHECK(errors_of(kMinimal, &c).empty());
  CHECK(c.lpars[0].expect_level.empty());
  for (const char* good : {"7200", "7200-05", "7300-03-01-2520"}) {
    CAPTURE(good);
    CHECK(errors_of(std::string(kMinimal) + "expect_level = \"" + good + "\"\n", &c).empty());
    CHECK(c.lpars[0].expect_level == good);
  }
  for (const char* bad : {"7.2", "72", "7200-", "7200--05", "7200-05a", "AIX 7.2"}) {
    CAPTURE(bad);
    CHECK(errors_of(std::string(kMinimal) + "expect_level = \"" + bad + "\"\n").find("4 digits, then -NN groups") !=
          std::string::npos);
  }
}
