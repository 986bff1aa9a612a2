/* The 82093AA I/O APIC (ioapic.c). */
#ifndef PCVM_IOAPIC_H
#define PCVM_IOAPIC_H

#include <stdint.h>

struct vm;
struct dev_apic;
struct dev_ioapic;

#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_PINS 24

/* Maps the I/O APIC at IOAPIC_BASE and takes the local APICs' EOI
 * broadcasts; registers as the bus device "ioapic". */
int dev_ioapic_create(struct vm *vm, struct dev_apic *apic, struct dev_ioapic **out);
/* Input pin (GSI) n: an irq_line's set. */
void ioapic_set_irq(void *ioapic, unsigned pin, int level);

#endif
