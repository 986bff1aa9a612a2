/* Local APIC: register semantics, priority (TPR/PPR/ISR/EOI), the timer
 * against the deterministic virtual clock, IPIs between two vCPUs
 * (fixed, NMI, INIT/SIPI), x2APIC MSRs and mode rules, CR8. */
#include <criterion/criterion.h>

#include "cpu/iem.h"
#include "devices/lapic.h"
#include "vm/clock.h"
#include "vm/vm.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 2, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    pc_set_deterministic(vm, 0);
    lapic_set_current(&vm->cpus[0]);
}

static void teardown(void)
{
    lapic_set_current(NULL);
    vm_destroy(vm);
}

static uint32_t rd(unsigned cpu, unsigned off)
{
    lapic_set_current(&vm->cpus[cpu]);
    return (uint32_t)pgm_read_u(&vm->pgm, APIC_DEFAULT_BASE + off, 4);
}
static void wr(unsigned cpu, unsigned off, uint32_t v)
{
    lapic_set_current(&vm->cpus[cpu]);
    pgm_write_u(&vm->pgm, APIC_DEFAULT_BASE + off, v, 4);
}
static unsigned ff(unsigned cpu) { return atomic_load(&vm->cpus[cpu].ff); }
static void advance(uint64_t ns)
{
    struct vm_clock *c = vm_clock(vm);
    clock_warp(c, clock_now(c) + ns);
    clock_run_timers(c);
}

TestSuite(lapic, .init = setup, .fini = teardown);

Test(lapic, reset_state)
{
    cr_assert_eq(rd(0, 0x20), 0);
    cr_assert_eq(rd(1, 0x20), 1u << 24, "AP's ID is its index");
    cr_assert_eq(rd(0, 0x30), 0x50014);
    cr_assert_eq(rd(0, 0xf0), 0xff, "software disabled, spurious 0xFF");
    cr_assert_eq(rd(0, 0xe0), 0xffffffffu);
    for (unsigned i = 0; i < 6; i++)
        cr_assert_eq(rd(0, 0x320 + 0x10 * i), 0x10000, "LVT %u masked", i);
    cr_assert(!vcpu_intc_wait_sipi(&vm->cpus[0]));
    cr_assert(vcpu_intc_wait_sipi(&vm->cpus[1]), "APs wait for SIPI");
}

Test(lapic, disabled_apic_takes_no_fixed_interrupt)
{
    wr(0, 0x300, 0x44050); /* self IPI 0x50 */
    cr_assert_eq(rd(0, 0x200 + 0x20), 0);
    cr_assert(!(ff(0) & VCPU_FF_INTERRUPT_APIC));
}

Test(lapic, priority_isr_eoi)
{
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x80, 0x50);
    wr(0, 0x300, 0x44045);
    cr_assert(!(ff(0) & VCPU_FF_INTERRUPT_APIC), "class 4 <= TPR class 5");
    cr_assert_eq(rd(0, 0x220), 1u << 5);
    cr_assert_eq(vcpu_intc_ack(&vm->cpus[0]), -1);
    wr(0, 0x300, 0x44061);
    cr_assert(ff(0) & VCPU_FF_INTERRUPT_APIC);
    cr_assert_eq(vcpu_intc_ack(&vm->cpus[0]), 0x61);
    cr_assert_eq(rd(0, 0x130), 1u << 1, "0x61 in service");
    cr_assert_eq(rd(0, 0xa0), 0x60, "PPR = ISR class");
    wr(0, 0x80, 0);
    cr_assert_eq(rd(0, 0xa0), 0x60);
    cr_assert(!(ff(0) & VCPU_FF_INTERRUPT_APIC), "0x45 is below the in-service class");
    wr(0, 0xb0, 0);
    cr_assert_eq(rd(0, 0x130), 0);
    cr_assert(ff(0) & VCPU_FF_INTERRUPT_APIC);
    cr_assert_eq(vcpu_intc_ack(&vm->cpus[0]), 0x45);
    wr(0, 0xb0, 0);
    cr_assert_eq(rd(0, 0xa0), 0);
}

Test(lapic, cr8_is_tpr_high_nibble)
{
    wr(0, 0x80, 0x3f);
    cr_assert_eq(vcpu_intc_get_cr8(&vm->cpus[0]), 3);
    vcpu_intc_set_cr8(&vm->cpus[0], 9);
    cr_assert_eq(rd(0, 0x80), 0x90);
}

Test(lapic, illegal_vector_and_esr)
{
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x300, 0x44003);
    wr(0, 0x280, 0);
    cr_assert_eq(rd(0, 0x280), 0x20, "send illegal vector");
    wr(0, 0x280, 0);
    cr_assert_eq(rd(0, 0x280), 0);
    (void)rd(0, 0x2f0); /* CMCI: not implemented */
    wr(0, 0x280, 0);
    cr_assert_eq(rd(0, 0x280), 0x80, "illegal register address");
}

Test(lapic, software_disable_masks_lvt)
{
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x350, 0x700);
    cr_assert_eq(rd(0, 0x350), 0x700);
    wr(0, 0xf0, 0xff);
    cr_assert_eq(rd(0, 0x350), 0x10700);
    wr(0, 0x350, 0x700);
    cr_assert_eq(rd(0, 0x350), 0x10700, "mask stays while disabled");
}

Test(lapic, pic_passes_only_through_extint_or_disabled)
{
    struct vcpu *v = &vm->cpus[0];
    cr_assert(vcpu_intc_pic_allowed(v), "software-disabled APIC passes INTR");
    wr(0, 0xf0, 0x1ff);
    cr_assert(!vcpu_intc_pic_allowed(v), "LINT0 masked");
    wr(0, 0x350, 0x700);
    cr_assert(vcpu_intc_pic_allowed(v), "LINT0 ExtINT");
    cr_assert(!vcpu_intc_pic_allowed(&vm->cpus[1]), "only the BSP");
}

Test(lapic, oneshot_timer)
{
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x3e0, 0x3); /* divide by 16 */
    wr(0, 0x320, 0x40);
    wr(0, 0x380, 1000);
    cr_assert_eq(rd(0, 0x390), 1000);
    advance(160);
    cr_assert_eq(rd(0, 0x390), 990);
    cr_assert(!(ff(0) & VCPU_FF_INTERRUPT_APIC));
    advance(16000 - 160);
    cr_assert_eq(rd(0, 0x390), 0);
    cr_assert(ff(0) & VCPU_FF_INTERRUPT_APIC);
    cr_assert_eq(vcpu_intc_ack(&vm->cpus[0]), 0x40);
    wr(0, 0xb0, 0);
    advance(100000);
    cr_assert(!(ff(0) & VCPU_FF_INTERRUPT_APIC), "one shot");
}

Test(lapic, periodic_timer)
{
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x3e0, 0xb); /* divide by 1 */
    wr(0, 0x320, 0x20041);
    wr(0, 0x380, 100000);
    advance(250000);
    cr_assert_eq(rd(0, 0x390), 50000, "reloads each period");
    cr_assert_eq(vcpu_intc_ack(&vm->cpus[0]), 0x41);
    wr(0, 0xb0, 0);
    advance(100000);
    cr_assert_eq(vcpu_intc_ack(&vm->cpus[0]), 0x41, "fires again");
    wr(0, 0xb0, 0);
    wr(0, 0x320, 0x41); /* mode change disarms */
    cr_assert_eq(rd(0, 0x390), 0);
}

Test(lapic, tsc_deadline_timer)
{
    struct vcpu *v = &vm->cpus[0];
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x320, 0x40042);
    vcpu_intc_tsc_deadline_write(v, iem_tsc(v) + 5000);
    cr_assert_neq(vcpu_intc_tsc_deadline_read(v), 0);
    advance(4000);
    cr_assert(!(ff(0) & VCPU_FF_INTERRUPT_APIC));
    advance(1000);
    cr_assert_eq(vcpu_intc_ack(v), 0x42);
    cr_assert_eq(vcpu_intc_tsc_deadline_read(v), 0, "disarmed after firing");
    wr(0, 0x380, 1234);
    cr_assert_eq(rd(0, 0x380), 0, "initial count ignored in TSC-deadline mode");
}

Test(lapic, ipi_to_other_vcpu)
{
    wr(1, 0xf0, 0x1ff);
    wr(0, 0x310, 1u << 24);
    wr(0, 0x300, 0x4070);
    cr_assert(ff(1) & VCPU_FF_INTERRUPT_APIC);
    cr_assert(!(ff(0) & VCPU_FF_INTERRUPT_APIC));
    cr_assert_eq(vcpu_intc_ack(&vm->cpus[1]), 0x70);
    /* logical flat: AP has bit 3 */
    wr(1, 0xd0, 0x08000000);
    wr(0, 0x310, 0x08000000);
    wr(0, 0x300, 0x4871);
    cr_assert_eq(rd(1, 0x200 + 0x30), 1u << 17);
    /* cluster model: cluster 1 member 2 */
    wr(1, 0xe0, 0x0fffffff);
    wr(1, 0xd0, 0x12000000);
    wr(0, 0x310, 0x22000000);
    wr(0, 0x300, 0x4872);
    cr_assert_eq((rd(1, 0x230) >> 18) & 1, 0, "wrong cluster");
    wr(0, 0x310, 0x13000000);
    wr(0, 0x300, 0x4872);
    cr_assert_eq((rd(1, 0x230) >> 18) & 1, 1);
    /* NMI */
    wr(0, 0x310, 1u << 24);
    wr(0, 0x300, 0x4400);
    cr_assert(ff(1) & VCPU_FF_NMI);
}

Test(lapic, init_sipi)
{
    struct vcpu *ap = &vm->cpus[1];
    wr(0, 0x310, 1u << 24);
    wr(0, 0x300, 0x4608);
    cr_assert(ff(1) & VCPU_FF_SIPI, "an AP in wait-for-SIPI takes a SIPI");
    cr_assert_eq(vcpu_intc_take_sipi(ap), 8);
    cr_assert(!vcpu_intc_wait_sipi(ap));
    vcpu_ff_clear(ap, VCPU_FF_SIPI);
    wr(0, 0x300, 0x4609);
    cr_assert(!(ff(1) & VCPU_FF_SIPI), "a running AP ignores SIPI");
    wr(0, 0x300, 0x8500); /* INIT level de-assert: nothing */
    cr_assert(!(ff(1) & VCPU_FF_INIT));
    wr(0, 0x300, 0x4500);
    cr_assert(ff(1) & VCPU_FF_INIT);
    cr_assert(vcpu_intc_wait_sipi(ap));
}

Test(lapic, x2apic_mode)
{
    struct vcpu *v = &vm->cpus[1];
    uint64_t val;
    lapic_set_current(v);
    cr_assert_eq(vcpu_intc_msr_read(v, 0x802, &val), -1, "x2APIC MSRs #GP in xAPIC mode");
    cr_assert_eq(vcpu_intc_base_write(v, APIC_DEFAULT_BASE | APIC_BASE_EXTD, 0xfffffff000ull), -1, "EXTD without EN");
    cr_assert_eq(vcpu_intc_base_write(v, APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD, 0xfffffff000ull), 0);
    cr_assert_eq(vcpu_intc_msr_read(v, 0x802, &val), 0);
    cr_assert_eq(val, 1);
    cr_assert_eq(vcpu_intc_msr_read(v, 0x80d, &val), 0);
    cr_assert_eq(val, 2, "LDR derived from the ID");
    cr_assert_eq(vcpu_intc_msr_read(v, 0x80e, &val), -1, "no DFR");
    cr_assert_eq(vcpu_intc_msr_write(v, 0x80b, 1), -1, "non-zero EOI #GP");
    cr_assert_eq(rd(1, 0x20), 0xffffffffu, "the xAPIC page is gone");
    lapic_set_current(v);
    cr_assert_eq(vcpu_intc_msr_write(v, 0x80f, 0x1ff), 0);
    cr_assert_eq(vcpu_intc_msr_write(v, 0x83f, 0x55), 0, "self IPI");
    cr_assert_eq(vcpu_intc_ack(v), 0x55);
    cr_assert_eq(vcpu_intc_base_write(v, APIC_DEFAULT_BASE | APIC_BASE_EN, 0xfffffff000ull), -1, "x2APIC -> xAPIC");
    cr_assert_eq(vcpu_intc_base_write(v, APIC_DEFAULT_BASE, 0xfffffff000ull), 0, "x2APIC -> disabled");
}

Test(lapic, relocation)
{
    struct vcpu *v = &vm->cpus[0];
    lapic_set_current(v);
    cr_assert_eq(vcpu_intc_base_write(v, 0xfee10000ull | APIC_BASE_EN, 0xfffffff000ull), 0);
    cr_assert_eq(v->cpu.apic_base, 0xfee10000ull | APIC_BASE_EN | APIC_BASE_BSP);
    cr_assert_eq((uint32_t)pgm_read_u(&vm->pgm, 0xfee10030, 4), 0x50014);
    cr_assert_eq(rd(0, 0x30), 0xffffffffu, "the old page no longer decodes");
}

/* Hardware lets the APIC move any number of times; the last page decodes. */
Test(lapic, relocation_any_number_of_times)
{
    struct vcpu *v = &vm->cpus[0];
    lapic_set_current(v);
    for (uint64_t k = 1; k <= 12; k++) {
        uint64_t base = 0xfee00000ull + (k << 16);
        cr_assert_eq(vcpu_intc_base_write(v, base | APIC_BASE_EN, 0xfffffff000ull), 0, "move %llu",
                     (unsigned long long)k);
        cr_assert_eq((uint32_t)pgm_read_u(&vm->pgm, base + 0x30, 4), 0x50014, "move %llu",
                     (unsigned long long)k);
    }
    cr_assert_eq((uint32_t)pgm_read_u(&vm->pgm, APIC_DEFAULT_BASE + 0x30, 4), 0xffffffffu,
                 "the default page (kept: vCPU 1 uses it) no longer decodes for vCPU 0");
}
