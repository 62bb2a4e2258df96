// systemd socket activation: LISTEN_FDS in the runtime's environment passes fds through to the container.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace surface_test;

namespace {

// systemd sets LISTEN_PID to the activated process, which here is the runtime itself.
Result run_activated(const std::string& bin, const std::vector<std::string>& globals) {
  Runtime rt(bin, "listen", globals);
  Bundle b("listen");
  b.sh("echo LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID; cat <&3");
  int p[2];
  REQUIRE(pipe2(p, O_CLOEXEC) == 0);
  REQUIRE(write(p[1], "socket-activated", 16) == 16);
  close(p[1]);
  RunOptions opts;
  opts.fds = {{p[0], 3}};
  opts.env = {{"LISTEN_FDS", "1"}, {"LISTEN_PID", kSelfPid}};
  b.save();
  rt.track(b.id());
  auto r = rt({"run", "--bundle", b.dir().string(), b.id()}, opts);
  close(p[0]);
  return r;
}

}  // namespace

TEST_CASE("LISTEN_FDS passes fd 3 through with LISTEN_PID=1", "[listen_fds]") {
  auto r = run_activated(AGENTRT_BIN, agentrt_globals());
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out == "LISTEN_FDS=1 LISTEN_PID=1\nsocket-activated");
  auto ref = run_activated("/usr/sbin/runc", {});
  INFO("runc: " << ref.err);
  CHECK(ref.out == r.out);
  CHECK(ref.code == r.code);
}
