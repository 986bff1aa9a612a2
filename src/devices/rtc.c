/* Motorola MC146818 RTC and CMOS RAM (index 0x70 with the NMI mask in
 * bit 7, data 0x71), IRQ8.
 *
 * The time registers are kept as seconds since 1970 (UTC) valid from the
 * update instant base_ns; the register bytes are produced in the format of
 * register B (BCD/binary, 12/24 hour) when read. Switching formats
 * therefore converts the time instead of reinterpreting the stored bytes
 * as the chip would; guests rewrite the time after such a switch anyway.
 * Flags (PF, AF, UF) are evaluated lazily over the virtual time since the
 * last look; a timer is armed only while an enabled source could raise
 * IRQF. UIP is high for the 244 us before each update; the registers
 * change at the update instant. The lock guards everything.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/acpi.h"
#include "devices/devices.h"
#include "vm/clock.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define NS 1000000000ll
#define RTC_HZ 32768u
#define UIP_NS 244000
#define MAX_YEAR 25599 /* binary century 255, year 99 */

enum { R_A = 0x0a, R_B, R_C, R_D };
#define B_SET  0x80
#define B_PIE  0x40
#define B_AIE  0x20
#define B_UIE  0x10
#define B_SQWE 0x08
#define B_DM   0x04
#define B_24H  0x02
#define C_IRQF 0x80
#define C_PF   0x40
#define C_AF   0x20
#define C_UF   0x10

struct dev_rtc {
    pthread_mutex_t lock;
    struct vm *vm;
    struct vm_clock *clock;
    struct irq_line irq;
    struct clock_timer timer;
    uint8_t index;
    bool nmi_masked;
    uint8_t ram[128];  /* alarms, A-C and the NVRAM; time bytes live in secs */
    int64_t secs;      /* time registers at base_ns */
    int64_t base_ns;   /* an update instant; updates recur every second */
    int64_t div_ns;    /* the divider chain (re)started here: periodic phase */
    int64_t flags_ns;  /* flags are evaluated up to here */
    int dow_adjust;    /* guest-written day of week minus the computed one */
    int irq_level;
};

static bool dv_normal(const struct dev_rtc *r)
{
    return ((r->ram[R_A] >> 4) & 7) == 2; /* 32.768 kHz time base */
}

static bool running(const struct dev_rtc *r)
{
    return dv_normal(r) && !(r->ram[R_B] & B_SET);
}

/* Updates that happened in (base, t]; the register time is secs + this. */
static int64_t updates(const struct dev_rtc *r, int64_t t)
{
    if (!running(r) || t < r->base_ns)
        return 0;
    return (t - r->base_ns) / NS;
}

static int64_t now_ns(struct dev_rtc *r)
{
    return (int64_t)clock_now(r->clock);
}

static uint8_t to_reg(const struct dev_rtc *r, int v)
{
    return (r->ram[R_B] & B_DM) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static int from_reg(const struct dev_rtc *r, uint8_t v)
{
    return (r->ram[R_B] & B_DM) ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t hour_to_reg(const struct dev_rtc *r, int h)
{
    if (r->ram[R_B] & B_24H)
        return to_reg(r, h);
    return (uint8_t)(to_reg(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static int hour_from_reg(const struct dev_rtc *r, uint8_t v)
{
    if (r->ram[R_B] & B_24H)
        return from_reg(r, v);
    return from_reg(r, v & 0x7f) % 12 + ((v & 0x80) ? 12 : 0);
}

static void broken_down(int64_t secs, struct tm *tm)
{
    time_t t = (time_t)secs;
    gmtime_r(&t, tm);
}

/* The register file byte at idx (0-9 and the century byte 0x32). */
static uint8_t time_reg(struct dev_rtc *r, unsigned idx, int64_t now)
{
    struct tm tm;
    broken_down(r->secs + updates(r, now), &tm);
    switch (idx) {
    case 0: return to_reg(r, tm.tm_sec);
    case 2: return to_reg(r, tm.tm_min);
    case 4: return hour_to_reg(r, tm.tm_hour);
    case 6: return to_reg(r, (tm.tm_wday + r->dow_adjust + 7) % 7 + 1);
    case 7: return to_reg(r, tm.tm_mday);
    case 8: return to_reg(r, tm.tm_mon + 1);
    case 9: return to_reg(r, tm.tm_year % 100);
    default: return to_reg(r, (tm.tm_year + 1900) / 100); /* 0x32 */
    }
}

static void set_time_reg(struct dev_rtc *r, unsigned idx, uint8_t v, int64_t now)
{
    struct tm tm;
    int64_t u = updates(r, now);
    broken_down(r->secs + u, &tm);
    int wday = tm.tm_wday;
    switch (idx) {
    case 0: tm.tm_sec = from_reg(r, v); break;
    case 2: tm.tm_min = from_reg(r, v); break;
    case 4: tm.tm_hour = hour_from_reg(r, v); break;
    case 6: r->dow_adjust = (from_reg(r, v) - 1 - wday + 7 * 8) % 7; return;
    case 7: tm.tm_mday = from_reg(r, v); break;
    case 8: tm.tm_mon = from_reg(r, v) - 1; break;
    case 9: tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + from_reg(r, v) % 100 - 1900; break;
    default: tm.tm_year = from_reg(r, v) * 100 + (tm.tm_year % 100) - 1900; break;
    }
    int64_t secs = (int64_t)timegm(&tm); /* normalizes tm: out-of-range fields carry */
    if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > MAX_YEAR)
        return; /* a carry the year and century bytes cannot hold: the write is dropped */
    /* keep the day of week the guest sees unless it writes register 6 */
    broken_down(secs, &tm);
    r->dow_adjust = (r->dow_adjust + wday - tm.tm_wday + 7) % 7;
    r->base_ns += u * NS;
    r->secs = secs;
}

static bool alarm_match(struct dev_rtc *r, int64_t secs)
{
    int sod = (int)(((secs % 86400) + 86400) % 86400);
    uint8_t cur[3] = {to_reg(r, sod % 60), to_reg(r, sod / 60 % 60), hour_to_reg(r, sod / 3600)};
    for (unsigned i = 0; i < 3; i++) {
        uint8_t a = r->ram[1 + 2 * i];
        if (a < 0xc0 && a != cur[i])
            return false;
    }
    return true;
}

static uint64_t periodic_ticks(const struct dev_rtc *r)
{
    unsigned rs = r->ram[R_A] & 15;
    if (!rs || !dv_normal(r))
        return 0;
    return 1ull << (rs <= 2 ? rs + 6 : rs - 1); /* rates 1 and 2 repeat 8 and 9 */
}

static uint64_t periodic_index(const struct dev_rtc *r, int64_t t)
{
    return t <= r->div_ns ? 0 : clock_ns_to_ticks((uint64_t)(t - r->div_ns), RTC_HZ) / periodic_ticks(r);
}

/* Sets PF/AF/UF for everything that happened in (flags_ns, t]. */
static void sync_flags(struct dev_rtc *r, int64_t t)
{
    int64_t from = r->flags_ns;
    if (t <= from)
        return;
    r->flags_ns = t;
    if (periodic_ticks(r) && periodic_index(r, t) != periodic_index(r, from))
        r->ram[R_C] |= C_PF;
    int64_t u0 = updates(r, from < r->base_ns ? r->base_ns : from), u1 = updates(r, t);
    if (u1 > u0) {
        r->ram[R_C] |= C_UF;
        if (u1 - u0 >= 86400)
            r->ram[R_C] |= C_AF; /* every alarm setting matches once a day */
        for (int64_t k = u0 + 1; k <= u1 && u1 - u0 < 86400; k++)
            if (alarm_match(r, r->secs + k)) {
                r->ram[R_C] |= C_AF;
                break;
            }
    }
}

/* Drives IRQ8 from IRQF and arms the timer for the next possible flag. */
static void update_irq(struct dev_rtc *r, int64_t now)
{
    sync_flags(r, now);
    uint8_t b = r->ram[R_B];
    int level = (r->ram[R_C] & b & (C_PF | C_AF | C_UF)) != 0;
    if (level != r->irq_level) {
        r->irq_level = level;
        irq_set(&r->irq, level);
        if (level && (r->ram[R_C] & b & C_AF))
            acpi_rtc_alarm(r->vm); /* an S3 wake source (lock order: rtc, then acpi) */
    }
    int64_t next = INT64_MAX;
    if (!level) {
        if ((b & B_PIE) && periodic_ticks(r)) {
            uint64_t k = (periodic_index(r, now) + 1) * periodic_ticks(r);
            next = r->div_ns + (int64_t)clock_ticks_to_ns(k, RTC_HZ);
        }
        if ((b & (B_UIE | B_AIE)) && running(r)) {
            int64_t up = r->base_ns + (updates(r, now) + 1) * NS;
            if (up < next)
                next = up;
        }
    }
    if (next == INT64_MAX)
        clock_timer_cancel(&r->timer);
    else
        clock_timer_arm(&r->timer, (uint64_t)next);
}

static void rtc_timer(void *opaque, uint64_t now)
{
    struct dev_rtc *r = opaque;
    pthread_mutex_lock(&r->lock);
    update_irq(r, (int64_t)now);
    pthread_mutex_unlock(&r->lock);
}

/* Freezes the time registers at their current value. */
static void freeze(struct dev_rtc *r, int64_t now)
{
    r->secs += updates(r, now);
    r->base_ns = now;
}

static void write_a(struct dev_rtc *r, uint8_t v, int64_t now)
{
    bool was = dv_normal(r);
    unsigned dv = (v >> 4) & 7;
    if (was && dv != 2)
        freeze(r, now);
    r->ram[R_A] = v & 0x7f;
    if (!was && dv == 2) {
        /* leaving divider reset: the first update comes 500 ms later */
        r->div_ns = now - NS / 2;
        r->base_ns = r->div_ns;
        r->flags_ns = now;
    }
}

static void write_b(struct dev_rtc *r, uint8_t v, int64_t now)
{
    bool was_set = r->ram[R_B] & B_SET;
    if (!was_set && (v & B_SET)) {
        freeze(r, now);
        v &= (uint8_t)~B_UIE; /* SET clears UIE (and ends any update cycle) */
    }
    if (was_set && !(v & B_SET)) {
        /* updates resume in the divider chain's phase */
        int64_t u = now > r->div_ns ? (now - r->div_ns) / NS : 0;
        r->base_ns = r->div_ns + u * NS;
    }
    r->ram[R_B] = v;
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_rtc *r = opaque;
    uint8_t v;
    (void)size;
    if (off == 0)
        return 0xff; /* the index register is write-only */
    pthread_mutex_lock(&r->lock);
    int64_t now = now_ns(r);
    unsigned idx = r->index;
    sync_flags(r, now);
    if (idx <= 9 && !(idx & 1 && idx < 6))
        v = time_reg(r, idx, now);
    else if (idx == 0x32)
        v = time_reg(r, idx, now);
    else if (idx == R_A) {
        int64_t next = r->base_ns + (updates(r, now) + 1) * NS;
        v = (uint8_t)(r->ram[R_A] | (running(r) && next - now <= UIP_NS ? 0x80 : 0));
    } else if (idx == R_C) {
        v = r->ram[R_C] & 0x70;
        if (v & r->ram[R_B])
            v |= C_IRQF;
        r->ram[R_C] = 0; /* reading C clears every flag */
    } else if (idx == R_D)
        v = 0x80; /* valid RAM and time */
    else
        v = r->ram[idx];
    update_irq(r, now);
    pthread_mutex_unlock(&r->lock);
    return v;
}

static void rtc_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_rtc *r = opaque;
    uint8_t v = (uint8_t)val;
    (void)size;
    pthread_mutex_lock(&r->lock);
    if (off == 0) {
        r->index = v & 0x7f;
        r->nmi_masked = v & 0x80;
        pthread_mutex_unlock(&r->lock);
        return;
    }
    int64_t now = now_ns(r);
    unsigned idx = r->index;
    sync_flags(r, now);
    if ((idx <= 9 && !(idx & 1 && idx < 6)) || idx == 0x32)
        set_time_reg(r, idx, v, now);
    else if (idx == R_A)
        write_a(r, v, now);
    else if (idx == R_B)
        write_b(r, v, now);
    else if (idx != R_C && idx != R_D)
        r->ram[idx] = v;
    update_irq(r, now);
    pthread_mutex_unlock(&r->lock);
}

static const struct io_ops rtc_ops = {rtc_read, rtc_write};

/* The RESET pin: interrupt enables and flags clear; time and RAM stay. */
static void rtc_reset(void *opaque)
{
    struct dev_rtc *r = opaque;
    pthread_mutex_lock(&r->lock);
    r->ram[R_B] &= (uint8_t)~(B_PIE | B_AIE | B_UIE | B_SQWE);
    r->ram[R_C] = 0;
    r->index = 0;
    r->nmi_masked = false;
    update_irq(r, now_ns(r));
    pthread_mutex_unlock(&r->lock);
}

static void rtc_destroy(void *opaque)
{
    struct dev_rtc *r = opaque;
    clock_timer_cancel(&r->timer);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static void put16(uint8_t *ram, unsigned idx, uint64_t v)
{
    if (v > 0xffff)
        v = 0xffff;
    ram[idx] = (uint8_t)v;
    ram[idx + 1] = (uint8_t)(v >> 8);
}

/* The memory-size bytes SeaBIOS and QEMU's firmware read, and the
 * checksum over 0x10-0x2D. */
static void nvram_init(struct dev_rtc *r, const struct vm *vm)
{
    uint64_t ram = vm->cfg.ram_size, below = ram < 0xe0000000ull ? ram : 0xe0000000ull;
    uint64_t above = ram - below;
    unsigned sum = 0;

    r->ram[0x14] = 0x06;                                 /* FPU, PS/2 mouse, VGA, no floppy */
    put16(r->ram, 0x15, 640);                            /* base memory KiB */
    put16(r->ram, 0x17, below / 1024 - 1024);            /* extended memory KiB (max 64 MiB) */
    put16(r->ram, 0x30, below / 1024 - 1024);
    put16(r->ram, 0x34, below > (16u << 20) ? (below - (16u << 20)) >> 16 : 0);
    r->ram[0x5b] = (uint8_t)(above >> 16);               /* above 4 GiB, 64 KiB units */
    r->ram[0x5c] = (uint8_t)(above >> 24);
    r->ram[0x5d] = (uint8_t)(above >> 32);
    r->ram[0x5f] = (uint8_t)(vm->ncpus - 1);
    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum += r->ram[i];
    r->ram[0x2e] = (uint8_t)(sum >> 8);
    r->ram[0x2f] = (uint8_t)sum;
}

/* Sets the time registers to epoch seconds (UTC). */
void dev_rtc_cmos_write(struct dev_rtc *r, unsigned idx, uint8_t val)
{
    if (idx <= R_D || idx >= sizeof(r->ram))
        return; /* the clock's own registers have their own rules */
    pthread_mutex_lock(&r->lock);
    r->ram[idx] = val;
    pthread_mutex_unlock(&r->lock);
}

void dev_rtc_set_time(struct dev_rtc *r, int64_t epoch)
{
    pthread_mutex_lock(&r->lock);
    int64_t now = now_ns(r);
    r->secs = epoch;
    if (now < r->div_ns) { /* the clock restarted (--icount from 0): so do the divider chain and the flags */
        r->div_ns = r->flags_ns = now;
        r->ram[R_C] = 0;
    }
    r->base_ns = r->div_ns + (now > r->div_ns ? (now - r->div_ns) / NS : 0) * NS;
    r->dow_adjust = 0;
    update_irq(r, now);
    pthread_mutex_unlock(&r->lock);
}

#define F(m, t) SS_FIELD(struct dev_rtc, m, t)
static const struct ss_field rtc_fields[] = {
    SS_TIMER_FIELD(struct dev_rtc, timer), SS_FIELD_MAX(struct dev_rtc, index, U8, 127), F(nmi_masked, BOOL),
    F(ram, U8), F(secs, I64), F(base_ns, I64), F(div_ns, I64), F(flags_ns, I64), F(dow_adjust, I32),
    F(irq_level, I32), SS_END,
};
#undef F
static const struct ss_desc rtc_ss = {1, rtc_fields, NULL, NULL};

int dev_rtc_create(struct vm *vm, struct irq_line irq8, struct dev_rtc **out)
{
    struct dev_rtc *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    pthread_mutex_init(&r->lock, NULL);
    r->vm = vm;
    r->clock = vm_clock(vm);
    r->irq = irq8;
    clock_timer_init(&r->timer, r->clock, rtc_timer, r);
    r->ram[R_A] = 0x26; /* 32.768 kHz, 1024 Hz periodic rate */
    r->ram[R_B] = B_24H;
    r->div_ns = r->base_ns = r->flags_ns = now_ns(r);
    r->secs = (int64_t)time(NULL); /* --icount sets a fixed date later (pc_set_deterministic) */
    nvram_init(r, vm);
    if (bus_pio_register(&vm->bus, 0x70, 2, &rtc_ops, r, "rtc") < 0 ||
        bus_add_device(&vm->bus, "rtc", r, rtc_reset, rtc_destroy) < 0 ||
        bus_describe(&vm->bus, r, &rtc_ss) < 0) {
        rtc_destroy(r);
        return -EBUSY;
    }
    *out = r;
    return 0;
}
