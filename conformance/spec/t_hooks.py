"""config.md POSIX-platform hooks: order, namespaces, state on stdin, args/env, failures."""

import json
import os
import time

from harness import Fail, check, eq, require_runtime_works, sh, write_config
from registry import test

CREATE_PHASE = ["prestart", "createRuntime", "createContainer"]


def hook(name, logdir):
    # State on stdin is saved per hook; the order file records the call order.
    return {"path": "/bin/sh", "args": ["sh", "-c", f"cat > {logdir}/{name}.json; echo {name} >> {logdir}/order"]}


def hooked_bundle(env, script, logdir_in_ctr="/hooklog"):
    c = sh(script)
    cid = env.new_id("hooks")
    b = env.bundle(c)
    log = os.path.join(b, "hooklog")
    os.mkdir(log)
    os.chmod(log, 0o777)
    c["mounts"].append({"destination": logdir_in_ctr, "type": "bind", "source": log, "options": ["rbind", "rw"]})
    c["hooks"] = {n: [hook(n, log)] for n in CREATE_PHASE + ["poststart", "poststop"]}
    # startContainer runs in the container namespace: its path and log dir are the container's.
    c["hooks"]["startContainer"] = [hook("startContainer", logdir_in_ctr)]
    write_config(b, c)
    return cid, b, log


def read_order(log):
    try:
        with open(os.path.join(log, "order")) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def hook_state(log, name):
    with open(os.path.join(log, f"{name}.json")) as f:
        return json.load(f)


@test("hooks: prestart, createRuntime, createContainer run during create, in order")
def _(env):
    cid, b, log = hooked_bundle(env, "echo user >> /hooklog/order; sleep 30")
    r = env.create(cid, b)
    eq(r.returncode, 0, f"create exit code ({r.stderr.strip()[:300]})")
    eq(read_order(log), CREATE_PHASE, "hooks run by create")


@test("hooks: startContainer runs before the user process, poststart before start returns")
def _(env):
    cid, b, log = hooked_bundle(env, "echo user >> /hooklog/order; sleep 30")
    eq(env.create(cid, b).returncode, 0, "create exit code")
    r = env.rt("start", cid)
    eq(r.returncode, 0, f"start exit code ({r.stderr.strip()})")
    order = read_order(log)
    check("poststart" in order, f"poststart had not run when start returned: {order}")
    deadline = time.time() + 5
    while "user" not in order and time.time() < deadline:
        time.sleep(0.05)
        order = read_order(log)
    check("startContainer" in order and "user" in order, f"order: {order}")
    check(order.index("startContainer") < order.index("user"), f"startContainer after the user process: {order}")
    eq(order[:3], CREATE_PHASE, "create-phase hooks")


@test("hooks: poststop runs during delete, after the container stopped")
def _(env):
    cid, b, log = hooked_bundle(env, "true")
    eq(env.create(cid, b).returncode, 0, "create exit code")
    env.rt("start", cid)
    env.wait_status(cid, "stopped", timeout=10)
    check("poststop" not in read_order(log), "poststop ran before delete")
    r = env.rt("delete", cid)
    eq(r.returncode, 0, f"delete exit code ({r.stderr.strip()})")
    env.live_ids.discard(cid)
    order = read_order(log)
    eq(order[-1:], ["poststop"], "last hook")
    eq(order.count("poststop"), 1, "poststop calls")


@test("hooks: state on stdin carries id, pid, bundle and status")
def _(env):
    cid, b, log = hooked_bundle(env, "sleep 30")
    eq(env.create(cid, b).returncode, 0, "create exit code")
    pid = env.state(cid)["pid"]
    env.rt("start", cid)
    env.rt("kill", cid, "KILL")
    env.wait_status(cid, "stopped")
    env.rt("delete", cid)
    env.live_ids.discard(cid)
    want_status = {"createRuntime": ("creating", "created"), "createContainer": ("creating", "created"),
                   "startContainer": ("created", "running"), "poststart": ("running",), "poststop": ("stopped",)}
    for name, allowed in want_status.items():
        st = hook_state(log, name)
        eq(st.get("id"), cid, f"{name} state id")
        eq(st.get("bundle"), os.path.realpath(b), f"{name} state bundle")
        check(st.get("status") in allowed, f"{name} state status {st.get('status')!r} not in {allowed}")
        if name in ("createRuntime", "createContainer", "poststart"):
            eq(st.get("pid"), pid, f"{name} state pid")


@test("hooks: createContainer and startContainer run in the container namespaces")
def _(env):
    c = sh("sleep 30")
    cid = env.new_id("hookns")
    b = env.bundle(c)
    log = os.path.join(b, "hooklog")
    os.mkdir(log)
    c["mounts"].append({"destination": "/hooklog", "type": "bind", "source": log, "options": ["rbind", "rw"]})
    c["hostname"] = "hook-ns-check"
    c["hooks"] = {
        "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", f"hostname > {log}/createRuntime"]}],
        "createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", f"readlink /proc/self/ns/mnt > {log}/createContainer"]}],
        "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "hostname > /hooklog/startContainer"]}],
    }
    write_config(b, c)
    eq(env.create(cid, b).returncode, 0, "create exit code")
    pid = env.state(cid)["pid"]
    eq(env.rt("start", cid).returncode, 0, "start exit code")

    def rd(n):
        # start returns only after the user process was executed, so every startContainer
        # hook has finished by then.
        try:
            with open(os.path.join(log, n)) as f:
                return f.read().strip()
        except FileNotFoundError:
            raise Fail(f"{n} hook had not run (or not finished) when start returned")
    eq(rd("createRuntime"), os.uname().nodename, "createRuntime hostname (runtime namespace)")
    eq(rd("createContainer"), os.readlink(f"/proc/{pid}/ns/mnt"), "createContainer mount namespace")
    eq(rd("startContainer"), "hook-ns-check", "startContainer hostname (container namespace)")


@test("hooks: args and env are passed to the hook")
def _(env):
    c = sh("true")
    cid = env.new_id("hookargs")
    b = env.bundle(c)
    out = os.path.join(b, "hookout")
    c["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", f'echo "$0|$1|$HOOKVAR|$PATH" > {out}', "a0", "a1"],
                                     "env": ["HOOKVAR=hv", "PATH=/custom"]}]}
    write_config(b, c)
    eq(env.create(cid, b).returncode, 0, "create exit code")
    with open(out) as f:
        eq(f.read().strip(), "a0|a1|hv|/custom", "hook $0|$1|env")


@test("hooks: a failing createRuntime hook fails create and leaves no container")
def _(env):
    require_runtime_works(env)
    c = sh("true")
    c["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}
    cid = env.new_id("hookfail")
    b = env.bundle(c)
    r = env.create(cid, b)
    check(r.returncode != 0, "create succeeded with a failing createRuntime hook")
    check(env.rt("state", cid).returncode != 0, "container exists after the failed create")


@test("hooks: a hook exceeding its timeout fails create")
def _(env):
    require_runtime_works(env)
    c = sh("true")
    c["hooks"] = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "20"], "timeout": 1}]}
    cid = env.new_id("hooktimeout")
    b = env.bundle(c)
    t0 = time.time()
    r = env.create(cid, b)
    check(r.returncode != 0, "create succeeded with a timed-out hook")
    check(time.time() - t0 < 10, f"timeout not enforced: create took {time.time() - t0:.1f}s")


@test("hooks: a failing poststart hook is a warning, the container keeps running")
def _(env):
    c = sh("sleep 30")
    c["hooks"] = {"poststart": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 1"]}]}
    cid = env.new_id("poststartfail")
    b = env.bundle(c)
    eq(env.create(cid, b).returncode, 0, "create exit code")
    env.rt("start", cid)
    time.sleep(0.3)
    eq(env.state(cid)["status"], "running", "status after a failing poststart hook")


@test("hooks: a failing poststop hook does not fail delete")
def _(env):
    c = sh("true")
    c["hooks"] = {"poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 1"]}]}
    cid = env.new_id("poststopfail")
    b = env.bundle(c)
    eq(env.create(cid, b).returncode, 0, "create exit code")
    env.rt("start", cid)
    env.wait_status(cid, "stopped")
    r = env.rt("delete", cid)
    eq(r.returncode, 0, f"delete exit code with a failing poststop hook ({r.stderr.strip()})")
    check(env.rt("state", cid).returncode != 0, "container still exists")
    env.live_ids.discard(cid)
