#!/bin/sh
# Builds a Linux guest for the boot test from Debian packages only:
#   tests/boot/build-guest.sh ARCH OUTDIR      (ARCH: i386 | i386-pae | amd64)
# i386 is Debian's 686 kernel (32-bit paging), i386-pae its 686-pae kernel
# (PAE paging), amd64 the 64-bit kernel (4-level paging).
# OUTDIR gets vmlinuz (the distribution kernel, a bzImage), initrd.cpio
# (a newc initramfs: static busybox, the /init self-check and its NX probe,
# built with nasm and ld) and paging
# (the paging mode the kernel must run in, as pcvm's --info mode names it).
# The .deb files are cached in OUTDIR/debs, so a rerun needs no network.
#
# Exit status: 0 built; 77 the packages are not cached and no package
# registry answers (a real fetch of the first apt source's index fails with
# a network error): the guest cannot be had here; 1 any other failure,
# including a package that a reachable registry does not have; 2 usage.
# Several builds may run at once: apt and dpkg steps (dpkg --add-architecture,
# apt-get update/download) hold one lock, build/.apt.lock (GUEST_APT_LOCK),
# and builds into one OUTDIR take turns (OUTDIR/.lock). Downloads and outputs
# are written under temporary names and renamed, so a build killed midway
# leaves nothing that a rerun takes for finished.
# GUEST_KERNEL_PKG and GUEST_BUSYBOX_PKG override the package names.
set -eu

usage() {
    echo "usage: $0 i386|i386-pae|amd64 OUTDIR" >&2
    exit 2
}
[ $# -eq 2 ] || usage
arch=$1
out=$2
case $arch in
i386) kmeta=linux-image-686:i386 bb=busybox-static:i386 uname_m=i686 paging=32-bit ;;
i386-pae) kmeta=linux-image-686-pae:i386 bb=busybox-static:i386 uname_m=i686 paging=PAE ;;
amd64) kmeta=linux-image-amd64:amd64 bb=busybox-static:amd64 uname_m=x86_64 paging=AMD64 ;;
*) usage ;;
esac
kmeta=${GUEST_KERNEL_PKG:-$kmeta}
bb=${GUEST_BUSYBOX_PKG:-$bb}
here=$(cd "$(dirname "$0")" && pwd)
apt_lock=${GUEST_APT_LOCK:-$here/../../build/.apt.lock}
mkdir -p "$out/debs" "$(dirname "$apt_lock")"
out=$(cd "$out" && pwd)
debs=$out/debs

# One build per OUTDIR at a time (its work dir and temporary names are fixed).
exec 8>"$out/.lock"
flock 8
rm -rf "$debs"/partial.*

# need_download GLOB: no cached .deb matches GLOB_*.deb.
need_download() {
    # shellcheck disable=SC2231 # $1 is itself a glob
    for f in "$debs"/$1_*.deb; do
        [ -e "$f" ] && return 1
    done
    return 0
}

# registry_unreachable: a real fetch of the first index apt would update
# fails with a network error (no source at all counts as unreachable).
registry_unreachable() {
    uri=$(apt-get --print-uris update 2>/dev/null | sed -n "1s/^'\([^']*\)'.*/\1/p")
    [ -n "$uri" ] || return 0
    probe=$(mktemp -d)
    msg=$(/usr/lib/apt/apt-helper download-file "$uri" "$probe/index" 2>&1) && st=0 || st=$?
    rm -rf "$probe"
    [ "$st" -ne 0 ] || return 1
    echo "$0: probe of $uri: $(echo "$msg" | grep '^E:' | head -n 1)" >&2
    echo "$msg" | grep -qiE "could not resolve|temporary failure resolving|could not connect|failed to connect|unable to connect|connection timed out|network is unreachable|no route to host|connection refused"
}

# fail MESSAGE: a missing package is a failure when a registry answers,
# a skip (77) when none does.
fail() {
    echo "$0: $1" >&2
    if registry_unreachable; then
        echo "$0: no package registry reachable: the guest cannot be built here" >&2
        exit 77
    fi
    exit 1
}

# Runs under the apt lock: resolves and downloads what is not cached.
fetch_debs() {
    flock 9
    if [ "${kmeta#*:}" = i386 ] && ! dpkg --print-foreign-architectures | grep -qx i386 &&
        [ "$(dpkg --print-architecture)" != i386 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "$0: i386 packages need 'dpkg --add-architecture i386 && apt-get update' (as root)" >&2
            exit 1
        fi
        dpkg --add-architecture i386
        # A mirror mid-sync may fail one index; what resolves is enough.
        apt-get update >/dev/null || true
    fi
    want=""
    if need_download "linux-image-[0-9]*"; then
        # The metapackage only depends on the real, versioned kernel package.
        kpkg=$(apt-cache depends "$kmeta" 2>/dev/null |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
        if [ -z "$kpkg" ]; then
            [ "$(id -u)" -eq 0 ] && { apt-get update >/dev/null || true; }
            kpkg=$(apt-cache depends "$kmeta" 2>/dev/null |
                awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
        fi
        [ -n "$kpkg" ] || fail "cannot resolve $kmeta to a kernel package (apt-get update?)"
        case $kpkg in *:*) ;; *) kpkg=$kpkg:${kmeta#*:} ;; esac
        want=$kpkg
    fi
    need_download busybox-static && want="$want $bb"
    echo "build-guest: downloading$want into $debs"
    # Into a temporary directory: a download cut short never looks cached.
    part=$(mktemp -d "$debs/partial.XXXXXX")
    # apt's sandbox user may not write here; as root apt falls back with a notice.
    # shellcheck disable=SC2086 # $want is a list of packages
    (cd "$part" && apt-get download $want 2>&1) | grep -v "unsandboxed" >&2 || true
    for f in "$part"/*.deb; do
        if [ -e "$f" ] && dpkg-deb --info "$f" >/dev/null 2>&1; then mv "$f" "$debs/"; fi
    done
    rm -rf "$part"
    if need_download "linux-image-[0-9]*" || need_download busybox-static; then
        fail "apt-get download of$want failed"
    fi
}

if need_download "linux-image-[0-9]*" || need_download busybox-static; then
    fetch_debs 9>"$apt_lock"
fi

work=$out/work
rm -rf "$work"
mkdir -p "$work/kernel" "$work/busybox" "$work/root"
# A cached .deb that does not unpack (cut short by an older build) is
# removed, so the next build downloads it again.
unpack() {
    dpkg -x "$1" "$2" || { rm -f "$1"; echo "$0: $1 is damaged: removed, run again to download it" >&2; exit 1; }
}
for d in "$debs"/linux-image-[0-9]*.deb; do unpack "$d" "$work/kernel"; done
for d in "$debs"/busybox-static_*.deb; do unpack "$d" "$work/busybox"; done
for k in "$work"/kernel/boot/vmlinuz-*; do cp "$k" "$work/vmlinuz"; done

root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/dev" "$root/proc" \
    "$root/sys" "$root/tmp" "$root/root" "$root/etc"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The NX probe (nxtest.asm): an i386 program, which the amd64 kernel runs too.
nasm -f elf32 -o "$work/nxtest.o" "$here/nxtest.asm"
ld -m elf_i386 -z noexecstack -o "$root/bin/nxtest" "$work/nxtest.o"
# The SMP check (smpcount.c), amd64 only: the host's gcc and static libc.
if [ "$arch" = amd64 ]; then
    gcc -O2 -static -pthread -o "$root/bin/smpcount" "$here/smpcount.c"
fi
sed -e "s/@UNAME_M@/$uname_m/" -e "s/@PAGING@/$paging/" "$here/init.sh" >"$root/init"
chmod 755 "$root/init" "$root/bin/busybox"

# newc cpio; /dev/console exists before devtmpfs so init has a console.
if command -v cpio >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    mknod -m 600 "$root/dev/console" c 5 1
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/initrd.cpio"
else
    python3 "$here/mkcpio.py" "$root" >"$work/initrd.cpio"
fi
echo "$paging" >"$work/paging"
# run.sh boots amd64 with two vCPUs (smpcount checks them); the others with one.
rm -f "$out/smp"
if [ "$arch" = amd64 ]; then echo 2 >"$work/smp"; fi
# initrd.cpio last: make takes it for the finished build.
for f in paging smp vmlinuz initrd.cpio; do
    if [ -e "$work/$f" ]; then mv "$work/$f" "$out/$f"; fi
done
rm -rf "$work"
echo "build-guest: $out/vmlinuz $out/initrd.cpio ($arch)"
