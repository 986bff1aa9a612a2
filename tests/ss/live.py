#!/usr/bin/env python3
"""Saved state of a running guest through the monitor: the echo program
polls COM1 and echoes; `savevm` stops it, saves and lets it run on; a
second pcvm starts from the file (-loadvm): it echoes its input at once
(no prompt: it goes on where it was saved) and quits on 'q' with the
program's status. Then the fixture saved
by the first version of the format (tests/ss/v1-pit.pcvmss) loads under
REM and IEM and finishes as it did then: loading it stays a test forever.
usage: live.py PCVM GUESTDIR"""
import os, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dbg"))
from montest import check, connect, fails, until

pcvm, guest = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
d = tempfile.mkdtemp()
sock, state = os.path.join(d, "mon.sock"), os.path.join(d, "state")
base = [pcvm, "-m", "16M", "-nodefaults", "-serial", "stdio", "-display", "none",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4"]
prog = os.path.join(guest, "pit.bin")

# a running guest: the echo program polls COM1 and echoes what it reads
echo = os.path.join(guest, "echo.bin")
p = subprocess.Popen(base + ["-kernel", echo, "-monitor", "unix:%s,server,nowait" % sock],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
m = connect(sock, 60)
until(m, b"(pcvm) ")
def cmd(line):
    m.sendall(line.encode() + b"\n")
    return until(m, b"(pcvm) ")
def read_until(f, marker):
    buf = b""
    while marker not in buf:
        b = os.read(f.fileno(), 4096)
        if not b:
            break
        buf += b
    return buf.decode(errors="replace")
p.stdin.write(b"before"); p.stdin.flush()
first = read_until(p.stdout, b"before")
check("before" in first, "the echo guest runs and echoes")
r = cmd("savevm " + state)
check("Error" not in r, "savevm while the guest runs (%s)" % r.strip().replace("\n", " | "))
check("running" in cmd("info status"), "the guest runs on after savevm")
p.stdin.write(b"Xq"); p.stdin.flush()
out, err = p.communicate(timeout=300)
check(p.returncode == 1 and out.decode(errors="replace").startswith("X"), "the saved run goes on (status %d)" % p.returncode)

r = subprocess.run(base + ["-kernel", echo, "-loadvm", state], input=b"after q", capture_output=True, timeout=300)
tail = r.stdout.decode(errors="replace")
check(r.returncode == 1, "the restored guest exits with its status (%d; %s)"
      % (r.returncode, r.stderr.decode(errors="replace").strip()[:200]))
check(tail == "after ", "the restored guest echoes from where it was saved, without starting over (%r)" % tail)

prog = os.path.join(guest, "pit.bin")
# the first version's fixture
fixture = os.path.join(here, "v1-pit.pcvmss")
want = open(os.path.join(here, "v1-pit.serial"), "rb").read()
for engine in ("rem", "iem"):
    r = subprocess.run(base + ["--icount", "--engine=" + engine, "-kernel", prog, "-loadvm", fixture],
                       capture_output=True, timeout=300)
    check(r.returncode == 1 and r.stdout == want,
          "the v1 fixture loads under %s and finishes byte for byte as saved (status %d%s)"
          % (engine.upper(), r.returncode, "; " + r.stderr.decode(errors="replace").strip()[:200] if r.stderr else ""))
r = subprocess.run(base + ["-kernel", prog, "--print-state", fixture], capture_output=True, timeout=60)
check(r.returncode == 0 and b"pit #0" in r.stdout and b"end #0" in r.stdout, "--print-state prints the fixture")

# bad input on the command line: one line, status 2
junk = os.path.join(d, "junk")
open(junk, "wb").write(b"PCVMSAV\n" + b"\x01\x00\x00\x00" + b"\xff" * 40)
for args, what in ((["-loadvm", junk], "a corrupt file"), (["-loadvm", os.path.join(d, "missing")], "a missing file"),
                   (["-m", "32M", "-loadvm", state], "another RAM size"),
                   (["-smp", "2", "-loadvm", state], "another vCPU count"),
                   (["-device", "pci-testdev", "-loadvm", state], "another device list"),
                   (["-incoming", "tcp:1234"], "-incoming other than file:")):
    r = subprocess.run(base + ["-kernel", prog] + args, capture_output=True, timeout=60)
    e = r.stderr.decode(errors="replace")
    check(r.returncode == 2 and e.count("\n") == 1 and not r.stdout, "%s: one line, status 2 (%r)" % (what, e))
sys.exit(1 if fails else 0)
