// node runs a script that computes a value and uses fs and child_process, under agent-default.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "integration/tools/tool_check.hpp"

using namespace tools_test;

namespace {

const char* kScript = R"JS(
const fs = require('fs');
const cp = require('child_process');
const primes = [];
for (let n = 2; primes.length < 100; n++) if (primes.every(p => n % p)) primes.push(n);
fs.writeFileSync('/work/primes.txt', primes.join('\n') + '\n');
const back = fs.readFileSync('/work/primes.txt', 'utf8').trim().split('\n').map(Number);
console.log('sum', back.reduce((a, b) => a + b, 0));
console.log('sync child', cp.execFileSync('/bin/sh', ['-c', 'echo $((6 * 7))']).toString().trim());
fs.promises.readdir('/work').then(names => {
  console.log('readdir', names.includes('primes.txt'));
  cp.exec('wc -l < /work/primes.txt', (err, out) => {
    if (err) throw err;
    console.log('async child', out.trim());
  });
});
)JS";

}  // namespace

TEST_CASE("node runs a script with fs and child_process under agent-default", "[tools][node]") {
  std::vector<long> primes;
  for (long n = 2; primes.size() < 100; ++n) {
    bool prime = true;
    for (long p : primes) prime = prime && n % p != 0;
    if (prime) primes.push_back(n);
  }
  long sum = 0;
  for (long p : primes) sum += p;

  UsrBundle bundle;
  auto r =
      run_tool(bundle, "node", std::string("cat > /work/t.js <<'EOF'") + kScript + "EOF\nnode /work/t.js");
  INFO(r.diagnosis);
  REQUIRE(r.out.code == 0);
  CHECK(r.out.out.rfind(kPolicyMarkers, 0) == 0);
  CHECK(tool_output(r.out) ==
        "sum " + std::to_string(sum) + "\nsync child 42\nreaddir true\nasync child 100\n");
}
