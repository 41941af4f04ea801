// HMC command lines and what their output means (hmc.hpp): the media swap's lsvopt check, the
// VIOS's reserve refusal, and HSCL error lines.
#include <doctest/doctest.h>

#include "vtpilot/hmc/commands.hpp"

using namespace vtpilot;

TEST_CASE("hmc: media commands carry -release and -f only when asked") {
  CHECK(hmc::unloadopt("MS", "vios1", "vtopt0") == "viosvrcmd -m MS -p vios1 -c \"unloadopt -vtd vtopt0\"");
  CHECK(hmc::unloadopt("MS", "vios1", "vtopt0", true) == "viosvrcmd -m MS -p vios1 -c \"unloadopt -release -vtd vtopt0\"");
  CHECK(hmc::loadopt("MS", "vios1", "vtopt0", "v2.iso") == "viosvrcmd -m MS -p vios1 -c \"loadopt -disk v2.iso -vtd vtopt0\"");
  CHECK(hmc::loadopt("MS", "vios1", "vtopt0", "v2.iso", true) ==
        "viosvrcmd -m MS -p vios1 -c \"loadopt -f -disk v2.iso -vtd vtopt0\"");
  CHECK(hmc::lsvopt("MS", "vios1", "vtopt0") == "viosvrcmd -m MS -p vios1 -c \"lsvopt -vtd vtopt0\"");
}

TEST_CASE("hmc: lsvopt's row for the device says what it holds") {
  // Layout as IBM prints it (powercampus.de's VIOS media repository walk-through shows the same
  // three columns and "No Media  n/a").
  const char* two = "VTD             Media                                   Size(mb)\n"
                    "vtopt0          aix72_vol1.iso                          4096\n"
                    "vtopt1          No Media                                n/a\n";
  CHECK(hmc::parse_lsvopt(two, "vtopt0") == std::optional<std::string>("aix72_vol1.iso"));
  CHECK(hmc::parse_lsvopt(two, "vtopt1") == std::optional<std::string>(""));
  CHECK_FALSE(hmc::parse_lsvopt(two, "vtopt").has_value());  // a prefix is not the device
  CHECK_FALSE(hmc::parse_lsvopt(two, "vtopt2").has_value());
  CHECK_FALSE(hmc::parse_lsvopt("The specified virtual target device vtopt0 was not found.\n", "vtopt0").has_value());
  CHECK(hmc::parse_lsvopt("VTD MEDIA SIZE\r\n  vtopt0\tNo Media\tn/a\r\n", "vtopt0") == std::optional<std::string>(""));
}

TEST_CASE("hmc: a reserve refusal and HSCL lines are told from other output") {
  CHECK(hmc::reserve_error("The virtual optical device vtopt0 is reserved by the client partition"));
  CHECK_FALSE(hmc::reserve_error("The specified media aix72_vol3.iso was not found in the repository."));
  CHECK(hmc::hscl_error("\nHSCL3006 The partition lpar9 was not found on managed system MS.\n") ==
        std::optional<std::string>("HSCL3006 The partition lpar9 was not found on managed system MS."));
  CHECK(hmc::hscl_error("An error occurred: HSCL350B The user does not have the appropriate authority.  \r\n") ==
        std::optional<std::string>("HSCL350B The user does not have the appropriate authority."));
  CHECK_FALSE(hmc::hscl_error("XHSCL3006 no").has_value());
  CHECK_FALSE(hmc::hscl_error("HSCL is not followed by a code").has_value());
  CHECK(hmc::failure_text("line one\r\n  line two\n") == "line one line two");
  CHECK(hmc::failure_text("junk\nHSCL8012 The managed system X was not found.\n") ==
        "HSCL8012 The managed system X was not found.");
  CHECK(hmc::failure_text("") == "no message");
}

TEST_CASE("hmc: rmc_state and os_version say whether AIX is up, and at what level") {
  CHECK(hmc::lpar_os("MS", "lpar01") == "lssyscfg -r lpar -m MS --filter lpar_names=lpar01 -F rmc_state,os_version");
  // The values of a real lssyscfg -r lpar line (Veritas SFHA 6.1 for AIX, virtualization guide
  // ch08s05: "...,os_version=AIX 7.1 7100-00-00-0000,...,rmc_state=inactive,..."), as -F prints them.
  auto down = hmc::parse_os("inactive,AIX 7.1 7100-00-00-0000\n");
  REQUIRE(down);
  CHECK_FALSE(down->rmc_active);
  CHECK(down->level == "7100-00-00-0000");
  CHECK_FALSE(down->running_aix());  // the last level heard, not what runs now
  // And of another (a POWER5 frame's: "os_version=AIX 5.3 5300-05-05-0123,...,rmc_state=active").
  auto up = hmc::parse_os("active,AIX 5.3 5300-05-05-0123\r\n");
  REQUIRE(up);
  CHECK(up->running_aix());
  CHECK(up->level == "5300-05-05-0123");
  CHECK(up->os_version == "AIX 5.3 5300-05-05-0123");
  // RMC up but no level (IBM's REST shows OperatingSystemVersion "Unknown"): AIX, level not known.
  auto unknown = hmc::parse_os("active,Unknown\n");
  REQUIRE(unknown);
  CHECK(unknown->rmc_active);
  CHECK(unknown->level.empty());
  CHECK_FALSE(unknown->running_aix());
  // An HMC that does not know the attributes answers with an HSCL message: no facts.
  CHECK_FALSE(hmc::parse_os("HSCL2A06 The attribute rmc_state is not valid.\n"));
  CHECK_FALSE(hmc::parse_os(""));
  CHECK_FALSE(hmc::parse_os("Running\n"));
}
