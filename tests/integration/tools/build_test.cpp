// gcc + make build a two-file C program from a Makefile, which then runs, under agent-default.
#include <catch2/catch.hpp>
#include <string>

#include "integration/tools/tool_check.hpp"

using namespace tools_test;

namespace {

const char* kScript = R"SH(
mkdir /work/prog && cd /work/prog
cat > fib.h <<'EOF'
long fib(int n);
EOF
cat > fib.c <<'EOF'
#include "fib.h"
long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
EOF
cat > main.c <<'EOF'
#include <stdio.h>
#include "fib.h"
int main(void) { printf("fib(30)=%ld\n", fib(30)); return 0; }
EOF
printf 'CC = gcc\nCFLAGS = -O2 -Wall -Werror\nprog: main.o fib.o\n\t$(CC) $(CFLAGS) -o $@ main.o fib.o\n%%.o: %%.c fib.h\n\t$(CC) $(CFLAGS) -c $<\n' > Makefile
make -s -j2
./prog
make -q prog && echo up-to-date
)SH";

long fib(int n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

}  // namespace

TEST_CASE("gcc and make build and run a C program under agent-default", "[tools][gcc]") {
  UsrBundle bundle;
  auto r = run_tool(bundle, "gcc", kScript);
  INFO(r.diagnosis);
  REQUIRE(r.out.code == 0);
  CHECK(r.out.out.rfind(kPolicyMarkers, 0) == 0);
  CHECK(tool_output(r.out) == "fib(30)=" + std::to_string(fib(30)) + "\nup-to-date\n");
}
