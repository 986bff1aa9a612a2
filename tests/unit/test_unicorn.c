/*
 * Differential test of the IEM interpreter against Unicorn 2 (QEMU TCG).
 *
 * Random instruction sequences (generators: diff_gen.c, diff_gen64.c) and
 * directed edge-value cases run instruction by instruction in pcvm and in
 * Unicorn, in 32-bit flat protected mode, 16-bit real mode and 64-bit long
 * mode (pcvm: 4-level paging, 2 MiB identity pages), from identical
 * registers and memory; GPRs, RIP/EIP, the flags the SDM defines for that
 * instruction and the data/stack pages must agree (runner: diff_run.c).
 *
 * Volume: PCVM_FUZZ_INSNS (default 600000) random instructions in sequences
 * of 20 for pm32 (2/3), plus a third each for real16 and long64 (800000 in
 * all), and about 126000 directed ones (edge values for every ALU op,
 * shift/rotate, SHLD/SHRD, unary and multiply in every mode and operand
 * size, #DE from DIV/IDIV/AAM, and the opcodes 64-bit mode removes).
 * PCVM_DIFF_SEED overrides the seed; PCVM_DIFF_SEQ starts at a given
 * sequence (with PCVM_DIFF_ONE=1: runs only that one) to replay a report.
 *
 * Where the two disagree, the host CPU (inline asm in a scratch program)
 * decides who is right. Cases where one side is known to be wrong are
 * narrowed in the two tables below, never silently.
 *
 * The host CPU takes no part in a run (no floating point is generated), so
 * the result is the same on Intel and AMD hosts; what the SDM leaves
 * undefined (flags, SHLD/SHRD with large counts, BSF/BSR's destination for
 * a zero source) is copied from Unicorn into pcvm, never compared.
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
    /* SHLD/SHRD m, r, imm8 with a RIP-relative m (66 0f ac 1d b4 40 00 00 0f
     * shrd [rip+0x40b4], bx, 15 at 0x1061): the address is relative to the
     * end of the instruction, imm8 included (SDM vol. 2A 2.2.1.6); QEMU's
     * do_shiftd decodes ModRM without setting rip_offset = 1, so it
     * accesses one byte lower (0x511d instead of 0x511e). */
    {"shxd-imm8-riprel", D_LONG64, 0xffff, "QEMU misses the imm8 in RIP-relative"},
    /* CMPXCHG r/m32 in 64-bit mode (41 0f b1 c9 cmpxchg r9d, ecx): QEMU 5.0
     * always writes EAX and a register destination, zero-extending them.
     * Equal: the accumulator is not written (SDM Operation: only DEST <-
     * SRC), so RAX[63:32] stays; not equal: the hosts (an AMD EPYC and an
     * Intel Xeon alike) leave a register destination untouched, bits 63:32
     * included (QEMU fixed both later: "target/i386: fix cmpxchg with
     * 32-bit register destination"). pcvm keeps both, as the hosts do. */
    {"cmpxchg32-equal-rax-hi", D_LONG64, 0xffff, "QEMU zero-extends RAX on success"},
    {"cmpxchg32-fail-reg-hi", D_LONG64, 0xffff, "QEMU zero-extends the register destination on failure"},
    /* SYSCALL with EFER.SCE = 0 (0f 05): #UD (SDM vol. 2B SYSCALL, Operation);
     * Unicorn runs it as a hookable instruction and raises nothing. Tested
     * in pcvm alone (long64_faults). */
    {"syscall", D_LONG64, 0xffff, "Unicorn does not raise #UD"},
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

static void run_random_on(enum d_mode mode, uint64_t insns, uint64_t seed, bool rem)
{
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c, "cannot set up pcvm/unicorn");
    cr_assert(!rem || d_use_rem(c), "cannot start REM");
    double t0 = now();
    uint64_t nseq = 0;
    unsigned fails = d_run_random(c, seed, insns, 20, &nseq);
    fprintf(stderr, "unicorn/%s%s: seed %#llx: %llu instructions in %llu sequences, %u mismatching, %.1f s\n",
            mode == D_LONG64 ? "long64" : mode == D_PM32 ? "pm32" : "real16", rem ? " on REM" : "",
            (unsigned long long)seed,
            (unsigned long long)d_executed(c), (unsigned long long)nseq, fails, now() - t0);
    d_close(c);
    cr_expect_gt(nseq, 0, "no sequence ran");
    cr_expect_eq(fails, 0, "%u of %llu sequences differ (seed %#llx; reports above)", fails,
                 (unsigned long long)nseq, (unsigned long long)seed);
}

static void run_random(enum d_mode mode, uint64_t insns, uint64_t seed)
{
    run_random_on(mode, insns, seed, false);
}

static uint64_t fuzz_insns(void) { return env_u64("PCVM_FUZZ_INSNS", 600000); }

/* The same streams through REM's translation blocks: each sequence is
 * written over the last one's code, so stale blocks would show. */
Test(unicorn, pm32_random_rem, .timeout = 600)
{
    run_random_on(D_PM32, fuzz_insns() / 3, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED + 3), true);
}

Test(unicorn, real16_random_rem, .timeout = 600)
{
    run_random_on(D_REAL16, fuzz_insns() / 6, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED + 4), true);
}

Test(unicorn, long64_random_rem, .timeout = 600)
{
    run_random_on(D_LONG64, fuzz_insns() / 6, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED + 5), true);
}

Test(unicorn, pm32_random, .timeout = 600)
{
    run_random(D_PM32, fuzz_insns() * 2 / 3, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED));
}

Test(unicorn, real16_random, .timeout = 600)
{
    run_random(D_REAL16, fuzz_insns() / 3, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED + 1));
}

Test(unicorn, long64_random, .timeout = 600)
{
    run_random(D_LONG64, fuzz_insns() / 3, env_u64("PCVM_DIFF_SEED", DEFAULT_SEED + 2));
}

/* ---- directed edge values ---- */

/* The first 11 for 16/32-bit modes, all of them in 64-bit mode. */
static const uint64_t edge_vals[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                     0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
                                     0x8000000000000000ull, 0xffffffffffffffffull};
static unsigned nedge(enum d_mode mode) { return mode == D_LONG64 ? 15 : 11; }
static unsigned maxsize(enum d_mode mode) { return mode == D_LONG64 ? 8 : 4; }
#define NEDGE nedge(mode)
static const char *const alu_names[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
static const char *const shift_names[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", NULL, "sar"};

/* One instruction: [66|REX.W] opcode [ModRM] [imm] with the operand size
 * prefix chosen so that the operation is `size` bytes wide in `mode`
 * (immediates are at most 4 bytes, sign-extended for 64-bit operands). */
static struct dinsn make(enum d_mode mode, const char *name, unsigned size, const uint8_t *op, unsigned oplen,
                         uint64_t imm, unsigned immlen, uint16_t def)
{
    struct dinsn d;
    memset(&d, 0, sizeof d);
    if (size == (mode == D_REAL16 ? 4u : 2u))
        d.b[d.len++] = 0x66;
    if (size == 8)
        d.b[d.len++] = 0x48;
    immlen = immlen > 4 ? 4 : immlen;
    d.osz = (uint8_t)size;
    memcpy(d.b + d.len, op, oplen);
    d.len = (uint8_t)(d.len + oplen);
    for (unsigned i = 0; i < immlen; i++)
        d.b[d.len++] = (uint8_t)(imm >> (8 * i));
    d.name = name;
    d.def = def;
    d.undef_reg = -1;
    return d;
}

static struct dstate base_state(uint64_t eax, uint64_t ecx, uint32_t fl)
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
        for (unsigned size = 1; size <= maxsize(mode); size *= 2)
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
    static const uint8_t counts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c);
    for (unsigned ext = 0; ext < 8; ext++) {
        if (!shift_names[ext])
            continue;
        for (unsigned size = 1; size <= maxsize(mode); size *= 2)
            for (unsigned a = 0; a < NEDGE; a++)
                for (unsigned k = 0; k < sizeof counts; k++)
                    for (unsigned cf = 0; cf < 2; cf++) {
                        unsigned n = counts[k];
                        uint16_t def = d_shift_def(ext, size * 8, n);
                        /* a 32-bit register shifted by 0 (64-bit mode): see known_pcvm_bugs */
                        const char *nm = mode == D_LONG64 && size == 4 && !(n & 31) ? "count0-reg" : shift_names[ext];
                        struct dstate st = base_state(edge_vals[a], 0xabcd0000u | n, cf ? 0x8d5 : 0);
                        uint8_t cl[2] = {(uint8_t)(size > 1 ? 0xd3 : 0xd2), (uint8_t)(0xc0 | ext << 3)};
                        uint8_t ib[2] = {(uint8_t)(size > 1 ? 0xc1 : 0xc0), (uint8_t)(0xc0 | ext << 3)};
                        one(c, t, mode, make(mode, nm, size, cl, 2, 0, 0, def), &st);
                        one(c, t, mode, make(mode, nm, size, ib, 2, n, 1, def), &st);
                    }
    }
    /* SHLD/SHRD eax, edx, cl with edge values in both operands */
    for (unsigned op = 0; op < 2; op++)
        for (unsigned size = 2; size <= maxsize(mode); size *= 2)
            for (unsigned a = 0; a < NEDGE; a++)
                for (unsigned b = 0; b < NEDGE; b += 2)
                    for (unsigned k = 0; k < sizeof counts; k++) {
                        unsigned n = counts[k], m = n & (size == 8 ? 63 : 31);
                        if (m > size * 8)
                            continue; /* result and flags undefined (SDM SHLD/SHRD) */
                        uint16_t def = m == 0 ? D_ARITH : (uint16_t)(0xc5 | (m == 1 ? 0x800 : 0));
                        struct dstate st = base_state(edge_vals[a], n, 0);
                        st.r[2] = edge_vals[b];
                        uint8_t sh[3] = {0x0f, (uint8_t)(op ? 0xad : 0xa5), 0xd0}; /* eax, edx, cl */
                        const char *nm = mode == D_LONG64 && size == 4 && !m ? "count0-reg" : op ? "shrd" : "shld";
                        one(c, t, mode, make(mode, nm, size, sh, 3, 0, 0, def), &st);
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
        for (unsigned size = 1; size <= maxsize(mode); size *= 2)
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
    if (strncmp(what, "long64", 6)) {
        fn(D_PM32, &t);
        fn(D_REAL16, &t);
    } else {
        fn(D_LONG64, &t);
    }
    fprintf(stderr, "unicorn/%s: %u directed cases, %u mismatching, %.1f s\n", what, t.run, t.fail, now() - t0);
    cr_expect_gt(t.run, 0, "no directed %s case ran (all filtered out?)", what);
    cr_expect_eq(t.fail, 0, "%u of %u directed %s cases differ (reports above)", t.fail, t.run, what);
}

Test(unicorn, alu_edges, .timeout = 600) { directed(alu_edges, "alu_edges"); }
Test(unicorn, shift_edges, .timeout = 600) { directed(shift_edges, "shift_edges"); }
Test(unicorn, unary_edges, .timeout = 600) { directed(unary_edges, "unary_edges"); }

static void long64_edges(enum d_mode mode, struct tally *t)
{
    alu_edges(mode, t);
    shift_edges(mode, t);
    unary_edges(mode, t);
}
Test(unicorn, long64_edges, .timeout = 600) { directed(long64_edges, "long64_edges"); }

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
        for (unsigned size = 1; size <= maxsize(mode); size *= 2)
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

/* 64-bit mode faults: opcodes 64-bit mode removed (#UD: SDM vol. 2 opcode
 * map "i64"), UD2, SYSCALL with EFER.SCE = 0 (#UD), a misaligned
 * CMPXCHG16B (#GP(0)), and #DE from 128-by-64 DIV/IDIV. */
static void long64_faults(enum d_mode mode, struct tally *t)
{
    static const struct { const char *name; uint8_t len, b[10], vector; } insns[] = {
        {"push es", 1, {0x06}, 6}, {"pop es", 1, {0x07}, 6}, {"push cs", 1, {0x0e}, 6},
        {"push ss", 1, {0x16}, 6}, {"pop ss", 1, {0x17}, 6}, {"push ds", 1, {0x1e}, 6},
        {"pop ds", 1, {0x1f}, 6}, {"daa", 1, {0x27}, 6}, {"das", 1, {0x2f}, 6}, {"aaa", 1, {0x37}, 6},
        {"aas", 1, {0x3f}, 6}, {"pusha", 1, {0x60}, 6}, {"popa", 1, {0x61}, 6},
        {"66 pusha", 2, {0x66, 0x60}, 6}, {"add 82", 3, {0x82, 0xc0, 0x01}, 6},
        {"call far", 7, {0x9a, 0, 0x10, 0, 0, 0x08, 0}, 6}, {"into", 1, {0xce}, 6},
        {"aam", 2, {0xd4, 0x0a}, 6}, {"aad", 2, {0xd5, 0x0a}, 6}, {"salc", 1, {0xd6}, 6},
        {"jmp far", 7, {0xea, 0, 0x10, 0, 0, 0x08, 0}, 6}, {"rex daa", 2, {0x48, 0x27}, 6},
        {"ud2", 2, {0x0f, 0x0b}, 6}, {"syscall", 2, {0x0f, 0x05}, 6},
        {"cmpxchg16b misaligned", 9, {0x48, 0x0f, 0xc7, 0x0c, 0x25, 0x08, 0x50, 0, 0}, 13},
    };
    static const struct { uint64_t rax, rdx, rcx; uint8_t modrm; } divs[] = {
        {0x1234, 0, 0, 0xf1}, {0, 1, 1, 0xf1}, {~0ull, ~0ull, ~0ull, 0xf1},
        {0, 0x8000000000000000ull, ~0ull, 0xf9}, {0, 0x4000000000000000ull, 2, 0xf9},
        {0x8000000000000000ull, 0, 0, 0xf9}, {0x8000000000000000ull, ~0ull, ~0ull, 0xf9},
    };
    struct dctx *c = d_open(mode);
    cr_assert_not_null(c);
    for (unsigned i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        struct dstate st = base_state(0x1234, 0x5678, 0);
        struct dinsn d = {.len = insns[i].len, .name = insns[i].name, .undef_reg = -1};
        memcpy(d.b, insns[i].b, insns[i].len);
        t->run++;
        if (!d_apply_known(&d, mode)) /* Unicorn cannot judge: the SDM's answer, in pcvm alone */
            t->fail += !d_run_fault_pcvm(c, &st, &d, insns[i].vector);
        else
            t->fail += !d_run_fault(c, &st, &d, insns[i].vector);
    }
    for (unsigned i = 0; i < sizeof divs / sizeof divs[0]; i++) {
        struct dstate st = base_state(divs[i].rax, divs[i].rcx, 0);
        struct dinsn d = {.b = {0x48, 0xf7, divs[i].modrm}, .len = 3, .name = "div64", .undef_reg = -1};
        st.r[2] = divs[i].rdx;
        t->run++;
        t->fail += !d_run_fault(c, &st, &d, 0);
    }
    d_close(c);
}

Test(unicorn, long64_faults, .timeout = 600) { directed(long64_faults, "long64_faults"); }

/* REP MOVS/STOS of each size, DF = 0 and 1: counts 0 and 1, runs crossing
 * page boundaries and longer than IEM's batch of 1024, overlapping source
 * and destination both ways (DF = 0 takes IEM's page-run path, str_run),
 * and in pm32 (the guest pages; diff_run.c) runs into a read-only or not
 * present page: #PF mid-way, where both must leave the restart state
 * (rSI, rDI, rCX after the last whole element, RIP on the instruction)
 * and the same memory. Byte addresses: the first element's. */
static const struct str_case {
    uint32_t si, di, bytes; /* bytes: the run's length; count = bytes / size (0: count 0, 1: count 1) */
    bool df;
} str_cases[] = {
    {0x4100, 0x4800, 0, false},      {0x4101, 0x4803, 1, false},      {0x4123, 0x4877, 40, false},
    {0x4402, 0x4f81, 0x300, false},  {0x4f83, 0x4402, 0x300, false},  {0x3010, 0x4405, 0x1a00, false},
    {0x4010, 0x4011, 0x1100, false}, {0x4011, 0x4010, 0x1100, false}, {0x4010, 0x4012, 0x1100, false},
    {0x4010, 0x4014, 0x1100, false}, {0x4018, 0x4010, 0x1100, false}, {0x4100, 0x4100, 0x200, false},
    {0x4000, 0x5f01, 0x300, false},  {0x6f40, 0x4003, 0x200, false},  {0x5ff0, 0x4000, 0x400, false},
    {0x4140, 0x4880, 40, true},      {0x4802, 0x5010, 0x300, true},   {0x4800, 0x47ff, 0x1100, true},
    {0x47ff, 0x4800, 0x1100, true},  {0x4400, 0x5f00, 0x1a00, true},  {0x4800, 0x3080, 0x200, true},
    {0x3040, 0x4800, 0x200, true},   {0x4100, 0x4100, 0, true},       {0x8040, 0x4800, 0x1100, true},
};

/* Whether the run touches memory outside [D_STR_LO, hi) or, in pm32, a
 * page the guest's paging makes fault: then only pm32 runs it, where a
 * #PF is what must happen. */
static bool str_faults(uint32_t at, uint32_t bytes, unsigned size, bool df, bool write, uint32_t hi)
{
    uint32_t lo = df ? at + size - bytes : at, end = df ? at + size : at + bytes;
    if (!bytes)
        return false;
    if (lo < D_STR_LO || end > hi)
        return true;
    return (end > D_STR_NP && lo < D_STR_NP + 0x1000) || (write && end > D_STR_RO && lo < D_STR_RO + 0x1000);
}

static void string_edges_on(enum d_mode mode, struct tally *t, bool rem)
{
    struct dctx *c = d_open(mode);
    unsigned faults = 0, want_faults = 0;
    cr_assert_not_null(c);
    cr_assert(!rem || d_use_rem(c), "cannot start REM");
    for (unsigned k = 0; k < sizeof str_cases / sizeof str_cases[0]; k++)
        for (unsigned size = 1; size <= maxsize(mode); size *= 2)
            for (unsigned stos = 0; stos < 2; stos++) {
                const struct str_case *sc = &str_cases[k];
                uint32_t count = sc->bytes <= 1 ? sc->bytes : sc->bytes / size, bytes = count * size;
                bool fault = str_faults(sc->di, bytes, size, sc->df, true, d_str_hi(mode)) ||
                             (!stos && str_faults(sc->si, bytes, size, sc->df, false, d_str_hi(mode)));
                if (fault && mode != D_PM32)
                    continue;
                struct dstate st = base_state(0x8877665544332211ull, count, sc->df ? 0x400 | 0x8c1 : 0x0d4);
                struct dinsn d = {.name = stos ? "rep stos" : "rep movs", .undef_reg = -1, .def = D_ARITH};
                st.r[4] = 0xa000;
                st.r[6] = sc->si;
                st.r[7] = sc->di;
                d.b[d.len++] = 0xf3;
                if (size == (mode == D_REAL16 ? 4u : 2u))
                    d.b[d.len++] = 0x66;
                if (size == 8)
                    d.b[d.len++] = 0x48;
                d.b[d.len++] = (uint8_t)((stos ? 0xaa : 0xa4) + (size > 1));
                int vec = d_run_string(c, &st, &d);
                t->run++;
                want_faults += fault;
                faults += vec == 14; /* #PF */
                if (vec == -2 || (vec >= 0) != fault) {
                    t->fail++;
                    fprintf(stderr, "  string case %u (size %u, %s, count %u, si %#x di %#x df %u): %s\n", k, size,
                            d.name, count, sc->si, sc->di, sc->df,
                            vec == -2 ? "differs" : fault ? "no fault where one is due" : "an unexpected fault");
                }
            }
    d_close(c);
    cr_expect_eq(faults, want_faults, "%u #PF of %u expected", faults, want_faults);
    cr_expect(mode != D_PM32 || want_faults > 10, "only %u fault cases", want_faults);
}

static void string_edges(enum d_mode mode, struct tally *t) { string_edges_on(mode, t, false); }
static void string_edges_rem(enum d_mode mode, struct tally *t) { string_edges_on(mode, t, true); }
static void long64_strings(enum d_mode mode, struct tally *t)
{
    string_edges_on(mode, t, false);
    string_edges_on(mode, t, true);
}
Test(unicorn, string_edges, .timeout = 600) { directed(string_edges, "string_edges"); }
Test(unicorn, string_edges_rem, .timeout = 600) { directed(string_edges_rem, "string_edges on REM"); }
Test(unicorn, long64_strings, .timeout = 600) { directed(long64_strings, "long64_strings"); }
