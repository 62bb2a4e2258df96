// The fds a container inherits by number must be open and the caller's.
#include "runtime/preserved_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <utility>
#include <vector>

#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::runtime;

namespace {

// Puts /dev/null at each of `fds` and closes them again on destruction.
struct OpenFds {
  explicit OpenFds(std::vector<int> fds) : fds_(std::move(fds)) {
    // Opened above the range, so dup3 never gets the same fd twice.
    int low = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(low >= 0);
    int null = ::fcntl(low, F_DUPFD_CLOEXEC, 100);
    ::close(low);
    REQUIRE(null >= 100);
    for (int fd : fds_) REQUIRE(::dup3(null, fd, O_CLOEXEC) == fd);
    ::close(null);
  }
  ~OpenFds() {
    for (int fd : fds_) ::close(fd);
  }
  std::vector<int> fds_;
};

bool fd_open(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

// The range starts at fd 3 by definition, but a test runner (ctest, a CI shell) may hand this process fds
// there: they are moved above the range for the test and put back afterwards.
struct MovedAside {
  explicit MovedAside(int first, int last) {
    for (int fd = first; fd <= last; ++fd) {
      if (!fd_open(fd)) continue;
      int saved = ::fcntl(fd, F_DUPFD_CLOEXEC, 200);
      REQUIRE(saved >= 200);
      ::close(fd);
      moved_.push_back({fd, saved});
    }
  }
  ~MovedAside() {
    for (auto [fd, saved] : moved_) {
      ::dup2(saved, fd);
      ::close(saved);
    }
  }
  std::vector<std::pair<int, int>> moved_;
};

}  // namespace

TEST_CASE("preserved fds: a negative count is refused naming the flag", "[preserve_fds]") {
  REQUIRE_THROWS_WITH(check_preserved_fds(0, -1, {}), "--preserve-fds: must be 0 or more, got -1");
  CHECK_NOTHROW(check_preserved_fds(0, 0, {}));
}

TEST_CASE("preserved fds: every fd of the range must be open", "[preserve_fds]") {
  MovedAside inherited(3, 5);
  for (int fd = 3; fd <= 5; ++fd) REQUIRE_FALSE(fd_open(fd));
  OpenFds passed({3, 4});
  CHECK_NOTHROW(check_preserved_fds(0, 2, {}));
  CHECK_NOTHROW(check_preserved_fds(1, 1, {}));
  REQUIRE_THROWS_WITH(check_preserved_fds(0, 10, {}),
                      "--preserve-fds: unable to stat preserved-fd 5 (of 10): Bad file descriptor");
  REQUIRE_THROWS_WITH(check_preserved_fds(3, 0, {}),
                      "LISTEN_FDS: unable to stat socket-activation fd 5 (of 3): Bad file descriptor");
  REQUIRE_THROWS_WITH(check_preserved_fds(2, 1, {}),
                      "--preserve-fds: unable to stat preserved-fd 5 (of 1): Bad file descriptor");
  // The runtime's own --log file is open but not the caller's.
  REQUIRE_THROWS_WITH(check_preserved_fds(0, 2, {4}),
                      "--preserve-fds: unable to stat preserved-fd 4 (of 2): that fd is the runtime's own "
                      "(--log file), not one the caller passed");
}

TEST_CASE("preserved fds: a runtime fd inside the range is caught", "[preserve_fds]") {
  CHECK_NOTHROW(require_outside_preserved(-1, 5, "the console"));
  CHECK_NOTHROW(require_outside_preserved(8, 5, "the sync socket"));
  CHECK_NOTHROW(require_outside_preserved(2, 5, "the sync socket"));
  REQUIRE_THROWS_WITH(require_outside_preserved(7, 5, "the state lock"),
                      "internal: the state lock got fd 7, inside the preserved range 3..7");
}
