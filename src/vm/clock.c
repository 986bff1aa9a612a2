/* The virtual clock and timers (see clock.h for the invariants). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "em/em.h"
#include "vm/clock.h"
#include "vm/vm.h"
#include "vm/ss.h"

/* At most this many callbacks per clock_run_timers call, so a timer that
 * keeps re-arming itself in the past cannot starve the vCPU. */
#define CLOCK_MAX_RUNS 64

struct vm_clock {
    struct vm *vm;
    pthread_mutex_t lock;           /* guards the timer list and the pause bookkeeping */
    struct clock_timer *head;
    _Atomic uint64_t last;          /* the largest value clock_now returned */
    _Atomic uint64_t icount_ns;     /* deterministic mode: the time at the last accounting */
    uint64_t acct_insns;            /* ... vCPU 0's instruction count then */
    atomic_bool icount;
    unsigned shift;
    uint64_t paused_ns;             /* host time spent suspended */
    uint64_t pause_start;           /* host time the current suspension began, 0 when running */
    uint64_t ss_now;                /* saved state: the time (the timers are their devices') */
};

static uint64_t host_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t clock_ns_to_ticks(uint64_t ns, uint64_t hz)
{
    return (uint64_t)((unsigned __int128)ns * hz / 1000000000u);
}

uint64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
    unsigned __int128 p = (unsigned __int128)ticks * 1000000000u;
    return (uint64_t)((p + hz - 1) / hz);
}

/* Raises c->last to v and returns the (monotonic) result. */
static uint64_t publish(struct vm_clock *c, uint64_t v)
{
    uint64_t old = atomic_load(&c->last);
    while (old < v && !atomic_compare_exchange_weak(&c->last, &old, v))
        ;
    return old < v ? v : old;
}

/* Real time, c->lock held. Publishing under the lock means a switch to
 * deterministic time (which takes the lock) never races a real-time value
 * into c->last after it reset it. */
static uint64_t real_now_locked(struct vm_clock *c)
{
    uint64_t host = host_mono_ns(), base = c->vm->clock_base_ns;
    if (c->pause_start)
        host = c->pause_start; /* suspended: time stands at the moment of suspension */
    /* vm_run re-bases clock_base_ns at power on; the clamp in publish()
     * keeps time from stepping back over the creation-to-run gap. */
    /* modular: a restored state's time may put base above the host's clock */
    int64_t d = (int64_t)(host - base - c->paused_ns);
    return publish(c, d > 0 ? (uint64_t)d : 0);
}

/* Deterministic time: the accounted time plus vCPU 0's instructions
 * retired since (a device read in the middle of a slice sees the exact
 * instruction's time, so where slices end, after a restore say, does not
 * show). Exact on vCPU 0's thread; other vCPUs' reads race it, as SMP
 * is not deterministic anyway. */
static uint64_t icount_now(struct vm_clock *c)
{
    uint64_t n = __atomic_load_n(&c->vm->cpus[0].insns, __ATOMIC_RELAXED) - c->acct_insns;
    return atomic_load(&c->icount_ns) + (n < (1ull << 40) ? n << c->shift : 0);
}

uint64_t clock_now(struct vm_clock *c)
{
    if (atomic_load(&c->icount))
        return publish(c, icount_now(c));
    pthread_mutex_lock(&c->lock);
    if (atomic_load(&c->icount)) {
        pthread_mutex_unlock(&c->lock);
        return publish(c, icount_now(c));
    }
    uint64_t v = real_now_locked(c);
    pthread_mutex_unlock(&c->lock);
    return v;
}

static void state_changed(void *opaque, struct vm *vm, enum vm_state from, enum vm_state to)
{
    struct vm_clock *c = opaque;
    /* saving and loading happen while suspended: time stands still on */
    bool stop = to == VM_SUSPENDED || to == VM_SAVING || to == VM_LOADING;
    (void)vm;
    (void)from;
    pthread_mutex_lock(&c->lock);
    if (stop && !c->pause_start)
        c->pause_start = host_mono_ns();
    else if (!stop && c->pause_start) {
        c->paused_ns += host_mono_ns() - c->pause_start;
        c->pause_start = 0;
    }
    pthread_mutex_unlock(&c->lock);
}

static void clock_destroy(void *opaque)
{
    struct vm_clock *c = opaque;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static int clock_pre_save(void *opaque, char *err, size_t errlen)
{
    struct vm_clock *c = opaque;
    (void)err, (void)errlen;
    c->ss_now = clock_now(c);
    return 0;
}

static void clock_post_load(void *opaque)
{
    struct vm_clock *c = opaque;
    clock_restore(c, c->ss_now);
}

static const struct ss_field clock_fields[] = {SS_FIELD(struct vm_clock, ss_now, U64), SS_END};
static const struct ss_desc clock_ss = {1, clock_fields, clock_pre_save, clock_post_load};

int clock_create(struct vm *vm, struct vm_clock **out)
{
    struct vm_clock *c = calloc(1, sizeof(*c));
    int rc;
    if (!c)
        return -ENOMEM;
    c->vm = vm;
    pthread_mutex_init(&c->lock, NULL);
    rc = bus_add_device(&vm->bus, "clock", c, NULL, clock_destroy);
    if (rc == 0)
        rc = bus_describe(&vm->bus, c, &clock_ss);
    if (rc < 0) {
        clock_destroy(c);
        return rc;
    }
    vm->clock = c;
    rc = vm_add_listener(vm, state_changed, c);
    if (rc < 0)
        return rc; /* the bus owns c now */
    *out = c;
    return 0;
}

struct vm_clock *vm_clock(struct vm *vm)
{
    return vm->clock;
}

void clock_timer_init(struct clock_timer *t, struct vm_clock *c, clock_timer_fn fn, void *opaque)
{
    memset(t, 0, sizeof(*t));
    t->clock = c;
    t->fn = fn;
    t->opaque = opaque;
    t->deadline = CLOCK_NEVER;
}

/* Caller holds the lock. */
static void unlink_timer(struct vm_clock *c, struct clock_timer *t)
{
    for (struct clock_timer **p = &c->head; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    t->next = NULL;
    t->deadline = CLOCK_NEVER;
}

void clock_timer_arm(struct clock_timer *t, uint64_t deadline)
{
    struct vm_clock *c = t->clock;
    struct clock_timer **p;
    bool first;

    if (deadline == CLOCK_NEVER) {
        clock_timer_cancel(t);
        return;
    }
    pthread_mutex_lock(&c->lock);
    if (t->deadline != CLOCK_NEVER)
        unlink_timer(c, t);
    for (p = &c->head; *p && (*p)->deadline <= deadline; p = &(*p)->next)
        ;
    t->next = *p;
    t->deadline = deadline;
    *p = t;
    first = c->head == t;
    pthread_mutex_unlock(&c->lock);
    if (first) {
        /* vCPU 0's slice may end after the deadline (em.c sizes long ones
         * in real time); deterministic time has its slices end at
         * deadlines known when they start */
        if (!atomic_load(&c->icount)) {
            atomic_fetch_or(&c->vm->cpus[0].ff, VCPU_FF_TIMER);
            vcpu_stop_code(&c->vm->cpus[0]);
        }
        em_wake(c->vm); /* a halted vCPU 0 may be sleeping until a later deadline */
    }
}

void clock_timer_cancel(struct clock_timer *t)
{
    struct vm_clock *c = t->clock;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    if (t->deadline != CLOCK_NEVER)
        unlink_timer(c, t);
    pthread_mutex_unlock(&c->lock);
}

bool clock_timer_armed(struct clock_timer *t)
{
    struct vm_clock *c = t->clock;
    bool armed;
    pthread_mutex_lock(&c->lock);
    armed = t->deadline != CLOCK_NEVER;
    pthread_mutex_unlock(&c->lock);
    return armed;
}

uint64_t clock_next_deadline(struct vm_clock *c)
{
    uint64_t d;
    pthread_mutex_lock(&c->lock);
    d = c->head ? c->head->deadline : CLOCK_NEVER;
    pthread_mutex_unlock(&c->lock);
    return d;
}

unsigned clock_run_due(struct vm_clock *c, uint64_t *now_out, uint64_t *next)
{
    unsigned n = 0;

    /* one lock and one clock read when nothing is due (once per slice) */
    pthread_mutex_lock(&c->lock);
    uint64_t now = atomic_load(&c->icount) ? publish(c, icount_now(c)) : real_now_locked(c);
    for (;;) {
        struct clock_timer *t = c->head;
        if (!t || t->deadline > now || n >= CLOCK_MAX_RUNS) {
            if (next)
                *next = t ? t->deadline : CLOCK_NEVER;
            break;
        }
        c->head = t->next;
        t->next = NULL;
        t->deadline = CLOCK_NEVER;
        pthread_mutex_unlock(&c->lock);
        t->fn(t->opaque, now);
        n++;
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    if (now_out)
        *now_out = now;
    return n;
}

unsigned clock_run_timers(struct vm_clock *c)
{
    return clock_run_due(c, NULL, NULL);
}

void clock_set_icount(struct vm_clock *c, bool on, unsigned shift)
{
    if (on == atomic_load(&c->icount))
        return;
    if (on) {
        /* Before power on, deterministic time starts at zero: the real time
         * that creation took must not leak into it. Later, it continues
         * from now. */
        pthread_mutex_lock(&c->lock);
        uint64_t start = c->vm->state == VM_CREATED ? 0 : real_now_locked(c);
        if (!start)
            atomic_store(&c->last, 0);
        atomic_store(&c->icount_ns, start);
        c->acct_insns = c->vm->cpus[0].insns;
        c->shift = shift > 20 ? 20 : shift;
        atomic_store(&c->icount, true);
        pthread_mutex_unlock(&c->lock);
    } else {
        /* continue in real time from here: fold the difference into paused_ns */
        uint64_t v = atomic_load(&c->icount_ns), host = host_mono_ns();
        pthread_mutex_lock(&c->lock);
        c->paused_ns = host > c->vm->clock_base_ns + v ? host - c->vm->clock_base_ns - v : 0;
        atomic_store(&c->icount, false);
        pthread_mutex_unlock(&c->lock);
    }
}

void clock_rebase(struct vm_clock *c)
{
    pthread_mutex_lock(&c->lock);
    c->vm->clock_base_ns = host_mono_ns() - c->paused_ns - atomic_load(&c->last);
    pthread_mutex_unlock(&c->lock);
}

void clock_restore(struct vm_clock *c, uint64_t now)
{
    pthread_mutex_lock(&c->lock);
    uint64_t ref = c->pause_start ? c->pause_start : host_mono_ns();
    atomic_store(&c->last, now);
    atomic_store(&c->icount_ns, now);
    c->acct_insns = c->vm->cpus[0].insns; /* the vCPUs are loaded first */
    c->paused_ns = 0;
    c->vm->clock_base_ns = ref - now;
    pthread_mutex_unlock(&c->lock);
}

bool clock_icount(struct vm_clock *c)
{
    return atomic_load(&c->icount);
}

void clock_account_insns(struct vm_clock *c, uint64_t insns)
{
    if (atomic_load(&c->icount)) {
        atomic_fetch_add(&c->icount_ns, insns << c->shift);
        c->acct_insns += insns;
    }
}

uint64_t clock_insns_to_deadline(struct vm_clock *c)
{
    uint64_t d = clock_next_deadline(c), now = clock_now(c);
    if (d == CLOCK_NEVER)
        return UINT64_MAX;
    if (d <= now)
        return 0;
    return ((d - now) + (1ull << c->shift) - 1) >> c->shift;
}

void clock_warp(struct vm_clock *c, uint64_t t)
{
    uint64_t old = atomic_load(&c->icount_ns);
    if (!atomic_load(&c->icount))
        return;
    while (old < t && !atomic_compare_exchange_weak(&c->icount_ns, &old, t))
        ;
}
