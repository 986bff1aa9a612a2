/* The vCPU's interrupt-controller interface (vm.h: vcpu_intc_*) and the
 * one vCPU reset: with no controller registered each call gives what a CPU
 * without a local APIC does; with the APIC registered, CR8 and the APIC
 * see the same TPR; INIT keeps IA32_APIC_BASE and the TSC and puts the APIC
 * in its INIT state, RESET does neither. */
#include <criterion/criterion.h>

#include "cpu/iem.h"
#include "devices/lapic.h"
#include "vm/vm.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 2, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    lapic_set_current(&vm->cpus[0]);
}

static void teardown(void)
{
    lapic_set_current(NULL);
    vm_destroy(vm);
}

TestSuite(vcpu_intc, .init = setup, .fini = teardown);

Test(vcpu_intc, the_apic_registers_on_every_vcpu)
{
    for (unsigned i = 0; i < vm->ncpus; i++)
        cr_assert_not_null(vm->cpus[i].intc, "vCPU %u has no interrupt controller", i);
}

Test(vcpu_intc, without_a_controller_the_cpu_has_no_apic)
{
    struct vcpu *bsp = &vm->cpus[0], *ap = &vm->cpus[1];
    uint64_t d;
    vcpu_intc_register(bsp, NULL, NULL);
    vcpu_intc_register(ap, NULL, NULL);
    cr_assert_eq(vcpu_intc_ack(bsp), -1);
    cr_assert(vcpu_intc_pic_allowed(bsp), "INTR is the BSP's pin");
    cr_assert(!vcpu_intc_pic_allowed(ap));
    cr_assert(!vcpu_intc_wait_sipi(ap));
    cr_assert_eq(vcpu_intc_take_sipi(ap), -1);
    vcpu_intc_set_cr8(bsp, 0x9);
    cr_assert_eq(vcpu_intc_get_cr8(bsp), 0x9);
    cr_assert_eq(vcpu_intc_msr_read(bsp, 0x802, &d), -1, "x2APIC MSRs #GP");
    cr_assert_eq(vcpu_intc_base_write(bsp, 1ull << 63, 0xfffffff000ull), -1, "reserved bit");
    bsp->cpu.apic_base = APIC_BASE_BSP;
    cr_assert_eq(vcpu_intc_base_write(bsp, 0xfec00000ull | APIC_BASE_EN, 0xfffffff000ull), 0);
    cr_assert_eq(bsp->cpu.apic_base, 0xfec00000ull | APIC_BASE_EN | APIC_BASE_BSP, "the BSP bit is read-only");
}

Test(vcpu_intc, cr8_is_the_apic_tpr)
{
    struct vcpu *v = &vm->cpus[0];
    vcpu_intc_set_cr8(v, 0x7);
    cr_assert_eq(pgm_read_u(&vm->pgm, APIC_DEFAULT_BASE + 0x80, 4), 0x70, "CR8 writes TPR[7:4]");
    pgm_write_u(&vm->pgm, APIC_DEFAULT_BASE + 0x80, 0xa5, 4);
    cr_assert_eq(vcpu_intc_get_cr8(v), 0xa, "CR8 reads TPR[7:4]");
}

Test(vcpu_intc, init_keeps_apic_base_and_tsc_reset_does_not)
{
    struct vcpu *ap = &vm->cpus[1];
    uint64_t base = 0xfef00000ull | APIC_BASE_EN;
    cr_assert_eq(vcpu_intc_base_write(ap, base, 0xfffffff000ull), 0);
    ap->cpu.tsc_offset = 12345;
    ap->cpu.rip = 0x1234;
    vcpu_ff_set(ap, VCPU_FF_SIPI);
    pgm_write_u(&vm->pgm, APIC_DEFAULT_BASE + 0x80, 0x30, 4); /* BSP's TPR: left alone */
    vcpu_reset(ap, VCPU_RESET_INIT);
    cr_assert_eq(ap->cpu.apic_base, base);
    cr_assert_eq(ap->cpu.tsc_offset, 12345);
    cr_assert_eq(ap->cpu.rip, 0xfff0);
    cr_assert(atomic_load(&ap->ff) & VCPU_FF_SIPI, "INIT keeps pending forced actions");
    cr_assert_eq(vcpu_intc_get_cr8(&vm->cpus[0]), 3);
    vcpu_reset(ap, VCPU_RESET_POWER);
    cr_assert_eq(ap->cpu.apic_base & APIC_BASE_BSP, 0, "only the BSP has the BSP bit");
    cr_assert_neq(ap->cpu.apic_base, base);
    cr_assert_eq(atomic_load(&ap->ff), 0);
}
