# Sourced by v2vm.sh. The guest kernel: Debian's linux-image package (the one linux-image-amd64 depends on),
# fetched once with `apt-get download` into the cache and unpacked there with its modules.
# Cache layout: $cache/<package>/{boot/vmlinuz-*, lib/modules/<version>/, vmlinux, initramfs.cpio, .complete}.

# kernel_package: the versioned package name linux-image-amd64 points to, from apt's lists.
kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}

# cached_kernel_root CACHE: prints the newest completely unpacked kernel directory in CACHE, if any.
cached_kernel_root() {
  local vmlinuz found=
  for vmlinuz in "$1"/linux-image-*/boot/vmlinuz-*; do
    [ -f "$vmlinuz" ] && [ -f "${vmlinuz%/boot/*}/.complete" ] && found=${vmlinuz%/boot/*}
  done
  [ -n "$found" ] && echo "$found"
}

# fetch_kernel CACHE: downloads and unpacks the kernel package into CACHE; prints its directory.
fetch_kernel() {
  local cache=$1 pkg dl root version
  pkg=$(kernel_package)
  [ -n "$pkg" ] || die "no linux-image-amd64 in apt's lists (run apt-get update)"
  echo "v2vm: fetching $pkg into $cache (once)" >&2
  root=$cache/$pkg
  dl=$cache/download
  rm -rf "$dl" "$root"
  # apt-get download drops privileges to _apt: the directory must be writable by it.
  mkdir -p "$dl" && chmod 777 "$dl" || die "cannot create $dl"
  (cd "$dl" && apt-get download "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
  dpkg-deb -x "$dl/${pkg}"_*.deb "$root" || die "dpkg-deb -x of $pkg failed"
  rm -rf "$dl"
  version=$(ls "$root/lib/modules")
  depmod -b "$root" "$version" || die "depmod -b $root $version failed"
  touch "$root/.complete"
  echo "$root"
}

# boot_image KERNEL_ROOT: prints the image to boot. The uncompressed ELF vmlinux boots through its PVH entry
# point, which saves the ~5 s of decompression under TCG; extracted once, falls back to vmlinuz.
boot_image() {
  local root=$1 vmlinuz
  vmlinuz=$(ls "$root"/boot/vmlinuz-* | head -n 1)
  if [ ! -s "$root/vmlinux" ] && [ ! -e "$root/vmlinux.none" ]; then
    if python3 "$v2vm_home/lib/extract_vmlinux.py" "$vmlinuz" "$root/vmlinux.tmp"; then
      mv "$root/vmlinux.tmp" "$root/vmlinux"
    else
      rm -f "$root/vmlinux.tmp"
      touch "$root/vmlinux.none"
    fi
  fi
  if [ -s "$root/vmlinux" ]; then echo "$root/vmlinux"; else echo "$vmlinuz"; fi
}
