#!/bin/bash
# Audit trail cost (issue 15): 10,000 calls the agent-default floor denies (umount2 of a missing path, timed inside
# the container by the threat probe), with and without --audit, interleaved; the records counted; the audit
# supervisor's RSS (VmRSS and its peak VmHWM from /proc/PID/status) after the loop. Reported, never asserted.
#
# Environment:
#   AGENTRT    agentrt binary (default build/agentrt in this repo)
#   N          iterations per mode (default 10)
#   CALLS      denied calls per iteration (default 10000)
#   BENCH_DIR  scratch directory (default /run/agentrt-bench-audit)
#   OUT        output directory (default bench/out-audit next to this script)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
agentrt=${AGENTRT:-$here/../build/agentrt}
n=${N:-10}
calls=${CALLS:-10000}
work=${BENCH_DIR:-/run/agentrt-bench-audit}
out=${OUT:-$here/out-audit}
root=$work/state

if [ "$(id -u)" != 0 ]; then
  echo "audit.sh: must run as root" >&2
  exit 1
fi

rm -rf "$work"
mkdir -p "$work/rootfs"/{bin,proc,dev,tmp} "$out"
cp /bin/busybox "$work/rootfs/bin/busybox"
gcc -O2 -static -Wall -Werror -o "$work/rootfs/bin/probe" "$here/../tests/threat/probe.c" -lpthread

config() {  # config <script>
  python3 - "$1" >"$work/config.json" <<'PY'
import json, sys
print(json.dumps({
    "ociVersion": "1.0.2",
    "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/bin/busybox", "sh", "-c", sys.argv[1]],
                "env": ["PATH=/bin"], "cwd": "/"},
    "root": {"path": "rootfs", "readonly": True},
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
    "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]},
}))
PY
}

# One run: prints the probe's "<errno> <count> <ns>".
run_once() {  # run_once <id> <audit flag or "">
  local id=$1
  shift
  "$agentrt" --root "$root" "$@" run -b "$work" "$id"
  "$agentrt" --root "$root" delete -f "$id" >/dev/null 2>&1 || true
}

config "/bin/probe denied_loop $calls"
plain=()
audited=()
lost=0
for i in $(seq 1 "$n"); do
  read -r e c ns < <(run_once "bench-audit-plain-$i")
  [ "$e $c" = "EPERM $calls" ] || { echo "plain run $i: $e $c" >&2; exit 1; }
  plain+=("$ns")
  read -r e c ns < <(run_once "bench-audit-on-$i" --audit)
  [ "$e $c" = "EPERM $calls" ] || { echo "audited run $i: $e $c" >&2; exit 1; }
  audited+=("$ns")
  recorded=$(grep -c '"source":"seccomp"' "$root/.audit/bench-audit-on-$i.jsonl" || true)
  [ "$recorded" = "$calls" ] || lost=$((lost + calls - recorded))
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mp=$(median "${plain[@]}")
ma=$(median "${audited[@]}")

# The supervisor's memory once it has answered a loop.
config "/bin/probe denied_loop $calls >/dev/null; /bin/busybox sleep 30"
"$agentrt" --root "$root" --audit run -d -b "$work" bench-audit-rss
log=$root/.audit/bench-audit-rss.jsonl
for _ in $(seq 1 300); do
  [ "$(grep -c '"source":"seccomp"' "$log" || true)" = "$calls" ] && break
  sleep 0.1
done
sup=$(sed -n 's/.*"notice":"supervisor \([0-9]*\) .*/\1/p' "$log" | head -1)
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$sup/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$sup/status")
"$agentrt" --root "$root" delete -f bench-audit-rss
sleep 0.5
left=$(pgrep -f "__audit-supervisor.*bench-audit" || true)

{
  echo "# Audit trail cost ($(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) cores)"
  echo
  echo "$calls denied umount2 calls per run, $n runs per mode, median of the loop time inside the container."
  echo
  echo "| mode | median loop (ms) | per call (us) |"
  echo "|---|---|---|"
  awk -v ns="$mp" -v c="$calls" 'BEGIN {printf "| plain errno | %.1f | %.2f |\n", ns / 1e6, ns / c / 1e3}'
  awk -v ns="$ma" -v c="$calls" 'BEGIN {printf "| --audit (notify + supervisor) | %.1f | %.2f |\n", ns / 1e6, ns / c / 1e3}'
  awk -v a="$ma" -v p="$mp" 'BEGIN {printf "\nslowdown: %.1fx\n", a / p}'
  echo
  echo "records lost: $lost of $((n * calls))"
  echo
  echo "supervisor after $calls calls: VmRSS ${rss} KiB, VmHWM ${hwm} KiB"
  echo
  echo "supervisors left after delete: ${left:-none}"
} | tee "$out/results.md"
rm -rf "$work"
