#include "cgroups/paths.hpp"

#include <sstream>

#include "cgroups/systemd/unit_name.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

bool is_v1_controller_option(const std::string& o) {
  static const char* const known[] = {"cpu",     "cpuacct", "cpuset",     "memory",  "pids",
                                      "blkio",   "devices", "freezer",    "net_cls", "net_prio",
                                      "hugetlb", "rdma",    "perf_event", "misc"};
  if (o.rfind("name=", 0) == 0) return true;
  for (const char* k : known)
    if (o == k) return true;
  return false;
}

}  // namespace

MountTable parse_mountinfo(const std::string& text) {
  MountTable t;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    // id parent maj:min root mountpoint options [optional...] - fstype source superoptions
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream pre(line.substr(0, dash));
    std::string id, parent, dev, root, mnt;
    pre >> id >> parent >> dev >> root >> mnt;
    std::istringstream post(line.substr(dash + 3));
    std::string fstype, source, super;
    post >> fstype >> source >> super;
    if (fstype == "cgroup2") {
      if (t.unified.empty()) {
        t.unified = mnt;
        t.unified_root = root;
      }
    } else if (fstype == "cgroup") {
      Hierarchy h{mnt, root, {}};
      for (const auto& o : split(super, ','))
        if (is_v1_controller_option(o)) h.controllers.push_back(o);
      if (!h.controllers.empty()) t.v1.push_back(std::move(h));
    }
  }
  return t;
}

std::map<std::string, std::string> parse_proc_cgroup(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':');
    if (a == std::string::npos) continue;
    size_t b = line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (ctrls.empty()) {
      out[""] = path;
      continue;
    }
    for (const auto& c : split(ctrls, ',')) out[c] = path;
  }
  return out;
}

std::string clean_path(const std::string& p) {
  bool abs = !p.empty() && p.front() == '/';
  std::vector<std::string> parts;
  for (const auto& c : split(p, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  std::string out = abs ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

std::string expand_slice(const std::string& slice) {
  const std::string suffix = ".slice";
  if (slice.size() <= suffix.size() ||
      slice.compare(slice.size() - suffix.size(), suffix.size(), suffix) != 0)
    throw Error("invalid slice name " + slice + ": must end in .slice");
  if (slice == "-.slice") return "/";
  if (slice.find('/') != std::string::npos) throw Error("invalid slice name " + slice + ": contains /");
  std::string name = slice.substr(0, slice.size() - suffix.size());
  std::string path, prefix;
  for (const auto& comp : split(name, '-')) {
    if (comp.empty()) throw Error("invalid slice name " + slice + ": empty component");
    prefix += (prefix.empty() ? "" : "-") + comp;
    path += "/" + prefix + suffix;
  }
  return path;
}

std::string inner_path(const Config& cfg) {
  if (!cfg.systemd) return clean_path(cfg.cgroups_path.empty() ? cfg.id : cfg.cgroups_path);
  return systemd::unit_name(cfg).path;
}

std::string nest_path(const std::string& own, const std::string& inner) {
  if (!inner.empty() && inner.front() == '/') return clean_path(inner);
  return clean_path("/" + own + "/" + inner);
}

MountTable read_mount_table() {
  return parse_mountinfo(fs::read_file("/proc/self/mountinfo"));
}

std::map<std::string, std::string> read_own_cgroups() {
  return parse_proc_cgroup(fs::read_file("/proc/self/cgroup"));
}

}  // namespace agentrt::cgroups
