#!/bin/sh
# Builds a bootable CD image from Debian packages only:
#   tests/boot/build-iso.sh GUESTDIR OUT.iso
# GUESTDIR holds vmlinuz and initrd.cpio from build-guest.sh (amd64). The
# ISO boots through isolinux (El Torito, no emulation) to a busybox shell
# on the VGA console and on ttyS0 (iso-init.sh replaces the initramfs's
# /init). xorriso, isolinux and syslinux-common and the libraries xorriso
# needs that a base system lacks are fetched with apt-get download into
# build/boot/iso/debs once, unpacked with dpkg -x and run from there.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 GUESTDIR OUT.iso" >&2; exit 2; }
guest=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
for f in vmlinuz initrd.cpio; do
    [ -f "$guest/$f" ] || { echo "$0: no $guest/$f (run tests/boot/build-guest.sh amd64 $guest)" >&2; exit 2; }
done
cache=$(dirname "$out")/iso
mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)
debs=$cache/debs
pkgs="xorriso libisoburn1 libburn4 libisofs6 libjte2 isolinux syslinux-common"

missing=""
for p in $pkgs; do
    set -- "$debs/${p}_"*.deb
    [ -e "$1" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "build-iso: downloading$missing into $debs"
    # shellcheck disable=SC2086 # one word per package
    (cd "$debs" && apt-get download $missing 2>&1) | grep -v "unsandboxed" || true
    for p in $missing; do
        set -- "$debs/${p}_"*.deb
        [ -e "$1" ] || { echo "$0: apt-get download of $p failed" >&2; exit 1; }
    done
fi

work=$cache/work
rm -rf "$work"
mkdir -p "$work/tools" "$work/tree/isolinux" "$work/tree/boot" "$work/overlay"
for d in "$debs"/*.deb; do dpkg -x "$d" "$work/tools"; done
tools=$work/tools
xorriso() {
    LD_LIBRARY_PATH=$tools/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
        "$tools/usr/bin/xorriso" "$@"
}

cp "$tools/usr/lib/ISOLINUX/isolinux.bin" "$tools/usr/lib/syslinux/modules/bios/ldlinux.c32" \
    "$work/tree/isolinux/"
cat >"$work/tree/isolinux/isolinux.cfg" <<'CFG'
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /boot/vmlinuz
  INITRD /boot/initrd.img
  APPEND console=ttyS0,115200 console=tty0
CFG
cp "$guest/vmlinuz" "$work/tree/boot/vmlinuz"
# A second cpio archive after the first replaces its /init.
cp "$here/iso-init.sh" "$work/overlay/init"
chmod 755 "$work/overlay/init"
{ cat "$guest/initrd.cpio"; python3 "$here/mkcpio.py" "$work/overlay"; } >"$work/tree/boot/initrd.img"

xorriso -as mkisofs -quiet -o "$out.tmp" -V PCVM_DEBIAN -R -J \
    -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table "$work/tree"
mv "$out.tmp" "$out"
rm -rf "$work"
echo "build-iso: $out"
