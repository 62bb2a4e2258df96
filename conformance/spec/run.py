#!/usr/bin/env python3
"""OCI runtime-spec conformance suite. Usage: RUNTIME=/path/to/runtime run.py [-k substring]..."""

import os
import signal
import sys
import time
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Env, Fail, Skip, become_subreaper  # noqa: E402
from known_failures import KNOWN  # noqa: E402
from registry import TESTS  # noqa: E402
import t_lifecycle  # noqa: E402,F401
import t_process  # noqa: E402,F401
import t_linux  # noqa: E402,F401
import t_mounts  # noqa: E402,F401
import t_hooks  # noqa: E402,F401
import t_cgroups  # noqa: E402,F401


def main():
    runtime = os.environ.get("RUNTIME", "runc")
    runtime_args = os.environ.get("RUNTIME_ARGS", "").split()
    # -k SUBSTRING (repeatable): run only tests whose name contains one of them.
    only = [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "-k"]
    if os.geteuid() != 0:
        print("the conformance suite must run as root")
        return 2
    become_subreaper()
    known = KNOWN.get(os.path.basename(runtime), {})
    budget = float(os.environ.get("CONF_BUDGET", "240"))

    def on_term(_sig, _frm):
        raise KeyboardInterrupt("terminated")
    signal.signal(signal.SIGTERM, on_term)
    env = Env(runtime, runtime_args)
    passed = failed = skipped = 0
    start = time.time()
    try:
        for i, (name, fn) in enumerate(TESTS, 1):
            if only and not any(k in name for k in only):
                continue
            t0 = time.time()
            if t0 - start > budget:
                print(f"not ok {i} - {name}: not run, suite time budget of {budget:.0f}s exhausted")
                failed += 1
                continue
            try:
                fn(env)
                print(f"ok {i} - {name}")
                passed += 1
            except Skip as e:
                print(f"ok {i} - {name} # SKIP {e}")
                skipped += 1
            except Exception as e:  # noqa: BLE001 - every error is a test failure
                reason = str(e) if isinstance(e, Fail) else f"{type(e).__name__}: {e}"
                if os.environ.get("CONF_DEBUG"):
                    traceback.print_exc()
                if name in known:
                    print(f"ok {i} - {name} # SKIP known failure of {os.path.basename(runtime)}: "
                          f"{known[name]} (got: {reason})")
                    skipped += 1
                else:
                    print(f"not ok {i} - {name}: {reason}")
                    failed += 1
            finally:
                for cid in list(env.live_ids):
                    env.force_delete(cid)
                if time.time() - t0 > 20:
                    print(f"# slow test ({time.time() - t0:.1f}s): {name}")
            sys.stdout.flush()
    finally:
        env.cleanup()
    print(f"# runtime {runtime}: {time.time() - start:.1f}s")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
