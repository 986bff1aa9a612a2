/*
 * SIMD (MMX, SSE..SSE4.1) interpreter tests.
 *
 * Differential: every instruction of test_sse_cases.c runs natively on the
 * host (copied into an executable page between a full register load and
 * store, with the host's own x87/SSE state saved and restored around it by
 * FXSAVE64/FXRSTOR64) and in the interpreter in 32-bit flat protected mode,
 * on random inputs biased to the edges (NaNs incl. SNaN, signed zeros,
 * infinities, denormals, integer-conversion limits, saturation boundaries)
 * under random rounding modes, DAZ and FTZ, with every exception masked (an
 * unmasked one would trap the host). XMM0-7, MM0-7, MXCSR, the GPRs, the
 * arithmetic flags and the memory operand must agree bit for bit.
 *
 * Which side decides, and why the test holds on Intel and AMD hosts alike:
 * - Floating point (SSE..SSE4.1 arithmetic, compares, conversions, rounding,
 *   DPPS/DPPD, the VEX forms, FMA, F16C) runs on the host's SIMD unit in
 *   pcvm too (src/cpu/iem_sse_host.c, iem_avx_host.c), so the expected
 *   value follows the host by construction, including what the SDM leaves
 *   to the implementation: RCPPS/RSQRTPS/RCPSS/RSQRTSS bits (only bounded
 *   by 1.5*2^-12; rcp_rsqrt_error_bound in test_sse_state.c checks that),
 *   and which NaN DPPS/DPPD propagate and where in the destination (SDM
 *   DPPS: "implementation dependent"; an Intel Xeon puts different NaNs in
 *   different elements of one broadcast, so no sum of separate multiplies
 *   and adds matches both vendors). Were any of these emulated instead,
 *   this test would compare a vendor's hardware with one vendor's choice.
 * - Everything else (moves, shuffles, integer SIMD, strings, AES, CRC32,
 *   BMI, LZCNT/TZCNT, POPCNT) is pcvm's own code compared with the host;
 *   the SDM and the AMD APM define those results completely, and only the
 *   flags they define are compared (defined_flags: LZCNT/TZCNT leave
 *   OF/SF/AF/PF undefined, BMI1 AF/PF, BEXTR also SF).
 *
 * The same list also runs in 64-bit mode for the REX forms (XMM8-15,
 * 64-bit GPR conversions and lengths). Faults and state: test_sse_state.c.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "testvm.h"
#include "vm/vm.h"

#include "sse_test.h"

/* The AVX categories: YMM upper halves are loaded, run and compared too. */
#define IS_AVX(cat) ((cat) >= AVXF)

#define CODE_ADDR 0x1000u
#define DATA_ADDR 0x8000u
#define HANDLER(vec) TESTVM_HANDLER(vec)
#define OSZAPC (F_OF | F_SF | F_ZF | F_AF | F_PF | F_CF)

static struct vm *vm;
static struct vcpu *vc;

static void setup(void)
{
    struct cpu *c;

    vm = testvm_pm32(CR0_MP);
    vc = &vm->cpus[0];
    c = &vc->cpu;
    c->cr0 &= ~(uint64_t)(CR0_EM | CR0_TS);
    c->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    testvm_idt(vm);
    iem_flush(vc);
}

static void teardown(void)
{
    vm_destroy(vm);
    vm = NULL;
}

/* ---- native execution ---- */

struct nstate {
    uint8_t xmm[16][16]; /* 0 */
    uint64_t mm[8];      /* 256 */
    uint64_t gpr[8];     /* 320: rax rcx rdx rbx rsp(unused) rbp rsi rdi */
    uint64_t flags;      /* 384 */
    uint32_t mxcsr;      /* 392 */
    uint8_t pad[512 - 396];
    uint8_t hostfx[512]; /* 512: the host's own state */
    uint8_t fx[512];     /* 1024: after the instruction */
    uint8_t ymmh[16][16]; /* 1536: bits 255:128 of YMM0-15 (AVX cases) */
} __attribute__((aligned(64)));

__asm__(".pushsection .rodata.sse_stub, \"a\"\n.intel_syntax noprefix\n"
        "sse_pro_s:\n"
        "push rbx\npush rbp\npush r12\npush r13\npush r14\npush r15\nmov r15, rdi\n"
        "fxsave64 [r15+512]\n"
        "movdqu xmm0, [r15+0]\nmovdqu xmm1, [r15+16]\nmovdqu xmm2, [r15+32]\nmovdqu xmm3, [r15+48]\n"
        "movdqu xmm4, [r15+64]\nmovdqu xmm5, [r15+80]\nmovdqu xmm6, [r15+96]\nmovdqu xmm7, [r15+112]\n"
        "movdqu xmm8, [r15+128]\nmovdqu xmm9, [r15+144]\nmovdqu xmm10, [r15+160]\nmovdqu xmm11, [r15+176]\n"
        "movdqu xmm12, [r15+192]\nmovdqu xmm13, [r15+208]\nmovdqu xmm14, [r15+224]\nmovdqu xmm15, [r15+240]\n"
        "movq mm0, [r15+256]\nmovq mm1, [r15+264]\nmovq mm2, [r15+272]\nmovq mm3, [r15+280]\n"
        "movq mm4, [r15+288]\nmovq mm5, [r15+296]\nmovq mm6, [r15+304]\nmovq mm7, [r15+312]\n"
        "ldmxcsr [r15+392]\npush qword ptr [r15+384]\npopfq\n"
        "mov rax, [r15+320]\nmov rcx, [r15+328]\nmov rdx, [r15+336]\nmov rbx, [r15+344]\n"
        "mov rbp, [r15+360]\nmov rsi, [r15+368]\nmov rdi, [r15+376]\n"
        "sse_pro_e:\n"
        "sse_epi_s:\n"
        "pushfq\npop qword ptr [r15+384]\n"
        "mov [r15+320], rax\nmov [r15+328], rcx\nmov [r15+336], rdx\nmov [r15+344], rbx\n"
        "mov [r15+360], rbp\nmov [r15+368], rsi\nmov [r15+376], rdi\n"
        "stmxcsr [r15+392]\n"
        "movdqu [r15+0], xmm0\nmovdqu [r15+16], xmm1\nmovdqu [r15+32], xmm2\nmovdqu [r15+48], xmm3\n"
        "movdqu [r15+64], xmm4\nmovdqu [r15+80], xmm5\nmovdqu [r15+96], xmm6\nmovdqu [r15+112], xmm7\n"
        "movdqu [r15+128], xmm8\nmovdqu [r15+144], xmm9\nmovdqu [r15+160], xmm10\nmovdqu [r15+176], xmm11\n"
        "movdqu [r15+192], xmm12\nmovdqu [r15+208], xmm13\nmovdqu [r15+224], xmm14\nmovdqu [r15+240], xmm15\n"
        "movq [r15+256], mm0\nmovq [r15+264], mm1\nmovq [r15+272], mm2\nmovq [r15+280], mm3\n"
        "movq [r15+288], mm4\nmovq [r15+296], mm5\nmovq [r15+304], mm6\nmovq [r15+312], mm7\n"
        "fxsave64 [r15+1024]\nfxrstor64 [r15+512]\ncld\n"
        "pop r15\npop r14\npop r13\npop r12\npop rbp\npop rbx\nret\n"
        "sse_epi_e:\n"
        ".att_syntax prefix\n.popsection\n");
/* Around an AVX case: the upper halves in, and out again (then VZEROUPPER,
 * so the host's own SSE code runs without a dirty upper state). */
#define YMM_LD(i) "vinsertf128 ymm" #i ", ymm" #i ", [r15+1536+16*" #i "], 1\n"
#define YMM_ST(i) "vextractf128 [r15+1536+16*" #i "], ymm" #i ", 1\n"
#define YMM16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
__asm__(".pushsection .rodata.sse_stub, \"a\"\n.intel_syntax noprefix\n"
        "avx_ld_s:\n" YMM16(YMM_LD) "avx_ld_e:\n"
        "avx_st_s:\n" YMM16(YMM_ST) "vzeroupper\navx_st_e:\n"
        ".att_syntax prefix\n.popsection\n");
extern const uint8_t avx_ld_s[] __asm__("avx_ld_s"), avx_ld_e[] __asm__("avx_ld_e");
extern const uint8_t avx_st_s[] __asm__("avx_st_s"), avx_st_e[] __asm__("avx_st_e");
extern const uint8_t sse_pro_s[] __asm__("sse_pro_s"), sse_pro_e[] __asm__("sse_pro_e");
extern const uint8_t sse_epi_s[] __asm__("sse_epi_s"), sse_epi_e[] __asm__("sse_epi_e");

static uint8_t native_mem[64] __attribute__((aligned(64)));

static void native(const struct sse_tcase *t, struct nstate *st, uint8_t mem[64])
{
    static uint8_t *page;
    size_t pl = (size_t)(sse_pro_e - sse_pro_s), il = (size_t)(t->end - t->start);
    if (!page) {
        page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        cr_assert_neq(page, MAP_FAILED);
    }
    memcpy(page, sse_pro_s, pl);
    if (IS_AVX(t->cat)) {
        memcpy(page + pl, avx_ld_s, (size_t)(avx_ld_e - avx_ld_s));
        pl += (size_t)(avx_ld_e - avx_ld_s);
    }
    memcpy(page + pl, t->start, il);
    if (IS_AVX(t->cat)) {
        memcpy(page + pl + il, avx_st_s, (size_t)(avx_st_e - avx_st_s));
        il += (size_t)(avx_st_e - avx_st_s);
    }
    memcpy(page + pl + il, sse_epi_s, (size_t)(sse_epi_e - sse_epi_s));
    __builtin___clear_cache((char *)page, (char *)page + 4096);
    memcpy(native_mem, mem, 64);
    st->gpr[R_SI] = st->gpr[R_DI] = (uint64_t)(uintptr_t)native_mem;
    ((void (*)(struct nstate *))(void *)page)(st);
    memcpy(mem, native_mem, 64);
}

static bool long_mode;

/* 64-bit mode: identity-mapped 16 MiB (2 MiB pages) at PML4 0x10000. */
static void enter_long_mode(void)
{
    struct cpu *c = &vc->cpu;
    uint64_t pml4 = 0x11000 | 3, pdpt = 0x12000 | 3;
    pgm_load(&vm->pgm, 0x10000, &pml4, 8);
    pgm_load(&vm->pgm, 0x11000, &pdpt, 8);
    for (uint64_t i = 0; i < 8; i++) {
        uint64_t pde = (i << 21) | 0x83;
        pgm_load(&vm->pgm, 0x12000 + 8 * i, &pde, 8);
    }
    c->cr3 = 0x10000;
    c->cr4 |= CR4_PAE;
    c->efer |= EFER_LME | EFER_LMA;
    c->cr0 |= CR0_PG;
    c->seg[S_CS].attr = 0xa09b;
    long_mode = true;
    iem_flush(vc);
}

static void load_code(const uint8_t *code, size_t len)
{
    cr_assert_eq(pgm_load(&vm->pgm, CODE_ADDR, code, len), 0);
    iem_flush(vc);
}

/* Runs the loaded instruction once in the interpreter; returns iem_exec's status. */
static int interp(struct nstate *st, uint8_t mem[64])
{
    struct cpu *c = &vc->cpu;
    memcpy(c->xmm, st->xmm, sizeof st->xmm);
    memcpy(c->ymmh, st->ymmh, sizeof st->ymmh);
    for (unsigned i = 0; i < 8; i++) {
        memcpy(c->fpr[i], &st->mm[i], 8);
        c->fpr[i][8] = c->fpr[i][9] = 0xff;
    }
    c->ftw = 0;
    c->fsw = 0;
    c->mxcsr = st->mxcsr;
    for (unsigned i = 0; i < 8; i++)
        if (i != R_SP)
            c->gpr[i] = long_mode ? st->gpr[i] : st->gpr[i] & 0xffffffffu;
    c->gpr[R_SI] = c->gpr[R_DI] = DATA_ADDR;
    cpu_set_flags(c, (st->flags & OSZAPC) | F_1);
    pgm_load(&vm->pgm, DATA_ADDR, mem, 64);
    c->rip = CODE_ADDR;
    int rc = iem_exec(vc, 1);
    memcpy(st->xmm, c->xmm, sizeof st->xmm);
    memcpy(st->ymmh, c->ymmh, sizeof st->ymmh);
    for (unsigned i = 0; i < 8; i++)
        memcpy(&st->mm[i], c->fpr[i], 8);
    st->mxcsr = c->mxcsr;
    for (unsigned i = 0; i < 8; i++)
        st->gpr[i] = c->gpr[i];
    st->flags = cpu_get_flags(c);
    pgm_read(&vm->pgm, DATA_ADDR, mem, 64);
    return rc;
}

/* ---- random inputs ---- */

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static uint32_t rnd_f32(void)
{
    static const uint32_t edge[] = {
        0, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001,
        0x7f800001, 0x7fa00000, 0xff812345, 0x00000001, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff,
        0x3f800001, 0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x3f000000,
        0x40200000, 0xbfc00000, 0x00400000, 0x0d800000, 0x72800000, 0x3effffff, 0x40400000,
    };
    uint32_t r = rnd();
    switch (r & 3) {
    case 0: case 1: return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
    case 2: return (rnd() & 0x807fffff) | ((uint32_t)(110 + (rnd() % 40)) << 23); /* moderate magnitudes */
    default: return rnd();
    }
}

static uint64_t rnd_f64(void)
{
    static const uint64_t edge[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000001ull, 0x7ff0000000000001ull,
        0x7ff4000000000000ull, 0x0000000000000001ull, 0x800fffffffffffffull, 0x0010000000000000ull,
        0x7fefffffffffffffull, 0x41e0000000000000ull, 0xc1e0000000000000ull, 0xc1e0000000100000ull,
        0x41dfffffffc00000ull, 0x41dfffffffe00000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
        0x3fe0000000000000ull, 0x4004000000000000ull, 0x3ff0000000000001ull, 0x3810000000000000ull,
        0x47efffffe0000000ull, 0x36a0000000000000ull, 0x47f0000000000000ull, 0x3fdfffffffffffffull,
    };
    uint32_t r = rnd();
    switch (r & 3) {
    case 0: case 1: return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
    case 2: return (((uint64_t)rnd() << 32 | rnd()) & 0x800fffffffffffffull) | ((uint64_t)(1000 + rnd() % 48) << 52);
    default: return (uint64_t)rnd() << 32 | rnd();
    }
}

static uint32_t rnd_int(void)
{
    static const uint32_t edge[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
                                    0x80000000, 0xffffffff, 0x80008000, 0x7fff7fff, 0x7f7f7f7f, 0x80808080,
                                    0xffff0000, 0x0000ffff, 0x00ff00ff};
    uint32_t r = rnd();
    return (r & 1) ? edge[(r >> 8) % (sizeof edge / sizeof edge[0])] : rnd();
}

/* One 16-byte value: float lanes, double lanes or integer patterns. */
static void rnd_vec(uint8_t v[16], unsigned cat)
{
    unsigned mode = rnd() % 6;
    if (cat == FP || cat == RCP || cat == CVT || cat == AVXF || cat == FMA3 || cat == F16 || cat == AVX64)
        mode = mode < 2 ? 0 : mode < 4 ? 1 : mode;
    for (unsigned i = 0; i < 4; i++) {
        uint32_t d = mode == 0 ? rnd_f32() : mode == 5 ? rnd() : rnd_int();
        memcpy(v + 4 * i, &d, 4);
    }
    if (mode == 1)
        for (unsigned i = 0; i < 2; i++) {
            uint64_t q = rnd_f64();
            memcpy(v + 8 * i, &q, 8);
        }
    if (mode == 2) /* byte edges */
        for (unsigned i = 0; i < 16; i++)
            v[i] = (uint8_t[]){0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81, (uint8_t)rnd()}[rnd() % 8];
}

static void rnd_state(struct nstate *st, uint8_t mem[64], unsigned cat)
{
    memset(st, 0, sizeof *st);
    for (unsigned i = 0; i < (cat == AVX64 ? 16u : 8u); i++)
        rnd_vec(st->xmm[i], cat);
    for (unsigned i = 0; i < 16; i++)
        rnd_vec(st->ymmh[i], cat);
    for (unsigned i = 0; i < 8; i++) {
        uint8_t v[16];
        rnd_vec(v, cat);
        memcpy(&st->mm[i], v, 8);
    }
    for (unsigned i = 0; i < 4; i++)
        rnd_vec(mem + 16 * i, cat);
    for (unsigned i = 0; i < 8; i++)
        st->gpr[i] = (cat == CVT && (rnd() & 1)) ? (uint32_t)(int32_t)(int16_t)rnd() : rnd_int();
    if (long_mode)
        for (unsigned i = 0; i < 8; i++)
            st->gpr[i] = (rnd() & 1) ? (uint64_t)(int64_t)(int32_t)rnd_int() : (uint64_t)rnd_int() << 32 | rnd_int();
    if (cat == STR) { /* short strings over a small alphabet, lengths around the element count */
        static const uint8_t alpha[] = {0, 'a', 'b', 'c', 'z', 0x80, 0xff, 0x7f};
        for (unsigned i = 0; i < 8; i++)
            for (unsigned j = 0; j < 16; j++)
                st->xmm[i][j] = (rnd() % 24) ? alpha[rnd() % 7 + (j < 2 ? 1 : 0)] : 0;
        for (unsigned i = 0; i < 64; i++)
            mem[i] = alpha[rnd() % 8];
        st->gpr[R_AX] = (uint32_t)((int)(rnd() % 41) - 20);
        st->gpr[R_DX] = (uint32_t)((int)(rnd() % 41) - 20);
        if ((rnd() & 7) == 0)
            st->gpr[R_AX] = 0x80000000u;
    }
    st->flags = (rnd() & OSZAPC) | F_1;
    /* all exceptions masked; random rounding, DAZ, FTZ and sticky flags */
    st->mxcsr = 0x1f80 | (rnd() & 0x6000) | ((rnd() & 3) == 0 ? 0x40 : 0) | ((rnd() & 3) == 0 ? 0x8000 : 0) |
                ((rnd() & 3) == 0 ? (rnd() & 0x3f) : 0);
}

/* ISA extensions the host must have to run a case natively, by mnemonic
 * prefix: CPUID leaf, register (0 ebx, 1 ecx, 2 edx) and bit. */
static bool host_has_cat(unsigned cat)
{
    unsigned a, b, c, d, lo = 0, hi;
    __cpuid(1, a, b, c, d);
    if (!IS_AVX(cat))
        return true;
    if (!(c & (1u << 27)) || !(c & (1u << 28)))
        return false;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 6) != 6)
        return false;
    if (cat == FMA3)
        return c & (1u << 12);
    if (cat == F16)
        return c & (1u << 29);
    if (cat == AVX2I) {
        __cpuid_count(7, 0, a, b, c, d);
        return b & (1u << 5);
    }
    return true;
}

static bool host_has(const char *text)
{
    static const struct { const char *prefix; unsigned leaf, reg, bit; } need[] = {
        {"pabs", 1, 1, 9}, {"psign", 1, 1, 9}, {"pmulhrsw", 1, 1, 9}, {"pmaddubsw", 1, 1, 9}, {"phadd", 1, 1, 9},
        {"phsub", 1, 1, 9}, {"pshufb", 1, 1, 9}, {"palignr", 1, 1, 9},
        {"pmulld", 1, 1, 19}, {"pmuldq", 1, 1, 19}, {"pminsb", 1, 1, 19}, {"pmaxsb", 1, 1, 19},
        {"pminuw", 1, 1, 19}, {"pmaxuw", 1, 1, 19}, {"pminsd", 1, 1, 19}, {"pmaxsd", 1, 1, 19},
        {"pminud", 1, 1, 19}, {"pmaxud", 1, 1, 19}, {"pcmpeqq", 1, 1, 19}, {"packusdw", 1, 1, 19},
        {"round", 1, 1, 19}, {"dpp", 1, 1, 19}, {"pblend", 1, 1, 19}, {"blend", 1, 1, 19}, {"mpsadbw", 1, 1, 19},
        {"insertps", 1, 1, 19}, {"extractps", 1, 1, 19}, {"pextrb", 1, 1, 19}, {"pextrd", 1, 1, 19},
        {"pextrw word", 1, 1, 19}, {"pinsrb", 1, 1, 19}, {"pinsrd", 1, 1, 19}, {"pmovsx", 1, 1, 19},
        {"pmovzx", 1, 1, 19}, {"ptest", 1, 1, 19}, {"phminposuw", 1, 1, 19}, {"movntdqa", 1, 1, 19},
        {"pcmpgtq", 1, 1, 20}, {"pcmpe", 1, 1, 20}, {"pcmpi", 1, 1, 20}, {"crc32", 1, 1, 20},
        {"popcnt", 1, 1, 23}, {"movbe", 1, 1, 22},
        {"movddup", 1, 1, 0}, {"movsh", 1, 1, 0}, {"movsl", 1, 1, 0}, {"lddqu", 1, 1, 0}, {"addsub", 1, 1, 0},
        {"hadd", 1, 1, 0}, {"hsub", 1, 1, 0},
        {"lzcnt", 0x80000001, 1, 5}, {"tzcnt", 7, 0, 3}, {"andn", 7, 0, 3}, {"bextr", 7, 0, 3}, {"bls", 7, 0, 3},
        {"bzhi", 7, 0, 8}, {"pdep", 7, 0, 8}, {"pext", 7, 0, 8}, {"rorx", 7, 0, 8}, {"sarx", 7, 0, 8},
        {"aes", 1, 1, 25}, {"pclmul", 1, 1, 1}, {"shlx", 7, 0, 8}, {"shrx", 7, 0, 8}, {"mulx", 7, 0, 8}, {"adcx", 7, 0, 19}, {"adox", 7, 0, 19},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        unsigned r[4] = {0, 0, 0, 0}; /* eax ebx ecx edx */
        if (strncmp(text, need[i].prefix, strlen(need[i].prefix)))
            continue;
        __cpuid_count(need[i].leaf, 0, r[0], r[1], r[2], r[3]);
        return (r[1 + need[i].reg] >> need[i].bit) & 1;
    }
    return true;
}

/* Flags an instruction defines (the others are undefined and may differ
 * between the host's vendor and the interpreter's choice; SDM and APM agree
 * on which): LZCNT/TZCNT define CF and ZF; the BMI1 ones all leave AF and
 * PF undefined, BEXTR SF as well (it sets only ZF and clears CF and OF). */
static uint64_t defined_flags(const struct sse_tcase *t, unsigned cat)
{
    switch (cat) {
    case CNT: case L64C: return F_CF | F_ZF;
    case BMI: case L64B: return F_CF | F_ZF | F_OF | (strncmp(t->text, "bextr", 5) ? F_SF : 0);
    default: return OSZAPC;
    }
}

static void hex16(char *out, const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[n - 1 - i]);
}

/* Runs one case `iters` times on random inputs, natively and in IEM. */
static void diff_case(const struct sse_tcase *t, unsigned cat, unsigned iters)
{
    load_code(t->start, (size_t)(t->end - t->start));
    for (unsigned it = 0; it < iters; it++) {
        struct nstate in, hw, em;
        uint8_t mem[64], mhw[64], mem_em[64];
        rnd_state(&in, mem, cat);
        hw = in, em = in;
        memcpy(mhw, mem, 64);
        memcpy(mem_em, mem, 64);
        native(t, &hw, mhw);
        int rc = interp(&em, mem_em);
        cr_assert_eq(rc, IEM_OK, "%s: iem_exec %d", t->text, rc);
        cr_assert_eq(vc->cpu.rip, CODE_ADDR + (uint64_t)(t->end - t->start), "%s: faulted (rip %#llx)", t->text,
                     (unsigned long long)vc->cpu.rip);
        for (unsigned i = 0; i < 16; i++) {
            char a[33], b[33], x[33], y[33];
            if (!memcmp(hw.xmm[i], em.xmm[i], 16))
                continue;
            hex16(a, em.xmm[i], 16), hex16(b, hw.xmm[i], 16);
            hex16(x, in.xmm[0], 16), hex16(y, in.xmm[1], 16);
            cr_assert_fail("%s: xmm%u iem %s host %s (in xmm0 %s xmm1 %s mxcsr %04x)", t->text, i, a, b, x, y,
                           in.mxcsr);
        }
        for (unsigned i = 0; IS_AVX(cat) && i < (long_mode ? 16u : 8u); i++) { /* VZEROUPPER keeps 8-15 outside 64-bit mode */
            char a[33], b[33];
            if (!memcmp(hw.ymmh[i], em.ymmh[i], 16))
                continue;
            hex16(a, em.ymmh[i], 16), hex16(b, hw.ymmh[i], 16);
            cr_assert_fail("%s: ymm%u[255:128] iem %s host %s", t->text, i, a, b);
        }
        for (unsigned i = 0; i < 8; i++)
            cr_assert_eq(hw.mm[i], em.mm[i], "%s: mm%u iem %016llx host %016llx (in mm0 %016llx mm1 %016llx)",
                         t->text, i, (unsigned long long)em.mm[i], (unsigned long long)hw.mm[i],
                         (unsigned long long)in.mm[0], (unsigned long long)in.mm[1]);
        cr_assert_eq(hw.mxcsr, em.mxcsr, "%s: mxcsr iem %04x host %04x (in %04x, xmm0 %016llx%016llx xmm1 %016llx%016llx)",
                     t->text, em.mxcsr, hw.mxcsr, in.mxcsr, (unsigned long long)((uint64_t *)in.xmm[0])[1],
                     (unsigned long long)((uint64_t *)in.xmm[0])[0], (unsigned long long)((uint64_t *)in.xmm[1])[1],
                     (unsigned long long)((uint64_t *)in.xmm[1])[0]);
        uint64_t fm = defined_flags(t, cat), gmask = long_mode ? ~0ull : 0xffffffffull;
        for (unsigned i = 0; i < 8; i++)
            if (i != R_SP && i != R_SI && i != R_DI)
                cr_assert_eq(hw.gpr[i] & gmask, em.gpr[i] & gmask, "%s: gpr%u iem %016llx host %016llx", t->text, i,
                             (unsigned long long)em.gpr[i], (unsigned long long)hw.gpr[i]);
        cr_assert_eq(hw.flags & fm, em.flags & fm, "%s: flags iem %03x host %03x (in eax %08x ecx %08x edx %08x ebx %08x)",
                     t->text, (unsigned)(em.flags & fm), (unsigned)(hw.flags & fm), (uint32_t)in.gpr[0],
                     (uint32_t)in.gpr[1], (uint32_t)in.gpr[2], (uint32_t)in.gpr[3]);
        cr_assert_eq(memcmp(mhw, mem_em, 64), 0, "%s: memory differs", t->text);
    }
}

/* Runs every case of category cat `iters` times; returns the number run. */
static unsigned diff_category(unsigned cat, unsigned iters)
{
    unsigned ran = 0, skipped = 0;
    if (IS_AVX(cat)) { /* CR4.OSXSAVE; XCR0 enables x87, SSE and AVX state */
        vc->cpu.cr4 |= 0x40000u;
        vc->cpu.xcr0 = 7;
    }
    for (unsigned k = 0; k < sse_ntcases; k++) {
        const struct sse_tcase *t = &sse_tcases[k];
        if (t->cat != cat)
            continue;
        if (!host_has_cat(cat) || !host_has(t->text + (IS_AVX(cat) && t->text[0] == 'v'))) {
            skipped++;
            printf("SKIP: %s (the host CPU lacks it)\n", t->text);
            continue;
        }
        diff_case(t, cat, iters);
        ran++;
    }
    if (!ran && skipped)
        cr_skip_test("SKIP: the host lacks every instruction of this group");
    cr_assert_gt(ran, 0);
    return ran;
}

TestSuite(sse, .init = setup, .fini = teardown);

Test(sse, diff_moves) { diff_category(MOV, 1500); }
Test(sse, diff_integer) { diff_category(INT, 1000); }
Test(sse, diff_shuffles) { diff_category(SHUF, 1000); }
Test(sse, diff_float) { diff_category(FP, 2000); }
Test(sse, diff_rcp) { diff_category(RCP, 3000); }
Test(sse, diff_convert) { diff_category(CVT, 4000); }
Test(sse, diff_sse41) { diff_category(S41, 1000); }
Test(sse, diff_sse42_strings) { diff_category(STR, 1500); }
Test(sse, diff_gpr_ext) { diff_category(GPR, 3000); }
Test(sse, diff_lzcnt_tzcnt) { diff_category(CNT, 3000); }
Test(sse, diff_bmi) { diff_category(BMI, 3000); }
/* AES-NI and PCLMULQDQ (64-bit forms with XMM8-15 are in diff_64bit) */
Test(sse, diff_aes_pclmul) { diff_category(AES, 400); }
Test(sse, diff_64bit)
{
    enter_long_mode();
    diff_category(L64, 1500);
    diff_category(L64C, 1500);
    diff_category(L64B, 1500);
}

/* AVX, AVX2, FMA and F16C (test_avx_cases.h) */
Test(sse, diff_avx_float) { diff_category(AVXF, 600); }
Test(sse, diff_avx_integer) { diff_category(AVXI, 400); }
Test(sse, diff_avx2_integer) { diff_category(AVX2I, 400); }
Test(sse, diff_fma) { diff_category(FMA3, 1500); }
Test(sse, diff_f16c) { diff_category(F16, 3000); }
Test(sse, diff_avx_64bit)
{
    enter_long_mode();
    diff_category(AVX64, 800);
}

/* Shared with test_sse_state.c. */
struct vm *sse_t_vm(void) { return vm; }
struct vcpu *sse_t_vcpu(void) { return vc; }
const struct sse_tcase *sse_t_find(const char *text)
{
    for (unsigned k = 0; k < sse_ntcases; k++)
        if (!strcmp(sse_tcases[k].text, text))
            return &sse_tcases[k];
    cr_assert_fail("no case '%s'", text);
    return NULL;
}

int sse_t_run_bytes(const uint8_t *code, size_t len)
{
    load_code(code, len);
    vc->cpu.gpr[R_SP] = TESTVM_STACK;
    vc->cpu.rip = CODE_ADDR;
    cr_assert_eq(iem_exec(vc, 1), IEM_OK);
    if (vc->cpu.rip == CODE_ADDR + len)
        return -1;
    for (unsigned vec = 0; vec < 32; vec++)
        if (vc->cpu.rip == HANDLER(vec))
            return (int)vec;
    cr_assert_fail("rip %#llx after %zu bytes of code", (unsigned long long)vc->cpu.rip, len);
    return -2;
}

int sse_t_run(const char *text)
{
    const struct sse_tcase *t = sse_t_find(text);
    return sse_t_run_bytes(t->start, (size_t)(t->end - t->start));
}

void sse_t_setup(void) { setup(); }
void sse_t_teardown(void) { teardown(); }
void sse_t_load_code(const uint8_t *code, size_t len) { load_code(code, len); }
uint32_t sse_t_rnd(void) { return rnd(); }
/* test_avx.c's sweep of every VEX encoding: 64-bit mode, AVX state on. */
void sse_t_avx64_mode(void)
{
    enter_long_mode();
    vc->cpu.cr4 |= 0x40000u;
    vc->cpu.xcr0 = 7;
}
void sse_t_diff_avx64(const struct sse_tcase *t, unsigned iters)
{
    struct sse_tcase c = *t;
    c.cat = AVX64;
    diff_case(&c, AVX64, iters);
}
