/* REM's compiled code against IEM on structured programs: the forms the
 * second tier emits as host code (register MOV/ALU/LEA, SHL/SHR/SAR,
 * IMUL r,r(,imm), memory operands through the inline TLB lookup, Jcc from
 * the lazy flags, rem_native_bit.c's NOT/NEG/BSWAP/CBW..CQO/BT*, DIV with
 * #DE) mixed with the ones it hands to IEM, inside loops that
 * run many times (TBs compiled and chained), forward JMP/Jcc, CALL/RET
 * and PUSH/POP. Memory operands straddle page boundaries and hit pages the
 * guest's paging marks not present or read-only, so the TLB's miss path
 * and #PF inside compiled code are compared too: an exception handler adds
 * the vector to AL and resumes at the next top-level item (its address is
 * stored in RD_RESUME before each), so RIP, registers, memory, flags, CR2
 * and the retired count must agree (rem_diff.c). In 32-bit paged
 * protected mode and in 64-bit mode (REX.W forms, R8-R15). PG_SEG adds
 * accesses of every size with segment overrides while segments change:
 * FS/GS bases (64-bit: the inline lookup adds them) and 32-bit segments
 * with a base, a limit, read-only or expanding down (the call path, #GP);
 * PG_FLAGS long straight runs of flag writers and readers, RFLAGS logged
 * by PUSHF and by each fault's frame (each item has a stack of its own). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cpu/cpufeat.h"
#include "rem_diff.h"
#include "testvm.h"

enum pg_mode { PG_BASE, PG_SEG, PG_FLAGS, PG_SSE, PG_AVX };

struct pg {
    uint8_t code[4096];
    size_t n;
    uint64_t s;
    bool l64;
    enum pg_mode mode;
    unsigned log;     /* PG_FLAGS: the next RFLAGS slot at RD_FLAGLOG */
    uint64_t base[3]; /* PG_SEG, 64-bit: FS, GS, KERNEL_GS bases as written (a skipped write missed) */
    unsigned avoid;   /* registers the current item must not write: ESP, ECX in a loop */
    unsigned movable; /* inside a body patch_fwd may move: no absolute code addresses */
};

#define ROOM 400 /* the most one top-level item can take */

static uint64_t rnd(struct pg *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return g->s;
}

static unsigned below(struct pg *g, unsigned n)
{
    return (unsigned)(rnd(g) >> 20) % n;
}
static void b1(struct pg *g, unsigned x)
{
    g->code[g->n++] = (uint8_t)x;
}
static void b4(struct pg *g, uint32_t x)
{
    memcpy(g->code + g->n, &x, 4), g->n += 4;
}
static unsigned nregs(const struct pg *g)
{
    return g->l64 ? 16 : 8;
}

static unsigned dst(struct pg *g)
{
    for (;;) {
        unsigned r = below(g, nregs(g));
        if (!(g->avoid >> r & 1))
            return r;
    }
}

static unsigned src(struct pg *g)
{
    return below(g, nregs(g));
}

/* REX (64-bit mode only: W, reg extension, index extension, r/m extension) */
static void rex(struct pg *g, bool w, unsigned reg, unsigned x, unsigned rm)
{
    unsigned b = (w ? 8 : 0) | (reg >> 3 & 1) << 2 | (x >> 3 & 1) << 1 | (rm >> 3 & 1);
    if (g->l64 && (b || below(g, 8) == 0))
        b1(g, 0x40 | b);
}

static bool wide(struct pg *g)
{
    return g->l64 && below(g, 2);
}

/* [rex] opcode modrm(reg, rm) for register operands */
static void op_rr(struct pg *g, const uint8_t *op, unsigned oplen, unsigned reg, unsigned rm, bool w)
{
    rex(g, w, reg, 0, rm);
    memcpy(g->code + g->n, op, oplen), g->n += oplen;
    b1(g, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

static void alu_rr(struct pg *g)
{
    static const uint8_t ops[] = {0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x85, 0x89,
                                  0x03, 0x0b, 0x13, 0x1b, 0x23, 0x2b, 0x33, 0x3b, 0x8b};
    uint8_t op = ops[below(g, sizeof ops)];
    unsigned d = dst(g), s = src(g);
    if (op & 2) /* r, r/m: the destination is ModRM.reg */
        op_rr(g, &op, 1, d, s, wide(g));
    else
        op_rr(g, &op, 1, s, d, wide(g));
}

static void alu_imm(struct pg *g)
{
    bool i8 = below(g, 2);
    uint32_t imm = (uint32_t)(rnd(g) >> 32);
    op_rr(g, &(uint8_t){i8 ? 0x83 : 0x81}, 1, below(g, 8), dst(g), wide(g));
    if (i8)
        b1(g, imm);
    else
        b4(g, imm);
}

static void mov_imm(struct pg *g)
{
    unsigned d = dst(g);
    uint64_t imm = rnd(g);
    bool w = wide(g);
    if (below(g, 3) == 0) { /* C7 /0: sign-extended imm32 with REX.W */
        op_rr(g, &(uint8_t){0xc7}, 1, 0, d, w);
        b4(g, (uint32_t)imm);
        return;
    }
    rex(g, w, 0, 0, d);
    b1(g, 0xb8 + (d & 7));
    b4(g, (uint32_t)imm);
    if (w)
        b4(g, (uint32_t)(imm >> 32));
}

static void lea(struct pg *g)
{
    unsigned d = dst(g), base = src(g), index = src(g);
    bool w = wide(g);
    if (below(g, 2)) { /* [base + index * scale + disp8] */
        rex(g, w, d, index, base);
        b1(g, 0x8d), b1(g, 0x44 | (d & 7) << 3);
        b1(g, below(g, 4) << 6 | (index & 7) << 3 | (base & 7));
        b1(g, below(g, 256));
    } else { /* [reg + disp32] */
        rex(g, w, d, 0, base);
        b1(g, 0x8d), b1(g, 0x80 | (d & 7) << 3 | (base & 7));
        if ((base & 7) == 4)
            b1(g, 0x24);
        b4(g, (uint32_t)rnd(g));
    }
}

static void imul(struct pg *g)
{
    static const uint32_t imms[] = {0,    1,          2,          3,          0x7f,   0x80,
                                    0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x10001};
    unsigned d = dst(g), s = src(g), k = below(g, 3);
    uint32_t imm = below(g, 2) ? imms[below(g, sizeof imms / sizeof imms[0])] : (uint32_t)rnd(g);
    bool w = wide(g);
    if (k == 0)
        op_rr(g, (const uint8_t[]){0x0f, 0xaf}, 2, d, s, w);
    else
        op_rr(g, &(uint8_t){k == 1 ? 0x6b : 0x69}, 1, d, s, w);
    if (k == 1)
        b1(g, imm);
    else if (k == 2)
        b4(g, imm);
}

/* SHL/SHR/SAR (and ROL/ROR, which the code hands to IEM) by imm8, by 1, by
 * CL, of 8-, 16-, 32- and 64-bit registers */
static void shift(struct pg *g)
{
    static const uint8_t exts[] = {4, 5, 7, 4, 5, 7, 0, 1};
    static const uint8_t counts[] = {0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 255};
    unsigned form = below(g, 4), width = below(g, 4); /* width 0: bytes, 1: words, else 32/64 bits */
    uint8_t op = form == 1 ? 0xd1 : form == 2 ? 0xd3 : 0xc1;
    if (width == 1)
        b1(g, 0x66);
    if (width == 0)
        op &= 0xfe; /* C0, D0, D2 (AL..BH, or SPL..R15B after a REX) */
    op_rr(g, &op, 1, exts[below(g, sizeof exts)], dst(g), width > 1 && wide(g));
    if ((op | 1) == 0xc1)
        b1(g, below(g, 2) ? counts[below(g, sizeof counts)] : below(g, 256));
}

static void incdec(struct pg *g)
{
    op_rr(g, &(uint8_t){0xff}, 1, below(g, 2), dst(g), wide(g));
}

/* A guest address for a size-byte access: mostly inside the two data
 * pages, else straddling a page boundary or in a page that faults. */
static uint32_t pick_addr(struct pg *g, unsigned size)
{
    unsigned k = below(g, 20), off = below(g, 4096);
    switch (k) {
    case 0: return RD_DATA + 0x1000 - 1 - below(g, size); /* straddles 0x9fff/0xa000, both writable */
    case 1: return RD_NP2 - 1 - below(g, size);           /* into the not-present page */
    case 2: return RD_DATA - 1 - below(g, size);          /* from the not-present page below */
    case 3: return RD_NP2 + off;                          /* not present */
    case 4: return RD_RO + off;                           /* read-only: loads work, stores fault */
    case 5: return RD_RO - 1 - below(g, size);            /* not present into read-only */
    default: return RD_DATA + below(g, 0x2000 - size) / (k & 1 ? 1 : size) * (k & 1 ? 1 : size);
    }
}

/* mov edi, addr - disp; op [rdi + disp32] with a register, an immediate or as a load */
static void mem_at(struct pg *g, uint32_t addr_or_none, bool set_edi)
{
    static const struct {
        uint8_t op[2], len, kind;
    } ops[] = {
        /* kind: 0 store from reg, 1 load into reg, 2 imm32 follows (reg = ext), 3 imm8 follows,
         * 4 INC/DEC (ext 0-1), 5 NOT/NEG (ext 2-3) */
        {{0x89}, 1, 0}, {{0x8b}, 1, 1},       {{0x01}, 1, 0},       {{0x03}, 1, 1}, {{0x29}, 1, 0},
        {{0x2b}, 1, 1}, {{0x31}, 1, 0},       {{0x33}, 1, 1},       {{0x39}, 1, 0}, {{0x3b}, 1, 1},
        {{0x85}, 1, 0}, {{0x21}, 1, 0},       {{0x0b}, 1, 1},       {{0x81}, 1, 2}, {{0x83}, 1, 3},
        {{0xc7}, 1, 2}, {{0x0f, 0xb6}, 2, 1}, {{0x0f, 0xb7}, 2, 1}, {{0x11}, 1, 0}, {{0xff}, 1, 4},
        {{0x89}, 1, 0}, {{0x8b}, 1, 1},       {{0xf7}, 1, 5},
    };
    unsigned i = below(g, sizeof ops / sizeof ops[0]);
    bool w = wide(g);
    unsigned size = ops[i].len == 2 ? (ops[i].op[1] == 0xb6 ? 1 : 2) : w ? 8 : 4;
    unsigned reg = ops[i].kind == 1   ? dst(g)
                   : ops[i].kind == 2 ? (ops[i].op[0] == 0xc7 ? 0 : below(g, 8))
                   : ops[i].kind == 3 ? below(g, 8)
                   : ops[i].kind == 4 ? below(g, 2)
                   : ops[i].kind == 5 ? 2 + below(g, 2)
                                      : src(g);
    int32_t disp = (int32_t)below(g, 0x100) - 0x80;
    if (set_edi) {
        uint32_t addr = addr_or_none ? addr_or_none : pick_addr(g, size);
        b1(g, 0xbf), b4(g, addr - (uint32_t)disp); /* mov edi, imm32 */
    } else {
        disp = 0;
    }
    if (ops[i].kind == 1 && ops[i].len == 2)
        w = false; /* MOVZX r32 */
    rex(g, w, reg, 0, 7);
    memcpy(g->code + g->n, ops[i].op, ops[i].len), g->n += ops[i].len;
    b1(g, 0x80 | (reg & 7) << 3 | 7);
    b4(g, (uint32_t)disp);
    if (ops[i].kind == 2)
        b4(g, (uint32_t)rnd(g));
    else if (ops[i].kind == 3)
        b1(g, below(g, 256));
}

static void item(struct pg *g, unsigned depth);

/* Runs body items at depth + 1 after a branch placeholder at `at` of
 * `len` bytes whose last 1 or 4 bytes are the displacement to the end;
 * widens a rel8 form to rel32 when the body is too long for it. */
static void patch_fwd(struct pg *g, size_t at, bool rel8, uint8_t op32a, uint8_t op32b)
{
    size_t body = at + (rel8 ? 2 : op32a == 0x0f ? 6 : 5);
    int64_t d = (int64_t)(g->n - body);
    if (rel8 && d > 127) { /* EB -> E9, 7x -> 0F 8x */
        unsigned grow = op32a == 0x0f ? 4 : 3;
        memmove(g->code + body + grow, g->code + body, g->n - body);
        g->n += grow;
        g->code[at] = op32a;
        if (op32a == 0x0f)
            g->code[at + 1] = op32b;
        rel8 = false;
        body += grow;
    }
    if (rel8)
        g->code[at + 1] = (uint8_t)d;
    else
        memcpy(g->code + body - 4, &(uint32_t){(uint32_t)d}, 4);
}

static void body(struct pg *g, unsigned depth, unsigned max)
{
    for (unsigned k = 1 + below(g, max); k; k--)
        item(g, depth + 1);
}

static void abs_patch(struct pg *g, size_t at)
{
    memcpy(g->code + at, &(uint32_t){RD_CODE + (uint32_t)g->n}, 4);
}

/* JMP or Jcc forward over a few items; or mov r, target; jmp r */
static void skip(struct pg *g, unsigned depth)
{
    size_t at = g->n;
    bool jmp = below(g, 4) == 0, rel8 = below(g, 2);
    unsigned cc = below(g, 16);
    if (!g->movable && below(g, 5) == 0) {
        unsigned r = dst(g);
        rex(g, false, 0, 0, r), b1(g, 0xb8 + (r & 7));
        at = g->n;
        b4(g, 0);
        rex(g, false, 0, 0, r), b1(g, 0xff), b1(g, 0xe0 | (r & 7));
        body(g, depth, 3);
        abs_patch(g, at);
        return;
    }
    if (rel8)
        b1(g, jmp ? 0xeb : 0x70 + cc), b1(g, 0);
    else if (jmp)
        b1(g, 0xe9), b4(g, 0);
    else
        b1(g, 0x0f), b1(g, 0x80 + cc), b4(g, 0);
    g->movable += rel8;
    body(g, depth, 3);
    g->movable -= rel8;
    patch_fwd(g, at, rel8, jmp ? 0xe9 : 0x0f, (uint8_t)(0x80 + cc));
}

/* [push imm8] call sub (rel32, or mov r, sub; call r); jmp over; sub: items; ret [imm16]; over: */
static void call_ret(struct pg *g, unsigned depth)
{
    bool arg = below(g, 3) == 0, ind = !g->movable && below(g, 3) == 0;
    size_t sub = 0;
    if (arg)
        b1(g, 0x6a), b1(g, below(g, 256));
    if (ind) {
        unsigned r = dst(g);
        rex(g, false, 0, 0, r), b1(g, 0xb8 + (r & 7));
        sub = g->n;
        b4(g, 0);
        rex(g, false, 0, 0, r), b1(g, 0xff), b1(g, 0xd0 | (r & 7));
    } else {
        b1(g, 0xe8), b4(g, 5);
    }
    size_t at = g->n;
    b1(g, 0xe9), b4(g, 0);
    if (ind)
        abs_patch(g, sub);
    body(g, depth, 3);
    if (arg)
        b1(g, 0xc2), b1(g, g->l64 ? 8 : 4), b1(g, 0);
    else
        b1(g, 0xc3);
    patch_fwd(g, at, false, 0xe9, 0);
}

static void push_pop(struct pg *g, unsigned depth)
{
    unsigned k = below(g, 3), s = src(g);
    if (k == 0)
        b1(g, 0x6a), b1(g, below(g, 256));
    else if (k == 1)
        b1(g, 0x68), b4(g, (uint32_t)rnd(g));
    else
        rex(g, false, 0, 0, s), b1(g, 0x50 + (s & 7));
    if (below(g, 2))
        body(g, depth, 2);
    unsigned d = dst(g);
    rex(g, false, 0, 0, d);
    b1(g, 0x58 + (d & 7));
}

/* mov ecx, N (or -N); L: items [lea edi, [rcx*4 + disp]; op [rdi]]; dec/sub (inc/add) ecx; jnz L */
static void loop(struct pg *g)
{
    unsigned n = 2 + below(g, 300), saved = g->avoid;
    bool up = below(g, 2);
    b1(g, 0xb9), b4(g, up ? -n : n);
    size_t top = g->n;
    g->avoid |= 1u << 1;
    body(g, 0, 5);
    if (up && below(g, 2)) { /* a pointer walking up by 4 through the data and maybe off its end */
        uint32_t start = RD_DATA + 0x2000 - 4 * below(g, 2 * n) - below(g, 4);
        b1(g, 0x8d), b1(g, 0x3c), b1(g, 0x8d), b4(g, start + 4 * n); /* lea edi, [rcx*4 + disp32] */
        mem_at(g, 0, false);
    }
    g->avoid = saved;
    if (below(g, 2))
        b1(g, 0xff), b1(g, up ? 0xc1 : 0xc9); /* inc/dec ecx */
    else
        b1(g, 0x83), b1(g, up ? 0xc1 : 0xe9), b1(g, 1); /* add/sub ecx, 1 */
    int64_t d = (int64_t)top - (int64_t)(g->n + 2);
    if (d >= -128)
        b1(g, 0x75), b1(g, (uint8_t)d);
    else
        b1(g, 0x0f), b1(g, 0x85), b4(g, (uint32_t)(top - (g->n + 4)));
}

/* A register of `size` bytes for ModRM.reg, not one the item must keep
 * when dest (AH..BH are bytes 1 of EAX..EBX); sets *rx when it needs a
 * REX (R8B.., or SPL..DIL chosen over AH..BH). */
static unsigned reg_sized(struct pg *g, unsigned size, bool dest, bool *rx)
{
    for (;;) {
        unsigned r = below(g, nregs(g));
        bool x = r >= 8 || (g->l64 && size == 1 && below(g, 2));
        unsigned real = size == 1 && !x && r >= 4 ? r - 4 : r;
        if (!dest || !(g->avoid >> real & 1)) {
            *rx = x;
            return r;
        }
    }
}

/* PG_SEG: mov edi, addr - disp; [seg] [66] [rex] op [rdi + disp32] [imm]:
 * MOV, ALU (ADC/SBB included), CMP or TEST of 1, 2, 4 or 8 bytes, with a
 * segment override (in 64-bit mode mostly FS or GS, whose base is added) */
static void mem_sized(struct pg *g)
{
    static const uint8_t segs32[] = {0, 0, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};
    static const uint8_t segs64[] = {0, 0x64, 0x65, 0x64, 0x65, 0x26, 0x3e, 0x2e};
    unsigned size = 1u << below(g, g->l64 ? 4 : 3), form = below(g, 7), ext = below(g, 8);
    int32_t disp = (int32_t)below(g, 0x100) - 0x80;
    bool rx = false, w1 = size > 1;
    unsigned r = form == 4   ? ext
                 : form == 5 ? 0
                             : reg_sized(g, size, form == 1 || (form == 3 && ext != 7), &rx);
    uint8_t seg = (g->l64 ? segs64 : segs32)[below(g, 8)];
    static const uint8_t ops[] = {0x88, 0x8a, 0x00, 0x02, 0x80, 0xc6, 0x84};
    uint8_t op = (uint8_t)(ops[form] | w1);

    if (form == 2 || form == 3)
        op = (uint8_t)(op | ext << 3);
    else if (form == 4 && w1 && below(g, 2))
        op = 0x83;
    if (g->l64 && below(g, 6) == 0) {
        /* mov rdi, imm64: a linear address at RD_HIGH or at its
         * non-canonical twin (bits 56:48 the same, so a TLB tag of 57 bits
         * matches both: only the canonical check tells them apart) */
        uint64_t lin = (below(g, 2) ? RD_HIGH : RD_HIGH & ~0xfe00000000000000ull) + pick_addr(g, size);
        uint64_t base = seg == 0x64 ? g->base[0] : seg == 0x65 ? g->base[1] : 0;
        b1(g, 0x48), b1(g, 0xbf), b4(g, (uint32_t)(lin - base - (uint64_t)(int64_t)disp));
        b4(g, (uint32_t)((lin - base - (uint64_t)(int64_t)disp) >> 32));
    } else {
        b1(g, 0xbf), b4(g, pick_addr(g, size) - (uint32_t)disp);
    }
    if (seg)
        b1(g, seg);
    if (size == 2)
        b1(g, 0x66);
    if (rx || size == 8)
        b1(g, 0x40 | (size == 8) << 3 | (r >> 3 & 1) << 2);
    b1(g, op), b1(g, 0x80 | (r & 7) << 3 | 7), b4(g, (uint32_t)disp);
    if (form == 4 || form == 5) {
        uint32_t imm = (uint32_t)rnd(g);
        if (size == 1 || op == 0x83)
            b1(g, imm);
        else if (size == 2)
            b1(g, imm), b1(g, imm >> 8);
        else
            b4(g, imm);
    }
}

static bool canon(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* PG_SEG: a data segment register reloaded with one of rem_diff.h's
 * selectors (flat again often), or in 64-bit mode FS/GS's base changed by
 * WRMSR, WRFSBASE/WRGSBASE or SWAPGS: bases that move the accesses into
 * the pages that fault, across pages, past 4 GiB or the canonical hole. */
static void seg_item(struct pg *g)
{
    static const uint8_t sels[] = {0x10,        RD_SEL_FLAT, 0x10,        RD_SEL_BASED,  RD_SEL_LIMIT,
                                   RD_SEL_WRAP, RD_SEL_RO,   RD_SEL_DOWN, RD_SEL_BASED2, 0};
    /* into the pages that fault (0x1000: data -> NP2, 0x3000 -> RO, -0x1000:
     * wrapping to NP1), across pages (0x800), across the canonical hole
     * (#GP) or into it, to RD_HIGH's mirror, past 4 GiB (#PF); the last is
     * not canonical: WRMSR's #GP */
    static const uint64_t bases[] = {0x0,
                                     0x1000,
                                     0x800,
                                     0x3000,
                                     0xfffffffffffff000ull,
                                     0xffffffffffffe800ull,
                                     0x7fffffff6800ull,
                                     0x7fffffffc000ull,
                                     0xffff7fffffff6800ull,
                                     RD_HIGH,
                                     0x100000000ull,
                                     0x800000000000ull};
    static const uint8_t sregs[] = {0, 3, 4, 5}; /* ES DS FS GS */
    /* no null selector in 64-bit mode: what it does to the base is vendor-specific */
    unsigned k = below(g, 8), nsel = sizeof sels - g->l64;
    uint64_t base = below(g, 3) ? bases[below(g, sizeof bases / sizeof bases[0])] : rnd(g) & 0x3ff8;

    if (!g->l64 || k == 0) {
        unsigned sreg = g->l64 ? 4 + below(g, 2) : sregs[below(g, 4)];
        uint8_t sel = sels[below(g, nsel)];
        unsigned how = g->l64 ? 2 : below(g, 4);
        if (how == 0 && sreg < 4) { /* push sel; pop es/ds */
            b1(g, 0x6a), b1(g, sel), b1(g, sreg == 0 ? 0x07 : 0x1f);
            return;
        }
        if (how == 1) { /* mov dword ss:[ptr + 4], sel; les/lds/lfs/lgs eax, ss:[ptr] */
            b1(g, 0x36), b1(g, 0xc7), b1(g, 0x05), b4(g, RD_FLAGLOG + 0xff4), b4(g, sel);
            b1(g, 0x36);
            if (sreg < 4)
                b1(g, sreg == 0 ? 0xc4 : 0xc5);
            else
                b1(g, 0x0f), b1(g, 0xb0 + sreg);
            b1(g, 0x05), b4(g, RD_FLAGLOG + 0xff0);
            return;
        }
        b1(g, 0x66), b1(g, 0xb8), b1(g, sel), b1(g, 0); /* mov ax, sel; mov sreg, ax */
        b1(g, 0x8e), b1(g, 0xc0 | sreg << 3);
        if (g->l64)
            g->base[sreg - 4] = sel == RD_SEL_BASED    ? 0x1000
                                : sel == RD_SEL_WRAP   ? 0xfffff000
                                : sel == RD_SEL_BASED2 ? 0x3800
                                                       : 0;
    } else if (k < 4 && !(g->avoid & 2)) { /* mov ecx, msr; mov eax, lo; mov edx, hi; wrmsr */
        unsigned msr = below(g, 3);
        b1(g, 0xb9), b4(g, 0xc0000100u + msr);
        g->base[msr] = canon(base) ? base : g->base[msr];
        b1(g, 0xb8), b4(g, (uint32_t)base), b1(g, 0xba), b4(g, (uint32_t)(base >> 32));
        b1(g, 0x0f), b1(g, 0x30);
    } else if (k < 7) { /* mov r, imm64; wrfsbase/wrgsbase r */
        unsigned r = dst(g);
        b1(g, 0x48 | (r >> 3)), b1(g, 0xb8 + (r & 7)), b4(g, (uint32_t)base), b4(g, (uint32_t)(base >> 32));
        b1(g, 0xf3), b1(g, 0x48 | (r >> 3)), b1(g, 0x0f), b1(g, 0xae),
            b1(g, 0xc0 | (2 + (k & 1)) << 3 | (r & 7));
        g->base[k & 1] = canon(base) ? base : g->base[k & 1];
    } else {
        uint64_t gs = g->base[1];
        g->base[1] = g->base[2], g->base[2] = gs;
        b1(g, 0x0f), b1(g, 0x01), b1(g, 0xf8); /* swapgs */
    }
}

/* PG_FLAGS: what writes all the flags, some or none of them, and what
 * reads them (Jcc, SETcc, CMOVcc, ADC/SBB, RCL/RCR, CMC, PUSHF stored to
 * the log at RD_FLAGLOG, a memory access that faults and pushes them). */
/* rem_native_bit.c's forms: BT/BTS/BTR/BTC r|m, r|imm (a register offset
 * of a memory form is small and signed: the unit it selects is near the
 * address), BSWAP, CBW..CQO, DIV r|m (EDX cleared half the time, so
 * quotients fit as often as they #DE), MUL r, CMPXCHG and XADD m, r, MOV
 * r, Sreg, SETcc m8, CMOVcc r, m, PUSH imm (then POP r), the prefetches and
 * PAUSE (ROL/ROR and PUSHF are flag_insn's); what would write ESP, or ECX
 * in a loop, is an ALU op instead */
static void bit_insn(struct pg *g)
{
    unsigned k = below(g, 17), bt = below(g, 4), d = dst(g), r;
    bool w = wide(g);
    int32_t disp = (int32_t)below(g, 0x100) - 0x80;

    if (((k >= 5 && k <= 8) || k == 12) && (g->avoid & 5)) {
        alu_rr(g);
        return;
    }
    if ((k == 3 || k == 15) && d == 7) {
        alu_rr(g);
        return;
    }
    if ((k == 6 || k == 7) && below(g, 2))
        b1(g, 0xba), b4(g, below(g, 2) ? 0 : below(g, 1000)); /* mov edx, imm32 */
    switch (k) {
    case 0: op_rr(g, (const uint8_t[]){0x0f, (uint8_t)(0xa3 + 8 * bt)}, 2, src(g), d, w); break;
    case 1: op_rr(g, (const uint8_t[]){0x0f, 0xba}, 2, 4 + bt, d, w), b1(g, below(g, 256)); break;
    case 2:
    case 3:
    case 7:
        r = k == 2 ? 4 + bt : k == 7 ? 6 : d;
        if (k == 3) { /* mov r, simm32 (REX.W C7 sign-extends) */
            uint32_t off = (uint32_t)((int32_t)below(g, 600) - 300);
            if (w)
                rex(g, true, 0, 0, r), b1(g, 0xc7), b1(g, 0xc0 | (r & 7)), b4(g, off);
            else
                rex(g, false, 0, 0, r), b1(g, 0xb8 + (r & 7)), b4(g, off);
        }
        b1(g, 0xbf), b4(g, pick_addr(g, w ? 8 : 4) - (uint32_t)disp); /* mov edi, addr - disp */
        rex(g, w, r, 0, 7);
        if (k == 7)
            b1(g, 0xf7);
        else
            b1(g, 0x0f), b1(g, k == 2 ? 0xba : 0xa3 + 8 * bt);
        b1(g, 0x80 | (r & 7) << 3 | 7), b4(g, (uint32_t)disp);
        if (k == 2)
            b1(g, below(g, 256));
        break;
    case 8: /* CMPXCHG m, r; half the time rAX loaded from m first (a match) */
        b1(g, 0xbf), b4(g, pick_addr(g, w ? 8 : 4) - (uint32_t)disp);
        if (below(g, 2))
            rex(g, w, 0, 0, 7), b1(g, 0x8b), b1(g, 0x87), b4(g, (uint32_t)disp);
        r = src(g);
        rex(g, w, r, 0, 7), b1(g, 0x0f), b1(g, 0xb1), b1(g, 0x80 | (r & 7) << 3 | 7), b4(g, (uint32_t)disp);
        break;
    case 10: /* SETcc m8, after a flag writer half the time (the lazy op known) */
        if (below(g, 2))
            alu_rr(g);
        b1(g, 0xbf), b4(g, pick_addr(g, 1) - (uint32_t)disp);
        rex(g, false, 0, 0, 7), b1(g, 0x0f), b1(g, 0x90 + below(g, 16)), b1(g, 0x87), b4(g, (uint32_t)disp);
        break;
    case 11: /* PREFETCHh m8 (any page: no access), or PAUSE */
        if (below(g, 4) == 0) {
            b1(g, 0xf3), b1(g, 0x90);
            break;
        }
        b1(g, 0xbf), b4(g, pick_addr(g, 1) - (uint32_t)disp);
        b1(g, 0x0f), b1(g, 0x18), b1(g, 0x80 | below(g, 4) << 3 | 7), b4(g, (uint32_t)disp);
        break;
    case 12: op_rr(g, &(uint8_t){0xf7}, 1, 4, src(g), w); break; /* MUL r */
    case 13:
        /* PUSH imm8/imm32; POP r */
        if (below(g, 2))
            b1(g, 0x6a), b1(g, below(g, 256));
        else
            b1(g, 0x68), b4(g, (uint32_t)rnd(g));
        rex(g, false, 0, 0, d), b1(g, 0x58 + (d & 7));
        break;
    case 14: /* XADD m, r */
    case 15: /* CMOVcc r, m */
        r = k == 14 ? src(g) : d;
        b1(g, 0xbf), b4(g, pick_addr(g, w ? 8 : 4) - (uint32_t)disp);
        rex(g, w, r, 0, 7), b1(g, 0x0f), b1(g, k == 14 ? 0xc1 : 0x40 + below(g, 16));
        b1(g, 0x80 | (r & 7) << 3 | 7), b4(g, (uint32_t)disp);
        break;
    case 9: /* MOV r16/r32/r64, Sreg */
        if (below(g, 3) == 0)
            b1(g, 0x66);
        op_rr(g, &(uint8_t){0x8c}, 1, below(g, 6), d, w);
        break;
    case 4: rex(g, w, 0, 0, d), b1(g, 0x0f), b1(g, 0xc8 + (d & 7)); break; /* BSWAP */
    case 5: /* CBW/CWDE/CDQE, CWD/CDQ/CQO (66 or REX.W) */
        if (below(g, 3) == 0)
            b1(g, 0x66);
        else
            rex(g, w, 0, 0, 0);
        b1(g, below(g, 2) ? 0x98 : 0x99);
        break;
    case 6: op_rr(g, &(uint8_t){0xf7}, 1, 6, src(g), w); break; /* DIV r */
    case 16: /* TZCNT r, r|m (BSF without BMI1), the source 0, a power of two or any; pushf; pop r */
        r = dst(g);
        if (below(g, 2))
            rex(g, false, 0, 0, r), b1(g, 0xb8 + (r & 7)), b4(g, below(g, 3) ? 1u << below(g, 32) : 0);
        if (below(g, 3) == 0) {
            b1(g, 0xbf), b4(g, pick_addr(g, w ? 8 : 4) - (uint32_t)disp);
            b1(g, 0xf3), rex(g, w, d, 0, 7), b1(g, 0x0f), b1(g, 0xbc), b1(g, 0x80 | (d & 7) << 3 | 7);
            b4(g, (uint32_t)disp);
        } else {
            b1(g, 0xf3), op_rr(g, (const uint8_t[]){0x0f, 0xbc}, 2, d, r, w);
        }
        if (below(g, 2))
            b1(g, 0x9c), rex(g, false, 0, 0, d), b1(g, 0x58 | (d & 7));
        break;
    }
}

static void flag_insn(struct pg *g, unsigned depth)
{
    static const uint8_t counts[] = {1, 1, 3, 8, 31, 32, 33, 63, 64};
    unsigned k = below(g, 18), cc = below(g, 16), d;
    bool rx = false;

    switch (k) {
    case 0:
    case 1: alu_rr(g); break; /* ADC/SBB/CMP/TEST/MOV among them */
    case 2: alu_imm(g); break;
    case 3: shift(g); break;
    case 4: imul(g); break;
    case 5: incdec(g); break;
    case 6: /* SETcc r8 */
        d = reg_sized(g, 1, true, &rx);
        if (rx)
            b1(g, 0x40 | (d >> 3 & 1));
        b1(g, 0x0f), b1(g, 0x90 + cc), b1(g, 0xc0 | (d & 7));
        break;
    case 7: op_rr(g, (const uint8_t[]){0x0f, 0x40 + cc}, 2, dst(g), src(g), wide(g)); break; /* CMOVcc */
    case 8: /* pushf; pop r; mov [log], r32 */
        d = dst(g);
        b1(g, 0x9c);
        rex(g, false, 0, 0, d), b1(g, 0x58 + (d & 7));
        rex(g, false, d, 0, 0), b1(g, 0x89), b1(g, 0x04 | (d & 7) << 3), b1(g, 0x25);
        b4(g, RD_FLAGLOG + 4 * (g->log++ % 0x400));
        break;
    case 9:              /* ROL/ROR/RCL/RCR by 1 or imm8 */
        d = below(g, 4); /* not 0: imm8 follows */
        op_rr(g, &(uint8_t){d ? 0xc1 : 0xd1}, 1, below(g, 4), dst(g), wide(g));
        if (d)
            b1(g, counts[below(g, sizeof counts)]);
        break;
    case 10: op_rr(g, &(uint8_t){0xf7}, 1, 2 + below(g, 2), dst(g), wide(g)); break; /* NOT/NEG */
    case 11: b1(g, (const uint8_t[]){0xf8, 0xf9, 0xf5}[below(g, 3)]); break;         /* CLC/STC/CMC */
    case 12:
        op_rr(g, (const uint8_t[]){0x0f, 0xba}, 2, 4, src(g), wide(g)), b1(g, below(g, 256));
        break;                                        /* BT */
    case 13: b1(g, below(g, 2) ? 0x9e : 0x9f); break; /* SAHF/LAHF */
    case 14: mem_at(g, 0, true); break;
    case 15:
    case 16: bit_insn(g); break;
    default:
        if (depth < 2)
            skip(g, depth);
        else
            alu_rr(g);
        break;
    }
}

/* PG_SSE: CR0.TS/EM set or CR4.OSFXSR cleared now and then (#NM, #UD),
 * all three put right more often (EAX is the scratch register) */
static void sse_ctl(struct pg *g)
{
    static const uint32_t bad[] = {CR0_TS, CR0_EM, CR4_OSFXSR};
    unsigned k = below(g, 4);
    if (g->avoid & 1)
        return;
    if (k < 3) { /* mov eax, crN; xor eax, bit; mov crN, eax */
        unsigned cr = k == 2 ? 4 : 0;
        b1(g, 0x0f), b1(g, 0x20), b1(g, 0xc0 | cr << 3);
        b1(g, 0x35), b4(g, bad[k]);
        b1(g, 0x0f), b1(g, 0x22), b1(g, 0xc0 | cr << 3);
        return;
    }
    b1(g, 0x0f), b1(g, 0x06); /* clts; mov eax, cr0; and eax, ~EM; mov cr0, eax; mov eax, cr4; or eax, OSFXSR; mov cr4, eax */
    b1(g, 0x0f), b1(g, 0x20), b1(g, 0xc0);
    b1(g, 0x25), b4(g, ~CR0_EM);
    b1(g, 0x0f), b1(g, 0x22), b1(g, 0xc0);
    b1(g, 0x0f), b1(g, 0x20), b1(g, 0xe0);
    b1(g, 0x0d), b4(g, CR4_OSFXSR);
    b1(g, 0x0f), b1(g, 0x22), b1(g, 0xe0);
}

/* mov edi, an address (pick_addr) - disp, and now and then a segment
 * prefix for the access at [edi + disp] */
static void mem_edi(struct pg *g, unsigned size, int32_t disp)
{
    b1(g, 0xbf), b4(g, pick_addr(g, size) - (uint32_t)disp);
    if (below(g, 3) == 0) /* a segment seg_item may have given a base (64-bit: FS/GS, not 16-aligned) */
        b1(g, g->l64 ? 0x64 + below(g, 2) : (const uint8_t[]){0x26, 0x36, 0x3e, 0x64, 0x65}[below(g, 5)]);
}

/* PG_SSE: the SSSE3/SSE4 forms (PSHUFB, PALIGNR, PTEST, PCMPISTRI,
 * PCMPISTRM) with register and memory operands, their inputs shortened
 * now and then (psrldq: zero bytes end the strings) and their flags read
 * at once now and then (pushf; pop r) */
static void sse4_insn(struct pg *g)
{
    static const struct {
        uint8_t map, op;
    } ops[] = {{0x38, 0x00}, {0x3a, 0x0f}, {0x38, 0x17}, {0x3a, 0x63}, {0x3a, 0x62}};
    unsigned i = below(g, 5), x = below(g, nregs(g)), y = below(g, nregs(g));
    bool mem = below(g, 2);
    int32_t disp = (int32_t)below(g, 0x100) - 0x80;

    if (i == 3 && (g->avoid & 2)) /* PCMPISTRI writes ECX */
        i = 4;
    if (below(g, 2)) { /* psrldq x or y, n */
        unsigned r = below(g, 2) ? x : y;
        b1(g, 0x66), rex(g, false, 0, 0, r), b1(g, 0x0f), b1(g, 0x73), b1(g, 0xd8 | (r & 7)), b1(g, below(g, 17));
    }
    if (mem)
        mem_edi(g, 16, disp);
    b1(g, 0x66);
    rex(g, false, x, 0, mem ? 7 : y);
    b1(g, 0x0f), b1(g, ops[i].map), b1(g, ops[i].op);
    if (mem)
        b1(g, 0x80 | (x & 7) << 3 | 7), b4(g, (uint32_t)disp);
    else
        b1(g, 0xc0 | (x & 7) << 3 | (y & 7));
    if (ops[i].map == 0x3a) /* PALIGNR: mostly a shift within the 32 bytes */
        b1(g, i == 1 && below(g, 4) ? below(g, 33) : below(g, 256));
    if (ops[i].op != 0x00 && ops[i].op != 0x0f && below(g, 3)) { /* the flags read at once */
        unsigned r = dst(g), how = r < 4 || (g->l64 && r < 8) ? below(g, 3) : 0;
        if (how == 0) { /* pushf; pop r */
            b1(g, 0x9c), rex(g, false, 0, 0, r), b1(g, 0x58 | (r & 7));
        } else if (how == 1) { /* setcc r8 (REX: not AH-BH) */
            if (g->l64)
                b1(g, 0x40);
            b1(g, 0x0f), b1(g, 0x90 + below(g, 16)), b1(g, 0xc0 | r);
        } else { /* jcc over add r32, r32 */
            b1(g, 0x70 + below(g, 16)), b1(g, 2), b1(g, 0x01), b1(g, 0xc0 | r << 3 | r);
        }
    }
}

/* PG_SSE: legacy SSE/SSE2 forms with register and memory operands
 * (aligned, misaligned, across pages, faulting), among them ones REM
 * hands to IEM (PMULLW) */
static void sse_insn(struct pg *g)
{
    static const struct {
        uint8_t pfx, op, kind, size;
        /* kind: 0 xmm, xmm/m; 1 m, xmm (store; register form swapped); 2 shift by imm (ext in size);
         * 3 PSHUFD; 4 PMOVMSKB; 5 MOVD/MOVQ xmm, r/m; 6 MOVD/MOVQ r/m, xmm */
    } ops[] = {
        {0x66, 0x6f, 0, 16}, {0x66, 0x7f, 1, 16}, {0xf3, 0x6f, 0, 16}, {0xf3, 0x7f, 1, 16}, {0, 0x28, 0, 16},
        {0, 0x29, 1, 16},    {0, 0x10, 0, 16},    {0, 0x11, 1, 16},    {0x66, 0x28, 0, 16}, {0x66, 0x11, 1, 16},
        {0xf3, 0x6f, 0, 16}, {0xf3, 0x7f, 1, 16}, {0x66, 0xef, 0, 16}, {0x66, 0xeb, 0, 16}, {0x66, 0xdb, 0, 16},
        {0x66, 0xdf, 0, 16}, {0, 0x57, 0, 16},    {0x66, 0x54, 0, 16}, {0x66, 0x74, 0, 16}, {0x66, 0x75, 0, 16},
        {0x66, 0x76, 0, 16}, {0x66, 0x64, 0, 16}, {0x66, 0x66, 0, 16}, {0x66, 0xfc, 0, 16}, {0x66, 0xfd, 0, 16},
        {0x66, 0xfe, 0, 16}, {0x66, 0xd4, 0, 16}, {0x66, 0xf8, 0, 16}, {0x66, 0xf9, 0, 16}, {0x66, 0xfa, 0, 16},
        {0x66, 0xfb, 0, 16}, {0x66, 0xda, 0, 16}, {0x66, 0xde, 0, 16}, {0x66, 0x60, 0, 16}, {0x66, 0x61, 0, 16},
        {0x66, 0x62, 0, 16}, {0x66, 0x6c, 0, 16}, {0x66, 0x68, 0, 16}, {0x66, 0x6a, 0, 16}, {0x66, 0x6d, 0, 16},
        {0x66, 0x71, 2, 2},  {0x66, 0x71, 2, 4},  {0x66, 0x71, 2, 6},  {0x66, 0x72, 2, 2},  {0x66, 0x72, 2, 4},
        {0x66, 0x72, 2, 6},  {0x66, 0x73, 2, 2},  {0x66, 0x73, 2, 3},  {0x66, 0x73, 2, 6},  {0x66, 0x73, 2, 7},
        {0x66, 0x70, 3, 16}, {0x66, 0xd7, 4, 0},  {0x66, 0xd7, 4, 0},  {0x66, 0x6e, 5, 4},  {0x66, 0x7e, 6, 4},
        {0x66, 0x6e, 5, 4},  {0x66, 0x7e, 6, 4},  {0xf3, 0x7e, 5, 8},  {0x66, 0xd6, 6, 8},  {0x66, 0xd5, 0, 16},
        {0x66, 0xd1, 0, 16}, {0xf3, 0x10, 0, 4},  {0x66, 0xd2, 0, 16}, {0x66, 0xd3, 0, 16}, {0x66, 0xe1, 0, 16},
        {0x66, 0xe2, 0, 16}, {0x66, 0xf1, 0, 16}, {0x66, 0xf2, 0, 16}, {0x66, 0xf3, 0, 16}, {0x66, 0x6f, 0, 16},
        {0xf2, 0x10, 0, 8},  {0xf2, 0x11, 1, 8},  {0xf3, 0x11, 1, 4},  {0xf2, 0x10, 0, 8},  {0xf2, 0x11, 1, 8},
    };
    unsigned i = below(g, sizeof ops / sizeof ops[0]), kind = ops[i].kind, size = ops[i].size;
    unsigned x = below(g, nregs(g)), y = below(g, nregs(g));
    bool w = (kind == 5 || kind == 6) && wide(g); /* MOVD becomes MOVQ with REX.W */
    bool mem = (kind <= 1 || kind == 3 || kind >= 5) && below(g, 2);
    int32_t disp = (int32_t)below(g, 0x100) - 0x80;

    if (w)
        size = 8;
    if (kind == 4 || (kind >= 5 && !mem && ops[i].op != 0xd6 && ops[i].pfx != 0xf3)) /* a GPR */
        y = kind == 4 || kind == 6 ? dst(g) : src(g);
    if (!mem && kind == 0 && (ops[i].op & 0x0f) <= 3 && ops[i].op >= 0xd1 && below(g, 2)) {
        /* a shift count below 64 first: psrlq y, 58 */
        b1(g, 0x66), rex(g, false, 0, 0, y), b1(g, 0x0f), b1(g, 0x73), b1(g, 0xd0 | (y & 7)), b1(g, 58);
    }
    if (mem)
        mem_edi(g, size, disp);
    if (ops[i].pfx)
        b1(g, ops[i].pfx);
    if (kind == 2) { /* 66 0F 7x /ext ib: rm is the XMM register */
        rex(g, false, 0, 0, x);
        b1(g, 0x0f), b1(g, ops[i].op), b1(g, 0xc0 | size << 3 | (x & 7)), b1(g, below(g, 2) ? below(g, 20) : below(g, 256));
        return;
    }
    if (kind == 4) { /* PMOVMSKB r32, xmm: reg is the GPR */
        rex(g, false, y, 0, x);
        b1(g, 0x0f), b1(g, 0xd7), b1(g, 0xc0 | (y & 7) << 3 | (x & 7));
        return;
    }
    rex(g, w, x, 0, mem ? 7 : y);
    b1(g, 0x0f), b1(g, ops[i].op);
    if (mem)
        b1(g, 0x80 | (x & 7) << 3 | 7), b4(g, (uint32_t)disp);
    else
        b1(g, 0xc0 | (x & 7) << 3 | (y & 7));
    if (kind == 3)
        b1(g, below(g, 256));
}

/* xor ecx, ecx; xor edx, edx; mov eax, xcr0; xsetbv */
static void set_xcr0(struct pg *g, uint32_t xcr0)
{
    b1(g, 0x31), b1(g, 0xc9), b1(g, 0x31), b1(g, 0xd2);
    b1(g, 0xb8), b4(g, xcr0);
    b1(g, 0x0f), b1(g, 0x01), b1(g, 0xd1);
}

/* PG_AVX: CR0.TS set, CR4.OSXSAVE toggled or XCR0.AVX cleared now and
 * then (#NM, #UD), all put right more often (EAX, ECX, EDX scratch) */
static void avx_ctl(struct pg *g)
{
    unsigned k = below(g, 5);
    if (g->avoid & 7)
        return;
    if (k < 2) { /* mov eax, crN; xor eax, bit; mov crN, eax */
        unsigned cr = k ? 4 : 0;
        b1(g, 0x0f), b1(g, 0x20), b1(g, 0xc0 | cr << 3);
        b1(g, 0x35), b4(g, k ? CR4_OSXSAVE : CR0_TS);
        b1(g, 0x0f), b1(g, 0x22), b1(g, 0xc0 | cr << 3);
        return;
    }
    if (k == 2) {
        set_xcr0(g, XCR0_X87 | XCR0_SSE); /* #UD when CR4.OSXSAVE is clear */
        return;
    }
    b1(g, 0x0f), b1(g, 0x06); /* clts; mov eax, cr4; or eax, OSXSAVE | OSFXSR; mov cr4, eax */
    b1(g, 0x0f), b1(g, 0x20), b1(g, 0xe0);
    b1(g, 0x0d), b4(g, CR4_OSXSAVE | CR4_OSFXSR);
    b1(g, 0x0f), b1(g, 0x22), b1(g, 0xe0);
    set_xcr0(g, XCR0_X87 | XCR0_SSE | XCR0_AVX);
}

/* VEX prefix: the 2-byte form when it can say it, else the 3-byte one */
static void vex(struct pg *g, unsigned reg, unsigned rm, unsigned map, bool w, unsigned vvvv, unsigned l,
                unsigned pp)
{
    unsigned r = ~reg >> 3 & 1, b = ~rm >> 3 & 1, v = ~vvvv & 15;
    if (b && map == 1 && !w && below(g, 2)) {
        b1(g, 0xc5), b1(g, r << 7 | v << 3 | l << 2 | pp);
        return;
    }
    b1(g, 0xc4), b1(g, r << 7 | 1 << 6 | b << 5 | map);
    b1(g, (w ? 0x80u : 0) | v << 3 | l << 2 | pp);
}

/* PG_AVX: VEX.128 and VEX.256 forms with register and memory operands
 * (aligned, misaligned, across pages, faulting), an unused VEX.vvvv not
 * 1111b, VEX.L=1 where only L=0 exists, a 66/F2/F3 prefix before VEX
 * (#UD each), and VPMULLW, VZEROALL that REM hands to IEM */
static void avx_insn(struct pg *g)
{
    static const struct {
        uint8_t pp, map, op, kind;
        /* kind: 0 v, v/m; 1 m, v (store; register form swapped); 2 v, vvvv, v/m; 3 VPMOVMSKB r, v;
         * 4 VPBROADCASTB v, xmm/m8; 5 VZEROUPPER; 6 VMOVD/Q xmm, r/m; 7 VMOVD/Q r/m, xmm;
         * 8 VMOVQ xmm, xmm/m64; 9 VMOVQ xmm/m64, xmm */
    } ops[] = {
        {2, 1, 0x6f, 0}, {2, 1, 0x7f, 1}, {1, 1, 0x6f, 0}, {1, 1, 0x7f, 1}, {0, 1, 0x10, 0}, {0, 1, 0x11, 1},
        {0, 1, 0x28, 0}, {0, 1, 0x29, 1}, {1, 1, 0x28, 0}, {1, 1, 0x11, 1}, {2, 1, 0x6f, 0}, {2, 1, 0x7f, 1},
        {1, 1, 0xef, 2}, {1, 1, 0xeb, 2}, {1, 1, 0xdb, 2}, {1, 1, 0xdf, 2}, {1, 1, 0x74, 2}, {1, 1, 0x75, 2},
        {1, 1, 0x76, 2}, {1, 1, 0x64, 2}, {1, 1, 0xda, 2}, {1, 1, 0xde, 2}, {1, 1, 0xf8, 2}, {1, 1, 0xd5, 2},
        {1, 1, 0x74, 2}, {1, 1, 0xda, 2}, {1, 1, 0xd7, 3}, {1, 1, 0xd7, 3}, {1, 2, 0x78, 4}, {1, 2, 0x78, 4},
        {0, 1, 0x77, 5}, {1, 1, 0x6e, 6}, {1, 1, 0x7e, 7}, {2, 1, 0x7e, 8}, {1, 1, 0xd6, 9},
    };
    unsigned i = below(g, sizeof ops / sizeof ops[0]), kind = ops[i].kind;
    unsigned x = below(g, nregs(g)), y = below(g, nregs(g)), vvvv = 0;
    unsigned l = kind <= 4 ? below(g, 2) : below(g, 16) == 0;
    bool w = (kind == 6 || kind == 7) && wide(g);
    bool mem = kind != 3 && kind != 5 && below(g, 2);
    unsigned size = kind <= 2 ? 16u << l : kind == 4 ? 1 : kind >= 8 || w ? 8 : 4;
    int32_t disp = (int32_t)below(g, 0x100) - 0x80;

    if (kind == 2)
        vvvv = below(g, nregs(g));
    else if (below(g, 40) == 0)
        vvvv = 1 + below(g, nregs(g) - 1);
    if (kind == 3)
        x = dst(g);
    else if ((kind == 6 || kind == 7) && !mem)
        y = kind == 7 ? dst(g) : src(g);
    if (mem)
        mem_edi(g, size, disp);
    if (below(g, 60) == 0)
        b1(g, (const uint8_t[]){0x66, 0xf2, 0xf3}[below(g, 3)]);
    if (kind == 5) {
        vex(g, 0, 0, 1, false, vvvv, l, 0);
        b1(g, 0x77);
        return;
    }
    vex(g, x, mem ? 0 : y, ops[i].map, w, vvvv, l, ops[i].pp);
    b1(g, ops[i].op);
    if (mem)
        b1(g, 0x80 | (x & 7) << 3 | 7), b4(g, (uint32_t)disp);
    else
        b1(g, 0xc0 | (x & 7) << 3 | (y & 7));
}

static void item(struct pg *g, unsigned depth)
{
    if (g->mode == PG_AVX && below(g, 2)) {
        if (below(g, 30) == 0)
            avx_ctl(g);
        else if (below(g, 20) == 0)
            seg_item(g);
        else if (below(g, 5) == 0)
            sse_insn(g);
        else
            avx_insn(g);
        return;
    }
    if (g->mode == PG_SSE && below(g, 2)) {
        if (below(g, 30) == 0)
            sse_ctl(g);
        else if (below(g, 20) == 0)
            seg_item(g);
        else if (below(g, 4) == 0)
            sse4_insn(g);
        else
            sse_insn(g);
        return;
    }
    if (g->mode == PG_SEG && below(g, 3) == 0) {
        if (below(g, 4))
            mem_sized(g);
        else
            seg_item(g);
        return;
    }
    if (g->mode == PG_FLAGS && below(g, 4)) {
        flag_insn(g, depth);
        return;
    }
    unsigned k = below(g, depth < 2 ? 16 : 12);
    switch (k) {
    case 0:
    case 1: alu_rr(g); break;
    case 2: alu_imm(g); break;
    case 3: mov_imm(g); break;
    case 4: lea(g); break;
    case 5: imul(g); break;
    case 6:
    case 7: shift(g); break;
    case 8:
        if (below(g, 2))
            incdec(g);
        else
            bit_insn(g);
        break;
    case 9:
    case 10: mem_at(g, 0, true); break;
    case 11: mem_at(g, RD_DATA + below(g, 0x1ff0), true); break;
    case 12: skip(g, depth); break;
    case 13: call_ret(g, depth); break;
    case 14: push_pop(g, depth); break;
    default:
        if (depth == 0)
            loop(g);
        else
            skip(g, depth);
        break;
    }
}

/* A program: top-level items, each after `mov dword [RD_RESUME], next`;
 * past PG_BASE that store is SS's (DS may have a base or a limit) and
 * each item has a stack of its own, so every exception frame (RFLAGS
 * with it) stays in the memory compared. */
static void gen_program(struct pg *g)
{
    g->n = 0;
    g->avoid = 1u << 4;
    g->log = 0;
    memset(g->base, 0, sizeof g->base);
    if (g->mode == PG_SSE) { /* CR4.OSFXSR first: mov eax, cr4; or eax, OSFXSR; mov cr4, eax */
        static const uint8_t set[] = {0x0f, 0x20, 0xe0, 0x0d, 0, 2, 0, 0, 0x0f, 0x22, 0xe0};
        memcpy(g->code, set, sizeof set);
        g->n = sizeof set;
    }
    if (g->mode == PG_AVX) { /* CR4.OSFXSR and OSXSAVE, XCR0 with AVX */
        b1(g, 0x0f), b1(g, 0x20), b1(g, 0xe0);
        b1(g, 0x0d), b4(g, CR4_OSXSAVE | CR4_OSFXSR);
        b1(g, 0x0f), b1(g, 0x22), b1(g, 0xe0);
        set_xcr0(g, XCR0_X87 | XCR0_SSE | XCR0_AVX);
    }
    for (unsigned slot = 0; g->n + ROOM + 16 < sizeof g->code; slot++) {
        if (g->mode != PG_BASE)
            b1(g, 0x36);
        size_t at = g->n;
        b1(g, 0xc7), b1(g, 0x04), b1(g, 0x25), b4(g, RD_RESUME), b4(g, 0); /* mov dword [abs], imm32 */
        if (g->mode != PG_BASE)
            b1(g, 0xbc), b4(g, TESTVM_STACK - 0x40 * (slot % 96)); /* mov esp, imm32 */
        if (g->mode == PG_FLAGS && below(g, 4))                    /* a straight run */
            for (unsigned k = 8 + below(g, 24); k && g->n + 120 < sizeof g->code; k--)
                item(g, 1);
        else if (below(g, 3) == 0)
            loop(g);
        else
            item(g, 0);
        memcpy(g->code + at + 7, &(uint32_t){RD_CODE + (uint32_t)g->n}, 4);
    }
    b1(g, 0xf4);
    cr_assert_lt(g->n, sizeof g->code);
}

static void run_model(enum rd_mode mode, enum pg_mode pm, uint64_t seed, unsigned nprog, const char *model)
{
    static const char *const names[] = {"", " seg", " flags", " sse", " avx"};
    static struct pg g;
    const struct rd_setup setup = {mode, true, model};
    struct rd_stats st = {0, 0, 0};
    const char *name = mode == RD_LONG64 ? "long64" : "paged32";

    g.s = seed;
    g.l64 = mode == RD_LONG64;
    g.mode = pm;
    for (unsigned prog = 0; prog < nprog; prog++) {
        uint64_t gpr[16];
        char what[48];
        gen_program(&g);
        for (unsigned i = 0; i < 16; i++)
            gpr[i] = g.l64 ? rnd(&g) : rnd(&g) & 0xffffffffu;
        snprintf(what, sizeof what, "%s%s program %u", name, names[pm], prog);
        rd_run_both(g.code, g.n, gpr, 60000, what, &setup, &st);
    }
    fprintf(stderr, "rem/native %s%s: %u programs, %llu instructions, %llu natively, %llu exceptions\n", name,
            names[pm], nprog, (unsigned long long)st.insns, (unsigned long long)st.native,
            (unsigned long long)st.faults);
    cr_expect_gt(st.native, st.insns / 4, "tier 2 ran only %llu of %llu instructions natively",
                 (unsigned long long)st.native, (unsigned long long)st.insns);
    cr_expect_gt(st.faults, nprog, "only %llu exceptions", (unsigned long long)st.faults);
}

static void run_programs(enum rd_mode mode, enum pg_mode pm, uint64_t seed, unsigned nprog)
{
    run_model(mode, pm, seed, nprog, NULL);
}

Test(rem, native_paged32_matches_iem, .timeout = 300)
{
    run_programs(RD_PAGED, PG_BASE, 0xc0ffee11ull, 120);
}
Test(rem, native_long64_matches_iem, .timeout = 300)
{
    run_programs(RD_LONG64, PG_BASE, 0x64b17c0dull, 120);
}
/* FS/GS bases (64-bit) and DS/ES/FS/GS with a base or a limit (32-bit)
 * changing between accesses: the inline lookup with the base added, the
 * call path, #GP for limits and non-canonical addresses, #PF past them. */
Test(rem, native_seg_paged32_matches_iem, .timeout = 300)
{
    run_programs(RD_PAGED, PG_SEG, 0x5e9a11ull, 60);
}
Test(rem, native_seg_long64_matches_iem, .timeout = 300)
{
    run_programs(RD_LONG64, PG_SEG, 0xf5b45eull, 60);
}
/* Long runs of flag writers and readers with faults among them: the
 * flags REM leaves unproduced must be those no one could read. */
Test(rem, native_flags_paged32_matches_iem, .timeout = 300)
{
    run_programs(RD_PAGED, PG_FLAGS, 0xf1a65ull, 80);
}
Test(rem, native_flags_long64_matches_iem, .timeout = 300)
{
    run_programs(RD_LONG64, PG_FLAGS, 0xf1a6564ull, 80);
}
/* SSE/SSE2 moves and integer ops among the rest, with #NM, #UD (CR0.TS,
 * CR0.EM, CR4.OSFXSR toggled by the program), #GP (misaligned) and #PF */
Test(rem, native_sse_paged32_matches_iem, .timeout = 300)
{
    run_programs(RD_PAGED, PG_SSE, 0x55e2ull, 80);
}
Test(rem, native_sse_long64_matches_iem, .timeout = 300)
{
    run_programs(RD_LONG64, PG_SSE, 0x55e264ull, 80);
}
/* A model with SSE but not SSE2 (-cpu pentium3): IEM's #UD for the SSE2
 * forms, while MOVAPS/MOVUPS/XORPS run */
Test(rem, native_sse_pentium3_matches_iem, .timeout = 300)
{
    run_model(RD_PAGED, PG_SSE, 0x9e3ull, 40, "pentium3");
}
/* A model without SSSE3 and SSE4 (-cpu qemu64): IEM's #UD for PSHUFB,
 * PALIGNR, PTEST, PCMPISTRI and PCMPISTRM */
Test(rem, native_sse_qemu64_matches_iem, .timeout = 300)
{
    run_model(RD_PAGED, PG_SSE, 0x64e3ull, 40, "qemu64");
}
/* VEX.128/VEX.256 moves, logic, compares, VPMOVMSKB, VPBROADCASTB,
 * VZEROUPPER, VMOVD/VMOVQ among legacy SSE and the rest, with #NM, #UD
 * (CR0.TS, CR4.OSXSAVE, XCR0 toggled by the program; bad VEX encodings),
 * #GP (misaligned VMOVDQA/VMOVAPS) and #PF */
Test(rem, native_avx_paged32_matches_iem, .timeout = 300)
{
    run_programs(RD_PAGED, PG_AVX, 0xa7c2ull, 80);
}
Test(rem, native_avx_long64_matches_iem, .timeout = 300)
{
    run_programs(RD_LONG64, PG_AVX, 0xa7c264ull, 80);
}
/* A model with AVX but not AVX2 (-cpu SandyBridge): IEM's #UD for
 * VPBROADCASTB and the VEX.256 integer forms, while VEX.256 moves run.
 * In long mode rd_make_vm sets CR4.FSGSBASE, which the model lacks (every
 * MOV to CR4 would #GP, OSXSAVE never set): fsgsbase is added there. */
Test(rem, native_avx_sandybridge_matches_iem, .timeout = 300)
{
    run_model(RD_PAGED, PG_AVX, 0x5b17ull, 40, "SandyBridge");
}
Test(rem, native_avx_sandybridge64_matches_iem, .timeout = 300)
{
    run_model(RD_LONG64, PG_AVX, 0x5b1764ull, 40, "SandyBridge,+fsgsbase");
}

/* Each condition (SETcc and Jcc) right after SHL/SHR/SAR of every size,
 * by an immediate, by 1 and by CL, with counts whose masked value is 0
 * (no flag changes: the state before must show through, be it lazy of
 * another size or concrete) and past the width, logged to memory. */
Test(rem, native_shift_conditions_match_iem, .timeout = 300)
{
    static const struct {
        uint8_t n, b[4];
    } before[] = {
        {0, {0}}, {3, {0x0f, 0xaf, 0xc3}} /* imul eax, ebx */, {1, {0xf9}} /* stc */,
        {2, {0x38, 0xd8}} /* cmp al, bl */, {3, {0x48, 0x01, 0xd8}} /* add rax, rbx */, {1, {0x9e}} /* sahf */,
    };
    static const struct {
        uint8_t n, b[4];
    } shifts[] = {
        {3, {0xc1, 0xe1, 0x20}},       /* shl ecx, 32 */
        {4, {0x48, 0xc1, 0xe9, 0x40}}, /* shr rcx, 64 */
        {3, {0xc0, 0xf9, 0x00}},       /* sar cl, 0 */
        {4, {0x66, 0xc1, 0xe1, 0x10}}, /* shl cx, 16 */
        {3, {0xc0, 0xe1, 0x09}},       /* shl cl, 9 */
        {3, {0xc1, 0xe9, 0x08}},       /* shr ecx, 8 */
        {2, {0xd1, 0xe1}},             /* shl ecx, 1 */
        {3, {0x48, 0xd1, 0xf9}},       /* sar rcx, 1 */
        {4, {0x48, 0xc1, 0xe1, 0x3f}}, /* shl rcx, 63 */
        {3, {0xc1, 0xf9, 0x1f}},       /* sar ecx, 31 */
        {2, {0xd3, 0xe9}},             /* shr ecx, cl */
        {3, {0x48, 0xd3, 0xe1}},       /* shl rcx, cl */
        {3, {0xc0, 0xe9, 0x03}},       /* shr cl, 3 */
        {4, {0x66, 0xc1, 0xf9, 0x05}}, /* sar cx, 5 */
    };
    /* cl: 0, 1 (0x81 masked), 1, 31/63, 32 */
    static const uint32_t vals[] = {0x80000000u, 0x40000081u, 0x7ffffe01u, 0xffffffffu, 0x20u};
    const struct rd_setup setup = {RD_LONG64, true, NULL};
    struct rd_stats st = {0, 0, 0};
    static struct pg g;

    for (unsigned p = 0; p < sizeof before / sizeof before[0]; p++)
        for (unsigned s = 0; s < sizeof shifts / sizeof shifts[0]; s++) {
            uint64_t gpr[16];
            char what[48];
            unsigned slot = 0;
            g.n = 0;
            for (unsigned v = 0; v < sizeof vals / sizeof vals[0]; v++)
                for (unsigned cc = 0; cc < 16; cc++) {
                    b1(&g, 0xb9), b4(&g, vals[v]);               /* mov ecx, imm32 */
                    b1(&g, 0x48), b1(&g, 0x63), b1(&g, 0xc9);    /* movsxd rcx, ecx */
                    for (unsigned i = 0; i < before[p].n; i++)
                        b1(&g, before[p].b[i]);
                    for (unsigned i = 0; i < shifts[s].n; i++)
                        b1(&g, shifts[s].b[i]);
                    b1(&g, 0x0f), b1(&g, 0x90 + cc), b1(&g, 0xc2); /* setcc dl */
                    b1(&g, 0x70 + cc), b1(&g, 3);                  /* jcc +3 */
                    b1(&g, 0x80), b1(&g, 0xca), b1(&g, 2);         /* or dl, 2 */
                    b1(&g, 0x88), b1(&g, 0x14), b1(&g, 0x25), b4(&g, RD_FLAGLOG + slot++); /* mov [abs], dl */
                }
            b1(&g, 0xf4);
            cr_assert_lt(g.n, sizeof g.code);
            for (unsigned i = 0; i < 16; i++)
                gpr[i] = 0x0123456789abcdefull * (i + 1);
            snprintf(what, sizeof what, "shift %u after %u", s, p);
            rd_run_both(g.code, g.n, gpr, 60000, what, &setup, &st);
        }
    cr_expect_gt(st.native, st.insns / 2, "tier 2 ran only %llu of %llu instructions natively",
                 (unsigned long long)st.native, (unsigned long long)st.insns);
}
