/* The HPET (hpet.c). */
#ifndef PCVM_HPET_H
#define PCVM_HPET_H

#include <stdint.h>

struct vm;
struct dev_ioapic;

#define HPET_BASE 0xfed00000u
#define HPET_TIMERS 3
#define HPET_PERIOD_FS 10000000u /* 100 MHz */
/* The capabilities' low half, also the ACPI HPET table's block ID:
 * revision 1, 3 timers, 64-bit counter, legacy replacement, vendor 8086. */
#define HPET_ID (0x01u | (HPET_TIMERS - 1u) << 8 | 1u << 13 | 1u << 15 | 0x8086u << 16)

/* Maps the HPET at HPET_BASE; its timers reach the ISA IRQs (legacy
 * replacement) or the I/O APIC pins. Registers as the bus device "hpet". */
int dev_hpet_create(struct vm *vm, struct dev_ioapic *ioapic);

#endif
