"""Tests a reference runtime is known to fail here, by runtime basename, with the reason.
A known failure is reported as skipped (never as passed)."""

KNOWN = {
    "runc": {
        "domainname: set in the new UTS namespace":
            "runc 1.1 does not implement the domainname field (added in runc 1.2)",
        "linux.personality: LINUX32 domain changes uname -m":
            "runc 1.1 does not implement linux.personality (added in runc 1.2)",
        "linux.rootfsPropagation: shared makes / a shared mount":
            "runc makes the rootfs parent mount private before bind-mounting the rootfs, so / ends up private",
        "hooks: prestart, createRuntime, createContainer run during create, in order":
            "runc 1.1 runs poststart hooks at the end of create instead of start",
        "hooks: state on stdin carries id, pid, bundle and status":
            "runc 1.1 passes the container-namespace pid (1) to createContainer/startContainer hooks "
            "instead of the host pid, and status 'created' to poststart hooks (it runs them during create)",
        "hooks: a failing poststart hook is a warning, the container keeps running":
            "runc 1.1 runs poststart during create and fails create when a poststart hook fails",
        "linux.namespaces time + linux.timeOffsets: offsets applied in the new time namespace":
            "runc 1.1 does not know the time namespace (added in runc 1.2)",
        "process.ioPriority: I/O class and priority applied":
            "runc 1.1 ignores process.ioPriority (added in runc 1.2); the check was validated by hand with busybox ionice",
    },
}
