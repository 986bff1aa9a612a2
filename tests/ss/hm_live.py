#!/usr/bin/env python3
"""Saved state under HM (KVM): the echo kernel lmecho.asm goes from the
loader's 32-bit entry to 64-bit long mode at once and echoes COM1 there,
so its loop runs in KVM even where KVM runs nothing but 64-bit code
(kvm-pvm: real and 32-bit code go to IEM). Its state lives in a general
register, RAM through the FS base, XMM3 and an MSR.
- An uninterrupted run under HM must print what IEM prints, and
  --info engines must show the echo loop's port I/O as KVM exits (one KVM
  exit at least per COM1 access of the echo loop: under IEM there are none).
- The monitor stops the running HM guest after it echoed a first word,
  shows its registers, saves it (savevm) and lets it run on.
- pcvm -S -loadvm of that file under HM, REM and IEM must show the same
  registers before it runs, and, given the rest of the input, end as the
  uninterrupted run: the echo before the save plus the restored output
  equal its output byte for byte, down to the last line (register sum, RAM
  count, XMM sum, MSR value); under HM the restored loop again runs in KVM.
Where /dev/kvm is missing or KVM cannot run the 64-bit guest, one
`SKIP: ss-hm: <reason>` line and status 0: nothing is counted as passed.
usage: hm_live.py PCVM KERNEL"""
import os, re, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dbg"))
from montest import check, connect, fails, until

pcvm, kernel = sys.argv[1], sys.argv[2]
d = tempfile.mkdtemp()
state = os.path.join(d, "state")
base = [pcvm, "-m", "16M", "-nodefaults", "-serial", "stdio", "-display", "none",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", "-kernel", kernel, "--info", "engines"]
first, rest = b"saved", b"restored"
# COM1 accesses per echoed byte in the loop: LSR and RBR reads in getc, an
# LSR read and the THR write in putc
IO_PER_BYTE = 4

def skip(reason):
    print("SKIP: ss-hm: " + reason)
    sys.exit(0)

def kvm_io_exits(stderr):
    """KVM_EXIT_IO exits --info engines reports (0 when HM did not run)."""
    m = re.search(r"HM: [0-9.]+ s in KVM, [0-9]+ KVM_RUNs \(exits: io ([0-9]+)", stderr)
    return int(m.group(1)) if m else 0

def run(engine, extra, data):
    r = subprocess.run(base + ["--engine=" + engine] + extra, input=data, capture_output=True, timeout=300)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")

def regs(m):
    """The monitor's `info registers`, which the guest cannot change while stopped."""
    m.sendall(b"info registers\n")
    return until(m, b"(pcvm) ").replace("(pcvm)", "").strip()

def monitored(engine, extra):
    sock = os.path.join(d, "mon-%s.sock" % engine)
    if os.path.exists(sock):
        os.unlink(sock)
    p = subprocess.Popen(base + ["--engine=" + engine, "-monitor", "unix:%s,server,nowait" % sock] + extra,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    m = connect(sock, 60)
    until(m, b"(pcvm) ")
    return p, m

def cmd(m, line):
    m.sendall(line.encode() + b"\n")
    return until(m, b"(pcvm) ").replace("(pcvm)", "").strip()

st, iem, err = run("iem", [], first + rest + b"q")
if st != 1 or b"\nsum " not in iem:
    print("FAIL: ss-hm: the long-mode echo kernel does not run under IEM (status %d: %s)" % (st, err.strip()[:200]))
    sys.exit(1)
if not os.path.exists("/dev/kvm"):
    skip("no /dev/kvm")
st, ref, err = run("hm", [], first + rest + b"q")
n = len(first + rest)
if st != 1 or kvm_io_exits(err) < IO_PER_BYTE * n:
    skip("KVM cannot run the 64-bit guest (status %d, %d KVM port I/O exits: %s)"
         % (st, kvm_io_exits(err), err.strip().splitlines()[0] if err.strip() else ""))
check(ref == iem, "uninterrupted: HM and IEM print the same (%r)" % ref.decode(errors="replace")[-80:])

# a running HM guest, stopped, saved through the monitor, and run on
p, m = monitored("hm", [])
p.stdin.write(first)
p.stdin.flush()
before = b""
while not before.endswith(first):
    b = os.read(p.stdout.fileno(), 4096)
    if not b:
        break
    before += b
cmd(m, "stop")
saved = regs(m)
r = cmd(m, "savevm " + state)
check("Error" not in r and os.path.exists(state), "savevm of the stopped HM guest " + r)
check(regs(m) == saved, "savevm leaves the registers as they were")
check("rip=00000000001" in saved and "efer=500" in saved,
      "the guest was saved in long mode, in its echo loop (%s)" % saved.replace("\n", " | ")[:300])
cmd(m, "cont")
p.stdin.write(b"Xq")
p.stdin.flush()
out, err = p.communicate(timeout=300)
err = err.decode(errors="replace")
check(p.returncode == 1 and out.startswith(b"X"), "the saved HM run goes on after savevm (status %d)" % p.returncode)
check(kvm_io_exits(err) >= IO_PER_BYTE * len(first + b"X"),
      "the saved run's echo loop ran in KVM (%d KVM port I/O exits)" % kvm_io_exits(err))

for engine in ("hm", "rem", "iem"):
    p, m = monitored(engine, ["-S", "-loadvm", state])
    got = regs(m)
    check(got == saved, "restored under %s from the HM save: the registers as saved%s"
          % (engine.upper(), "" if got == saved else " (saved %r, restored %r)" % (saved, got)))
    cmd(m, "cont")
    out, err = p.communicate(rest + b"q", timeout=300)
    err = err.decode(errors="replace")
    check(p.returncode == 1 and before + out == ref,
          "restored under %s from the HM save: ends as the uninterrupted run (status %d, %r)"
          % (engine.upper(), p.returncode, out.decode(errors="replace")[-80:]))
    if engine == "hm":
        check(kvm_io_exits(err) >= IO_PER_BYTE * len(rest),
              "the restored run's echo loop ran in KVM (%d KVM port I/O exits)" % kvm_io_exits(err))
sys.exit(1 if fails else 0)
