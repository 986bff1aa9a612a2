#!/bin/busybox sh
# shellcheck shell=dash
# /init of the boot-test initramfs (build-guest.sh fills in @UNAME_M@ and
# @PAGING@).
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
# pcvm.cpus=N on the command line (tests/boot/run.sh --smp N): the CPUs the
# machine has, each of which must be up; smpcount runs threads on all.
cpus=$(sed -n 's/.*pcvm\.cpus=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
cpus=${cpus:-1}
check cpuinfo "$cpus" "$(grep -c '^processor' /proc/cpuinfo)"
if [ -x /bin/smpcount ]; then
    smpcount
    check smpcount 0 "$?"
fi

# The paging mode (32-bit, PAE or AMD64). A PAE or 64-bit kernel
# stops at boot on a CPU without PAE, so it running is the first proof; the
# second is NX, which only PAE and 4-level page tables can hold: the kernel
# says at boot whether it uses it, which depends on the CPU's nx flag too.
paging=@PAGING@
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has_flag() { case $flags in *" $1 "*) echo yes ;; *) echo no ;; esac; }
echo "cpu flags:$flags"
case $paging,$(has_flag nx) in
*,no) nx_want="missing in CPU!" ;;
32-bit,yes) nx_want="cannot be enabled: non-PAE kernel!" ;;
*) nx_want="active" ;;
esac
[ "$paging" = 32-bit ] || check cpu-pae yes "$(has_flag pae)"
check kernel-nx "$nx_want" "$(dmesg | sed -n 's/.*NX (Execute Disable) protection:\{0,1\} //p' | head -n 1)"
# And the paging hardware must honour it: a user page without execute
# permission faults on a fetch when the kernel uses NX. Not on a 32-bit
# kernel: Linux 6.1's vm_get_page_prot() builds the PTE bits in an unsigned
# long, which drops PAE's bit 63, so user pages never get XD there (on
# hardware too) and the page runs.
nxtest
st=$?
case $st in 0) nx_got=runs ;; 139) nx_got=SIGSEGV ;; *) nx_got="exit status $st" ;; esac
case $paging,$nx_want in AMD64,active) nx_want=SIGSEGV ;; *) nx_want=runs ;; esac
check nx-page "$nx_want" "$nx_got"
# The kernel tested its crypto code at boot (crypto_algapi_init runs the
# self-tests of the generic C and the AES-NI/SSE/AVX versions, the largest
# part of the boot's instructions); a failing one logs "alg: ... failed".
check crypto-selftests 0 "$(dmesg | grep -c '^\[[ 0-9.]*\] alg: .*fail')"
check ls /init "$(ls -d /init)"

# The workload: processes, pipes, tmpfs, awk, shell arithmetic. It is timed
# by the guest's own clock (/proc/uptime, 10 ms); bench/boot.sh repeats it
# with pcvm.rounds=N on the kernel command line.
workload() {
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
}
rounds=$(sed -n 's/.*pcvm\.rounds=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
rounds=${rounds:-1}
t0=$(cut -d' ' -f1 /proc/uptime)
r=0
while [ "$r" -lt "$rounds" ]; do
    workload
    r=$((r + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
echo "WORKLOAD: $rounds round(s) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"

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
