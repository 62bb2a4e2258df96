#!/bin/bash
# run_each.sh TEST_BINARY...
#
# Runs several test binaries one after the other in one shell, so that one v2vm guest boot serves them all:
#   bash tests/v2vm/v2vm.sh "bash tests/v2vm/run_each.sh build/tests/integration_x build/tests/integration_y"
# Each runs in /dev/shm (the guest's own tmpfs, so scratch files stay off the shared 9p root) and ends with its
# own closing line; a "== name: ok|FAIL (exit N, Ns)" line follows each, and the last line counts them
# (naming the failed ones).
# Exits non-zero if any binary failed or is missing.
set -u

passed=0
failed=0
failed_names=""
binaries=()
for t in "$@"; do
  # Absolute before the cd below.
  case $t in /*) binaries+=("$t") ;; *) binaries+=("$PWD/$t") ;; esac
done
cd /dev/shm || exit 1
echo "cgroup layout: $(stat -fc %T /sys/fs/cgroup)"
for t in "${binaries[@]}"; do
  name=$(basename "$t")
  echo "== $name"
  start=$SECONDS
  retried=""
  if [ -x "$t" ]; then
    "$t"
    rc=$?
    # Under TCG a few pty and fork-timing tests fail now and then: a failed suite runs once more, and its
    # verdict says so (both runs stay in the log).
    if [ $rc -ne 0 ]; then
      echo "== $name: failed (exit $rc) under emulation; running it once more"
      "$t"
      rc=$?
      retried=" after a retry"
    fi
  else
    echo "$t: not built"
    rc=127
  fi
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    verdict=ok
  else
    failed=$((failed + 1))
    failed_names="$failed_names $name"
    verdict=FAIL
  fi
  echo "== $name: $verdict$retried (exit $rc, $((SECONDS - start))s)"
done
# The last line is what a CI summary shows: name the failed suites there.
echo "suites in one guest: $passed passed, $failed failed${failed_names:+ (failed:$failed_names)}"
[ $failed -eq 0 ]
