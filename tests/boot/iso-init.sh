#!/bin/busybox sh
# shellcheck shell=dash
# /init of the bootable ISO (build-iso.sh lays it over the boot-test
# initramfs): a busybox shell on the VGA console (tty1) and, when the
# machine has a serial port, one on ttyS0 too; busybox init respawns them.
/bin/busybox mkdir -p /proc /sys /dev /tmp /etc
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

banner="=== pcvm ISO guest: $(uname -sr), busybox shell ==="
{
    echo "::sysinit:/bin/echo '$banner'"
    echo "tty1::respawn:-/bin/sh"
    # the 8250 driver names four ports whether or not they exist: only a
    # port that answers gets a shell
    if stty -F /dev/ttyS0 >/dev/null 2>&1; then
        echo "ttyS0::respawn:-/bin/sh"
    fi
    echo "::ctrlaltdel:/sbin/reboot -f"
} >/etc/inittab
echo 'PS1="\w # "' >/etc/profile
exec /sbin/init
