# Sourced by v2vm.sh. The initramfs: static busybox, the virtio/9p modules of the guest kernel and
# guest/initramfs-init as /init. Cached next to the kernel, named after a hash of that init script so an edit
# rebuilds it.

# Modules the initramfs loads to reach the host's / (their dependencies are added first).
initramfs_modules="virtio_pci virtio_console 9pnet_virtio 9p"

# module_files MODULES_DIR MODULE: the .ko paths (relative to MODULES_DIR) MODULE needs, dependencies first.
module_files() {
  local line
  line=$(grep -E "/$2\.ko(\.[a-z]+)?:" "$1/modules.dep") || return 1
  echo "${line#*:}" | tr ' ' '\n' | grep . | tac
  echo "${line%%:*}"
}

# stage_modules MODULES_DIR STAGE: copies the modules into STAGE/modules with their load order in STAGE/modules/order.
stage_modules() {
  local modules_dir=$1 stage=$2 module files file
  mkdir -p "$stage/modules"
  : >"$stage/modules/order"
  for module in $initramfs_modules; do
    files=$(module_files "$modules_dir" "$module") || { echo "v2vm: no module $module" >&2; return 1; }
    for file in $files; do
      grep -qx "${file##*/}" "$stage/modules/order" && continue
      cp "$modules_dir/$file" "$stage/modules/" || return 1
      echo "${file##*/}" >>"$stage/modules/order"
    done
  done
}

# stage_busybox STAGE: busybox and a link per applet in STAGE/bin.
stage_busybox() {
  local applet
  mkdir -p "$1/bin"
  cp /bin/busybox "$1/bin/" || return 1
  for applet in $(/bin/busybox --list); do
    [ -e "$1/bin/$applet" ] || ln -s busybox "$1/bin/$applet"
  done
}

# initramfs_image KERNEL_ROOT: prints the path of the initramfs for that kernel, building it if needed.
initramfs_image() {
  local root=$1 init=$v2vm_home/guest/initramfs-init image stage version
  image=$root/initramfs-$(sha256sum "$init" | cut -c1-12).cpio
  if [ ! -s "$image" ]; then
    version=$(ls "$root/lib/modules")
    stage=$(mktemp -d "$root/initramfs.XXXXXX") || die "cannot create a staging directory in $root"
    mkdir -p "$stage/dev" "$stage/proc" "$stage/newroot"
    mknod -m 600 "$stage/dev/console" c 5 1 &&
      stage_busybox "$stage" &&
      stage_modules "$root/lib/modules/$version" "$stage" &&
      install -m 755 "$init" "$stage/init" &&
      (cd "$stage" && find . | sort | /bin/busybox cpio -o -H newc >"$image.tmp" 2>/dev/null) &&
      mv "$image.tmp" "$image"
    local built=$?
    rm -rf "$stage" "$image.tmp"
    [ $built -eq 0 ] || die "cannot build the initramfs $image"
  fi
  echo "$image"
}
