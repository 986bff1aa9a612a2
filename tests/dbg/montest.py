"""Helpers the monitor tests share (tests/dbg/monitor_qmp.py, tests/ss/live.py):
PASS/FAIL lines with the failures kept, and a unix-socket client."""
import socket, time

fails = []

def check(cond, what):
    print(("PASS: " if cond else "FAIL: ") + what)
    if not cond:
        fails.append(what)

def connect(path, timeout=10):
    for _ in range(200):
        try:
            s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(timeout); return s
        except OSError:
            time.sleep(0.05)
    raise SystemExit("cannot connect to " + path)

def until(s, marker):
    buf = b""
    while marker not in buf:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    return buf.decode(errors="replace")
