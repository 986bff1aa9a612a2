/* HM (src/hm): the state transfer between struct cpu and KVM, and what
 * happens when KVM_RUN fails or refuses (fault injection). Every test
 * needs /dev/kvm and says SKIP without it; none counts as passed then. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "devices/io.h"

#include "hm/hm.h"
#include "testvm.h"

#define CODE 0x1000u

static struct vm *hm_vm(const char *name)
{
    char why[160];
    if (hm_probe(why, sizeof(why)) < 0) {
        fprintf(stderr, "SKIP: %s: no /dev/kvm (%s)\n", name, why); /* seen without --verbose too */
        cr_skip_test("SKIP: %s: no /dev/kvm (%s)\n", name, why);
    }
    struct vm *vm = testvm_pm32(0);
    testvm_idt(vm);
    cr_assert_eq(hm_init(&vm->cpus[0]), 0);
    return vm;
}

static void hm_vm_free(struct vm *vm)
{
    hm_fini(&vm->cpus[0]);
    vm_destroy(vm);
}

static void set_seg(struct cpu_seg *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
    *s = (struct cpu_seg){.sel = sel, .base = base, .limit = limit, .attr = attr};
}

/* Every field KVM carries gets a distinct value, goes to KVM and comes
 * back unchanged. Not compared: the TSC (it runs), x87 FCS/FDS (KVM's
 * image is the 64-bit FXSAVE format, hm_state.c) and CR8 (the APIC's). */
Test(hm, state_round_trip)
{
    struct vm *vm = hm_vm("hm/state_round_trip");
    struct vcpu *v = &vm->cpus[0];
    struct cpu *c = &v->cpu, want;

    for (int i = 0; i < 16; i++)
        c->gpr[i] = 0x1111111111111111ull * (uint64_t)(i + 1) ^ 0x0123456789abcdefull;
    c->rip = 0x123456;
    cpu_set_flags(c, F_1 | F_CF | F_ZF | F_SF | F_OF | F_DF | F_AC | F_ID | F_IF);
    set_seg(&c->seg[S_ES], 0x10, 0x1000, 0xfffff, 0x4093);
    set_seg(&c->seg[S_CS], 0x08, 0, 0xffffffffu, 0xc09b);
    set_seg(&c->seg[S_SS], 0x10, 0, 0xffffffffu, 0xc093);
    set_seg(&c->seg[S_DS], 0x10, 0x2000, 0xffff, 0x0093);
    set_seg(&c->seg[S_FS], 0x10, 0x12345000, 0xffffffffu, 0xc093);
    set_seg(&c->seg[S_GS], 0x10, 0x54321000, 0xffffffffu, 0xd093);
    set_seg(&c->ldtr, 0x18, 0x5000, 0x7f, 0x0082);
    set_seg(&c->tr, 0x20, 0x6000, 0x67, 0x008b);
    c->gdtr = (struct cpu_dtr){.base = 0x3000, .limit = 0x3f};
    c->idtr = (struct cpu_dtr){.base = 0x3100, .limit = 0xff};
    c->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_MP | CR0_WP | CR0_AM;
    c->cr2 = 0xdeadb000;
    c->cr3 = 0x7000;
    c->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_DE | CR4_PSE;
    c->efer = EFER_SCE;
    c->dr[0] = 0x1000, c->dr[1] = 0x2000, c->dr[2] = 0x3000, c->dr[3] = 0x4000;
    c->dr[6] = 0xffff0ff1, c->dr[7] = 0x00000403;
    c->sysenter_cs = 0x08, c->sysenter_esp = 0x9000, c->sysenter_eip = 0xa000;
    c->star = 0x0023001000000000ull, c->lstar = 0xffffffff81000000ull, c->cstar = 0xffffffff82000000ull;
    c->sfmask = 0x47700, c->kernel_gs_base = 0xffff888000000000ull, c->pat = 0x0007040600070406ull;
    c->fcw = 0x027f, c->fsw = 0x3800 | 0x0041, c->mxcsr = 0x1fa0;
    c->ftw = 0x0fff; /* registers 6 and 7 (physical) in use: tag 00, the rest empty */
    for (int r = 0; r < 8; r++)
        for (int b = 0; b < 10; b++)
            c->fpr[r][b] = (uint8_t)(r * 16 + b + 1);
    for (int r = 0; r < 16; r++)
        for (int b = 0; b < 16; b++)
            c->xmm[r][b] = (uint8_t)(0x80 + r * 7 + b);
    c->fpu_ip = 0x100123, c->fpu_dp = 0x200456, c->fpu_op = 0x5d9;
    c->xcr0 = 3;
    c->nmi_blocked = true;
    c->inhibit_irq = true, c->inhibit_irq_rip = c->rip;
    memcpy(&want, c, sizeof(want));

    cr_assert_eq(hm_state_put(v), 0);
    memset(c->gpr, 0, sizeof(c->gpr));
    memset(c->seg, 0, sizeof(c->seg));
    memset(c->fpr, 0, sizeof(c->fpr));
    memset(c->xmm, 0, sizeof(c->xmm));
    memset(c->dr, 0, sizeof(c->dr));
    c->rip = c->cr0 = c->cr2 = c->cr3 = c->cr4 = c->efer = c->star = c->pat = c->sysenter_eip = 0;
    c->fcw = c->fsw = c->ftw = 0, c->mxcsr = 0, c->fpu_ip = c->fpu_dp = 0, c->fpu_op = 0;
    c->nmi_blocked = c->inhibit_irq = false;
    cr_assert_eq(hm_state_get(v), 0);

    cr_expect_arr_eq(c->gpr, want.gpr, sizeof(want.gpr));
    cr_expect_eq(c->rip, want.rip);
    cr_expect_eq(cpu_get_flags(c), cpu_get_flags(&want));
    for (int s = 0; s < 6; s++) {
        cr_expect_eq(c->seg[s].sel, want.seg[s].sel, "seg %d", s);
        cr_expect_eq(c->seg[s].base, want.seg[s].base, "seg %d", s);
        cr_expect_eq(c->seg[s].limit, want.seg[s].limit, "seg %d", s);
        cr_expect_eq(c->seg[s].attr, want.seg[s].attr, "seg %d attr %#x", s, c->seg[s].attr);
    }
    cr_expect_eq(c->ldtr.base, want.ldtr.base);
    cr_expect_eq(c->ldtr.attr, want.ldtr.attr);
    cr_expect_eq(c->tr.base, want.tr.base);
    cr_expect_eq(c->tr.attr, want.tr.attr);
    cr_expect_eq(c->gdtr.base, want.gdtr.base);
    cr_expect_eq(c->gdtr.limit, want.gdtr.limit);
    cr_expect_eq(c->idtr.base, want.idtr.base);
    cr_expect_eq(c->idtr.limit, want.idtr.limit);
    cr_expect_eq(c->cr0, want.cr0);
    cr_expect_eq(c->cr2, want.cr2);
    cr_expect_eq(c->cr3, want.cr3);
    cr_expect_eq(c->cr4, want.cr4);
    cr_expect_eq(c->efer, want.efer);
    cr_expect_arr_eq(c->dr, want.dr, 4 * sizeof(want.dr[0]));
    cr_expect_eq(c->dr[7], want.dr[7]);
    cr_expect_eq(c->dr[6], want.dr[6]);
    cr_expect_eq(c->sysenter_cs, want.sysenter_cs);
    cr_expect_eq(c->sysenter_esp, want.sysenter_esp);
    cr_expect_eq(c->sysenter_eip, want.sysenter_eip);
    cr_expect_eq(c->star, want.star);
    cr_expect_eq(c->lstar, want.lstar);
    cr_expect_eq(c->cstar, want.cstar);
    cr_expect_eq(c->sfmask, want.sfmask);
    cr_expect_eq(c->kernel_gs_base, want.kernel_gs_base);
    cr_expect_eq(c->pat, want.pat);
    cr_expect_eq(c->fcw, want.fcw);
    cr_expect_eq(c->fsw, want.fsw);
    cr_expect_eq(c->ftw, want.ftw);
    cr_expect_eq(c->mxcsr, want.mxcsr);
    cr_expect_arr_eq(c->fpr, want.fpr, sizeof(want.fpr));
    cr_expect_arr_eq(c->xmm, want.xmm, sizeof(want.xmm));
    cr_expect_eq(c->fpu_ip, want.fpu_ip);
    cr_expect_eq(c->fpu_dp, want.fpu_dp);
    cr_expect_eq(c->fpu_op, want.fpu_op);
    cr_expect_eq(c->xcr0, want.xcr0);
    cr_expect_eq(c->nmi_blocked, true);
    cr_expect_eq(c->inhibit_irq, true);
    cr_expect_eq(c->inhibit_irq_rip, want.rip);
    hm_vm_free(vm);
}

/* 64-bit kernel code with paging, which every KVM runs (kvm-pvm hands
 * real mode and 32-bit protected mode to IEM): the first 2 MiB identity
 * mapped by one large page. */
#define PML4 0x10000u
static void enter_long_mode(struct vm *vm)
{
    struct cpu *c = &vm->cpus[0].cpu;
    uint64_t pml4e = (PML4 + 0x1000) | 3, pdpte = (PML4 + 0x2000) | 3, pde = 0x83; /* P, W, PS */
    pgm_load(&vm->pgm, PML4, &pml4e, 8);
    pgm_load(&vm->pgm, PML4 + 0x1000, &pdpte, 8);
    pgm_load(&vm->pgm, PML4 + 0x2000, &pde, 8);
    c->cr3 = PML4;
    c->cr4 = CR4_PAE | CR4_OSFXSR;
    c->efer = EFER_LME | EFER_LMA;
    c->cr0 = CR0_PE | CR0_PG | CR0_ET | CR0_NE;
    set_seg(&c->seg[S_CS], 0x08, 0, 0xffffffffu, 0xa09b); /* L, present, code */
    for (int i = 0; i < 6; i++)
        if (i != S_CS)
            set_seg(&c->seg[i], 0x10, 0, 0xffffffffu, 0xc093);
    set_seg(&c->tr, 0x20, 0x6000, 0x67, 0x008b);
    c->cpl = 0;
    cpu_set_flags(c, F_1);
    c->gpr[R_SP] = TESTVM_STACK;
}

static struct vcpu *load_program(struct vm *vm, const uint8_t *code, size_t n)
{
    struct vcpu *v = &vm->cpus[0];
    pgm_load(&vm->pgm, CODE, code, n);
    enter_long_mode(vm);
    v->cpu.rip = CODE;
    hm_flush(v);
    return v;
}

/* mov eax, 0x1234; mov ebx, eax; hlt */
#define HALT_LEN 8u
static struct vcpu *load_halt_program(struct vm *vm)
{
    static const uint8_t code[HALT_LEN] = {0xb8, 0x34, 0x12, 0, 0, 0x89, 0xc3, 0xf4};
    return load_program(vm, code, sizeof(code));
}

Test(hm, eintr_is_retried)
{
    struct vm *vm = hm_vm("hm/eintr_is_retried");
    struct vcpu *v = load_halt_program(vm);
    hm_inject_fault(v, HM_FAULT_EINTR);
    cr_assert_eq(hm_exec(v, 1000), IEM_HALT);
    cr_expect_eq(v->cpu.gpr[R_BX], 0x1234);
    cr_expect_eq(v->cpu.rip, CODE + HALT_LEN);
    cr_expect_eq(v->insns, 0, "no instruction went to IEM");
    hm_vm_free(vm);
}

/* An emulation failure hands the vCPU to IEM, which runs the first
 * instruction; KVM runs the rest. */
Test(hm, internal_error_hands_over_to_iem)
{
    struct vm *vm = hm_vm("hm/internal_error_hands_over_to_iem");
    struct vcpu *v = load_halt_program(vm);
    hm_inject_fault(v, HM_FAULT_EMULATION);
    cr_assert_eq(hm_exec(v, 1000), IEM_HALT);
    cr_expect_eq(v->insns, 1, "IEM retired %llu instructions", (unsigned long long)v->insns);
    cr_expect_eq(v->cpu.gpr[R_BX], 0x1234);
    cr_expect_eq(v->cpu.rip, CODE + HALT_LEN);
    hm_vm_free(vm);
}

/* KVM_RUN failing (EFAULT) stops the VM in guru meditation, no abort. */
Test(hm, kvm_run_error_is_guru_meditation)
{
    struct vm *vm = hm_vm("hm/kvm_run_error_is_guru_meditation");
    struct vcpu *v = load_halt_program(vm);
    hm_inject_fault(v, HM_FAULT_EFAULT);
    cr_assert_eq(hm_exec(v, 1000), IEM_BREAK);
    /* the test VM was never powered on, so only the request and the reason show */
    cr_expect(atomic_load(&vm->ff) & VM_FF_GURU);
    cr_expect(strstr(vm->guru_reason, "KVM_RUN failed") != NULL, "reason: %s", vm->guru_reason);
    hm_vm_free(vm);
}

/* A port whose write asks the VM to power off, as a device does when the
 * guest writes isa-debug-exit: the vCPU is inside an I/O exit when it
 * happens. */
#define STOP_PORT 0x5f0
static void stop_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)off, (void)val, (void)size;
    vm_request(opaque, VM_FF_POWER_OFF);
}
static uint64_t stop_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque, (void)off, (void)size;
    return 0;
}
static const struct io_ops stop_ops = {.read = stop_read, .write = stop_write};

/* The VM stopped in the middle of an I/O exit: hm_exec returns at once
 * with the OUT completed and struct cpu exact, and never enters KVM again
 * (the loop after it would spin there forever). */
Test(hm, stop_during_io_exit, .timeout = 20)
{
    struct vm *vm = hm_vm("hm/stop_during_io_exit");
    /* mov edx, STOP_PORT; mov eax, 0x77; out dx, al; jmp $ */
    static const uint8_t code[] = {0xba, STOP_PORT & 0xff, STOP_PORT >> 8, 0, 0, 0xb8, 0x77, 0, 0, 0, 0xee, 0xeb, 0xfe};
    struct vcpu *v = load_program(vm, code, sizeof(code));
    cr_assert_eq(bus_pio_register(&vm->bus, STOP_PORT, 1, &stop_ops, vm, "stop"), 0);
    cr_assert_eq(hm_exec(v, 1000), IEM_BREAK);
    cr_expect(atomic_load(&vm->ff) & VM_FF_POWER_OFF);
    cr_expect_eq(v->cpu.rip, CODE + 11, "rip %#llx: after the OUT", (unsigned long long)v->cpu.rip);
    cr_expect_eq(v->cpu.gpr[R_AX], 0x77);
    cr_expect(!(atomic_load(&vm->ff) & VM_FF_GURU), "%s", vm->guru_reason);
    hm_vm_free(vm);
}

struct spin_arg {
    struct vcpu *v;
    int rc;
};

static void *spin_thread(void *p)
{
    struct spin_arg *a = p;
    a->rc = hm_exec(a->v, 1000);
    return NULL;
}

/* Another thread stops the VM while the vCPU spins inside KVM_RUN: the
 * kick takes it out and hm_exec returns; a stop asked before the vCPU
 * entered KVM_RUN is not lost either (the kick signal stays pending). */
Test(hm, stop_while_in_kvm_run, .timeout = 20)
{
    struct vm *vm = hm_vm("hm/stop_while_in_kvm_run");
    static const uint8_t code[] = {0xeb, 0xfe}; /* jmp $ */
    struct vcpu *v = load_program(vm, code, sizeof(code));
    for (int delay_ms = 0; delay_ms <= 50; delay_ms += 50) {
        struct spin_arg a = {.v = v, .rc = -1};
        pthread_t t;
        atomic_fetch_and(&vm->ff, ~VM_FF_POWER_OFF);
        cr_assert_eq(pthread_create(&t, NULL, spin_thread, &a), 0);
        struct timespec ts = {0, delay_ms * 1000000L};
        nanosleep(&ts, NULL);
        atomic_fetch_or(&vm->ff, VM_FF_POWER_OFF);
        /* until the thread is in hm_exec a kick finds nothing to signal */
        for (int i = 0; i < 200 && a.rc == -1; i++) {
            hm_kick(v);
            struct timespec tick = {0, 10000000L};
            nanosleep(&tick, NULL);
        }
        pthread_join(t, NULL);
        cr_expect_eq(a.rc, IEM_BREAK, "after %d ms", delay_ms);
        cr_expect_eq(v->cpu.rip, CODE, "still at the loop");
        cr_expect(!(atomic_load(&vm->ff) & VM_FF_GURU), "%s", vm->guru_reason);
    }
    hm_vm_free(vm);
}

/* The guest's TSC across hand-overs IEM -> KVM -> IEM -> KVM -> IEM: each
 * phase reads it once (RDTSC) and halts; the test sleeps after each KVM
 * phase, while IEM holds the vCPU. From one read to the next it goes
 * forward, by no more than the host time around both reads allows at the
 * faster of the two rates (IEM's 1 GHz, KVM's TSC rate): each engine goes
 * on from the other's TSC, not from where its own was (KVM's would have
 * counted the sleep at its own rate) or from the host's. The TSC starts
 * far from the host's (5e12). Not asserted: any rate. */
#define TSC_PHASES 5
#define TSC_BUF 0x8000u
#define TSC_PAUSE_NS 30000000L
struct tsc_run {
    uint64_t before[TSC_PHASES], after[TSC_PHASES], tsc[TSC_PHASES];
    uint64_t khz; /* KVM's TSC rate */
};

static void tsc_phases(struct vm *vm, struct tsc_run *r)
{
    /* mov ebx, TSC_BUF; then per phase: rdtsc; mov [rbx], eax; mov [rbx+4], edx; add ebx, 8; hlt */
    static const uint8_t phase[] = {0x0f, 0x31, 0x89, 0x03, 0x89, 0x53, 0x04, 0x83, 0xc3, 0x08, 0xf4};
    uint8_t code[5 + TSC_PHASES * sizeof(phase)] = {0xbb, TSC_BUF & 0xff, TSC_BUF >> 8, 0, 0};
    for (int i = 0; i < TSC_PHASES; i++)
        memcpy(code + 5 + i * sizeof(phase), phase, sizeof(phase));
    struct vcpu *v = load_program(vm, code, sizeof(code));
    v->cpu.tsc_offset = 5000000000000ull - vm_clock_ns(vm);
    r->khz = hm_tsc_khz(v);
    for (int i = 0; i < TSC_PHASES; i++) {
        bool kvm = i & 1;
        uint64_t insns = v->insns;
        v->cpu.halted = false;
        r->before[i] = vm_clock_ns(vm);
        int rc = kvm ? hm_exec(v, 1000) : iem_exec(v, 1000);
        r->after[i] = vm_clock_ns(vm);
        cr_assert_eq(rc, IEM_HALT, "phase %d (%s): status %d", i, kvm ? "KVM" : "IEM", rc);
        if (kvm) {
            cr_assert_eq(v->insns, insns, "phase %d ran in KVM, not in IEM", i);
            iem_flush(v); /* KVM wrote the buffer behind IEM's TLB */
            struct timespec ts = {0, TSC_PAUSE_NS};
            nanosleep(&ts, NULL);
        }
    }
    pgm_read(&vm->pgm, TSC_BUF, r->tsc, sizeof(r->tsc));
}

/* Read i against read i - 1: forward, and within the host time around both. */
static void tsc_expect_continuous(const struct tsc_run *r, int i)
{
    uint64_t window = r->after[i] - r->before[i - 1], d = r->tsc[i] - r->tsc[i - 1];
    uint64_t rate = r->khz > 1000000 ? r->khz : 1000000; /* ticks per ms, the faster */
    const char *what = (i & 1) ? "IEM to KVM" : "KVM to IEM";
    cr_expect_gt(r->tsc[i], r->tsc[i - 1], "%s (read %d): TSC %llu after %llu", what, i,
                 (unsigned long long)r->tsc[i], (unsigned long long)r->tsc[i - 1]);
    cr_expect_leq(d * 1000 / rate, window / 1000 + 20, /* us, and a little for rounding */
                  "%s (read %d): the TSC moved %llu ticks in %llu ns of host time (KVM: %llu kHz)", what, i,
                  (unsigned long long)d, (unsigned long long)window, (unsigned long long)r->khz);
}

Test(hm, tsc_continuous_from_kvm_to_iem, .timeout = 30)
{
    struct vm *vm = hm_vm("hm/tsc_continuous_from_kvm_to_iem");
    struct tsc_run r;
    tsc_phases(vm, &r);
    for (int i = 2; i < TSC_PHASES; i += 2)
        tsc_expect_continuous(&r, i);
    hm_vm_free(vm);
}

/* Where KVM cannot set the guest's TSC (kvm-pvm: the guest reads the
 * host's), KVM's TSC is not IEM's: a SKIP. */
Test(hm, tsc_continuous_from_iem_to_kvm, .timeout = 30)
{
    struct vm *vm = hm_vm("hm/tsc_continuous_from_iem_to_kvm");
    if (hm_tsc_method(&vm->cpus[0]) == HM_TSC_HOST) {
        hm_vm_free(vm);
        fprintf(stderr, "SKIP: hm/tsc_continuous_from_iem_to_kvm: this KVM's guest TSC is the host's, "
                        "which it cannot move\n");
        cr_skip_test("SKIP: hm/tsc_continuous_from_iem_to_kvm: this KVM's guest TSC is the host's, "
                     "which it cannot move\n");
    }
    struct tsc_run r;
    tsc_phases(vm, &r);
    for (int i = 1; i < TSC_PHASES; i += 2)
        tsc_expect_continuous(&r, i);
    hm_vm_free(vm);
}
