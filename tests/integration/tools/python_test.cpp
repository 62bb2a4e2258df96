// python3 threads, a subprocess, and TCP and UDP echoes over 127.0.0.1 under agent-default.
#include <catch2/catch.hpp>
#include <string>

#include "integration/tools/tool_check.hpp"

using namespace tools_test;

namespace {

const char* kScript = R"PY(
import os, socket, subprocess, sys, threading

# Four threads that must all be alive at once (the barrier), each summing its own range.
barrier = threading.Barrier(4, timeout=20)
sums, tids = [0] * 4, set()
def work(i):
    barrier.wait()
    tids.add(threading.get_native_id())
    sums[i] = sum(range(i * 1000, (i + 1) * 1000))
threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print("threads", len(tids), sum(sums))

child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid(), 6 * 7)"],
                       capture_output=True, text=True, check=True, timeout=20)
pid, value = child.stdout.split()
print("subprocess", value, int(pid) != os.getpid())

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
def echo():
    conn, _ = server.accept()
    with conn:
        conn.sendall(conn.recv(100).upper())
t = threading.Thread(target=echo)
t.start()
with socket.create_connection(server.getsockname(), timeout=20) as c:
    c.sendall(b"ping over loopback")
    print("echo", c.recv(100).decode())
t.join()

udp_server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_server.bind(("127.0.0.1", 0))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(20)
udp.sendto(b"datagram", udp_server.getsockname())
data, sender = udp_server.recvfrom(100)
udp_server.sendto(data[::-1], sender)
print("udp", udp.recv(100).decode())
)PY";

}  // namespace

TEST_CASE("python3 threads, subprocess and loopback sockets work under agent-default", "[tools][python]") {
  long expected = 0;
  for (long i = 0; i < 4000; ++i) expected += i;

  UsrBundle bundle;
  auto r = run_tool(bundle, "python",
                    std::string("cat > /work/t.py <<'EOF'") + kScript + "EOF\npython3 /work/t.py");
  INFO(r.diagnosis);
  REQUIRE(r.out.code == 0);
  CHECK(r.out.out.rfind(kPolicyMarkers, 0) == 0);
  CHECK(tool_output(r.out) == "threads 4 " + std::to_string(expected) +
                                  "\nsubprocess 42 True\necho PING OVER LOOPBACK\nudp margatad\n");
}
