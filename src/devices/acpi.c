/* ACPI: the PM1a event and control registers of QEMU's PIIX4 PM (ports
 * 0x600 and 0x604; the PM timer at 0x608 is testdev.c's) and the tables a
 * BIOS would provide (ACPI 2.0: RSDP rev 2, RSDT and XSDT, FADT rev 3,
 * FACS, MADT, HPET, a DSDT with \_SB.PCI0, \_S3 and \_S5).
 *
 * Invariants:
 * - The tables are built once per boot into a blob whose pointer fields
 *   hold offsets into the blob; acpi_link (here, without -bios) or a
 *   firmware's table loader (fw_cfg etc/table-loader) adds the load
 *   address and fixes the checksums. Both use the same fix-up list.
 * - No SMI command port: the hardware is always in ACPI mode (SCI_EN
 *   reads as 1), as the FADT's SMI_CMD = 0 tells the OS.
 * - SLP_EN with SLP_TYP = 0 (PIIX4's soft off, \_S5 in the DSDT) powers
 *   the VM off; SLP_TYP = 1 (\_S3, suspend to RAM, as QEMU's PIIX4) puts
 *   the vCPUs to sleep (vm_s3_sleep) while RAM, the clock and the RTC go on.
 *   Other sleep types are not offered and are ignored.
 * - A sleeping machine wakes on the power button, or on the RTC alarm when
 *   RTC_EN is set (QEMU's wake sources): WAK_STS and the source's status
 *   bit are set and survive the reset that follows (vm_s3_wake); that reset
 *   keeps the tables (the FACS holds the OS's waking vector).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi.h"
#include "devices/devices.h"
#include "devices/hpet.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define PM1_SCI_EN 0x0001u
#define PM1_SLP_EN 0x2000u
#define PM1_PWRBTN_STS 0x0100u
#define PM1_RTC_STS 0x0400u /* in the enable register: RTC_EN */
#define PM1_WAK_STS 0x8000u
#define PM1_EN_MASK 0x0521u /* TMR_EN, GBL_EN, PWRBTN_EN, RTC_EN */

/* --- table construction --- */

static void put(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0; /* wider fields: zero padding */
}

static void emit(struct acpi_tables *t, uint64_t v, unsigned size)
{
    if (t->len + size <= sizeof(t->tables))
        put(t->tables + t->len, v, size);
    t->len += size;
}

static void emit_bytes(struct acpi_tables *t, const void *d, size_t n)
{
    if (t->len + n <= sizeof(t->tables))
        memcpy(t->tables + t->len, d, n);
    t->len += n;
}

/* A pointer field holding blob offset target (the loader adds the base). */
static void emit_ptr(struct acpi_tables *t, uint32_t target, unsigned size)
{
    if (t->nptr < ACPI_MAX_FIXUPS)
        t->ptr[t->nptr++] = (struct acpi_fixup){0, (uint8_t)size, (uint32_t)t->len, 0, 0};
    emit(t, target, size);
}

static void align(struct acpi_tables *t, unsigned a)
{
    while (t->len % a)
        emit(t, 0, 1);
}

static uint32_t table_begin(struct acpi_tables *t, const char *sig, uint8_t rev)
{
    align(t, 16);
    uint32_t start = (uint32_t)t->len;
    emit_bytes(t, sig, 4);
    emit(t, 0, 4); /* length, set by table_end */
    emit(t, rev, 1);
    emit(t, 0, 1); /* checksum */
    emit_bytes(t, "PCVM  ", 6);
    emit_bytes(t, "PCVMTBL ", 8);
    emit(t, 1, 4);
    emit_bytes(t, "PCVM", 4);
    emit(t, 1, 4);
    return start;
}

static void table_end(struct acpi_tables *t, uint32_t start)
{
    if (t->len <= sizeof(t->tables))
        put(t->tables + start + 4, t->len - start, 4);
    if (t->nsum < ACPI_MAX_FIXUPS)
        t->sum[t->nsum++] = (struct acpi_fixup){0, 0, start + 9, start, (uint32_t)(t->len - start)};
}

/* A Generic Address Structure: I/O ports (space 1) or memory (space 0). */
static void emit_gas(struct acpi_tables *t, uint8_t space, uint8_t bits, uint8_t access, uint64_t addr)
{
    emit(t, space, 1);
    emit(t, bits, 1);
    emit(t, 0, 1);
    emit(t, access, 1);
    emit(t, addr, 8);
}

/* --- AML: the DSDT is a table of nodes the emitter expands --- */

enum aml_kind { AML_END, AML_SCOPE, AML_DEVICE, AML_NAME_INT, AML_NAME_EISAID, AML_NAME_PKG, AML_NAME_BUF };
struct aml_node {
    uint8_t kind;
    const char *name; /* NameString: "\\_SB_", "PCI0" */
    const char *eisaid; /* or, for a buffer, its bytes */
    uint32_t val[4];  /* integer, the package's four elements, or the buffer's length */
};

/* Resource templates (ACPI 6.4.2): the i8042's two ports (IO, 16-bit
 * decode, one byte each), its IRQ (IRQNoFlags) and the end tag. */
#define RES_IO(port) "\x47\x01" port "\x00" port "\x00\x01\x01"
static const char kbd_crs[] = RES_IO("\x60") RES_IO("\x64") "\x22\x02\x00" "\x79\x00";
static const char mou_crs[] = "\x22\x00\x10" "\x79\x00";
#define CRS(b) {AML_NAME_BUF, "_CRS", b, {sizeof(b) - 1}}

static const struct aml_node dsdt_nodes[] = {
    {AML_SCOPE, "\\_SB_", NULL, {0}},
    {AML_DEVICE, "PCI0", NULL, {0}},
    {AML_NAME_EISAID, "_HID", "PNP0A03", {0}},
    {AML_NAME_INT, "_ADR", NULL, {0}},
    {AML_NAME_INT, "_UID", NULL, {0}},
    {AML_END, NULL, NULL, {0}},
    /* the PS/2 keyboard and mouse, as firmware describes them: SeaBIOS
     * drives the keyboard only when the DSDT has PNP0303 */
    {AML_DEVICE, "KBD_", NULL, {0}},
    {AML_NAME_EISAID, "_HID", "PNP0303", {0}},
    CRS(kbd_crs),
    {AML_END, NULL, NULL, {0}},
    {AML_DEVICE, "MOU_", NULL, {0}},
    {AML_NAME_EISAID, "_HID", "PNP0F13", {0}},
    CRS(mou_crs),
    {AML_END, NULL, NULL, {0}},
    {AML_END, NULL, NULL, {0}},
    {AML_NAME_PKG, "\\_S3_", NULL, {ACPI_SLP_TYP_S3, ACPI_SLP_TYP_S3, 0, 0}},
    {AML_NAME_PKG, "\\_S5_", NULL, {ACPI_SLP_TYP_S5, ACPI_SLP_TYP_S5, 0, 0}},
    {AML_END, NULL, NULL, {0}},
};

struct aml_buf {
    uint8_t b[512];
    size_t n;
};

static void aml_byte(struct aml_buf *a, uint8_t v)
{
    if (a->n < sizeof(a->b))
        a->b[a->n] = v;
    a->n++;
}

static void aml_name(struct aml_buf *a, const char *s)
{
    for (; *s; s++)
        aml_byte(a, (uint8_t)*s);
}

static void aml_int(struct aml_buf *a, uint32_t v)
{
    unsigned n = v <= 1 ? 0 : v < 0x100 ? 1 : v < 0x10000 ? 2 : 4;
    aml_byte(a, v <= 1 ? (uint8_t)v : n == 1 ? 0x0a : n == 2 ? 0x0b : 0x0c); /* Zero/One/Byte/Word/DWord */
    for (unsigned i = 0; i < n; i++)
        aml_byte(a, (uint8_t)(v >> (8 * i)));
}

/* PkgLength (ACPI 20.2.4) of content len, then the content. */
static void aml_pkg(struct aml_buf *a, const struct aml_buf *content)
{
    size_t len = content->n, n = len + 1 < 0x40 ? 1 : len + 2 < 0x1000 ? 2 : 3;
    size_t total = len + n;
    if (n == 1) {
        aml_byte(a, (uint8_t)total);
    } else {
        aml_byte(a, (uint8_t)((n - 1) << 6 | (total & 0xf)));
        for (size_t i = 1; i < n; i++)
            aml_byte(a, (uint8_t)(total >> (4 + 8 * (i - 1))));
    }
    for (size_t i = 0; i < len && i < sizeof(content->b); i++)
        aml_byte(a, content->b[i]);
}

static uint32_t eisaid(const char *s)
{
    uint32_t v = (uint32_t)((s[0] - 0x40) & 0x1f) << 26 | (uint32_t)((s[1] - 0x40) & 0x1f) << 21 |
                 (uint32_t)((s[2] - 0x40) & 0x1f) << 16;
    for (unsigned i = 3; i < 7; i++)
        v |= (uint32_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'A' + 10) << (4 * (6 - i));
    return __builtin_bswap32(v); /* stored most significant byte first */
}

/* Emits nodes up to the matching AML_END; returns the node after it. */
static const struct aml_node *aml_emit(struct aml_buf *a, const struct aml_node *n)
{
    for (; n->kind != AML_END; n++) {
        struct aml_buf inner = {.n = 0};
        switch (n->kind) {
        case AML_SCOPE:
        case AML_DEVICE:
            if (n->kind == AML_SCOPE)
                aml_byte(a, 0x10);
            else
                aml_byte(a, 0x5b), aml_byte(a, 0x82);
            aml_name(&inner, n->name);
            n = aml_emit(&inner, n + 1) - 1;
            aml_pkg(a, &inner);
            break;
        case AML_NAME_INT:
            aml_byte(a, 0x08);
            aml_name(a, n->name);
            aml_int(a, n->val[0]);
            break;
        case AML_NAME_EISAID: {
            uint32_t id = eisaid(n->eisaid);
            aml_byte(a, 0x08);
            aml_name(a, n->name);
            aml_byte(a, 0x0c);
            for (unsigned i = 0; i < 4; i++)
                aml_byte(a, (uint8_t)(id >> (8 * i)));
            break;
        }
        case AML_NAME_PKG:
            aml_byte(a, 0x08);
            aml_name(a, n->name);
            aml_byte(a, 0x12);
            aml_byte(&inner, 4); /* NumElements */
            for (unsigned i = 0; i < 4; i++)
                aml_int(&inner, n->val[i]);
            aml_pkg(a, &inner);
            break;
        case AML_NAME_BUF:
            aml_byte(a, 0x08);
            aml_name(a, n->name);
            aml_byte(a, 0x11);
            aml_int(&inner, n->val[0]); /* BufferSize */
            for (uint32_t i = 0; i < n->val[0]; i++)
                aml_byte(&inner, (uint8_t)n->eisaid[i]);
            aml_pkg(a, &inner);
            break;
        }
    }
    return n + 1;
}

/* --- the tables --- */

static uint32_t build_fadt(struct acpi_tables *t, uint32_t facs, uint32_t dsdt)
{
    uint32_t s = table_begin(t, "FACP", 3);
    emit_ptr(t, facs, 4);
    emit_ptr(t, dsdt, 4);
    emit(t, 0, 1);                     /* reserved (INT_MODEL) */
    emit(t, 0, 1);                     /* preferred PM profile: unspecified */
    emit(t, ACPI_SCI_IRQ, 2);
    emit(t, 0, 4);                     /* SMI_CMD: none, always in ACPI mode */
    emit(t, 0, 4);                     /* ACPI_ENABLE, ACPI_DISABLE, S4BIOS_REQ, PSTATE_CNT */
    emit(t, ACPI_PM1_EVT, 4);
    emit(t, 0, 4);
    emit(t, ACPI_PM1_CNT, 4);
    emit(t, 0, 4);
    emit(t, 0, 4);                     /* PM2_CNT */
    emit(t, ACPI_PM_TMR, 4);
    emit(t, 0, 8);                     /* GPE0, GPE1 */
    emit(t, 4, 1);                     /* PM1_EVT_LEN */
    emit(t, 2, 1);                     /* PM1_CNT_LEN */
    emit(t, 0, 1);
    emit(t, 4, 1);                     /* PM_TMR_LEN */
    emit(t, 0, 4);                     /* GPE lengths, GPE1 base, CST_CNT */
    emit(t, 0xfff, 2);                 /* P_LVL2_LAT > 100: no C2 */
    emit(t, 0xfff, 2);                 /* P_LVL3_LAT > 1000: no C3 */
    emit(t, 0, 4);                     /* flush size/stride */
    emit(t, 0, 4);                     /* duty offset/width, day/month alarm */
    emit(t, 0x32, 1);                  /* CMOS century byte */
    emit(t, 0x0003, 2);                /* IAPC_BOOT_ARCH: legacy devices, 8042 */
    emit(t, 0, 1);
    /* WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON (none fixed), RESET_REG_SUP */
    emit(t, 1u << 0 | 1u << 2 | 1u << 4 | 1u << 5 | 1u << 10, 4);
    emit_gas(t, 1, 8, 1, 0xcf9);       /* RESET_REG: the PIIX reset control register */
    emit(t, 6, 1);                     /* RESET_VALUE: CPU reset + system reset */
    emit(t, 0, 3);
    emit_ptr(t, facs, 8);
    emit_ptr(t, dsdt, 8);
    emit_gas(t, 1, 32, 2, ACPI_PM1_EVT);
    emit_gas(t, 0, 0, 0, 0);
    emit_gas(t, 1, 16, 2, ACPI_PM1_CNT);
    emit_gas(t, 0, 0, 0, 0);
    emit_gas(t, 0, 0, 0, 0);
    emit_gas(t, 1, 32, 3, ACPI_PM_TMR);
    emit_gas(t, 0, 0, 0, 0);
    emit_gas(t, 0, 0, 0, 0);
    table_end(t, s);
    return s;
}

/* ISA IRQs whose MADT override makes them level/active high (QEMU's
 * set: the SCI and the PCI PIRQ targets), plus IRQ0 -> GSI 2. */
const uint8_t acpi_level_irqs[ACPI_LEVEL_IRQS_N] = {5, ACPI_SCI_IRQ, 10, 11};

static uint32_t build_madt(struct acpi_tables *t, unsigned ncpus)
{
    uint32_t s = table_begin(t, "APIC", 1);
    emit(t, APIC_DEFAULT_BASE, 4);
    emit(t, 1, 4); /* PCAT_COMPAT: there are 8259s to mask */
    for (unsigned i = 0; i < ncpus; i++) {
        emit(t, 0, 1), emit(t, 8, 1);      /* processor local APIC */
        emit(t, i, 1), emit(t, i, 1);      /* processor UID, APIC ID */
        emit(t, 1, 4);                     /* enabled */
    }
    emit(t, 1, 1), emit(t, 12, 1);         /* I/O APIC */
    emit(t, 0, 1), emit(t, 0, 1);          /* ID 0 */
    emit(t, IOAPIC_BASE, 4);
    emit(t, 0, 4);                         /* GSI base */
    emit(t, 2, 1), emit(t, 10, 1);         /* override: IRQ0 -> GSI 2, conforming */
    emit(t, 0, 1), emit(t, 0, 1), emit(t, 2, 4), emit(t, 0, 2);
    for (unsigned i = 0; i < ACPI_LEVEL_IRQS_N; i++) {
        emit(t, 2, 1), emit(t, 10, 1);
        emit(t, 0, 1), emit(t, acpi_level_irqs[i], 1), emit(t, acpi_level_irqs[i], 4);
        emit(t, 0x000d, 2);                /* active high, level */
    }
    emit(t, 4, 1), emit(t, 6, 1);          /* local APIC NMI: all CPUs, LINT1 */
    emit(t, 0xff, 1), emit(t, 0, 2), emit(t, 1, 1);
    table_end(t, s);
    return s;
}

static uint32_t build_hpet(struct acpi_tables *t)
{
    uint32_t s = table_begin(t, "HPET", 1);
    emit(t, HPET_ID, 4);
    emit_gas(t, 0, 64, 0, HPET_BASE);
    emit(t, 0, 1);      /* HPET number */
    emit(t, 0x80, 2);   /* minimum periodic tick */
    emit(t, 0, 1);      /* no page protection */
    table_end(t, s);
    return s;
}

int acpi_build(struct vm *vm, struct acpi_tables *t)
{
    struct aml_buf dsdt = {.n = 0};
    uint32_t entries[3];

    memset(t, 0, sizeof(*t));
    /* FACS first: it must be 64-byte aligned, and so is the blob */
    uint32_t facs = (uint32_t)t->len;
    emit_bytes(t, "FACS", 4);
    emit(t, 64, 4);
    emit(t, 0, 24); /* hardware signature, waking vectors, global lock, flags */
    emit(t, 1, 1);  /* version */
    emit(t, 0, 31);
    aml_emit(&dsdt, dsdt_nodes);
    if (dsdt.n > sizeof(dsdt.b))
        return -ENOSPC;
    uint32_t ds = table_begin(t, "DSDT", 2);
    emit_bytes(t, dsdt.b, dsdt.n);
    table_end(t, ds);
    entries[0] = build_fadt(t, facs, ds);
    entries[1] = build_madt(t, vm->ncpus);
    entries[2] = build_hpet(t);
    uint32_t rsdt = table_begin(t, "RSDT", 1);
    for (unsigned i = 0; i < 3; i++)
        emit_ptr(t, entries[i], 4);
    table_end(t, rsdt);
    uint32_t xsdt = table_begin(t, "XSDT", 1);
    for (unsigned i = 0; i < 3; i++)
        emit_ptr(t, entries[i], 8);
    table_end(t, xsdt);
    if (t->len > sizeof(t->tables) || t->nptr >= ACPI_MAX_FIXUPS - 2 || t->nsum >= ACPI_MAX_FIXUPS - 2)
        return -ENOSPC;

    uint8_t *r = t->rsdp;
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "PCVM  ", 6);
    r[15] = 2; /* ACPI 2.0+: the XSDT is valid */
    put(r + 16, rsdt, 4);
    put(r + 20, 36, 4);
    put(r + 24, xsdt, 8);
    t->ptr[t->nptr++] = (struct acpi_fixup){1, 4, 16, 0, 0};
    t->ptr[t->nptr++] = (struct acpi_fixup){1, 8, 24, 0, 0};
    t->sum[t->nsum++] = (struct acpi_fixup){1, 0, 8, 0, 20};  /* ACPI 1.0 checksum */
    t->sum[t->nsum++] = (struct acpi_fixup){1, 0, 32, 0, 36}; /* extended checksum */
    return 0;
}

void acpi_link(struct acpi_tables *t, uint64_t rsdp_addr, uint64_t tables_addr)
{
    (void)rsdp_addr; /* nothing points at the RSDP */
    for (unsigned i = 0; i < t->nptr; i++) {
        const struct acpi_fixup *f = &t->ptr[i];
        uint8_t *p = (f->in_rsdp ? t->rsdp : t->tables) + f->offset;
        uint64_t v = 0;
        for (unsigned b = 0; b < f->size; b++)
            v |= (uint64_t)p[b] << (8 * b);
        put(p, v + tables_addr, f->size);
    }
    for (unsigned i = 0; i < t->nsum; i++) {
        const struct acpi_fixup *f = &t->sum[i];
        uint8_t *base = f->in_rsdp ? t->rsdp : t->tables, sum = 0;
        base[f->offset] = 0;
        for (uint32_t b = 0; b < f->length; b++)
            sum = (uint8_t)(sum + base[f->start + b]);
        base[f->offset] = (uint8_t)-sum;
    }
}

/* --- QEMU's table loader (docs/specs/fw_cfg.txt, hw/acpi/bios-linker-loader.c) --- */

#define LOADER_ENTRY 128
#define LOADER_FILE 56

static size_t loader_cmd(uint8_t *out, size_t cap, size_t at, uint32_t cmd, const char *f1, const char *f2,
                         const uint32_t *words, unsigned nwords, int last_byte)
{
    if (at + LOADER_ENTRY > cap)
        return at;
    uint8_t *e = out + at;
    memset(e, 0, LOADER_ENTRY);
    put(e, cmd, 4);
    size_t p = 4;
    strncpy((char *)e + p, f1, LOADER_FILE - 1);
    p += LOADER_FILE;
    if (f2) {
        strncpy((char *)e + p, f2, LOADER_FILE - 1);
        p += LOADER_FILE;
    }
    for (unsigned i = 0; i < nwords; i++, p += 4)
        put(e + p, words[i], 4);
    if (last_byte >= 0)
        e[p] = (uint8_t)last_byte;
    return at + LOADER_ENTRY;
}

size_t acpi_loader_script(const struct acpi_tables *t, uint8_t *out, size_t cap)
{
    static const char *const files[2] = {"etc/acpi/tables", "etc/acpi/rsdp"};
    size_t n = 0;
    uint32_t w[3];
    w[0] = 64; /* ALLOCATE tables: align 64, zone HIGH */
    n = loader_cmd(out, cap, n, 1, files[0], NULL, w, 1, 1);
    w[0] = 16; /* ALLOCATE rsdp: align 16, zone FSEG (where the OS scans) */
    n = loader_cmd(out, cap, n, 1, files[1], NULL, w, 1, 2);
    for (unsigned i = 0; i < t->nptr; i++) { /* ADD_POINTER dest, src = tables, offset, size */
        w[0] = t->ptr[i].offset;
        n = loader_cmd(out, cap, n, 2, files[t->ptr[i].in_rsdp], files[0], w, 1, t->ptr[i].size);
    }
    for (unsigned i = 0; i < t->nsum; i++) { /* ADD_CHECKSUM file, offset, start, length */
        w[0] = t->sum[i].offset;
        w[1] = t->sum[i].start;
        w[2] = t->sum[i].length;
        n = loader_cmd(out, cap, n, 3, files[t->sum[i].in_rsdp], NULL, w, 3, -1);
    }
    return n;
}

/* --- PM1 registers --- */

struct dev_acpi {
    pthread_mutex_t lock;
    struct vm *vm;
    struct irq_line sci;
    uint16_t sts, en, cnt;
    bool sleeping;     /* in S3 until a wake event */
    uint16_t wake_sts; /* what the wake sets in sts after its reset */
};

static void sci_update(struct dev_acpi *d)
{
    irq_set(&d->sci, (d->sts & d->en) != 0);
}

static uint64_t evt_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_acpi *d = opaque;
    pthread_mutex_lock(&d->lock);
    uint32_t v = (uint32_t)d->sts | (uint32_t)d->en << 16;
    pthread_mutex_unlock(&d->lock);
    v >>= 8 * off;
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void evt_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_acpi *d = opaque;
    pthread_mutex_lock(&d->lock);
    for (unsigned i = 0; i < size && off + i < 4; i++) {
        unsigned byte = (unsigned)off + i;
        uint16_t b = (uint16_t)(((val >> (8 * i)) & 0xff) << (8 * (byte & 1)));
        if (byte < 2)
            d->sts &= (uint16_t)~b; /* status bits clear when written with 1 */
        else
            d->en = (uint16_t)((d->en & ~(0xff << (8 * (byte & 1)))) | (b & PM1_EN_MASK));
    }
    sci_update(d);
    pthread_mutex_unlock(&d->lock);
}

static uint64_t cnt_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_acpi *d = opaque;
    pthread_mutex_lock(&d->lock);
    uint32_t v = (uint32_t)(d->cnt | PM1_SCI_EN) >> (8 * off);
    pthread_mutex_unlock(&d->lock);
    return size >= 2 ? v & 0xffff : v & 0xff;
}

static void cnt_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_acpi *d = opaque;
    uint16_t v = (uint16_t)(val << (8 * off));
    if (size == 1) /* a byte write keeps the other byte */
        v |= (uint16_t)(d->cnt & (off ? 0x00ff : 0xff00));
    pthread_mutex_lock(&d->lock);
    d->cnt = v & 0x1c02; /* SLP_TYP, BM_RLD; SLP_EN and GBL_RLS are write-only */
    bool s3 = (v & PM1_SLP_EN) && ((v >> 10) & 7) == ACPI_SLP_TYP_S3;
    if (s3)
        d->sleeping = true;
    pthread_mutex_unlock(&d->lock);
    if ((v & PM1_SLP_EN) && ((v >> 10) & 7) == ACPI_SLP_TYP_S5)
        vm_request(d->vm, VM_FF_POWER_OFF);
    if (s3) {
        struct dev_rtc *rtc = bus_find_device(&d->vm->bus, "rtc");
        if (rtc && d->vm->cfg.bios) /* a BIOS's POST takes CMOS shutdown status 0xFE as S3 resume */
            dev_rtc_cmos_write(rtc, 0x0f, 0xfe);
        vm_s3_sleep(d->vm);
    }
}

/* Ends S3 with the wake event's status bit; false when not asleep. */
static bool acpi_wake(struct dev_acpi *d, uint16_t sts)
{
    pthread_mutex_lock(&d->lock);
    bool was = d->sleeping;
    if (was) {
        d->sleeping = false;
        d->wake_sts = PM1_WAK_STS | sts;
    }
    pthread_mutex_unlock(&d->lock);
    if (was)
        vm_s3_wake(d->vm);
    return was;
}

void acpi_rtc_alarm(struct vm *vm)
{
    struct dev_acpi *d = bus_find_device(&vm->bus, "acpi");
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    bool enabled = d->en & PM1_RTC_STS;
    pthread_mutex_unlock(&d->lock);
    if (enabled)
        acpi_wake(d, PM1_RTC_STS);
}

uint32_t acpi_waking_vector(struct vm *vm)
{
    /* without -bios the FACS is the first table (acpi_build) */
    return (uint32_t)pgm_read_u(&vm->pgm, ACPI_TABLES_ADDR + 12, 4);
}

static const struct io_ops evt_ops = {evt_read, evt_write};

int acpi_power_button(struct vm *vm)
{
    struct dev_acpi *d = bus_find_device(&vm->bus, "acpi");
    if (!d)
        return -ENODEV;
    if (acpi_wake(d, PM1_PWRBTN_STS))
        return 0;
    pthread_mutex_lock(&d->lock);
    d->sts |= PM1_PWRBTN_STS; /* the guest's SCI handler sees it when PWRBTN_EN is set */
    sci_update(d);
    pthread_mutex_unlock(&d->lock);
    return 0;
}
static const struct io_ops cnt_ops = {cnt_read, cnt_write};

static void acpi_reset(void *opaque)
{
    struct dev_acpi *d = opaque;
    bool resume = atomic_load(&d->vm->s3_resume);
    pthread_mutex_lock(&d->lock);
    d->sts = resume ? d->wake_sts : 0;
    d->en = d->cnt = 0;
    d->sleeping = false;
    sci_update(d);
    pthread_mutex_unlock(&d->lock);
    if (resume || d->vm->cfg.bios)
        return; /* a BIOS builds its own tables (from fw_cfg) */
    struct acpi_tables *t = malloc(sizeof(*t));
    if (t && acpi_build(d->vm, t) == 0) {
        acpi_link(t, ACPI_RSDP_ADDR, ACPI_TABLES_ADDR);
        pgm_load(&d->vm->pgm, ACPI_RSDP_ADDR, t->rsdp, sizeof(t->rsdp));
        pgm_load(&d->vm->pgm, ACPI_TABLES_ADDR, t->tables, t->len);
    }
    free(t);
    mptable_install(d->vm);
}

static void acpi_destroy(void *opaque)
{
    struct dev_acpi *d = opaque;
    pthread_mutex_destroy(&d->lock);
    free(d);
}

/* The PM timer reads the virtual clock: nothing of its own to save. */
static const struct ss_field acpi_fields[] = {
    SS_FIELD(struct dev_acpi, sts, U16), SS_FIELD(struct dev_acpi, en, U16),
    SS_FIELD(struct dev_acpi, cnt, U16),
    /* version 2: S3 */
    SS_FIELD_V(struct dev_acpi, sleeping, BOOL, 2), SS_FIELD_V(struct dev_acpi, wake_sts, U16, 2),
    SS_END,
};

/* A state saved in S3 sleeps on when loaded (the vCPUs check vm->ff
 * before each slice), one saved awake runs. */
static void acpi_post_load(void *opaque)
{
    struct dev_acpi *d = opaque;
    if (d->sleeping)
        atomic_fetch_or(&d->vm->ff, VM_FF_SLEEP);
    else
        atomic_fetch_and(&d->vm->ff, ~VM_FF_SLEEP);
}
static const struct ss_desc acpi_ss = {2, acpi_fields, NULL, acpi_post_load};

int dev_acpi_create(struct vm *vm)
{
    struct dev_acpi *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    pthread_mutex_init(&d->lock, NULL);
    d->vm = vm;
    d->sci = pc_isa_irq(vm, ACPI_SCI_IRQ);
    if (bus_pio_register(&vm->bus, ACPI_PM1_EVT, 4, &evt_ops, d, "acpi-pm1-evt") < 0 ||
        bus_pio_register(&vm->bus, ACPI_PM1_CNT, 2, &cnt_ops, d, "acpi-pm1-cnt") < 0 ||
        bus_add_device(&vm->bus, "acpi", d, acpi_reset, acpi_destroy) < 0 ||
        bus_describe(&vm->bus, d, &acpi_ss) < 0) {
        acpi_destroy(d);
        return -EBUSY;
    }
    acpi_reset(d);
    return 0;
}
