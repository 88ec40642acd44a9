#!/usr/bin/env bash
# fetch.sh TARGET...: gets what the multi-CPU guests need, from Debian only, into a git-ignored
# cache that later runs reuse. TARGET is x86 (qemu-system-x86, two amd64 kernels) or arm64
# (qemu-system-arm, an arm64 kernel, arm64 busybox, the arm64 node sysroot). Prints one line per
# artefact on stdout, "KEY PATH"; everything else goes to stderr.
#
# Kernels: Debian's unsigned images (no shim or signature needed under -kernel), the newest of each
# series the package lists offer:
#   x86-6.12   linux-image-6.12.N+deb12-amd64-unsigned (bookworm's 6.12 series: has GET_REGISTRATIONS)
#   x86-6.1    linux-image-6.1.0-N-amd64-unsigned (older: no MEMBARRIER_CMD_GET_REGISTRATIONS)
#   arm64-6.12 linux-image-6.12.N+deb12-arm64-unsigned
# Only boot/ is unpacked: 8250 and PL011 serial, virtio console and PCI, devtmpfs and initramfs
# support are built into Debian's kernels (checked below in their config), so the guest loads no
# module and the ~400 MB of /lib/modules is never written.
#
# Cache: MEMBARRIER_PROBE_GUEST_CACHE, default <repo>/.cache/guest (.cache/ is git-ignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$(dirname "$here")")"
cache="${MEMBARRIER_PROBE_GUEST_CACHE:-$repo/.cache/guest}"
say() { echo "guest-fetch: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -gt 0 ] || die "usage: fetch.sh x86|arm64 ..."
for t in "$@"; do
  case "$t" in x86|arm64) ;; *) die "unknown target '$t' (x86 or arm64)" ;; esac
done
for tool in apt-get apt-cache dpkg-deb flock tar; do
  command -v "$tool" >/dev/null || die "$tool is missing (this needs a Debian host)"
done

mkdir -p "$cache/debs" "$cache/kernels"
# One fetcher at a time; a second caller waits and then finds everything cached.
exec 9>"$cache/.fetch-lock"
flock -w 900 9 || die "timed out waiting for another run holding $cache/.fetch-lock"

# newest REGEX APT_OPTS...: the highest-versioned package name matching REGEX in the lists.
newest() {
  local re="$1"; shift
  apt-cache "$@" pkgnames linux-image- 2>/dev/null | grep -E "$re" | sort -V | tail -n1
}

# unpack_boot KEY REGEX ARCH CONFIGS APT_OPTS...: downloads the newest package matching REGEX
# (once), unpacks its boot/ into kernels/PKG, checks that the options the guest relies on are
# built in, prints "KEY vmlinuz".
unpack_boot() {
  local key="$1" re="$2" arch="$3" need="$4"; shift 4
  local pkg
  pkg=$(newest "$re" "$@")
  [ -n "$pkg" ] || die "no package matches $re in the Debian package lists"
  local dir="$cache/kernels/$pkg"
  if [ ! -f "$dir/.done" ]; then
    say "fetching $pkg ($arch)"
    rm -f "$cache/debs/${pkg}_"*.deb
    (cd "$cache/debs" && apt-get "$@" -o APT::Sandbox::User=root -qq download "$pkg" >&2) ||
      die "apt-get download $pkg failed (lists older than the mirror? apt-get update, then run again)"
    local deb
    deb=$(ls "$cache/debs/${pkg}_"*"_$arch.deb" 2>/dev/null | head -n1)
    [ -n "$deb" ] || die "apt-get download left no ${pkg}_*_$arch.deb in $cache/debs"
    rm -rf "$dir" && mkdir -p "$dir"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" ./boot || die "unpacking $deb failed"
    rm -f "$deb"  # the 70-110 MB .deb is not needed once boot/ is out
    touch "$dir/.done"
  fi
  local img cfg
  img=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1)
  cfg=$(ls "$dir"/boot/config-* 2>/dev/null | head -n1)
  [ -n "$img" ] && [ -n "$cfg" ] || die "$pkg has no boot/vmlinuz-* and config-*"
  for opt in $need; do
    grep -qx "CONFIG_$opt=y" "$cfg" || die "$pkg: CONFIG_$opt is not built in; the guest loads no modules"
  done
  # Older point releases of the same series, left by earlier runs, are not booted any more.
  for old in "$cache/kernels/"*; do
    [ "$old" != "$dir" ] && basename "$old" | grep -qE "$re" && rm -rf "$old"
  done
  echo "$key $img"
}

common_cfg="SMP DEVTMPFS BLK_DEV_INITRD TMPFS MEMBARRIER HOTPLUG_CPU PROC_FS SYSFS"

for t in "$@"; do
  if [ "$t" = x86 ]; then
    "$repo/scripts/ensure-debian.sh" qemu-system-x86 busybox-static cpio
    re612='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$'
    re61='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
    # The host's lists may predate the 6.12 series or the newest point release: refresh once.
    if [ -z "$(newest "$re612")" ] || [ -z "$(newest "$re61")" ]; then
      say "apt-get update (no 6.12 or 6.1 amd64 kernel in the lists)"
      apt-get update -qq >&2 || die "apt-get update failed"
    fi
    unpack_boot x86-6.12 "$re612" amd64 "$common_cfg SERIAL_8250 SERIAL_8250_CONSOLE"
    unpack_boot x86-6.1 "$re61" amd64 "$common_cfg SERIAL_8250 SERIAL_8250_CONSOLE"
    command -v busybox >/dev/null || die "busybox is not on PATH after installing busybox-static"
    ! ldd "$(command -v busybox)" >/dev/null 2>&1 ||
      die "$(command -v busybox) is not static (is busybox installed instead of busybox-static?)"
    echo "busybox-x86 $(command -v busybox)"
  else
    "$repo/scripts/ensure-debian.sh" qemu-system-arm cpio g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
    # The arm64 node and its libraries; the script also leaves a private arm64 apt state (lists,
    # empty dpkg status) in its cache, reused here so that nothing arm64 touches the host's dpkg.
    sysroot=$("$repo/scripts/arm64-sysroot.sh" | tail -n1)
    aptdir="${MEMBARRIER_PROBE_ARM64_CACHE:-$repo/build/arm64-sysroot}/apt"
    [ -d "$aptdir/lists" ] && [ -f "$aptdir/status" ] ||
      die "no private arm64 apt state at $aptdir (scripts/arm64-sysroot.sh changed?)"
    apt_opts=(
      -o APT::Architecture=arm64 -o APT::Architectures::=arm64
      -o Dir::State::Lists="$aptdir/lists" -o Dir::State::status="$aptdir/status"
      -o Dir::Cache="$aptdir" -o Dir::Cache::archives="$aptdir/archives"
      -o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache=""
      -o Dir::Etc::SourceList="$aptdir/sources.list" -o Dir::Etc::SourceParts="$aptdir/sources.list.d"
      -o Debug::NoLocking=1
    )
    rea='^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$'
    arm_cfg="$common_cfg SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE VIRTIO_PCI VIRTIO_CONSOLE"
    unpack_boot arm64-6.12 "$rea" arm64 "$arm_cfg" "${apt_opts[@]}"
    bb="$cache/busybox-arm64"
    if [ ! -x "$bb/bin/busybox" ]; then
      say "fetching busybox-static (arm64)"
      rm -rf "$bb" "$cache/debs/busybox-static_"*
      (cd "$cache/debs" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -qq download busybox-static >&2) ||
        die "apt-get download busybox-static:arm64 failed"
      mkdir -p "$bb.tmp"
      dpkg-deb -x "$cache/debs/"busybox-static_*_arm64.deb "$bb.tmp"
      rm -f "$cache/debs/busybox-static_"*
      mv "$bb.tmp" "$bb"
    fi
    echo "busybox-arm64 $bb/bin/busybox"
    echo "arm64-sysroot $sysroot"
  fi
done
