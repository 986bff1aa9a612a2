/* The CPU execution cap (--cpu-cap PERCENT), after VirtualBox's: each vCPU
 * thread's host CPU time is held at or under PERCENT of the wall time,
 * measured over a window, by sleeping after a slice that went over.
 *
 * Invariants:
 * - Only the vCPU's own thread reads or changes its cap state.
 * - A sleep lasts at most EM_CAP_MAX_SLEEP and waits on vm->cond, so a
 *   forced action (power off, suspend, a debugger) is not held up by it.
 */
#include <time.h>

#include "em/em.h"

#define EM_CAP_WINDOW    100000000ull /* ns of wall time per measurement */
#define EM_CAP_MAX_SLEEP 10000000ull  /* ns */

static uint64_t now_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void em_cap_slice(struct vcpu *v)
{
    struct vm *vm = v->vm;
    unsigned pct = vm->cfg.cpu_cap;
    uint64_t wall = now_ns(CLOCK_MONOTONIC), cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);

    if (!pct || pct >= 100)
        return;
    if (!v->cap.wall0) {
        v->cap.wall0 = wall;
        v->cap.cpu0 = cpu;
        return;
    }
    uint64_t used = cpu - v->cap.cpu0, elapsed = wall - v->cap.wall0;
    /* the wall time at which `used` is exactly the cap */
    uint64_t due = used * 100 / pct;
    if (due > elapsed) {
        uint64_t ns = due - elapsed < EM_CAP_MAX_SLEEP ? due - elapsed : EM_CAP_MAX_SLEEP;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts); /* vm->cond uses the default clock */
        ns += (uint64_t)ts.tv_nsec;
        ts.tv_sec += (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        pthread_mutex_lock(&vm->lock);
        if (!atomic_load(&vm->ff))
            pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
        pthread_mutex_unlock(&vm->lock);
        wall = now_ns(CLOCK_MONOTONIC);
        elapsed = wall - v->cap.wall0;
    }
    if (elapsed >= EM_CAP_WINDOW) {
        atomic_store_explicit(&v->cap.used_pct, (unsigned)(used * 100 / elapsed), memory_order_relaxed);
        v->cap.wall0 = wall;
        v->cap.cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    }
}
