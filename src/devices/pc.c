/* The PC machine: the fixed devices of an i440FX/PIIX3 PC, wired together.
 *
 * Invariants:
 * - pc_machine_create runs once per VM, before any optional device, and
 *   creates every device below whatever the options (-nodefaults too):
 *   the virtual clock, the 8259 pair (vm->intr_ack), the 8254 on IRQ0
 *   (not with -machine pit=off, as QEMU's pc machine), the
 *   MC146818 on IRQ8, port 0x92, the i8042 on IRQ1/IRQ12, the PCI host
 *   bridge (i440FX, 0:0.0) with the PIIX3 ISA bridge (0:1.0), the ACPI
 *   PM timer and PM1 registers (with the ACPI
 *   tables when no -bios), a local APIC per vCPU, the I/O APIC, the HPET
 *   and fw_cfg.
 * - ISA IRQ n is the PIC input n (IRQ2 is the cascade and cannot be
 *   raised) and I/O APIC pin n, except IRQ0, which is pin 2 (QEMU's pc
 *   wiring, matched by the MADT's override); PCI INTx reach both through
 *   the PIIX3 PIRQ route registers.
 * - Every device registers a reset callback: bus_reset brings the machine
 *   to its power-on state (CMOS time and RAM survive, as with a battery).
 * - All device state lives in the device structs hanging off vm->bus; the
 *   clock and the keyboard controller are found there by name.
 * - Timers run on vCPU 0's thread; every device touched by another thread
 *   (timer callbacks, the GUI's input) has its own lock, taken before the
 *   PIC's lock and never while holding the clock's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi.h"
#include "devices/devices.h"
#include "devices/fw_cfg.h"
#include "devices/hpet.h"
#include "devices/ide.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "devices/pci.h"
#include "devices/vga.h"
#include "vm/clock.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define FIXED_EPOCH 1704067200 /* 2024-01-01 00:00:00 UTC */

/* The ISA interrupt lines: each reaches the 8259 pair and the I/O APIC. */
struct pc_isa_irqs {
    struct dev_pic *pic;
    struct dev_ioapic *ioapic;
};

static void isa_set_irq(void *opaque, unsigned n, int level)
{
    struct pc_isa_irqs *r = opaque;
    dev_pic_set_irq(r->pic, n, level);
    if (r->ioapic && n != 2)
        ioapic_set_irq(r->ioapic, n ? n : 2, level);
}

struct irq_line pc_isa_irq(struct vm *vm, unsigned n)
{
    struct pc_isa_irqs *r = bus_find_device(&vm->bus, "isa-irq");
    if (!r || n >= 16)
        return (struct irq_line){0};
    return (struct irq_line){isa_set_irq, r, n};
}

static int isa_irqs_create(struct vm *vm, struct dev_pic *pic, struct dev_ioapic *ioapic)
{
    struct pc_isa_irqs *r = calloc(1, sizeof(*r));
    if (!r)
        return -1;
    *r = (struct pc_isa_irqs){pic, ioapic};
    if (bus_add_device(&vm->bus, "isa-irq", r, NULL, free) < 0 ||
        bus_describe(&vm->bus, r, &ss_stateless) < 0) {
        free(r);
        return -1;
    }
    return 0;
}

struct dev_i8042 *pc_i8042(struct vm *vm)
{
    return bus_find_device(&vm->bus, "i8042");
}

void pc_set_deterministic(struct vm *vm, unsigned shift)
{
    struct vm_clock *c = vm_clock(vm);
    struct dev_rtc *rtc = bus_find_device(&vm->bus, "rtc");
    if (c)
        clock_set_icount(c, true, shift);
    if (rtc)
        dev_rtc_set_time(rtc, FIXED_EPOCH);
    /* the clock went back to 0: the 8254 restarts from there too, not from
     * the host time its creation took (a run must not depend on it) */
    for (unsigned i = 0; i < vm->bus.ndevs; i++)
        if (!strcmp(vm->bus.devs[i].name, "pit") && vm->bus.devs[i].reset)
            vm->bus.devs[i].reset(vm->bus.devs[i].opaque);
}

int pc_machine_create(struct vm *vm, char *err, size_t errlen)
{
    struct vm_clock *clock;
    struct dev_pic *pic;
    struct dev_apic *apic;
    struct dev_ioapic *ioapic;
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
    what = "the local APICs";
    if (dev_apic_create(vm, &apic) < 0)
        goto fail;
    what = "the I/O APIC";
    if (dev_ioapic_create(vm, apic, &ioapic) < 0 || isa_irqs_create(vm, pic, ioapic) < 0)
        goto fail;
    what = "the timer (8254)";
    if (!vm->cfg.no_pit && dev_pit_create(vm, pc_isa_irq(vm, 0), &pit) < 0)
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
    what = "the ACPI PM timer";
    if (dev_pmtimer_create(vm, 0x608) < 0)
        goto fail;
    what = "the ACPI PM registers";
    if (dev_acpi_create(vm) < 0)
        goto fail;
    what = "the HPET";
    if (dev_hpet_create(vm, ioapic) < 0)
        goto fail;
    what = "fw_cfg";
    if (dev_fw_cfg_create(vm) < 0)
        goto fail;
    what = "the VGA";
    if (pc_vga_create(vm) < 0)
        goto fail;
    if (dev_ide_create(vm, err, errlen) < 0) /* the PIIX3 IDE function and its drives */
        return -1;
    return 0;
fail:
    snprintf(err, errlen, "cannot create %s", what);
    return -1;
}
