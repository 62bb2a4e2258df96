#!/bin/bash
# Builds the libFuzzer targets (clang, ASan+UBSan) into BUILD_DIR: tests/fuzz/build.sh BUILD_DIR
set -eu
build=${1:?usage: build.sh BUILD_DIR}
src=$(cd "$(dirname "$0")" && pwd)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S "$src" -B "$build" "${launcher[@]}" >/dev/null
cmake --build "$build" -j"${JOBS:-$(nproc)}" --target fuzz_config fuzz_state fuzz_exec_process fuzz_policy
