"""Test harness: bundles built from busybox-static, runtime invocation, results."""

import copy
import ctypes
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid

BUSYBOX = "/bin/busybox"
PR_SET_CHILD_SUBREAPER = 36
DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]


class Skip(Exception):
    """A test that cannot run on this machine."""


class Fail(Exception):
    """A failed expectation."""


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def eq(got, want, what):
    if got != want:
        raise Fail(f"{what}: expected {want!r}, got {got!r}")


def become_subreaper():
    # Engines (containerd-shim, conmon) are subreapers; a detached container
    # init is reparented to us, so we can reap it like they do.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def base_config(args):
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": list(args),
            "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            "cwd": "/",
            "capabilities": {k: list(DEFAULT_CAPS) for k in ("bounding", "effective", "permitted")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": False},
        "hostname": "conformance",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "linux": {
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                            "/sys/firmware", "/proc/scsi"],
            "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
                              "/proc/sys", "/proc/sysrq-trigger"],
        },
    }


def require_runtime_works(env):
    """Positive control for tests that expect an error: the runtime must run a valid
    container, so a runtime that fails everything cannot pass them."""
    if env.control_ok is None:
        r = env.run(base_config(["/bin/true"]))
        env.control_ok = (r.returncode == 0, r.stderr.strip()[:200])
    if not env.control_ok[0]:
        raise Fail(f"positive control failed (runtime cannot run a valid container): {env.control_ok[1]}")


class Env:
    """Per-suite state: runtime path, a private --root, a busybox rootfs template."""

    def __init__(self, runtime, runtime_args):
        self.runtime = runtime
        self.runtime_args = runtime_args
        self.base = tempfile.mkdtemp(prefix="agentrt-conf-")
        # Mapped users inside a user namespace must traverse the path.
        os.chmod(self.base, 0o755)
        self.root = os.path.join(self.base, "state")
        os.mkdir(self.root)
        self.template = os.path.join(self.base, "rootfs-template")
        self._make_template()
        self.live_ids = set()
        self.control_ok = None
        self.bundle_of = {}

    def _make_template(self):
        t = self.template
        for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "sys", "dev", "root"):
            os.makedirs(os.path.join(t, d), exist_ok=True)
        os.chmod(os.path.join(t, "tmp"), 0o1777)
        shutil.copy2(BUSYBOX, os.path.join(t, "bin/busybox"))
        os.chmod(os.path.join(t, "bin/busybox"), 0o755)
        names = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
        for n in names:
            if n != "busybox":
                os.symlink("busybox", os.path.join(t, "bin", n))
        with open(os.path.join(t, "etc/passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
        with open(os.path.join(t, "etc/group"), "w") as f:
            f.write("root:x:0:\ntty:x:5:\nnogroup:x:65534:\n")

    def new_id(self, tag="c"):
        return f"conf-{tag}-{uuid.uuid4().hex[:10]}"

    def bundle(self, config):
        """Create a bundle dir with a hardlinked rootfs copy and the given config."""
        b = tempfile.mkdtemp(prefix="bundle-", dir=self.base)
        os.chmod(b, 0o755)
        subprocess.run(["cp", "-a", "--link", self.template, os.path.join(b, "rootfs")], check=True)
        write_config(b, config)
        return b

    def rt(self, *args, timeout=15, stdin=subprocess.DEVNULL, capture=True, stdout=None, stderr=None, wrap=()):
        cmd = list(wrap) + [self.runtime, "--root", self.root] + self.runtime_args + [str(a) for a in args]
        if capture:
            return subprocess.run(cmd, stdin=stdin, capture_output=True, text=True, timeout=timeout)
        return subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=stderr, text=True, timeout=timeout)

    def run(self, config, cid=None, timeout=30, wrap=()):
        """runtime run: returns CompletedProcess with the container's stdout/stderr. wrap: a
        command prefix, e.g. ["unshare", "--uts"] so a runtime that wrongly applies a setting to
        its own namespace cannot damage the host."""
        cid = cid or self.new_id("run")
        b = self.bundle(config)
        self.live_ids.add(cid)
        try:
            return self.rt("run", "--bundle", b, cid, timeout=timeout, wrap=wrap)
        finally:
            self.force_delete(cid)
            shutil.rmtree(b, ignore_errors=True)

    def create(self, cid, bundle, extra=()):
        """runtime create with the container's stdio sent to files in the bundle."""
        self.live_ids.add(cid)
        out = open(os.path.join(bundle, "ctr.out"), "w")
        err = open(os.path.join(bundle, "ctr.err"), "w")
        try:
            r = self.rt("create", *extra, "--bundle", bundle, cid, capture=False, stdout=out, stderr=err)
        finally:
            out.close()
            err.close()
        # The runtime's own stderr shares the file with the container's.
        with open(os.path.join(bundle, "ctr.err")) as f:
            r.stderr = f.read()
        return r

    def state(self, cid):
        r = self.rt("state", cid)
        if r.returncode != 0:
            raise Fail(f"state {cid} failed: rc={r.returncode} {r.stderr.strip()}")
        try:
            return json.loads(r.stdout)
        except ValueError:
            raise Fail(f"state {cid}: output is not json: {r.stdout[:200]!r}")

    def wait_status(self, cid, want, timeout=10):
        deadline = time.time() + timeout
        st = None
        while time.time() < deadline:
            st = self.state(cid)
            reap(st.get("pid", 0))
            if st.get("status") == want:
                return st
            time.sleep(0.05)
        raise Fail(f"container {cid} did not reach status {want!r} (last: {st and st.get('status')!r})")

    def force_delete(self, cid):
        pid = 0
        try:
            st = self.rt("state", cid, timeout=5)
            pid = json.loads(st.stdout).get("pid", 0) if st.returncode == 0 else 0
            self.rt("kill", cid, "KILL", timeout=5)
            self.rt("delete", "--force", cid, timeout=5)
        except (subprocess.TimeoutExpired, ValueError):
            pass
        # A runtime that hangs must not leave our processes, mounts or cgroups behind.
        if pid and pid_alive(pid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        reap(pid)
        kill_processes_mentioning(self.base)
        remove_cgroups_named(cid)
        self.live_ids.discard(cid)

    def cleanup(self):
        for cid in list(self.live_ids):
            self.force_delete(cid)
        kill_processes_mentioning(self.base)
        unmount_under(self.base)
        shutil.rmtree(self.base, ignore_errors=True)


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def kill_processes_mentioning(path):
    """SIGKILL processes whose command line names our private temp dir (hung runtime calls,
    container inits a broken runtime left behind)."""
    me = os.getpid()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if path in cmd:
            try:
                os.kill(int(d), 9)
            except ProcessLookupError:
                pass
            reap(int(d))


def unmount_under(path):
    with open("/proc/self/mountinfo") as f:
        mps = [ln.split()[4] for ln in f if ln.split()[4].startswith(path)]
    for mp in sorted(mps, reverse=True):
        subprocess.run(["umount", "-l", mp], capture_output=True)


def remove_cgroups_named(cid):
    """rmdir cgroups this suite's container ids created (/<id> in every hierarchy)."""
    if not cid.startswith("conf-"):
        return
    root = "/sys/fs/cgroup"
    for h in [root] + [os.path.join(root, d) for d in os.listdir(root)]:
        p = os.path.join(h, cid)
        if os.path.isdir(p):
            for dirpath, _dirs, _files in sorted(os.walk(p), key=lambda w: -len(w[0])):
                try:
                    os.rmdir(dirpath)
                except OSError:
                    pass


def reap(pid):
    if not pid:
        return None
    try:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            return status
    except ChildProcessError:
        pass
    return None


def write_config(bundle, config):
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f, indent=1)


def cfg(args, **changes):
    """base_config with top-level process/linux dict updates: cfg(args, process={...})."""
    c = base_config(args)
    for k, v in changes.items():
        if isinstance(v, dict) and isinstance(c.get(k), dict):
            c[k].update(copy.deepcopy(v))
        else:
            c[k] = copy.deepcopy(v)
    return c


def sh(script, **changes):
    return cfg(["/bin/sh", "-c", script], **changes)


def status_field(text, name):
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise Fail(f"{name} not found in /proc/self/status output")
