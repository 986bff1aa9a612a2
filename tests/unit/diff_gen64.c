/* Instruction generator for the differential test in 64-bit mode.
 *
 * Same scheme as diff_gen.c (templates from diff_tmpl.c, operands chosen
 * from the current state so nothing faults, fixups before the instruction),
 * with what 64-bit mode adds: 16 registers through REX.R/X/B, REX.W 64-bit
 * operands, SPL/BPL/SIL/DIL with any REX versus AH-BH without, RIP-relative
 * and SIB-absolute memory operands, 64-bit address arithmetic (a base or
 * index far from the data page gets a displacement or a base register that
 * wraps it there), the 0x67 prefix (32-bit addresses, ESI/EDI/ECX), 128-by-
 * 64 division, 64-bit bit offsets, CMPXCHG16B and MOV r64, imm64.
 * Fixups are MOV r64, imm64 (REX.W B8+r).
 */
#include <string.h>

#include "diff_gen.h"
#include "diff_tmpl.h"

/* One operand set being encoded. */
struct op64 {
    unsigned osz, msz, asz; /* operand, memory-operand and address size in bytes */
    bool rex, w, mem;
    unsigned regf, rmr;     /* ModRM.reg and register r/m, 0-15 */
    uint8_t mb[8];          /* ModRM, SIB, displacement */
    unsigned mlen, xb;      /* ... their length; REX.X/REX.B bits */
    int dpos;               /* RIP-relative: offset of disp32 in mb, else -1 */
    uint64_t ea;
};

#define AVOID_FIX ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 4)) /* never re-based: RAX RCX RDX RSP */

static void fix(struct batch *b, unsigned reg, uint64_t val)
{
    struct dinsn *d = d_insn_new(b, "fixup");
    d->b[d->len++] = (uint8_t)(0x48 | reg >> 3);
    d->b[d->len++] = (uint8_t)(0xb8 + (reg & 7));
    d_insn_put(d, val, 8);
    d_insn_done(b, d);
    b->st.r[reg] = val;
}

static uint64_t zext(uint64_t v, unsigned size) { return size >= 8 ? v : v & ((1ull << (8 * size)) - 1); }
static int64_t sext(uint64_t v, unsigned size)
{
    return size >= 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * size)) >> (64 - 8 * size);
}

static uint64_t reg_val(const struct dstate *st, unsigned reg, unsigned size, bool rex)
{
    if (size == 1 && !rex && reg >= 4)
        return (st->r[reg - 4] >> 8) & 0xff;
    return zext(st->r[reg], size);
}

static uint64_t mem_val(const struct batch *b, uint64_t ea, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++)
        v |= (uint64_t)b->g->mem[(ea + i) & 0xffff] << (8 * i);
    return v;
}

static unsigned pick(struct batch *b, unsigned nreg, bool written, unsigned size, bool rex)
{
    unsigned r = d_below(&b->g->rng, nreg);
    return (written && r == 4 && (size > 1 || rex)) ? 5 + d_below(&b->g->rng, nreg - 5) : r;
}

static bool fits32(int64_t v) { return v == (int32_t)v; }

/* ModRM/SIB/displacement for a memory operand at an address in [lo, hi]
 * (anywhere: LEA, any address). May emit a fixup re-basing a register not
 * in `avoid`. */
static void enc_mem(struct batch *b, struct op64 *o, uint64_t lo, uint64_t hi, bool anywhere, unsigned avoid)
{
    uint64_t *rng = &b->g->rng;
    unsigned nreg = o->rex || (o->osz != 1 && o->msz != 1) ? 16 : 8, rf = (o->regf & 7) << 3;
    uint64_t amask = o->asz == 4 ? 0xffffffffull : ~0ull, ea = lo + d_below(rng, (unsigned)(hi - lo + 1)), sum;
    unsigned form = d_below(rng, 8), mod;
    int base, index, scale;
    bool sib, nobase;
    int64_t disp;

    o->mlen = 0;
    o->xb = 0;
    o->dpos = -1;
    if (form >= 2)
        goto general;
simple:
    if (form == 0) { /* [rip + disp32] */
        o->mb[0] = (uint8_t)(rf | 5);
        o->dpos = 1;
        o->mlen = 5;
    } else { /* [disp32] through SIB (no base, no index) */
        o->mb[0] = (uint8_t)(rf | 4);
        o->mb[1] = 0x25;
        memcpy(o->mb + 2, &(uint32_t){(uint32_t)(anywhere ? d_interesting(rng) : ea)}, 4);
        o->mlen = 6;
    }
    o->ea = ea;
    return;
general:
    base = (int)d_below(rng, nreg);
    index = d_below(rng, 3) ? -1 : (int)d_below(rng, nreg);
    if (index == 4)
        index = -1; /* SIB index 100 without REX.X: none (R12 is a valid index) */
    scale = (int)d_below(rng, 4);
    sib = index >= 0 || (base & 7) == 4 || d_below(rng, 4) == 0;
    nobase = sib && index >= 0 && d_below(rng, 8) == 0;
    sum = ((nobase ? 0 : b->st.r[base]) + (index >= 0 ? b->st.r[index] << scale : 0)) & amask;
    if (anywhere) {
        disp = d_below(rng, 2) ? (int8_t)d_rand32(rng) : (int32_t)d_interesting(rng);
    } else {
        if (sum >= lo && sum <= hi && d_below(rng, 4))
            ea = sum + (d_below(rng, 2) ? 0 : d_below(rng, (unsigned)(hi - sum < 127 ? hi - sum : 127) + 1));
        disp = o->asz == 4 ? (int32_t)(uint32_t)(ea - sum) : (int64_t)(ea - sum);
        if (!fits32(disp)) {
            if (nobase || base == index || (avoid >> base & 1) || d_below(rng, 3) == 0) {
                form = d_below(rng, 2);
                goto simple;
            }
            disp = d_below(rng, 2) ? (int8_t)d_rand32(rng) : (int32_t)d_rand32(rng);
            fix(b, (unsigned)base, ea - (uint64_t)disp - (index >= 0 ? b->st.r[index] << scale : 0));
        }
    }
    if (nobase)
        mod = 0;
    else if (disp == 0 && (base & 7) != 5)
        mod = 0;
    else
        mod = disp == (int8_t)disp ? 1 : 2;
    o->mb[o->mlen++] = (uint8_t)(mod << 6 | rf | (sib ? 4 : (base & 7)));
    if (sib) {
        o->mb[o->mlen++] = (uint8_t)(scale << 6 | (index >= 0 ? index & 7 : 4) << 3 | (nobase ? 5 : base & 7));
        o->xb |= index >= 8 ? 2 : 0;
    }
    o->xb |= !nobase && base >= 8 ? 1 : 0;
    for (unsigned i = 0; i < (mod == 1 ? 1u : (mod == 2 || nobase) ? 4u : 0u); i++)
        o->mb[o->mlen++] = (uint8_t)((uint64_t)disp >> (8 * i));
    o->ea = (sum + (uint64_t)disp) & amask;
}

/* Assembles [seg][66][67][rep][REX][0F] op+extra [ModRM...] into d. */
static void emit(struct dinsn *d, const struct tmpl *t, const struct op64 *o, uint8_t seg, uint8_t rep,
                 unsigned extra, bool opr)
{
    unsigned rex = (o->w ? 8u : 0u) | (o->regf >> 3) << 2 | o->xb | (opr || !o->mem ? o->rmr >> 3 : 0);
    if (seg)
        d->b[d->len++] = seg;
    if (o->osz == 2)
        d->b[d->len++] = 0x66;
    if (o->asz == 4)
        d->b[d->len++] = 0x67;
    if (rep)
        d->b[d->len++] = rep;
    if (rex || o->rex)
        d->b[d->len++] = (uint8_t)(0x40 | rex);
    if (t->op > 0xff)
        d->b[d->len++] = 0x0f;
    d->b[d->len++] = (uint8_t)((t->op & 0xff) + extra);
}

static bool stack_room(const struct batch *b, int delta)
{
    int64_t n = (int64_t)b->st.r[4] + delta;
    return n >= D_STACK + 64 && n <= D_STACK + 0x1000 - 64;
}

static bool str_ok(uint64_t p, uint64_t n, unsigned sz, bool df)
{
    if (p < D_DATA || p > D_DATA + 0x1000)
        return false;
    int64_t lo = df ? (int64_t)p - (int64_t)(n ? n - 1 : 0) * sz : (int64_t)p;
    int64_t hi = df ? (int64_t)p + sz : (int64_t)p + (int64_t)n * sz;
    return lo >= D_DATA && hi <= D_DATA + 0x1000;
}

static bool div_faults(const struct dstate *st, unsigned size, bool sgn, uint64_t dv)
{
    unsigned bits = size * 8;
    unsigned __int128 n = size == 1 ? st->r[0] & 0xffff
                                    : (unsigned __int128)zext(st->r[2], size) << bits | zext(st->r[0], size);
    if (!dv)
        return true;
    if (!sgn)
        return (n / dv) >> bits != 0;
    __int128 sn = (__int128)(n << (128 - 2 * bits)) >> (128 - 2 * bits), sd = sext(dv, size);
    if (sd == -1 && sn == (__int128)((unsigned __int128)1 << 127))
        return true; /* INT128_MIN / -1 */
    __int128 q = sn / sd, lim = (__int128)1 << (bits - 1);
    return q < -lim || q >= lim;
}

static uint32_t count_val(uint64_t *rng, unsigned bits)
{
    static const uint8_t c[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127};
    switch (d_below(rng, 4)) {
    case 0: return c[d_below(rng, sizeof c)];
    case 1: return bits - 1 + d_below(rng, 3);
    case 2: return d_below(rng, 256);
    default: return d_below(rng, bits + 2);
    }
}

/* Jcc/JMP/LOOP/JrCXZ over a filler, CALL +0, PUSH imm32 + RET [imm16] / POPF. */
static bool gen_flow(struct batch *b, const struct tmpl *t)
{
    uint64_t *rng = &b->g->rng;
    struct op64 o = {.asz = 8};
    struct dinsn *d;

    if (t->sp == SP_JCC || t->sp == SP_LOOP) {
        unsigned fill = 1 + d_below(rng, 2);
        if (t->sp == SP_LOOP) {
            o.asz = d_below(rng, 4) ? 8 : 4;
            if (d_below(rng, 3) == 0)
                fix(b, 1, d_below(rng, 3) | (o.asz == 4 ? d_rand(rng) << 32 : 0));
        }
        d = d_insn_new(b, t->name);
        emit(d, t, &o, 0, 0, t->op == 0x70 || t->op == 0x0f80 ? d_below(rng, 16) : 0, false);
        d_insn_put(d, fill, (t->op == 0x0f80 || t->op == 0xe9) ? 4 : 1);
        d_insn_done(b, d);
        d->nexits = 2;
        d->exit[1] = (uint32_t)(b->addr + fill);
        d = d_insn_new(b, "filler"); /* CMC, or MOV r8, imm8 (AL-BH) */
        if (fill == 1)
            d->b[d->len++] = 0xf5;
        else
            d_insn_put(d, 0xb0u + d_below(rng, 8) + (d_rand32(rng) & 0xff00), 2);
        d_insn_done(b, d);
        return true;
    }
    if (t->sp == SP_CALL0) {
        if (!stack_room(b, -8))
            return false;
        d = d_insn_new(b, t->name);
        emit(d, t, &o, 0, 0, 0, false);
        d_insn_put(d, 0, 4);
        d_insn_done(b, d);
        return true;
    }
    unsigned imm16 = t->op == 0xc2 ? 2 * d_below(rng, 8) : 0;
    if (!stack_room(b, -8) || !stack_room(b, (int)imm16))
        return false;
    d = d_insn_new(b, "push");
    d->b[d->len++] = 0x68;
    d_insn_put(d, t->sp == SP_RET ? b->addr + 5 + (t->op == 0xc2 ? 3 : 1) : ((d_rand32(rng) & (ALL | DFL)) | 2), 4);
    d_insn_done(b, d);
    d = d_insn_new(b, t->name);
    emit(d, t, &o, 0, 0, 0, false);
    if (t->op == 0xc2)
        d_insn_put(d, imm16, 2);
    d_insn_done(b, d);
    return true;
}

/* Sub-cases with a name of their own, so the known-bug tables of
 * test_unicorn.c can narrow exactly them. */
static const char *variant(const struct batch *b, const struct tmpl *t, const struct op64 *o, unsigned cnt)
{
    if ((t->sp == SP_SHIFT || t->sp == SP_SHXD) && !o->mem && o->osz == 4 && (cnt & 31) == 0)
        return "count0-reg"; /* 32-bit register shifted by 0: still written, so zero-extended */
    if (t->op == 0x0fb1 && o->osz == 4) { /* CMPXCHG r/m32: which registers get zero-extended */
        uint64_t dst = o->mem ? mem_val(b, o->ea, 4) : b->st.r[o->rmr];
        if ((uint32_t)b->st.r[0] == (uint32_t)dst && b->st.r[0] >> 32)
            return "cmpxchg32-equal-rax-hi";
        if ((uint32_t)b->st.r[0] != (uint32_t)dst && !o->mem && dst >> 32)
            return "cmpxchg32-fail-reg-hi";
    }
    if ((t->op == 0x0fa4 || t->op == 0x0fac) && o->dpos >= 0)
        return "shxd-imm8-riprel"; /* RIP-relative operand followed by an imm8 */
    return t->name;
}

bool d_gen64(struct batch *b, const struct tmpl *t)
{
    static const uint8_t segs[] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};
    static const uint8_t vsz[] = {2, 4, 4, 8, 8, 8};
    struct dgen *g = b->g;
    uint64_t *rng = &g->rng;
    struct op64 o = {.asz = 8, .dpos = -1};
    uint64_t lo = D_DATA, hi = D_DATA + 0x1000 - 16, fixed_ea = 0;
    unsigned extra = 0, avoid = AVOID_FIX, cnt = 0;
    uint8_t seg = 0, rep = 0;
    bool fixed = false, opr = t->kind == K_OPR, strx = t->sp == SP_STR || t->sp == SP_XLAT || t->sp == SP_MOFFS;
    uint16_t def = t->def;
    int8_t undef = -1;
    struct dinsn *d;

    if (t->sp == SP_JCC || t->sp == SP_LOOP || t->sp == SP_CALL0 || t->sp == SP_RET || t->sp == SP_POPF)
        return gen_flow(b, t);
    switch (t->size) {
    case Z_B: o.osz = 1; break;
    case Z_D: o.osz = d_below(rng, 2) ? 8 : 4; break;
    case Z_S: o.osz = d_below(rng, 6) ? 8 : 2; break;
    case Z_V: o.osz = g->size_bias ? g->size_bias : vsz[d_below(rng, 6)]; break;
    default: o.osz = 0; break;
    }
    if (t->op == 0x63)
        o.osz = d_below(rng, 4) ? 8 : 4; /* MOVSXD; with 0x66 Intel and AMD differ */
    o.msz = t->sp == SP_MOVX ? t->aux : t->sp == SP_CMPXCHG8B ? 2 * o.osz : o.osz;
    o.w = o.osz == 8 && t->size != Z_S;
    o.rex = o.w || (t->size != Z_N && d_below(rng, 6) == 0) || (o.osz == 1 && d_below(rng, 2));
    if (t->sp == SP_MOVX && o.msz == 1 && !o.rex && d_below(rng, 2))
        o.rex = true;
    bool byteish = o.osz == 1 || o.msz == 1;
    unsigned nreg = byteish && !o.rex ? 8 : 16; /* without REX: AH-BH, no register >= 8 */
    o.mem = t->rm == M_MEM || (t->rm == M_ANY && (t->kind == K_RMR || t->kind == K_GRP) && d_below(rng, 5) < 2);
    if ((o.mem || strx) && d_below(rng, 8) == 0)
        o.asz = 4;
    if ((o.mem || strx) && d_below(rng, 6) == 0)
        seg = segs[d_below(rng, sizeof segs)];
    if (t->kind == K_GRP)
        o.regf = t->ext;
    else if (t->kind == K_RMR)
        o.regf = pick(b, nreg, t->wr & W_REG, o.osz, o.rex);
    if (!o.mem && t->kind != K_NONE)
        o.rmr = pick(b, nreg, t->wr & W_RM, o.msz, o.rex);
    if (t->op == 0x0f90 || t->op == 0x0f40)
        extra = d_below(rng, 16);
    if (opr)
        extra = o.rmr & 7;
    avoid |= 1u << o.regf;

    switch (t->sp) {
    case SP_SHIFT:
    case SP_SHXD: {
        unsigned bits = o.osz * 8, mask = o.osz == 8 ? 63 : 31;
        bool by_cl = t->op == 0xd2 || t->op == 0xd3 || t->op == 0x0fa5 || t->op == 0x0fad;
        cnt = t->op == 0xd0 || t->op == 0xd1 ? 1 : by_cl && d_below(rng, 4) == 0 ? b->st.r[1] & 0xff
                                                                                 : count_val(rng, bits);
        if (t->sp == SP_SHXD && (cnt & mask) > bits)
            cnt = (cnt & 15) | (d_below(rng, 2) << 5); /* SHLD/SHRD: count > size undefined */
        if (by_cl && (b->st.r[1] & 0xff) != cnt)
            fix(b, 1, (b->st.r[1] & ~0xffull) | cnt);
        def = t->sp == SP_SHIFT ? d_shift_def(t->ext, bits, cnt)
                                : (cnt & mask) == 0 ? ALL : (SF | ZF | PF | CF | ((cnt & mask) == 1 ? OF : 0));
        break;
    }
    case SP_DIV: {
        bool sgn = t->ext == 7;
        fixed = o.mem;
        fixed_ea = lo + d_below(rng, (unsigned)(hi - lo + 1));
        uint64_t dv = o.mem ? mem_val(b, fixed_ea, o.osz) : reg_val(&b->st, o.rmr, o.osz, o.rex);
        if (div_faults(&b->st, o.osz, sgn, dv)) {
            uint64_t lowv = o.osz == 1 ? b->st.r[0] & 0xff : zext(b->st.r[0], o.osz);
            uint64_t hv = sgn && (lowv >> (o.osz * 8 - 1) & 1) ? ~0ull : 0;
            if (o.osz == 1)
                fix(b, 0, (b->st.r[0] & ~0xff00ull) | (hv & 0xff) << 8);
            else
                fix(b, 2, (b->st.r[2] & ~zext(~0ull, o.osz)) | zext(hv, o.osz));
            if (!o.mem)
                dv = reg_val(&b->st, o.rmr, o.osz, o.rex);
            if (div_faults(&b->st, o.osz, sgn, dv))
                return false;
        }
        break;
    }
    case SP_BT:
        if (o.mem) {
            if (o.regf == 4)
                return false; /* RSP as the offset: never fixed up */
            int64_t off = sext(b->st.r[o.regf], o.osz), lim = o.asz == 4 ? 8192 : (int64_t)1 << 33;
            if (off < -lim || off >= lim) {
                off = o.asz == 4 || d_below(rng, 2) ? (int64_t)d_below(rng, 16384) - 8192 : (int64_t)d_rand(rng) >> 31;
                fix(b, o.regf, (b->st.r[o.regf] & ~zext(~0ull, o.osz)) | zext((uint64_t)off, o.osz));
                off = sext(b->st.r[o.regf], o.osz);
            }
            int64_t boff = (off >> (o.osz == 2 ? 4 : o.osz == 4 ? 5 : 6)) * o.osz;
            fixed = true;
            fixed_ea = (D_DATA + 0x400 + d_below(rng, 0x800) - (uint64_t)boff) & (o.asz == 4 ? 0xffffffffull : ~0ull);
        }
        break;
    case SP_STR: {
        bool df = (b->st.fl & DFL) != 0;
        unsigned k = t->op & 0xfe;
        uint64_t amask = o.asz == 4 ? 0xffffffffull : ~0ull, n = 1;
        if (d_below(rng, 2))
            rep = (k == 0xa6 || k == 0xae) && d_below(rng, 2) ? 0xf2 : 0xf3;
        if (rep) {
            n = b->st.r[1] & amask;
            if (n > 40) {
                n = d_below(rng, 4) ? d_below(rng, 20) : 0;
                fix(b, 1, (b->st.r[1] & ~amask) | n);
            }
        }
        if (k != 0xaa && k != 0xae && !str_ok(b->st.r[6] & amask, n, o.osz, df))
            fix(b, 6, (b->st.r[6] & ~amask) | (D_DATA + 0x100 + d_below(rng, 0xe00)));
        if (k != 0xac && !str_ok(b->st.r[7] & amask, n, o.osz, df))
            fix(b, 7, (b->st.r[7] & ~amask) | (D_DATA + 0x100 + d_below(rng, 0xe00)));
        if (k == 0xaa || k == 0xae)
            seg = 0;
        break;
    }
    case SP_XLAT: {
        uint64_t amask = o.asz == 4 ? 0xffffffffull : ~0ull, ea = (b->st.r[3] + (b->st.r[0] & 0xff)) & amask;
        if (ea < D_DATA || ea >= D_DATA + 0x1000)
            fix(b, 3, (b->st.r[3] & ~amask) | (D_DATA + d_below(rng, 0xf00)));
        break;
    }
    case SP_PUSH: case SP_POP: case SP_LEAVE: case SP_ENTER: {
        int need = t->sp == SP_PUSH ? -(int)o.osz : t->sp == SP_POP ? (int)o.osz : 0;
        if (t->sp == SP_LEAVE || t->sp == SP_ENTER) {
            if (b->st.r[5] < D_STACK + 0x100 || b->st.r[5] > D_STACK + 0xf00)
                fix(b, 5, D_STACK + 0x100 + 2 * d_below(rng, 0x700));
        }
        if (t->sp == SP_ENTER) {
            cnt = d_below(rng, 4);
            need = -(int)(o.osz * (cnt + 1) + 16);
        }
        if (!stack_room(b, need))
            return false;
        break;
    }
    case SP_CMPXCHG8B: {
        fixed = true;
        fixed_ea = (lo + d_below(rng, (unsigned)(hi - lo + 1))) & (o.w ? ~15ull : ~0ull);
        if (d_below(rng, 2)) { /* make the comparison succeed */
            uint64_t m0 = mem_val(b, fixed_ea, o.osz), m1 = mem_val(b, fixed_ea + o.osz, o.osz);
            fix(b, 0, o.w ? m0 : (b->st.r[0] & ~0xffffffffull) | m0);
            fix(b, 2, o.w ? m1 : (b->st.r[2] & ~0xffffffffull) | m1);
        }
        break;
    }
    default:
        break;
    }

    if (o.mem && t->sp != SP_MOFFS) {
        bool lea = t->op == 0x8d;
        if (fixed)
            enc_mem(b, &o, fixed_ea, fixed_ea, false, avoid);
        else
            enc_mem(b, &o, lo, hi, lea, avoid);
        if (t->sp == SP_BSX && mem_val(b, o.ea, o.osz) == 0)
            undef = (int8_t)o.regf;
    } else if (!o.mem && t->sp == SP_BSX && reg_val(&b->st, o.rmr, o.osz, o.rex) == 0) {
        undef = (int8_t)o.regf;
    }

    d = d_insn_new(b, variant(b, t, &o, cnt));
    emit(d, t, &o, seg, rep, extra, opr);
    unsigned mstart = d->len;
    if (t->sp == SP_MOFFS)
        d_insn_put(d, lo + d_below(rng, (unsigned)(hi - lo + 1)), o.asz);
    else if (t->kind == K_RMR || t->kind == K_GRP) {
        if (o.mem) {
            memcpy(d->b + d->len, o.mb, o.mlen);
            d->len = (uint8_t)(d->len + o.mlen);
        } else {
            d->b[d->len++] = (uint8_t)(0xc0 | (o.regf & 7) << 3 | (o.rmr & 7));
        }
    }
    if (t->sp == SP_ENTER) {
        d_insn_put(d, 2 * d_below(rng, 8), 2);
        d_insn_put(d, cnt, 1);
    }
    unsigned isz = o.osz == 8 ? (t->op == 0xb8 ? 8 : 4) : o.osz;
    switch (t->imm) {
    case I_B: d_insn_put(d, d_interesting(rng), 1); break;
    case I_V: d_insn_put(d, t->op == 0xb8 && o.osz == 8 ? d_interesting64(rng) : d_interesting(rng), isz); break;
    case I_CNT: d_insn_put(d, cnt, 1); break;
    case I_BIT: d_insn_put(d, d_below(rng, 4) ? d_below(rng, o.osz * 8) : d_below(rng, 256), 1); break;
    default: break;
    }
    if (o.dpos >= 0) { /* RIP-relative: relative to the end of the instruction */
        uint32_t disp = (uint32_t)(o.ea - (b->addr + d->len));
        memcpy(d->b + mstart + o.dpos, &disp, 4);
    }
    d->def = def;
    d->undef_reg = undef;
    d->osz = (uint8_t)o.osz;
    d_insn_done(b, d);
    return d_apply_known(d, g->mode);
}

void d_init_state64(struct dgen *g, struct dstate *st)
{
    memset(st, 0, sizeof *st);
    for (unsigned i = 0; i < 16; i++)
        st->r[i] = d_below(&g->rng, 3) == 0 ? D_DATA + d_below(&g->rng, 0x1000) : d_interesting64(&g->rng);
    st->r[4] = D_STACK + 0x800;
    st->eip = D_CODE;
    st->fl = (d_rand32(&g->rng) & (ALL | DFL)) | 2;
}
