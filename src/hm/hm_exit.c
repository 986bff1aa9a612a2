/* HM: what a KVM_RUN exit asks of pcvm, and the hand-over to IEM.
 *
 * Port I/O (string I/O included: KVM hands over `count` items at once)
 * goes to the port bus, MMIO to PGM, the APIC's MSRs to pcvm's APIC: the
 * device models stay the one source of truth. Whatever KVM cannot run
 * (an emulation failure, an internal error, a failed VM entry, an exit
 * HM does not know) is handed to IEM with the state synced out, for a few
 * instructions, after which KVM gets the vCPU back.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hm/hm_priv.h"

#define HM_HANDOVER_MAX 1024
#define HM_HANDOVER_STEP 16
#define MSR_APIC_BASE_NR 0x1b
#define MSR_TSC_DEADLINE_NR 0x6e0
#define APIC_PHYS_MASK (((1ull << PGM_MAXPHYADDR) - 1) & ~0xfffull)

static void exit_io(struct vcpu *v)
{
    struct kvm_run *run = v->hm->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    struct bus *bus = &v->vm->bus;

    for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            uint64_t val = 0;
            memcpy(&val, data, run->io.size);
            bus_pio_write(bus, run->io.port, val, run->io.size);
        } else {
            uint64_t val = bus_pio_read(bus, run->io.port, run->io.size);
            memcpy(data, &val, run->io.size);
        }
    }
}

static void exit_mmio(struct vcpu *v)
{
    struct kvm_run *run = v->hm->run;
    unsigned len = run->mmio.len <= sizeof(run->mmio.data) ? run->mmio.len : sizeof(run->mmio.data);
    if (run->mmio.is_write)
        pgm_write(&v->vm->pgm, run->mmio.phys_addr, run->mmio.data, len);
    else
        pgm_read(&v->vm->pgm, run->mmio.phys_addr, run->mmio.data, len);
}

/* The MSRs pcvm's APIC owns (hm_msr_filter sends them here); any other
 * MSR KVM does not know raises #GP, as KVM itself would. */
static void exit_msr(struct vcpu *v, bool write)
{
    struct kvm_run *run = v->hm->run;
    uint32_t msr = run->msr.index;
    int rc = -1;

    if (msr == MSR_APIC_BASE_NR) {
        if (write)
            rc = vcpu_intc_base_write(v, run->msr.data, APIC_PHYS_MASK);
        else
            run->msr.data = v->cpu.apic_base, rc = 0;
    } else if (msr == MSR_TSC_DEADLINE_NR) {
        if (write)
            vcpu_intc_tsc_deadline_write(v, run->msr.data);
        else
            run->msr.data = vcpu_intc_tsc_deadline_read(v);
        rc = 0;
    } else if (msr >= 0x800 && msr <= 0x8ff) {
        rc = write ? vcpu_intc_msr_write(v, msr, run->msr.data) : vcpu_intc_msr_read(v, msr, (uint64_t *)&run->msr.data);
    }
    run->msr.error = rc < 0;
}

void hm_msr_filter(struct hm_vm *hvm)
{
    static uint8_t deny_one[1] = {0}, deny_x2apic[256 / 8];
    struct kvm_enable_cap cap = {.cap = KVM_CAP_X86_USER_SPACE_MSR,
                                 .args = {KVM_MSR_EXIT_REASON_FILTER}};
    struct kvm_msr_filter f = {.flags = KVM_MSR_FILTER_DEFAULT_ALLOW};

    if (ioctl(hvm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
        return; /* then KVM answers those MSRs itself, without pcvm's APIC */
    const struct { uint32_t base, n; uint8_t *bits; } deny[] = {
        {MSR_APIC_BASE_NR, 1, deny_one}, {MSR_TSC_DEADLINE_NR, 1, deny_one}, {0x800, 256, deny_x2apic}};
    for (unsigned i = 0; i < 3; i++) {
        f.ranges[i].flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
        f.ranges[i].base = deny[i].base;
        f.ranges[i].nmsrs = deny[i].n;
        f.ranges[i].bitmap = deny[i].bits; /* clear bits: the access exits to user space */
    }
    ioctl(hvm->vm_fd, KVM_X86_SET_MSR_FILTER, &f);
}

/* The guest state that decides whether KVM can run it here. */
struct hm_mode {
    uint64_t cr0, efer, rflags, dr7;
    unsigned ss_dpl;
};

static const char *mode_refused(const struct hm_vm *hvm, const struct hm_mode *m)
{
    if (!(m->cr0 & CR0_PE))
        return hvm->real_emulated ? "real mode, which this KVM only emulates" : NULL;
    if (!hvm->legacy_paging && !(m->efer & EFER_LMA))
        return "protected mode without long mode: this KVM refuses 32-bit paging";
    if (hvm->kernel_only && (m->ss_dpl != 0 || (m->rflags & F_VM)))
        return "user mode under kvm-pvm";
    if (hvm->debug_wrong && ((m->rflags & F_TF) || (m->dr7 & 0xff)))
        return "single-step or breakpoints under kvm-pvm";
    return NULL;
}

const char *hm_kvm_cannot_run(const struct hm_vcpu *h)
{
    const struct kvm_sync_regs *k = &h->run->s.regs;
    /* DR7 as last moved: a MOV to DR7 inside KVM is not seen until a sync */
    struct hm_mode m = {k->sregs.cr0, k->sregs.efer, k->regs.rflags, h->shadow.dr[7], k->sregs.ss.dpl};
    return mode_refused(h->hvm, &m);
}

static const char *cpu_refused(const struct hm_vcpu *h, const struct cpu *c)
{
    struct hm_mode m = {c->cr0, c->efer, cpu_get_flags(c), c->dr[7], (c->seg[S_SS].attr >> SEG_DPL_SHIFT) & 3};
    return mode_refused(h->hvm, &m);
}

int hm_handover(struct vcpu *v, const char *why, uint64_t max)
{
    int rc = hm_sync_out(v);
    return rc < 0 ? rc : hm_handover_cpu(v, why, max);
}

int hm_handover_cpu(struct vcpu *v, const char *why, uint64_t max)
{
    struct hm_vcpu *h = v->hm;
    struct cpu *c = &v->cpu;
    int rc;

    h->st.handovers++;
    if (!h->said_cannot) {
        h->said_cannot = true;
        fprintf(stderr, "pcvm: cpu%u: KVM cannot run the guest at %04x:%llx (%s); IEM runs what KVM cannot\n",
                v->id, c->seg[S_CS].sel, (unsigned long long)c->rip, why);
    }
    uint64_t t0 = hm_now_ns(), n0 = v->insns;
    rc = hm_events_to_iem(v);
    /* KVM wrote guest memory (code, page tables) behind IEM's decode cache and TLB */
    if (h->kvm_ran)
        iem_flush(v);
    h->kvm_ran = false;
    /* a state KVM refuses goes back to KVM within HM_HANDOVER_STEP
     * instructions of becoming one it runs (real mode to long mode on
     * kvm-pvm), not at the end of EM's slice */
    uint64_t todo = max ? max : h->handover_len;
    bool refused = cpu_refused(h, c) != NULL;
    while ((rc == IEM_OK || rc == IEM_EXC) && todo) {
        uint64_t n = refused && todo > HM_HANDOVER_STEP ? HM_HANDOVER_STEP : todo;
        rc = iem_exec(v, n);
        todo -= n;
        if (refused && !cpu_refused(h, c))
            break;
    }
    h->st.iem_insns += v->insns - n0;
    h->st.iem_ns += hm_now_ns() - t0;
    if (!max && h->handover_len < HM_HANDOVER_MAX)
        h->handover_len *= 2; /* KVM failing again soon: IEM takes longer stretches */
    if (rc < 0)
        return rc;
    /* KVM gets IEM's state whatever comes next: hm_exec reads it back */
    int src = hm_sync_in(v);
    if (src < 0)
        return src;
    if (rc != IEM_OK && rc != IEM_EXC)
        return rc; /* halt, triple fault, break */
    /* a state KVM cannot run stays with IEM, a slice at a time, so that EM
     * runs the timers and forced actions in between */
    return cpu_refused(h, c) ? HM_RETURN_EM : 0;
}

static int system_event(struct vcpu *v)
{
    switch (v->hm->run->system_event.type) {
    case KVM_SYSTEM_EVENT_RESET:
        vm_request(v->vm, VM_FF_RESET);
        break;
    case KVM_SYSTEM_EVENT_CRASH:
        vm_guru(v->vm, v, "HM: KVM reports a guest crash");
        break;
    default:
        vm_request(v->vm, VM_FF_POWER_OFF);
        break;
    }
    return HM_RETURN_EM;
}

int hm_handle_exit(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct kvm_run *run = h->run;
    char why[64];

    if (run->exit_reason != KVM_EXIT_INTERNAL_ERROR && run->exit_reason != KVM_EXIT_FAIL_ENTRY &&
        h->handover_len > 1)
        h->handover_len /= 2;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        h->st.exits_io++;
        exit_io(v);
        return 0;
    case KVM_EXIT_MMIO:
        h->st.exits_mmio++;
        exit_mmio(v);
        return 0;
    case KVM_EXIT_X86_RDMSR:
    case KVM_EXIT_X86_WRMSR:
        h->st.exits_msr++;
        exit_msr(v, run->exit_reason == KVM_EXIT_X86_WRMSR);
        return 0;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
        h->st.exits_window++;
        return 0;
    case KVM_EXIT_INTR:
        h->st.exits_intr++;
        return 0;
    case KVM_EXIT_HLT:
        h->st.exits_hlt++;
        v->cpu.halted = true;
        return IEM_HALT;
    case KVM_EXIT_SHUTDOWN:
        h->st.exits_other++;
        h->shadow_valid = false; /* the reset that follows rewrites every register */
        return IEM_TRIPLE;
    case KVM_EXIT_SYSTEM_EVENT:
        h->st.exits_other++;
        return system_event(v);
    case KVM_EXIT_INTERNAL_ERROR:
        snprintf(why, sizeof(why), "%s", run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                                             ? "emulation failure"
                                             : "KVM internal error");
        return hm_handover(v, why, 0);
    case KVM_EXIT_FAIL_ENTRY:
        snprintf(why, sizeof(why), "VM entry failed, reason %#llx",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        return hm_handover(v, why, 0);
    default:
        h->st.exits_other++;
        snprintf(why, sizeof(why), "KVM exit %u", run->exit_reason);
        return hm_handover(v, why, 0);
    }
}
