/* ACPI: the tables in guest RAM (RSDP, XSDT/RSDT, FADT, MADT, HPET, DSDT,
 * FACS): signatures, lengths, checksums, contents; the loader script; the
 * PM1 registers and power off through SLP_EN. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <string.h>

#include "devices/acpi.h"
#include "vm/vm.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 3, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
}

static void teardown(void)
{
    vm_destroy(vm);
}

static uint64_t get(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static const uint8_t *mem(uint64_t gpa) { return pgm_page_ptr(&vm->pgm, gpa, false) + (gpa & 0xfff); }

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Checks a table's checksum and returns it (NULL when sig differs). */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
    const uint8_t *t = mem(gpa);
    if (memcmp(t, sig, 4))
        return NULL;
    cr_assert_eq(sum(t, get(t + 4, 4)), 0, "%s checksum", sig);
    return t;
}

static const uint8_t *find(const char *sig)
{
    const uint8_t *x = table(get(mem(ACPI_RSDP_ADDR) + 24, 8), "XSDT");
    for (unsigned i = 36; i < get(x + 4, 4); i += 8) {
        const uint8_t *t = table(get(x + i, 8), sig);
        if (t)
            return t;
    }
    return NULL;
}

TestSuite(acpi, .init = setup, .fini = teardown);

Test(acpi, rsdp_and_roots)
{
    const uint8_t *r = mem(ACPI_RSDP_ADDR);
    cr_assert_eq(memcmp(r, "RSD PTR ", 8), 0);
    cr_assert_eq(ACPI_RSDP_ADDR % 16, 0);
    cr_assert_eq(sum(r, 20), 0);
    cr_assert_eq(sum(r, 36), 0);
    cr_assert_eq(r[15], 2);
    cr_assert_eq(get(r + 20, 4), 36);
    const uint8_t *rsdt = table(get(r + 16, 4), "RSDT"), *xsdt = table(get(r + 24, 8), "XSDT");
    cr_assert(rsdt && xsdt);
    cr_assert_eq(get(rsdt + 4, 4), 36 + 3 * 4);
    cr_assert_eq(get(xsdt + 4, 4), 36 + 3 * 8);
    for (unsigned i = 0; i < 3; i++)
        cr_assert_eq(get(rsdt + 36 + 4 * i, 4), get(xsdt + 36 + 8 * i, 8));
}

Test(acpi, fadt)
{
    const uint8_t *f = find("FACP");
    cr_assert(f);
    cr_assert_eq(get(f + 4, 4), 244);
    cr_assert_eq(get(f + 46, 2), 9);
    cr_assert_eq(get(f + 56, 4), 0x600);
    cr_assert_eq(get(f + 64, 4), 0x604);
    cr_assert_eq(get(f + 76, 4), 0x608);
    cr_assert_eq(f[108], 0x32, "century");
    cr_assert_eq(get(f + 112, 4) & 0x401, 0x401, "WBINVD, RESET_REG_SUP");
    cr_assert_eq(get(f + 116 + 4, 8), 0xcf9);
    cr_assert_eq(f[128], 6);
    const uint8_t *facs = mem(get(f + 36, 4));
    cr_assert_eq(memcmp(facs, "FACS", 4), 0);
    cr_assert_eq(get(f + 36, 4) % 64, 0);
    cr_assert_eq(get(f + 132, 8), get(f + 36, 4));
    const uint8_t *d = table(get(f + 40, 4), "DSDT");
    cr_assert(d);
    cr_assert_eq(get(f + 140, 8), get(f + 40, 4));
    /* Name(\_S5_, Package(4){0, 0, 0, 0}) */
    static const uint8_t s5[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
    cr_assert(memmem(d + 36, get(d + 4, 4) - 36, s5, sizeof(s5)));
    static const uint8_t hid[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03};
    cr_assert(memmem(d + 36, get(d + 4, 4) - 36, hid, sizeof(hid)), "PNP0A03");
    /* the PS/2 keyboard (PNP0303) with ports 60h/64h and IRQ1, the mouse
     * (PNP0F13) with IRQ12: Name(_HID, EisaId(...)), Name(_CRS, Buffer) */
    static const uint8_t kbd[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x03, 0x03,
                                  0x08, '_', 'C', 'R', 'S', 0x11, 0x18, 0x0a, 0x15,
                                  0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01,
                                  0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x01, 0x01,
                                  0x22, 0x02, 0x00, 0x79, 0x00};
    cr_assert(memmem(d + 36, get(d + 4, 4) - 36, kbd, sizeof(kbd)), "PNP0303 with its resources");
    static const uint8_t mou[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0f, 0x13,
                                  0x08, '_', 'C', 'R', 'S', 0x11, 0x08, 0x0a, 0x05, 0x22, 0x00, 0x10, 0x79, 0x00};
    cr_assert(memmem(d + 36, get(d + 4, 4) - 36, mou, sizeof(mou)), "PNP0F13 with IRQ12");
}

Test(acpi, madt)
{
    const uint8_t *m = find("APIC");
    unsigned cpus = 0, ioapics = 0, isos = 0, nmis = 0;
    cr_assert(m);
    cr_assert_eq(get(m + 36, 4), 0xfee00000);
    for (unsigned i = 44; i < get(m + 4, 4); i += m[i + 1]) {
        cr_assert_gt(m[i + 1], 0);
        switch (m[i]) {
        case 0:
            cr_assert_eq(m[i + 3], cpus, "APIC ID");
            cr_assert_eq(get(m + i + 4, 4), 1);
            cpus++;
            break;
        case 1: ioapics++; cr_assert_eq(get(m + i + 4, 4), 0xfec00000); break;
        case 2:
            if (m[i + 3] == 0)
                cr_assert_eq(get(m + i + 4, 4), 2);
            if (m[i + 3] == 9)
                cr_assert_eq(get(m + i + 8, 2), 0xd);
            isos++;
            break;
        case 4: nmis++; cr_assert_eq(m[i + 5], 1, "LINT1"); break;
        }
    }
    cr_assert_eq(cpus, 3);
    cr_assert_eq(ioapics, 1);
    cr_assert_eq(isos, 5);
    cr_assert_eq(nmis, 1);
}

Test(acpi, hpet_table)
{
    const uint8_t *h = find("HPET");
    cr_assert(h);
    cr_assert_eq(get(h + 4, 4), 56);
    cr_assert_eq(get(h + 36, 4), 0x8086a201);
    cr_assert_eq(get(h + 44, 8), 0xfed00000);
}

Test(acpi, loader_script)
{
    static struct acpi_tables t;
    static uint8_t s[64 * 128];
    cr_assert_eq(acpi_build(vm, &t), 0);
    size_t n = acpi_loader_script(&t, s, sizeof(s));
    cr_assert_eq(n, 128 * (2 + t.nptr + t.nsum));
    cr_assert_eq(get(s, 4), 1);
    cr_assert_str_eq((char *)s + 4, "etc/acpi/tables");
    cr_assert_eq(get(s + 128 * 2, 4), 2);
    /* linking at the same place as the VM does gives the same bytes */
    acpi_link(&t, ACPI_RSDP_ADDR, ACPI_TABLES_ADDR);
    cr_assert_eq(memcmp(t.tables, mem(ACPI_TABLES_ADDR), t.len), 0);
    cr_assert_eq(memcmp(t.rsdp, mem(ACPI_RSDP_ADDR), 36), 0);
}

Test(acpi, pm1_power_off)
{
    cr_assert_eq(bus_pio_read(&vm->bus, 0x604, 2) & 1, 1, "SCI_EN: always in ACPI mode");
    bus_pio_write(&vm->bus, 0x602, 0x0121, 2);
    cr_assert_eq(bus_pio_read(&vm->bus, 0x602, 2), 0x0121);
    bus_pio_write(&vm->bus, 0x604, 5u << 10, 2); /* SLP_TYP without SLP_EN */
    cr_assert_eq(atomic_load(&vm->ff) & VM_FF_POWER_OFF, 0);
    bus_pio_write(&vm->bus, 0x604, (ACPI_SLP_TYP_S5 << 10) | 0x2000, 2);
    cr_assert(atomic_load(&vm->ff) & VM_FF_POWER_OFF);
}
