#include "seccomp/arch.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"

using namespace agentrt;

TEST_CASE("arch: unknown architecture names are refused with their index", "[arch]") {
  CHECK_NOTHROW(
      seccomp::check_architecture_names({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"}));
  CHECK_NOTHROW(seccomp::check_architecture_names({}));
  REQUIRE_THROWS_WITH(seccomp::check_architecture_names({"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"}),
                      "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");
  REQUIRE_THROWS_WITH(seccomp::check_architecture_names({"x86_64"}),
                      "linux.seccomp.architectures[0]: unknown architecture \"x86_64\"");
}
