#!/bin/bash
# CI leg: fault injection against the agentrt in BUILD_DIR (built by the normal build, target fault_injection).
# FAULT_STRIDE=N kills at every Nth syscall instead of every one (1 = every one).
#   tests/fault/run.sh BUILD_DIR [Catch2 test filter...]
set -u
build=${1:?usage: run.sh BUILD_DIR [filter...]}
shift
exec "$build/tests/fault/fault_injection" "$@"
