/* The virtual clock: deterministic mode, timers in deadline order, re-arm
 * and cancel, tick conversions. */
#include <criterion/criterion.h>
#include <time.h>

#include "vm/clock.h"
#include "vm/vm.h"

static struct vm *vm;
static struct vm_clock *clk;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    clk = vm_clock(vm);
    cr_assert_not_null(clk);
    clock_set_icount(clk, true, 0);
}

static void teardown(void)
{
    vm_destroy(vm);
}

TestSuite(clock, .init = setup, .fini = teardown);

static int order[8], norder;
static void record(void *opaque, uint64_t now)
{
    (void)now;
    order[norder++] = (int)(intptr_t)opaque;
}

Test(clock, deterministic_time_moves_with_instructions)
{
    uint64_t t0 = clock_now(clk);
    cr_assert_eq(clock_now(clk), t0, "nothing retired, no time passes");
    clock_account_insns(clk, 1000);
    cr_assert_eq(clock_now(clk), t0 + 1000);
    clock_warp(clk, t0 + 5000);
    cr_assert_eq(clock_now(clk), t0 + 5000);
    clock_warp(clk, t0);
    cr_assert_eq(clock_now(clk), t0 + 5000, "time never goes back");
}

Test(clock, timers_fire_in_deadline_order)
{
    struct clock_timer a, b, c;
    uint64_t t0 = clock_now(clk);
    norder = 0;
    clock_timer_init(&a, clk, record, (void *)1);
    clock_timer_init(&b, clk, record, (void *)2);
    clock_timer_init(&c, clk, record, (void *)3);
    clock_timer_arm(&a, t0 + 300);
    clock_timer_arm(&b, t0 + 100);
    clock_timer_arm(&c, t0 + 200);
    cr_assert_eq(clock_next_deadline(clk), t0 + 100);
    cr_assert_eq(clock_run_timers(clk), 0, "nothing due yet");
    cr_assert_eq(clock_insns_to_deadline(clk), 100);
    clock_account_insns(clk, 250);
    cr_assert_eq(clock_run_timers(clk), 2);
    cr_assert_eq(order[0], 2);
    cr_assert_eq(order[1], 3);
    cr_assert(clock_timer_armed(&a));
    clock_timer_cancel(&a);
    cr_assert(!clock_timer_armed(&a));
    clock_account_insns(clk, 1000);
    cr_assert_eq(clock_run_timers(clk), 0, "a cancelled timer stays quiet");
    clock_timer_arm(&a, t0 + 2000);
    clock_timer_arm(&a, t0 + 1500); /* re-arming moves it */
    clock_warp(clk, t0 + 1600);
    cr_assert_eq(clock_run_timers(clk), 1);
    cr_assert_eq(clock_next_deadline(clk), CLOCK_NEVER);
}

Test(clock, tick_conversions)
{
    cr_assert_eq(clock_ns_to_ticks(1000000000, 1193182), 1193182);
    for (uint64_t k = 1; k < 5000; k += 37) {
        uint64_t ns = clock_ticks_to_ns(k, 1193182);
        cr_assert_eq(clock_ns_to_ticks(ns, 1193182), k, "first ns of tick %llu", (unsigned long long)k);
        cr_assert_eq(clock_ns_to_ticks(ns - 1, 1193182), k - 1);
    }
}

Test(clock, real_time_mode_advances)
{
    clock_set_icount(clk, false, 0);
    uint64_t t0 = clock_now(clk);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    cr_assert_gt(clock_now(clk), t0);
}

/* Power on restarts real time from what was last read: the creation gap
 * is not counted, and time neither steps back nor stands still after. */
Test(clock, power_on_rebase_continues_from_the_last_reading)
{
    clock_set_icount(clk, false, 0);
    struct timespec gap = {0, 30000000}, tick = {0, 2000000};
    uint64_t t1 = clock_now(clk);
    nanosleep(&gap, NULL); /* creation-to-run gap */
    clock_rebase(clk);
    uint64_t t2 = clock_now(clk);
    cr_assert_geq(t2, t1);
    cr_assert_lt(t2, t1 + 20000000, "the gap is not counted: %llu -> %llu", (unsigned long long)t1,
                 (unsigned long long)t2);
    nanosleep(&tick, NULL);
    cr_assert_gt(clock_now(clk), t2, "time runs on at once");
}
