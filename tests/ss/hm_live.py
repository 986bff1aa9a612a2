#!/usr/bin/env python3
"""Saved state under HM (KVM): the real-mode echo firmware (rmecho.asm;
real mode because some hosts' KVM, kvm-pvm among them, runs nothing
else) runs under --engine=hm; the monitor's savevm saves it while it
runs, after it echoed a first word; pcvm -loadvm of that file, under HM
and under IEM, given the rest of the input, must end as an uninterrupted
HM run: the echo before the save plus the restored run's output equal
its output byte for byte, down to the last line's register sum and RAM
count. Where /dev/kvm is missing or KVM cannot run the guest, one
`SKIP: ss-hm: <reason>` line and status 0: nothing is counted as passed.
usage: hm_live.py PCVM ROM"""
import os, re, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dbg"))
from montest import check, connect, fails, until

pcvm, rom = sys.argv[1], sys.argv[2]
d = tempfile.mkdtemp()
sock, state = os.path.join(d, "mon.sock"), os.path.join(d, "state")
base = [pcvm, "-m", "16M", "-nodefaults", "-serial", "stdio", "-display", "none",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", "-bios", rom]
first, rest = b"saved", b"restored"

def skip(reason):
    print("SKIP: ss-hm: " + reason)
    sys.exit(0)

def kvm_runs(stderr):
    """KVM_RUN calls --info engines reports (0 when HM did not run)."""
    m = re.search(r"HM: [0-9.]+ s in KVM, ([0-9]+) KVM_RUNs", stderr)
    return int(m.group(1)) if m else 0

def run(engine, extra, data):
    r = subprocess.run(base + ["--engine=" + engine, "--info", "engines"] + extra, input=data,
                       capture_output=True, timeout=300)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")

st, iem, err = run("iem", [], first + rest + b"q")
if st != 1 or not iem.endswith(b"count %08x\n" % len(first + rest)):
    print("FAIL: ss-hm: the real-mode echo firmware does not run under IEM (status %d: %s)" % (st, err.strip()[:200]))
    sys.exit(1)
if not os.path.exists("/dev/kvm"):
    skip("no /dev/kvm")
st, ref, err = run("hm", [], first + rest + b"q")
if st != 1 or not kvm_runs(err):
    skip("KVM cannot run the real-mode guest (status %d: %s)" % (st, err.strip().splitlines()[0] if err.strip() else ""))
check(ref == iem, "uninterrupted: HM and IEM print the same (%r)" % ref.decode(errors="replace")[-40:])

# a running HM guest saved through the monitor
p = subprocess.Popen(base + ["--engine=hm", "-monitor", "unix:%s,server,nowait" % sock],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
m = connect(sock, 60)
until(m, b"(pcvm) ")
p.stdin.write(first)
p.stdin.flush()
before = b""
while not before.endswith(first):
    b = os.read(p.stdout.fileno(), 4096)
    if not b:
        break
    before += b
m.sendall(b"savevm " + state.encode() + b"\n")
r = until(m, b"(pcvm) ")
check("Error" not in r and os.path.exists(state), "savevm under HM while the guest runs " + r.replace("(pcvm)", "").strip())
p.stdin.write(b"Xq")
p.stdin.flush()
out, err = p.communicate(timeout=300)
check(p.returncode == 1 and out.startswith(b"X"), "the saved HM run goes on after savevm (status %d)" % p.returncode)

for engine in ("hm", "iem"):
    st, out, err = run(engine, ["-loadvm", state], rest + b"q")
    check(st == 1 and before + out == ref,
          "restored under %s from the HM save: ends as the uninterrupted run (status %d, %r)"
          % (engine.upper(), st, out.decode(errors="replace")[-40:]))
    if engine == "hm":
        check(kvm_runs(err) > 0, "the restored run ran under KVM (--info engines)")
sys.exit(1 if fails else 0)
