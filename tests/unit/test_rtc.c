/* The MC146818 on a deterministic clock: time formats, UIP, periodic
 * interrupt rate, alarm, update-ended flag, register C clearing, CMOS
 * memory bytes and checksum. */
#include <criterion/criterion.h>

#include "vm/clock.h"
#include "vm/vm.h"

#define MS 1000000ull

static struct vm *vm;
static struct vm_clock *clk;
static uint64_t t0;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 128 << 20, .ncpus = 2, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    clk = vm_clock(vm);
    pc_set_deterministic(vm, 0); /* 2024-01-01 00:00:00 UTC, a Monday */
    t0 = clock_now(clk);
}

static void teardown(void)
{
    vm_destroy(vm);
}

static uint8_t rd(uint8_t idx)
{
    bus_pio_write(&vm->bus, 0x70, idx, 1);
    return (uint8_t)bus_pio_read(&vm->bus, 0x71, 1);
}

static void wr(uint8_t idx, uint8_t v)
{
    bus_pio_write(&vm->bus, 0x70, idx, 1);
    bus_pio_write(&vm->bus, 0x71, v, 1);
}

static void to(uint64_t ns)
{
    clock_warp(clk, t0 + ns);
    clock_run_timers(clk);
}

static bool irq8(void)
{
    bus_pio_write(&vm->bus, 0xa0, 0x0a, 1);
    return bus_pio_read(&vm->bus, 0xa0, 1) & 1;
}

TestSuite(rtc, .init = setup, .fini = teardown);

Test(rtc, formats)
{
    cr_assert_eq(rd(0x0d), 0x80);
    cr_assert_eq(rd(9), 0x24, "BCD year");
    cr_assert_eq(rd(0x32), 0x20, "BCD century");
    cr_assert_eq(rd(8), 0x01);
    cr_assert_eq(rd(7), 0x01);
    cr_assert_eq(rd(6), 2, "Monday (Sunday = 1)");
    wr(0x0b, 0x82); /* SET while we write */
    wr(4, 0x23); wr(2, 0x59); wr(0, 0x58);
    wr(0x0b, 0x02);
    cr_assert_eq(rd(4), 0x23);
    wr(0x0b, 0x06);
    cr_assert_eq(rd(4), 23, "binary hours");
    cr_assert_eq(rd(2), 59);
    wr(0x0b, 0x04);
    cr_assert_eq(rd(4), 0x80 | 11, "12-hour binary: 11 PM");
    wr(0x0b, 0x00);
    cr_assert_eq(rd(4), 0x91, "12-hour BCD: 11 PM");
    wr(0x0b, 0x02);
}

Test(rtc, update_and_uip)
{
    uint8_t s0 = rd(0);
    /* updates come one second apart from the divider's start */
    int changes = 0;
    uint8_t last = s0;
    bool uip_seen = false;
    for (uint64_t t = 0; t < 3000 * MS; t += 100000) {
        to(t);
        if (rd(0x0a) & 0x80)
            uip_seen = true;
        uint8_t s = rd(0);
        if (s != last) {
            cr_assert(uip_seen, "UIP rose before the update");
            uip_seen = false;
            changes++;
            last = s;
        }
    }
    cr_assert(changes == 3 || changes == 2, "%d updates in 3 s", changes);
}

Test(rtc, periodic_rate)
{
    rd(0x0c);
    wr(0x0a, 0x26); /* 1024 Hz */
    wr(0x0b, 0x42); /* PIE */
    int n = 0;
    for (uint64_t t = 0; t <= 100 * MS; t += 50000) {
        to(t);
        if (rd(0x0c) & 0x40)
            n++;
    }
    cr_assert(n >= 101 && n <= 103, "%d periodic flags in 100 ms at 1024 Hz", n);
    wr(0x0a, 0x2f); /* 2 Hz */
    rd(0x0c);
    n = 0;
    for (uint64_t t = 200 * MS; t <= 2200 * MS; t += 10 * MS) {
        to(t);
        if (rd(0x0c) & 0x40)
            n++;
    }
    cr_assert(n == 4 || n == 5, "%d periodic flags in 2 s at 2 Hz", n);
}

Test(rtc, irq8_and_register_c_clearing)
{
    bus_pio_write(&vm->bus, 0xa0, 0x11, 1);
    bus_pio_write(&vm->bus, 0xa1, 0x70, 1);
    bus_pio_write(&vm->bus, 0xa1, 0x02, 1);
    bus_pio_write(&vm->bus, 0xa1, 0x01, 1);
    rd(0x0c);
    wr(0x0b, 0x42);
    to(2 * MS);
    cr_assert(irq8(), "IRQ8 with PIE");
    cr_assert_eq(rd(0x0c), 0xc0, "IRQF and PF");
    cr_assert(!irq8(), "reading C drops IRQ8");
    cr_assert_eq(rd(0x0c), 0);
}

Test(rtc, alarm_and_update_ended)
{
    wr(0x0b, 0x82);
    wr(0, 0x10); wr(2, 0); wr(4, 0);
    wr(1, 0x12); wr(3, 0xc0); wr(5, 0xc0); /* alarm at second 12, any minute and hour */
    wr(0x0b, 0x22); /* AIE */
    rd(0x0c);
    uint64_t base = clock_now(clk) - t0 + 1100 * MS;
    to(base);
    rd(0x0c);
    int af_at = -1;
    /* checks one second apart: exactly one update between two of them */
    for (int s = 1; s <= 5; s++) {
        to(base + (uint64_t)s * 1000 * MS);
        uint8_t c = rd(0x0c);
        cr_assert(c & 0x10, "UF after each update");
        if ((c & 0x20) && af_at < 0)
            af_at = rd(0);
    }
    cr_assert_eq(af_at, 0x12, "AF on the update to second 12");
}

Test(rtc, cmos_memory_bytes)
{
    cr_assert_eq(rd(0x15) | rd(0x16) << 8, 640);
    cr_assert_eq(rd(0x17) | rd(0x18) << 8, 0xffff, "extended memory capped at 64 MiB");
    cr_assert_eq(rd(0x34) | rd(0x35) << 8, (128 - 16) * 16, "above 16 MiB in 64 KiB units");
    cr_assert_eq(rd(0x5f), 1, "CPU count - 1");
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum += rd((uint8_t)i);
    cr_assert_eq(rd(0x2e) << 8 | rd(0x2f), sum);
    wr(0x40, 0x77);
    vm_reset(vm);
    cr_assert_eq(rd(0x40), 0x77, "CMOS RAM survives a reset");
}

/* Out-of-range register values carry into the next field, but never past
 * what the year and century bytes can hold: a carry beyond year 25599
 * (binary century 255, year 99) drops the write. Without that bound,
 * repeated month writes pushed the year on without limit, until the
 * broken-down time overflowed an int. */
Test(rtc, carries_stay_within_the_century_byte)
{
    wr(0x0b, 0x06); /* binary, 24 hour */
    wr(0x32, 255);
    wr(9, 99);
    cr_assert_eq(rd(0x32), 255);
    wr(8, 13); /* month 13 of 25599 would be January 25600 */
    cr_assert_eq(rd(0x32), 255, "century");
    cr_assert_eq(rd(9), 99, "year");
    cr_assert_eq(rd(8), 1, "month as it was");
    for (unsigned i = 0; i < 2000; i++)
        wr(8, 255);
    cr_assert_eq(rd(0x32), 255, "century");
}
