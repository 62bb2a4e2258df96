#include <cstdio>

#include "runtime/version.hpp"

int main() {
  std::fputs(agentrt::runtime::version_text(), stdout);
  return 0;
}
