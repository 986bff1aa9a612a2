#!/usr/bin/env python3
"""Makes the boot test's media from the boot program (boot.boot.asm).

mkboot.py disk|cd PROGRAM OUT MEDIUM
mkboot.py multiboot BOOTSECTOR KERNEL OUT
  disk: a 256 KiB hard-disk image: the program from LBA 0 (its first
        sector is the MBR), dword j of sector 100 = 0xD15C0000 | j.
  cd:   a 48-sector ISO 9660 image with an El Torito boot catalog that
        loads the whole program (no emulation) at 07C0:0000; dword j of
        sector 40 = 0xCD000000 | j.
MEDIUM is the byte written at offset 5 of the program (H, C or N: see
boot.boot.asm). Sizes and marker sectors match the constants there.
multiboot: a 64 KiB disk image: mbboot.asm's boot sector, then a Multiboot
  kernel of at most 127 sectors, which that sector loads and starts.
"""
import os
import struct
import sys

SECTOR = 2048


def both_endian(v, size):
    fmt = {2: "<H", 4: "<I"}[size]
    return struct.pack(fmt, v) + struct.pack(fmt.replace("<", ">"), v)


def dir_record(lba, size, name):
    rec = struct.pack("<BB", 0, 0) + both_endian(lba, 4) + both_endian(size, 4)
    rec += bytes(7) + struct.pack("<BBB", 2, 0, 0) + both_endian(1, 2)
    rec += struct.pack("<B", len(name)) + name
    if len(rec) % 2:
        rec += b"\0"
    return bytes([len(rec)]) + rec[1:]


def iso(prog):
    total, catalog, root, image, mark = 48, 19, 20, 21, 40
    if image + (len(prog) + SECTOR - 1) // SECTOR > mark:
        sys.exit("mkboot.py: the boot program is too large for the ISO layout")
    out = bytearray(total * SECTOR)

    def put(lba, data):
        out[lba * SECTOR:lba * SECTOR + len(data)] = data

    pvd = bytearray(SECTOR)
    pvd[0:8] = b"\x01CD001\x01\x00"
    pvd[8:40] = b" " * 32
    pvd[40:72] = b"PCVM_BOOT_TEST".ljust(32)
    pvd[80:88] = both_endian(total, 4)
    pvd[120:124] = both_endian(1, 2)      # volume set size
    pvd[124:128] = both_endian(1, 2)      # volume sequence number
    pvd[128:132] = both_endian(SECTOR, 2)
    pvd[132:140] = both_endian(10, 4)     # path table size
    pvd[140:144] = struct.pack("<I", 0)
    pvd[148:152] = struct.pack(">I", 0)
    pvd[156:190] = dir_record(root, SECTOR, b"\0")
    pvd[190:813] = b" " * 623
    pvd[813:881] = (b"0" * 16 + b"\0") * 4
    pvd[881] = 1
    put(16, pvd)
    boot = bytearray(SECTOR)
    boot[0:7] = b"\x00CD001\x01"
    boot[7:39] = b"EL TORITO SPECIFICATION".ljust(32, b"\0")
    boot[0x47:0x4B] = struct.pack("<I", catalog)
    put(17, boot)
    put(18, b"\xffCD001\x01")
    validation = bytearray(struct.pack("<BBH24sHBB", 1, 0, 0, b"pcvm".ljust(24, b"\0"), 0, 0x55, 0xAA))
    check = -sum(struct.unpack("<16H", validation)) & 0xFFFF
    validation[28:30] = struct.pack("<H", check)
    sectors = (len(prog) + 511) // 512
    entry = struct.pack("<BBHBBHI20s", 0x88, 0, 0, 0, 0, sectors, image, b"")
    put(catalog, bytes(validation) + entry)
    put(root, dir_record(root, SECTOR, b"\0") + dir_record(root, SECTOR, b"\1"))
    put(image, prog)
    put(mark, struct.pack("<512I", *[0xCD000000 | j for j in range(512)]))
    return bytes(out)


def disk(prog):
    out = bytearray(512 * 512)
    out[0:len(prog)] = prog
    out[100 * 512:101 * 512] = struct.pack("<128I", *[0xD15C0000 | j for j in range(128)])
    return bytes(out)


def multiboot(bootsect, kernel):
    if len(bootsect) != 512 or bootsect[510:] != b"\x55\xaa":
        sys.exit("mkboot.py: the boot sector must be 512 bytes ending in 55 AA")
    if len(kernel) > 127 * 512:
        sys.exit("mkboot.py: the kernel is larger than the 127 sectors mbboot loads")
    return (bootsect + kernel).ljust(128 * 512, b"\0")


def write(path, data):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "multiboot":
        files = [open(p, "rb").read() for p in sys.argv[2:4]]
        write(sys.argv[4], multiboot(*files))
        return
    if len(sys.argv) != 5 or sys.argv[1] not in ("disk", "cd") or len(sys.argv[4]) != 1:
        sys.exit("usage: mkboot.py disk|cd PROGRAM OUT H|C|N | multiboot BOOTSECTOR KERNEL OUT")
    prog = bytearray(open(sys.argv[2], "rb").read())
    prog[5] = ord(sys.argv[4])
    write(sys.argv[3], disk(prog) if sys.argv[1] == "disk" else iso(prog))


if __name__ == "__main__":
    main()
