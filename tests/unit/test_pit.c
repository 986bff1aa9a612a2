/* The 8254 against the datasheet, at exact virtual times (deterministic
 * clock, 1 ns per instruction): counter values and OUT per mode, latch,
 * read-back, gate, IRQ0. Times are in PIT clocks from the count write. */
#include <criterion/criterion.h>

#include "vm/clock.h"
#include "vm/vm.h"

#define HZ 1193182u

static struct vm *vm;
static struct vm_clock *clk;
static uint64_t t0; /* tick of the last count write */

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    clk = vm_clock(vm);
    clock_set_icount(clk, true, 0);
    clock_warp(clk, clock_ticks_to_ns(clock_ns_to_ticks(clock_now(clk), HZ) + 10, HZ));
}

static void teardown(void)
{
    vm_destroy(vm);
}

static void out8(uint16_t port, uint8_t v) { bus_pio_write(&vm->bus, port, v, 1); }
static uint8_t in8(uint16_t port) { return (uint8_t)bus_pio_read(&vm->bus, port, 1); }

/* Goes to tick t0 + k (the first nanosecond of it). */
static void at(uint64_t k)
{
    clock_warp(clk, clock_ticks_to_ns(t0 + k, HZ));
    clock_run_timers(clk);
}

static void program(unsigned ctr, uint8_t mode_bits, uint16_t count)
{
    out8(0x43, (uint8_t)(ctr << 6 | 0x30 | mode_bits));
    out8(0x40 + ctr, (uint8_t)count);
    out8(0x40 + ctr, (uint8_t)(count >> 8));
    t0 = clock_ns_to_ticks(clock_now(clk), HZ);
}

static unsigned latch(unsigned ctr)
{
    out8(0x43, (uint8_t)(ctr << 6));
    unsigned lo = in8(0x40 + ctr);
    return lo | (unsigned)in8(0x40 + ctr) << 8;
}

static int out2(void) { return (in8(0x61) >> 5) & 1; }
static void gate2(int g) { out8(0x61, (uint8_t)g); }

TestSuite(pit, .init = setup, .fini = teardown);

Test(pit, mode0_interrupt_on_terminal_count)
{
    gate2(1);
    out8(0x43, 0xb0);
    cr_assert_eq(out2(), 0, "OUT low after the control word");
    program(2, 0 << 1, 100);
    at(1);
    cr_assert_eq(latch(2), 100, "loaded on the first clock, not decremented");
    at(51);
    cr_assert_eq(latch(2), 50);
    cr_assert_eq(out2(), 0);
    at(101);
    cr_assert_eq(out2(), 1, "OUT high N+1 clocks after the write");
    cr_assert_eq(latch(2), 0);
    at(102);
    cr_assert_eq(latch(2), 0xffff, "the count wraps and goes on");
    gate2(0);
    at(200);
    unsigned held = latch(2);
    at(300);
    cr_assert_eq(latch(2), held, "GATE low suspends counting");
}

Test(pit, mode1_hardware_one_shot)
{
    gate2(0);
    program(2, 1 << 1, 10);
    cr_assert_eq(out2(), 1, "OUT high until triggered");
    at(5);
    gate2(1);
    at(6);
    cr_assert_eq(out2(), 0, "low on the clock after the trigger");
    at(15);
    cr_assert_eq(out2(), 0);
    at(16);
    cr_assert_eq(out2(), 1, "high after N clocks");
}

Test(pit, mode2_rate_generator)
{
    gate2(1);
    program(2, 2 << 1, 5);
    for (unsigned k = 1; k <= 11; k++) {
        at(k);
        unsigned p = (k - 1) % 5;
        cr_assert_eq(latch(2), 5 - p, "value at clock %u", k);
        cr_assert_eq(out2(), p != 4, "OUT at clock %u (low while the count is 1)", k);
    }
    /* a new count waits for the end of the period */
    at(12); /* p = 1 */
    out8(0x42, 3);
    out8(0x42, 0);
    at(15);
    cr_assert_eq(latch(2), 1, "old period still running");
    at(16);
    cr_assert_eq(latch(2), 3, "the new count loads at the reload");
    gate2(0);
    cr_assert_eq(out2(), 1, "GATE low forces OUT high");
}

Test(pit, mode3_square_wave_even_and_odd)
{
    gate2(1);
    program(2, 3 << 1, 6);
    static const unsigned v6[] = {6, 4, 2, 6, 4, 2, 6};
    static const int o6[] = {1, 1, 1, 0, 0, 0, 1};
    for (unsigned k = 0; k < 7; k++) {
        at(k + 1);
        cr_assert_eq(latch(2), v6[k], "even: value %u", k);
        cr_assert_eq(out2(), o6[k], "even: OUT %u", k);
    }
    program(2, 3 << 1, 5);
    static const int o5[] = {1, 1, 1, 0, 0, 1};
    static const unsigned v5[] = {4, 2, 0, 4, 2, 4};
    for (unsigned k = 0; k < 6; k++) {
        at(k + 1);
        cr_assert_eq(out2(), o5[k], "odd: OUT %u (high (N+1)/2, low (N-1)/2)", k);
        cr_assert_eq(latch(2), v5[k], "odd: value %u", k);
    }
}

Test(pit, mode4_and_mode5_strobes)
{
    gate2(1);
    program(2, 4 << 1, 4);
    at(4);
    cr_assert_eq(out2(), 1);
    at(5);
    cr_assert_eq(out2(), 0, "one clock low at zero");
    at(6);
    cr_assert_eq(out2(), 1);
    gate2(0);
    program(2, 5 << 1, 3);
    at(10);
    cr_assert_eq(out2(), 1, "mode 5 waits for the trigger");
    gate2(1);
    at(14);
    cr_assert_eq(out2(), 0, "strobe N clocks after the load");
    at(15);
    cr_assert_eq(out2(), 1);
}

Test(pit, latch_readback_and_bcd)
{
    gate2(1);
    program(2, 2 << 1, 1000);
    at(11);
    cr_assert_eq(latch(2), 990, "a latched count");
    out8(0x43, 0x80);
    out8(0x43, 0x80); /* ignored: the first latch is still unread */
    at(600);
    unsigned lo = in8(0x42), hi = in8(0x42);
    cr_assert_eq(lo | hi << 8, 990, "the latch holds the value of its moment");
    cr_assert_eq(latch(2), 1000 - 599);
    out8(0x43, 0xb4);
    out8(0x43, 0xe8); /* read-back: status of counter 2 */
    cr_assert_eq(in8(0x42), 0x80 | 0x40 | 0x34, "OUT, null count, RW=3, mode 2");
    out8(0x42, 10);
    out8(0x42, 0);
    out8(0x43, 0xc8); /* count and status together: status first */
    cr_assert_eq(in8(0x42) & 0x40, 0x40, "null count until the next clock");
    in8(0x42);
    in8(0x42);
    at(601);
    out8(0x43, 0xe8);
    cr_assert_eq(in8(0x42) & 0x40, 0, "null count clears once the count is loaded");
    program(2, 0x01, 0x1000); /* mode 0, BCD 1000 */
    at(1 + 1);
    cr_assert_eq(latch(2), 0x0999, "BCD decrement 1000 -> 999");
}

Test(pit, counter0_drives_irq0)
{
    bus_pio_write(&vm->bus, 0x20, 0x11, 1);
    bus_pio_write(&vm->bus, 0x21, 0x08, 1);
    bus_pio_write(&vm->bus, 0x21, 0x04, 1);
    bus_pio_write(&vm->bus, 0x21, 0x01, 1);
    program(0, 0 << 1, 50);
    cr_assert(!(atomic_load(&vm->cpus[0].ff) & VCPU_FF_INTERRUPT_PIC));
    at(50);
    cr_assert(!(atomic_load(&vm->cpus[0].ff) & VCPU_FF_INTERRUPT_PIC));
    at(51);
    cr_assert(atomic_load(&vm->cpus[0].ff) & VCPU_FF_INTERRUPT_PIC, "terminal count raises IRQ0");
    cr_assert_eq(vm->intr_ack(vm->intr_opaque), 0x08);
}
