#!/usr/bin/env python3
"""Writes a newc cpio archive of DIR to stdout, owned by root, with a
/dev/console node added (no root needed to build it), for an initramfs."""
import os
import stat
import sys


def header(ino, mode, nlink, size, name, rdev=(0, 0)):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def entry(out, ino, mode, nlink, name, data=b"", rdev=(0, 0)):
    h = header(ino, mode, nlink, len(data), name, rdev)
    nb = name.encode() + b"\0"
    out.write(h + nb + pad(len(h) + len(nb)))
    out.write(data + pad(len(data)))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mkcpio.py DIR > archive.cpio")
    top = sys.argv[1]
    out = sys.stdout.buffer
    ino = 1
    paths = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for n in sorted(dirnames + filenames):
            paths.append(os.path.join(dirpath, n))
    paths.sort()
    for p in paths:
        name = os.path.relpath(p, top)
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            entry(out, ino, stat.S_IFLNK | 0o777, 1, name, os.readlink(p).encode())
        elif stat.S_ISDIR(st.st_mode):
            entry(out, ino, stat.S_IFDIR | 0o755, 2, name)
        elif stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                entry(out, ino, stat.S_IFREG | (st.st_mode & 0o777), 1, name, f.read())
        ino += 1
    entry(out, ino, stat.S_IFCHR | 0o600, 1, "dev/console", rdev=(5, 1))
    entry(out, 0, 0, 1, "TRAILER!!!")


if __name__ == "__main__":
    main()
