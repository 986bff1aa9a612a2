/* The i8042's interrupt line as an edge-triggered 8259 input sees it:
 * every byte of a multi-byte keyboard reply (GET ID: FA AB 83) must make
 * an edge of its own, or a guest that takes one byte per interrupt (Linux)
 * loses the rest. */
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
static bool intr(void) { return atomic_load(&vm->cpus[0].ff) & VCPU_FF_INTERRUPT_PIC; }

TestSuite(i8042_irq, .init = setup, .fini = teardown);

Test(i8042_irq, each_reply_byte_is_an_edge)
{
    static const uint8_t reply[] = {0xfa, 0xab, 0x83};
    /* 8259 pair: edge triggered, vectors 0x20/0x28, nothing masked */
    out8(0x20, 0x11), out8(0xa0, 0x11);
    out8(0x21, 0x20), out8(0xa1, 0x28);
    out8(0x21, 4), out8(0xa1, 2);
    out8(0x21, 1), out8(0xa1, 1);
    out8(0x21, 0), out8(0xa1, 0);
    out8(0x64, 0x60); /* command byte: keyboard interrupt on, no translation */
    out8(0x60, 0x01);
    out8(0x60, 0xf2); /* GET ID */
    for (unsigned i = 0; i < sizeof(reply); i++) {
        cr_assert(intr(), "an interrupt for reply byte %u", i);
        cr_assert_eq(vm->intr_ack(vm->intr_opaque), 0x21);
        out8(0x20, 0x20); /* EOI before the read, as Linux's handler returns */
        cr_assert_eq(in8(0x60), reply[i]);
    }
    cr_assert_not(intr(), "nothing left to report");
}
