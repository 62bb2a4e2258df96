"""config.md process: args, env, cwd, user, umask, rlimits, capabilities, noNewPrivileges,
oomScoreAdj, terminal; hostname and domainname."""

import os
import socket
import subprocess
import threading
import time

from capnames import NUMBER
from harness import Fail, check, eq, cfg, sh, status_field, reap, require_runtime_works
from registry import test


def ok_run(env, config, wrap=()):
    r = env.run(config, wrap=wrap)
    if r.returncode != 0:
        raise Fail(f"run exit code {r.returncode}: {r.stderr.strip()[:300]}")
    return r.stdout


def expect_create_error(env, config, what):
    require_runtime_works(env)
    r = env.run(config)
    check(r.returncode != 0, f"runtime accepted {what}")


@test("process.args: argv passed verbatim, spaces and quoting preserved")
def _(env):
    out = ok_run(env, cfg(["/bin/sh", "-c", 'for a in "$@"; do echo "[$a]"; done', "sh", "a b", "", "c'd"]))
    eq(out.splitlines(), ["[a b]", "[]", "[c'd]"], "argv")


@test("process.args: empty args is an error")
def _(env):
    expect_create_error(env, cfg([]), "an empty process.args")


@test("process.args: a missing executable is an error")
def _(env):
    require_runtime_works(env)
    r = env.run(cfg(["/no/such/binary"]))
    check(r.returncode != 0, "run of a missing executable succeeded")


@test("process.env: configured variables are set verbatim, nothing else but HOME is added")
def _(env):
    want = ["PATH=/bin", "FOO=bar baz", "EMPTY="]
    c = cfg(["/bin/env"], process={"env": want})
    got = ok_run(env, c).splitlines()
    for w in want:
        check(w in got, f"{w!r} missing from environment {got}")
    # runc-compatible runtimes add HOME from /etc/passwd when it is not set; nothing else.
    extra = [g for g in got if g not in want and not g.startswith("HOME=")]
    eq(extra, [], "unexpected environment variables")


@test("process.cwd: working directory is set")
def _(env):
    c = cfg(["/bin/pwd"], process={"cwd": "/tmp"})
    eq(ok_run(env, c).strip(), "/tmp", "cwd")


@test("process.cwd: a relative cwd is an error")
def _(env):
    expect_create_error(env, cfg(["/bin/pwd"], process={"cwd": "tmp"}), "a relative cwd")


@test("process.user: uid and gid are set (real, effective, saved, fs)")
def _(env):
    c = cfg(["/bin/cat", "/proc/self/status"], process={"user": {"uid": 1234, "gid": 5678}})
    out = ok_run(env, c)
    eq(status_field(out, "Uid").split(), ["1234"] * 4, "Uid")
    eq(status_field(out, "Gid").split(), ["5678"] * 4, "Gid")


@test("process.user.additionalGids: supplementary groups are set")
def _(env):
    c = cfg(["/bin/cat", "/proc/self/status"], process={"user": {"uid": 1000, "gid": 1000, "additionalGids": [10, 20, 30]}})
    out = ok_run(env, c)
    eq(sorted(int(g) for g in status_field(out, "Groups").split()), [10, 20, 30], "Groups")


@test("process.user.additionalGids: none given means no supplementary groups")
def _(env):
    c = cfg(["/bin/cat", "/proc/self/status"], process={"user": {"uid": 1000, "gid": 1000}})
    eq(status_field(ok_run(env, c), "Groups"), "", "Groups")


@test("process.user.umask: umask is set")
def _(env):
    c = cfg(["/bin/cat", "/proc/self/status"], process={"user": {"uid": 0, "gid": 0, "umask": 0o027}})
    eq(status_field(ok_run(env, c), "Umask"), "0027", "Umask")


@test("process.rlimits: soft and hard limits are applied")
def _(env):
    rl = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
          {"type": "RLIMIT_CORE", "soft": 4096, "hard": 8192},
          {"type": "RLIMIT_NPROC", "soft": 500, "hard": 600}]
    out = ok_run(env, cfg(["/bin/cat", "/proc/self/limits"], process={"rlimits": rl}))
    rows = {}
    for line in out.splitlines()[1:]:
        parts = line.split()
        # "Max open files            321                  654                  files"
        name = " ".join(p for p in parts if not p.isdigit() and p not in ("unlimited",))
        nums = [p for p in parts if p.isdigit() or p == "unlimited"]
        rows[name] = nums[:2]
    eq(rows.get("Max open files files"), ["321", "654"], "Max open files")
    eq(rows.get("Max core file size bytes"), ["4096", "8192"], "Max core file size")
    eq(rows.get("Max processes processes"), ["500", "600"], "Max processes")


@test("process.rlimits: an unknown rlimit type is an error")
def _(env):
    rl = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]
    expect_create_error(env, cfg(["/bin/true"], process={"rlimits": rl}), "RLIMIT_BOGUS")


def capsets(out):
    return {k: int(status_field(out, k), 16) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}


def mask(names):
    m = 0
    for n in names:
        m |= 1 << NUMBER[n]
    return m


@test("process.capabilities: bounding/effective/permitted/inheritable sets applied (root)")
def _(env):
    caps = {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID"],
            "effective": ["CAP_CHOWN", "CAP_KILL"],
            "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
            "inheritable": ["CAP_KILL"]}
    c = cfg(["/bin/cat", "/proc/self/status"], process={"capabilities": caps, "noNewPrivileges": True})
    got = capsets(ok_run(env, c))
    # Exec as root recomputes: P'(permitted) = P(inheritable) | bounding for uid 0 without
    # file caps; runtimes apply sets then execve. The kernel rule for root gives full
    # bounding in permitted/effective unless SECBIT_NOROOT; so compare what the spec
    # guarantees regardless: bounding exact, inheritable exact, effective within bounding.
    eq(got["CapBnd"], mask(caps["bounding"]), "CapBnd")
    eq(got["CapInh"], mask(caps["inheritable"]), "CapInh")
    check(got["CapEff"] & ~mask(caps["bounding"]) == 0, f"CapEff {got['CapEff']:x} outside bounding")
    check(got["CapEff"] & mask(caps["effective"]) == mask(caps["effective"]), f"CapEff {got['CapEff']:x} lacks effective set")


@test("process.capabilities: sets are exact for a non-root user, ambient raises effective")
def _(env):
    caps = {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "effective": ["CAP_NET_BIND_SERVICE"],
            "permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
            "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
            "ambient": ["CAP_NET_BIND_SERVICE"]}
    c = cfg(["/bin/cat", "/proc/self/status"],
            process={"capabilities": caps, "user": {"uid": 1000, "gid": 1000}, "noNewPrivileges": True})
    got = capsets(ok_run(env, c))
    eq(got["CapBnd"], mask(caps["bounding"]), "CapBnd")
    eq(got["CapInh"], mask(caps["inheritable"]), "CapInh")
    eq(got["CapAmb"], mask(caps["ambient"]), "CapAmb")
    eq(got["CapPrm"], mask(caps["ambient"]), "CapPrm (after execve: ambient only)")
    eq(got["CapEff"], mask(caps["ambient"]), "CapEff")


@test("process.capabilities: a dropped capability is really unavailable")
def _(env):
    caps = {k: ["CAP_KILL"] for k in ("bounding", "effective", "permitted")}
    c = sh("chown 1:1 /tmp && echo chown-ok || echo chown-denied", process={"capabilities": caps})
    eq(ok_run(env, c).strip().splitlines()[-1], "chown-denied", "chown without CAP_CHOWN")


@test("process.capabilities: an unknown capability is a warning (known ones apply) or an error naming it")
def _(env):
    # config.md: values that cannot be mapped to the kernel MUST be logged as a warning and
    # runtimes SHOULD NOT fail the container because of them (runc). A SHOULD: agentrt instead
    # rejects an unknown name at validation so a typo in a capability list cannot pass silently;
    # that is conformant only if the error names the field and the capability.
    caps = {k: ["CAP_KILL", "CAP_NOT_A_CAP"] for k in ("bounding", "effective", "permitted")}
    r = env.run(cfg(["/bin/cat", "/proc/self/status"], process={"capabilities": caps}))
    if r.returncode != 0:
        check("process.capabilities" in r.stderr and "CAP_NOT_A_CAP" in r.stderr,
              f"failed without naming the field and capability: {r.stderr.strip()[:300]}")
        return
    eq(capsets(r.stdout)["CapBnd"], mask(["CAP_KILL"]), "CapBnd")


@test("process.noNewPrivileges: true sets NoNewPrivs")
def _(env):
    c = cfg(["/bin/cat", "/proc/self/status"], process={"noNewPrivileges": True})
    eq(status_field(ok_run(env, c), "NoNewPrivs"), "1", "NoNewPrivs")


@test("process.noNewPrivileges: false leaves NoNewPrivs clear")
def _(env):
    c = cfg(["/bin/cat", "/proc/self/status"], process={"noNewPrivileges": False})
    eq(status_field(ok_run(env, c), "NoNewPrivs"), "0", "NoNewPrivs")


@test("process.oomScoreAdj: applied to the container process")
def _(env):
    c = cfg(["/bin/cat", "/proc/self/oom_score_adj"], process={"oomScoreAdj": 123})
    eq(ok_run(env, c).strip(), "123", "oom_score_adj")


@test("hostname: set in the new UTS namespace")
def _(env):
    c = cfg(["/bin/hostname"])
    c["hostname"] = "conf-host-1"
    # Throwaway UTS namespace around the runtime: a runtime ignoring the namespace cannot
    # rename the host.
    eq(ok_run(env, c, wrap=["unshare", "--uts"]).strip(), "conf-host-1", "hostname")


@test("domainname: set in the new UTS namespace")
def _(env):
    c = cfg(["/bin/cat", "/proc/sys/kernel/domainname"])
    c["domainname"] = "conf.example"
    r = env.run(c, wrap=["unshare", "--uts"])
    if r.returncode != 0 and "domainname" in r.stderr.lower():
        raise Fail(f"domainname rejected: {r.stderr.strip()[:200]}")
    eq(r.stdout.strip(), "conf.example", "domainname")


@test("hostname: setting it without a new UTS namespace is an error")
def _(env):
    c = cfg(["/bin/hostname"])
    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "uts"]
    c["hostname"] = "nouts"
    # The runtime runs in a throwaway UTS namespace: a runtime that sets the hostname anyway
    # changes that one, not the host's.
    require_runtime_works(env)
    r = env.run(c, wrap=["unshare", "--uts"])
    check(r.returncode != 0, "hostname without a uts namespace accepted (it would set the host's hostname)")


def recv_master(sock_path, result):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)
    srv.settimeout(15)
    try:
        conn, _ = srv.accept()
        _msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 1)
        result["fds"] = fds
        conn.close()
    except OSError as e:
        result["error"] = str(e)
    finally:
        srv.close()


@test("process.terminal: pty passed over --console-socket, consoleSize applied, stdio is a tty")
def _(env):
    script = "[ -t 0 ] && [ -t 1 ] && echo isatty; stty size; stat -c '%t' /dev/console"
    c = sh(script, process={"terminal": True, "consoleSize": {"height": 33, "width": 111}})
    cid = env.new_id("tty")
    b = env.bundle(c)
    sock = os.path.join(b, "console.sock")
    result = {}
    t = threading.Thread(target=recv_master, args=(sock, result))
    t.start()
    time.sleep(0.1)
    r = env.create(cid, b, extra=["--console-socket", sock])
    t.join(20)
    eq(r.returncode, 0, "create with terminal exit code")
    check("fds" in result and result["fds"], f"no pty master received: {result.get('error')}")
    master = result["fds"][0]
    try:
        env.rt("start", cid)
        data = b""
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        out = data.decode(errors="replace").replace("\r", "").split("\n")
        out = [ln for ln in out if ln]
        check("isatty" in out, f"stdio is not a tty: {out}")
        check("33 111" in out, f"stty size did not report consoleSize 33x111: {out}")
        eq(out[-1].strip(), "88", "/dev/console major (hex, pts=136)")
    finally:
        os.close(master)
        reap(env.state(cid).get("pid", 0) if env.rt("state", cid).returncode == 0 else 0)


@test("process: stdio of a non-terminal container is passed through (stdin, stdout, stderr)")
def _(env):
    c = sh("cat; echo to-err >&2")
    cid = env.new_id("stdio")
    b = env.bundle(c)
    env.live_ids.add(cid)
    r = subprocess.run([env.runtime, "--root", env.root] + env.runtime_args + ["run", "--bundle", b, cid],
                       input="from-stdin\n", capture_output=True, text=True, timeout=30)
    env.force_delete(cid)
    eq(r.returncode, 0, "run exit code")
    eq(r.stdout, "from-stdin\n", "stdout")
    eq(r.stderr.strip().splitlines()[-1:], ["to-err"], "stderr")
