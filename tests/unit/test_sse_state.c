/*
 * SIMD faults and state (see test_sse.c for the differential tests, whose
 * VM setup and instruction list this file shares): #UD (CR0.EM,
 * CR4.OSFXSR), #NM (CR0.TS), #MF for MMX with a pending x87 error, #XM/#UD
 * for unmasked exceptions with the destination unchanged, #GP(0) for
 * misaligned aligned forms and reserved MXCSR bits, LDMXCSR/STMXCSR,
 * FXSAVE/FXRSTOR layout and round trip, MMX/x87 aliasing, EMMS, the string
 * MOVSD/CMPSD that share SSE2 mnemonics, the RCP/RSQRT error bound, and
 * MASKMOVDQU touching only the bytes it selects.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "testvm.h"
#include "vm/vm.h"

#include "sse_test.h"

#define vm (sse_t_vm())
#define vc (sse_t_vcpu())
#define load_code sse_t_load_code
#define rnd sse_t_rnd
#define CODE_ADDR 0x1000u
#define DATA_ADDR 0x8000u
#define HANDLER(vec) TESTVM_HANDLER(vec)

/* The tests belong to the "sse" suite of test_sse.c, whose init/fini build the VM. */

/* Runs one instruction from the list at CODE_ADDR; returns the vector it
 * raised (checking the pushed return address and error code) or -1. */
static int run1(const char *text, int64_t want_err)
{
    int vec = sse_t_run(text);
    if (vec < 0)
        return vec;
    uint32_t frame[2] = {0, 0};
    pgm_read(&vm->pgm, vc->cpu.gpr[R_SP], frame, sizeof frame);
    if (want_err >= 0) {
        cr_assert_eq(frame[0], (uint32_t)want_err, "%s: error code %#x", text, frame[0]);
        cr_assert_eq(frame[1], CODE_ADDR, "%s: return address %#x", text, frame[1]);
    } else {
        cr_assert_eq(frame[0], CODE_ADDR, "%s: return address %#x", text, frame[0]);
    }
    return vec;
}

Test(sse, ud_nm_rules)
{
    struct cpu *c = &vc->cpu;
    c->gpr[R_SI] = DATA_ADDR;
    c->cr4 &= ~(uint64_t)CR4_OSFXSR;
    cr_assert_eq(run1("addps xmm0, xmm1", -1), X_UD, "SSE without CR4.OSFXSR: #UD");
    cr_assert_eq(run1("ldmxcsr [esi]", -1), X_UD, "LDMXCSR without CR4.OSFXSR: #UD");
    cr_assert_eq(run1("paddb mm0, mm1", -1), -1, "MMX does not need CR4.OSFXSR");
    c->cr4 |= CR4_OSFXSR;
    c->cr0 |= CR0_EM;
    cr_assert_eq(run1("addps xmm0, xmm1", -1), X_UD, "SSE with CR0.EM: #UD");
    cr_assert_eq(run1("paddb mm0, mm1", -1), X_UD, "MMX with CR0.EM: #UD");
    cr_assert_eq(run1("fxsave [esi]", -1), X_NM, "FXSAVE with CR0.EM: #NM");
    c->cr0 &= ~(uint64_t)CR0_EM;
    c->cr0 |= CR0_TS;
    cr_assert_eq(run1("addps xmm0, xmm1", -1), X_NM, "SSE with CR0.TS: #NM");
    cr_assert_eq(run1("paddb mm0, mm1", -1), X_NM, "MMX with CR0.TS: #NM");
    cr_assert_eq(run1("emms", -1), X_NM, "EMMS with CR0.TS: #NM");
    cr_assert_eq(run1("stmxcsr [esi]", -1), X_NM, "STMXCSR with CR0.TS: #NM");
    cr_assert_eq(run1("fxrstor [esi]", -1), X_NM, "FXRSTOR with CR0.TS: #NM");
    cr_assert_eq(run1("sfence", -1), -1, "SFENCE ignores CR0.TS");
    c->cr0 &= ~(uint64_t)CR0_TS;
    c->fsw = 0x80; /* a pending x87 exception: the next MMX instruction takes #MF */
    cr_assert_eq(run1("paddb mm0, mm1", -1), X_MF, "MMX with FSW.ES: #MF");
    cr_assert_eq(run1("addps xmm0, xmm1", -1), -1, "SSE ignores FSW.ES");
    c->fsw = 0;
    cr_assert_eq(run1("lfence", -1), -1);
    cr_assert_eq(run1("mfence", -1), -1);
    cr_assert_eq(run1("clflush [esi]", -1), -1);
}

static void set_ps(unsigned r, float a, float b, float c, float d)
{
    float v[4] = {a, b, c, d};
    memcpy(vc->cpu.xmm[r], v, 16);
}

Test(sse, unmasked_exceptions_leave_the_destination)
{
    struct cpu *c = &vc->cpu;
    uint8_t before[16];
    set_ps(0, 1.0f, 2.0f, 3.0f, 4.0f);
    set_ps(1, 0.0f, 1.0f, 1.0f, 1.0f);
    memcpy(before, c->xmm[0], 16);
    c->mxcsr = 0x1f80 & ~0x200u; /* ZM clear */
    cr_assert_eq(run1("divps xmm0, xmm1", -1), X_XM, "unmasked divide by zero: #XM");
    cr_assert_eq(memcmp(before, c->xmm[0], 16), 0, "destination unchanged");
    cr_assert_eq(c->mxcsr & 0x3f, 0x04, "ZE set, nothing else (mxcsr %#x)", c->mxcsr);
    c->cr4 &= ~(uint64_t)CR4_OSXMMEXCPT;
    c->mxcsr = 0x1f80 & ~0x200u;
    cr_assert_eq(run1("divps xmm0, xmm1", -1), X_UD, "without CR4.OSXMMEXCPT: #UD");
    c->cr4 |= CR4_OSXMMEXCPT;
    /* pre-computation (ZE, unmasked) and post-computation (PE) in one op: only ZE */
    set_ps(1, 0.0f, 3.0f, 3.0f, 3.0f);
    c->mxcsr = 0x1f80 & ~0x200u;
    cr_assert_eq(run1("divps xmm0, xmm1", -1), X_XM);
    cr_assert_eq(c->mxcsr & 0x3f, 0x04, "post-computation flags dropped (mxcsr %#x)", c->mxcsr);
    /* masked ZE, unmasked PE: 1/3 is inexact */
    c->mxcsr = 0x1f80 & ~0x1000u;
    cr_assert_eq(run1("divps xmm0, xmm1", -1), X_XM, "unmasked precision: #XM");
    cr_assert_eq(c->mxcsr & 0x3f, 0x24, "ZE and PE set (mxcsr %#x)", c->mxcsr);
    cr_assert_eq(memcmp(before, c->xmm[0], 16), 0, "destination unchanged");
    /* SNaN with IM clear */
    uint32_t snan = 0x7f800001;
    memcpy(c->xmm[1], &snan, 4);
    c->mxcsr = 0x1f80 & ~0x80u;
    cr_assert_eq(run1("addps xmm0, xmm1", -1), X_XM, "SNaN with IM clear: #XM");
    cr_assert_eq(c->mxcsr & 1, 1, "IE set");
    /* all masked: completes, flags sticky */
    c->mxcsr = 0x1f80;
    cr_assert_eq(run1("addps xmm0, xmm1", -1), -1);
    uint32_t res;
    memcpy(&res, c->xmm[0], 4);
    cr_assert_eq(res, 0x7fc00001, "SNaN quieted: %#x", res);
    cr_assert_eq(c->mxcsr, 0x1f81);
}

Test(sse, alignment)
{
    struct cpu *c = &vc->cpu;
    c->gpr[R_SI] = DATA_ADDR + 8;
    cr_assert_eq(run1("movaps xmm2, [esi]", 0), X_GP, "misaligned MOVAPS: #GP(0)");
    cr_assert_eq(run1("addps xmm2, [esi]", 0), X_GP, "misaligned ADDPS m128: #GP(0)");
    cr_assert_eq(run1("movntdq [esi], xmm0", 0), X_GP, "misaligned MOVNTDQ: #GP(0)");
    cr_assert_eq(run1("fxsave [esi]", 0), X_GP, "misaligned FXSAVE: #GP(0)");
    cr_assert_eq(run1("fxrstor [esi]", 0), X_GP, "misaligned FXRSTOR: #GP(0)");
    cr_assert_eq(run1("movups xmm2, [esi]", -1), -1, "MOVUPS may be misaligned");
    cr_assert_eq(run1("addss xmm2, dword ptr [esi]", -1), -1, "scalar forms may be misaligned");
    c->gpr[R_SI] = DATA_ADDR + 16;
    cr_assert_eq(run1("movaps xmm2, [esi]", -1), -1);
    /* beyond RAM and the 4 GiB wrap are not faults without paging; a limit is */
    c->seg[S_DS].limit = DATA_ADDR + 20;
    cr_assert_eq(run1("movaps xmm2, [esi]", 0), X_GP, "past the DS limit: #GP(0)");
    c->seg[S_DS].limit = 0xffffffffu;
}

Test(sse, mxcsr_load_store)
{
    struct cpu *c = &vc->cpu;
    uint32_t val = 0x1f80 | 0x10000;
    c->gpr[R_SI] = DATA_ADDR;
    c->mxcsr = 0x1f80;
    pgm_load(&vm->pgm, DATA_ADDR, &val, 4);
    cr_assert_eq(run1("ldmxcsr [esi]", 0), X_GP, "reserved MXCSR bit: #GP(0)");
    cr_assert_eq(c->mxcsr, 0x1f80);
    val = 0xffff; /* every defined bit incl. DAZ and FTZ */
    pgm_load(&vm->pgm, DATA_ADDR, &val, 4);
    cr_assert_eq(run1("ldmxcsr [esi]", -1), -1);
    cr_assert_eq(c->mxcsr, 0xffff);
    c->mxcsr = 0x3f95;
    cr_assert_eq(run1("stmxcsr [esi]", -1), -1);
    pgm_read(&vm->pgm, DATA_ADDR, &val, 4);
    cr_assert_eq(val, 0x3f95);
    cr_assert_eq(run1("ldmxcsr [esi+0x100000]", -1), -1, "beyond RAM reads all ones... or zero");
}

Test(sse, fxsave_fxrstor)
{
    struct cpu *c = &vc->cpu;
    uint8_t img[512], img2[512];
    c->gpr[R_SI] = DATA_ADDR + 0x100;
    c->fcw = 0x037f;
    c->fsw = 0x2800 | 0x21; /* TOP = 5 */
    c->ftw = 0x0fff;        /* physical 6 and 7 non-empty */
    c->mxcsr = 0x9fc5;
    for (unsigned i = 0; i < 8; i++)
        for (unsigned j = 0; j < 16; j++)
            c->fpr[i][j] = j < 10 ? (uint8_t)(0x10 * i + j) : 0;
    c->fpr[6][7] = 0x80, c->fpr[6][9] = 0x3f; /* a normal value: tag valid */
    memset(c->fpr[7], 0, 10);                   /* zero: tag zero */
    for (unsigned i = 0; i < 16; i++)
        for (unsigned j = 0; j < 16; j++)
            c->xmm[i][j] = (uint8_t)(i * 16 + j + 1);
    memset(img, 0xcc, sizeof img);
    pgm_load(&vm->pgm, DATA_ADDR + 0x100, img, sizeof img);
    cr_assert_eq(run1("fxsave [esi]", -1), -1);
    pgm_read(&vm->pgm, DATA_ADDR + 0x100, img, sizeof img);
    uint16_t w;
    uint32_t d;
    memcpy(&w, img, 2); cr_assert_eq(w, 0x037f);
    memcpy(&w, img + 2, 2); cr_assert_eq(w, 0x2821);
    cr_assert_eq(img[4], 0xc0, "abridged tags %#x", img[4]);
    memcpy(&d, img + 24, 4); cr_assert_eq(d, 0x9fc5);
    memcpy(&d, img + 28, 4); cr_assert_eq(d, 0xffff, "MXCSR_MASK");
    cr_assert_eq(memcmp(img + 32, c->fpr[5], 10), 0, "ST0 is physical register TOP");
    cr_assert_eq(memcmp(img + 32 + 16 * 3, c->fpr[0], 10), 0, "ST3 wraps to physical 0");
    for (unsigned i = 0; i < 8; i++)
        cr_assert_eq(memcmp(img + 160 + 16 * i, c->xmm[i], 16), 0, "xmm%u", i);
    cr_assert_eq(img[288], 0xcc, "XMM8-15 are not stored outside 64-bit mode");
    /* scramble, then restore */
    memcpy(img2, img, sizeof img);
    c->fcw = 0x40, c->fsw = 0, c->ftw = 0xffff, c->mxcsr = 0x1f80;
    memset(c->fpr, 0x55, sizeof c->fpr);
    memset(c->xmm, 0xaa, 8 * 16);
    cr_assert_eq(run1("fxrstor [esi]", -1), -1);
    cr_assert_eq(c->fcw, 0x037f);
    cr_assert_eq(c->fsw, 0x2821);
    cr_assert_eq(c->mxcsr, 0x9fc5);
    cr_assert_eq(c->ftw, 0x4fff, "full tags rebuilt from contents: %#x", c->ftw); /* 6 valid, 7 zero */
    for (unsigned i = 0; i < 8; i++)
        cr_assert_eq(memcmp(img2 + 160 + 16 * i, c->xmm[i], 16), 0, "xmm%u", i);
    cr_assert_eq(memcmp(img2 + 32, c->fpr[5], 10), 0);
    /* a reserved MXCSR bit in the image: #GP(0), nothing loaded */
    d = 0x21f80;
    memcpy(img2 + 24, &d, 4);
    pgm_load(&vm->pgm, DATA_ADDR + 0x100, img2, sizeof img2);
    memset(c->xmm, 0xaa, 8 * 16);
    cr_assert_eq(run1("fxrstor [esi]", 0), X_GP);
    cr_assert_eq(c->xmm[0][0], 0xaa);
    cr_assert_eq(c->mxcsr, 0x9fc5);
}

Test(sse, mmx_x87_aliasing)
{
    struct cpu *c = &vc->cpu;
    c->ftw = 0xffff;
    c->fsw = 0x3800;
    c->gpr[R_AX] = 0x12345678;
    cr_assert_eq(run1("movd mm3, eax", -1), -1);
    cr_assert_eq(c->ftw, 0, "MMX: all tags valid");
    cr_assert_eq(c->fsw & 0x3800, 0, "MMX: TOP = 0");
    uint64_t lo;
    memcpy(&lo, c->fpr[3], 8);
    cr_assert_eq(lo, 0x12345678);
    cr_assert_eq(c->fpr[3][8], 0xff);
    cr_assert_eq(c->fpr[3][9], 0xff, "exponent field all ones");
    cr_assert_eq(run1("emms", -1), -1);
    cr_assert_eq(c->ftw, 0xffff, "EMMS: all empty");
    c->ftw = 0x5555;
    cr_assert_eq(run1("pxor xmm0, xmm1", -1), -1);
    cr_assert_eq(c->ftw, 0x5555, "SSE leaves the x87 tags");
}

Test(sse, string_movsd_cmpsd_still_work)
{
    struct cpu *c = &vc->cpu;
    uint32_t src = 0xdeadbeef, dst = 0;
    pgm_load(&vm->pgm, DATA_ADDR, &src, 4);
    pgm_load(&vm->pgm, DATA_ADDR + 0x40, &dst, 4);
    c->gpr[R_SI] = DATA_ADDR, c->gpr[R_DI] = DATA_ADDR + 0x40;
    cr_assert_eq(run1(".byte 0xa5", -1), -1);
    pgm_read(&vm->pgm, DATA_ADDR + 0x40, &dst, 4);
    cr_assert_eq(dst, 0xdeadbeef);
    cr_assert_eq(c->gpr[R_SI], DATA_ADDR + 4);
    c->gpr[R_SI] = DATA_ADDR, c->gpr[R_DI] = DATA_ADDR + 0x40;
    cr_assert_eq(run1(".byte 0xa7", -1), -1);
    cr_assert(cpu_get_flags(c) & F_ZF);
}

static double dabs(double x)
{
    return x < 0 ? -x : x;
}

/* RCP/RSQRT results are the host's; check the architectural error bound
 * (for RSQRT through r*r*x, whose error is at most 2e + e^2). */
Test(sse, rcp_rsqrt_error_bound)
{
    struct cpu *c = &vc->cpu;
    for (unsigned it = 0; it < 2000; it++) {
        float x[4], r[4];
        for (unsigned i = 0; i < 4; i++) {
            uint32_t b = (rnd() & 0x007fffff) | ((uint32_t)(64 + rnd() % 120) << 23);
            memcpy(&x[i], &b, 4);
        }
        memcpy(c->xmm[1], x, 16);
        c->mxcsr = 0x1f80;
        cr_assert_eq(run1("rcpps xmm0, xmm1", -1), -1);
        memcpy(r, c->xmm[0], 16);
        for (unsigned i = 0; i < 4; i++)
            cr_assert_leq(dabs((double)r[i] * x[i] - 1.0), 1.5 / 4096, "rcp(%g) = %g", x[i], r[i]);
        cr_assert_eq(run1("rsqrtps xmm0, xmm1", -1), -1);
        memcpy(r, c->xmm[0], 16);
        for (unsigned i = 0; i < 4; i++)
            cr_assert_leq(dabs((double)r[i] * r[i] * x[i] - 1.0), 2 * 1.5 / 4096 + 1.5 * 1.5 / 4096 / 4096, "rsqrt(%g) = %g", x[i], r[i]);
    }
}

/* Random encodings from the SIMD opcode maps (legacy prefixes 66/F2/F3,
 * maps 0F, 0F 38, 0F 3A, random ModRM/SIB/displacement/immediate) under
 * random CR0.EM/TS, CR4.OSFXSR/OSXMMEXCPT and MXCSR (exceptions unmasked
 * too): whatever they do, the interpreter must not fail internally. */
Test(sse, random_encodings_never_fail_internally)
{
    static const uint8_t prefixes[] = {0x00, 0x66, 0xf2, 0xf3};
    struct cpu *c = &vc->cpu;
    uint64_t cr0 = c->cr0, cr4 = c->cr4;
    for (unsigned it = 0; it < 40000; it++) {
        uint8_t code[16];
        unsigned n = 0, map = rnd() % 4, pfx = prefixes[rnd() % 4];
        if (pfx) /* drawn once: a second draw could put 00 (ADD) before the 0F */
            code[n++] = (uint8_t)pfx;
        code[n++] = 0x0f;
        if (map == 1)
            code[n++] = 0x38;
        else if (map == 2)
            code[n++] = 0x3a;
        code[n++] = (uint8_t)rnd();
        while (n < sizeof code)
            code[n++] = (uint8_t)(rnd() % 3 ? rnd() : 0);
        c->cr0 = (cr0 & ~(uint64_t)(CR0_EM | CR0_TS)) | ((rnd() % 8) ? 0 : CR0_EM) | ((rnd() % 8) ? 0 : CR0_TS);
        c->cr4 = (cr4 & ~(uint64_t)(CR4_OSFXSR | CR4_OSXMMEXCPT)) | ((rnd() % 8) ? CR4_OSFXSR : 0) |
                 ((rnd() % 2) ? CR4_OSXMMEXCPT : 0);
        c->mxcsr = rnd() & 0xffff;
        c->fsw = (rnd() % 8) ? 0 : 0x80;
        for (unsigned i = 0; i < 8; i++)
            c->gpr[i] = (rnd() & 1) ? 0x8000 + (rnd() & 0xfff) : rnd();
        c->gpr[R_SP] = 0x7000;
        for (unsigned i = 0; i < 16; i++)
            for (unsigned j = 0; j < 16; j += 4) {
                uint32_t x = rnd();
                memcpy(&c->xmm[i][j], &x, 4);
            }
        load_code(code, sizeof code);
        c->rip = CODE_ADDR;
        c->halted = false;
        int rc = iem_exec(vc, 1);
        cr_assert_geq(rc, 0, "iem_exec %d on %02x %02x %02x %02x %02x %02x", rc, code[0], code[1], code[2], code[3],
                      code[4], code[5]);
        c->cr0 = cr0, c->cr4 = cr4;
    }
}

/* An MMIO page that logs every access: MASKMOVDQU/MASKMOVQ touch only the
 * bytes their mask selects (no read-merge-write of the others). */
struct mmio_log {
    unsigned reads, writes;
    uint64_t off[32], val[32];
};

static uint64_t log_read(void *opaque, uint64_t off, unsigned size)
{
    (void)off, (void)size;
    ((struct mmio_log *)opaque)->reads++;
    return 0;
}

static void log_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct mmio_log *l = opaque;
    cr_assert_eq(size, 1, "one byte at a time");
    if (l->writes < 32)
        l->off[l->writes] = off, l->val[l->writes] = val;
    l->writes++;
}

Test(sse, maskmov_touches_only_selected_bytes)
{
    static const struct io_ops ops = {log_read, log_write};
    static struct mmio_log log;
    struct cpu *c = &vc->cpu;
    cr_assert_eq(pgm_map_mmio(&vm->pgm, 0xd0000000u, 0x1000, &ops, &log, "log"), 0);
    for (unsigned i = 0; i < 16; i++)
        c->xmm[0][i] = (uint8_t)(0xa0 + i), c->xmm[1][i] = (i == 3 || i == 12) ? 0x80 : 0x7f;
    c->gpr[R_DI] = 0xd0000010u;
    cr_assert_eq(run1("maskmovdqu xmm0, xmm1", -1), -1);
    cr_assert_eq(log.reads, 0, "no read of the destination");
    cr_assert_eq(log.writes, 2, "only the two selected bytes are written");
    cr_assert(log.off[0] == 0x13 && log.val[0] == 0xa3 && log.off[1] == 0x1c && log.val[1] == 0xac);
    log.reads = log.writes = 0;
    memset(c->xmm[1], 0, 16);
    cr_assert_eq(run1("maskmovdqu xmm0, xmm1", -1), -1);
    cr_assert_eq(log.reads + log.writes, 0, "a zero mask touches nothing");
}
