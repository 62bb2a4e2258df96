// The egress allow-list in the kernel, driven through agentrt: a container joins a network namespace of the
// test's own (egress_net.hpp) and probes every way out; the same probes without the setting show that what
// fails is the filter's doing. State shows the denials; delete and a failed create leave nothing.
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>

#include "egress_net.hpp"
#include "integration_support/census.hpp"
#include "policy_support.hpp"

using namespace policy_test;

namespace {

// Probes named for the result map: each prints the errno name it got, or OK.
const std::vector<std::pair<std::string, std::string>> kProbes = {
    {"tcp_allowed", "net_tcp_connect 198.18.0.1 8080"},
    {"tcp_port", "net_tcp_connect 198.18.0.1 8081"},
    {"tcp_address", "net_tcp_connect 198.18.0.3 8080"},
    {"udp_connect", "net_udp_connect 198.18.0.1 8081"},
    {"udp_sendto", "net_udp_sendto 198.18.0.3 8080"},
    {"udp_sendmmsg", "net_udp_sendmmsg 198.18.0.1 9"},
    {"udp_allowed", "net_udp_sendto 198.18.0.1 8080"},
    {"tfo_allowed", "net_tcp_fastopen 198.18.0.1 8080"},
    {"tfo_port", "net_tcp_fastopen 198.18.0.1 8081"},
    {"mapped_allowed", "net_tcp_connect ::ffff:198.18.0.1 8080"},
    {"mapped_port", "net_tcp_connect ::ffff:198.18.0.1 8081"},
    {"mapped_udp", "net_udp_sendto ::ffff:198.18.0.3 53"},
    {"mptcp_port", "net_mptcp_connect 198.18.0.1 8081"},
    {"udplite", "net_udplite_sendto 198.18.0.3 8080"},
    {"ping", "net_ping_socket"},
    {"ping6", "net_ping6_socket"},
    {"raw", "net_raw_socket"},
    {"raw6", "net_raw6_socket"},
    {"loopback", "net_tcp_connect 127.0.0.1 9"},
};
const std::vector<std::string> kDenied = {
    "tcp_port",   "tcp_address", "udp_connect", "udp_sendto", "udp_sendmmsg", "tfo_port",   "mapped_port",
    "mapped_udp", "ping",        "ping6",       "raw",        "raw6",         "mptcp_port", "udplite"};

// A container in the test's network namespace with CAP_NET_RAW (so raw sockets are the filter's to refuse).
void join_net(PolicyBundle& b, const EgressNet& net) {
  for (auto& ns : b.config()["linux"]["namespaces"])
    if (ns["type"] == "network") ns["path"] = net.container_netns();
  for (auto& [set, caps] : b.config()["process"]["capabilities"].items()) caps.push_back("CAP_NET_RAW");
}

std::map<std::string, std::string> run_probes(PolicyRuntime& rt, PolicyBundle& b) {
  b.script(probe_script(kProbes));
  auto r = rt.run(b);
  INFO(r.all());
  REQUIRE(r.code == 0);
  return itest::key_values(r.out);
}

std::vector<std::string> pins_of(const std::string& id) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/sys/fs/bpf/agentrt", ec))
    if (e.path().filename().string().rfind(id + "-", 0) == 0) out.push_back(e.path());
  return out;
}

}  // namespace

TEST_CASE("egress: the allowed ip:port connects, every other way out fails with EPERM", "[egress]") {
  EgressNet net;
  // Profile off: the agent profiles drop CAP_NET_RAW, and here only the egress filter may refuse.
  PolicyRuntime rt(itest::profile_flags("off"));
  PolicyBundle open_bundle("egress-open");
  join_net(open_bundle, net);
  auto open = run_probes(rt, open_bundle);
  // Without the setting every probe gets through (UDP needs no listener; 127.0.0.1:9 refuses).
  for (const auto& [name, op] : kProbes) {
    INFO(name);
    CHECK(open[name] == (name == "loopback" ? "ECONNREFUSED" : "OK"));
  }

  PolicyBundle b("egress-limited");
  join_net(b, net);
  b.annotate("run.agentrt.net.egress", "198.18.0.1:8080");
  auto m = run_probes(rt, b);
  for (const char* ok : {"tcp_allowed", "udp_allowed", "tfo_allowed", "mapped_allowed"}) {
    INFO(ok);
    CHECK(m[ok] == "OK");
  }
  for (const auto& name : kDenied) {
    INFO(name);
    CHECK(m[name] == "EPERM");
  }
  // A network namespace given by path that is not the host's: its loopback is the container's.
  CHECK(m["loopback"] == "ECONNREFUSED");
  CHECK(pins_of(b.id()).empty());  // run deleted it
  CHECK(itest::cgroups_named(b.id()).empty());
}

TEST_CASE("egress: state shows the denials, exec is held to the list, delete removes the filter",
          "[egress]") {
  std::optional<EgressNet> test_net(std::in_place);
  const EgressNet& net = *test_net;
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  PolicyBundle b("egress-state");
  join_net(b, net);
  b.annotate("run.agentrt.net.egress", "198.18.0.1:8080");
  b.script("sleep 60");
  REQUIRE(rt.create(b).code == 0);
  REQUIRE(rt({"start", b.id()}, 30).code == 0);
  auto denied = rt({"exec", b.id(), "/bin/probe", "net_tcp_connect", "198.18.0.1", "8081"}, 30);
  CHECK(itest::trim(denied.out) == "EPERM");
  auto sent = rt({"exec", b.id(), "/bin/probe", "net_udp_sendto", "198.18.0.3", "53"}, 30);
  CHECK(itest::trim(sent.out) == "EPERM");
  auto allowed = rt({"exec", b.id(), "/bin/probe", "net_tcp_connect", "198.18.0.1", "8080"}, 30);
  CHECK(itest::trim(allowed.out) == "OK");

  auto st = rt.state(b.id());
  REQUIRE(st);
  const json& network = (*st)["agentrt"]["agentPolicy"]["network"];
  INFO(network.dump(2));
  CHECK(network["enforced"] == true);
  CHECK(network["egress"] == json{"198.18.0.1:8080"});
  CHECK(network["allowed"] == json{"198.18.0.1/32:8080"});
  CHECK(network["denied"] == 2);
  REQUIRE(network["recentDenials"].size() == 2);
  CHECK(network["recentDenials"][0]["destination"] == "198.18.0.1:8081/tcp");
  CHECK(network["recentDenials"][1]["destination"] == "198.18.0.3:53/udp");
  CHECK(network["recentDenials"][0]["comm"] == "probe");
  CHECK(network["recentDenials"][0]["pid"].get<int>() > 0);
  CHECK(network["recentDenials"][0]["error"] == "Operation not permitted");
  auto events = rt({"events", "--stats", b.id()}, 30);
  REQUIRE(events.code == 0);
  CHECK(json::parse(events.out)["data"]["egress"]["denied"] == 2);

  std::string pin = network["statsMap"];
  CHECK(std::filesystem::exists(pin));
  std::string cgroup2 = network["cgroup2"];
  CHECK(std::filesystem::exists(cgroup2));
  REQUIRE(rt({"delete", "-f", b.id()}, 30).code == 0);
  CHECK_FALSE(std::filesystem::exists(pin));
  CHECK_FALSE(std::filesystem::exists(cgroup2));
  CHECK(itest::cgroups_named(b.id()).empty());
  auto names = net.names();
  test_net.reset();  // the veth pair goes with its namespaces
  for (const auto& n : names) CHECK_FALSE(EgressNet::exists(n));
}

TEST_CASE("egress: dns reaches port 53 of the container's nameservers only", "[egress]") {
  EgressNet net;
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  PolicyBundle b("egress-dns");
  join_net(b, net);
  b.write_rootfs_file("/etc/resolv.conf", "nameserver 198.18.0.1\n");
  b.annotate("run.agentrt.net.egress", "dns");
  b.script(probe_script({{"udp_ns", "net_udp_sendto 198.18.0.1 53"},
                         {"tcp_ns", "net_tcp_connect 198.18.0.1 53"},
                         {"udp_other", "net_udp_sendto 198.18.0.3 53"},
                         {"tcp_other", "net_tcp_connect 198.18.0.3 53"},
                         {"ns_other_port", "net_tcp_connect 198.18.0.1 8080"}}));
  auto r = rt.run(b);
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto m = itest::key_values(r.out);
  CHECK(m["udp_ns"] == "OK");
  CHECK(m["tcp_ns"] == "ECONNREFUSED");  // let through: nothing listens on 53
  CHECK(m["udp_other"] == "EPERM");
  CHECK(m["tcp_other"] == "EPERM");
  CHECK(m["ns_other_port"] == "EPERM");
}

TEST_CASE("egress: none leaves only the container's own loopback", "[egress]") {
  EgressNet net;
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  PolicyBundle b("egress-none");
  join_net(b, net);
  b.annotate("run.agentrt.net.egress", "none");
  b.script(probe_script({{"lo4", "net_tcp_connect 127.0.0.1 9"},
                         {"lo6", "net_tcp_connect ::1 9"},
                         {"out", "net_tcp_connect 198.18.0.1 8080"},
                         {"udp", "net_udp_sendto 198.18.0.1 8080"}}));
  auto r = rt.run(b);
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto m = itest::key_values(r.out);
  CHECK(m["lo4"] == "ECONNREFUSED");
  CHECK(m["lo6"] == "ECONNREFUSED");
  CHECK(m["out"] == "EPERM");
  CHECK(m["udp"] == "EPERM");

  // In the host's network namespace 127.0.0.1 is the host's services: not exempt.
  PolicyBundle host("egress-none-hostnet");
  auto& namespaces = host.config()["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "network" ? namespaces.erase(it) : it + 1;
  host.annotate("run.agentrt.net.egress", "none");
  host.script(probe_script({{"lo4", "net_tcp_connect 127.0.0.1 9"}, {"lo6", "net_tcp_connect ::1 9"}}));
  r = rt.run(host);
  INFO(r.all());
  REQUIRE(r.code == 0);
  m = itest::key_values(r.out);
  CHECK(m["lo4"] == "EPERM");
  CHECK(m["lo6"] == "EPERM");
}

TEST_CASE("egress: a create that fails after the filter is attached leaves nothing", "[egress]") {
  const std::string tag = "egress-failed";
  EgressNet net;
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  auto before = itest::take_census(tag, rt.root());
  PolicyBundle b(tag);
  join_net(b, net);
  b.annotate("run.agentrt.net.egress", "198.18.0.1:8080");
  b.config()["hooks"]["prestart"] = json::array({{{"path", "/bin/false"}}});  // runs after the attach
  auto r = rt.create(b);
  CHECK(r.code != 0);
  CHECK(itest::contains(r.err, "prestart"));
  CHECK(pins_of(b.id()).empty());
  CHECK(itest::cgroups_named(b.id()).empty());

  PolicyBundle unresolvable(tag + "-name");
  unresolvable.annotate("run.agentrt.net.egress", "nosuch-host.invalid:443");
  r = rt.create(unresolvable);
  CHECK(r.code != 0);
  CHECK(itest::contains(r.err, "annotation run.agentrt.net.egress: cannot resolve host nosuch-host.invalid"));
  CHECK(itest::census_diff(before, itest::take_census(tag, rt.root())) == "");
}

TEST_CASE("egress: host names are resolved at create with the host's resolver, recorded in state",
          "[egress]") {
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  PolicyBundle b("egress-names");
  b.annotate("run.agentrt.net.egress", "localhost:8080");  // /etc/hosts: no network needed
  b.script("sleep 60");
  REQUIRE(rt.create(b).code == 0);
  auto st = rt.state(b.id());
  REQUIRE(st);
  const json& network = (*st)["agentrt"]["agentPolicy"]["network"];
  INFO(network.dump(2));
  CHECK(network["enforced"] == true);
  bool found = false;
  for (const auto& a : network["allowed"]) found |= a == "127.0.0.1/32:8080 (localhost)";
  CHECK(found);
  CHECK(itest::contains(network.value("names", ""), "resolved once at create"));
}

TEST_CASE(
    "egress: without a cgroup an explicit setting is refused, agent-locked's default recorded as not "
    "enforced",
    "[egress]") {
  const std::string tag = "egress-nocgroup";
  PolicyRuntime rt({"--cgroup-manager", "disabled", "--profile", "agent-locked"});
  auto before = itest::take_census(tag, rt.root());
  PolicyBundle asked(tag + "-asked");
  asked.annotate("run.agentrt.net.egress", "198.18.0.1:8080");
  auto r = rt.create(asked);
  CHECK(r.code != 0);
  CHECK(itest::contains(r.err, "annotation run.agentrt.net.egress: the container has no cgroup2 directory"));
  // agent-locked turns audit on: the failed create removed its log, and left the logs' shared directory.
  CHECK_FALSE(std::filesystem::exists(rt.root() / ".audit" / (asked.id() + ".jsonl")));
  auto after = itest::take_census(tag, rt.root());
  std::erase(after.state_dirs, ".audit");
  CHECK(itest::census_diff(before, after) == "");

  PolicyBundle locked(tag + "-default");
  locked.script("sleep 60");
  REQUIRE(rt.create(locked).code == 0);
  auto st = rt.state(locked.id());
  REQUIRE(st);
  const json& network = (*st)["agentrt"]["agentPolicy"]["network"];
  INFO(network.dump(2));
  CHECK(network["egressSetBy"] == "profile agent-locked");
  CHECK(network["enforced"] == false);
  CHECK(itest::contains(network.value("reason", ""), "no cgroup2 directory"));
  CHECK_FALSE(network.contains("statsMap"));
}

TEST_CASE("egress: with audit on, the denials enter the audit trail once, outlive delete, lost ones counted",
          "[egress][audit]") {
  EgressNet net;
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  PolicyBundle b("egress-audit");
  join_net(b, net);
  b.annotate("run.agentrt.net.egress", "198.18.0.1:8080");
  b.annotate("run.agentrt.audit", "true");
  b.script("sleep 60");
  REQUIRE(rt.create(b).code == 0);
  REQUIRE(rt({"start", b.id()}, 30).code == 0);
  auto egress_records = [&] {
    auto r = rt({"audit", "--json", b.id()}, 30);
    INFO(r.all());
    REQUIRE(r.code == 0);
    std::vector<json> out;
    for (const auto& line : itest::split_lines(r.out)) {
      json rec = json::parse(line);
      if (rec.value("source", "") == "egress" ||
          rec.value("notice", "").find("egress denial") != std::string::npos)
        out.push_back(rec);
    }
    return out;
  };
  CHECK(itest::trim(rt({"exec", b.id(), "/bin/probe", "net_tcp_connect", "198.18.0.1", "8081"}, 30).out) ==
        "EPERM");
  auto first = egress_records();
  REQUIRE(first.size() == 1);
  CHECK(first[0]["destination"] == "198.18.0.1:8081/tcp");
  CHECK(first[0]["errnoName"] == "EPERM");
  CHECK(first[0]["comm"] == "probe");
  CHECK(egress_records().size() == 1);  // a second look copies nothing again

  // 20 more denials: the filter keeps its last 16, so 4 are counted but not kept.
  auto loop = rt({"exec", b.id(), "/bin/sh", "-c",
                  "i=0; while [ $i -lt 20 ]; do /bin/probe net_udp_sendto 198.18.0.3 53 >/dev/null; "
                  "i=$((i+1)); done"},
                 60);
  REQUIRE(loop.code == 0);
  REQUIRE(rt({"delete", "-f", b.id()}, 30).code == 0);
  auto after = egress_records();  // delete copied them; the map is gone with the container
  INFO(json(after).dump(1));
  REQUIRE(after.size() == 1 + 1 + 16);
  CHECK(after[0]["destination"] == "198.18.0.1:8081/tcp");
  CHECK(after[1]["source"] == "agentrt");
  CHECK(after[1]["notice"].get<std::string>().rfind("4 egress denial(s) were counted but not kept", 0) == 0);
  for (size_t i = 2; i < after.size(); ++i) {
    INFO(i);
    CHECK(after[i]["destination"] == "198.18.0.3:53/udp");
  }
  CHECK(pins_of(b.id()).empty());
}
