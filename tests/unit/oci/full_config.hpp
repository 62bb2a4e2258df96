#pragma once
// A config.json that sets every field oci::Spec models (values chosen to be distinct so a mix-up shows).
namespace agentrt::oci::test {

inline constexpr const char* kFullConfig = R"json({
  "ociVersion": "1.2.0",
  "root": {"path": "/bundle/rootfs", "readonly": true},
  "hostname": "agent-host",
  "domainname": "agents.example",
  "annotations": {"run.agentrt.profile": "agent-dev", "org.example/key": "value"},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"],
     "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
     "gidMappings": [{"containerID": 1, "hostID": 200000, "size": 1000}]}
  ],
  "process": {
    "terminal": true,
    "consoleSize": {"height": 24, "width": 80},
    "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 27], "username": "agent"},
    "args": ["python3", "-m", "agent"],
    "commandLine": "python3 -m agent",
    "env": ["PATH=/usr/bin:/bin", "HOME=/home/agent", "EMPTY="],
    "cwd": "/work",
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_KILL"],
      "inheritable": ["CAP_SETUID"],
      "permitted": ["CAP_KILL", "CAP_SYS_ADMIN"],
      "ambient": ["CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [
      {"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024},
      {"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 0}
    ],
    "noNewPrivileges": true,
    "apparmorProfile": "agentrt-default",
    "oomScoreAdj": -500,
    "selinuxLabel": "system_u:system_r:container_t:s0",
    "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
    "scheduler": {"policy": "SCHED_DEADLINE", "nice": -5, "priority": 10, "flags": ["SCHED_FLAG_RECLAIM"],
                  "runtime": 1000, "deadline": 2000, "period": 3000}
  },
  "hooks": {
    "prestart": [{"path": "/usr/bin/prestart", "args": ["prestart", "-x"], "env": ["A=1"], "timeout": 5}],
    "createRuntime": [{"path": "/usr/bin/create-runtime"}],
    "createContainer": [{"path": "/usr/bin/create-container"}],
    "startContainer": [{"path": "/usr/bin/start-container"}],
    "poststart": [{"path": "/usr/bin/poststart"}],
    "poststop": [{"path": "/usr/bin/poststop", "timeout": 30}]
  },
  "linux": {
    "namespaces": [
      {"type": "pid"}, {"type": "network", "path": "/var/run/netns/agent"}, {"type": "mount"},
      {"type": "ipc"}, {"type": "uts"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}
    ],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65537}],
    "timeOffsets": {"monotonic": {"secs": -30, "nanosecs": 500}, "boottime": {"secs": 7200}},
    "devices": [
      {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
      {"path": "/dev/sda", "type": "b", "major": 8, "minor": 0},
      {"path": "/dev/fifo", "type": "p"},
      {"path": "/dev/null2", "type": "u", "major": 1, "minor": 3}
    ],
    "cgroupsPath": "/agents/agent-1",
    "resources": {
      "devices": [
        {"allow": false, "access": "rwm"},
        {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"},
        {"allow": true, "type": "b", "major": -1, "minor": 5, "access": "m"}
      ],
      "memory": {"limit": 536870912, "reservation": 268435456, "swap": -1, "kernel": 1024, "kernelTCP": 2048,
                 "swappiness": 60, "disableOOMKiller": true, "useHierarchy": false, "checkBeforeUpdate": true},
      "cpu": {"shares": 512, "quota": 50000, "burst": 1000, "period": 100000, "realtimeRuntime": 950,
              "realtimePeriod": 1000000, "cpus": "0-1", "mems": "0", "idle": 1},
      "pids": {"limit": 256},
      "blockIO": {
        "weight": 500, "leafWeight": 300,
        "weightDevice": [{"major": 8, "minor": 0, "weight": 700, "leafWeight": 100}, {"major": 8, "minor": 16}],
        "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
        "throttleWriteBpsDevice": [{"major": 8, "minor": 1, "rate": 2097152}],
        "throttleReadIOPSDevice": [{"major": 8, "minor": 2, "rate": 100}],
        "throttleWriteIOPSDevice": [{"major": 8, "minor": 3, "rate": 200}]
      },
      "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}, {"pageSize": "1GB", "limit": 0}],
      "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}, {"name": "lo", "priority": 0}]},
      "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}, "mlx4_0": {"hcaObjects": 7}},
      "unified": {"memory.high": "1073741824", "io.weight": "default 100"}
    },
    "rootfsPropagation": "rslave",
    "maskedPaths": ["/proc/kcore", "/sys/firmware"],
    "readonlyPaths": ["/proc/sys", "/proc/bus"],
    "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"},
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 38,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "listenerPath": "/run/agentrt/seccomp.sock",
      "listenerMetadata": "agent-1",
      "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_NE"},
                  {"index": 5, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}
      ]
    },
    "mountLabel": "system_u:object_r:container_file_t:s0",
    "personality": {"domain": "LINUX32", "flags": ["ADDR_NO_RANDOMIZE"]}
  }
})json";

}  // namespace agentrt::oci::test
