/* The 8259 pair: init sequence, priorities, EOI kinds, masks, cascade,
 * spurious IRQ7/15, level (ELCR) vs edge, poll. */
#include <criterion/criterion.h>

#include "vm/vm.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
}

static void teardown(void)
{
    vm_destroy(vm);
}

static void out8(uint16_t port, uint8_t v) { bus_pio_write(&vm->bus, port, v, 1); }
static uint8_t in8(uint16_t port) { return (uint8_t)bus_pio_read(&vm->bus, port, 1); }
static void irq(unsigned n, int level)
{
    struct irq_line l = pc_isa_irq(vm, n);
    irq_set(&l, level);
}
static bool intr(void) { return atomic_load(&vm->cpus[0].ff) & VCPU_FF_INTERRUPT_PIC; }
static int ack(void) { return vm->intr_ack(vm->intr_opaque); }
static uint8_t isr(uint16_t base) { out8(base, 0x0b); return in8(base); }
static uint8_t irr(uint16_t base) { out8(base, 0x0a); return in8(base); }

static void init(uint8_t icw4)
{
    out8(0x20, 0x11); out8(0xa0, 0x11);
    out8(0x21, 0x20); out8(0xa1, 0x28);
    out8(0x21, 4); out8(0xa1, 2);
    out8(0x21, icw4); out8(0xa1, 1);
}

TestSuite(pic, .init = setup, .fini = teardown);

Test(pic, init_clears_imr_and_sets_vectors)
{
    cr_assert_eq(in8(0x21), 0xff, "all masked at power on");
    init(1);
    cr_assert_eq(in8(0x21), 0, "ICW1 clears IMR");
    irq(3, 1);
    cr_assert(intr());
    cr_assert_eq(ack(), 0x23);
    cr_assert_eq(isr(0x20), 0x08);
    cr_assert(!intr());
    out8(0x20, 0x20);
    cr_assert_eq(isr(0x20), 0);
}

Test(pic, fully_nested_priorities)
{
    init(1);
    irq(5, 1);
    cr_assert_eq(ack(), 0x25);
    irq(6, 1);
    cr_assert(!intr(), "IR6 is below IR5 in service");
    irq(1, 1);
    cr_assert(intr(), "IR1 preempts IR5");
    cr_assert_eq(ack(), 0x21);
    cr_assert_eq(isr(0x20), 0x22);
    out8(0x20, 0x20); /* clears IR1, the highest */
    cr_assert_eq(isr(0x20), 0x20);
    cr_assert(!intr());
    out8(0x20, 0x20);
    cr_assert(intr());
    cr_assert_eq(ack(), 0x26);
}

Test(pic, rotation_and_specific_eoi)
{
    init(1);
    irq(0, 1); irq(4, 1);
    cr_assert_eq(ack(), 0x20);
    out8(0x20, 0xa0); /* rotate on non-specific EOI: IR0 becomes lowest */
    irq(0, 0); irq(0, 1);
    cr_assert_eq(ack(), 0x24, "IR4 before IR0 after the rotation");
    out8(0x20, 0x64); /* specific EOI IR4 */
    cr_assert_eq(isr(0x20), 0);
    cr_assert_eq(ack(), 0x20);
    out8(0x20, 0xe0); /* rotate on specific EOI 0 */
    out8(0x20, 0xc3); /* set priority: IR3 lowest, IR4 highest */
    irq(3, 0); irq(3, 1); irq(5, 0); irq(5, 1);
    cr_assert_eq(ack(), 0x25);
}

Test(pic, masks_and_special_mask_mode)
{
    init(1);
    out8(0x21, 0x02);
    irq(1, 1);
    cr_assert(!intr());
    cr_assert_eq(irr(0x20), 0x02, "a masked request shows in IRR");
    out8(0x21, 0);
    cr_assert(intr());
    irq(4, 1);
    cr_assert_eq(ack(), 0x21);
    cr_assert(!intr(), "IR4 waits behind IR1");
    out8(0x20, 0x68); /* OCW3: set special mask */
    out8(0x21, 0x02); /* mask IR1 (in service) */
    cr_assert(intr(), "special mask: lower priorities come through");
    cr_assert_eq(ack(), 0x24);
    out8(0x20, 0x20); /* non-specific EOI skips the masked IR1 */
    cr_assert_eq(isr(0x20), 0x02);
    out8(0x20, 0x48); /* reset special mask */
}

Test(pic, cascade_and_spurious)
{
    init(1);
    irq(10, 1);
    cr_assert_eq(irr(0x20) & 4, 4, "slave INT on master IR2");
    cr_assert_eq(ack(), 0x2a);
    cr_assert_eq(isr(0x20), 0x04);
    cr_assert_eq(isr(0xa0), 0x04);
    out8(0xa0, 0x20); out8(0x20, 0x20);
    /* a request that goes away before INTA: IR7 / IR15 spurious vectors */
    irq(3, 1); irq(3, 0);
    cr_assert(!intr(), "the request latch follows the falling edge");
    cr_assert_eq(ack(), 0x27);
    cr_assert_eq(isr(0x20), 0, "spurious IR7 sets no ISR bit");
    irq(12, 1);
    cr_assert(intr());
    out8(0xa1, 0x10); /* masked on the slave: its INT, and master IR2, drop */
    cr_assert(!intr());
    cr_assert_eq(ack(), 0x27, "an INTA now is the master's spurious IR7");
    cr_assert_eq(isr(0x20), 0);
}

Test(pic, level_vs_edge)
{
    init(1);
    irq(5, 1);
    cr_assert_eq(ack(), 0x25);
    out8(0x20, 0x20);
    cr_assert(!intr(), "edge: a held line interrupts once");
    out8(0x4d0, 0x20); /* IRQ5 level triggered */
    cr_assert_eq(in8(0x4d0), 0x20);
    cr_assert(intr(), "level: a held line requests again");
    cr_assert_eq(ack(), 0x25);
    out8(0x20, 0x20);
    cr_assert(intr());
    irq(5, 0);
    cr_assert(!intr());
    out8(0x4d0, 0xff);
    out8(0x4d1, 0xff);
    cr_assert_eq(in8(0x4d0), 0xf8, "IRQ0-2 are edge only");
    cr_assert_eq(in8(0x4d1), 0xde, "IRQ8 and IRQ13 are edge only");
}

Test(pic, poll_and_auto_eoi)
{
    init(3);
    irq(6, 1);
    out8(0x20, 0x0c);
    cr_assert_eq(in8(0x20), 0x86);
    cr_assert_eq(isr(0x20), 0, "AEOI leaves no ISR bit");
    out8(0x20, 0x0c);
    cr_assert_eq(in8(0x20) & 0x80, 0, "nothing left to poll");
}

/* Routing a PCI PIRQ to an ISA IRQ that another device holds (the ACPI SCI
 * on a level-triggered IRQ 9, say) must not drop that request. */
Test(pic, pirq_routing_keeps_a_shared_line)
{
    init(1);
    out8(0x4d1, 0x02); /* ELCR: IRQ 9 level-triggered */
    irq(9, 1);
    cr_assert_eq(irr(0xa0) & 0x02, 0x02, "IRQ 9 requested");
    bus_pio_write(&vm->bus, 0xcf8, 0x80000860u, 4); /* PIIX3 (0:1.0) PIRQA route */
    out8(0xcfc, 9);
    cr_assert_eq(irr(0xa0) & 0x02, 0x02, "still requested after PIRQA was routed to it");
    out8(0xcfc, 0x80);
    cr_assert_eq(irr(0xa0) & 0x02, 0x02, "and after the route was disabled again");
    irq(9, 0);
    cr_assert_eq(irr(0xa0) & 0x02, 0, "the device's own release drops it");
}
