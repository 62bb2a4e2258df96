// systemd socket activation: LISTEN_FDS in agentrt's environment passes fds through to the container.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace surface_test;

TEST_CASE("LISTEN_FDS passes fd 3 through with LISTEN_PID=1", "[listen_fds]") {
  Runtime rt(AGENTRT_BIN, "listen", agentrt_globals());
  Bundle b("listen");
  b.sh("echo LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID; cat <&3");
  int p[2];
  REQUIRE(pipe2(p, O_CLOEXEC) == 0);
  REQUIRE(write(p[1], "socket-activated", 16) == 16);
  close(p[1]);
  b.save();
  rt.track(b.id());
  RunOptions opts;
  opts.fds = {{p[0], 3}};
  opts.env = {{"LISTEN_FDS", "1"}, {"LISTEN_PID", kSelfPid}};
  auto r = rt({"run", "--bundle", b.dir().string(), b.id()}, opts);
  close(p[0]);
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out == "LISTEN_FDS=1 LISTEN_PID=1\nsocket-activated");
}
