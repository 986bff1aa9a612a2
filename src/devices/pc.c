/* The PC machine: the fixed devices of an i440FX/PIIX3 PC, wired together.
 *
 * Invariants:
 * - pc_machine_create runs once per VM, before any optional device, and
 *   creates every device below whatever the options (-nodefaults too):
 *   the virtual clock, the 8259 pair (vm->intr_ack), the 8254 on IRQ0, the
 *   MC146818 on IRQ8, port 0x92, the i8042 on IRQ1/IRQ12, the PCI host
 *   bridge (i440FX, 0:0.0) with the PIIX3 ISA bridge (0:1.0), QEMU's
 *   pc-testdev ports and the ACPI PM timer.
 * - ISA IRQ n is the PIC input n (IRQ2 is the cascade and cannot be
 *   raised); PCI INTx reach the PIC through the PIIX3 PIRQ route registers.
 * - Every device registers a reset callback: bus_reset brings the machine
 *   to its power-on state (CMOS time and RAM survive, as with a battery).
 * - All device state lives in the device structs hanging off vm->bus; the
 *   clock and the keyboard controller are found there by name.
 * - Timers run on vCPU 0's thread; every device touched by another thread
 *   (timer callbacks, the GUI's input) has its own lock, taken before the
 *   PIC's lock and never while holding the clock's.
 */
#include <stdio.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pci.h"
#include "vm/clock.h"
#include "vm/vm.h"

#define FIXED_EPOCH 1704067200 /* 2024-01-01 00:00:00 UTC */

static void *find_device(struct vm *vm, const char *name)
{
    for (unsigned i = 0; i < vm->bus.ndevs; i++)
        if (!strcmp(vm->bus.devs[i].name, name))
            return vm->bus.devs[i].opaque;
    return NULL;
}

struct irq_line pc_isa_irq(struct vm *vm, unsigned n)
{
    if (vm->intr_ack != dev_pic_intr_ack || n >= 16)
        return (struct irq_line){0};
    return (struct irq_line){dev_pic_set_irq, vm->intr_opaque, n};
}

struct dev_i8042 *pc_i8042(struct vm *vm)
{
    return find_device(vm, "i8042");
}

void pc_set_deterministic(struct vm *vm, unsigned shift)
{
    struct vm_clock *c = vm_clock(vm);
    struct dev_rtc *rtc = find_device(vm, "rtc");
    if (c)
        clock_set_icount(c, true, shift);
    if (rtc)
        dev_rtc_set_time(rtc, FIXED_EPOCH);
}

int pc_machine_create(struct vm *vm, char *err, size_t errlen)
{
    struct vm_clock *clock;
    struct dev_pic *pic;
    struct dev_pit *pit;
    struct dev_rtc *rtc;
    struct dev_i8042 *kbc;
    void *rcr;
    const char *what;

    what = "the virtual clock";
    if (clock_create(vm, &clock) < 0)
        goto fail;
    what = "the interrupt controllers";
    if (dev_pic_create(vm, &pic) < 0)
        goto fail;
    what = "the timer (8254)";
    if (dev_pit_create(vm, pc_isa_irq(vm, 0), &pit) < 0)
        goto fail;
    what = "the RTC/CMOS";
    if (dev_rtc_create(vm, pc_isa_irq(vm, 8), &rtc) < 0)
        goto fail;
    what = "port 0x92";
    if (dev_port92_create(vm, &rcr) < 0)
        goto fail;
    what = "the keyboard controller";
    if (dev_i8042_create(vm, pc_isa_irq(vm, 1), pc_isa_irq(vm, 12), &kbc) < 0)
        goto fail;
    what = "the PCI host bridge";
    if (dev_pci_create(vm, rcr) < 0)
        goto fail;
    what = "pc-testdev";
    if (dev_testdev_create(vm) < 0)
        goto fail;
    what = "the ACPI PM timer";
    if (dev_pmtimer_create(vm, 0x608) < 0)
        goto fail;
    /* VGA: (the display adapter is created here) */
    /* IDE: (the PIIX3 IDE controller is created here) */
    return 0;
fail:
    snprintf(err, errlen, "cannot create %s", what);
    return -1;
}
