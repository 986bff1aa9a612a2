#!/usr/bin/env python3
"""The human monitor (unix socket and stdio) and QMP against a stopped
(-S) guest: info registers, x, bad and overlong lines, stop/cont; the QMP
greeting, capabilities, query-status, malformed input, RESUME and
SHUTDOWN events. usage: monitor_qmp.py PCVM GUEST_ELF"""
import json, os, subprocess, sys, tempfile, time
from montest import check, connect, fails, until

pcvm, elf = sys.argv[1], sys.argv[2]
d = tempfile.mkdtemp()
mon, qmp = os.path.join(d, "mon.sock"), os.path.join(d, "qmp.sock")
base = [pcvm, "-nodefaults", "-display", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4",
        "-kernel", elf, "-S"]

p = subprocess.Popen(base + ["-monitor", "unix:%s,server,nowait" % mon, "-qmp", "unix:%s,server,nowait" % qmp],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
m = connect(mon)
check("(pcvm)" in until(m, b"(pcvm) "), "monitor: banner and prompt")
def cmd(line):
    m.sendall(line.encode() + b"\n")
    return until(m, b"(pcvm) ")
r = cmd("info registers"); check("rip=" in r or "eip=" in r or "rax=" in r, "monitor: info registers")
check("paused" in cmd("info status"), "monitor: -S leaves the VM paused")
r = cmd("x /4xw 0x100000"); check("0x1badb002" in r, "monitor: x /4xw shows the Multiboot header")
r = cmd("xp /2xb 0x100000"); check("0x02 0xb0" in r, "monitor: xp /2xb")
check("Error: unknown command" in cmd("frobnicate"), "monitor: unknown command is an error")
check("Error: bad format" in cmd("x /4zq 0"), "monitor: bad format is an error")
check("Error: line too long" in cmd("x" * 10000), "monitor: overlong line is an error")
st = os.path.join(d, "state")
r = cmd("savevm " + st); check("Error" not in r and os.path.getsize(st) > 12, "monitor: savevm writes a saved state")
check("Error" not in cmd("loadvm " + st), "monitor: loadvm loads it back")
with open(os.path.join(d, "junk"), "wb") as f:
    f.write(b"not a saved state at all")
r = cmd("loadvm " + os.path.join(d, "junk")); check("Error:" in r and "wrong magic" in r, "monitor: loadvm of junk is one clear error")
check("Error: savevm needs a file name" in cmd("savevm"), "monitor: savevm without a file is an error")
check("paused" in cmd("info status"), "monitor: still paused after savevm and loadvm")
check("(pcvm)" in cmd("info cpus"), "monitor: still up after bad lines")

q = connect(qmp)
g = json.loads(until(q, b"\n"))
check("QMP" in g, "qmp: greeting")
def qcmd(obj):
    q.sendall((obj if isinstance(obj, str) else json.dumps(obj)).encode() + b"\n")
    while True:
        r = json.loads(until(q, b"\n").split("\n")[0])
        if "event" not in r:
            return r
r = qcmd({"execute": "query-status"}); check(r.get("error", {}).get("class") == "CommandNotFound", "qmp: needs capabilities first")
r = qcmd({"execute": "qmp_capabilities", "id": 7}); check(r.get("return") == {} and r.get("id") == 7, "qmp: qmp_capabilities")
r = qcmd({"execute": "query-status"}); check(r.get("return", {}).get("status") == "paused", "qmp: query-status paused")
r = qcmd('{"execute" "x"}'); check(r.get("error", {}).get("class") == "GenericError", "qmp: malformed JSON is a GenericError")
r = qcmd("[1, 2]"); check(r.get("error", {}).get("class") == "GenericError", "qmp: a non-object is a GenericError")
r = qcmd({"execute": "nope"}); check(r.get("error", {}).get("class") == "CommandNotFound", "qmp: unknown command")
r = qcmd({"execute": "human-monitor-command", "arguments": {"command-line": "info cpus"}})
check("CPU #0" in r.get("return", ""), "qmp: human-monitor-command")
q.sendall(b'{"execute": "cont"}\n')
events, buf = [], ""
deadline = time.time() + 30
while "SHUTDOWN" not in events and time.time() < deadline:
    b = q.recv(65536).decode()
    if not b:
        break
    buf += b
    while "\n" in buf:
        line, buf = buf.split("\n", 1)
        o = json.loads(line)
        if "event" in o:
            events.append(o["event"])
check("RESUME" in events, "qmp: RESUME event after cont")
check("SHUTDOWN" in events, "qmp: SHUTDOWN event when the guest exits")
check(p.wait(30) == 1, "pcvm exits with the guest's status")

# the monitor on stdio, alone (the serial port elsewhere)
r = subprocess.run(base + ["-serial", "null", "-monitor", "stdio"], input=b"info status\nbogus\nx /1xw 0x100000\nquit\n",
                   capture_output=True, timeout=30)
o = r.stdout.decode()
check("paused" in o and "Error: unknown command" in o and "0x1badb002" in o and r.returncode == 0,
      "monitor on stdio: commands, errors, quit (status %d, output %r)" % (r.returncode, o[-300:]))
# Ctrl-A c on a console sharing stdio with -monitor stdio (typed once pcvm runs)
p = subprocess.Popen(base + ["-serial", "stdio", "-monitor", "stdio"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(1)
out, _ = p.communicate(b"\x01cinfo status\nquit\n", timeout=30)
check("paused" in out.decode(), "Ctrl-A c switches the console to the monitor")
sys.exit(1 if fails else 0)
