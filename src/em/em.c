/* EM: the run loop of each vCPU.
 *
 * Invariants:
 * - Only the vCPU's own thread touches its CPU state while running.
 * - Halted vCPUs sleep on vm->cond; anything that sets a forced action
 *   broadcasts it, so no wakeup is lost (the check and the wait happen
 *   under vm->lock).
 * - A guest action never ends the process: a triple fault resets (or powers
 *   off with -no-reboot), an internal error enters guru meditation.
 * - Every vCPU has its thread from power on; an AP sits in wait-for-SIPI
 *   (its local APIC says so) until an INIT-SIPI starts it in real mode at
 *   vector * 0x1000. INIT and SIPI are applied by the target's own thread.
 */
#include <fcntl.h>
#include <sched.h>
#include <time.h>
#include <stdio.h>
#include <unistd.h>

#include "em/em.h"
#include "hm/hm.h"
#include "rem/rem.h"
#include "vm/dbg.h"
#include "vm/clock.h"

#define EM_SLICE 4096
#define EM_MIN_SLICE 64
/* Real time on an engine with timer_ff: a slice lasts about this long
 * (from the measured rate), up to EM_MAX_SLICE instructions. Each slice
 * costs reading the clock and the timer list; a timer armed meanwhile
 * ends it early (VCPU_FF_TIMER). */
#define EM_SLICE_NS 50000
#define EM_MAX_SLICE 65536

static void iem_engine_flush(struct vcpu *v)
{
    iem_flush(v);
}

const struct em_engine_ops em_engine_iem = {
    .id = ENGINE_IEM, .name = "IEM", .run = iem_exec, .flush = iem_engine_flush,
};

const struct em_engine_ops em_engine_rem = {
    .id = ENGINE_REM, .name = "REM", .init = rem_init, .fini = rem_fini, .run = rem_exec,
    .flush = rem_flush, .info = rem_info, .timer_ff = true,
};

const struct em_engine_ops em_engine_hm = {
    .id = ENGINE_HM, .name = "HM", .init = hm_init, .fini = hm_fini, .run = hm_exec, .flush = hm_flush,
    .info = hm_info, .kick = hm_kick,
};

const struct em_engine_ops *em_engine_ops(enum em_engine e)
{
    return e == ENGINE_IEM ? &em_engine_iem : e == ENGINE_REM ? &em_engine_rem : e == ENGINE_HM ? &em_engine_hm : NULL;
}

enum em_engine em_choose_engine(struct vm *vm)
{
    enum em_engine wanted = vm->cfg.engine, got = wanted == ENGINE_IEM ? ENGINE_IEM : ENGINE_REM;
    char why[160] = "";

    /* auto stays on REM until HM gives IEM's verdict on every guest program
     * (tests/guest/hm.sh: 52 of 61 on a kvm-pvm host); HM runs when asked */
    if (wanted == ENGINE_HM) {
        if (vm->clock && clock_icount(vm->clock))
            snprintf(why, sizeof(why), "--icount needs a software engine");
        else if (hm_probe(why, sizeof(why)) == 0)
            got = ENGINE_HM;
        /* -accel kvm without KVM is refused while parsing (vm_options_parse) */
        if (wanted == ENGINE_HM && got != ENGINE_HM)
            fprintf(stderr, "pcvm: %s; running the recompiler (REM)\n", why);
    }
    if (vm->cfg.debug_engine)
        fprintf(stderr, "pcvm: engine: %s (asked for %s%s%s)\n", em_engine_ops(got)->name,
                wanted == ENGINE_AUTO ? "auto" : em_engine_ops(wanted)->name, *why ? "; " : "", why);
    return got;
}

void em_kick(struct vcpu *v)
{
    const struct em_engine_ops *e = v->engine;
    if (e && e->kick)
        e->kick(v);
}

void em_wake(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->lock);
}

/* Whether a halted vCPU has something to do. Called under vm->lock, so it
 * reads the APIC without its lock (vcpu_intc_pic_allowed). */
static bool vcpu_runnable(struct vcpu *v)
{
    unsigned ff = atomic_load(&v->ff);
    unsigned vm_ff = atomic_load(&v->vm->ff);
    if (vm_ff & ~VM_FF_SLEEP)
        return true;
    if (vm_ff) /* S3: only a reset (the wake) ends it */
        return false;
    if (ff & (VCPU_FF_INIT | VCPU_FF_SIPI))
        return true;
    if ((ff & VCPU_FF_NMI) && !v->cpu.nmi_blocked)
        return true;
    if (!(v->cpu.rflags & F_IF))
        return false;
    return (ff & VCPU_FF_INTERRUPT_APIC) || ((ff & VCPU_FF_INTERRUPT_PIC) && vcpu_intc_pic_allowed(v));
}

/* INIT resets the CPU as at power on, except the APIC base MSR and the TSC
 * (SDM vol. 3 table 9-1); the AP then waits for a SIPI, which starts it
 * in real mode at CS = vector << 8, IP = 0. */
static void init_sipi(struct vcpu *v)
{
    unsigned ff = atomic_load(&v->ff);
    if (ff & VCPU_FF_INIT) {
        vcpu_ff_clear(v, VCPU_FF_INIT);
        vcpu_reset(v, VCPU_RESET_INIT);
    }
    if (ff & VCPU_FF_SIPI) {
        vcpu_ff_clear(v, VCPU_FF_SIPI);
        int vec = vcpu_intc_take_sipi(v);
        if (vec >= 0) {
            v->cpu.seg[S_CS].sel = (uint16_t)(vec << 8);
            v->cpu.seg[S_CS].base = (uint64_t)vec << 12;
            v->cpu.rip = 0;
            v->cpu.halted = false;
            iem_flush(v);
        }
    }
}

/* wait-for-SIPI: nothing runs until an INIT, a SIPI or a VM request */
static void sipi_wait(struct vcpu *v)
{
    struct vm *vm = v->vm;
    pthread_mutex_lock(&vm->lock);
    while (!atomic_load(&vm->ff) && !(atomic_load(&v->ff) & (VCPU_FF_INIT | VCPU_FF_SIPI)) && vcpu_intc_wait_sipi(v))
        pthread_cond_wait(&vm->cond, &vm->lock);
    pthread_mutex_unlock(&vm->lock);
}

/* Sleeps until the vCPU can run. vCPU 0 also runs the timers meanwhile,
 * sleeping only until the next deadline; in deterministic mode idle time
 * is skipped (the clock warps to the deadline) when an interrupt could
 * end the halt. */
static void halt_wait(struct vcpu *v, struct vm_clock *clk)
{
    struct vm *vm = v->vm;
    pthread_mutex_lock(&vm->lock);
    while (!vcpu_runnable(v)) {
        if (!clk) {
            pthread_cond_wait(&vm->cond, &vm->lock);
            continue;
        }
        pthread_mutex_unlock(&vm->lock);
        clock_run_timers(clk);
        pthread_mutex_lock(&vm->lock);
        if (vcpu_runnable(v))
            break;
        /* an arm after this read broadcasts under vm->lock: no lost wakeup */
        uint64_t d = clock_next_deadline(clk), now = clock_now(clk);
        if (d == CLOCK_NEVER) {
            pthread_cond_wait(&vm->cond, &vm->lock);
        } else if (clock_icount(clk)) {
            if ((v->cpu.rflags & F_IF) || (atomic_load(&vm->ff) & VM_FF_SLEEP)) /* a timer may wake it */
                clock_warp(clk, d);
            else
                pthread_cond_wait(&vm->cond, &vm->lock);
        } else if (d > now) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts); /* vm->cond uses the default clock */
            uint64_t ns = (uint64_t)ts.tv_nsec + (d - now);
            ts.tv_sec += (time_t)(ns / 1000000000u);
            ts.tv_nsec = (long)(ns % 1000000000u);
            pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
        }
    }
    pthread_mutex_unlock(&vm->lock);
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Before a slice on vCPU 0: runs due timers and shortens the slice so it
 * ends near the next deadline (exactly, in deterministic mode; from the
 * measured instruction rate otherwise). */
static uint64_t timer_slice(struct vm_clock *clk, uint64_t slice, uint64_t ps_per_insn)
{
    uint64_t d, now;
    clock_run_due(clk, &now, &d);
    if (clock_icount(clk)) {
        uint64_t n = clock_insns_to_deadline(clk);
        return n < slice ? (n ? n : 1) : slice;
    }
    if (d == CLOCK_NEVER || !ps_per_insn)
        return slice;
    uint64_t n = d > now ? (d - now) * 1000 / ps_per_insn : 0;
    if (n < EM_MIN_SLICE)
        n = EM_MIN_SLICE;
    return n < slice ? n : slice;
}

/* Parks the vCPU while VM_FF_SUSPEND stays set and nothing stronger
 * (power off, reset, guru) is asked for; vCPU 0 moves the VM to SUSPENDED
 * and back, which also stops and restarts the clock (its listener). */
static void suspend_wait(struct vcpu *v)
{
    struct vm *vm = v->vm;
    const unsigned stronger = VM_FF_POWER_OFF | VM_FF_GURU | VM_FF_RESET;
    pthread_mutex_lock(&vm->lock);
    while (v->id == 0 && vm->state == VM_POWERING_ON) /* started stopped (-S): vm_run says RUNNING first */
        pthread_cond_wait(&vm->cond, &vm->lock);
    pthread_mutex_unlock(&vm->lock);
    if (v->id == 0 && vm->state == VM_RUNNING)
        vm_set_state(vm, VM_SUSPENDED);
    pthread_mutex_lock(&vm->lock);
    vm->nquiet++;
    pthread_cond_broadcast(&vm->cond); /* a debugger waits for every vCPU to park */
    while ((atomic_load(&vm->ff) & (VM_FF_SUSPEND | stronger)) == VM_FF_SUSPEND)
        pthread_cond_wait(&vm->cond, &vm->lock);
    vm->nquiet--;
    pthread_mutex_unlock(&vm->lock);
    if (v->id == 0 && vm->state == VM_SUSPENDED && !(atomic_load(&vm->ff) & stronger))
        vm_set_state(vm, VM_RUNNING);
}

/* Acts on VM-wide forced actions; returns false when the loop must end. */
static bool handle_vm_ff(struct vcpu *v)
{
    struct vm *vm = v->vm;
    unsigned ff = atomic_load(&vm->ff);

    if ((ff & VM_FF_SUSPEND) && !(ff & (VM_FF_POWER_OFF | VM_FF_GURU | VM_FF_RESET))) {
        suspend_wait(v);
        ff = atomic_load(&vm->ff);
    }
    if (ff & (VM_FF_POWER_OFF | VM_FF_GURU))
        return false;
    if ((ff & VM_FF_RESET) && v->id != 0) {
        sched_yield(); /* the BSP's thread does the reset */
        return true;
    }
    if (ff & VM_FF_RESET) {
        atomic_fetch_and(&vm->ff, ~VM_FF_RESET);
        if (vm->cfg.no_reboot) {
            vm_request(vm, VM_FF_POWER_OFF);
            return false;
        }
        vm_reset(vm);
    }
    return true;
}

/* One slice on the vCPU's engine, or on IEM one instruction at a time
 * while a debugger has breakpoints, watchpoints or a step for it (REM's
 * blocks do not check addresses). */
static int run_slice(struct vcpu *v, uint64_t slice)
{
    if (__builtin_expect(v->vm->dbg != NULL, 0) && dbg_vcpu_active(v))
        return em_dbg_run(v, slice);
    return v->engine->run(v, slice);
}

static void *emt_main(void *arg)
{
    struct vcpu *v = arg;
    struct vm *vm = v->vm;
    uint64_t budget = vm->cfg.max_insns;
    struct vm_clock *clk = v->id == 0 ? vm_clock(vm) : NULL; /* vCPU 0 runs the timers */
    uint64_t ps_per_insn = 0; /* measured host time per instruction, for slice sizing */

    vcpu_intc_thread_start(v);
    for (;;) {
        uint64_t slice = EM_SLICE;
        int rc;

        if (clk && v->engine->timer_ff && ps_per_insn && !clock_icount(clk)) {
            slice = EM_SLICE_NS * 1000 / ps_per_insn;
            slice = slice < EM_SLICE ? EM_SLICE : slice > EM_MAX_SLICE ? EM_MAX_SLICE : slice;
        }

        if (atomic_load(&vm->ff) && !handle_vm_ff(v))
            break;
        if (atomic_load(&v->ff) & VCPU_FF_TLB_FLUSH) { /* a shootdown or a memory-map change */
            vcpu_ff_clear(v, VCPU_FF_TLB_FLUSH);
            tlb_flush_all(v);
        }
        if (budget) {
            if (v->insns >= budget) {
                fprintf(stderr, "pcvm: instruction limit (%llu) reached\n", (unsigned long long)budget);
                vm->insn_limit_hit = true;
                vm_request(vm, VM_FF_POWER_OFF);
                break;
            }
            if (budget - v->insns < slice)
                slice = budget - v->insns;
        }
        if (atomic_load(&vm->ff) & VM_FF_SLEEP) {
            halt_wait(v, clk);
            continue;
        }
        if (atomic_load(&v->ff) & (VCPU_FF_INIT | VCPU_FF_SIPI))
            init_sipi(v);
        if (vcpu_intc_wait_sipi(v)) {
            sipi_wait(v);
            continue;
        }
        uint64_t insns0 = v->insns, t0 = 0;
        if (clk) {
            if (atomic_load(&v->ff) & VCPU_FF_TIMER) /* before the timers run: they may arm again */
                vcpu_ff_clear(v, VCPU_FF_TIMER);
            slice = timer_slice(clk, slice, ps_per_insn);
            t0 = host_ns();
        }
        rc = run_slice(v, slice);
        if (vm->cfg.cpu_cap)
            em_cap_slice(v);
        if (clk) {
            uint64_t n = v->insns - insns0;
            clock_account_insns(clk, n);
            if (n >= EM_MIN_SLICE) /* a smoothed estimate; halts and breaks skew short slices */
                ps_per_insn = (ps_per_insn * 7 + (host_ns() - t0) * 1000 / n) / 8;
        }
        if (rc == IEM_HALT) {
            halt_wait(v, clk);
        } else if (rc == IEM_TRIPLE) {
            vm_triple_fault(vm);
        } else if (rc < 0) {
            vm_guru(vm, v, "internal error %d in the interpreter", rc);
            break;
        }
    }
    pthread_mutex_lock(&vm->lock);
    vm->nquiet++; /* ended: quiet for good */
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->lock);
    return NULL;
}

/* Gives every vCPU the chosen engine, or IEM when it cannot start. */
static void engines_init(struct vm *vm)
{
    const struct em_engine_ops *ops = em_engine_ops(vm->engine);
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->cpus[i];
        v->engine = ops;
        if (ops->init && ops->init(v) < 0) {
            fprintf(stderr, "pcvm: cpu%u: %s cannot start; running the interpreter (IEM)\n", i, ops->name);
            v->engine = &em_engine_iem;
        }
    }
}

void em_fini(struct vm *vm)
{
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->cpus[i];
        if (v->engine && v->engine->fini)
            v->engine->fini(v);
        v->engine = NULL;
    }
}

int em_start(struct vm *vm)
{
    vm->engine = em_choose_engine(vm);
    engines_init(vm);
    for (unsigned i = 0; i < vm->ncpus; i++) {
        vm->cpus[i].thread_started = true;
        if (pthread_create(&vm->cpus[i].thread, NULL, emt_main, &vm->cpus[i]) != 0) {
            vm_request(vm, VM_FF_POWER_OFF);
            while (i-- > 0)
                pthread_join(vm->cpus[i].thread, NULL);
            return -1;
        }
    }
    return 0;
}

void em_join(struct vm *vm)
{
    for (unsigned i = 0; i < vm->ncpus; i++)
        pthread_join(vm->cpus[i].thread, NULL);
}
