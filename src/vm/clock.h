/* The virtual clock and its timers.
 *
 * Invariants:
 * - Virtual time is nanoseconds since power on and never goes backwards.
 *   In real-time mode it follows the host monotonic clock (the same base
 *   as vm_clock_ns, so the TSC agrees with it) and stands still while the
 *   VM is suspended; in deterministic mode it moves only when the run loop
 *   accounts retired instructions or warps over idle (halted) time.
 * - Timer callbacks run on vCPU 0's thread between instruction slices,
 *   never with the clock lock held, so a callback may re-arm any timer.
 * - A callback may run slightly late (one slice) but never early.
 */
#ifndef PCVM_CLOCK_H
#define PCVM_CLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vm_clock;

#define CLOCK_NEVER UINT64_MAX

typedef void (*clock_timer_fn)(void *opaque, uint64_t now);

struct clock_timer {
    struct vm_clock *clock;
    clock_timer_fn fn;
    void *opaque;
    uint64_t deadline;          /* CLOCK_NEVER when not armed */
    struct clock_timer *next;   /* sorted by deadline */
};

/* Creates the clock of vm and registers it on the bus as "clock". */
int clock_create(struct vm *vm, struct vm_clock **out);
/* The clock of vm, or NULL before pc_machine_create. */
struct vm_clock *vm_clock(struct vm *vm);

uint64_t clock_now(struct vm_clock *c);

void clock_timer_init(struct clock_timer *t, struct vm_clock *c, clock_timer_fn fn, void *opaque);
/* Arms (or re-arms) t to fire once at absolute virtual time deadline. */
void clock_timer_arm(struct clock_timer *t, uint64_t deadline);
void clock_timer_cancel(struct clock_timer *t);
bool clock_timer_armed(struct clock_timer *t);

/* The earliest armed deadline, CLOCK_NEVER when none. */
uint64_t clock_next_deadline(struct vm_clock *c);
/* Runs every timer that is due; returns how many ran. vCPU 0 only. */
unsigned clock_run_timers(struct vm_clock *c);
/* clock_run_timers that also gives the time it ran them at (*now) and the
 * earliest deadline left (*next, CLOCK_NEVER when none); either may be
 * NULL. vCPU 0 only. */
unsigned clock_run_due(struct vm_clock *c, uint64_t *now, uint64_t *next);

/* Deterministic (icount) mode: every retired instruction is 2^shift ns. */
void clock_set_icount(struct vm_clock *c, bool on, unsigned shift);
/* Power on: real time restarts from the latest value anyone has read (0 if
 * none), so the creation-to-run gap is neither counted nor stepped back over
 * (a step back would stand time still until the host caught up). */
void clock_rebase(struct vm_clock *c);
bool clock_icount(struct vm_clock *c);
/* A saved state's time: the clock reads now from here on (in either mode). */
void clock_restore(struct vm_clock *c, uint64_t now);
/* The run loop reports instructions retired since its last call. */
void clock_account_insns(struct vm_clock *c, uint64_t insns);
/* Instructions until the next deadline (icount mode), for slice sizing. */
uint64_t clock_insns_to_deadline(struct vm_clock *c);
/* Deterministic mode: moves time forward to t (idle skip, tests). */
void clock_warp(struct vm_clock *c, uint64_t t);

/* Conversions between virtual ns and ticks of a hz oscillator started at
 * time 0: ticks = floor(ns * hz / 1e9); first ns of tick k = ceil(...). */
uint64_t clock_ns_to_ticks(uint64_t ns, uint64_t hz);
uint64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz);

#endif
