/* I/O APIC: registers, edge and level delivery through a local APIC,
 * remote IRR and its EOI broadcast, masking, ISA wiring (IRQ0 -> pin 2). */
#include <criterion/criterion.h>

#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "vm/vm.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    lapic_set_current(&vm->cpus[0]);
    pgm_write_u(&vm->pgm, APIC_DEFAULT_BASE + 0xf0, 0x1ff, 4);
}

static void teardown(void)
{
    lapic_set_current(NULL);
    vm_destroy(vm);
}

static void iow(unsigned reg, uint32_t v)
{
    pgm_write_u(&vm->pgm, IOAPIC_BASE, reg, 4);
    pgm_write_u(&vm->pgm, IOAPIC_BASE + 0x10, v, 4);
}
static uint32_t ior(unsigned reg)
{
    pgm_write_u(&vm->pgm, IOAPIC_BASE, reg, 4);
    return (uint32_t)pgm_read_u(&vm->pgm, IOAPIC_BASE + 0x10, 4);
}
static void isa(unsigned n, int level)
{
    struct irq_line l = pc_isa_irq(vm, n);
    irq_set(&l, level);
}
static void eoi(void) { pgm_write_u(&vm->pgm, APIC_DEFAULT_BASE + 0xb0, 0, 4); }
static int ack(void) { return vcpu_intc_ack(&vm->cpus[0]); }

TestSuite(ioapic, .init = setup, .fini = teardown);

Test(ioapic, registers)
{
    cr_assert_eq(ior(1), 0x00170011);
    cr_assert_eq(ior(0x10), 0x10000, "entries start masked");
    iow(0, 0xffffffff);
    cr_assert_eq(ior(0), 0x0f000000);
    cr_assert_eq(ior(2), 0x0f000000, "arbitration ID follows");
    iow(0x10, 0xffffffff);
    cr_assert_eq(ior(0x10), 0x1afff, "delivery status and remote IRR read-only");
    iow(0x11, 0xffffffff);
    cr_assert_eq(ior(0x11), 0xff000000);
}

Test(ioapic, irq0_on_pin2_edge)
{
    iow(0x14, 0x30);
    isa(0, 1);
    cr_assert_eq(ack(), 0x30);
    eoi();
    isa(0, 1);
    cr_assert_eq(ack(), -1, "no new edge");
    isa(0, 0);
    iow(0x14, 0x10030);
    isa(0, 1);
    isa(0, 0);
    iow(0x14, 0x30);
    cr_assert_eq(ack(), -1, "an edge on a masked pin is lost");
}

Test(ioapic, level_remote_irr)
{
    iow(0x1a, 0x8035); /* pin 5: level */
    isa(5, 1);
    cr_assert_eq(ior(0x1a) & 0x4000, 0x4000);
    cr_assert_eq(ack(), 0x35);
    eoi();
    cr_assert_eq(ack(), 0x35, "still asserted: delivered again after EOI");
    isa(5, 0);
    eoi();
    cr_assert_eq(ior(0x1a) & 0x4000, 0);
    cr_assert_eq(ack(), -1);
}

Test(ioapic, unmask_asserted_level_delivers)
{
    iow(0x1a, 0x18035);
    isa(5, 1);
    cr_assert_eq(ack(), -1);
    iow(0x1a, 0x8035);
    cr_assert_eq(ack(), 0x35);
}
