/*
 * REP MOVS/STOS against the element loop (src/cpu/iem_string.c).
 *
 * The REP form may move whole runs through host pointers; the same
 * instruction without REP runs one element per step, which is the element
 * loop by definition. Each case runs both from the same state (32-bit flat
 * protected mode with paging, data pages with random bytes) and compares
 * memory, rSI/rDI/rCX and the fault (vector, error code, CR2), and that the
 * REP form faults with EIP on itself. Cases cover page crossings, a page
 * that is not present or read-only in the middle of the run, overlapping
 * source and destination in both directions, DF = 1, batches, and pointers
 * that wrap at 16 and 32 bits.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "testvm.h"
#include "vm/vm.h"

#define REP_ADDR 0x1000u
#define ONE_ADDR 0x1100u
#define PD_ADDR 0x100000u
#define PT_LOW 0x101000u  /* 0..4M identity */
#define PT_HIGH 0x102000u /* the last page -> TOP_PHYS */
#define TOP_PHYS 0x300000u
#define DATA 0x200000u
#define DATA_LEN 0x20000u
#define LOW_LEN 0x200u /* where 32-bit pointers wrap to */
#define HI16 0xff00u   /* where 16-bit pointers wrap from */

static struct vm *vm;
static struct vcpu *vc;

struct str_case {
    const char *name;
    uint8_t op; /* A4/A5 MOVS, AA/AB STOS */
    bool o16, a16, df;
    uint32_t si, di, cx, eax;
    uint32_t base; /* of DS and ES */
    uint32_t hole; /* a page made not present (or read-only), 0: none */
    bool hole_ro;
};

struct outcome {
    uint8_t data[DATA_LEN], low[LOW_LEN], hi16[0x100], top[0x1000];
    uint32_t si, di, cx;
    int vector; /* -1: completed */
    uint32_t err, cr2;
};

static void setup(void)
{
    static uint32_t pd[1024], pt[1024];

    vm = testvm_pm32(CR0_PG | CR0_WP);
    vc = &vm->cpus[0];
    testvm_idt(vm);
    memset(pd, 0, sizeof pd);
    pd[0] = PT_LOW | 7;
    pd[1023] = PT_HIGH | 7;
    for (unsigned i = 0; i < 1024; i++)
        pt[i] = (i << 12) | 7;
    pgm_load(&vm->pgm, PD_ADDR, pd, sizeof pd);
    pgm_load(&vm->pgm, PT_LOW, pt, sizeof pt);
    memset(pt, 0, sizeof pt);
    pt[1023] = TOP_PHYS | 7;
    pgm_load(&vm->pgm, PT_HIGH, pt, sizeof pt);
    vc->cpu.cr3 = PD_ADDR;
    iem_flush(vc);
}

static void teardown(void)
{
    vm_destroy(vm);
    vm = NULL;
}

TestSuite(string, .init = setup, .fini = teardown);

static void set_pte(uint32_t lin, uint32_t pte)
{
    pgm_load(&vm->pgm, PT_LOW + (lin >> 12) * 4, &pte, 4);
}

/* The same state before each run: random data, the hole, the registers. */
static void prepare(const struct str_case *k, const struct cpu *cpu0)
{
    static uint8_t buf[DATA_LEN];
    uint32_t x = 12345;

    for (unsigned i = 0; i < DATA_LEN; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    pgm_load(&vm->pgm, DATA, buf, DATA_LEN);
    pgm_load(&vm->pgm, 0, buf, LOW_LEN);
    pgm_load(&vm->pgm, HI16, buf + LOW_LEN, 0x100);
    pgm_load(&vm->pgm, TOP_PHYS, buf + 0x1000, 0x1000);
    for (uint32_t p = DATA; p < DATA + DATA_LEN; p += 0x1000)
        set_pte(p, p | 7);
    if (k->hole)
        set_pte(k->hole, k->hole_ro ? (k->hole | 5) : 0);
    vc->cpu = *cpu0;
    iem_flush(vc);
    vc->cpu.gpr[R_SI] = k->si;
    vc->cpu.gpr[R_DI] = k->di;
    vc->cpu.gpr[R_CX] = k->cx;
    vc->cpu.gpr[R_AX] = k->eax;
    vc->cpu.gpr[R_SP] = TESTVM_STACK;
    vc->cpu.seg[S_DS].base = vc->cpu.seg[S_ES].base = k->base;
    cpu_set_flags(&vc->cpu, F_1 | (k->df ? F_DF : 0));
}

/* The exception the vCPU entered, or -1 (RIP in the handlers' area). */
static int entered(struct outcome *o)
{
    uint32_t rip = (uint32_t)vc->cpu.rip;
    if (rip < TESTVM_HANDLER(0) || rip >= TESTVM_HANDLER(32))
        return -1;
    o->vector = (int)((rip - TESTVM_HANDLER(0)) / 16);
    pgm_read(&vm->pgm, (uint32_t)vc->cpu.gpr[R_SP], &o->err, 4);
    o->cr2 = (uint32_t)vc->cpu.cr2;
    return o->vector;
}

static void collect(struct outcome *o)
{
    pgm_read(&vm->pgm, DATA, o->data, DATA_LEN);
    pgm_read(&vm->pgm, 0, o->low, sizeof o->low);
    pgm_read(&vm->pgm, HI16, o->hi16, sizeof o->hi16);
    pgm_read(&vm->pgm, TOP_PHYS, o->top, sizeof o->top);
    o->si = (uint32_t)vc->cpu.gpr[R_SI];
    o->di = (uint32_t)vc->cpu.gpr[R_DI];
    o->cx = (uint32_t)vc->cpu.gpr[R_CX];
}

static void run_case(const struct str_case *k)
{
    static struct outcome rep, one;
    uint8_t code[4];
    unsigned len = 0;
    uint32_t cxmask = k->a16 ? 0xffff : 0xffffffffu, ret = 0;
    struct cpu cpu0 = vc->cpu;

    if (k->o16)
        code[len++] = 0x66;
    if (k->a16)
        code[len++] = 0x67;
    code[len] = 0xf3;
    code[len + 1] = k->op;
    pgm_load(&vm->pgm, REP_ADDR, code, len + 2);
    code[len] = k->op;
    pgm_load(&vm->pgm, ONE_ADDR, code, len + 1);

    /* the REP form: re-entered after each batch until done or faulted */
    memset(&rep, 0, sizeof rep);
    rep.vector = -1;
    prepare(k, &cpu0);
    vc->cpu.rip = REP_ADDR;
    for (int i = 0; i < 1000 && vc->cpu.rip == REP_ADDR; i++)
        iem_exec(vc, 1);
    if (entered(&rep) < 0)
        cr_assert_eq(vc->cpu.rip, REP_ADDR + len + 2, "%s: rip %#llx", k->name,
                     (unsigned long long)vc->cpu.rip);
    else {
        pgm_read(&vm->pgm, (uint32_t)vc->cpu.gpr[R_SP] + 4, &ret, 4);
        cr_assert_eq(ret, REP_ADDR, "%s: the fault's EIP %#x", k->name, ret);
    }
    collect(&rep);

    /* the element loop: one element per step, rCX counted here */
    memset(&one, 0, sizeof one);
    one.vector = -1;
    prepare(k, &cpu0);
    for (;;) {
        uint32_t cx = (uint32_t)vc->cpu.gpr[R_CX] & cxmask;
        if (cx == 0)
            break;
        vc->cpu.rip = ONE_ADDR;
        iem_exec(vc, 1);
        if (entered(&one) >= 0)
            break;
        cr_assert_eq(vc->cpu.rip, ONE_ADDR + len + 1);
        vc->cpu.gpr[R_CX] = (vc->cpu.gpr[R_CX] & ~(uint64_t)cxmask) | ((cx - 1) & cxmask);
    }
    collect(&one);

    cr_assert_eq(rep.vector, one.vector, "%s: vector %d, element loop %d", k->name, rep.vector, one.vector);
    cr_assert_eq(rep.err, one.err, "%s", k->name);
    cr_assert_eq(rep.cr2, one.cr2, "%s: cr2 %#x, element loop %#x", k->name, rep.cr2, one.cr2);
    cr_assert_eq(rep.si, one.si, "%s: esi %#x, element loop %#x", k->name, rep.si, one.si);
    cr_assert_eq(rep.di, one.di, "%s: edi %#x, element loop %#x", k->name, rep.di, one.di);
    cr_assert_eq(rep.cx, one.cx, "%s: ecx %#x, element loop %#x", k->name, rep.cx, one.cx);
    for (unsigned i = 0; i < DATA_LEN; i++)
        cr_assert_eq(rep.data[i], one.data[i], "%s: byte at %#x", k->name, DATA + i);
    cr_assert_eq(memcmp(rep.low, one.low, sizeof rep.low), 0, "%s: low memory", k->name);
    cr_assert_eq(memcmp(rep.hi16, one.hi16, sizeof rep.hi16), 0, "%s: below 64K", k->name);
    cr_assert_eq(memcmp(rep.top, one.top, sizeof rep.top), 0, "%s: the last page", k->name);
    vc->cpu = cpu0;
}

static void run_cases(const struct str_case *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_case(&k[i]);
}

Test(string, stos_runs_match_the_element_loop)
{
    static const struct str_case k[] = {
        {"stosb zero, pages", 0xaa, .di = DATA + 0x123, .cx = 9000, .eax = 0},
        {"stosd pattern, unaligned", 0xab, .di = DATA + 0xffd, .cx = 3000, .eax = 0x11223344},
        {"stosd uniform", 0xab, .di = DATA + 0x10, .cx = 1500, .eax = 0x5a5a5a5a},
        {"stosw pattern", 0xab, .o16 = true, .di = DATA + 0x7, .cx = 5000, .eax = 0xbeef},
        {"stosb down", 0xaa, .df = true, .di = DATA + 0x3456, .cx = 9000, .eax = 0x77},
        {"stosd down, pattern", 0xab, .df = true, .di = DATA + 0x4ffe, .cx = 2500, .eax = 0xcafe0001},
        {"stosd into a missing page", 0xab, .di = DATA + 0x1f00, .cx = 4000, .eax = 0, .hole = DATA + 0x3000},
        {"stosd down into a read-only page", 0xab, .df = true, .di = DATA + 0x6010, .cx = 4000, .eax = 1,
         .hole = DATA + 0x4000, .hole_ro = true},
        {"stosd straddling a missing page", 0xab, .di = DATA + 0x2ffe, .cx = 4, .hole = DATA + 0x3000},
        {"stosd wraps at 4G", 0xab, .di = 0xfffff010u, .cx = 1100, .eax = 0x01020304},
        {"stosd down wraps at 4G", 0xab, .df = true, .di = 0x40, .cx = 100, .eax = 0x0a0b0c0d},
        {"stosd offset wraps at 4G, ES based", 0xab, .di = 0xfffffff0u, .cx = 600, .eax = 0x31323334,
         .base = DATA + 0x800},
        {"stosd down, offset wraps at 4G, ES based", 0xab, .df = true, .di = 0x10, .cx = 600,
         .eax = 0x41424344, .base = DATA + 0x8800},
        {"a16 stosb wraps at 64K", 0xaa, .a16 = true, .di = 0xfff0, .cx = 0x40, .eax = 0x99},
    };
    run_cases(k, sizeof k / sizeof k[0]);
}

Test(string, movs_runs_match_the_element_loop)
{
    static const struct str_case k[] = {
        {"movsb, pages", 0xa4, .si = DATA + 0x10, .di = DATA + 0x8123, .cx = 9000},
        {"movsd, unaligned", 0xa5, .si = DATA + 0x3, .di = DATA + 0x9ffe, .cx = 3000},
        {"movsw down", 0xa5, .o16 = true, .df = true, .si = DATA + 0x5000, .di = DATA + 0xe001, .cx = 6000},
        {"movsd down", 0xa5, .df = true, .si = DATA + 0x7ff8, .di = DATA + 0x12ff8, .cx = 6000},
        {"movsb overlap ahead by 1", 0xa4, .si = DATA + 0x100, .di = DATA + 0x101, .cx = 5000},
        {"movsd overlap ahead by 3", 0xa5, .si = DATA + 0x100, .di = DATA + 0x103, .cx = 2000},
        {"movsd overlap ahead by 12", 0xa5, .si = DATA + 0x100, .di = DATA + 0x10c, .cx = 2000},
        {"movsd overlap behind", 0xa5, .si = DATA + 0x106, .di = DATA + 0x100, .cx = 2000},
        {"movsd down, overlap behind", 0xa5, .df = true, .si = DATA + 0x4000, .di = DATA + 0x3ffd,
         .cx = 2000},
        {"movsd down, overlap ahead", 0xa5, .df = true, .si = DATA + 0x4000, .di = DATA + 0x4005, .cx = 2000},
        {"movsb same place", 0xa4, .si = DATA + 0x100, .di = DATA + 0x100, .cx = 3000},
        {"movsd from a missing page", 0xa5, .si = DATA + 0x2010, .di = DATA + 0x10000, .cx = 3000,
         .hole = DATA + 0x4000},
        {"movsd down to a read-only page", 0xa5, .df = true, .si = DATA + 0x9000, .di = DATA + 0x7000,
         .cx = 3000, .hole = DATA + 0x5000, .hole_ro = true},
        {"movsd source wraps at 4G", 0xa5, .si = 0xfffffff0u, .di = DATA + 0x100, .cx = 300},
        {"movsd offsets wrap at 4G, based", 0xa5, .si = 0xfffffff8u, .di = 0xffffff00u, .cx = 700,
         .base = DATA + 0x4800},
        {"a16 movsw down wraps at 64K", 0xa5, .o16 = true, .a16 = true, .df = true, .si = 0x8, .di = 0x20,
         .cx = 0x30},
    };
    run_cases(k, sizeof k / sizeof k[0]);
}
