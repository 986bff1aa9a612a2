#!/bin/sh
# Checks how build-guest.sh and boot-one.sh fail, with .debs copied from
# SEED (default build/boot: SEED/i386/debs, SEED/i386-pae/debs) so that no
# kernel is downloaded:
#   tests/boot/test-build-guest.sh [SEED]
# Offline: three builds at once (two into one fresh OUTDIR) all succeed; a
# build killed midway leaves no output and a rerun succeeds; a damaged
# cached .deb fails and is removed; no reachable registry (apt pointed at a
# closed port through APT_CONFIG) is status 77, which boot-one.sh reports as
# SKIP. With a registry (a few MB of busybox): two builds that both
# download at once succeed, and a package name the registry lacks is a
# FAIL (status 1), never a SKIP. Without one, those two are reported as
# skipped. Prints PASS/FAIL/SKIP per check and "N passed, N failed, N
# skipped"; exits 1 when any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
seed=${1:-build/boot}
build() { sh "$here/build-guest.sh" "$@"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcvm-build-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0

result() { # VERDICT NAME [DETAIL]
    echo "$1: $2${3:+: $3}"
    case $1 in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
}
# seed DIR ARCH [GLOB]: a fresh OUTDIR with the cached .debs matching GLOB.
seed() {
    mkdir -p "$1/debs"
    # shellcheck disable=SC2086 # $3 is a glob
    cp "$seed/$2/debs/"${3:-*}.deb "$1/debs/"
}
# built DIR: the outputs are there and the initramfs is whole.
built() {
    [ -s "$1/vmlinuz" ] && [ -s "$1/paging" ] && [ -s "$1/initrd.cpio" ] &&
        python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(b"TRAILER!!!" not in d[-512:])' \
            "$1/initrd.cpio" && [ ! -e "$1/work" ]
}
for a in i386 i386-pae; do
    ls "$seed/$a/debs/"linux-image-*.deb "$seed/$a/debs/"busybox-static_*.deb >/dev/null 2>&1 ||
        { echo "$0: no cached .debs in $seed/$a/debs (build the guests first)" >&2; exit 2; }
done

# 1. Three builds at once, two of them into the same fresh OUTDIR.
seed "$tmp/c1" i386
seed "$tmp/c2" i386-pae
build i386 "$tmp/c1" >"$tmp/c1a.log" 2>&1 & p1=$!
build i386 "$tmp/c1" >"$tmp/c1b.log" 2>&1 & p2=$!
build i386-pae "$tmp/c2" >"$tmp/c2.log" 2>&1 & p3=$!
s1=0 s2=0 s3=0
wait $p1 || s1=$?
wait $p2 || s2=$?
wait $p3 || s3=$?
if [ $s1$s2$s3 = 000 ] && built "$tmp/c1" && built "$tmp/c2" && [ "$(cat "$tmp/c2/paging")" = PAE ]; then
    result PASS "concurrent builds"
else
    result FAIL "concurrent builds" "status $s1 $s2 $s3 ($(tail -n 1 "$tmp/c1b.log"))"
fi

# 2. Killed midway (at its nasm step, with the kernel and busybox unpacked):
# nothing that looks finished, and the rerun builds.
seed "$tmp/k" i386
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nkill -9 0\n' >"$tmp/bin/nasm"
chmod +x "$tmp/bin/nasm"
PATH="$tmp/bin:$PATH" setsid -w sh "$here/build-guest.sh" i386 "$tmp/k" >"$tmp/k.log" 2>&1
if [ -e "$tmp/k/initrd.cpio" ] || [ -e "$tmp/k/vmlinuz" ] || [ -e "$tmp/k/paging" ] || [ ! -d "$tmp/k/work" ]; then
    result FAIL "killed build" "outputs after a kill at the nasm step: $(ls "$tmp/k")"
elif build i386 "$tmp/k" >"$tmp/k2.log" 2>&1 && built "$tmp/k"; then
    result PASS "killed build"
else
    result FAIL "killed build" "rerun: $(tail -n 1 "$tmp/k2.log")"
fi

# 3. A damaged cached .deb (an older build's cut-short download) fails and goes.
seed "$tmp/d" i386
for f in "$tmp/d/debs/"busybox-static_*.deb; do head -c 4096 "$f" >"$f.cut" && mv "$f.cut" "$f"; done
build i386 "$tmp/d" >"$tmp/d.log" 2>&1
s=$?
if [ $s -eq 1 ] && ! ls "$tmp/d/debs/"busybox-static_*.deb >/dev/null 2>&1 && [ ! -e "$tmp/d/initrd.cpio" ]; then
    result PASS "damaged .deb"
else
    result FAIL "damaged .deb" "status $s, debs: $(ls "$tmp/d/debs")"
fi

# 4. No registry reachable (every fetch goes to a closed local port): 77,
# and boot-one.sh says SKIP and exits 0.
printf 'Acquire::http::Proxy "http://127.0.0.1:9/";\nAcquire::https::Proxy "http://127.0.0.1:9/";\n' >"$tmp/apt.conf"
seed "$tmp/u" i386 "linux-image-*"
APT_CONFIG=$tmp/apt.conf build i386 "$tmp/u" >"$tmp/u.log" 2>&1
s=$?
line=$(APT_CONFIG=$tmp/apt.conf sh "$here/boot-one.sh" i386 "$tmp/u" /nonexistent/pcvm)
s2=$?
if [ $s -eq 77 ] && [ $s2 -eq 0 ] && [ "$(cat "$tmp/u.result")" = SKIP ] && expr "$line" : 'SKIP:' >/dev/null; then
    result PASS "unreachable registry is a skip"
else
    result FAIL "unreachable registry is a skip" "status $s / $s2: $(tail -n 1 "$tmp/u.log") / $line"
fi

# A real registry from here on: is one reachable?
probe=$(apt-get --print-uris update 2>/dev/null | sed -n "1s/^'\\([^']*\\)'.*/\\1/p")
if [ -z "$probe" ] || ! /usr/lib/apt/apt-helper download-file "$probe" "$tmp/probe" >/dev/null 2>&1; then
    result SKIP "concurrent downloads" "no package registry reachable"
    result SKIP "missing package is a failure" "no package registry reachable"
else
    # 5. Two builds download (busybox) at once, under the apt lock; one
    # OUTDIR also holds the leftovers of a download cut short.
    seed "$tmp/n1" i386 "linux-image-*"
    seed "$tmp/n2" i386-pae "linux-image-*"
    mkdir -p "$tmp/n1/debs/partial.old"
    head -c 1000 "$seed/i386/debs/"busybox-static_*.deb >"$tmp/n1/debs/partial.old/busybox-static_1_i386.deb"
    build i386 "$tmp/n1" >"$tmp/n1.log" 2>&1 & p1=$!
    build i386-pae "$tmp/n2" >"$tmp/n2.log" 2>&1 & p2=$!
    s1=0 s2=0
    wait $p1 || s1=$?
    wait $p2 || s2=$?
    if [ $s1$s2 = 00 ] && built "$tmp/n1" && built "$tmp/n2" && [ ! -e "$tmp/n1/debs/partial.old" ]; then
        result PASS "concurrent downloads"
    else
        result FAIL "concurrent downloads" "status $s1 $s2: $(tail -n 1 "$tmp/n1.log") / $(tail -n 1 "$tmp/n2.log")"
    fi

    # 6. A package the registry does not have: status 1 and FAIL, not a skip.
    mkdir -p "$tmp/m"
    line=$(GUEST_KERNEL_PKG=linux-image-pcvm-no-such-kernel:i386 sh "$here/boot-one.sh" i386 "$tmp/m" /nonexistent/pcvm)
    s=$?
    seed "$tmp/n1b" i386 "linux-image-*"
    line2=$(GUEST_BUSYBOX_PKG=busybox-pcvm-no-such-package:i386 sh "$here/boot-one.sh" i386 "$tmp/n1b" /nonexistent/pcvm)
    s2=$?
    if [ $s -eq 1 ] && [ $s2 -eq 1 ] && [ "$(cat "$tmp/m.result")" = FAIL ] &&
        expr "$line" : 'FAIL:' >/dev/null && expr "$line2" : 'FAIL:' >/dev/null; then
        result PASS "missing package is a failure"
    else
        result FAIL "missing package is a failure" "status $s / $s2: $line / $line2"
    fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
