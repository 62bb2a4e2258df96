// The generated device program is checked by running it: a small interpreter for the instructions the
// generator emits (and nothing else: anything unexpected fails the test).
#include "cgroups/device_bpf.hpp"

#include <catch2/catch.hpp>
#include <cstring>

using namespace agentrt::cgroups;
using agentrt::oci::DeviceCgroupRule;

namespace {

enum Acc { M = BPF_DEVCG_ACC_MKNOD, R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE };

// The kernel verifier refuses unreachable instructions: every instruction must be reachable.
void check_all_reachable(const std::vector<bpf_insn>& prog) {
  std::vector<bool> seen(prog.size(), false);
  std::vector<size_t> todo = {0};
  while (!todo.empty()) {
    size_t pc = todo.back();
    todo.pop_back();
    if (pc >= prog.size() || seen[pc]) continue;
    seen[pc] = true;
    const bpf_insn& i = prog[pc];
    if (i.code == (BPF_JMP | BPF_EXIT)) continue;
    todo.push_back(pc + 1);
    if (BPF_CLASS(i.code) == BPF_JMP) todo.push_back(pc + 1 + i.off);
  }
  for (size_t i = 0; i < prog.size(); ++i) {
    INFO("instruction " << i);
    CHECK(seen[i]);
  }
}

int run(const std::vector<bpf_insn>& prog, char type, uint32_t major, uint32_t minor, int access) {
  check_all_reachable(prog);
  bpf_cgroup_dev_ctx ctx{};
  ctx.access_type =
      (static_cast<uint32_t>(access) << 16) | (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
  ctx.major = major;
  ctx.minor = minor;
  uint64_t reg[11] = {};
  size_t pc = 0;
  for (int steps = 0; steps < 10000; ++steps) {
    REQUIRE(pc < prog.size());
    const bpf_insn& i = prog[pc++];
    uint64_t& dst = reg[i.dst_reg];
    uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
    switch (i.code) {
      case BPF_LDX | BPF_W | BPF_MEM: {
        REQUIRE(i.src_reg == 1);
        REQUIRE(i.off >= 0);
        REQUIRE(static_cast<size_t>(i.off) + 4 <= sizeof ctx);
        uint32_t v;
        std::memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, 4);
        dst = v;
        break;
      }
      case BPF_ALU64 | BPF_MOV | BPF_X:
        dst = reg[i.src_reg];
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        dst = imm;
        break;
      case BPF_ALU64 | BPF_AND | BPF_K:
        dst &= imm;
        break;
      case BPF_ALU64 | BPF_RSH | BPF_K:
        dst >>= i.imm;
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (dst != imm) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (dst == imm) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        FAIL("unexpected instruction code " << int(i.code));
    }
  }
  FAIL("program did not terminate");
  return -1;
}

DeviceCgroupRule rule(bool allow, const char* type, std::optional<int64_t> major,
                      std::optional<int64_t> minor, const char* access) {
  return DeviceCgroupRule{allow, type, major, minor, access};
}

}  // namespace

TEST_CASE("no rules deny everything") {
  auto p = device_program({});
  CHECK(run(p, 'c', 1, 3, R) == 0);
  CHECK(run(p, 'b', 8, 0, M) == 0);
}

TEST_CASE("runc-style default: deny all, allow the standard devices") {
  auto p = device_program({rule(false, "a", {}, {}, "rwm"), rule(true, "c", 1, 3, "rwm"),
                           rule(true, "c", 1, 5, "rwm"), rule(true, "c", 136, {}, "rwm"),
                           rule(true, "c", 5, 2, "rw"), rule(true, "b", {}, {}, "m")});
  CHECK(run(p, 'c', 1, 3, R | W) == 1);  // /dev/null
  CHECK(run(p, 'c', 1, 3, M) == 1);
  CHECK(run(p, 'c', 1, 5, R) == 1);      // /dev/zero
  CHECK(run(p, 'b', 8, 0, R) == 0);      // /dev/sda read
  CHECK(run(p, 'b', 8, 0, M) == 1);      // ... but mknod of any block device allowed by the last rule
  CHECK(run(p, 'c', 136, 7, W) == 1);    // pts wildcard minor
  CHECK(run(p, 'c', 5, 2, R | W) == 1);  // ptmx rw
  CHECK(run(p, 'c', 5, 2, M) == 0);      // ... not mknod
  CHECK(run(p, 'c', 1, 4, R) == 0);      // not listed
  CHECK(run(p, 'c', 10, 200, R) == 0);
}

TEST_CASE("later rules win") {
  auto p = device_program({rule(true, "a", {}, {}, "rwm"), rule(false, "c", 1, 3, "w")});
  CHECK(run(p, 'c', 1, 3, R) == 1);
  CHECK(run(p, 'c', 1, 3, W) == 0);
  CHECK(run(p, 'c', 1, 3, R | W) == 0);  // a deny of any requested access denies
  CHECK(run(p, 'b', 8, 0, R | W | M) == 1);
  auto q = device_program({rule(false, "c", 1, 3, "rwm"), rule(true, "a", {}, {}, "rwm")});
  CHECK(run(q, 'c', 1, 3, W) == 1);
}

TEST_CASE("allow needs every requested access") {
  auto p = device_program({rule(true, "c", 4, {}, "r")});
  CHECK(run(p, 'c', 4, 1, R) == 1);
  CHECK(run(p, 'c', 4, 1, R | W) == 0);
  CHECK(run(p, 'b', 4, 1, R) == 0);  // type must match
}

TEST_CASE("wildcard major") {
  auto p = device_program({rule(true, "c", -1, 7, "rwm")});
  CHECK(run(p, 'c', 99, 7, R) == 1);
  CHECK(run(p, 'c', 99, 8, R) == 0);
}

TEST_CASE("invalid type throws") {
  CHECK_THROWS(device_program({rule(true, "x", 1, 1, "r")}));
}

TEST_CASE("an unconditional rule ends the program (no unreachable code)") {
  auto p = device_program({rule(false, "c", 1, 3, "rwm"), rule(false, "a", {}, {}, "rwm")});
  CHECK(run(p, 'c', 1, 3, R) == 0);
  auto q = device_program({rule(true, "c", 1, 3, "rwm"), rule(true, "a", {}, {}, "rwm")});
  CHECK(run(q, 'b', 8, 0, W) == 1);
}
