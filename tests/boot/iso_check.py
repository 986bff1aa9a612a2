#!/usr/bin/env python3
"""Boots the Debian ISO (build-iso.sh) on pcvm under SeaBIOS and checks
that a shell comes up on both consoles.

iso_check.py PCVM BIOS ISO [TIMEOUT_S]

The serial line must reach the ttyS0 shell, where `ls /proc` must list
cpuinfo; `poweroff -f` then ends the run, and pcvm's --dump-text must
show the ISO's banner and the shell prompt on the VGA text screen.
Prints PASS:/FAIL: lines; exit status 0 on success, 1 on failure.
"""
import os
import select
import subprocess
import sys
import time


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: iso_check.py PCVM BIOS ISO [TIMEOUT_S]")
    pcvm, bios, iso = sys.argv[1:4]
    limit = float(sys.argv[4]) if len(sys.argv) == 5 else 1200
    cmd = [pcvm, "-bios", bios, "-cdrom", iso, "-m", "512M", "-display", "none",
           "-serial", "stdio", "--dump-text"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = bytearray()
    start = time.monotonic()

    def wait_for(what, seconds):
        end = min(time.monotonic() + seconds, start + limit)
        while what not in out:
            left = end - time.monotonic()
            if left <= 0 or p.poll() is not None:
                return False
            r, _, _ = select.select([p.stdout], [], [], min(left, 1.0))
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    return False
                out.extend(chunk)
        return True

    ok = True

    def check(cond, desc):
        nonlocal ok
        print(("PASS: " if cond else "FAIL: ") + desc, flush=True)
        ok = ok and cond

    shell = wait_for(b"/ # ", limit)
    check(shell, "the ttyS0 shell prompt after %.0f s" % (time.monotonic() - start))
    if shell:
        mark = len(out)
        p.stdin.write(b"ls /proc\n")
        p.stdin.flush()
        check(wait_for(b"cpuinfo", 120) and b"cpuinfo" in out[mark:], "ls /proc on ttyS0 lists cpuinfo")
        p.stdin.write(b"poweroff -f\n")
        p.stdin.flush()
    else:
        p.terminate()
    try:
        rest, _ = p.communicate(timeout=120)
        out.extend(rest)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        check(False, "pcvm powers off")
    screen = out[-25 * 81 * 2:].decode("latin-1")
    check("pcvm ISO guest" in screen, "the VGA screen shows the ISO's banner")
    check("/ # " in screen, "the VGA screen shows the tty1 shell prompt")
    if not ok:
        sys.stdout.write(out[-4000:].decode("latin-1"))
    print("SUMMARY: boot-iso %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
