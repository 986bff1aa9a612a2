/* The Intel MultiProcessor Specification 1.4 tables the built-in BIOS
 * provides beside ACPI's MADT, for systems that look for them instead
 * (Linux with acpi=off, older kernels): one processor entry per vCPU (the
 * BSP flagged), the ISA bus, the I/O APIC and its ISA interrupt routing,
 * the same as the MADT says (IRQ0 on pin 2, the level-triggered set), and
 * ExtINT/NMI on every local APIC's LINT0/LINT1.
 *
 * Invariants:
 * - The floating pointer sits in the BIOS ROM's reserved slot (both
 *   copies: 0xF0000 is in the range an OS scans); the configuration table
 *   goes after the ACPI tables in the reserved 0xE0000 segment.
 * - Both structures carry valid checksums; written only without -bios (a
 *   BIOS image makes its own).
 */
#include <string.h>

#include "devices/acpi.h"
#include "devices/bios/bios.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "vm/vm.h"

#define MP_CONFIG_MAX (44 + 20 * VM_MAX_CPUS + 8 + 8 + 16 * 8 + 2 * 8)
_Static_assert(BIOS_HO_SIZE <= BIOS_MP_FPS, "the MP floating pointer overlaps the handoff block");

struct mp_buf {
    uint8_t b[MP_CONFIG_MAX];
    size_t n;
};

static void put(struct mp_buf *m, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size && m->n < sizeof(m->b); i++)
        m->b[m->n++] = (uint8_t)(v >> (8 * i));
}

static void put_str(struct mp_buf *m, const char *s, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        put(m, (uint8_t)(*s ? *s++ : ' '), 1);
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    while (n--)
        sum = (uint8_t)(sum + *p++);
    return (uint8_t)-sum;
}

static bool is_level(unsigned irq)
{
    for (unsigned i = 0; i < ACPI_LEVEL_IRQS_N; i++)
        if (acpi_level_irqs[i] == irq)
            return true;
    return false;
}

/* An I/O interrupt (type 3) or local interrupt (type 4) entry. */
static void irq_entry(struct mp_buf *m, unsigned type, unsigned kind, unsigned flags, unsigned src_irq,
                      unsigned dst_apic, unsigned dst_pin)
{
    put(m, type, 1), put(m, kind, 1), put(m, flags, 2);
    put(m, 0, 1), put(m, src_irq, 1), put(m, dst_apic, 1), put(m, dst_pin, 1); /* source bus 0: ISA */
}

void mptable_install(struct vm *vm)
{
    struct mp_buf m = {.n = 0};
    unsigned count = 0;

    put_str(&m, "PCMP", 4);
    put(&m, 0, 2);           /* base table length, below */
    put(&m, 4, 1);           /* spec revision 1.4 */
    put(&m, 0, 1);           /* checksum, below */
    put_str(&m, "PCVM", 8);  /* OEM ID */
    put_str(&m, "PCVM", 12); /* product ID */
    put(&m, 0, 4), put(&m, 0, 2); /* no OEM table */
    put(&m, 0, 2);           /* entry count, below */
    put(&m, APIC_DEFAULT_BASE, 4);
    put(&m, 0, 2), put(&m, 0, 1), put(&m, 0, 1); /* no extended table */
    for (unsigned i = 0; i < vm->ncpus; i++, count++) {
        put(&m, 0, 1), put(&m, i, 1), put(&m, 0x14, 1); /* processor, APIC ID, APIC version */
        put(&m, i == 0 ? 3 : 1, 1);                      /* enabled, BSP */
        put(&m, iem_cpu_signature(&vm->cpus[i]), 4);
        put(&m, 0x201, 4);                               /* CPUID.1:EDX FPU and APIC */
        put(&m, 0, 8);
    }
    put(&m, 1, 1), put(&m, 0, 1), put_str(&m, "ISA", 6), count++; /* bus 0 */
    put(&m, 2, 1), put(&m, 0, 1), put(&m, 0x20, 1), put(&m, 1, 1), count++; /* I/O APIC 0, enabled */
    put(&m, IOAPIC_BASE, 4);
    irq_entry(&m, 3, 3, 0, 0, 0, 0), count++; /* ExtINT on pin 0 */
    for (unsigned irq = 0; irq < 16; irq++) {
        if (irq == 2)
            continue; /* the cascade: IRQ0 has its pin */
        /* level-triggered, active high (as the MADT's overrides), else as the bus says */
        irq_entry(&m, 3, 0, is_level(irq) ? 0x0d : 0, irq, 0, irq == 0 ? 2 : irq), count++;
    }
    irq_entry(&m, 4, 3, 0, 0, 0xff, 0), count++; /* ExtINT: every LINT0 */
    irq_entry(&m, 4, 1, 0, 0, 0xff, 1), count++; /* NMI: every LINT1 */
    m.b[4] = (uint8_t)m.n, m.b[5] = (uint8_t)(m.n >> 8);
    m.b[34] = (uint8_t)count, m.b[35] = (uint8_t)(count >> 8);
    m.b[7] = checksum(m.b, m.n);

    uint8_t fps[16] = {'_', 'M', 'P', '_'};
    for (unsigned i = 0; i < 4; i++)
        fps[4 + i] = (uint8_t)(MP_CONFIG_ADDR >> (8 * i));
    fps[8] = 1; /* length in 16-byte units */
    fps[9] = 4; /* spec revision 1.4; feature bytes 0: the table is present */
    fps[10] = checksum(fps, 16);
    pgm_load(&vm->pgm, MP_CONFIG_ADDR, m.b, m.n);
    pgm_load(&vm->pgm, BIOS_ROM_LOW + BIOS_MP_FPS, fps, sizeof(fps));
    pgm_load(&vm->pgm, BIOS_ROM_HIGH + BIOS_MP_FPS, fps, sizeof(fps));
}
