#!/usr/bin/env bash
# arm64-sysroot.sh: prepares an arm64 (aarch64) user space in which Debian's arm64 `node` runs under
# qemu-user, so that the cross-built addon can be loaded and called for real on an x86 machine.
# Prints the sysroot's path on stdout (everything else goes to stderr). Idempotent: a complete
# sysroot is reused at once; an interrupted run is redone from its downloaded .deb files.
#
# Only Debian's packages are used: qemu-user-static is installed on the host by ensure-debian.sh;
# the arm64 packages (nodejs and its run-time dependencies) are fetched with apt-get download from
# the host's own Debian sources and unpacked with dpkg-deb -x into the cache. Nothing arm64 is
# installed on the host, and the host's dpkg and apt state are left alone: apt runs here with its
# own lists, cache and status file, and an arm64-only architecture list.
#
# Cache: MEMBARRIER_PROBE_ARM64_CACHE, default <repo>/build/arm64-sysroot (build/ is git-ignored).
# Run the result with:  qemu-aarch64-static -L <sysroot> <sysroot>/usr/bin/node ...
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cache="${MEMBARRIER_PROBE_ARM64_CACHE:-$repo/build/arm64-sysroot}"
sysroot="$cache/root"
stamp="$sysroot/.membarrier-probe-sysroot"
# Bump when the recipe changes, so that an older cached sysroot is rebuilt.
recipe=1

say() { echo "arm64-sysroot: $*" >&2; }
die() { say "$*"; exit 1; }

"$here/ensure-debian.sh" qemu-user-static
command -v qemu-aarch64-static >/dev/null || die "qemu-aarch64-static is not on PATH after installing qemu-user-static"
for tool in apt-get apt-cache dpkg-deb flock; do
  command -v "$tool" >/dev/null || die "$tool is missing (this script needs a Debian host)"
done

mkdir -p "$cache"
# One preparer at a time: a second caller waits, then finds the sysroot complete.
exec 9>"$cache/.lock"
flock -w 600 9 || die "timed out waiting for another run holding $cache/.lock"

if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "recipe $recipe" ] && [ -x "$sysroot/usr/bin/node" ]; then
  echo "$sysroot"
  exit 0
fi

# A private apt state: lists, archives and an empty dpkg status, so that the dependency closure is
# computed for a bare arm64 system and nothing of the host's package database is touched.
aptdir="$cache/apt"
mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" "$aptdir/sources.list.d" "$cache/debs"
: >"$aptdir/status"
: >"$aptdir/sources.list"

# Only the host's Debian sources (the archive and its security and updates suites), not any third
# party repository that happens to be configured: those could offer their own arm64 nodejs.
rm -f "$aptdir/sources.list.d/"*
n=0
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  if grep -Eq '^[^#]*(debian\.org/debian|debian-archive-keyring)' "$f"; then
    n=$((n + 1))
    case "$f" in
      *.sources) cp "$f" "$aptdir/sources.list.d/$n-$(basename "$f")" ;;
      *) cp "$f" "$aptdir/sources.list.d/$n-$(basename "$f" .list).list" ;;
    esac
  fi
done
[ "$n" -gt 0 ] || die "no Debian package source found in /etc/apt (needed to fetch the arm64 packages)"

apt_opts=(
  -o APT::Architecture=arm64
  -o APT::Architectures::=arm64
  -o Dir::State::Lists="$aptdir/lists"
  -o Dir::State::status="$aptdir/status"
  -o Dir::Cache="$aptdir"
  -o Dir::Cache::archives="$aptdir/archives"
  -o Dir::Cache::pkgcache=""
  -o Dir::Cache::srcpkgcache=""
  -o Dir::Etc::SourceList="$aptdir/sources.list"
  -o Dir::Etc::SourceParts="$aptdir/sources.list.d"
  -o Debug::NoLocking=1
  -o APT::Sandbox::User=root
)

say "fetching the arm64 package lists"
apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update (arm64 lists) failed"

# nodejs and everything it needs at run time (Depends and Pre-Depends, recursively). Virtual
# names are printed as <name> and are provided by a real package already in the list.
mapfile -t pkgs < <(
  apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances nodejs |
    grep -v '^[[:space:]<]' | sort -u
)
[ ${#pkgs[@]} -gt 0 ] || die "apt-cache found no arm64 nodejs in the Debian sources"
for want in nodejs libnode108 libc6 libstdc++6; do
  printf '%s\n' "${pkgs[@]}" | grep -qx "$want" || die "the dependency closure of nodejs lacks $want: ${pkgs[*]}"
done
say "arm64 packages: ${pkgs[*]}"

# apt-get download skips a file that is already there with the right checksum.
(cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download "${pkgs[@]}" >&2) || die "apt-get download failed"

# Unpack into a fresh folder, then swap it in, so that a half-made sysroot is never used.
rm -rf "$sysroot.tmp"
mkdir -p "$sysroot.tmp"
debs=()
for p in "${pkgs[@]}"; do
  # The candidate's version and architecture name its file (the epoch's colon is escaped as %3a).
  read -r ver arch < <(apt-cache "${apt_opts[@]}" show --no-all-versions "$p" |
    awk '/^Version: /{v=$2} /^Architecture: /{a=$2} END{print v, a}')
  deb="$cache/debs/${p}_${ver//:/%3a}_${arch}.deb"
  [ -f "$deb" ] || die "downloaded file missing: $deb"
  dpkg-deb -x "$deb" "$sysroot.tmp"
  debs+=("$(basename "$deb")")
done
[ -e "$sysroot.tmp/lib/ld-linux-aarch64.so.1" ] || die "the unpacked libc6 has no /lib/ld-linux-aarch64.so.1"
[ -x "$sysroot.tmp/usr/bin/node" ] || die "the unpacked nodejs has no /usr/bin/node"

{ echo "recipe $recipe"; printf '%s\n' "${debs[@]}"; } >"$sysroot.tmp/.membarrier-probe-sysroot"
rm -rf "$sysroot"
mv "$sysroot.tmp" "$sysroot"
# Old versions left behind by a point release are not needed any more.
for f in "$cache/debs/"*.deb; do
  printf '%s\n' "${debs[@]}" | grep -qxF "$(basename "$f")" || rm -f "$f"
done
say "sysroot ready ($(du -sh "$sysroot" | cut -f1))"
echo "$sysroot"
