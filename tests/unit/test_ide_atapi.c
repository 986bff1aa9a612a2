/* The ATAPI CD-ROM on the secondary master: PACKET protocol (PIO with the
 * byte count limit, DMA), INQUIRY, READ CAPACITY, READ(10)/(12), READ TOC
 * formats 0-2, MODE SENSE, GET CONFIGURATION, GET EVENT STATUS, sense data,
 * media change (UNIT ATTENTION), eject and the lock. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/ide.h"
#include "vm/vm.h"

static struct vm *vm;
static char iso[64];
static uint8_t buf[65536];

static void out8(uint16_t p, uint8_t v) { bus_pio_write(&vm->bus, p, v, 1); }
static uint8_t in8(uint16_t p) { return (uint8_t)bus_pio_read(&vm->bus, p, 1); }

static void make_iso(unsigned nsect)
{
    strcpy(iso, "/tmp/pcvm-test-cd-XXXXXX");
    int fd = mkstemp(iso);
    uint32_t sec[512];
    for (unsigned s = 0; s < nsect; s++) {
        for (unsigned j = 0; j < 512; j++)
            sec[j] = 0xcd000000 | s << 16 | j;
        cr_assert_eq(write(fd, sec, sizeof(sec)), (ssize_t)sizeof(sec));
    }
    close(fd);
}

static void create(bool with_disc)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true, .ndrives = 1};
    char err[200];
    make_iso(100);
    cfg.drives[0] = (struct vm_drive){.file = with_disc ? iso : NULL, .index = 2, .cdrom = true};
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    out8(0x376, 0x02);
    out8(0x176, 0xa0);
}

static void setup(void) { create(true); }
static void teardown(void)
{
    vm_destroy(vm);
    unlink(iso);
}

struct result {
    unsigned bytes, chunks;
    uint8_t status, reason, error;
};

/* Sends a 12-byte packet with the byte count limit; PIO data lands in buf. */
static struct result packet(const uint8_t *cdb, uint16_t limit, bool dma)
{
    struct result r = {0};
    out8(0x171, dma);
    out8(0x174, (uint8_t)limit);
    out8(0x175, (uint8_t)(limit >> 8));
    out8(0x177, 0xa0);
    cr_assert_eq(in8(0x177) & 0x89, 0x08, "DRQ for the packet");
    cr_assert_eq(in8(0x172) & 3, 1, "interrupt reason: command out");
    for (unsigned i = 0; i < 12; i += 2)
        bus_pio_write(&vm->bus, 0x170, cdb[i] | cdb[i + 1] << 8, 2);
    while (!dma && (in8(0x177) & 0x08)) {
        unsigned n = in8(0x174) | in8(0x175) << 8;
        cr_assert_eq(in8(0x172) & 3, 2, "interrupt reason: data in");
        cr_assert_leq(n, limit);
        for (unsigned i = 0; i < n; i += 2) {
            uint16_t w = (uint16_t)bus_pio_read(&vm->bus, 0x170, 2);
            buf[r.bytes + i] = (uint8_t)w;
            buf[r.bytes + i + 1] = (uint8_t)(w >> 8);
        }
        r.bytes += n;
        r.chunks++;
    }
    r.status = in8(0x177);
    r.reason = in8(0x172);
    r.error = in8(0x171);
    return r;
}

/* A CDB from its fields: byte 1, bytes 2-5 (big endian), byte 6, bytes 7-8. */
static struct result cmd(uint8_t op, uint8_t b1, uint32_t b2_5, uint8_t b6, uint16_t b7_8)
{
    uint8_t c[12] = {op, b1, (uint8_t)(b2_5 >> 24), (uint8_t)(b2_5 >> 16), (uint8_t)(b2_5 >> 8), (uint8_t)b2_5,
                     b6, (uint8_t)(b7_8 >> 8), (uint8_t)b7_8};
    return packet(c, 0xfffe, false);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0]; }

static void sense(uint8_t key, uint8_t asc)
{
    uint8_t c[12] = {0x03, 0, 0, 0, 18};
    struct result r = packet(c, 0xfffe, false);
    cr_assert_eq(r.bytes, 18);
    cr_assert_eq(buf[2] & 15, key, "sense key %x", buf[2]);
    cr_assert_eq(buf[12], asc, "ASC %x", buf[12]);
}

TestSuite(atapi, .init = setup, .fini = teardown);

Test(atapi, signature_and_identify)
{
    uint16_t w[256];
    cr_assert_eq(in8(0x174), 0x14);
    cr_assert_eq(in8(0x175), 0xeb);
    out8(0x177, 0xec);
    cr_assert_eq(in8(0x177) & 0x01, 0x01, "IDENTIFY DEVICE aborts");
    cr_assert_eq(in8(0x175), 0xeb, "with the signature");
    out8(0x177, 0xa1);
    cr_assert_eq(in8(0x177) & 0x08, 0x08);
    for (unsigned i = 0; i < 256; i++)
        w[i] = (uint16_t)bus_pio_read(&vm->bus, 0x170, 2);
    cr_assert_eq(w[0], 0x85c0);
    uint8_t sum = 0;
    for (unsigned i = 0; i < 512; i++)
        sum = (uint8_t)(sum + ((uint8_t *)w)[i]);
    cr_assert_eq(sum, 0);
    cr_assert_eq(w[27], ('P' << 8) | 'C');
}

Test(atapi, inquiry_capacity_read10)
{
    struct result r = cmd(0x12, 0, 36 << 8, 0, 0); /* allocation length in byte 4 */
    cr_assert_eq(r.bytes, 36);
    cr_assert_eq(buf[0], 5);
    cr_assert_eq(memcmp(buf + 16, "PCVM DVD-ROM", 12), 0);
    cr_assert_eq(r.reason & 3, 3, "status phase");
    r = cmd(0x25, 0, 0, 0, 0);
    cr_assert_eq(be32(buf), 99);
    cr_assert_eq(be32(buf + 4), 2048);
    r = cmd(0x28, 0, 42, 0, 3);
    cr_assert_eq(r.bytes, 3 * 2048);
    cr_assert_eq(r.status & 0x89, 0);
    for (unsigned s = 0; s < 3; s++)
        cr_assert_eq(le32(buf + s * 2048 + 4 * 17), 0xcd000000 | (42 + s) << 16 | 17);
    uint8_t c12[12] = {0xa8, 0, 0, 0, 0, 98, 0, 0, 0, 2};
    r = packet(c12, 0xfffe, false);
    cr_assert_eq(r.bytes, 4096, "READ(12)");
    cr_assert_eq(le32(buf + 2048), 0xcd630000);
}

Test(atapi, byte_count_limit_cuts_chunks)
{
    uint8_t c[12] = {0x28, 0, 0, 0, 0, 5, 0, 0, 2};
    struct result r = packet(c, 1000, false);
    cr_assert_eq(r.bytes, 4096);
    cr_assert_eq(r.chunks, 5, "four 1000-byte chunks and the 96-byte rest");
    cr_assert_eq(le32(buf + 2048), 0xcd060000);
    r = packet(c, 0x8001, false); /* odd limits round down */
    cr_assert_eq(r.bytes, 4096);
}

Test(atapi, read_dma)
{
    uint32_t e[2] = {0x40000, 0x80000000u | 4096};
    out8(0x376, 0x00);
    bus_pio_write(&vm->bus, 0xcf8, 0x80000920, 4);
    bus_pio_write(&vm->bus, 0xcfc, 0xc001, 4);
    bus_pio_write(&vm->bus, 0xcf8, 0x80000904, 4);
    bus_pio_write(&vm->bus, 0xcfc, 5, 2);
    pgm_write(&vm->pgm, 0x9000, e, 8);
    bus_pio_write(&vm->bus, 0xc00c, 0x9000, 4);
    uint8_t c[12] = {0x28, 0, 0, 0, 0, 60, 0, 0, 2};
    packet(c, 0xfffe, true);
    cr_assert_eq(in8(0x177) & 0x08, 0x08, "waiting for the bus master");
    out8(0xc008, 0x09);
    cr_assert_eq(in8(0xc00a) & 7, 4);
    cr_assert_eq(in8(0x177) & 0x89, 0);
    cr_assert_eq(in8(0x172) & 3, 3);
    uint8_t d[8];
    pgm_read(&vm->pgm, 0x40000 + 2048, d, 8);
    cr_assert_eq(le32(d), 0xcd3d0000);
}

Test(atapi, errors_and_sense)
{
    struct result r = cmd(0x28, 0, 100, 0, 1);
    cr_assert_eq(r.status & 0x01, 0x01, "CHECK CONDITION");
    cr_assert_eq(r.error >> 4, 5, "sense key in the error register");
    sense(5, 0x21);
    sense(0, 0); /* REQUEST SENSE clears it */
    r = cmd(0xff, 0, 0, 0, 0);
    cr_assert_eq(r.error >> 4, 5);
    sense(5, 0x20);
    r = cmd(0x5a, 0, 0xeau << 24, 0, 0); /* MODE SENSE, saved values */
    sense(5, 0x39);
}

Test(atapi, read_toc_formats)
{
    struct result r = cmd(0x43, 0, 0, 0, 100);
    cr_assert_eq(r.bytes, 20);
    cr_assert_eq(buf[1], 18);
    cr_assert_eq(buf[2], 1);
    cr_assert_eq(buf[3], 1);
    cr_assert_eq(buf[6], 1);
    cr_assert_eq(buf[5], 0x14, "data track");
    cr_assert_eq(buf[14], 0xaa);
    cr_assert_eq(be32(buf + 16), 100);
    r = cmd(0x43, 2, 0, 0, 100); /* MSF */
    cr_assert_eq(be32(buf + 8), 0x00000200, "track 1 at 00:02:00");
    cr_assert_eq(be32(buf + 16), 0x00000319, "lead-out at 100+150 = 00:03:25");
    r = cmd(0x43, 0, 1u << 24, 0, 100);
    cr_assert_eq(r.bytes, 12, "session info");
    cr_assert_eq(buf[6], 1);
    r = cmd(0x43, 0, 2u << 24, 0, 100);
    cr_assert_eq(r.bytes, 4 + 4 * 11, "full TOC");
    cr_assert_eq(buf[4 + 3], 0xa0);
    cr_assert_eq(buf[4 + 22 + 3], 0xa2);
    cr_assert_eq(buf[4 + 22 + 9], 3);
    cr_assert_eq(buf[4 + 22 + 10], 25);
    r = cmd(0x43, 0, 5u << 24, 0, 100);
    cr_assert_eq(r.status & 1, 1, "unknown format");
    r = cmd(0x43, 0, 0, 0, 4); /* allocation length cuts the reply */
    cr_assert_eq(r.bytes, 4);
}

Test(atapi, mode_sense_configuration_events)
{
    struct result r = cmd(0x5a, 0, 0x2au << 24, 0, 200);
    cr_assert_eq(r.bytes, 8 + 22);
    cr_assert_eq(buf[8], 0x2a);
    cr_assert_eq(buf[9], 0x14);
    r = cmd(0x46, 0, 0, 0, 200);
    cr_assert_eq(be32(buf), r.bytes - 4);
    cr_assert_eq(buf[7], 0x08, "current profile CD-ROM");
    cr_assert_eq(buf[9], 0x00, "profile list first");
    uint8_t gesn[12] = {0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8};
    r = packet(gesn, 0xfffe, false);
    cr_assert_eq(r.bytes, 8);
    cr_assert_eq(buf[2], 4);
    cr_assert_eq(buf[5] & 2, 2, "media present");
    gesn[1] = 0;
    r = packet(gesn, 0xfffe, false);
    cr_assert_eq(r.status & 1, 1, "asynchronous GESN is refused");
}

Test(atapi, media_change_unit_attention, .init = NULL)
{
    char err[200];
    create(false);
    struct result r = cmd(0x00, 0, 0, 0, 0);
    cr_assert_eq(r.status & 1, 1, "no disc: TEST UNIT READY fails");
    sense(2, 0x3a);
    cr_assert_eq(dev_ide_cd_change(vm, 2, iso, err, sizeof(err)), 0, "%s", err);
    r = cmd(0x12, 0, 36 << 8, 0, 0);
    cr_assert_eq(r.bytes, 36, "INQUIRY passes a unit attention");
    uint8_t gesn[12] = {0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8};
    packet(gesn, 0xfffe, false);
    cr_assert_eq(buf[4], 2, "new media event");
    r = cmd(0x28, 0, 0, 0, 1);
    cr_assert_eq(r.status & 1, 1, "READ fails once with UNIT ATTENTION");
    cr_assert_eq(r.error >> 4, 6);
    r = cmd(0x28, 0, 1, 0, 1);
    cr_assert_eq(r.status & 1, 0);
    cr_assert_eq(le32(buf), 0xcd010000);
    cr_assert_eq(dev_ide_cd_change(vm, 2, iso, err, sizeof(err)), 0, "%s", err);
    sense(6, 0x28);
    r = cmd(0x43, 0, 0, 0, 100);
    cr_assert_eq(r.bytes, 20, "READ TOC after the sense");
    cr_assert_lt(dev_ide_cd_change(vm, 0, iso, err, sizeof(err)), 0, "no CD at index 0");
}

Test(atapi, eject_and_lock)
{
    struct result r = cmd(0x1e, 0, 1 << 8, 0, 0); /* PREVENT */
    r = cmd(0x1b, 0, 2 << 8, 0, 0);               /* eject */
    cr_assert_eq(r.status & 1, 1, "removal prevented");
    sense(5, 0x53);
    cmd(0x1e, 0, 0, 0, 0); /* ALLOW */
    r = cmd(0x1b, 0, 2 << 8, 0, 0);
    cr_assert_eq(r.status & 1, 0);
    r = cmd(0x25, 0, 0, 0, 0);
    cr_assert_eq(r.status & 1, 1);
    sense(2, 0x3a);
}
