#!/bin/bash
# CI leg: builds the libFuzzer targets into BUILD_DIR and runs each for FUZZ_SECONDS (default 60) over its
# corpus in tests/fuzz/corpus/<target>/. Fails on a crash, a sanitizer report (ASan, UBSan, LeakSanitizer),
# an input slower than FUZZ_TIMEOUT seconds (default 10) or the build failing. New inputs go to
# BUILD_DIR/corpus, crash inputs to BUILD_DIR/artifacts; the repo's corpus is only read.
#   tests/fuzz/run.sh BUILD_DIR [TARGET...]
set -u
build=${1:?usage: run.sh BUILD_DIR [TARGET...]}
shift
src=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config state exec_process policy)
seconds=${FUZZ_SECONDS:-60}

mkdir -p "$build"
"$src/build.sh" "$build" >"$build/build.log" 2>&1 || { tail -30 "$build/build.log"; echo "fuzz: build failed"; exit 1; }
mkdir -p "$build/artifacts"
export UBSAN_OPTIONS=print_stacktrace=1
# The targets' scratch files (state.json, config.json) go here, not to /tmp.
export TMPDIR=$build/tmp
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
passed=0
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  log=$build/fuzz_$t.log
  # libseccomp's own leaks (lsan.supp says which and why); full unwinding so the suppression sees its frames.
  lsan=""
  [ "$t" = config ] && lsan="suppressions=$src/lsan.supp:fast_unwind_on_malloc=0"
  LSAN_OPTIONS=$lsan "$build/fuzz_$t" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -dict="$src/oci.dict" -artifact_prefix="$build/artifacts/$t-" -print_final_stats=1 "$build/corpus/$t" "$src/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    echo "fuzz_$t: ok, ${runs:-?} executions in ${seconds}s"
  else
    failed=$((failed + 1))
    echo "fuzz_$t: FAILED (exit $rc) after ${runs:-?} executions; log $log"
    grep -E -A30 'ERROR: |runtime error|==ERROR|deadly signal|timeout' "$log" | head -60
    ls "$build/artifacts/$t-"* 2>/dev/null
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
