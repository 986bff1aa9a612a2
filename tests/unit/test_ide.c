/* The PIIX3 IDE controller with ATA disks, driven through port I/O on a
 * VM made by vm_create: identify block, PIO (LBA28, LBA48, CHS, multiple),
 * bus-master DMA through PRD tables in guest RAM, errors, INTRQ, reset,
 * missing devices, -snapshot, and the drive options. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/ide.h"
#include "vm/vm.h"

#define NSECT 4096u
static struct vm *vm;
static char img[64];

static void out8(uint16_t p, uint8_t v) { bus_pio_write(&vm->bus, p, v, 1); }
static void out16(uint16_t p, uint16_t v) { bus_pio_write(&vm->bus, p, v, 2); }
static void out32(uint16_t p, uint32_t v) { bus_pio_write(&vm->bus, p, v, 4); }
static uint8_t in8(uint16_t p) { return (uint8_t)bus_pio_read(&vm->bus, p, 1); }
static uint16_t in16(uint16_t p) { return (uint16_t)bus_pio_read(&vm->bus, p, 2); }
static uint32_t pattern(uint64_t s, unsigned j) { return (uint32_t)(s << 16 | j); }

static void make_image(char *path, unsigned nsect)
{
    strcpy(path, "/tmp/pcvm-test-ide-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    uint32_t sec[128];
    for (unsigned s = 0; s < nsect; s++) {
        for (unsigned j = 0; j < 128; j++)
            sec[j] = pattern(s, j);
        cr_assert_eq(write(fd, sec, sizeof(sec)), (ssize_t)sizeof(sec));
    }
    close(fd);
}

static void create(bool snapshot, bool readonly)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true, .snapshot = snapshot};
    char err[200];
    make_image(img, NSECT);
    cfg.drives[0] = (struct vm_drive){.file = img, .index = 0, .readonly = readonly};
    cfg.ndrives = 1;
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    out8(0x3f6, 0x02); /* polled unless a test enables INTRQ */
    out8(0x1f6, 0xa0);
}

static void setup(void) { create(false, false); }
static void teardown(void)
{
    vm_destroy(vm);
    unlink(img);
}

static void lba28(uint32_t lba, uint8_t count, uint8_t cmd)
{
    out8(0x1f2, count);
    out8(0x1f3, (uint8_t)lba);
    out8(0x1f4, (uint8_t)(lba >> 8));
    out8(0x1f5, (uint8_t)(lba >> 16));
    out8(0x1f6, (uint8_t)(0xe0 | ((lba >> 24) & 15)));
    out8(0x1f7, cmd);
}

static void lba48(uint64_t lba, uint16_t count, uint8_t cmd)
{
    out8(0x1f2, (uint8_t)(count >> 8));
    out8(0x1f3, (uint8_t)(lba >> 24));
    out8(0x1f4, (uint8_t)(lba >> 32));
    out8(0x1f5, (uint8_t)(lba >> 40));
    out8(0x1f2, (uint8_t)count);
    out8(0x1f3, (uint8_t)lba);
    out8(0x1f4, (uint8_t)(lba >> 8));
    out8(0x1f5, (uint8_t)(lba >> 16));
    out8(0x1f6, 0x40);
    out8(0x1f7, cmd);
}

static void read_words(void *buf, unsigned n)
{
    uint16_t *w = buf;
    for (unsigned i = 0; i < n; i++)
        w[i] = in16(0x1f0);
}

static void check_sector(const uint32_t *d, uint64_t s)
{
    for (unsigned j = 0; j < 128; j++)
        cr_assert_eq(d[j], pattern(s, j), "sector %llu dword %u", (unsigned long long)s, j);
}

static void file_sector(uint64_t s, uint32_t *d)
{
    FILE *f = fopen(img, "rb");
    fseek(f, (long)(s * 512), SEEK_SET);
    cr_assert_eq(fread(d, 512, 1, f), 1);
    fclose(f);
}

TestSuite(ide, .init = setup, .fini = teardown);

Test(ide, identify_block)
{
    uint16_t w[256];
    uint8_t sum = 0;
    char model[41];
    out8(0x1f7, 0xec);
    cr_assert_eq(in8(0x1f7) & 0xc9, 0x48, "DRQ after IDENTIFY");
    read_words(w, 256);
    cr_assert_eq(in8(0x1f7) & 0x89, 0x00);
    for (unsigned i = 0; i < 512; i++)
        sum = (uint8_t)(sum + ((uint8_t *)w)[i]);
    cr_assert_eq(sum, 0, "checksum");
    cr_assert_eq(w[255] & 0xff, 0xa5);
    for (unsigned i = 0; i < 20; i++) {
        model[2 * i] = (char)(w[27 + i] >> 8);
        model[2 * i + 1] = (char)w[27 + i];
    }
    model[40] = 0;
    cr_assert_eq(strncmp(model, "PCVM HARDDISK ", 14), 0, "model '%s'", model);
    cr_assert_neq(w[10], 0x2020, "serial");
    cr_assert_neq(w[23], 0x2020, "firmware revision");
    cr_assert_eq(w[0], 0x0040);
    cr_assert_eq(w[1], NSECT / (16 * 63));
    cr_assert_eq(w[3], 16);
    cr_assert_eq(w[6], 63);
    cr_assert_eq(w[47], 0x8010, "READ/WRITE MULTIPLE up to 16");
    cr_assert_eq(w[49] & 0x0300, 0x0300, "LBA and DMA");
    cr_assert_eq(w[53] & 7, 7);
    cr_assert_eq(w[60] | (uint32_t)w[61] << 16, NSECT);
    cr_assert_eq(w[63] & 7, 7, "multiword DMA 0-2");
    cr_assert_eq(w[83] & 0xc400, 0x4400, "48-bit feature set");
    cr_assert_eq(w[86] & 0x0400, 0x0400);
    cr_assert_eq(w[88] & 0x3f, 0x3f, "UDMA 0-5");
    cr_assert_eq(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32, NSECT);
    /* SET MULTIPLE and SET FEATURES show in the block */
    out8(0x1f2, 8);
    out8(0x1f7, 0xc6);
    out8(0x1f1, 0x03);
    out8(0x1f2, 0x22); /* multiword DMA 2 */
    out8(0x1f7, 0xef);
    cr_assert_eq(in8(0x1f7) & 0x01, 0);
    out8(0x1f7, 0xec);
    read_words(w, 256);
    cr_assert_eq(w[59], 0x0108);
    cr_assert_eq(w[63], 0x0407);
    cr_assert_eq(w[88] & 0x3f00, 0);
}

Test(ide, pio_lba28_read_write)
{
    uint32_t d[256], f[128];
    lba28(100, 2, 0x20);
    read_words(d, 512);
    check_sector(d, 100);
    check_sector(d + 128, 101);
    cr_assert_eq(in8(0x1f7) & 0x89, 0);
    cr_assert_eq(in8(0x1f3), 101, "the address registers hold the last sector");
    for (unsigned j = 0; j < 128; j++)
        d[j] = 0xabcd0000 | j;
    lba28(7, 1, 0x30);
    cr_assert_eq(in8(0x1f7) & 0x89, 0x08, "DRQ for the data");
    for (unsigned i = 0; i < 256; i++)
        out16(0x1f0, ((uint16_t *)d)[i]);
    cr_assert_eq(in8(0x1f7) & 0x89, 0);
    file_sector(7, f);
    cr_assert_arr_eq(f, d, 512, "the sector reached the image");
    lba28(7, 1, 0x20);
    read_words(f, 256);
    cr_assert_arr_eq(f, d, 512);
}

Test(ide, pio_dword_data_port)
{
    uint32_t d[128];
    lba28(9, 1, 0x20);
    for (unsigned i = 0; i < 128; i++)
        d[i] = (uint32_t)bus_pio_read(&vm->bus, 0x1f0, 4);
    check_sector(d, 9);
}

Test(ide, pio_lba48_and_hob)
{
    uint32_t d[128];
    lba48(0x345, 1, 0x24);
    read_words(d, 256);
    check_sector(d, 0x345);
    /* LBA 2^32 + x is past the end: IDNF, whatever the low bits say */
    lba48(0x100000003ull, 1, 0x24);
    cr_assert_eq(in8(0x1f7) & 0x89, 0x01);
    cr_assert_eq(in8(0x1f1), 0x10, "IDNF");
    /* HOB reads the previous contents */
    out8(0x1f2, 0x12);
    out8(0x1f2, 0x34);
    out8(0x3f6, 0x82);
    cr_assert_eq(in8(0x1f2), 0x12);
    out8(0x3f6, 0x02);
    cr_assert_eq(in8(0x1f2), 0x34);
    /* a count of 0 in LBA28 is 256 sectors */
    lba28(0, 0, 0x20);
    for (unsigned s = 0; s < 256; s++) {
        read_words(d, 256);
        check_sector(d, s);
    }
    cr_assert_eq(in8(0x1f7) & 0x89, 0);
}

Test(ide, chs_addressing)
{
    uint32_t d[128];
    /* cylinder 2, head 5, sector 7 in the default 16/63 geometry */
    out8(0x1f2, 1);
    out8(0x1f3, 7);
    out8(0x1f4, 2);
    out8(0x1f5, 0);
    out8(0x1f6, 0xa5);
    out8(0x1f7, 0x20);
    read_words(d, 256);
    check_sector(d, (2 * 16 + 5) * 63 + 6);
    /* INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors */
    out8(0x1f2, 17);
    out8(0x1f6, 0xa3);
    out8(0x1f7, 0x91);
    cr_assert_eq(in8(0x1f7) & 0x01, 0);
    out8(0x1f2, 1);
    out8(0x1f3, 1);
    out8(0x1f4, 3);
    out8(0x1f6, 0xa2);
    out8(0x1f7, 0x20);
    read_words(d, 256);
    check_sector(d, (3 * 4 + 2) * 17);
    /* sector 0 does not exist */
    out8(0x1f3, 0);
    out8(0x1f7, 0x20);
    cr_assert_eq(in8(0x1f1), 0x10);
}

Test(ide, read_write_multiple)
{
    uint32_t d[16 * 128];
    lba28(0, 4, 0xc4);
    cr_assert_eq(in8(0x1f7) & 0x01, 0x01, "READ MULTIPLE without SET MULTIPLE aborts");
    cr_assert_eq(in8(0x1f1), 0x04);
    out8(0x1f2, 3);
    out8(0x1f7, 0xc6);
    cr_assert_eq(in8(0x1f1), 0x04, "SET MULTIPLE 3 (not a power of two) aborts");
    out8(0x1f2, 4);
    out8(0x1f7, 0xc6);
    cr_assert_eq(in8(0x1f7) & 0x01, 0);
    lba28(50, 10, 0xc4);
    read_words(d, 4 * 256);
    cr_assert_eq(in8(0x1f7) & 0x08, 0x08, "next block");
    read_words(d + 512, 4 * 256);
    read_words(d + 1024, 2 * 256); /* the last block is shorter */
    cr_assert_eq(in8(0x1f7) & 0x89, 0);
    for (unsigned s = 0; s < 10; s++)
        check_sector(d + 128 * s, 50 + s);
    /* WRITE MULTIPLE EXT of 6 sectors: blocks of 4 and 2 */
    for (unsigned i = 0; i < 6 * 128; i++)
        d[i] = 0x77000000 | i;
    lba48(200, 6, 0x39);
    for (unsigned i = 0; i < 4 * 256; i++)
        out16(0x1f0, ((uint16_t *)d)[i]);
    cr_assert_eq(in8(0x1f7) & 0x08, 0x08);
    for (unsigned i = 4 * 256; i < 6 * 256; i++)
        out16(0x1f0, ((uint16_t *)d)[i]);
    cr_assert_eq(in8(0x1f7) & 0x89, 0);
    uint32_t f[128];
    file_sector(205, f);
    cr_assert_arr_eq(f, d + 5 * 128, 512);
}

static void bm_setup(void)
{
    out32(0xcf8, 0x80000920);
    out32(0xcfc, 0xc001);
    out32(0xcf8, 0x80000904);
    out16(0xcfc, 0x0005);
}

static void prd(uint32_t at, unsigned i, uint32_t addr, uint32_t count, bool eot)
{
    uint32_t e[2] = {addr, (count & 0xffff) | (eot ? 0x80000000u : 0)};
    pgm_write(&vm->pgm, at + 8 * i, e, 8);
}

Test(ide, dma_read_write_through_prds)
{
    static uint32_t d[3 * 128];
    bm_setup();
    cr_assert_eq(bus_pio_read(&vm->bus, 0xcfc, 2) & 5, 5);
    /* three sectors into two regions: 1024 + 512 bytes */
    prd(0x8000, 0, 0x10000, 1024, false);
    prd(0x8000, 1, 0x20000, 512, true);
    out32(0xc004, 0x8000);
    out8(0x3f6, 0x00);
    lba28(300, 3, 0xc8);
    cr_assert_eq(in8(0xc002) & 7, 0, "nothing moves before the bus master starts");
    out8(0xc000, 0x09);
    cr_assert_eq(in8(0xc002) & 7, 0x04, "interrupt, PRDs exhausted, no error");
    out8(0xc000, 0x00);
    cr_assert_eq(in8(0x1f7) & 0x89, 0);
    out8(0xc002, 0x04);
    cr_assert_eq(in8(0xc002) & 4, 0, "interrupt bit clears on writing one");
    pgm_read(&vm->pgm, 0x10000, d, 1024);
    pgm_read(&vm->pgm, 0x20000, d + 256, 512);
    for (unsigned s = 0; s < 3; s++)
        check_sector(d + 128 * s, 300 + s);

    /* WRITE DMA EXT from guest RAM, with a PRD table larger than the data */
    for (unsigned i = 0; i < 128; i++)
        d[i] = 0xd0d00000 | i;
    pgm_write(&vm->pgm, 0x30000, d, 512);
    prd(0x9000, 0, 0x30000, 4096, true);
    out32(0xc004, 0x9000);
    out8(0xc000, 0x01); /* started before the command this time */
    lba48(400, 1, 0x35);
    cr_assert_eq(in8(0xc002) & 7, 0x05, "interrupt, still active: PRDs not exhausted");
    out8(0xc000, 0x00);
    cr_assert_eq(in8(0xc002) & 1, 0);
    uint32_t f[128];
    file_sector(400, f);
    cr_assert_arr_eq(f, d, 512);
}

Test(ide, dma_prd_table_too_short)
{
    bm_setup();
    prd(0x8000, 0, 0x10000, 512, true);
    out32(0xc004, 0x8000);
    out8(0xc000, 0x09);
    lba28(0, 2, 0xc8);
    cr_assert_eq(in8(0xc002) & 3, 0x02, "error, not active");
    cr_assert_eq(in8(0x1f7) & 0x01, 0x01);
}

Test(ide, errors)
{
    lba28(NSECT, 1, 0x20);
    cr_assert_eq(in8(0x1f7) & 0xc9, 0x41, "DRDY|ERR");
    cr_assert_eq(in8(0x1f1), 0x10, "IDNF past the end");
    lba28(NSECT - 1, 2, 0x40);
    cr_assert_eq(in8(0x1f1), 0x10, "a range crossing the end");
    out8(0x1f7, 0x50);
    cr_assert_eq(in8(0x1f7) & 0xc9, 0x41);
    cr_assert_eq(in8(0x1f1), 0x04, "ABRT for an unsupported command");
    out8(0x1f7, 0xa0);
    cr_assert_eq(in8(0x1f1), 0x04, "a disk has no PACKET command");
    out8(0x1f1, 0x99);
    out8(0x1f7, 0xef);
    cr_assert_eq(in8(0x1f1), 0x04, "unknown SET FEATURES");
    lba28(0, 1, 0x40);
    cr_assert_eq(in8(0x1f7) & 0x89, 0, "READ VERIFY");
    out8(0x1f7, 0xea);
    cr_assert_eq(in8(0x1f7) & 0x89, 0, "FLUSH CACHE EXT");
}

Test(ide, power_modes)
{
    out8(0x1f7, 0xe5);
    cr_assert_eq(in8(0x1f2), 0xff);
    out8(0x1f7, 0xe0);
    out8(0x1f7, 0xe5);
    cr_assert_eq(in8(0x1f2), 0x00, "standby");
    out8(0x1f7, 0xe1);
    out8(0x1f7, 0xe5);
    cr_assert_eq(in8(0x1f2), 0xff, "idle");
}

static void pic_init(void)
{
    static const uint8_t seq[][2] = {{0x20, 0x11}, {0xa0, 0x11}, {0x21, 0x20}, {0xa1, 0x28},
                                     {0x21, 4}, {0xa1, 2}, {0x21, 1}, {0xa1, 1}, {0x21, 0}, {0xa1, 0}};
    for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
        out8(seq[i][0], seq[i][1]);
    out8(0x4d1, 0x40); /* IRQ14 level triggered: the PIC follows the line */
}

static bool intr(void) { return atomic_load(&vm->cpus[0].ff) & VCPU_FF_INTERRUPT_PIC; }

Test(ide, intrq_and_status_read)
{
    uint16_t w[256];
    pic_init();
    out8(0x3f6, 0x00);
    out8(0x1f7, 0xe7);
    cr_assert(intr(), "INTRQ on IRQ14");
    cr_assert_eq(vm->intr_ack(vm->intr_opaque), 0x2e);
    in8(0x3f6);
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    cr_assert(intr(), "the alternate status leaves INTRQ asserted");
    in8(0x1f7);
    cr_assert(!intr(), "the status read clears INTRQ");
    out8(0x3f6, 0x02);
    out8(0x1f7, 0xec);
    cr_assert(!intr(), "nIEN masks INTRQ");
    read_words(w, 256);
    lba28(0, 2, 0x30);
    cr_assert(!intr(), "no interrupt before the first block of a write");
}

Test(ide, reset_signature_and_missing_devices)
{
    out8(0x1f2, 0x55);
    out8(0x3f6, 0x06);
    cr_assert_eq(in8(0x1f7), 0x80, "BSY while SRST is set");
    out8(0x3f6, 0x02);
    cr_assert_eq(in8(0x1f7) & 0xc9, 0x40);
    cr_assert_eq(in8(0x1f2), 1);
    cr_assert_eq(in8(0x1f3), 1);
    cr_assert_eq(in8(0x1f4), 0);
    cr_assert_eq(in8(0x1f5), 0);
    cr_assert_eq(in8(0x1f1), 1);
    /* the slave is missing: status 00h; the master still executes nothing for it */
    out8(0x1f6, 0xb0);
    cr_assert_eq(in8(0x1f7), 0);
    cr_assert_eq(in8(0x3f6), 0);
    out8(0x1f2, 0x33);
    cr_assert_eq(in8(0x1f2), 0x33, "task file registers are latched by both devices");
    out8(0x1f7, 0xec);
    out8(0x1f6, 0xa0);
    cr_assert_eq(in8(0x1f7) & 0x08, 0, "the master ignored a command for the slave");
    /* EXECUTE DEVICE DIAGNOSTIC */
    out8(0x1f7, 0x90);
    cr_assert_eq(in8(0x1f1), 0x01);
    /* an empty channel floats at 7Fh */
    cr_assert_eq(in8(0x177), 0x7f);
    cr_assert_eq(in8(0x376), 0x7f);
    cr_assert_eq(in8(0x172), 0x7f);
}

Test(ide, pci_function)
{
    out32(0xcf8, 0x80000900);
    cr_assert_eq(bus_pio_read(&vm->bus, 0xcfc, 4), 0x70108086);
    out32(0xcf8, 0x80000908);
    cr_assert_eq(bus_pio_read(&vm->bus, 0xcfc, 4) >> 8, 0x010180);
    out32(0xcf8, 0x80000920);
    out32(0xcfc, 0xffffffff);
    cr_assert_eq(bus_pio_read(&vm->bus, 0xcfc, 4), 0xfffffff1, "BAR4: 16 bytes of I/O");
    out32(0xcf8, 0x80000940);
    cr_assert_eq(bus_pio_read(&vm->bus, 0xcfc, 4), 0x80008000, "IDE decode enabled on both channels");
}

Test(ide, readonly_disk_aborts_writes, .init = NULL)
{
    create(false, true);
    lba28(0, 1, 0x30);
    cr_assert_eq(in8(0x1f7) & 0x09, 0x01);
    cr_assert_eq(in8(0x1f1), 0x04);
}

Test(ide, snapshot_leaves_image_untouched, .init = NULL)
{
    uint32_t d[128], f[128];
    create(true, false);
    for (unsigned j = 0; j < 128; j++)
        d[j] = 0x5a5a0000 | j;
    lba28(11, 1, 0x30);
    for (unsigned i = 0; i < 256; i++)
        out16(0x1f0, ((uint16_t *)d)[i]);
    cr_assert_eq(in8(0x1f7) & 0x89, 0);
    lba28(11, 1, 0x20);
    read_words(f, 256);
    cr_assert_arr_eq(f, d, 512, "the guest reads its write");
    file_sector(11, f);
    check_sector(f, 11);
}

Test(ide_create, bad_images)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true, .ndrives = 1};
    struct vm *v = NULL;
    char err[200], path[64];
    cfg.drives[0] = (struct vm_drive){.file = "/nonexistent.img", .index = 0};
    cr_assert_lt(vm_create(&cfg, &v, err, sizeof(err)), 0);
    cr_assert(strstr(err, "/nonexistent.img"), "%s", err);
    make_image(path, 3); /* 1536 bytes: not a CD */
    cfg.drives[0] = (struct vm_drive){.file = path, .index = 2, .cdrom = true};
    cr_assert_lt(vm_create(&cfg, &v, err, sizeof(err)), 0);
    cr_assert(strstr(err, "not a multiple of 2048"), "%s", err);
    cfg.drives[0] = (struct vm_drive){.file = path, .index = 0, .format = "vmdk"};
    cr_assert_lt(vm_create(&cfg, &v, err, sizeof(err)), 0);
    cr_assert(strstr(err, "vmdk"), "%s", err);
    unlink(path);
}

static int parse(struct vm_options *o, const char **args, int n)
{
    char *argv[16] = {"pcvm", "-kernel", "k"};
    for (int i = 0; i < n; i++)
        argv[3 + i] = (char *)args[i];
    return vm_options_parse(o, 3 + n, argv);
}

Test(ide_options, drives_and_boot)
{
    static struct vm_options o;
    const char *a[] = {"-hdb", "b.img", "-cdrom", "c.iso", "-drive", "file=x,,y.img,format=raw,readonly=on",
                       "-drive", "if=ide,media=cdrom,index=3", "-boot", "order=dc,menu=on", "-snapshot"};
    cr_assert_eq(parse(&o, a, 11), 0);
    cr_assert_eq(o.cfg.ndrives, 4);
    cr_assert_eq(o.cfg.drives[0].index, 1);
    cr_assert(!o.cfg.drives[0].cdrom);
    cr_assert_eq(o.cfg.drives[1].index, 2);
    cr_assert(o.cfg.drives[1].cdrom);
    cr_assert_str_eq(o.cfg.drives[2].file, "x,y.img");
    cr_assert_eq(o.cfg.drives[2].index, 0, "the first free index");
    cr_assert(o.cfg.drives[2].readonly);
    cr_assert_null(o.cfg.drives[3].file);
    cr_assert_eq(o.cfg.drives[3].index, 3);
    cr_assert_str_eq(o.cfg.boot_order, "dc");
    cr_assert(o.cfg.snapshot);
}

Test(ide_options, bad_values)
{
    static struct vm_options o;
    const char *fmt[] = {"-drive", "file=a.img,format=qcow2"};
    const char *media[] = {"-drive", "file=a.img,media=tape"};
    const char *dup[] = {"-hda", "a", "-drive", "file=b,index=0"};
    const char *boot[] = {"-boot", "x"};
    const char *iface[] = {"-drive", "file=a,if=scsi"};
    cr_assert_eq(parse(&o, fmt, 2), 2);
    cr_assert_eq(parse(&o, media, 2), 2);
    cr_assert_eq(parse(&o, dup, 4), 2);
    cr_assert_eq(parse(&o, boot, 2), 2);
    cr_assert_eq(parse(&o, iface, 2), 2);
}
