/*
 * x87 differential tests (src/cpu/iem_x87.c, fpu_host.c, fpu_env.c).
 *
 * The same byte sequence
 *     mov ah,[esi+7e]; sahf; frstor [esi]; <insn>; lahf; mov [esi+7f],ah;
 *     fnsave [esi+80h]
 * runs natively on the host (64-bit, rsi = buffer) and in the interpreter
 * (32-bit flat protected mode, esi = buffer); the input image holds a random
 * control word (every RC x PC, random masks), random TOP, tags and register
 * contents (normals near rounding boundaries, zeros, infinities, QNaN/SNaN,
 * denormals, pseudo-denormals, unnormals, pseudo-NaN/infinity, extremes),
 * and a random memory operand at [esi+70h]. The output images (control,
 * status and tag words, the registers), the stored memory operand and the
 * flags must agree bit for bit; the interpreter's instruction/data pointers
 * and opcode must be those of <insn>. Every x87 register and memory encoding
 * the decoder accepts is covered, except the environment and control ones,
 * which have directed tests below.
 *
 * The expected values follow the host: pcvm runs every computational x87
 * instruction as that instruction on the host's x87 (src/cpu/fpu_host.c),
 * so what the SDM leaves to the implementation comes out of the same unit
 * on both sides: the precision of FSIN/FCOS/FSINCOS/FPTAN/FPATAN/F2XM1/
 * FYL2X/FYL2XP1 (Intel and AMD differ in the last bits), the condition
 * codes the SDM calls undefined after arithmetic (C0/C2/C3), and how
 * unsupported formats (pseudo-NaN, unnormal, pseudo-denormal) are treated.
 * An emulated x87 could not pass this on both vendors. pcvm's own code is
 * compared only where the SDM defines the result: the tag, control and
 * status words (not the instruction/data pointers, as the host runs 64-bit
 * code, nor empty registers' contents, nor FNSTENV's reserved halves).
 */
#define _GNU_SOURCE
#include <Zydis/Zydis.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "testvm.h"
#include "vm/vm.h"

#define CODE_ADDR 0x1000u
#define DATA_ADDR 0x8000u
#define MEM_OFF 0x70u
#define FIN_OFF 0x7eu
#define FOUT_OFF 0x7fu
#define SAVE_OFF 0x80u
#define BUF_SIZE (SAVE_OFF + 108u)

static struct vm *vm;
static struct vcpu *vc;
static uint8_t *native;

static void setup32(void)
{
    vm = testvm_pm32(CR0_NE);
    vc = &vm->cpus[0];
    native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(native, MAP_FAILED);
}

static void teardown(void)
{
    munmap(native, 4096);
    vm_destroy(vm);
    vm = NULL;
}

/* ---- random operands ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void put80(uint8_t *p, uint64_t mant, unsigned se)
{
    memcpy(p, &mant, 8);
    p[8] = (uint8_t)se;
    p[9] = (uint8_t)(se >> 8);
}

/* An 80-bit value from one of the interesting classes. */
static void rand80(uint8_t *p)
{
    unsigned sign = (rnd() & 1) << 15, k = rnd() % 16;
    uint64_t m = rnd() | 1ull << 63;
    switch (k) {
    case 0: put80(p, 0, sign); break;                                           /* zero */
    case 1: put80(p, 1ull << 63, sign | 0x7fff); break;                         /* infinity */
    case 2: put80(p, m | 1ull << 62, sign | 0x7fff); break;                     /* QNaN */
    case 3: put80(p, (m & ~(1ull << 62)) | 1, sign | 0x7fff); break;            /* SNaN */
    case 4: put80(p, m >> (rnd() % 63 + 1), sign); break;                       /* denormal */
    case 5: put80(p, m, sign); break;                                           /* pseudo-denormal */
    case 6: put80(p, m >> 1, sign | (unsigned)(rnd() % 0x7ffe + 1)); break;     /* unnormal */
    case 7: put80(p, m >> 1, sign | 0x7fff); break;                             /* pseudo-NaN/inf */
    case 8: put80(p, m, sign | (unsigned)(rnd() % 64 + 1)); break;              /* tiny */
    case 9: put80(p, m, sign | (unsigned)(0x7ffe - rnd() % 64)); break;         /* huge */
    case 10: /* near rounding boundaries of 24/53/64 bits */
        m = (m & ~0xffffffffffull) | (((rnd() & 1) ? 0xffffffffffull : 0) ^ (rnd() & 0x10000000000ull));
        put80(p, m ^ (rnd() % 3), sign | (unsigned)(0x3fff + rnd() % 32 - 16));
        break;
    case 11: put80(p, m & ~((1ull << (rnd() % 64)) - 1), sign | (unsigned)(0x3fff + rnd() % 70)); break; /* integers-ish */
    default: put80(p, m, sign | (unsigned)(0x3fff + rnd() % 200 - 100)); break;
    }
}

static void rand_mem(uint8_t *p, unsigned opc, unsigned reg)
{
    uint64_t x = rnd();
    unsigned k = rnd() % 8;
    memset(p, 0, 16);
    if (k == 0)
        x = 0;
    else if (k == 1)
        x = ~0ull;
    else if (k == 2)
        x >>= rnd() % 64;
    memcpy(p, &x, 8);
    if ((opc == 0xdb && reg == 5) || (opc == 0xdf && reg == 4)) { /* m80 real / BCD */
        if (opc == 0xdb)
            rand80(p);
        else
            for (unsigned i = 0; i < 10; i++) /* mostly valid digits */
                p[i] = (uint8_t)((rnd() % 10) | (rnd() % 10) << 4) | (rnd() % 16 == 0 ? 0xaa : 0);
        if (opc == 0xdf)
            p[9] = (uint8_t)(p[9] & 0x80);
        return;
    }
    if (k == 3 && (opc == 0xd8 || opc == 0xd9)) { /* float specials */
        static const uint32_t f[] = {0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001, 0x00000001, 0x807fffff, 0x80000000};
        memcpy(p, &f[rnd() % 7], 4);
    }
    if (k == 3 && (opc == 0xdc || opc == 0xdd)) {
        static const uint64_t d[] = {0x7ff0000000000000ull, 0x7ff8000000000001ull, 0x7ff0000000000001ull,
                                     0x0000000000000001ull, 0x800fffffffffffffull, 0x8000000000000000ull};
        memcpy(p, &d[rnd() % 6], 8);
    }
}

static unsigned tag_of(const uint8_t *r)
{
    uint64_t m;
    unsigned e = (r[8] | r[9] << 8) & 0x7fff;
    memcpy(&m, r, 8);
    if (e == 0x7fff)
        return 2;
    if (e == 0)
        return m ? 2 : 1;
    return (m >> 63) ? 0 : 2;
}

static const uint16_t cw_rc_pc[12] = {
    0x000, 0x400, 0x800, 0xc00, 0x200, 0x600, 0xa00, 0xe00, 0x300, 0x700, 0xb00, 0xf00,
};

/* A random input image (FNSAVE 32-bit layout) at buf. */
static void rand_state(uint8_t *buf, unsigned cwi)
{
    uint16_t cw = cw_rc_pc[cwi % 12] | 0x40 | ((rnd() % 4) ? 0x3f : (rnd() & 0x3f));
    unsigned top = rnd() % 8, tw = 0, nempty = rnd() % 4 == 0 ? rnd() % 9 : (rnd() % 3 == 0 ? 0 : rnd() % 3);
    uint16_t sw = (uint16_t)((top << 11) | (rnd() & 0x4700));
    memset(buf, 0, 28);
    memcpy(buf, &cw, 2);
    memcpy(buf + 4, &sw, 2);
    for (unsigned k = 0; k < 8; k++)
        rand80(buf + 28 + 10 * k);
    for (unsigned k = 0; k < 8; k++) {
        unsigned phys = (top + k) & 7;
        bool empty = (rnd() % 8 < nempty);
        unsigned t = empty ? 3 : tag_of(buf + 28 + 10 * k);
        tw |= t << (2 * phys);
    }
    memcpy(buf + 8, &tw, 2);
}

/* ---- the two executions ---- */

static const uint8_t pre[] = {0x8a, 0x66, FIN_OFF, 0x9e, 0xdd, 0x26};
static const uint8_t post[] = {0x9f, 0x88, 0x66, FOUT_OFF, 0xdd, 0xb6, SAVE_OFF, 0, 0, 0};

static unsigned build(uint8_t *code, const uint8_t *insn, unsigned len)
{
    memcpy(code, pre, sizeof pre);
    memcpy(code + sizeof pre, insn, len);
    memcpy(code + sizeof pre + len, post, sizeof post);
    return (unsigned)(sizeof pre + len + sizeof post);
}

static void run_native(const uint8_t *insn, unsigned len, uint8_t *buf)
{
    static const uint8_t mov_rsi_rdi[] = {0x48, 0x89, 0xfe};
    memcpy(native, mov_rsi_rdi, 3);
    unsigned n = build(native + 3, insn, len);
    native[3 + n] = 0xc3;
    ((void (*)(void *))(void *)native)(buf);
}

static void run_emu(uint8_t *buf)
{
    pgm_load(&vm->pgm, DATA_ADDR, buf, BUF_SIZE);
    vc->cpu.gpr[R_SI] = DATA_ADDR;
    vc->cpu.rip = CODE_ADDR;
    vc->cpu.cr0 &= ~(uint64_t)(CR0_TS | CR0_EM);
    int rc = iem_exec(vc, 7);
    cr_assert_eq(rc, IEM_OK);
    pgm_read(&vm->pgm, DATA_ADDR, buf, BUF_SIZE);
}

static bool is_host_form(const ZydisDecoder *dec, unsigned opc, unsigned modrm)
{
    static const uint8_t skip_mem[8] = {[1] = 0xf2, [5] = 0xf0}; /* D9 /1 /4-/7, DD /4-/7 */
    static const uint8_t skip_mem_ud[8] = {[3] = 0x50};        /* DB /4 /6 */
    uint8_t b[4] = {(uint8_t)opc, (uint8_t)modrm, 0, 0};
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    if (modrm < 0xc0) {
        unsigned reg = (modrm >> 3) & 7;
        return !((skip_mem[opc & 7] | skip_mem_ud[opc & 7]) >> reg & 1);
    }
    if (ZYAN_FAILED(ZydisDecoderDecodeFull(dec, b, 4, &zi, zo)))
        return false;
    switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_FNINIT: case ZYDIS_MNEMONIC_FNCLEX: case ZYDIS_MNEMONIC_FNSTSW:
    case ZYDIS_MNEMONIC_FENI8087_NOP: case ZYDIS_MNEMONIC_FDISI8087_NOP: case ZYDIS_MNEMONIC_FSETPM287_NOP:
        return false;
    default:
        return true;
    }
}

/* Compares the images, skipping the pointer fields (the host ran 64-bit code). */
static void compare(const uint8_t *want, const uint8_t *got, const uint8_t *in, unsigned opc, unsigned modrm,
                    unsigned memsize, unsigned ncase)
{
    const uint8_t *w = want + SAVE_OFF, *g = got + SAVE_OFF;
    uint16_t wcw, gcw, wsw, gsw, wtw, gtw;
    memcpy(&wcw, w, 2), memcpy(&gcw, g, 2);
    memcpy(&wsw, w + 4, 2), memcpy(&gsw, g + 4, 2);
    memcpy(&wtw, w + 8, 2), memcpy(&gtw, g + 8, 2);
    uint16_t icw, isw;
    memcpy(&icw, in, 2), memcpy(&isw, in + 4, 2);
    cr_assert_eq(gcw, wcw, "%02x %02x case %u: cw %04x want %04x", opc, modrm, ncase, gcw, wcw);
    cr_assert_eq(gsw, wsw, "%02x %02x case %u: cw %04x sw-in %04x: sw %04x want %04x", opc, modrm, ncase, icw,
                 isw, gsw, wsw);
    cr_assert_eq(gtw, wtw, "%02x %02x case %u: tw %04x want %04x", opc, modrm, ncase, gtw, wtw);
    for (unsigned k = 0; k < 8; k++) {
        if (((wtw >> (2 * (((wsw >> 11) + k) & 7))) & 3) == 3)
            continue; /* empty registers' contents are not architectural */
        cr_assert_arr_eq(g + 28 + 10 * k, w + 28 + 10 * k, 10, "%02x %02x case %u cw %04x: st(%u) differs", opc,
                         modrm, ncase, icw, k);
    }
    if (memsize)
        cr_assert_arr_eq(got + MEM_OFF, want + MEM_OFF, memsize, "%02x %02x case %u cw %04x: memory differs", opc,
                         modrm, ncase, icw);
    cr_assert_eq(got[FOUT_OFF] & 0xd5, want[FOUT_OFF] & 0xd5, "%02x %02x case %u: flags %02x want %02x", opc,
                 modrm, ncase, got[FOUT_OFF], want[FOUT_OFF]);
}

static unsigned mem_size(unsigned opc, unsigned reg)
{
    static const uint8_t sz[8][8] = {
        {4, 4, 4, 4, 4, 4, 4, 4}, {4, 0, 4, 4, 0, 0, 0, 0}, {4, 4, 4, 4, 4, 4, 4, 4}, {4, 4, 4, 4, 0, 10, 0, 10},
        {8, 8, 8, 8, 8, 8, 8, 8}, {8, 8, 8, 8, 0, 0, 0, 0}, {2, 2, 2, 2, 2, 2, 2, 2}, {2, 2, 2, 2, 10, 8, 10, 8},
    };
    return sz[opc & 7][reg];
}

static void diff_encoding(unsigned opc, unsigned modrm, unsigned cases)
{
    uint8_t insn[3], code[64], in[BUF_SIZE], want[BUF_SIZE], got[BUF_SIZE];
    unsigned len = 2, msz = 0;
    insn[0] = (uint8_t)opc;
    if (modrm < 0xc0) {
        insn[1] = (uint8_t)(0x46 | (modrm & 0x38)); /* [esi+disp8] */
        insn[2] = MEM_OFF;
        len = 3;
        msz = mem_size(opc, (modrm >> 3) & 7);
    } else {
        insn[1] = (uint8_t)modrm;
    }
    unsigned n = build(code, insn, len);
    pgm_load(&vm->pgm, CODE_ADDR, code, n);
    iem_flush(vc);
    for (unsigned i = 0; i < cases; i++) {
        memset(in, 0, sizeof in);
        rand_state(in, i);
        rand_mem(in + MEM_OFF, opc, (modrm >> 3) & 7);
        in[FIN_OFF] = (uint8_t)(rnd() & 0xd5) | 2;
        memcpy(want, in, sizeof in);
        memcpy(got, in, sizeof in);
        run_native(insn, len, want);
        run_emu(got);
        compare(want, got, in, opc, modrm, msz, i);
        uint32_t ptr[4];
        memcpy(ptr, got + SAVE_OFF + 12, 16);
        cr_assert_eq(ptr[0], CODE_ADDR + sizeof pre, "fip %x", ptr[0]);
        cr_assert_eq(ptr[1], (((opc & 7u) << 8 | insn[1]) << 16) | 0x08, "fcs/fop %x", ptr[1]);
        if (msz)
            cr_assert_eq(ptr[2], DATA_ADDR + MEM_OFF, "fdp %x", ptr[2]);
        if (msz)
            cr_assert_eq(ptr[3], 0xffff0010u, "fds %x", ptr[3]);
    }
}

static void diff_range(unsigned opc_lo, unsigned opc_hi, unsigned cases)
{
    ZydisDecoder dec;
    unsigned n = 0, total = 0;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    for (unsigned opc = opc_lo; opc <= opc_hi; opc++) {
        for (unsigned reg = 0; reg < 8; reg++)
            if (is_host_form(&dec, opc, reg << 3))
                diff_encoding(opc, reg << 3, cases * 4), n++, total += cases * 4;
        for (unsigned modrm = 0xc0; modrm < 0x100; modrm++)
            if (is_host_form(&dec, opc, modrm))
                diff_encoding(opc, modrm, cases), n++, total += cases;
    }
    cr_log_info("%02x..%02x: %u encodings, %u random cases", opc_lo, opc_hi, n, total);
}

TestSuite(x87, .init = setup32, .fini = teardown, .timeout = 120);

/* Arithmetic, compares, integer forms: D8 DA DC DE. */
Test(x87, arith_vs_host) { diff_range(0xd8, 0xd8, 480); diff_range(0xda, 0xda, 240); }
Test(x87, arith_rev_vs_host) { diff_range(0xdc, 0xdc, 480); diff_range(0xde, 0xde, 240); }
/* Loads, stores, constants, transcendentals, FXCH, FCMOV, FCOMI, BCD: D9 DB DD DF. */
Test(x87, d9_vs_host) { diff_range(0xd9, 0xd9, 600); }
Test(x87, ldst_vs_host) { diff_range(0xdb, 0xdb, 240); diff_range(0xdd, 0xdd, 240); diff_range(0xdf, 0xdf, 240); }

/* ---- directed tests ---- */

#define HANDLER(vec) TESTVM_HANDLER(vec)
static void setup_idt(void)
{
    testvm_idt(vm);
}

static void load_code(const uint8_t *code, size_t len)
{
    cr_assert_eq(pgm_load(&vm->pgm, CODE_ADDR, code, len), 0);
    iem_flush(vc);
    vc->cpu.rip = CODE_ADDR;
    vc->cpu.gpr[R_SP] = 0x7000;
}

/* An unmasked zero-divide sets ES and is delivered as #MF by the next
 * waiting instruction, not by the faulting one nor by FNSTSW; FIP still
 * names the division. With CR0.NE=0 pcvm does the same (no FERR#/IRQ 13). */
static void delayed_mf(bool ne)
{
    static const uint8_t code[] = {
        0xdb, 0xe3,                   /* fninit */
        0xd9, 0x2d, 0x00, 0x90, 0, 0, /* fldcw [0x9000] (ZE unmasked) */
        0xd9, 0xe8,                   /* fld1 */
        0xd9, 0xee,                   /* fldz */
        0xde, 0xf9,                   /* fdivp: 1/0 */
        0xdf, 0xe0,                   /* fnstsw ax: no-wait, no fault */
        0x9b,                         /* fwait: #MF */
    };
    uint16_t cw = 0x37b;
    setup_idt();
    if (!ne)
        vc->cpu.cr0 &= ~(uint64_t)CR0_NE;
    pgm_load(&vm->pgm, 0x9000, &cw, 2);
    load_code(code, sizeof code);
    iem_exec(vc, 6);
    cr_assert_eq(vc->cpu.rip, CODE_ADDR + 16, "fdivp and fnstsw must not fault, rip %llx",
                 (unsigned long long)vc->cpu.rip);
    cr_assert_eq(vc->cpu.gpr[R_AX] & 0x80bf, 0x8084, "sw %llx", (unsigned long long)vc->cpu.gpr[R_AX]);
    iem_exec(vc, 1);
    cr_assert_eq(vc->cpu.rip, HANDLER(X_MF), "rip %llx", (unsigned long long)vc->cpu.rip);
    uint32_t ret = 0;
    pgm_read(&vm->pgm, vc->cpu.gpr[R_SP], &ret, 4);
    cr_assert_eq(ret, CODE_ADDR + 16);
    cr_assert_eq(vc->cpu.fpu_ip, CODE_ADDR + 12);
    cr_assert_eq(vc->cpu.fpu_op, 0x6f9);
}

Test(x87, mf_delayed_ne1) { delayed_mf(true); }
Test(x87, mf_delayed_ne0) { delayed_mf(false); }

Test(x87, nm_rules)
{
    static const uint8_t fld1[] = {0xd9, 0xe8};
    static const uint8_t fwait[] = {0x9b};
    setup_idt();
    vc->cpu.cr0 |= CR0_EM;
    load_code(fld1, 2);
    iem_exec(vc, 1);
    cr_assert_eq(vc->cpu.rip, HANDLER(X_NM));
    vc->cpu.cr0 = (vc->cpu.cr0 & ~(uint64_t)CR0_EM) | CR0_TS;
    load_code(fwait, 1);
    iem_exec(vc, 1);
    cr_assert_eq(vc->cpu.rip, CODE_ADDR + 1, "wait without MP runs");
    vc->cpu.cr0 |= CR0_MP;
    load_code(fwait, 1);
    iem_exec(vc, 1);
    cr_assert_eq(vc->cpu.rip, HANDLER(X_NM));
}

/* FNSTENV in the 16-bit (o16) and 32-bit protected layouts against the
 * host's for the control, status and tag words, after a random state. */
Test(x87, fnstenv_vs_host)
{
    for (unsigned o16 = 0; o16 < 2; o16++)
        for (unsigned i = 0; i < 200; i++) {
            uint8_t insn[4] = {0x66, 0xd9, 0x76, MEM_OFF}; /* fnstenv [esi+70h] */
            uint8_t code[64], in[BUF_SIZE], want[BUF_SIZE], got[BUF_SIZE];
            const uint8_t *ins = o16 ? insn : insn + 1;
            unsigned len = o16 ? 4 : 3, n = build(code, ins, len);
            pgm_load(&vm->pgm, CODE_ADDR, code, n);
            iem_flush(vc);
            memset(in, 0, sizeof in);
            rand_state(in, i);
            memcpy(want, in, sizeof in);
            memcpy(got, in, sizeof in);
            run_native(ins, len, want);
            run_emu(got);
            unsigned words = o16 ? 3 : 6; /* cw sw tw (each in a dword when 32-bit) */
            for (unsigned w = 0; w < words; w++) {
                uint16_t a, b;
                memcpy(&a, want + MEM_OFF + 2 * w, 2);
                memcpy(&b, got + MEM_OFF + 2 * w, 2);
                if (!o16 && (w & 1))
                    continue; /* reserved upper halves */
                cr_assert_eq(b, a, "o16=%u case %u word %u: %04x want %04x", o16, i, w, b, a);
            }
            cr_assert_arr_eq(got + SAVE_OFF, want + SAVE_OFF, 12, "state after fnstenv");
        }
}

/* Real-mode layouts carry linear pointers and the opcode. */
Test(x87, env_real_mode_layout)
{
    struct cpu *c = &vc->cpu;
    static const uint8_t code[] = {
        0xdb, 0xe3,             /* fninit */
        0xdd, 0x06, 0x00, 0x01, /* fld qword [0x100] */
        0xd9, 0x36, 0x00, 0x02, /* fnstenv [0x200] (o16 in real mode) */
        0x66, 0xd9, 0x36, 0x40, 0x02, /* o32 fnstenv [0x240] */
    };
    c->cr0 &= ~(uint64_t)CR0_PE;
    for (unsigned s = 0; s < 6; s++) {
        c->seg[s].sel = 0x1000;
        c->seg[s].base = 0x10000;
        c->seg[s].limit = 0xffff;
        c->seg[s].attr = s == S_CS ? 0x9b : 0x93;
    }
    double one = 1.0;
    pgm_load(&vm->pgm, 0x10100, &one, 8);
    pgm_load(&vm->pgm, 0x10000, code, sizeof code);
    iem_flush(vc);
    c->rip = 0;
    cr_assert_eq(iem_exec(vc, 4), IEM_OK);
    uint16_t e16[7];
    uint32_t e32[7];
    pgm_read(&vm->pgm, 0x10200, e16, sizeof e16);
    pgm_read(&vm->pgm, 0x10240, e32, sizeof e32);
    cr_assert_eq(e16[0], 0x37f);
    cr_assert_eq(e16[1], 0x3800);
    cr_assert_eq(e16[2], 0x3fff);
    cr_assert_eq(e16[3], 0x0002, "fip[15:0] %x", e16[3]);
    cr_assert_eq(e16[4], 0x1000 | 0x506, "fip[19:16] | fop %x", e16[4]);
    cr_assert_eq(e16[5], 0x0100);
    cr_assert_eq(e16[6], 0x1000);
    cr_assert_eq(e32[3] & 0xffff, 0x0002);
    cr_assert_eq(e32[4], 0x1000 | 0x506, "%x", e32[4]);
    cr_assert_eq(e32[5] & 0xffff, 0x0100);
    cr_assert_eq(e32[6], 0x1000);
    cr_assert_eq(c->fcw, 0x37f, "fnstenv masks all");
}

/* A store that faults leaves the FPU as it was (no pop, no flags, no FIP). */
Test(x87, faulting_store_changes_nothing)
{
    static const uint8_t code[] = {
        0xdb, 0xe3,                         /* fninit */
        0xd9, 0xeb,                         /* fldpi */
        0xdd, 0x1d, 0x00, 0x00, 0x10, 0x00, /* fstp qword [0x100000]: past the DS limit */
    };
    setup_idt();
    vc->cpu.seg[S_DS].limit = 0xfffff;
    load_code(code, sizeof code);
    iem_exec(vc, 3);
    cr_assert_eq(vc->cpu.rip, HANDLER(X_GP));
    cr_assert_eq(vc->cpu.fsw, 0x3800, "fsw %04x", vc->cpu.fsw);
    cr_assert_eq(vc->cpu.ftw, 0x3fff, "ftw %04x", vc->cpu.ftw);
    cr_assert_eq(vc->cpu.fpu_ip, CODE_ADDR + 2, "FIP of fldpi kept");
    cr_assert_eq(vc->cpu.fpu_op, 0x1eb);
}
