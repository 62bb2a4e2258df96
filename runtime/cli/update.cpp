#include <cctype>
#include <iostream>
#include <iterator>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/cgroup_ops.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {
namespace {

// "512m", "1G", "1024", "-1" -> bytes (runc accepts docker's RAM units).
int64_t parse_bytes(const std::string& flag, const std::string& s) {
  if (s == "-1") return -1;
  size_t used = 0;
  double v;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    throw Error("--" + flag + ": invalid size " + s);
  }
  std::string unit = s.substr(used);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  double mult = unit.empty()  ? 1
                : unit == "k" ? 1024.0
                : unit == "m" ? 1048576.0
                : unit == "g" ? 1073741824.0
                : unit == "t" ? 1099511627776.0
                              : -1;
  if (mult < 0 || v < 0) throw Error("--" + flag + ": invalid size " + s);
  return static_cast<int64_t>(v * mult);
}

int64_t parse_int(const std::string& flag, const std::string& s) {
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    throw Error("--" + flag + ": invalid number " + s);
  }
}

}  // namespace

int cmd_update(const runtime::Context& ctx, const Args& args) {
  std::string file;
  std::map<std::string, std::string> v;
  po::options_description d("update");
  d.add_options()("resources,r", po::value(&file), "resources JSON file ('-' for stdin)");
  const char* flags[] = {
      "memory",      "memory-swap", "memory-reservation", "kernel-memory", "kernel-memory-tcp",
      "cpu-shares",  "cpu-quota",   "cpu-period",         "cpu-rt-period", "cpu-rt-runtime",
      "cpuset-cpus", "cpuset-mems", "pids-limit",         "blkio-weight",  "cpu-idle",
      "cpu-burst"};
  for (const char* f : flags) d.add_options()(f, po::value<std::string>(), "see runc update");
  d.add_options()("cpu-share", po::value<std::string>(), "runc's spelling of --cpu-shares");
  Parsed p = parse(args, d);
  std::string id = container_id(p, "update");

  nlohmann::json r = nlohmann::json::object();
  if (!file.empty()) {
    std::string text =
        file == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : fs::read_file(file);
    try {
      r = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw Error("--resources: " + std::string(e.what()));
    }
  }
  auto get = [&](const char* f) -> const std::string* {
    return p.vm.count(f) ? &p.vm[f].as<std::string>() : nullptr;
  };
  if (auto s = get("memory")) r["memory"]["limit"] = parse_bytes("memory", *s);
  if (auto s = get("memory-swap")) r["memory"]["swap"] = parse_bytes("memory-swap", *s);
  if (auto s = get("memory-reservation")) r["memory"]["reservation"] = parse_bytes("memory-reservation", *s);
  if (auto s = get("kernel-memory")) r["memory"]["kernel"] = parse_bytes("kernel-memory", *s);
  if (auto s = get("kernel-memory-tcp")) r["memory"]["kernelTCP"] = parse_bytes("kernel-memory-tcp", *s);
  const std::string* shares = get("cpu-shares");
  if (!shares) shares = get("cpu-share");
  if (shares) {
    int64_t v = parse_int("cpu-shares", *shares);
    // The kernel clamps silently; runc refuses values outside what cpu.shares can hold.
    if (v < 2) throw Error("--cpu-shares: the minimum allowed cpu-shares is 2");
    if (v > 262144) throw Error("--cpu-shares: the maximum allowed cpu-shares is 262144");
    r["cpu"]["shares"] = v;
  }
  if (auto s = get("cpu-quota")) r["cpu"]["quota"] = parse_int("cpu-quota", *s);
  if (auto s = get("cpu-period")) r["cpu"]["period"] = parse_int("cpu-period", *s);
  if (auto s = get("cpu-rt-period")) r["cpu"]["realtimePeriod"] = parse_int("cpu-rt-period", *s);
  if (auto s = get("cpu-rt-runtime")) r["cpu"]["realtimeRuntime"] = parse_int("cpu-rt-runtime", *s);
  if (auto s = get("cpu-idle")) r["cpu"]["idle"] = parse_int("cpu-idle", *s);
  if (auto s = get("cpu-burst")) r["cpu"]["burst"] = parse_int("cpu-burst", *s);
  if (auto s = get("cpuset-cpus")) r["cpu"]["cpus"] = *s;
  if (auto s = get("cpuset-mems")) r["cpu"]["mems"] = *s;
  if (auto s = get("pids-limit")) r["pids"]["limit"] = parse_int("pids-limit", *s);
  if (auto s = get("blkio-weight")) r["blockIO"]["weight"] = parse_int("blkio-weight", *s);
  runtime::update_container(ctx, id, r);
  return 0;
}

}  // namespace agentrt::cli
