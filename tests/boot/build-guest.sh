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
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/debs"
out=$(cd "$out" && pwd)
debs=$out/debs

# need_download GLOB: no cached .deb matches GLOB_*.deb.
need_download() {
    # shellcheck disable=SC2231 # $1 is itself a glob
    for f in "$debs"/$1_*.deb; do
        [ -e "$f" ] && return 1
    done
    return 0
}

if need_download "linux-image-[0-9]*" || need_download busybox-static; then
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
    # The metapackage only depends on the real, versioned kernel package.
    kpkg=$(apt-cache depends "$kmeta" 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    if [ -z "$kpkg" ]; then
        [ "$(id -u)" -eq 0 ] && { apt-get update >/dev/null || true; }
        kpkg=$(apt-cache depends "$kmeta" 2>/dev/null |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    fi
    if [ -z "$kpkg" ]; then
        echo "$0: cannot resolve $kmeta to a kernel package (apt-get update?)" >&2
        exit 1
    fi
    case $kpkg in *:*) ;; *) kpkg=$kpkg:${kmeta#*:} ;; esac
    echo "build-guest: downloading $kpkg $bb into $debs"
    # apt's sandbox user may not write here; as root apt falls back with a notice.
    (cd "$debs" && apt-get download "$kpkg" "$bb" 2>&1) | grep -v "unsandboxed" || true
    if need_download "linux-image-[0-9]*" || need_download busybox-static; then
        echo "$0: apt-get download of $kpkg $bb failed" >&2
        exit 1
    fi
fi

work=$out/work
rm -rf "$work"
mkdir -p "$work/kernel" "$work/busybox" "$work/root"
for d in "$debs"/linux-image-[0-9]*.deb; do dpkg -x "$d" "$work/kernel"; done
for d in "$debs"/busybox-static_*.deb; do dpkg -x "$d" "$work/busybox"; done
for k in "$work"/kernel/boot/vmlinuz-*; do cp "$k" "$out/vmlinuz.tmp"; done
mv "$out/vmlinuz.tmp" "$out/vmlinuz"

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
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/initrd.tmp"
else
    python3 "$here/mkcpio.py" "$root" >"$out/initrd.tmp"
fi
mv "$out/initrd.tmp" "$out/initrd.cpio"
echo "$paging" >"$out/paging"
# run.sh boots amd64 with two vCPUs (smpcount checks them); the others with one.
if [ "$arch" = amd64 ]; then echo 2 >"$out/smp"; else rm -f "$out/smp"; fi
rm -rf "$work"
echo "build-guest: $out/vmlinuz $out/initrd.cpio ($arch)"
