"""runtime.md: lifecycle, state, operations and their errors."""

import json
import os
import shutil
import time

from harness import Fail, check, eq, pid_alive, reap, require_runtime_works, sh, cfg, write_config
from registry import test


def created(env, config, tag):
    cid = env.new_id(tag)
    b = env.bundle(config)
    r = env.create(cid, b)
    if r.returncode != 0:
        raise Fail(f"create failed rc={r.returncode}: {r.stderr.strip()}")
    return cid, b


@test("create: status is created, pid is a live host process, user code not run")
def _(env):
    cid, b = created(env, sh("touch /ran; sleep 30"), "create")
    st = env.state(cid)
    eq(st.get("status"), "created", "status after create")
    check(isinstance(st.get("pid"), int) and st["pid"] > 0, f"pid missing: {st}")
    check(pid_alive(st["pid"]), f"pid {st['pid']} is not alive")
    time.sleep(0.3)
    check(not os.path.exists(os.path.join(b, "rootfs/ran")), "user process ran before start")


@test("start: status becomes running and user code runs")
def _(env):
    cid, b = created(env, sh("touch /ran; sleep 30"), "start")
    r = env.rt("start", cid)
    eq(r.returncode, 0, f"start exit code ({r.stderr.strip()})")
    env.wait_status(cid, "running", timeout=5)
    deadline = time.time() + 5
    while time.time() < deadline and not os.path.exists(os.path.join(b, "rootfs/ran")):
        time.sleep(0.05)
    check(os.path.exists(os.path.join(b, "rootfs/ran")), "user process did not run after start")


@test("process exit: status becomes stopped")
def _(env):
    cid, _b = created(env, sh("exit 3"), "exit")
    pid = env.state(cid)["pid"]
    eq(env.rt("start", cid).returncode, 0, "start exit code")
    env.wait_status(cid, "stopped", timeout=10)
    check(not pid_alive(pid), "container process still alive")


@test("kill: signal is delivered to the container process")
def _(env):
    script = "trap 'echo got-usr1 > /sig; exit 0' USR1; touch /ready; while :; do sleep 0.1; done"
    cid, b = created(env, sh(script), "kill")
    eq(env.rt("start", cid).returncode, 0, "start exit code")
    deadline = time.time() + 5
    while time.time() < deadline and not os.path.exists(os.path.join(b, "rootfs/ready")):
        time.sleep(0.05)
    r = env.rt("kill", cid, "USR1")
    eq(r.returncode, 0, f"kill USR1 exit code ({r.stderr.strip()})")
    env.wait_status(cid, "stopped", timeout=10)
    with open(os.path.join(b, "rootfs/sig")) as f:
        eq(f.read().strip(), "got-usr1", "signal handler output")


@test("kill: SIGKILL stops a running container")
def _(env):
    cid, _b = created(env, sh("sleep 60"), "kill9")
    eq(env.rt("start", cid).returncode, 0, "start exit code")
    env.wait_status(cid, "running")
    eq(env.rt("kill", cid, "KILL").returncode, 0, "kill exit code")
    env.wait_status(cid, "stopped", timeout=10)


@test("kill: signalling a stopped container is an error")
def _(env):
    cid, _b = created(env, sh("true"), "killstopped")
    env.rt("start", cid)
    env.wait_status(cid, "stopped", timeout=10)
    r = env.rt("kill", cid, "TERM")
    check(r.returncode != 0, "kill of a stopped container succeeded")
    eq(env.state(cid)["status"], "stopped", "status after failed kill")


@test("state: required fields ociVersion, id, status, pid, bundle, annotations")
def _(env):
    c = sh("sleep 30")
    c["annotations"] = {"org.example.key": "value-1"}
    cid, b = created(env, c, "state")
    st = env.state(cid)
    check(isinstance(st.get("ociVersion"), str) and st["ociVersion"], f"ociVersion missing: {st}")
    eq(st.get("id"), cid, "id")
    eq(st.get("status"), "created", "status")
    check(isinstance(st.get("pid"), int) and st["pid"] > 0, "pid")
    eq(st.get("bundle"), os.path.realpath(b), "bundle (absolute path)")
    eq((st.get("annotations") or {}).get("org.example.key"), "value-1", "annotations")


@test("delete: removes a stopped container; later state and delete fail")
def _(env):
    cid, _b = created(env, sh("true"), "delete")
    pid = env.state(cid)["pid"]
    env.rt("start", cid)
    env.wait_status(cid, "stopped", timeout=10)
    r = env.rt("delete", cid)
    eq(r.returncode, 0, f"delete exit code ({r.stderr.strip()})")
    reap(pid)
    check(env.rt("state", cid).returncode != 0, "state succeeded after delete")
    check(env.rt("delete", cid).returncode != 0, "second delete succeeded")
    env.live_ids.discard(cid)


@test("delete: a created (never started) container can be deleted and its process ends")
def _(env):
    cid, _b = created(env, sh("sleep 30"), "delcreated")
    pid = env.state(cid)["pid"]
    r = env.rt("delete", "--force", cid)
    eq(r.returncode, 0, f"delete --force exit code ({r.stderr.strip()})")
    deadline = time.time() + 5
    while time.time() < deadline and pid_alive(pid):
        reap(pid)
        time.sleep(0.05)
    check(not pid_alive(pid), "init process survived delete")
    check(env.rt("state", cid).returncode != 0, "state succeeded after delete")


@test("delete: deleting a running container is an error and it keeps running")
def _(env):
    cid, _b = created(env, sh("sleep 60"), "delrunning")
    env.rt("start", cid)
    env.wait_status(cid, "running")
    r = env.rt("delete", cid)
    check(r.returncode != 0, "delete of a running container succeeded")
    eq(env.state(cid)["status"], "running", "status after failed delete")


@test("start: starting an already started container is an error with no effect")
def _(env):
    cid, b = created(env, sh("echo run >> /count; sleep 60"), "start2")
    eq(env.rt("start", cid).returncode, 0, "first start")
    env.wait_status(cid, "running")
    pid = env.state(cid)["pid"]
    r = env.rt("start", cid)
    check(r.returncode != 0, "second start succeeded")
    st = env.state(cid)
    eq(st["status"], "running", "status after second start")
    eq(st["pid"], pid, "pid after second start")
    time.sleep(0.2)
    with open(os.path.join(b, "rootfs/count")) as f:
        eq(f.read().count("run"), 1, "user process runs")


@test("start: starting a stopped container is an error")
def _(env):
    cid, _b = created(env, sh("true"), "startstopped")
    env.rt("start", cid)
    env.wait_status(cid, "stopped", timeout=10)
    check(env.rt("start", cid).returncode != 0, "start of a stopped container succeeded")
    eq(env.state(cid)["status"], "stopped", "status")


@test("create: a duplicate id is an error and the first container is untouched")
def _(env):
    cid, _b = created(env, sh("sleep 30"), "dup")
    st1 = env.state(cid)
    b2 = env.bundle(sh("sleep 30"))
    r = env.create(cid, b2)
    check(r.returncode != 0, "create with a duplicate id succeeded")
    st2 = env.state(cid)
    eq((st2["status"], st2["pid"], st2["bundle"]), (st1["status"], st1["pid"], st1["bundle"]), "first container state")
    shutil.rmtree(b2, ignore_errors=True)


@test("operations on an unknown id are errors (state, start, kill, delete)")
def _(env):
    require_runtime_works(env)
    cid = env.new_id("unknown")
    for op in (["state", cid], ["start", cid], ["kill", cid, "KILL"], ["delete", cid]):
        r = env.rt(*op)
        check(r.returncode != 0, f"{op[0]} of an unknown container succeeded")


@test("create: missing config.json is an error and nothing is left behind")
def _(env):
    require_runtime_works(env)
    cid = env.new_id("noconf")
    b = env.bundle(sh("true"))
    os.unlink(os.path.join(b, "config.json"))
    r = env.create(cid, b)
    check(r.returncode != 0, "create without config.json succeeded")
    check(env.rt("state", cid).returncode != 0, "a container exists after failed create")


@test("create: an invalid id is an error")
def _(env):
    require_runtime_works(env)
    b = env.bundle(sh("true"))
    r = env.create("bad/../id", b)
    check(r.returncode != 0, "create with id 'bad/../id' succeeded")
    env.live_ids.discard("bad/../id")


@test("create: failure leaves no container and no cgroup behind")
def _(env):
    require_runtime_works(env)
    cid = env.new_id("failcreate")
    c = sh("true")
    c["linux"]["cgroupsPath"] = "/" + cid
    c["mounts"].append({"destination": "/data", "type": "bind", "source": "/nonexistent-conformance-src",
                        "options": ["rbind"]})
    b = env.bundle(c)
    r = env.create(cid, b)
    check(r.returncode != 0, "create with a missing bind source succeeded")
    check(env.rt("state", cid).returncode != 0, "container exists after failed create")
    for ctrl in ("memory", "pids", "devices", "cpu"):
        check(not os.path.exists(f"/sys/fs/cgroup/{ctrl}/{cid}"), f"cgroup {ctrl}/{cid} left behind")


@test("create: changes to config.json after create do not affect the container")
def _(env):
    cid, b = created(env, sh("echo original"), "cfgchange")
    write_config(b, sh("echo changed"))
    env.rt("start", cid)
    env.wait_status(cid, "stopped", timeout=10)
    with open(os.path.join(b, "ctr.out")) as f:
        eq(f.read().strip(), "original", "container output")


@test("list: shows created containers with their status")
def _(env):
    cid, _b = created(env, sh("sleep 30"), "list")
    r = env.rt("list", "--format", "json")
    eq(r.returncode, 0, "list exit code")
    items = {c["id"]: c for c in (json.loads(r.stdout) or [])}
    check(cid in items, f"{cid} not in list output")
    eq(items[cid].get("status"), "created", "listed status")


@test("exec: runs a process inside a running container's namespaces")
def _(env):
    cid, _b = created(env, sh("sleep 60"), "exec")
    env.rt("start", cid)
    st = env.wait_status(cid, "running")
    r = env.rt("exec", cid, "/bin/sh", "-c", "hostname; readlink /proc/1/ns/pid; readlink /proc/self/ns/pid")
    eq(r.returncode, 0, f"exec exit code ({r.stderr.strip()})")
    lines = r.stdout.split()
    eq(lines[0], "conformance", "hostname seen by exec")
    eq(lines[1], lines[2], "exec pid namespace equals init's")
    eq(lines[2], os.readlink(f"/proc/{st['pid']}/ns/pid"), "pid namespace of the container")


@test("exec: exit code of the exec'd process is returned")
def _(env):
    cid, _b = created(env, sh("sleep 60"), "execrc")
    env.rt("start", cid)
    env.wait_status(cid, "running")
    eq(env.rt("exec", cid, "/bin/sh", "-c", "exit 7").returncode, 7, "exec exit code")


def freezer_state(cid):
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        with open(f"/sys/fs/cgroup/{cid}/cgroup.freeze") as f:
            return {"1": "FROZEN", "0": "THAWED"}.get(f.read().strip(), "?")
    with open(f"/sys/fs/cgroup/freezer/{cid}/freezer.state") as f:
        return f.read().strip()


@test("pause/resume: status paused then running, freezer cgroup frozen")
def _(env):
    c = sh("sleep 60")
    cid = env.new_id("pause")
    c["linux"]["cgroupsPath"] = "/" + cid
    b = env.bundle(c)
    eq(env.create(cid, b).returncode, 0, "create exit code")
    env.rt("start", cid)
    env.wait_status(cid, "running")
    r = env.rt("pause", cid)
    eq(r.returncode, 0, f"pause exit code ({r.stderr.strip()})")
    eq(env.state(cid)["status"], "paused", "status after pause")
    eq(freezer_state(cid), "FROZEN", "freezer state")
    eq(env.rt("resume", cid).returncode, 0, "resume exit code")
    eq(env.state(cid)["status"], "running", "status after resume")
    eq(freezer_state(cid), "THAWED", "freezer state after resume")


@test("run: exit code of the container process is returned")
def _(env):
    r = env.run(cfg(["/bin/sh", "-c", "exit 42"]))
    eq(r.returncode, 42, "run exit code")
