#!/bin/bash
# CI leg: the leak-accounting soak against the agentrt in BUILD_DIR (target soak of the normal build).
# SOAK_CONTAINERS (default 1000) containers, SOAK_PARALLEL (default 20) at a time.
#   tests/soak/run.sh BUILD_DIR
set -u
build=${1:?usage: run.sh BUILD_DIR}
exec "$build/tests/soak/soak"
