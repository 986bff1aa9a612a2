/* REM's first tier against the interpreter. REM promises to retire the
 * same instructions as IEM with the same results, so two identical VMs,
 * one run by rem_exec and one by iem_exec, must end in identical states:
 * random byte soup (faults, jumps into the middle of instructions, code
 * that overwrites itself or the IDT), then directed cases for what only a
 * translation cache can get wrong (stale blocks after writes, data beside
 * code, a full cache). Time is frozen (--icount with no accounting), so
 * RDTSC and the timers read the same in both. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "rem/rem.h"
#include "rem_diff.h"
#include "testvm.h"

#define CODE    RD_CODE

static const struct rd_setup flat = {RD_PM32, false, NULL};

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static struct vm *make_vm(const uint8_t *code, size_t n, const uint64_t gpr[16], bool rem)
{
    return rd_make_vm(code, n, gpr, rem ? 2 : 0, &flat);
}

static struct rd_stats stats; /* over run_both calls */

static void run_both(const uint8_t *code, size_t n, const uint64_t gpr[16], uint64_t max, const char *what)
{
    rd_run_both(code, n, gpr, max, what, &flat, &stats);
}

Test(rem, random_code_matches_iem, .timeout = 300)
{
    static uint8_t code[4096];
    uint64_t s = 0x7e3a11ull;

    for (unsigned seed = 0; seed < 150; seed++) {
        uint64_t gpr[16] = {0};
        char what[32];
        for (size_t i = 0; i < sizeof code; i += 8) {
            uint64_t r = xorshift(&s);
            memcpy(code + i, &r, 8);
        }
        /* RDRAND/RDSEED (0F C7 /6, /7) read the host's entropy: not comparable */
        for (size_t i = 0; i + 1 < sizeof code; i++)
            if (code[i] == 0x0f && code[i + 1] == 0xc7)
                code[i + 1] = 0x90;
        for (unsigned r = 0; r < 8; r++)
            gpr[r] = xorshift(&s) & (r < 4 ? 0xffffffffu : 0xffffu); /* pointers stay low */
        snprintf(what, sizeof what, "seed %u", seed);
        run_both(code, sizeof code, gpr, 3000, what);
    }
}

/* Straight-line and looping code made of the forms the native tier
 * compiles (register MOV, ALU, LEA), mixed with forms it hands to IEM
 * (INC/DEC, shifts, memory operands, Jcc), so both the compiled bodies and
 * the switches between them and the helpers are compared. */
Test(rem, native_forms_match_iem, .timeout = 300)
{
    static uint8_t code[2048];
    uint64_t s = 0x51dec0deull;

    for (unsigned prog = 0; prog < 120; prog++) {
        size_t n = 0;
        uint64_t gpr[16] = {0};
        char what[32];
        while (n + 16 < sizeof code) {
            uint64_t r = xorshift(&s);
            unsigned modrm = 0xc0 | (unsigned)(r >> 8 & 0x3f), kind = (unsigned)(r % 13);
            static const uint8_t alu[] = {0x01, 0x09, 0x21, 0x29, 0x31, 0x39, 0x85, 0x89, 0x03, 0x2b, 0x33, 0x8b};
            uint32_t imm = (uint32_t)(r >> 32);
            switch (kind) {
            case 0: case 1: case 2: case 3: /* op r32, r32 */
                code[n++] = alu[(r >> 16) % sizeof alu];
                code[n++] = (uint8_t)modrm;
                break;
            case 4: /* op r32, imm32 */
                code[n++] = 0x81, code[n++] = (uint8_t)modrm;
                memcpy(code + n, &imm, 4), n += 4;
                break;
            case 5: /* op r32, simm8 */
                code[n++] = 0x83, code[n++] = (uint8_t)modrm, code[n++] = (uint8_t)imm;
                break;
            case 6: /* mov r32, imm32 */
                code[n++] = (uint8_t)(0xb8 + (r >> 20 & 7));
                memcpy(code + n, &imm, 4), n += 4;
                break;
            case 7: /* lea r32, [base + index * scale + disp8] */
                code[n++] = 0x8d, code[n++] = (uint8_t)(0x44 | (r >> 24 & 0x38));
                code[n++] = (uint8_t)(r >> 40), code[n++] = (uint8_t)imm;
                break;
            case 8: /* lea r32, [reg + disp32] */
                code[n++] = 0x8d, code[n++] = (uint8_t)(0x80 | (r >> 24 & 0x3f));
                if ((code[n - 1] & 7) == 4)
                    code[n++] = 0x24;
                memcpy(code + n, &imm, 4), n += 4;
                break;
            case 9: /* inc/dec r32 */
                code[n++] = (uint8_t)(0x40 + (r >> 20 & 15));
                break;
            case 10: /* shl/shr/rol r32, imm8 */
                code[n++] = 0xc1, code[n++] = (uint8_t)(0xc0 | (r >> 24 & 0x2f)), code[n++] = (uint8_t)(imm & 31);
                break;
            case 11: /* jcc rel8, short either way */
                code[n++] = (uint8_t)(0x70 + (r >> 20 & 15)), code[n++] = (uint8_t)((int8_t)(imm % 24) - 12);
                break;
            default: { /* mov/op with [0x8000 + edi & 0xffc]: edi masked first */
                static const uint8_t mem_op[] = {0x89, 0x8b, 0x01, 0x03, 0x29, 0x2b, 0x31, 0x39, 0x3b, 0x85, 0x21, 0x0b, 0x81};
                uint8_t opc = mem_op[(r >> 44) % sizeof mem_op];
                code[n++] = 0x81, code[n++] = 0xe7, memcpy(code + n, &(uint32_t){0xffc}, 4), n += 4; /* and edi */
                code[n++] = opc, code[n++] = (uint8_t)(0x87 | (r >> 24 & 0x38));
                memcpy(code + n, &(uint32_t){0x8000}, 4), n += 4;
                if (opc == 0x81) /* op [m], imm32 */
                    memcpy(code + n, &imm, 4), n += 4;
                break;
            }
            }
        }
        code[n++] = 0xf4;
        for (unsigned i = 0; i < 8; i++)
            gpr[i] = xorshift(&s) & 0xffffffffu;
        snprintf(what, sizeof what, "program %u", prog);
        run_both(code, n, gpr, 20000, what);
    }
    cr_expect_gt(stats.native, 100000, "tier 2 ran %llu instructions natively", (unsigned long long)stats.native);
}

/* A store into the block that is running: the next instruction must be the
 * new one (the block ends after the write), and a block built before a
 * later rewrite must not run again. */
Test(rem, self_modifying_loop)
{
    /* ecx = 5; loop: add eax, imm8 (patched each pass to ecx); mov [patch], cl; loop */
    static const uint8_t code[] = {
        0xb9, 5, 0, 0, 0,                   /* mov ecx, 5 */
        0x31, 0xc0,                         /* xor eax, eax */
        0x83, 0xc0, 0x01,                   /* loop: add eax, 1   (imm8 at CODE + 9) */
        0x88, 0x0d, 0x09, 0x00, 0x01, 0x00, /* mov [CODE + 9], cl */
        0xe2, 0xf5,                         /* loop loop */
        0xf4,                               /* hlt */
    };
    const uint64_t gpr[16] = {0};
    run_both(code, sizeof code, gpr, 1000, "self-modifying loop");
    struct vm *b = make_vm(code, sizeof code, gpr, true);
    cr_assert_eq(rem_exec(&b->cpus[0], 1000), IEM_HALT);
    cr_assert_eq(b->cpus[0].cpu.gpr[R_AX], 1 + 5 + 4 + 3 + 2, "each pass adds the count the last one stored");
    rd_free_vm(b);
}

/* Stores to data in the code's page, outside the code's 64-byte pieces,
 * leave the block alone: after a warm-up, the loop runs without building,
 * its block chained to itself (tier 1: through REM's link; tier 2: in the
 * compiled code, which REM's link counter does not see). */
/* An instruction that runs into the next page, whose byte on that page
 * the loop rewrites each pass: the block holding it depends on both pages,
 * so each pass must add what the last one stored. */
Test(rem, page_crossing_insn_rewritten)
{
    static uint8_t code[0x1010];
    static const uint8_t head[] = {0xb9, 5, 0, 0, 0, 0x31, 0xc0, 0xe9, 0xf1, 0x0f, 0, 0}; /* ecx=5; eax=0; jmp 0xffd */
    static const uint8_t tail[] = {
        0x05, 0, 0, 0, 0,                   /* 0xffd: add eax, imm32 (imm byte 2 at CODE + 0x1000) */
        0x88, 0x0d, 0x00, 0x10, 0x01, 0x00, /* mov [CODE + 0x1000], cl */
        0xe2, 0xf3,                         /* loop 0xffd */
        0xf4,                               /* hlt */
    };
    const uint64_t gpr[16] = {0};

    memset(code, 0x90, sizeof code);
    memcpy(code, head, sizeof head);
    memcpy(code + 0xffd, tail, sizeof tail);
    run_both(code, 0xffd + sizeof tail, gpr, 1000, "page-crossing instruction rewritten");
    for (int tier = 1; tier <= 2; tier++) {
        struct vm *b = rd_make_vm(code, 0xffd + sizeof tail, gpr, (unsigned)tier, &flat);
        cr_assert_eq(rem_exec(&b->cpus[0], 1000), IEM_HALT);
        cr_assert_eq(b->cpus[0].cpu.gpr[R_AX], (5u + 4 + 3 + 2) << 16, "tier %d: eax %#llx", tier,
                     (unsigned long long)b->cpus[0].cpu.gpr[R_AX]);
        rd_free_vm(b);
    }
}

Test(rem, data_beside_code_keeps_blocks)
{
    static uint8_t code[0x200];
    /* mov ecx, 100000; loop: inc dword [CODE + 0x100]; loop loop; hlt */
    static const uint8_t body[] = {0xb9, 0xa0, 0x86, 0x01, 0x00, 0xff, 0x05, 0x00, 0x01, 0x01, 0x00, 0xe2, 0xf8, 0xf4};
    const uint64_t gpr[16] = {0};
    memcpy(code, body, sizeof body);
    for (unsigned tier = 1; tier <= 2; tier++) {
        struct vm *b = rd_make_vm(code, sizeof code, gpr, tier, &flat);
        cr_assert_eq(rem_exec(&b->cpus[0], 1000000), IEM_HALT);
        uint32_t count;
        pgm_read(&b->pgm, CODE + 0x100, &count, 4);
        cr_assert_eq(count, 100000);
        struct rem_counts n;
        rem_get_counts(&b->cpus[0], &n);
        cr_assert_leq(n.builds, 4, "tier %u: %llu blocks built for one loop", tier, (unsigned long long)n.builds);
        if (tier == 1)
            cr_assert_gt(n.link_hits, 90000, "the loop's block chains to itself");
        else
            cr_assert_gt(n.native_insns, 190000, "the loop runs compiled");
        rd_free_vm(b);
    }
}

/* More blocks than the smallest cache holds: it is emptied and refilled,
 * and the results stay the interpreter's. */
Test(rem, full_cache_is_flushed)
{
    static uint8_t code[0x10000];
    const uint64_t gpr[16] = {0};
    for (size_t i = 0; i + 2 < sizeof code; i += 2) /* jmp short +0: one block each */
        code[i] = 0xeb, code[i + 1] = 0;
    code[sizeof code - 2] = 0xf4; /* hlt */
    struct vm *b = make_vm(code, sizeof code, gpr, true);
    rem_fini(&b->cpus[0]);
    b->cfg.tb_size = 1; /* the smallest arena */
    cr_assert_eq(rem_init(&b->cpus[0]), 0);
    cr_assert_eq(rem_exec(&b->cpus[0], 100000), IEM_HALT);
    struct rem_counts n;
    rem_get_counts(&b->cpus[0], &n);
    cr_assert_geq(n.flushes, 1, "%llu blocks fit without a flush", (unsigned long long)n.builds);
    cr_assert_eq(b->cpus[0].insns, 0x8000);
    rd_free_vm(b);
}
