/* fw_cfg: fixed keys, the file directory and the files it lists. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/fw_cfg.h"
#include "vm/vm.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 32 << 20, .ncpus = 2, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
}

static void teardown(void)
{
    vm_destroy(vm);
}

static void sel(uint16_t key) { bus_pio_write(&vm->bus, 0x510, key, 2); }
static void rdn(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n--)
        *p++ = (uint8_t)bus_pio_read(&vm->bus, 0x511, 1);
}
static uint64_t le(unsigned key, unsigned n)
{
    uint8_t b[8] = {0};
    uint64_t v = 0;
    sel((uint16_t)key);
    rdn(b, n);
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

/* The select key and size of a file, or -1. */
static int file(const char *name, uint32_t *size)
{
    uint8_t cnt[4], e[64];
    sel(0x19);
    rdn(cnt, 4);
    for (uint32_t i = 0; i < be32(cnt); i++) {
        rdn(e, 64);
        if (!strcmp((char *)e + 8, name)) {
            *size = be32(e);
            return e[4] << 8 | e[5];
        }
    }
    return -1;
}

TestSuite(fwcfg, .init = setup, .fini = teardown);

Test(fwcfg, keys)
{
    char sig[5] = {0};
    sel(0);
    rdn(sig, 4);
    cr_assert_str_eq(sig, "QEMU");
    cr_assert_eq(le(1, 4) & 1, 1);
    cr_assert_eq(le(3, 8), 32u << 20);
    cr_assert_eq(le(5, 2), 2);
    cr_assert_eq(le(0xf, 2), 2);
    cr_assert_eq(le(8, 4), 0, "no -kernel");
    cr_assert_eq(le(0x7777, 4), 0, "unknown keys read as zero");
    sel(0);
    rdn(sig, 4);
    cr_assert_eq(bus_pio_read(&vm->bus, 0x511, 1), 0, "past the end");
}

Test(fwcfg, file_dir_and_e820)
{
    uint32_t size;
    int k = file("etc/e820", &size);
    cr_assert_geq(k, 0x20);
    cr_assert_eq(size % 20, 0);
    cr_assert_geq(size, 20);
    uint8_t e[20];
    sel((uint16_t)k);
    rdn(e, 20);
    uint64_t addr = 0, len = 0;
    for (unsigned i = 0; i < 8; i++)
        addr |= (uint64_t)e[i] << (8 * i), len |= (uint64_t)e[8 + i] << (8 * i);
    cr_assert_eq(addr, 0);
    cr_assert_eq(len, 32u << 20, "low RAM up to the top of memory");
    cr_assert_eq(e[16], 1);
    cr_assert_geq(file("bootorder", &size), 0x20);
    cr_assert_geq(file("etc/table-loader", &size), 0x20);
    cr_assert_eq(size % 128, 0);
    cr_assert_geq(file("etc/acpi/rsdp", &size), 0x20);
    cr_assert_eq(size, 36);
    k = file("etc/acpi/tables", &size);
    cr_assert_geq(k, 0x20);
    uint8_t facs[4];
    sel((uint16_t)k);
    rdn(facs, 4);
    cr_assert_eq(memcmp(facs, "FACS", 4), 0);
}

/* The write-channel bit (14) of a key is not part of it; the x86 arch
 * bit (15) is: 0x8002 is the IRQ0 override, not the UUID at 0x0002. */
Test(fwcfg, key_bits)
{
    cr_assert_eq(le(0x4003, 8), 32u << 20);
    cr_assert_eq(le(0x8002, 4), 1);
    cr_assert_eq(le(0x8003, 8), 0, "no arch key 3");
}
