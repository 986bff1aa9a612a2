/* HM: the guest on the host CPU through Linux KVM.
 *
 * Invariants:
 * - One KVM VM per struct vm (vm->hm), created by the first vCPU's init
 *   and closed by the last one's fini; one KVM vCPU per pcvm vCPU, run only
 *   by that vCPU's own thread.
 * - pcvm's device models are the one source of truth: no in-kernel
 *   irqchip, PIT or APIC. Interrupts are chosen and acknowledged by
 *   iem_ack_interrupt (the same code IEM uses) and injected with
 *   KVM_INTERRUPT / KVM_NMI; CR8 and the APIC's TPR are put in step at every
 *   entry and exit.
 * - struct cpu is exact whenever hm_exec returns; inside hm_exec the state
 *   lives in KVM, and only the register groups that struct cpu changed
 *   since (a reset, INIT/SIPI, a loader, an IEM hand-over) go back in.
 * - A vCPU leaves KVM_RUN soon after another thread sets a forced action:
 *   hm_kick signals its thread, whose kick signal is blocked except inside
 *   KVM_RUN (KVM_SET_SIGNAL_MASK), so a kick that comes early makes the
 *   next KVM_RUN return at once: none is lost.
 * - vCPU 0 runs the clock's timers between KVM_RUNs and leaves KVM_RUN at
 *   the next deadline (a thread-directed POSIX timer sends the kick signal).
 * - Nothing KVM refuses ends the process: it goes to IEM (hm_handover) or,
 *   when KVM itself fails (KVM_RUN errors), to guru meditation with a dump.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hm/hm_priv.h"
#include "vm/clock.h"

#define HM_TSS_ADDR 0xfffbd000u /* three pages KVM needs for real mode on VT-x without unrestricted guest */
#define HM_IDMAP_ADDR 0xfffbc000u
#define HM_KICK_SIGNAL (SIGRTMIN + 2)

uint64_t hm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The MSRs struct cpu holds that KVM keeps too (its index list). */
static void msr_list(struct hm_vm *hvm)
{
    static const uint32_t want[] = {MSR_TSC, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_STAR,
                                    MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX, MSR_PAT};
    struct kvm_msr_list *l = calloc(1, sizeof(*l) + 1024 * sizeof(uint32_t));
    if (!l)
        return;
    l->nmsrs = 1024;
    if (ioctl(hvm->kvm_fd, KVM_GET_MSR_INDEX_LIST, l) == 0)
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
            for (uint32_t j = 0; j < l->nmsrs; j++)
                if (l->indices[j] == want[i] && hvm->nmsrs < HM_MAX_MSRS)
                    hvm->msrs[hvm->nmsrs++] = want[i];
    free(l);
}

static struct kvm_cpuid2 *supported_cpuid(int kvm)
{
    for (unsigned n = 128; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
        if (!c)
            return NULL;
        c->nent = n;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0)
            return c;
        free(c);
        if (errno != E2BIG)
            return NULL;
    }
    return NULL;
}

static void hvm_free(struct hm_vm *hvm)
{
    if (hvm->vm_fd >= 0)
        close(hvm->vm_fd);
    if (hvm->kvm_fd >= 0)
        close(hvm->kvm_fd);
    free(hvm->supported);
    pthread_mutex_destroy(&hvm->lock);
    free(hvm);
}

static int hvm_create(struct vm *vm)
{
    char why[160];
    struct hm_vm *hvm = calloc(1, sizeof(*hvm));
    if (!hvm)
        return -ENOMEM;
    pthread_mutex_init(&hvm->lock, NULL);
    hvm->vm_fd = -1;
    hvm->kvm_fd = hm_kvm_open(why, sizeof(why));
    if (hvm->kvm_fd < 0 || (hvm->vm_fd = ioctl(hvm->kvm_fd, KVM_CREATE_VM, 0)) < 0) {
        fprintf(stderr, "pcvm: HM: %s\n", hvm->kvm_fd < 0 ? why : "KVM_CREATE_VM failed");
        hvm_free(hvm);
        return -ENODEV;
    }
    int size = ioctl(hvm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    hvm->run_size = size > 0 ? (size_t)size : 0;
    hvm->readonly_mem = ioctl(hvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
    hvm->xsave = ioctl(hvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0 &&
                 ioctl(hvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2) <= HM_XSAVE_SIZE;
    hvm->xcrs = ioctl(hvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
    uint64_t idmap = HM_IDMAP_ADDR;
    ioctl(hvm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
    ioctl(hvm->vm_fd, KVM_SET_TSS_ADDR, HM_TSS_ADDR);
    /* kvm-pvm runs a guest's kernel mode only: an INT n from ring 3 comes
     * back as #UD there (measured), so user mode goes to IEM */
    hvm->kernel_only = access("/sys/module/kvm_pvm", F_OK) == 0;
    hvm->debug_wrong = hvm->kernel_only;
    hvm->legacy_paging = hm_probe_legacy_paging(hvm->kvm_fd);
    msr_list(hvm);
    hvm->supported = supported_cpuid(hvm->kvm_fd);
    hvm->real_emulated = !hvm->legacy_paging;
    hm_msr_filter(hvm);
    vm->hm = hvm;
    int rc = hvm->run_size && hvm->supported ? hm_mem_init(vm) : -ENODEV;
    if (rc < 0) {
        fprintf(stderr, "pcvm: HM: cannot give KVM the guest memory: %s\n", strerror(-rc));
        vm->hm = NULL;
        hvm_free(hvm);
    }
    return rc;
}

/* CPUID under HM: the -cpu model's leaves; feature bits only where KVM
 * supports them too (KVM_GET_SUPPORTED_CPUID). */
static bool feature_reg(uint32_t fn, uint32_t idx, int reg)
{
    switch (fn) {
    case 1: return reg >= 2;
    case 7: return idx == 0 ? reg >= 1 : reg == 0;
    case 0xd: return idx == 1 && reg == 0;
    case 0x80000001: return reg >= 2;
    case 0x80000007: return reg == 3;
    default: return false;
    }
}

static const struct kvm_cpuid_entry2 *kvm_leaf(const struct kvm_cpuid2 *s, uint32_t fn, uint32_t idx)
{
    for (uint32_t i = 0; i < s->nent; i++)
        if (s->entries[i].function == fn &&
            (!(s->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || s->entries[i].index == idx))
            return &s->entries[i];
    return NULL;
}

/* vm->feat_filter: a feature bit KVM does not support is out of the model
 * (a feature KVM lacks cannot be handed to IEM instead: KVM itself raises
 * #GP when code it runs sets the feature's CR4 bit) */
static bool kvm_has_feat(struct vm *vm, uint32_t leaf, uint32_t sub, unsigned reg, unsigned bit)
{
    const struct kvm_cpuid_entry2 *k = kvm_leaf(vm->hm->supported, leaf, sub);
    uint32_t r[4] = {k ? k->eax : 0, k ? k->ebx : 0, k ? k->ecx : 0, k ? k->edx : 0};
    return !feature_reg(leaf, sub, (int)reg) || (r[reg & 3] >> bit) & 1;
}

static void cpuid_entry(struct vcpu *v, const struct kvm_cpuid2 *s, uint32_t fn, uint32_t idx,
                        struct kvm_cpuid_entry2 *e)
{
    uint32_t r[4];
    const struct kvm_cpuid_entry2 *k = kvm_leaf(s, fn, idx);
    iem_cpuid(v, fn, idx, r);
    if (fn == 0xd && idx != 1 && k) { /* XSAVE sizes and offsets: KVM's, for the components both have */
        r[0] = idx == 0 ? r[0] & k->eax : k->eax;
        r[1] = k->ebx, r[2] = k->ecx, r[3] = idx == 0 ? k->edx & r[3] : k->edx;
    }
    uint32_t kr[4] = {k ? k->eax : 0, k ? k->ebx : 0, k ? k->ecx : 0, k ? k->edx : 0};
    for (int i = 0; i < 4; i++)
        if (feature_reg(fn, idx, i))
            r[i] &= kr[i];
    memset(e, 0, sizeof(*e));
    e->function = fn, e->index = idx;
    e->flags = (fn == 4 || fn == 7 || fn == 0xb || fn == 0xd) ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
    e->eax = r[0], e->ebx = r[1], e->ecx = r[2], e->edx = r[3];
}

static int set_cpuid(struct vcpu *v, int fd)
{
    const struct kvm_cpuid2 *s = v->vm->hm->supported;
    enum { MAX = 128 };
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX * sizeof(c->entries[0]));
    uint32_t top[2], r[4];
    if (!c)
        return -ENOMEM;
    iem_cpuid(v, 0, 0, r);
    top[0] = r[0];
    iem_cpuid(v, 0x80000000u, 0, r);
    top[1] = r[0];
    for (int half = 0; half < 2; half++)
        for (uint32_t fn = half ? 0x80000000u : 0; fn <= top[half] && c->nent < MAX; fn++) {
            unsigned subs = fn == 4 ? 4 : fn == 7 ? 2 : fn == 0xb ? 2 : fn == 0xd ? 3 : 1;
            for (uint32_t idx = 0; idx < subs && c->nent < MAX; idx++)
                cpuid_entry(v, s, fn, idx, &c->entries[c->nent++]);
        }
    int rc = ioctl(fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
    free(c);
    return rc;
}

int hm_init(struct vcpu *v)
{
    struct vm *vm = v->vm;
    int rc;

    if (!vm->hm && (rc = hvm_create(vm)) < 0)
        return rc;
    struct hm_vcpu *h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    h->hvm = vm->hm;
    h->hvm->refs++;
    v->hm = h;
    pthread_mutex_init(&h->kick_lock, NULL);
    h->handover_len = 1;
    h->kvm_ran = true; /* IEM's caches start cold for HM */
    h->run = MAP_FAILED;
    h->fd = ioctl(h->hvm->vm_fd, KVM_CREATE_VCPU, v->id);
    if (h->fd < 0) {
        rc = -errno;
        goto fail;
    }
    h->run = mmap(NULL, h->hvm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd, 0);
    if (h->run == MAP_FAILED) {
        rc = -errno;
        goto fail;
    }
    vm->feat_filter = kvm_has_feat;
    v->cpu.feat_ready = 0; /* the model again, less what KVM lacks (vm->feat_filter) */
    if ((rc = set_cpuid(v, h->fd)) < 0)
        goto fail;
    h->tsc = hm_tsc_probe(h);
    hm_state_init(h);
    return 0;
fail:
    fprintf(stderr, "pcvm: HM: cannot create KVM vCPU %u: %s\n", v->id, strerror(-rc));
    hm_fini(v);
    return rc;
}

void hm_fini(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct vm *vm = v->vm;
    if (!h)
        return;
    if (h->timer_ok)
        timer_delete(h->timer);
    if (h->run != MAP_FAILED && h->run)
        munmap(h->run, h->hvm->run_size);
    if (h->fd >= 0)
        close(h->fd);
    pthread_mutex_destroy(&h->kick_lock);
    if (--h->hvm->refs == 0) {
        hm_mem_fini(vm);
        hvm_free(h->hvm);
        vm->hm = NULL;
        vm->feat_filter = NULL;
    }
    free(h);
    v->hm = NULL;
}

void hm_flush(struct vcpu *v)
{
    if (v->hm)
        v->hm->shadow_valid = false; /* state replaced from outside: all of it goes to KVM */
}

static void kick_handler(int sig)
{
    (void)sig; /* only there to make KVM_RUN return EINTR */
}

/* First hm_exec on this thread: the kick signal stays blocked except
 * inside KVM_RUN; vCPU 0 gets its deadline timer. */
static void thread_setup(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct sigaction sa;
    sigset_t set;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kick_handler; /* no SA_RESTART: KVM_RUN returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(HM_KICK_SIGNAL, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, HM_KICK_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_sigmask(SIG_BLOCK, NULL, &set);
    sigdelset(&set, HM_KICK_SIGNAL);
    struct {
        struct kvm_signal_mask m;
        uint8_t bits[8];
    } km;
    km.m.len = 8; /* the kernel's sigset_t */
    memcpy(km.bits, &set, 8);
    ioctl(h->fd, KVM_SET_SIGNAL_MASK, &km);
    if (v->id == 0 && vm_clock(v->vm)) {
        struct sigevent ev;
        memset(&ev, 0, sizeof(ev));
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = HM_KICK_SIGNAL;
        ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
        h->timer_ok = timer_create(CLOCK_MONOTONIC, &ev, &h->timer) == 0;
    }
    h->mask_ready = true;
}

/* The kick that ended KVM_RUN stays pending (blocked outside KVM_RUN):
 * taking it here keeps the next KVM_RUN from returning at once. */
static void eat_kick(struct hm_vcpu *h)
{
    sigset_t set;
    struct timespec zero = {0, 0};
    sigemptyset(&set);
    sigaddset(&set, HM_KICK_SIGNAL);
    while (sigtimedwait(&set, NULL, &zero) > 0)
        ;
    h->timer_at = 0; /* a timer that fired must be armed again */
}

void hm_kick(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    if (!h)
        return;
    pthread_mutex_lock(&h->kick_lock);
    if (h->in_exec && !pthread_equal(h->thread, pthread_self()))
        pthread_kill(h->thread, HM_KICK_SIGNAL);
    pthread_mutex_unlock(&h->kick_lock);
}

static void set_in_exec(struct hm_vcpu *h, bool in)
{
    pthread_mutex_lock(&h->kick_lock);
    h->thread = pthread_self();
    h->in_exec = in;
    pthread_mutex_unlock(&h->kick_lock);
}

void hm_inject_fault(struct vcpu *v, enum hm_fault f)
{
    if (v->hm)
        v->hm->fault = f;
}

/* KVM_RUN, or the fault a test asked for. */
static int kvm_run(struct hm_vcpu *h)
{
    enum hm_fault f = h->fault;
    h->fault = HM_FAULT_NONE;
    switch (f) {
    case HM_FAULT_EINTR: errno = EINTR; return -1;
    case HM_FAULT_EFAULT: errno = EFAULT; return -1;
    case HM_FAULT_INTERNAL:
    case HM_FAULT_EMULATION:
        h->run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
        h->run->internal.suberror = f == HM_FAULT_EMULATION ? KVM_INTERNAL_ERROR_EMULATION : KVM_INTERNAL_ERROR_DELIVERY_EV;
        return 0;
    default: return ioctl(h->fd, KVM_RUN, 0);
    }
}

/* vCPU 0: runs due timers; arms the host timer for the next deadline. */
static void timers(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct vm_clock *clk = vm_clock(v->vm);
    uint64_t d = clock_next_deadline(clk), now = clock_now(clk);
    if (d <= now) {
        clock_run_timers(clk);
        d = clock_next_deadline(clk), now = clock_now(clk);
    }
    if (!h->timer_ok || d == h->timer_at)
        return;
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    if (d != CLOCK_NEVER) {
        uint64_t ns = d > now ? d - now : 1;
        its.it_value.tv_sec = (time_t)(ns / 1000000000u);
        its.it_value.tv_nsec = (long)(ns % 1000000000u);
    }
    timer_settime(h->timer, 0, &its, NULL);
    h->timer_at = d;
}

/* Before KVM_RUN: an NMI or interrupt that is pending goes in, or the
 * interrupt window is asked for. exact: struct cpu holds KVM's state (no
 * KVM_RUN since the sync), so it says whether one can go in now. Returns
 * IEM_HALT when the vCPU stays halted. */
static int inject(struct vcpu *v, bool exact)
{
    struct hm_vcpu *h = v->hm;
    struct kvm_run *run = h->run;
    struct kvm_vcpu_events *e = &run->s.regs.events;
    unsigned ff = atomic_load(&v->ff);
    bool nmi;
    int vec;

    if ((ff & VCPU_FF_NMI) && iem_ack_interrupt(v, ff, true, false, &nmi) >= 0) {
        ioctl(h->fd, KVM_NMI, 0);
        h->st.nmis++;
        v->cpu.halted = false;
    }
    run->request_interrupt_window = 0;
    if (ff & (VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC)) {
        bool ready = exact ? (cpu_get_flags(&v->cpu) & F_IF) &&
                                 !(v->cpu.inhibit_irq && v->cpu.inhibit_irq_rip == v->cpu.rip) &&
                                 !e->interrupt.injected && !e->exception.injected && !e->nmi.injected
                           : run->ready_for_interrupt_injection;
        if (ready && (vec = iem_ack_interrupt(v, ff, false, true, &nmi)) >= 0) {
            if (run->kvm_dirty_regs & KVM_SYNC_X86_EVENTS) {
                /* the dirty events group is written at entry, after (and over) a KVM_INTERRUPT */
                e->interrupt.injected = 1;
                e->interrupt.nr = (uint8_t)vec;
                e->interrupt.soft = 0;
            } else {
                struct kvm_interrupt irq = {.irq = (uint32_t)vec};
                ioctl(h->fd, KVM_INTERRUPT, &irq);
            }
            h->st.irqs++;
            v->cpu.halted = false;
        } else if (!ready) {
            run->request_interrupt_window = 1;
        }
    }
    return v->cpu.halted ? IEM_HALT : 0;
}

int hm_exec(struct vcpu *v, uint64_t max)
{
    struct hm_vcpu *h = v->hm;
    struct kvm_run *run = h->run;
    struct vm *vm = v->vm;
    bool exact = true;
    int rc;

    /* KVM does not count instructions: HM runs until something needs EM;
     * max bounds only what IEM runs for a state KVM cannot run */
    if (!h->mask_ready)
        thread_setup(v);
    set_in_exec(h, true);
    if ((rc = hm_sync_in(v)) < 0) {
        vm_guru(vm, v, "HM: cannot load the vCPU state into KVM: %s", strerror(-rc));
        set_in_exec(h, false);
        return IEM_BREAK;
    }
    for (;;) {
        unsigned ff = atomic_load(&v->ff);
        if (atomic_load(&vm->ff) || (ff & (VCPU_FF_INIT | VCPU_FF_SIPI))) {
            rc = IEM_BREAK;
            break;
        }
        if (v->id == 0 && vm_clock(vm))
            timers(v);
        const char *why = hm_kvm_cannot_run(h);
        if (why && (rc = hm_handover(v, why, max)) != 0)
            break;
        if ((rc = inject(v, exact)) != 0)
            break;
        run->cr8 = vcpu_intc_get_cr8(v); /* KVM loads CR8 from here at entry (no in-kernel APIC) */
        uint64_t t0 = hm_now_ns();
        int r = kvm_run(h);
        h->kvm_ran = h->kvm_newer = true;
        h->st.kvm_ns += hm_now_ns() - t0;
        h->st.runs++;
        exact = false;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                h->st.exits_intr++;
                eat_kick(h);
                continue;
            }
            if (errno == EINVAL && run->kvm_dirty_regs) {
                /* KVM refused the state struct cpu gave it (kvm-pvm: long mode with CR4.LA57,
                 * measured): struct cpu is still exact, IEM runs it; KVM may have taken some
                 * of the groups, so all of them go again next time */
                h->shadow_valid = false;
                h->kvm_newer = false;
                run->kvm_dirty_regs = 0;
                if ((rc = hm_handover_cpu(v, "KVM refuses the vCPU state", 0)) != 0)
                    break;
                exact = true;
                continue;
            }
            rc = -errno;
            break;
        }
        if (vcpu_intc_get_cr8(v) != run->cr8)
            vcpu_intc_set_cr8(v, run->cr8);
        if ((rc = hm_handle_exit(v)) != 0)
            break;
        /* a hand-over leaves struct cpu exact and in KVM again */
        exact = run->kvm_dirty_regs != 0;
    }
    if (rc == HM_RETURN_EM)
        rc = IEM_BREAK;
    int src = hm_sync_out(v);
    if (rc < 0 || src < 0) {
        vm_guru(vm, v, "HM: %s: %s (exit reason %u)", rc < 0 ? "KVM_RUN failed" : "cannot read the vCPU state",
                strerror(rc < 0 ? -rc : -src), run->exit_reason);
        rc = IEM_BREAK;
    }
    set_in_exec(h, false);
    return rc;
}

void hm_info(struct vcpu *v, int fd)
{
    const struct hm_vcpu *h = v->hm;
    if (!h)
        return;
    const struct hm_stats *s = &h->st;
    dprintf(fd,
            "cpu%u: HM: %.3f s in KVM, %llu KVM_RUNs (exits: io %llu, mmio %llu, msr %llu, hlt %llu, "
            "interrupted %llu, irq window %llu, other %llu), instructions under KVM not counted; "
            "injected %llu interrupts, %llu NMIs; guest TSC %s\n",
            v->id, s->kvm_ns / 1e9, (unsigned long long)s->runs, (unsigned long long)s->exits_io,
            (unsigned long long)s->exits_mmio, (unsigned long long)s->exits_msr, (unsigned long long)s->exits_hlt,
            (unsigned long long)s->exits_intr, (unsigned long long)s->exits_window,
            (unsigned long long)s->exits_other, (unsigned long long)s->irqs, (unsigned long long)s->nmis,
            h->tsc == HM_TSC_OFFSET ? "set by its offset" : h->tsc == HM_TSC_MSR ? "set by MSR_TSC" : "the host's");
    dprintf(fd, "cpu%u: IEM (hand-overs from HM): %llu hand-overs, %llu instructions, %.3f s\n", v->id,
            (unsigned long long)s->handovers, (unsigned long long)s->iem_insns, s->iem_ns / 1e9);
}
