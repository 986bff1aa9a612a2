#!/bin/busybox sh
# shellcheck shell=dash
# /init of the boot-test initramfs (build-guest.sh fills in @UNAME_M@).
# Prints a banner and a self-check verdict on ttyS0, then gives a shell there,
# or, with pcvm.selfcheck=poweroff on the kernel command line, reports the
# verdict on isa-debug-exit (port 0xf4: PASS -> 0, FAIL -> 1) and powers off.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
if [ -c /dev/ttyS0 ]; then
    exec </dev/ttyS0 >/dev/ttyS0 2>&1
fi

echo "=== pcvm boot test guest: busybox initramfs ==="
fail=""
check() { # name, expected, actual
    if [ "$2" = "$3" ]; then
        echo "selfcheck: $1 ok"
    else
        echo "selfcheck: $1 FAILED: expected '$2', got '$3'"
        fail="$fail $1"
    fi
}

uname -a
head -n 8 /proc/cpuinfo
check uname-s Linux "$(uname -s)"
check uname-m @UNAME_M@ "$(uname -m)"
check cpuinfo 1 "$(grep -c '^processor' /proc/cpuinfo)"
check ls /init "$(ls -d /init)"
echo hello >/tmp/x
check echo-cat hello "$(cat /tmp/x)"
check sort abc "$(printf 'c\nb\na\n' | sort | tr -d '\n')"
check wc 5 "$(printf 'a b c\nd e\n' | wc -w | tr -d ' ')"
check md5sum b54e0b85c49606b6b59aa42fee5c744f "$(printf pcvm | md5sum | cut -d' ' -f1)"
check awk 333833500 "$(awk 'BEGIN { s = 0; for (i = 1; i <= 1000; i++) s += i * i; print s }')"
check awk-float 16.3032 "$(awk 'BEGIN { s = 0; for (i = 1; i <= 100; i++) s += 1 / i; printf "%.4f", s * 22 / 7 }')"
s=0
i=0
while [ $i -lt 2000 ]; do
    s=$(((s * 31 + i) % 1000003))
    i=$((i + 1))
done
check sh-arith 689634 "$s"

if [ -z "$fail" ]; then
    echo "SELFCHECK: PASS"
    code='\000'
else
    echo "SELFCHECK: FAIL$fail"
    code='\001'
fi

if grep -q 'pcvm\.selfcheck=poweroff' /proc/cmdline; then
    sync
    # /dev/port writes are OUTs: the emulator exits with (code << 1) | 1.
    # shellcheck disable=SC2059
    [ -c /dev/port ] && printf "$code" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
    poweroff -f
fi
echo "shell on ttyS0 (poweroff -f to stop)"
exec setsid cttyhack sh
