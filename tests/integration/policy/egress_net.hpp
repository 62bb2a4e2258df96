#pragma once
// The egress tests' network: a server namespace and a container namespace of the test's own, joined by a
// veth pair, addresses in 198.18.0.0/15 (the benchmark range), so no traffic leaves them. The server side
// has 198.18.0.1 and 198.18.0.3 with TCP listeners on 8080 and 8081 on both; the container side has
// 198.18.0.2 and allows ping sockets to every group (so only the egress filter can refuse one).
// Everything is removed on destruction.
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "integration_support/process.hpp"
#include "oci/support/unique_fd.hpp"

namespace policy_test {

class EgressNet {
 public:
  static constexpr const char* kIp = "/usr/sbin/ip";  // iproute2 (itest::execute does not search PATH)

  EgressNet()
      : server_("egress-srv-" + std::to_string(::getpid())),
        container_("egress-ctr-" + std::to_string(::getpid())) {
    std::string veth = "egv" + std::to_string(::getpid() % 100000);
    for (const auto& ns : {server_, container_}) {
      ip({"netns", "add", ns});
      made_.names.push_back(ns);
    }
    ip({"link", "add", veth + "s", "type", "veth", "peer", "name", veth + "c"});
    ip({"link", "set", veth + "s", "netns", server_});
    ip({"link", "set", veth + "c", "netns", container_});
    ip({"-n", server_, "addr", "add", "198.18.0.1/24", "dev", veth + "s"});
    ip({"-n", server_, "addr", "add", "198.18.0.3/24", "dev", veth + "s"});
    ip({"-n", container_, "addr", "add", "198.18.0.2/24", "dev", veth + "c"});
    for (const auto& ns : {server_, container_}) {
      ip({"-n", ns, "link", "set", "lo", "up"});
      ip({"-n", ns, "link", "set", ns == server_ ? veth + "s" : veth + "c", "up"});
    }
    auto r = itest::execute({kIp, "netns", "exec", container_, "/bin/sh", "-c",
                             "echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range"},
                            30);
    REQUIRE(r.code == 0);
    listen_in_server({8080, 8081});
  }
  ~EgressNet() { listeners_.clear(); }
  EgressNet(const EgressNet&) = delete;
  EgressNet& operator=(const EgressNet&) = delete;

  std::string container_netns() const { return "/run/netns/" + container_; }
  static bool exists(const std::string& name) { return ::access(("/run/netns/" + name).c_str(), F_OK) == 0; }
  std::vector<std::string> names() const { return {server_, container_}; }

 private:
  static void ip(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kIp};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = itest::execute(argv, 30);
    INFO(r.all());
    REQUIRE(r.code == 0);
  }
  // Sockets made while this thread is in the server's namespace stay there.
  void listen_in_server(const std::vector<uint16_t>& ports) {
    agentrt::UniqueFd home(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    agentrt::UniqueFd there(::open(("/run/netns/" + server_).c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(home);
    REQUIRE(there);
    REQUIRE(::setns(there.get(), CLONE_NEWNET) == 0);
    for (uint16_t port : ports) {
      agentrt::UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      int one = 1;
      ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      bool ok = ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(s.get(), 64) == 0;
      listeners_.push_back(std::move(s));
      if (!ok) break;
    }
    REQUIRE(::setns(home.get(), CLONE_NEWNET) == 0);
    REQUIRE(listeners_.size() == ports.size());
  }

  // Deletes the namespaces (and the veth pair with them), also when the constructor fails half-way.
  struct Namespaces {
    std::vector<std::string> names;
    ~Namespaces() {
      for (const auto& ns : names) itest::execute({kIp, "netns", "del", ns}, 30);
    }
  };
  std::string server_, container_;
  Namespaces made_;
  std::vector<agentrt::UniqueFd> listeners_;
};

}  // namespace policy_test
