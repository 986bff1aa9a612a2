/*
 * Differential test of the IEM interpreter against Unicorn 2 (QEMU TCG).
 *
 * Random instruction sequences (generator: diff_gen.c) and directed
 * edge-value cases run instruction by instruction in pcvm and in Unicorn,
 * in 32-bit flat protected mode and in 16-bit real mode, from identical
 * registers and memory; GPRs, EIP, the flags the SDM defines for that
 * instruction and the data/stack pages must agree (runner: diff_run.c).
 *
 * Volume: PCVM_FUZZ_INSNS (default 600000, split 2:1 between pm32 and
 * real16) random instructions in sequences of 20, plus about 54000 directed
 * ones (edge values for every ALU op, shift/rotate, SHLD/SHRD, unary and
 * multiply, and #DE from DIV/IDIV/AAM).
 * PCVM_DIFF_SEED overrides the seed; PCVM_DIFF_SEQ starts at a given
 * sequence (with PCVM_DIFF_ONE=1: runs only that one) to replay a report.
 *
 * Where the two disagree, the host CPU (inline asm in a scratch program)
 * decides who is right. Cases where one side is known to be wrong are
 * narrowed in the two tables below, never silently.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff_gen.h"

/* pcvm bugs found by this test and not fixed yet: the named template is
 * narrowed (ignore = flags not compared) or not generated (0xffff). Each
 * entry names the failing case; remove it once IEM is fixed. */
const struct d_known known_pcvm_bugs[] = {
    {NULL, 0, 0, NULL},
};

/* Unicorn 2.0.1 (QEMU 5.0 TCG) deviations from the Intel SDM, confirmed on
 * the host CPU; cite the SDM section giving the right behaviour. */
const struct d_known known_unicorn_bugs[] = {
    /* ENTER with a 32-bit operand size and a 16-bit stack (66 C8 in real
     * mode): SDM vol. 2A ENTER, Operation: "IF OperandSize = 32 THEN EBP <-
     * FrameTemp" (the whole EBP, FrameTemp being the zero-extended SP); QEMU's
     * gen_enter writes only BP (stack address size), keeping EBP[31:16].
     * Bochs (ENTER32_IwIb: EBP = frame_ptr32) and pcvm write all of EBP.
     * Found as seed 0x5eed2025 sequences 3539 et al. */
    {"enter/32", D_REAL16, 0xffff, "QEMU keeps EBP[31:16]"},
    {NULL, 0, 0, NULL},
};

#define DEFAULT_SEED 0x5eed2024u

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *s = getenv(name);
    return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_random(enum d_mode mode, uint64_t insns, uint64_t seed)
{
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c, "cannot set up pcvm/unicorn");
    double t0 = now();
    uint64_t nseq = 0;
    unsigned fails = d_run_random(c, seed, insns, 20, &nseq);
    fprintf(stderr, "unicorn/%s: seed %#llx: %llu instructions in %llu sequences, %u mismatching, %.1f s\n",
            mode == D_PM32 ? "pm32" : "real16", (unsigned long long)seed,
            (unsigned long long)d_executed(c), (unsigned long long)nseq, fails, now() - t0);
    d_close(c);
    cr_expect_eq(fails, 0, "%u of %llu sequences differ (seed %#llx; reports above)", fails,
                 (unsigned long long)nseq, (unsigned long long)seed);
}

static uint64_t fuzz_insns(void) { return env_u64("PCVM_FUZZ_INSNS", 600000); }

Test(unicorn, pm32_random, .timeout = 600)
{
    run_random(D_PM32, fuzz_insns() * 2 / 3, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED));
}

Test(unicorn, real16_random, .timeout = 600)
{
    run_random(D_REAL16, fuzz_insns() / 3, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED + 1));
}

/* ---- directed edge values ---- */

static const uint32_t edge_vals[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                     0x7fffffff, 0x80000000, 0xffffffff};
#define NEDGE (sizeof edge_vals / sizeof edge_vals[0])
static const char *const alu_names[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
static const char *const shift_names[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", NULL, "sar"};

/* One instruction: [66] opcode [ModRM] [imm] with the operand size prefix
 * chosen so that the operation is `size` bytes wide in `mode`. */
static struct dinsn make(enum d_mode mode, const char *name, unsigned size, const uint8_t *op, unsigned oplen,
                         uint32_t imm, unsigned immlen, uint16_t def)
{
    struct dinsn d;
    memset(&d, 0, sizeof d);
    if (size == (mode == D_PM32 ? 2u : 4u))
        d.b[d.len++] = 0x66;
    memcpy(d.b + d.len, op, oplen);
    d.len = (uint8_t)(d.len + oplen);
    for (unsigned i = 0; i < immlen; i++)
        d.b[d.len++] = (uint8_t)(imm >> (8 * i));
    d.name = name;
    d.def = def;
    d.undef_reg = -1;
    return d;
}

static struct dstate base_state(uint32_t eax, uint32_t ecx, uint32_t fl)
{
    struct dstate st = {.r = {eax, ecx, 0x12345678, D_DATA, D_STACK + 0x800, D_DATA + 0x100,
                              D_DATA + 0x200, D_DATA + 0x300},
                        .eip = D_CODE,
                        .fl = fl | 2};
    return st;
}

struct tally {
    unsigned run, fail;
};

static void one(struct dctx *c, struct tally *t, enum d_mode mode, struct dinsn d, const struct dstate *st)
{
    if (!d_apply_known(&d, mode))
        return;
    t->run++;
    if (!d_run_one(c, st, &d))
        t->fail++;
}

static void alu_edges(enum d_mode mode, struct tally *t)
{
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c);
    for (unsigned op = 0; op < 8; op++)
        for (unsigned size = 1; size <= 4; size *= 2)
            for (unsigned a = 0; a < NEDGE; a++)
                for (unsigned b = 0; b < NEDGE; b++)
                    for (unsigned cf = 0; cf < 2; cf++) {
                        uint16_t def = (op == 1 || op == 4 || op == 6) ? (D_ARITH & ~0x10u) : D_ARITH;
                        struct dstate st = base_state(edge_vals[a], edge_vals[b], cf);
                        uint8_t rr[2] = {(uint8_t)(8 * op + (size > 1)), 0xc8}; /* op eax, ecx */
                        uint8_t ri[2] = {(uint8_t)(size > 1 ? 0x81 : 0x80), (uint8_t)(0xc0 | op << 3)};
                        one(c, t, mode, make(mode, alu_names[op], size, rr, 2, 0, 0, def), &st);
                        one(c, t, mode, make(mode, alu_names[op], size, ri, 2, edge_vals[b], size, def), &st);
                    }
    d_close(c);
}

static void shift_edges(enum d_mode mode, struct tally *t)
{
    static const uint8_t counts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33};
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c);
    for (unsigned ext = 0; ext < 8; ext++) {
        if (!shift_names[ext])
            continue;
        for (unsigned size = 1; size <= 4; size *= 2)
            for (unsigned a = 0; a < NEDGE; a++)
                for (unsigned k = 0; k < sizeof counts; k++)
                    for (unsigned cf = 0; cf < 2; cf++) {
                        unsigned n = counts[k];
                        uint16_t def = d_shift_def(ext, size * 8, n);
                        struct dstate st = base_state(edge_vals[a], 0xabcd0000u | n, cf ? 0x8d5 : 0);
                        uint8_t cl[2] = {(uint8_t)(size > 1 ? 0xd3 : 0xd2), (uint8_t)(0xc0 | ext << 3)};
                        uint8_t ib[2] = {(uint8_t)(size > 1 ? 0xc1 : 0xc0), (uint8_t)(0xc0 | ext << 3)};
                        one(c, t, mode, make(mode, shift_names[ext], size, cl, 2, 0, 0, def), &st);
                        one(c, t, mode, make(mode, shift_names[ext], size, ib, 2, n, 1, def), &st);
                    }
    }
    /* SHLD/SHRD eax, edx, cl with edge values in both operands */
    for (unsigned op = 0; op < 2; op++)
        for (unsigned size = 2; size <= 4; size *= 2)
            for (unsigned a = 0; a < NEDGE; a++)
                for (unsigned b = 0; b < NEDGE; b += 2)
                    for (unsigned k = 0; k < sizeof counts; k++) {
                        unsigned n = counts[k];
                        if ((n & 31) > size * 8)
                            continue; /* result and flags undefined (SDM SHLD/SHRD) */
                        uint16_t def = (n & 31) == 0 ? D_ARITH : (uint16_t)(0xc5 | ((n & 31) == 1 ? 0x800 : 0));
                        struct dstate st = base_state(edge_vals[a], n, 0);
                        st.r[2] = edge_vals[b];
                        uint8_t sh[3] = {0x0f, (uint8_t)(op ? 0xad : 0xa5), 0xd0}; /* eax, edx, cl */
                        one(c, t, mode, make(mode, op ? "shrd" : "shld", size, sh, 3, 0, 0, def), &st);
                    }
    d_close(c);
}

static void unary_edges(enum d_mode mode, struct tally *t)
{
    static const struct { const char *name; uint8_t ext; uint16_t def; } ops[] = {
        {"not", 2, D_ARITH}, {"neg", 3, D_ARITH}, {"mul", 4, 0x801}, {"imul", 5, 0x801},
        {"inc", 0, D_ARITH}, {"dec", 1, D_ARITH},
    };
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c);
    for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++)
        for (unsigned size = 1; size <= 4; size *= 2)
            for (unsigned a = 0; a < NEDGE; a++)
                for (unsigned b = 0; b < NEDGE; b++) {
                    struct dstate st = base_state(edge_vals[a], edge_vals[b], b & 1 ? 0x8d5 : 0);
                    uint8_t grp = ops[o].ext < 2 ? (size > 1 ? 0xff : 0xfe) : (size > 1 ? 0xf7 : 0xf6);
                    uint8_t rm = (uint8_t)(0xc0 | ops[o].ext << 3 | (ops[o].ext >= 4 ? 1 : 0));
                    uint8_t bytes[2] = {grp, rm};
                    if (ops[o].ext < 4 && b)
                        break; /* one operand only */
                    one(c, t, mode, make(mode, ops[o].name, size, bytes, 2, 0, 0, ops[o].def), &st);
                    if (ops[o].ext == 5 && size > 1) { /* IMUL eax, ecx and IMUL eax, ecx, imm */
                        uint8_t two[3] = {0x0f, 0xaf, 0xc1}, three[2] = {0x69, 0xc1};
                        one(c, t, mode, make(mode, "imul", size, two, 3, 0, 0, 0x801), &st);
                        one(c, t, mode, make(mode, "imul", size, three, 2, edge_vals[b], size, 0x801), &st);
                    }
                }
    d_close(c);
}

static void directed(void (*fn)(enum d_mode, struct tally *), const char *what)
{
    struct tally t = {0, 0};
    double t0 = now();
    fn(D_PM32, &t);
    fn(D_REAL16, &t);
    fprintf(stderr, "unicorn/%s: %u directed cases, %u mismatching, %.1f s\n", what, t.run, t.fail, now() - t0);
    cr_expect_eq(t.fail, 0, "%u of %u directed %s cases differ (reports above)", t.fail, t.run, what);
}

Test(unicorn, alu_edges, .timeout = 600) { directed(alu_edges, "alu_edges"); }
Test(unicorn, shift_edges, .timeout = 600) { directed(shift_edges, "shift_edges"); }
Test(unicorn, unary_edges, .timeout = 600) { directed(unary_edges, "unary_edges"); }

/* #DE from DIV/IDIV (zero divisor, quotient overflow, INT_MIN / -1) and
 * AAM 0: both must raise vector 0 with no register changed. */
static void div_faults(enum d_mode mode, struct tally *t)
{
    static const struct { uint32_t eax, edx, ecx; } cases[] = {
        {0x1234, 0, 0}, {0xffffffff, 0xffffffff, 0}, {0, 1, 1}, {0xffff, 0xffff, 1},
        {0x80000000, 0xffffffff, 0xffffffff}, {0x8000, 0xffffffff, 0xffffffff}, {0xff80, 0, 0xff},
        {0, 0x80000000, 2}, {0x7fff, 0, 0},
    };
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c);
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (unsigned size = 1; size <= 4; size *= 2)
            for (unsigned sgn = 0; sgn < 2; sgn++) {
                struct dstate st = base_state(cases[k].eax, cases[k].ecx, 0);
                uint8_t op[2] = {(uint8_t)(size > 1 ? 0xf7 : 0xf6), (uint8_t)(sgn ? 0xf9 : 0xf1)};
                struct dinsn d = make(mode, sgn ? "idiv" : "div", size, op, 2, 0, 0, 0);
                st.r[2] = cases[k].edx;
                /* only the operands that do fault (a quotient that fits is the random test's job) */
                uint64_t n = size == 1 ? (st.r[0] & 0xffff) : size == 2 ? ((st.r[2] & 0xffff) << 16 | (st.r[0] & 0xffff))
                                                                        : ((uint64_t)st.r[2] << 32 | st.r[0]);
                uint32_t dv = size == 1 ? st.r[1] & 0xff : size == 2 ? st.r[1] & 0xffff : st.r[1];
                unsigned bits = size * 8;
                bool fault;
                if (!dv)
                    fault = true;
                else if (!sgn)
                    fault = (n / dv) >> bits != 0;
                else {
                    int64_t sn = size == 4 ? (int64_t)n : (int64_t)(int32_t)(uint32_t)(n << (32 - 2 * bits)) >> (32 - 2 * bits);
                    int64_t sd = (int64_t)(int32_t)(dv << (32 - bits)) >> (32 - bits);
                    int64_t q = (sn == INT64_MIN && sd == -1) ? INT64_MIN : sn / sd;
                    fault = q < -((int64_t)1 << (bits - 1)) || q >= ((int64_t)1 << (bits - 1));
                }
                if (!fault)
                    continue;
                t->run++;
                t->fail += !d_run_fault(c, &st, &d, 0);
            }
    struct dstate st = base_state(0x1234, 0, 0);
    t->run++;
    t->fail += !d_run_fault(c, &st, &(struct dinsn){.b = {0xd4, 0}, .len = 2, .name = "aam", .undef_reg = -1}, 0);
    d_close(c);
}

Test(unicorn, div_faults, .timeout = 600) { directed(div_faults, "div_faults"); }
