/* HPET: capabilities, counter halted/running against the deterministic
 * clock, one-shot and periodic comparators (accumulating), 32-bit mode
 * wrap, level-triggered status, legacy replacement to IRQ0/pin 2. */
#include <criterion/criterion.h>

#include "devices/hpet.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "vm/clock.h"
#include "vm/vm.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    pc_set_deterministic(vm, 0);
    lapic_set_current(&vm->cpus[0]);
    pgm_write_u(&vm->pgm, APIC_DEFAULT_BASE + 0xf0, 0x1ff, 4);
}

static void teardown(void)
{
    lapic_set_current(NULL);
    vm_destroy(vm);
}

static uint64_t rd(unsigned off) { return pgm_read_u(&vm->pgm, HPET_BASE + off, 8); }
static void wr(unsigned off, uint64_t v) { pgm_write_u(&vm->pgm, HPET_BASE + off, v, 8); }
static void wr32(unsigned off, uint32_t v) { pgm_write_u(&vm->pgm, HPET_BASE + off, v, 4); }
static void iow(unsigned reg, uint32_t v)
{
    pgm_write_u(&vm->pgm, IOAPIC_BASE, reg, 4);
    pgm_write_u(&vm->pgm, IOAPIC_BASE + 0x10, v, 4);
}
static void advance(uint64_t ns)
{
    struct vm_clock *c = vm_clock(vm);
    clock_warp(c, clock_now(c) + ns);
    clock_run_timers(c);
}
static int ack(void)
{
    int v = vcpu_intc_ack(&vm->cpus[0]);
    if (v >= 0)
        pgm_write_u(&vm->pgm, APIC_DEFAULT_BASE + 0xb0, 0, 4);
    return v;
}

TestSuite(hpet, .init = setup, .fini = teardown);

Test(hpet, capabilities)
{
    uint64_t cap = rd(0);
    cr_assert_eq((uint32_t)cap, 0x8086a201);
    cr_assert_eq(cap >> 32, 10000000);
    cr_assert_eq(rd(0x100) & 0x30, 0x30, "periodic and 64-bit capable");
    cr_assert_eq(rd(0x108), ~0ull, "comparators reset to all ones");
}

Test(hpet, counter)
{
    advance(1000);
    cr_assert_eq(rd(0xf0), 0, "halted");
    wr(0x10, 1);
    advance(1000);
    cr_assert_eq(rd(0xf0), 100);
    wr(0x10, 0);
    advance(1000);
    cr_assert_eq(rd(0xf0), 100, "frozen");
    wr(0xf0, 5000);
    cr_assert_eq(rd(0xf0), 5000);
    cr_assert_eq(pgm_read_u(&vm->pgm, HPET_BASE + 0xf4, 4), 0);
}

Test(hpet, oneshot_legacy_irq0)
{
    iow(0x14, 0x40); /* pin 2 */
    wr(0x10, 3);     /* enabled, legacy replacement */
    wr(0x100, 0x4);
    wr(0x108, 100);
    advance(990);
    cr_assert_eq(ack(), -1);
    advance(10);
    cr_assert_eq(ack(), 0x40);
    advance(100000);
    cr_assert_eq(ack(), -1, "64-bit one-shot fires once");
}

Test(hpet, periodic_accumulates)
{
    iow(0x38, 0x41); /* pin 20 */
    wr(0x140, (20u << 9) | 0x4c); /* enabled, periodic, VAL_SET */
    wr(0x148, 1000);
    wr(0x148, 500); /* the period */
    wr(0x10, 1);
    advance(10000);
    cr_assert_eq(ack(), 0x41);
    cr_assert_eq(rd(0x148), 1500);
    advance(5000);
    cr_assert_eq(ack(), 0x41);
    cr_assert_eq(rd(0x148), 2000);
    advance(5000 * 3);
    cr_assert_eq(ack(), 0x41, "late: one interrupt");
    cr_assert_eq(rd(0x148), 3500, "and the comparator skips ahead");
}

Test(hpet, level_status)
{
    iow(0x38, 0x8042); /* pin 20, level */
    wr(0x140, (20u << 9) | 0x6);
    wr(0x148, 10);
    wr(0x10, 1);
    advance(100);
    cr_assert_eq(rd(0x20), 4);
    cr_assert_eq(ack(), 0x42);
    cr_assert_eq(ack(), 0x42, "line still high after EOI");
    wr(0x20, 4);
    cr_assert_eq(rd(0x20), 0);
    cr_assert_eq(ack(), 0x42, "the one already in the IRR");
    cr_assert_eq(ack(), -1, "line low: no more");
}

Test(hpet, mode32_wraps)
{
    iow(0x38, 0x43);
    wr(0x10, 0);
    wr(0xf0, 0xfffffff0ull);
    wr(0x140, (20u << 9) | 0x104); /* 32-bit, enabled */
    wr32(0x148, 0x10);
    wr(0x10, 1);
    advance(0x1f * 10);
    cr_assert_eq(ack(), -1);
    advance(10);
    cr_assert_eq(ack(), 0x43, "matches after the low 32 bits wrap");
}

/* Period 1 (10 ns) keeps firing, once per run of the timers at most. The
 * clock timer runs between instruction slices, so the guest can write a
 * register after the counter passed the comparator and before the timer
 * ran: the match still happened (the comparator moved on), it must not
 * leave a 64-bit comparator behind the counter, matching again only
 * after 2^64 ticks. */
Test(hpet, tiny_period_keeps_firing_across_a_late_timer)
{
    iow(0x38, 0x41); /* pin 20, edge */
    wr(0x140, (20u << 9) | 0x4c); /* enabled, periodic, VAL_SET */
    wr(0x148, 1);                 /* comparator 1 and period 1 */
    wr(0x10, 1);
    advance(100);
    cr_assert_eq(ack(), 0x41);
    cr_assert_eq(rd(0x148), 11, "one match per run: the comparator skips to just past the counter");
    struct vm_clock *c = vm_clock(vm);
    clock_warp(c, clock_now(c) + 1000); /* the counter passes the comparator; the timer has not run */
    wr(0x148, 1);                       /* the period again (no VAL_SET), as Linux writes it */
    cr_assert_eq(rd(0x148), 111, "the due match moved the comparator on");
    cr_assert_eq(ack(), 0x41, "and raised its interrupt");
    for (int i = 0; i < 5; i++) {
        advance(100);
        cr_assert_eq(ack(), 0x41, "period 1 keeps firing (run %d)", i);
    }
}
