#!/usr/bin/env python3
"""Measurement engine for bench/run.sh (stdlib only). Start it through run.sh, which builds the rootfs."""
import argparse
import concurrent.futures
import ctypes
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import report

PR_SET_CHILD_SUBREAPER = 36
CONCURRENCY = 20
CONCURRENT_COUNTS = (10, 50, 100)
CONCURRENT_ROUNDS = 3
VARIANTS = ("no-seccomp", "docker-seccomp")


class RunError(Exception):
  pass


def make_subreaper():
  """Container inits outlive `create`/`run -d`; as a subreaper we reap them ourselves (as a shim would)."""
  libc = ctypes.CDLL(None, use_errno=True)
  if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_orphans():
  """Reaps exited reparented processes; returns how many there were."""
  n = 0
  while True:
    try:
      pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
      return n
    if pid == 0:
      return n
    n += 1


def run(argv, timeout=30):
  """Runs argv with stdin/stdout on /dev/null; returns elapsed seconds, raises RunError on failure.

  stderr goes to a file, not a pipe: a detached container inherits it and would keep a pipe open. The wait blocks
  in waitpid: subprocess's own timeout polls with doubling sleeps (0.5, 1, 2, 4, 8 ms), which rounded every sample
  up to 7.5 or 15.5 ms. A timer kills a runtime that hangs instead."""
  with tempfile.TemporaryFile() as err:
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    try:
      rc = p.wait()
    finally:
      timer.cancel()
    dt = time.perf_counter() - t0
    if rc == -signal.SIGKILL and dt >= timeout:
      raise subprocess.TimeoutExpired(argv, timeout)
    if rc != 0:
      err.seek(0)
      raise RunError("%s: exit %d: %s" % (" ".join(argv), rc, err.read().decode(errors="replace").strip()))
  return dt


class Runtime:

  def __init__(self, name, argv, root, mntns_pid):
    self.name = name
    self.argv = argv
    self.root = root
    self.seq = 0
    self.mntns_pid = mntns_pid  # whose mount namespace the runtime runs in (for the leak check)

  def cmd(self, *args):
    return self.argv + list(args)

  def new_id(self, tag):
    self.seq += 1
    return "bench-%s-%s-%d-%d" % (self.name.replace("@", "-"), tag, os.getpid(), self.seq)


class Floor(Runtime):
  """bench/floor.c: clone + pivot_root + /proc + exec, nothing else (with --cgroups: plus the kernel's share of the
  container's cgroups). Launched like the runtimes (same launcher)."""

  def __init__(self, name, argv, rootfs):
    super().__init__(name, argv, None, os.getpid())
    self.rootfs = rootfs

  def run_true(self):
    return run(self.argv + [self.rootfs, "/bin/true"])


def make_floors(opts):
  """The bare floor, and the floor that also creates, joins and removes a cgroup in every hierarchy."""
  if not opts.floor:
    return []
  prefix = [opts.nsexec, "/proc/%d/ns/mnt" % os.getpid()] if opts.crun_mntns_pid else []
  return [Floor("floor", prefix + [opts.floor], opts.rootfs),
          Floor("floor_cgroups", prefix + [opts.floor, "--cgroups", "agentrt-bench-floor-%d" % os.getpid()],
                opts.rootfs)]


def pure_cgroup_v2():
  return os.path.exists("/sys/fs/cgroup/cgroup.controllers")


def make_runtimes(opts, work):
  rts = []
  launch = {}
  if opts.crun_mntns_pid:
    for name in opts.runtimes.split():
      pid = opts.crun_mntns_pid if name == "crun" else os.getpid()
      launch[name] = ([opts.nsexec, "/proc/%d/ns/mnt" % pid], pid)
  for name in opts.runtimes.split():
    root = os.path.join(work, "state", name)
    os.makedirs(root, exist_ok=True)
    if name == "agentrt":
      argv = [opts.agentrt, "--root", root]
      if opts.agentrt_profile:
        argv += ["--profile", opts.agentrt_profile]
    elif name.startswith("agentrt@"):  # agentrt under a profile of its own, e.g. agentrt@agent-locked
      argv = [opts.agentrt, "--root", root, "--profile", name.split("@", 1)[1]]
    elif name == "runc":
      argv = ["runc", "--root", root]
    elif name == "crun":
      argv = ["crun", "--root", root]
      if opts.crun_no_cgroups:
        argv.append("--cgroup-manager=disabled")
    else:
      sys.exit("bench: unknown runtime %s" % name)
    prefix, pid = launch.get(name, ([], os.getpid()))
    rt = Runtime(name, prefix + argv, root, pid)
    rt.binary = argv[0]
    rts.append(rt)
  return rts


def write_bundles(opts, work):
  """Bundles: {true,sleep} x {no-seccomp,docker-seccomp}, all on one read-only busybox rootfs."""
  tmp = tempfile.mkdtemp(dir=work)
  subprocess.run(["runc", "spec", "--bundle", tmp], check=True)
  with open(os.path.join(tmp, "config.json")) as f:
    base = json.load(f)
  shutil.rmtree(tmp)
  with open(opts.seccomp_profile) as f:
    seccomp = json.load(f)
  base["root"] = {"path": opts.rootfs, "readonly": True}
  base["process"]["terminal"] = False
  base["hostname"] = "bench"
  bundles = {}
  for proc, args in (("true", ["/bin/true"]), ("sleep", ["/bin/sleep", "1000000"])):
    for variant in VARIANTS:
      cfg = json.loads(json.dumps(base))
      cfg["process"]["args"] = args
      if variant == "docker-seccomp":
        cfg["linux"]["seccomp"] = seccomp
      d = os.path.join(work, "bundle-%s-%s" % (proc, variant))
      os.makedirs(d)
      with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
      bundles[(proc, variant)] = d
  return bundles


def interleaved(rts, i):
  """Runtime order for iteration i: a fresh permutation each time (seeded, so runs repeat). Rotating one fixed order
  would keep the same runtime right after the same other one, and a container's teardown (network namespace,
  cgroups) finishes in kernel workers after the runtime has returned: the one that always follows paid for it."""
  order = list(rts)
  random.Random(i).shuffle(order)
  return order


# --- scenarios: each returns elapsed seconds for one sample ---


def sc_run(rt, bundle):
  return run(rt.cmd("run", "--bundle", bundle, rt.new_id("run")))


def sc_lifecycle(rt, bundle):
  cid = rt.new_id("life")
  pidfile = os.path.join(rt.root, cid + ".pid")
  t0 = time.perf_counter()
  run(rt.cmd("create", "--bundle", bundle, "--pid-file", pidfile, cid))
  with open(pidfile) as f:
    pid = int(f.read())
  run(rt.cmd("start", cid))
  os.waitpid(pid, 0)  # the init is our child: we are a subreaper
  run(rt.cmd("delete", cid))
  dt = time.perf_counter() - t0
  os.unlink(pidfile)
  return dt


class Sleeper:
  """A detached long-running container to exec into."""

  def __init__(self, rt, bundle):
    self.rt = rt
    self.id = rt.new_id("exec")
    pidfile = os.path.join(rt.root, self.id + ".pid")
    run(rt.cmd("run", "-d", "--bundle", bundle, "--pid-file", pidfile, self.id))
    with open(pidfile) as f:
      self.pid = int(f.read())
    os.unlink(pidfile)

  def exec_true(self):
    return run(self.rt.cmd("exec", self.id, "/bin/true"))

  def stop(self):
    try:
      run(self.rt.cmd("kill", self.id, "KILL"))
      os.waitpid(self.pid, 0)
    finally:
      subprocess.run(self.rt.cmd("delete", "--force", self.id), stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure_interleaved(rts, n, sample, results, key, log):
  """Collects n samples per runtime into results[rt][key]; a runtime that fails is recorded and skipped."""
  for rt in rts:
    results[rt.name].setdefault(key, {"samples": []})
  if not rts:
    return
  for i in range(n):
    for rt in interleaved(rts, i):
      r = results[rt.name][key]
      if "error" in r:
        continue
      try:
        r["samples"].append(sample(rt))
      except (RunError, OSError, subprocess.TimeoutExpired) as e:
        r["error"] = str(e)
        log("  %s %s failed: %s" % (rt.name, key, e))


def measure_exec(rts, n, bundle, results, key, log):
  sleepers = {}
  for rt in rts:
    try:
      sleepers[rt.name] = Sleeper(rt, bundle)
    except (RunError, OSError, subprocess.TimeoutExpired) as e:
      results[rt.name][key] = {"samples": [], "error": str(e)}
      log("  %s %s setup failed: %s" % (rt.name, key, e))
  live = [rt for rt in rts if rt.name in sleepers]
  try:
    measure_interleaved(live, n, lambda rt: sleepers[rt.name].exec_true(), results, key, log)
  finally:
    for s in sleepers.values():
      try:
        s.stop()
      except (RunError, OSError) as e:
        log("  %s: stopping exec container: %s" % (s.rt.name, e))


def measure_sequential(rts, count, bundle, results, key, log):
  """count sequential runs per runtime, interleaved in blocks of 10; records per-run samples and totals."""
  block = 10
  for rt in rts:
    results[rt.name][key] = {"samples": [], "total": 0.0}
  for b in range(0, count, block):
    for rt in interleaved(rts, b // block):
      r = results[rt.name][key]
      if "error" in r:
        continue
      try:
        for _ in range(min(block, count - b)):
          r["samples"].append(sc_run(rt, bundle))
      except (RunError, OSError, subprocess.TimeoutExpired) as e:
        r["error"] = str(e)
        log("  %s %s failed: %s" % (rt.name, key, e))
  for rt in rts:
    r = results[rt.name][key]
    r["total"] = sum(r["samples"])


def peak_rss_kib(rt, bundle, repeats=5):
  """Peak RSS of `run` (the runtime and every process it waited for) by GNU time, max over repeats."""
  best = 0
  with tempfile.NamedTemporaryFile(mode="r") as f:
    for _ in range(repeats):
      run(["/usr/bin/time", "-f", "%M", "-o", f.name] + rt.cmd("run", "--bundle", bundle, rt.new_id("rss")))
      f.seek(0)
      best = max(best, int(f.read().strip().splitlines()[-1]))
  return best


def syscall_count(rt, bundle):
  """Total syscalls of `run` across all its processes (strace -f -c), container's /bin/true included."""
  with tempfile.NamedTemporaryFile(mode="r") as f:
    run(["strace", "-f", "-c", "-o", f.name] + rt.cmd("run", "--bundle", bundle, rt.new_id("strace")), timeout=120)
    f.seek(0)
    for line in f.read().splitlines():
      m = re.match(r"^\s*100\.00\s+\S+\s+\S+\s+(\d+)\s+(\d+)?\s*total$", line)
      if m:
        return int(m.group(1))
  raise RunError("strace: no total line")


# --- leak check ---


def leak_snapshot(rt, rootfs):
  """What a runtime can leave behind: state entries, mounts, cgroups named bench-*, processes in the rootfs."""
  state = [e for e in os.listdir(rt.root) if e.startswith("bench-")]
  # Only mounts under our scratch directory count: other users of the machine mount things too.
  work = os.path.dirname(rootfs)
  with open("/proc/%d/mountinfo" % rt.mntns_pid) as f:
    mounts = sum(1 for line in f if line.split()[4].startswith(work))
  cgroups = []
  for ctrl in os.listdir("/sys/fs/cgroup"):
    base = os.path.join("/sys/fs/cgroup", ctrl)
    for dirpath, dirnames, _ in os.walk(base):
      if dirpath.count("/") - base.count("/") >= 3:
        dirnames[:] = []
        continue
      for d in dirnames:
        if d.startswith("bench-%s-" % rt.name) or ("bench-%s-" % rt.name) in d:
          cgroups.append(os.path.join(dirpath, d))
  procs = 0
  for p in os.listdir("/proc"):
    if p.isdigit():
      try:
        if os.readlink("/proc/%s/root" % p) == rootfs:
          procs += 1
      except OSError:
        pass
  return {"state": len(state), "mounts": mounts, "cgroups": len(cgroups), "procs": procs}


def measure_concurrent(rts, bundle, rootfs, results, log):
  """Each count runs CONCURRENT_ROUNDS times (runtimes interleaved) and reports the median round: one round of 10
  containers lasts ~50 ms, so a single one mostly measures what else the machine did then."""
  for n in CONCURRENT_COUNTS:
    key = "concurrent-%d" % n
    for rt in rts:
      results[rt.name][key] = {"samples": [], "rounds": [], "failed": 0, "leaks": {}, "orphans_reaped": 0}
    for r in range(CONCURRENT_ROUNDS):
      for rt in interleaved(rts, n * CONCURRENT_ROUNDS + r):
        concurrent_round(rt, n, bundle, rootfs, results[rt.name][key])
    for rt in rts:
      res = results[rt.name][key]
      res["per_container"] = median_of([w / n for w in res["rounds"]])
      res["wall"] = median_of(res["rounds"])
      log("  %s %d containers (%d at a time) x%d: median %.1f ms/container (rounds %s), failed %d, leaks %s" %
          (rt.name, n, CONCURRENCY, CONCURRENT_ROUNDS, 1000 * res["per_container"],
           "/".join("%.1f" % (1000 * w / n) for w in res["rounds"]), res["failed"], res["leaks"] or "none"))


def median_of(values):
  v = sorted(values)
  return v[len(v) // 2] if v else None


def concurrent_round(rt, n, bundle, rootfs, res):
  reap_orphans()
  before = leak_snapshot(rt, rootfs)
  ids = [rt.new_id("conc") for _ in range(n)]
  errors = []

  def one(cid):
    try:
      return run(rt.cmd("run", "--bundle", bundle, cid), timeout=300)
    except (RunError, subprocess.TimeoutExpired) as e:
      errors.append(str(e))
      return None

  t0 = time.perf_counter()
  with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
    lat = [x for x in pool.map(one, ids) if x is not None]
  res["rounds"].append(time.perf_counter() - t0)
  time.sleep(0.2)
  # Exited processes reparented to us (we are a subreaper) are not leaks, but worth knowing about.
  res["orphans_reaped"] += reap_orphans()
  after = leak_snapshot(rt, rootfs)
  for k in after:
    if after[k] != before[k]:
      res["leaks"][k] = res["leaks"].get(k, 0) + after[k] - before[k]
  res["samples"] += lat
  res["failed"] += len(errors)
  if errors and "error" not in res:
    res["error"] = errors[0]


def ours(pid, rootfs):
  """A process of a container this harness started: chrooted in our rootfs, or a runtime process (or an init that
  has not pivoted yet) whose command line names one of our container ids."""
  try:
    if os.readlink("/proc/%s/root" % pid) == rootfs:
      return True
    with open("/proc/%s/cmdline" % pid, "rb") as f:
      return re.search(rb"bench-[a-z]+-[a-z]+-%d-" % os.getpid(), f.read()) is not None
  except OSError:
    return False


def cleanup(rts, rootfs, log):
  """Removes whatever a failed or hung runtime left: our container processes, then its bench-* containers."""
  for p in os.listdir("/proc"):
    if p.isdigit() and int(p) != os.getpid() and ours(p, rootfs):
      try:
        os.kill(int(p), 9)
      except OSError:
        pass
  time.sleep(0.1)
  reap_orphans()
  for rt in rts:
    for cid in os.listdir(rt.root):
      if cid.startswith("bench-") and os.path.isdir(os.path.join(rt.root, cid)):
        try:
          p = subprocess.run(rt.cmd("delete", "--force", cid), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
          log("cleanup: %s delete --force %s: exit %d" % (rt.name, cid, p.returncode))
        except subprocess.TimeoutExpired:
          log("cleanup: %s delete --force %s: timed out" % (rt.name, cid))


def smoke(rts, bundle, log):
  ok = []
  for rt in rts:
    try:
      run(rt.cmd("run", "--bundle", bundle, rt.new_id("smoke")), timeout=15)
      ok.append(rt)
    except (RunError, OSError, subprocess.TimeoutExpired) as e:
      log("bench: %s excluded, `run` fails: %s" % (rt.name, e))
  return ok


def versions(rts):
  out = {}
  for rt in rts:
    p = subprocess.run([rt.binary, "--version"], capture_output=True, text=True)
    out[rt.name] = (p.stdout.strip().splitlines() or ["?"])[0]
  return out


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument("--work", required=True)
  ap.add_argument("--rootfs", required=True)
  ap.add_argument("--out", required=True)
  ap.add_argument("--seccomp-profile", required=True)
  ap.add_argument("--agentrt", required=True)
  ap.add_argument("--iterations", type=int, default=50)
  ap.add_argument("--seq", type=int, default=100)
  ap.add_argument("--runtimes", default="agentrt runc crun")
  ap.add_argument("--agentrt-profile", default="off")
  ap.add_argument("--crun-mntns-pid", type=int, default=0)
  ap.add_argument("--crun-no-cgroups", action="store_true", help="crun with --cgroup-manager=disabled")
  ap.add_argument("--nsexec", default="", help="bench/nsexec.c, built: the launcher into crun's namespace")
  ap.add_argument("--floor", default="", help="the bare clone/pivot_root/exec program (bench/floor.c), built")
  ap.add_argument("--source", default="?", help="agentrt source revision, for the report")
  ap.add_argument("--note", default="", help="a note for the report (where and how it ran)")
  opts = ap.parse_args()

  def log(msg):
    print(msg, flush=True)

  make_subreaper()
  bundles = write_bundles(opts, opts.work)
  all_rts = make_runtimes(opts, opts.work)
  try:
    bench(opts, all_rts, bundles, log)
  finally:
    cleanup(all_rts, opts.rootfs, log)


def bench(opts, all_rts, bundles, log):
  rts = smoke(all_rts, bundles[("true", "no-seccomp")], log)
  cleanup(all_rts, opts.rootfs, log)
  if not rts:
    sys.exit("bench: no runtime works")
  n = opts.iterations
  meta = {
      "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
      "kernel": platform.release(),
      "cpus": os.cpu_count(),
      "iterations": n,
      "sequential": opts.seq,
      "versions": versions(rts),
      "agentrt_profile": opts.agentrt_profile or "(default)",
      "source": opts.source,
      "notes": [],
  }
  if pure_cgroup_v2():
    meta["notes"].append("pure cgroup v2: every runtime creates the container's cgroup (crun with its cgroupfs "
                         "manager)")
  elif any(rt.name == "crun" for rt in rts) and opts.crun_no_cgroups:
    meta["notes"].append("crun runs with --cgroup-manager=disabled (CRUN_CGROUPS=0), so it creates no cgroup while "
                         "runc and agentrt do")
  if opts.crun_mntns_pid:
    meta["notes"].append("crun 1.8.1 refuses hybrid cgroups, so it ran in a private mount namespace whose "
                         "/sys/fs/cgroup holds only the v1 hierarchies (%s); every runtime was launched through "
                         "bench/nsexec.c (setns + exec, ~0.25 ms, same for all)" %
                         ("no cgroups for crun" if opts.crun_no_cgroups else
                          "crun creates the container's v1 cgroups with its cgroupfs manager, like runc and agentrt"))
  if opts.note:
    meta["notes"].append(opts.note)
  meta["notes"].append("times include ~%.1f ms of fork+exec+wait by the harness (median of spawning /bin/true)" %
                       (1000 * sorted(run(["/bin/true"]) for _ in range(20))[10]))
  for note in meta["notes"]:
    log("note: " + note)

  results = {rt.name: {} for rt in rts}
  floors = make_floors(opts)
  for variant in VARIANTS:
    true_b = bundles[("true", variant)]
    log("[%s] run /bin/true x%d" % (variant, n))
    if floors and variant == "no-seccomp":
      # The floors run in the same rotation as the runtimes, so drift hits them alike.
      for f in floors:
        results[f.name] = {}
      measure_interleaved(rts + floors, n, lambda rt: rt.run_true() if rt in floors else sc_run(rt, true_b),
                          results, "run/" + variant, log)
      for f in floors:
        meta[f.name] = results.pop(f.name)["run/" + variant]
    else:
      measure_interleaved(rts, n, lambda rt: sc_run(rt, true_b), results, "run/" + variant, log)
    log("[%s] create+start+wait+delete x%d" % (variant, n))
    measure_interleaved(rts, n, lambda rt: sc_lifecycle(rt, true_b), results, "lifecycle/" + variant, log)
    log("[%s] exec /bin/true x%d" % (variant, n))
    measure_exec(rts, n, bundles[("sleep", variant)], results, "exec/" + variant, log)
    log("[%s] %d sequential runs" % (variant, opts.seq))
    measure_sequential(rts, opts.seq, true_b, results, "seq%d/%s" % (opts.seq, variant), log)
  log("peak RSS and syscalls of run")
  for rt in rts:
    for variant in VARIANTS:
      try:
        results[rt.name]["rss_kib/" + variant] = peak_rss_kib(rt, bundles[("true", variant)])
        results[rt.name]["syscalls/" + variant] = syscall_count(rt, bundles[("true", variant)])
      except (RunError, OSError, subprocess.TimeoutExpired) as e:
        log("  %s: %s" % (rt.name, e))
  log("concurrency: %s containers, %d at a time, with leak check" % ("/".join(map(str, CONCURRENT_COUNTS)),
                                                                     CONCURRENCY))
  measure_concurrent(rts, bundles[("true", "no-seccomp")], opts.rootfs, results, log)
  reap_orphans()

  report.write_all(meta, results, opts.out, log)


if __name__ == "__main__":
  main()
