#!/bin/bash
# Run every conformance suite against one runtime and print one summary line per suite.
#
#   RUNTIME=/path/to/runtime conformance/run_all.sh [suite...]    (suites: spec docker podman containerd)
#
# Full logs go to $LOG_DIR (default: a temp dir, printed at the end). Exit status is non-zero
# when any suite failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
RUNTIME=${RUNTIME:?set RUNTIME=/path/to/runtime}
export RUNTIME=$(readlink -f "$RUNTIME")
LOG_DIR=${LOG_DIR:-$(mktemp -d /tmp/agentrt-conformance-logs-XXXXXX)}
mkdir -p "$LOG_DIR"
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(spec docker podman containerd)

status=0
for s in "${suites[@]}"; do
    case "$s" in
        spec) cmd=(python3 "$HERE/spec/run.py") ;;
        docker | podman | containerd) cmd=("$HERE/$s.sh") ;;
        *) echo "unknown suite $s"; status=1; continue ;;
    esac
    start=$(date +%s)
    "${cmd[@]}" >"$LOG_DIR/$s.log" 2>&1
    rc=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG_DIR/$s.log" | tail -1)
    [ -n "$line" ] || line="no summary (exit code $rc)"
    printf '%-11s %s (%ss)\n' "$s:" "$line" "$(($(date +%s) - start))"
    [ $rc -eq 0 ] || status=1
done
echo "logs: $LOG_DIR"
exit $status
