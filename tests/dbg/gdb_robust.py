"""The gdb stub against clients gdb itself never is: one that disconnects
mid-packet, one that sends a bad checksum, and Ctrl-C while the guest runs.
The stub must answer the next client and stop the guest on request.
usage: gdb_robust.py PCVM GUEST_ELF"""
import socket, subprocess, sys, time

from montest import check, fails

pcvm, elf = sys.argv[1], sys.argv[2]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def packet(body):
    return b"$" + body + b"#" + b"%02x" % (sum(body) & 0xff)


def connect(port):
    for _ in range(200):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.05)
    raise SystemExit("cannot connect to the gdb stub on port %d" % port)


def reply(s):
    """The next packet's body (acks skipped), or None when the stub is silent."""
    buf = b""
    try:
        while True:
            start = buf.find(b"$")
            if start >= 0:
                end = buf.find(b"#", start)
                if end >= 0 and len(buf) >= end + 3:
                    return buf[start + 1:end]
            b = s.recv(65536)
            if not b:
                return None
            buf += b
    except socket.timeout:
        return None


def symbol(name):
    out = subprocess.run(["nm", elf], capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    raise SystemExit("no symbol %s in %s" % (name, elf))


port = free_port()
vm = subprocess.Popen([pcvm, "-gdb", "tcp::%d" % port, "-S", "-nodefaults", "-display", "none",
                       "-serial", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4",
                       "-kernel", elf], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
try:
    s = connect(port)
    s.sendall(b"+" + packet(b"?"))
    r = reply(s)
    check(r is not None and r[:1] in (b"S", b"T"), "gdb stub: a stop reason at start (%r)" % r)

    s.sendall(b"$g#00")  # wrong checksum: a NAK, and the connection stays
    time.sleep(0.2)
    s.sendall(packet(b"g"))
    r = reply(s)
    check(r is not None and len(r) >= 16 and all(c in b"0123456789abcdefx" for c in r),
          "gdb stub: a bad checksum is refused and the next packet answered")

    # `finish` becomes `jmp $`, so the guest runs until someone stops it
    s.sendall(packet(b"M%x,2:ebfe" % symbol("finish")))
    r = reply(s)
    check(r == b"OK", "gdb stub: memory write (%r)" % r)
    s.sendall(packet(b"c"))
    time.sleep(0.5)
    s.sendall(b"\x03")  # Ctrl-C
    r = reply(s)
    check(r is not None and r[:1] in (b"S", b"T"), "gdb stub: Ctrl-C stops the running guest (%r)" % r)

    s.sendall(b"+$qSupported:multiprocess+;swbr")  # cut mid-packet
    s.close()
    time.sleep(0.5)
    check(vm.poll() is None, "gdb stub: pcvm runs on after a client disconnects mid-packet")

    s = connect(port)
    s.sendall(b"+" + packet(b"?"))
    r = reply(s)
    check(r is not None and r[:1] in (b"S", b"T"), "gdb stub: the next client gets a stop reason (%r)" % r)

    s.sendall(packet(b"k"))
    s.close()
    try:
        vm.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    check(vm.poll() is not None, "gdb stub: k ends pcvm")
finally:
    if vm.poll() is None:
        vm.kill()
        vm.wait()

print("gdb stub robustness: %d failed" % len(fails))
sys.exit(1 if fails else 0)
