/*
 * XSAVE family, RDRAND/RDSEED, CLFLUSHOPT/CLWB and the -cpu feature gate
 * (part of the "sse" suite of test_sse.c, which builds the 32-bit flat VM):
 * XGETBV/XSETBV and the XCR0 rules, CR4.OSXSAVE gating (#UD) and CR0.TS
 * (#NM), CPUID leaf 0xD sizes against what XSAVE writes, the standard and
 * compacted layouts, XRSTOR round trips, init of components whose
 * XSTATE_BV bit is clear, the header #GP checks, and instructions of a
 * feature a model removed raising #UD.
 *
 * XSAVE is not advertised until CR4.OSXSAVE becomes writable (iem_sys.c),
 * so these tests turn the feature on in the vCPU's model mask directly.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpufeat.h"
#include "vm/clock.h"
#include "vm/vm.h"

#include "sse_test.h"

#define vm (sse_t_vm())
#define vc (sse_t_vcpu())
#define CODE_ADDR 0x1000u
#define DATA_ADDR 0x8000u
#define HANDLER(vec) (0x2000u + 16u * (vec))

/* Runs one listed instruction with ESI at the area; the vector it raised or -1. */
static int run(const char *text)
{
    vc->cpu.gpr[R_SI] = DATA_ADDR;
    return sse_t_run(text);
}

static void feat(unsigned f, bool on)
{
    (void)iem_feat(vc, 0); /* build the mask from the model first */
    if (on)
        vc->cpu.feat[f / 64] |= 1ull << (f % 64);
    else
        vc->cpu.feat[f / 64] &= ~(1ull << (f % 64));
}

static void xsave_on(void)
{
    feat(CF_XSAVE, true);
    feat(CF_AVX, true); /* the YMM state component, for the layout tests */
    vc->cpu.cr4 |= CR4_OSXSAVE;
}

static int xsetbv(uint32_t ecx, uint64_t val)
{
    vc->cpu.gpr[R_CX] = ecx;
    vc->cpu.gpr[R_AX] = (uint32_t)val;
    vc->cpu.gpr[R_DX] = (uint32_t)(val >> 32);
    return run("xsetbv");
}

static void rnd_state(void)
{
    struct cpu *c = &vc->cpu;
    for (unsigned i = 0; i < 16; i++)
        for (unsigned j = 0; j < 16; j++) {
            c->xmm[i][j] = (uint8_t)sse_t_rnd();
            c->ymmh[i][j] = (uint8_t)sse_t_rnd();
        }
    for (unsigned i = 0; i < 8; i++)
        for (unsigned j = 0; j < 10; j++)
            c->fpr[i][j] = (uint8_t)sse_t_rnd();
    c->fcw = 0x27f;
    c->fsw = 0x3800 | 0x41;
    c->ftw = 0x0ff0;
    c->mxcsr = 0x1f80 | 0x6000 | 0x21;
}

static void mem_fill(uint8_t b, unsigned len)
{
    uint8_t buf[1024];
    memset(buf, b, sizeof buf);
    pgm_load(&vm->pgm, DATA_ADDR, buf, len);
}

static uint64_t mem_q(unsigned off)
{
    uint64_t q;
    pgm_read(&vm->pgm, DATA_ADDR + off, &q, 8);
    return q;
}

Test(sse, xcr0_rules)
{
    struct cpu *c = &vc->cpu;
    feat(CF_XSAVE, true);
    feat(CF_AVX, true);
    c->cr4 &= ~(uint64_t)CR4_OSXSAVE;
    cr_assert_eq(run("xgetbv"), X_UD, "XGETBV without CR4.OSXSAVE: #UD");
    cr_assert_eq(run("xsave [esi]"), X_UD, "XSAVE without CR4.OSXSAVE: #UD");
    cr_assert_eq(xsetbv(0, 3), X_UD);
    c->cr4 |= CR4_OSXSAVE;
    c->gpr[R_CX] = 0;
    cr_assert_eq(run("xgetbv"), -1);
    cr_assert_eq(c->gpr[R_AX], 1, "XCR0 resets to x87 only");
    cr_assert_eq(c->gpr[R_DX], 0);
    c->gpr[R_CX] = 1;
    cr_assert_eq(run("xgetbv"), X_GP, "XGETBV ECX=1 without XGETBV1: #GP");
    cr_assert_eq(xsetbv(0, 2), X_GP, "x87 bit clear: #GP");
    cr_assert_eq(xsetbv(0, 5), X_GP, "AVX without SSE: #GP");
    cr_assert_eq(xsetbv(0, 0xf), X_GP, "unsupported bit: #GP");
    cr_assert_eq(xsetbv(0, 1ull << 40), X_GP, "reserved high bit: #GP");
    cr_assert_eq(xsetbv(1, 3), X_GP, "XCR1: #GP");
    cr_assert_eq(xsetbv(0, 7), -1);
    cr_assert_eq(c->xcr0, 7);
    feat(CF_AVX, false);
    cr_assert_eq(xsetbv(0, 7), X_GP, "AVX not in the model: XCR0 bit 2 unsupported");
    cr_assert_eq(xsetbv(0, 3), -1);
}

Test(sse, cpuid_leaf_d_matches_xsave)
{
    uint32_t r[4];
    xsave_on();
    cr_assert_eq(xsetbv(0, 3), -1);
    iem_cpuid(vc, 0xd, 0, r);
    cr_assert_eq(r[0], 7, "supported XCR0 %#x", r[0]);
    cr_assert_eq(r[1], 576, "size for XCR0=3: %u", r[1]);
    cr_assert_eq(r[2], 832, "size for all supported: %u", r[2]);
    cr_assert_eq(xsetbv(0, 7), -1);
    iem_cpuid(vc, 0xd, 0, r);
    cr_assert_eq(r[1], 832);
    iem_cpuid(vc, 0xd, 1, r);
    cr_assert_eq(r[0] & 3, 3, "XSAVEOPT and XSAVEC");
    cr_assert_eq(r[1], 832, "compacted size for XCR0 (what Linux's XSAVEC buffers use)");
    iem_cpuid(vc, 0xd, 2, r);
    cr_assert_eq(r[0], 256);
    cr_assert_eq(r[1], 576);
    iem_cpuid(vc, 1, 0, r);
    cr_assert(r[2] & (1u << 27), "OSXSAVE mirrored");
    vc->cpu.cr4 &= ~(uint64_t)CR4_OSXSAVE;
    iem_cpuid(vc, 1, 0, r);
    cr_assert_not(r[2] & (1u << 27));
    /* XSAVE with everything requested writes exactly the advertised size */
    vc->cpu.cr4 |= CR4_OSXSAVE;
    mem_fill(0xaa, 1024);
    vc->cpu.gpr[R_AX] = vc->cpu.gpr[R_DX] = 0xffffffffu;
    cr_assert_eq(run("xsave [esi]"), -1);
    cr_assert_neq(mem_q(696), 0xaaaaaaaaaaaaaaaaull, "YMM7_H written");
    cr_assert_eq(mem_q(704), 0xaaaaaaaaaaaaaaaaull, "YMM8-15_H only in 64-bit mode");
    cr_assert_eq(mem_q(832), 0xaaaaaaaaaaaaaaaaull, "nothing past 832");
}

Test(sse, xsave_layout_and_round_trip)
{
    struct cpu *c = &vc->cpu, saved;
    xsave_on();
    cr_assert_eq(xsetbv(0, 7), -1);
    rnd_state();
    saved = *c;
    mem_fill(0xaa, 1024);
    c->gpr[R_AX] = 7, c->gpr[R_DX] = 0;
    cr_assert_eq(run("xsave [esi]"), -1);
    uint8_t area[832];
    pgm_read(&vm->pgm, DATA_ADDR, area, sizeof area);
    cr_assert_eq(*(uint16_t *)area, 0x27f, "FCW at 0");
    cr_assert_eq(*(uint16_t *)(area + 2), c->fsw, "FSW at 2");
    cr_assert_eq(area[4], 0xc3, "abridged FTW at 4 (%#x)", area[4]); /* ftw 0x0ff0: regs 2-5 empty */
    cr_assert_eq(*(uint32_t *)(area + 24), c->mxcsr, "MXCSR at 24");
    for (unsigned i = 0; i < 8; i++) {
        cr_assert_eq(memcmp(area + 160 + 16 * i, c->xmm[i], 16), 0, "XMM%u at %u", i, 160 + 16 * i);
        cr_assert_eq(memcmp(area + 576 + 16 * i, c->ymmh[i], 16), 0, "YMM%u_H at %u", i, 576 + 16 * i);
    }
    cr_assert_eq(area[300], 0xaa, "XMM8-15 not saved outside 64-bit mode");
    cr_assert_eq(area[470], 0xaa, "bytes 464..511 untouched");
    cr_assert_eq(mem_q(512), 0xaaaaaaaaaaaaaaafull, "XSTATE_BV: requested bits set, others kept");
    cr_assert_eq(mem_q(520), 0xaaaaaaaaaaaaaaaaull, "XSAVE leaves the rest of the header");
    /* the header as left is invalid for XRSTOR (bytes 23:8 not zero) */
    cr_assert_eq(run("xrstor [esi]"), X_GP);
    uint64_t z[3] = {7, 0, 0}; /* XSTATE_BV within XCR0, bytes 23:8 zero */
    pgm_load(&vm->pgm, DATA_ADDR + 512, z, sizeof z);
    rnd_state();
    memset(c->ymmh[15], 0x55, 16); /* not in the image outside 64-bit mode: kept */
    cr_assert_eq(run("xrstor [esi]"), -1);
    cr_assert_eq(memcmp(c->xmm, saved.xmm, 8 * 16), 0, "XMM restored");
    cr_assert_eq(memcmp(c->ymmh, saved.ymmh, 8 * 16), 0, "YMM upper halves restored");
    cr_assert_eq(c->ymmh[15][0], 0x55);
    cr_assert_eq(memcmp(c->fpr, saved.fpr, sizeof c->fpr), 0, "x87 registers restored");
    cr_assert_eq(c->fcw, saved.fcw);
    cr_assert_eq(c->fsw, saved.fsw);
    cr_assert_eq(c->mxcsr, saved.mxcsr);
    /* a partial request only touches its components */
    mem_fill(0xaa, 1024);
    c->gpr[R_AX] = 2;
    cr_assert_eq(run("xsaveopt [esi]"), -1);
    pgm_read(&vm->pgm, DATA_ADDR, area, sizeof area);
    cr_assert_eq(mem_q(0), 0xaaaaaaaaaaaaaaaaull, "x87 not saved");
    cr_assert_eq(mem_q(576), 0xaaaaaaaaaaaaaaaaull, "AVX not saved");
    cr_assert_eq(*(uint32_t *)(area + 24), c->mxcsr, "MXCSR saved with SSE");
    cr_assert_eq(memcmp(area + 160, c->xmm, 8 * 16), 0, "XMM0-7 saved");
    cr_assert_eq(mem_q(512) & 7, 2 | (0xaaaaaaaaaaaaaaaaull & 5), "XSTATE_BV: bit 1 set, others kept");
}

Test(sse, xrstor_init_and_header_checks)
{
    struct cpu *c = &vc->cpu;
    uint64_t hdr[8] = {0};
    xsave_on();
    cr_assert_eq(xsetbv(0, 7), -1);
    rnd_state();
    mem_fill(0, 1024);
    uint32_t mx = 0x1f80 | 0x4000;
    pgm_load(&vm->pgm, DATA_ADDR + 24, &mx, 4);
    c->gpr[R_AX] = 7, c->gpr[R_DX] = 0;
    cr_assert_eq(run("xrstor [esi]"), -1, "XSTATE_BV = 0: every component to its init state");
    for (unsigned i = 0; i < 8; i++) /* XMM8-15 exist only in 64-bit mode */
        for (unsigned j = 0; j < 16; j++)
            cr_assert(!c->ymmh[i][j] && !c->xmm[i][j]);
    cr_assert_eq(c->fcw, 0x37f);
    cr_assert_eq(c->ftw, 0xffff);
    cr_assert_eq(c->fsw, 0);
    cr_assert_eq(c->mxcsr, mx, "standard form loads MXCSR whatever XSTATE_BV says");
    hdr[0] = 8; /* a component not in XCR0 */
    pgm_load(&vm->pgm, DATA_ADDR + 512, hdr, sizeof hdr);
    cr_assert_eq(run("xrstor [esi]"), X_GP);
    hdr[0] = 3, hdr[2] = 1; /* bytes 23:16 */
    pgm_load(&vm->pgm, DATA_ADDR + 512, hdr, sizeof hdr);
    cr_assert_eq(run("xrstor [esi]"), X_GP);
    hdr[2] = 0;
    mx = 0x10000; /* reserved MXCSR bit */
    pgm_load(&vm->pgm, DATA_ADDR + 512, hdr, sizeof hdr);
    pgm_load(&vm->pgm, DATA_ADDR + 24, &mx, 4);
    cr_assert_eq(run("xrstor [esi]"), X_GP);
    c->gpr[R_AX] = 1; /* x87 only: MXCSR not loaded, no #GP */
    cr_assert_eq(run("xrstor [esi]"), -1);
    cr_assert_eq(run("xsave [esi+32]"), X_GP, "not 64-byte aligned: #GP(0)");
    c->cr0 |= CR0_TS;
    cr_assert_eq(run("xsave [esi]"), X_NM, "CR0.TS: #NM");
    cr_assert_eq(run("xgetbv"), -1, "XGETBV ignores CR0.TS");
    c->cr0 &= ~(uint64_t)CR0_TS;
}

Test(sse, xsavec_compacted)
{
    struct cpu *c = &vc->cpu, saved;
    xsave_on();
    cr_assert_eq(xsetbv(0, 7), -1);
    rnd_state();
    saved = *c;
    mem_fill(0xaa, 1024);
    c->gpr[R_AX] = 5, c->gpr[R_DX] = 0; /* x87 and AVX */
    cr_assert_eq(run("xsavec [esi]"), -1);
    cr_assert_eq(mem_q(512), 5, "XSTATE_BV");
    cr_assert_eq(mem_q(520), 0x8000000000000005ull, "XCOMP_BV: compacted, RFBM");
    for (unsigned o = 528; o < 576; o += 8)
        cr_assert_eq(mem_q(o), 0, "header byte %u zeroed", o);
    uint8_t y[16];
    pgm_read(&vm->pgm, DATA_ADDR + 576, y, 16);
    cr_assert_eq(memcmp(y, c->ymmh[0], 16), 0, "AVX is the first extended component: offset 576");
    cr_assert_eq(mem_q(160), 0xaaaaaaaaaaaaaaaaull, "SSE not requested: XMM not saved");
    cr_assert_eq(mem_q(24), 0xaaaaaaaaaaaaaaaaull, "nor MXCSR (compacted: MXCSR is SSE state)");
    rnd_state();
    c->gpr[R_AX] = 7;
    cr_assert_eq(run("xrstor [esi]"), -1);
    cr_assert_eq(memcmp(c->ymmh, saved.ymmh, 8 * 16), 0);
    cr_assert_eq(memcmp(c->fpr, saved.fpr, sizeof c->fpr), 0);
    for (unsigned i = 0; i < 8; i++)
        for (unsigned j = 0; j < 16; j++)
            cr_assert_eq(c->xmm[i][j], 0, "SSE not in XSTATE_BV: initialised");
    cr_assert_eq(c->mxcsr, 0x1f80, "compacted without SSE data: MXCSR initialised (as hardware does)");
    feat(CF_XSAVEC, false);
    cr_assert_eq(run("xsavec [esi]"), X_UD, "XSAVEC removed: #UD");
    cr_assert_eq(run("xrstor [esi]"), X_GP, "a compacted image without XSAVEC: #GP");
}

Test(sse, rdrand_rdseed_cache_hints)
{
    struct cpu *c = &vc->cpu;
    uint64_t seen = 0;
    for (unsigned i = 0; i < 4; i++) {
        cpu_set_flags(c, F_1 | F_ZF | F_OF | F_SF);
        cr_assert_eq(run(i & 1 ? "rdseed ecx" : "rdrand eax"), -1);
        cr_assert_eq(cpu_get_flags(c) & (F_ARITH), F_CF, "CF=1, OF SF ZF AF PF clear");
        seen |= c->gpr[i & 1 ? R_CX : R_AX];
    }
    cr_assert_neq(seen, 0);
    c->gpr[R_AX] = 0xdead0000u;
    cr_assert_eq(run("rdrand ax"), -1);
    cr_assert_eq(c->gpr[R_AX] >> 16, 0xdead, "16-bit form keeps the upper half");
    cr_assert_eq(run("clflushopt [esi]"), -1);
    cr_assert_eq(run("clwb [esi]"), -1);
    c->gpr[R_SI] = 0;
    feat(CF_RDRAND, false);
    cr_assert_eq(run("rdrand eax"), X_UD, "-rdrand: #UD");
    feat(CF_CLWB, false);
    cr_assert_eq(run("clwb [esi]"), X_UD);
}

/* Under --icount a value depends on the vCPU's instruction count only (a
 * run must not depend on the host's entropy): the same count gives the
 * same value, the next count another. */
Test(sse, rdrand_under_icount_follows_the_instruction_count)
{
    struct cpu *c = &vc->cpu;
    uint64_t v[3];
    clock_set_icount(vm_clock(vm), true, 0);
    for (unsigned i = 0; i < 3; i++) {
        vc->insns = 1000 + (i == 2);
        c->gpr[R_AX] = 0;
        cpu_set_flags(c, F_1 | F_ZF);
        cr_assert_eq(run("rdrand eax"), -1);
        cr_assert_eq(cpu_get_flags(c) & F_ARITH, F_CF);
        v[i] = c->gpr[R_AX];
    }
    cr_assert_eq(v[0], v[1], "the same instruction count: the same value");
    cr_assert_neq(v[1], v[2], "the next instruction count: another value");
    cr_assert_neq(v[0], 0);
}

Test(sse, removed_features_raise_ud)
{
    struct cpu *c = &vc->cpu;
    feat(CF_AES, false);
    cr_assert_eq(run("aesenc xmm0, xmm1"), X_UD);
    feat(CF_PCLMULQDQ, false);
    cr_assert_eq(run("pclmulqdq xmm0, xmm1, 0"), X_UD);
    feat(CF_SSE41, false);
    cr_assert_eq(run("ptest xmm0, xmm1"), X_UD);
    feat(CF_ABM, false); /* LZCNT without the feature is BSR */
    c->gpr[R_CX] = 0x100;
    cr_assert_eq(run("lzcnt eax, ecx"), -1);
    cr_assert_eq((uint32_t)c->gpr[R_AX], 8, "BSR result");
    c->feat_ready = 0; /* back to the model */
    cr_assert_eq(run("aesenc xmm0, xmm1"), -1);
}
