#pragma once
// `events --stats` numbers in runc's JSON shape ("data" of a stats event):
//   {cpu:{usage:{total,percpu,kernel,user},throttling:{periods,throttledPeriods,throttledTime}},
//    memory:{cache,usage:{usage,max,limit,failcnt},swap:{...},kernel:{...},raw:{...}},
//    pids:{current,limit}, blkio:{ioServiceBytesRecursive:[{major,minor,op,value}],...},
//    hugetlb:{"2MB":{usage,max,failcnt}}}
// The parsers are pure; stats_v1/stats_v2 read the files.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace agentrt::cgroups {

// "key value" lines (memory.stat, cpu.stat, memory.events); "max" reads as UINT64_MAX.
std::map<std::string, uint64_t> parse_flat_keyed(const std::string& text);
// One number (or "max" -> UINT64_MAX); 0 when empty.
uint64_t parse_number(const std::string& text);
// v1 blkio.*_recursive: "8:0 Read 4096" lines -> [{major,minor,op,value}] (the "Total" line is dropped).
nlohmann::json parse_blkio_v1(const std::string& text);
// v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." -> {ioServiceBytesRecursive, ioServicedRecursive}.
nlohmann::json parse_io_stat(const std::string& text);

// dirs: v1 controller name -> the container's directory in that hierarchy.
nlohmann::json stats_v1(const std::map<std::string, std::string>& dirs);
nlohmann::json stats_v2(const std::string& dir);

}  // namespace agentrt::cgroups
