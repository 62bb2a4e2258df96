# Sourced by .ci/run and .ci/demo: installs what agentrt needs to build and test, from Debian packages only.
install_deps() {
  local pkgs=(build-essential cmake pkg-config clang-format
    nlohmann-json3-dev libseccomp-dev libcap-dev libboost-program-options-dev libcgroup-dev catch2
    busybox-static iproute2 procps strace python3)
  if [ "${1:-}" = full ]; then
    # Reference runtimes, real engines, the nested pure-v2 kernel (and systemd, PID 1 of its systemd guest), and
    # the tools the agent tool suite runs.
    pkgs+=(runc crun docker.io podman containerd qemu-system-x86 kmod systemd criu uidmap slirp4netns time git gcc make nodejs lintian man-db bash-completion clang libclang-rt-14-dev)
  fi
  local missing=()
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
