/*
 * AVX faults and state (part of the "sse" suite of test_sse.c, whose VM and
 * instruction list it shares; the differential tests are in test_sse.c):
 * the VEX #UD/#NM rules (CR4.OSXSAVE, XCR0, CR0.TS; CR0.EM and CR4.OSFXSR
 * do not apply), encodings the decoder must refuse (VEX.vvvv without a vvvv
 * operand, VEX.L=1 for an L0-only instruction, 66/F2/F3/LOCK before VEX),
 * VEX.128 zeroing bits 255:128 where legacy SSE keeps them, the alignment
 * of VMOVAPS/VMOVNTxx and its absence elsewhere, VZEROUPPER outside 64-bit
 * mode, masked moves whose masked-off elements sit on an unmapped page, and
 * gathers: a page fault mid-way leaves the completed elements loaded and
 * their mask bits clear, the restart finishes, and overlapping registers #UD.
 * Last, a sweep of every VEX encoding of the AVX, AVX2, FMA, F16C and
 * VEX AES/PCLMULQDQ ISA sets (map, W, L, pp, opcode, register and [rsi]
 * forms) runs each natively and in IEM on random inputs.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include <Zydis/Zydis.h>
#include <stdio.h>

#include "cpu/cpufeat.h"
#include "vm/vm.h"

#include "sse_test.h"

#define vm (sse_t_vm())
#define vc (sse_t_vcpu())
#define CODE_ADDR 0x1000u
#define DATA_ADDR 0x8000u
#define HOLE 0x9000u /* the page paging_on() leaves unmapped */
#define HANDLER(vec) (0x2000u + 16u * (vec))

#define run_bytes sse_t_run_bytes
#define run sse_t_run

static bool avx_on(void)
{
    if (!iem_feat(vc, CF_AVX2) || !iem_feat(vc, CF_AVX)) {
        cr_skip_test("SKIP: the host lacks AVX2, so the model does not offer it");
        return false;
    }
    vc->cpu.cr4 |= CR4_OSXSAVE;
    vc->cpu.xcr0 = 7;
    vc->cpu.gpr[R_SI] = DATA_ADDR;
    return true;
}

/* 4 KiB pages identity-mapping the first 4 MiB, except page HOLE. */
static void paging_on(bool hole)
{
    uint32_t pde = 0x21000 | 3;
    pgm_load(&vm->pgm, 0x20000, &pde, 4);
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t pte = (i << 12) | 3;
        if (hole && (i << 12) == HOLE)
            pte = 0;
        pgm_load(&vm->pgm, 0x21000 + 4 * i, &pte, 4);
    }
    vc->cpu.cr3 = 0x20000;
    vc->cpu.cr0 |= CR0_PG;
    iem_flush(vc);
}

static void fill(unsigned r, uint8_t lo, uint8_t hi)
{
    memset(vc->cpu.xmm[r], lo, 16);
    memset(vc->cpu.ymmh[r], hi, 16);
}

Test(sse, avx_ud_nm_rules)
{
    struct cpu *c = &vc->cpu;
    if (!avx_on())
        return;
    c->cr4 &= ~(uint64_t)CR4_OSXSAVE;
    cr_assert_eq(run("vaddps ymm0, ymm1, ymm2"), X_UD, "CR4.OSXSAVE clear: #UD");
    cr_assert_eq(run("vaddps xmm0, xmm1, xmm2"), X_UD, "the 128-bit form too");
    c->cr4 |= CR4_OSXSAVE;
    c->xcr0 = 3;
    cr_assert_eq(run("vaddps xmm0, xmm1, xmm2"), X_UD, "XCR0 without the YMM state: #UD");
    cr_assert_eq(run("vpaddb xmm0, xmm1, xmm2"), X_UD);
    c->xcr0 = 7;
    c->cr0 |= CR0_TS;
    cr_assert_eq(run("vaddps ymm0, ymm1, ymm2"), X_NM, "CR0.TS: #NM");
    cr_assert_eq(run("vzeroupper"), X_NM);
    c->cr0 &= ~(uint64_t)CR0_TS;
    c->cr0 |= CR0_EM;
    c->cr4 &= ~(uint64_t)CR4_OSFXSR;
    cr_assert_eq(run("vaddps ymm0, ymm1, ymm2"), -1, "CR0.EM and CR4.OSFXSR do not apply to VEX");
    cr_assert_eq(run("vfmadd231ps ymm3, ymm4, ymm5"), -1);
    c->cr0 &= ~(uint64_t)CR0_EM;
    c->cr4 |= CR4_OSFXSR;
}

Test(sse, avx_bad_encodings)
{
    static const uint8_t vvvv[] = {0xc5, 0xc0, 0x28, 0xc1};       /* vmovaps xmm0, xmm1 with vvvv = 7 */
    static const uint8_t lbit[] = {0xc5, 0xfd, 0x6e, 0xc0};       /* vmovd with VEX.L = 1 */
    static const uint8_t p66[] = {0x66, 0xc5, 0xf8, 0x28, 0xc1}; /* 66 before VEX */
    static const uint8_t pf3[] = {0xf3, 0xc5, 0xf8, 0x28, 0xc1};
    static const uint8_t pf2[] = {0xf2, 0xc5, 0xf8, 0x28, 0xc1};
    static const uint8_t lock[] = {0xf0, 0xc5, 0xf8, 0x58, 0x06}; /* LOCK vaddps xmm0, xmm0, [esi] */
    static const uint8_t ok[] = {0xc5, 0xf8, 0x28, 0xc1};
    if (!avx_on())
        return;
    cr_assert_eq(run_bytes(ok, sizeof ok), -1, "the valid encoding runs");
    cr_assert_eq(run_bytes(vvvv, sizeof vvvv), X_UD, "VEX.vvvv != 1111b without a vvvv operand: #UD");
    cr_assert_eq(run_bytes(lbit, sizeof lbit), X_UD, "VEX.L=1 where only L0 exists: #UD");
    cr_assert_eq(run_bytes(p66, sizeof p66), X_UD, "66 before VEX: #UD");
    cr_assert_eq(run_bytes(pf3, sizeof pf3), X_UD, "F3 before VEX: #UD");
    cr_assert_eq(run_bytes(pf2, sizeof pf2), X_UD, "F2 before VEX: #UD");
    cr_assert_eq(run_bytes(lock, sizeof lock), X_UD, "LOCK before VEX: #UD");
}


/* VEX is not recognised in real-address and virtual-8086 mode: every VEX
 * instruction (AVX and the VEX-encoded BMI alike) raises #UD there, whatever
 * CR4.OSXSAVE and XCR0 say (SDM vol. 2, 2.8). */
Test(sse, avx_vex_ud_in_real_mode)
{
    static const uint8_t vaddps[] = {0xc5, 0xf4, 0x58, 0xc2}; /* vaddps ymm0, ymm1, ymm2 */
    static const uint8_t andn[] = {0xc4, 0xe2, 0x70, 0xf2, 0xc2}; /* andn eax, ecx, edx */
    struct cpu *c = &vc->cpu;
    if (!avx_on())
        return;
    c->cr0 &= ~(uint64_t)CR0_PE;
    for (unsigned s = 0; s < 6; s++)
        c->seg[s] = (struct cpu_seg){.sel = 0, .base = 0, .limit = 0xffff, .attr = s == S_CS ? 0x9b : 0x93};
    c->idtr.base = 0;
    c->idtr.limit = 0x3ff;
    uint32_t ivt = HANDLER(X_UD); /* segment 0 */
    cr_assert_eq(pgm_load(&vm->pgm, X_UD * 4, &ivt, 4), 0);
    cr_assert_eq(run_bytes(vaddps, sizeof vaddps), X_UD, "AVX in real mode: #UD");
    cr_assert_eq(run_bytes(andn, sizeof andn), X_UD, "BMI in real mode: #UD");
}
Test(sse, avx_upper_half_rules)
{
    struct cpu *c = &vc->cpu;
    static const uint8_t zero[16];
    if (!avx_on())
        return;
    fill(0, 0x11, 0x5a);
    cr_assert_eq(run("addps xmm0, xmm1"), -1);
    cr_assert_eq(c->ymmh[0][7], 0x5a, "legacy SSE keeps bits 255:128");
    cr_assert_eq(run("vaddps xmm0, xmm1, xmm2"), -1);
    cr_assert_eq(memcmp(c->ymmh[0], zero, 16), 0, "VEX.128 zeroes bits 255:128");
    fill(0, 0x22, 0x6b);
    cr_assert_eq(run("vmovss xmm0, dword ptr [esi]"), -1);
    cr_assert_eq(memcmp(c->ymmh[0], zero, 16), 0, "a VEX scalar load too");
    fill(0, 0x11, 0x7c);
    cr_assert_eq(run("vpextrb eax, xmm1, 3"), -1, "a GPR destination leaves the YMM registers");
    cr_assert_eq(c->ymmh[0][0], 0x7c);
    fill(3, 0x33, 0x7d);
    cr_assert_eq(run("vcomiss xmm0, xmm1"), -1);
    cr_assert_eq(run("vextractf128 xmm0, ymm1, 1"), -1);
    cr_assert_eq(memcmp(c->ymmh[0], zero, 16), 0);
    for (unsigned r = 0; r < 16; r++)
        fill(r, (uint8_t)r, 0xee);
    cr_assert_eq(run("vzeroupper"), -1);
    for (unsigned r = 0; r < 16; r++) {
        cr_assert_eq(c->xmm[r][0], r, "VZEROUPPER keeps bits 127:0");
        cr_assert_eq(c->ymmh[r][0], r < 8 ? 0 : 0xee, "YMM%u: only YMM0-7 outside 64-bit mode", r);
    }
    cr_assert_eq(run("vzeroall"), -1);
    cr_assert_eq(c->xmm[7][0], 0);
    cr_assert_eq(c->xmm[8][0], 8);
}

Test(sse, avx_alignment)
{
    struct cpu *c = &vc->cpu;
    if (!avx_on())
        return;
    c->gpr[R_SI] = DATA_ADDR + 16;
    cr_assert_eq(run("vmovaps ymm2, [esi]"), X_GP, "VMOVAPS ymm: 32-byte alignment");
    cr_assert_eq(run("vmovaps [esi], ymm3"), X_GP);
    cr_assert_eq(run("vmovntdq [esi], ymm2"), X_GP, "VMOVNTDQ ymm: 32-byte alignment");
    cr_assert_eq(run("vmovntdqa ymm0, [esi]"), X_GP);
    cr_assert_eq(run("vmovaps xmm2, [esi+16]"), -1, "VMOVAPS xmm at 16: fine");
    c->gpr[R_SI] = DATA_ADDR + 8;
    cr_assert_eq(run("vmovaps xmm2, [esi+16]"), X_GP, "VMOVAPS xmm: 16-byte alignment");
    cr_assert_eq(run("vmovdqa [esi+16], xmm3"), X_GP);
    c->gpr[R_SI] = DATA_ADDR + 1;
    cr_assert_eq(run("vaddps xmm3, xmm4, [esi]"), -1, "other VEX memory operands need no alignment");
    cr_assert_eq(run("vpaddb ymm5, ymm6, [esi]"), -1);
    cr_assert_eq(run("vmovdqu ymm0, [esi+3]"), -1);
    cr_assert_eq(run("vpshufb xmm3, xmm4, [esi]"), -1);
}

Test(sse, avx_masked_moves_skip_masked_off_faults)
{
    struct cpu *c = &vc->cpu;
    uint8_t page[32], back[32];
    if (!avx_on())
        return;
    paging_on(true);
    for (unsigned i = 0; i < 32; i++)
        page[i] = (uint8_t)(0xa0 + i);
    pgm_load(&vm->pgm, HOLE - 16, page, 16);
    c->gpr[R_SI] = HOLE - 16; /* elements 0-3 mapped, 4-7 on the hole */
    memset(c->xmm[1], 0, 16), memset(c->ymmh[1], 0, 16);
    for (unsigned i = 0; i < 4; i++)
        c->xmm[1][4 * i + 3] = 0x80; /* select elements 0-3 */
    fill(0, 0x55, 0x55);
    cr_assert_eq(run("vmaskmovps ymm0, ymm1, [esi]"), -1, "masked-off elements on the hole do not fault");
    cr_assert_eq(memcmp(c->xmm[0], page, 16), 0);
    cr_assert_eq(c->ymmh[0][0], 0, "masked-off elements load as zero");
    c->ymmh[1][7] = 0x80; /* element 5: on the hole */
    cr_assert_eq(run("vmaskmovps ymm0, ymm1, [esi]"), X_PF, "a selected element on the hole faults");
    cr_assert_eq(c->cr2, HOLE + 4);
    fill(2, 0x77, 0x77);
    cr_assert_eq(run("vmaskmovps [esi], ymm1, ymm2"), X_PF, "a masked store faults before writing");
    pgm_read(&vm->pgm, HOLE - 16, back, 16);
    cr_assert_eq(memcmp(back, page, 16), 0, "nothing stored");
    c->ymmh[1][7] = 0;
    cr_assert_eq(run("vmaskmovps [esi], ymm1, ymm2"), -1);
    pgm_read(&vm->pgm, HOLE - 16, back, 16);
    cr_assert_eq(back[0], 0x77);
    cr_assert_eq(run("vpmaskmovd [esi], xmm1, xmm2"), -1, "AVX2 VPMASKMOVD the same");
}

Test(sse, avx2_gather_fault_and_restart)
{
    /* vgatherdps ymm0, [esi+ymm1*4], ymm2 */
    static const uint8_t gather[] = {0xc4, 0xe2, 0x6d, 0x92, 0x04, 0x8e};
    static const uint8_t overlap_idx[] = {0xc4, 0xe2, 0x6d, 0x92, 0x04, 0x86}; /* index ymm0 = destination */
    static const uint8_t overlap_mask[] = {0xc4, 0xe2, 0x7d, 0x92, 0x04, 0x8e}; /* mask ymm0 = destination */
    /* vpgatherqq ymm3, [esi+ymm4*8], ymm5 */
    static const uint8_t gatherq[] = {0xc4, 0xe2, 0xd5, 0x91, 0x1c, 0xe6};
    struct cpu *c = &vc->cpu;
    uint32_t vals[16];
    if (!avx_on())
        return;
    paging_on(true);
    for (unsigned i = 0; i < 16; i++)
        vals[i] = 0x1000 * i + 0x42;
    pgm_load(&vm->pgm, HOLE - 16, vals, 16);
    c->gpr[R_SI] = HOLE - 16;
    /* index i: elements 0-3 before the hole, 4-7 on it */
    for (uint32_t i = 0; i < 8; i++)
        memcpy(i < 4 ? &c->xmm[1][4 * i] : &c->ymmh[1][4 * (i - 4)], &i, 4);
    fill(0, 0xcc, 0xcc);
    fill(2, 0xff, 0xff); /* every element selected */
    cr_assert_eq(run_bytes(overlap_idx, sizeof overlap_idx), X_UD, "index = destination: #UD");
    cr_assert_eq(run_bytes(overlap_mask, sizeof overlap_mask), X_UD, "mask = destination: #UD");
    cr_assert_eq(run_bytes(gather, sizeof gather), X_PF, "element 4 is on the hole");
    cr_assert_eq(c->cr2, HOLE);
    for (unsigned i = 0; i < 4; i++) {
        uint32_t d, m;
        memcpy(&d, &c->xmm[0][4 * i], 4);
        memcpy(&m, &c->xmm[2][4 * i], 4);
        cr_assert_eq(d, vals[i], "element %u gathered before the fault", i);
        cr_assert_eq(m, 0, "and its mask element cleared");
    }
    cr_assert_eq(c->ymmh[2][3], 0xff, "the elements not reached keep their mask");
    cr_assert_eq(c->ymmh[0][0], 0xcc, "and their destination");
    paging_on(false); /* the page appears */
    pgm_load(&vm->pgm, HOLE, vals + 4, 16);
    cr_assert_eq(run_bytes(gather, sizeof gather), -1, "the restart completes");
    for (unsigned i = 0; i < 8; i++) {
        uint32_t d;
        memcpy(&d, i < 4 ? &c->xmm[0][4 * i] : &c->ymmh[0][4 * (i - 4)], 4);
        cr_assert_eq(d, vals[i], "element %u", i);
    }
    cr_assert_eq(c->xmm[2][15] | c->ymmh[2][15], 0, "the mask is all clear");
    /* qword indices, one element masked off (it keeps the old destination) */
    memset(c->xmm[4], 0, 16), memset(c->ymmh[4], 0, 16);
    c->xmm[4][8] = 1, c->ymmh[4][0] = 2, c->ymmh[4][8] = 3;
    fill(3, 0x99, 0x99);
    fill(5, 0x80, 0x80);
    c->xmm[5][15] = 0; /* element 1 masked off */
    cr_assert_eq(run_bytes(gatherq, sizeof gatherq), -1);
    cr_assert_eq(c->xmm[3][0], vals[0] & 0xff);
    cr_assert_eq(c->xmm[3][8], 0x99, "masked-off element unchanged");
    cr_assert_eq(c->ymmh[3][0], vals[4] & 0xff);
    cr_assert_eq(c->xmm[5][7] | c->xmm[5][15] | c->ymmh[5][7] | c->ymmh[5][15], 0);
}

static void fill_f32(unsigned r, float lo, float hi)
{
    for (unsigned i = 0; i < 4; i++) {
        memcpy(&vc->cpu.xmm[r][4 * i], &lo, 4);
        memcpy(&vc->cpu.ymmh[r][4 * i], &hi, 4);
    }
}

/* An unmasked exception in either lane: #XM (or #UD without
 * CR4.OSXMMEXCPT), the flag in MXCSR, the destination untouched. */
Test(sse, avx_unmasked_exceptions)
{
    struct cpu *c = &vc->cpu;
    uint8_t before[2][16];
    if (!avx_on())
        return;
    fill_f32(0, 7.0f, 7.0f);
    fill_f32(1, 1.0f, 1.0f);
    fill_f32(2, 2.0f, 0.0f); /* the high lane divides by zero */
    memcpy(before[0], c->xmm[0], 16), memcpy(before[1], c->ymmh[0], 16);
    c->mxcsr = 0x1f80 & ~0x200u; /* ZE unmasked */
    cr_assert_eq(run("vdivps ymm0, ymm1, ymm2"), X_XM, "divide by zero in the high lane: #XM");
    cr_assert(c->mxcsr & 0x4, "MXCSR.ZE set");
    cr_assert_eq(memcmp(c->xmm[0], before[0], 16) | memcmp(c->ymmh[0], before[1], 16), 0,
                 "neither lane of the destination written");
    fill_f32(1, 1.0f, 0.0f);
    fill_f32(2, 0.0f, 0.0f); /* low lane: 1/0 (ZE, unmasked); high lane: 0/0 (IE, masked) */
    c->mxcsr = 0x1f80 & ~0x200u;
    cr_assert_eq(run("vdivps ymm0, ymm1, ymm2"), X_XM, "divide by zero in the low lane: #XM");
    cr_assert_eq(c->mxcsr & 0x3f, 0x5, "both lanes' flags recorded (ZE and IE)");
    cr_assert_eq(memcmp(c->xmm[0], before[0], 16) | memcmp(c->ymmh[0], before[1], 16), 0);
    fill_f32(1, 1.0f, 1.0f);
    fill_f32(2, 2.0f, 0.0f);
    c->cr4 &= ~(uint64_t)CR4_OSXMMEXCPT;
    cr_assert_eq(run("vdivps ymm0, ymm1, ymm2"), X_UD, "without CR4.OSXMMEXCPT: #UD");
    c->cr4 |= CR4_OSXMMEXCPT;
    c->mxcsr = 0x1f80;
    cr_assert_eq(run("vdivps ymm0, ymm1, ymm2"), -1, "masked: the default result");
    cr_assert_eq(c->ymmh[0][3], 0x7f, "+inf in the high lane");
    fill_f32(3, 5.0f, 5.0f);
    fill_f32(4, 0.0f, 0.0f);
    fill_f32(5, __builtin_inff(), 1.0f);
    memcpy(before[0], c->xmm[3], 16);
    c->mxcsr = 0x1f80 & ~0x80u; /* IE unmasked */
    cr_assert_eq(run("vfmadd231ps ymm3, ymm4, ymm5"), X_XM, "FMA 0 * inf: invalid, #XM");
    cr_assert(c->mxcsr & 0x1, "MXCSR.IE set");
    cr_assert_eq(memcmp(c->xmm[3], before[0], 16), 0);
    c->mxcsr = 0x1f80;
}

/* VCVTPS2PH to memory: a faulting store changes neither memory nor MXCSR. */
Test(sse, f16c_store_fault_keeps_mxcsr)
{
    struct cpu *c = &vc->cpu;
    if (!avx_on())
        return;
    paging_on(true);
    fill_f32(1, 0.1f, 0.1f); /* inexact in half precision */
    c->mxcsr = 0x1f80;
    c->gpr[R_SI] = HOLE;
    cr_assert_eq(run("vcvtps2ph qword ptr [esi], xmm1, 0"), X_PF);
    cr_assert_eq(c->mxcsr, 0x1f80, "no flag from a store that faulted");
    c->gpr[R_SI] = DATA_ADDR;
    cr_assert_eq(run("vcvtps2ph qword ptr [esi], xmm1, 0"), -1);
    cr_assert_eq(c->mxcsr, 0x1f80 | 0x20, "PE once the store is done");
}

/* A GPR operand the native harness cannot give the instruction (its stack
 * and frame registers). */
static bool uses_sp_bp(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo)
{
    for (unsigned i = 0; i < zi->operand_count; i++) {
        ZydisRegister r = zo[i].type == ZYDIS_OPERAND_TYPE_REGISTER ? zo[i].reg.value : ZYDIS_REGISTER_NONE;
        ZydisRegister l = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
        if (l == ZYDIS_REGISTER_RSP || l == ZYDIS_REGISTER_RBP)
            return true;
    }
    return false;
}

static bool swept_isa(ZydisISASet s)
{
    return s == ZYDIS_ISA_SET_AVX || s == ZYDIS_ISA_SET_AVX2 || s == ZYDIS_ISA_SET_AVX2GATHER ||
           s == ZYDIS_ISA_SET_FMA || s == ZYDIS_ISA_SET_F16C || s == ZYDIS_ISA_SET_AVXAES;
}

Test(sse, avx_every_vex_encoding, .timeout = 900)
{
    ZydisDecoder dec;
    unsigned n = 0;
    if (!avx_on())
        return;
    sse_t_avx64_mode();
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    for (unsigned enc = 0; enc < 3u * 2 * 2 * 4 * 256 * 4 * 2 * 2; enc++) {
        static const uint8_t regs[4] = {0, 3, 6, 7}; /* ModRM.reg: never RSP/RBP as a GPR */
        unsigned e = enc, vv = e % 2, mem = (e /= 2) % 2, reg = regs[(e /= 2) % 4], op = (e /= 4) % 256;
        unsigned pp = (e /= 256) % 4, l = (e /= 4) % 2, w = (e /= 2) % 2, map = (e /= 2) % 3 + 1;
        uint8_t b[15] = {0xc4, (uint8_t)(0xe0 | map), (uint8_t)(w << 7 | (vv ? 0x30 : 0x78) | l << 2 | pp),
                         (uint8_t)op, (uint8_t)(mem ? reg << 3 | 6 : 0xc0 | reg << 3 | 1), 0x25, 0x10};
        ZydisDecodedInstruction zi;
        ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
        if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, b, sizeof b, &zi, zo)) || !swept_isa(zi.meta.isa_set))
            continue;
        if (zi.mnemonic == ZYDIS_MNEMONIC_VLDMXCSR || uses_sp_bp(&zi, zo))
            continue; /* random MXCSR values #GP natively; RSP/RBP belong to the harness */
        if (zi.meta.isa_set == ZYDIS_ISA_SET_AVX2GATHER)
            continue; /* no VSIB in these forms; gathers: avx2_gather_fault_and_restart */
        char text[96];
        snprintf(text, sizeof text, "%s (c4 %02x %02x %02x %02x %02x)", ZydisMnemonicGetString(zi.mnemonic), b[1], b[2],
                 b[3], b[4], b[5]);
        struct sse_tcase t = {text, b, b + zi.length, 0};
        sse_t_diff_avx64(&t, 20);
        n++;
    }
    printf("avx_every_vex_encoding: %u encodings\n", n);
    cr_assert_gt(n, 1000);
}

/* Random VEX encodings (C4 and C5 forms, any map, W, L, pp, vvvv, ModRM,
 * SIB, displacement and immediate, gathers' VSIB included) with the AVX
 * state on, in 32- and 64-bit mode, CR0.TS now and then: whatever the
 * guest-chosen register numbers, selectors and indices, the interpreter
 * answers with an exception or a result, never an internal failure (and,
 * under ASan, never an access outside its own state). */
Test(sse, avx_random_vex_never_fails_internally)
{
    struct cpu *c = &vc->cpu;
    if (!avx_on())
        return;
    for (unsigned mode = 0; mode < 2; mode++) {
        if (mode)
            sse_t_avx64_mode();
        uint64_t cr0 = c->cr0;
        for (unsigned it = 0; it < 20000; it++) {
            uint8_t code[16];
            unsigned n = 0;
            if (sse_t_rnd() % 2) {
                code[n++] = 0xc4;
                code[n++] = (uint8_t)((sse_t_rnd() & 0xe0) | (sse_t_rnd() % 3 + 1));
            } else {
                code[n++] = 0xc5;
            }
            code[n++] = (uint8_t)sse_t_rnd();
            if (!mode) /* outside 64-bit mode, VEX needs ModRM.mod = 11 in its first byte's place */
                code[1] |= 0xc0;
            while (n < sizeof code)
                code[n++] = (uint8_t)(sse_t_rnd() % 3 ? sse_t_rnd() : 0);
            c->cr0 = (cr0 & ~(uint64_t)CR0_TS) | ((sse_t_rnd() % 16) ? 0 : CR0_TS);
            c->mxcsr = sse_t_rnd() & 0xffff;
            for (unsigned i = 0; i < 8; i++)
                c->gpr[i] = (sse_t_rnd() & 1) ? DATA_ADDR + (sse_t_rnd() & 0xfff) : sse_t_rnd();
            for (unsigned i = 0; i < 16; i++)
                for (unsigned j = 0; j < 16; j += 4) {
                    uint32_t x = sse_t_rnd(), y = sse_t_rnd();
                    memcpy(&c->xmm[i][j], &x, 4);
                    memcpy(&c->ymmh[i][j], &y, 4);
                }
            c->gpr[R_SP] = 0x7000;
            sse_t_load_code(code, sizeof code);
            c->rip = CODE_ADDR;
            c->halted = false;
            int rc = iem_exec(vc, 1);
            cr_assert_geq(rc, 0, "iem_exec %d on %02x %02x %02x %02x %02x %02x (mode %u)", rc, code[0], code[1],
                          code[2], code[3], code[4], code[5], mode);
        }
        c->cr0 = cr0;
    }
}
