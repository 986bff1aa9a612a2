/* Instruction generator for the IEM-vs-Unicorn differential test.
 *
 * A table of templates (opcode, ModRM form, operand size, immediate,
 * defined flags) covers the integer instruction groups. Each batch is
 * generated from the current register state, so operands are chosen to be
 * safe: memory operands get a displacement that lands them in the data page,
 * string pointers/counts, divisors, stack depth and bit offsets are fixed
 * up with helper MOVs ("fixup") placed before the instruction when needed.
 *
 * Defined flags follow the "Flags Affected" sections of the Intel SDM vol. 2;
 * flags the SDM calls undefined are never compared (and are copied from the
 * reference afterwards so later instructions start from equal states).
 */
#include <stdlib.h>
#include <string.h>

#include "diff_gen.h"
#include "diff_tmpl.h"

uint64_t d_rand(uint64_t *s)
{ /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const uint32_t edges[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
                                 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x80000001};

uint32_t d_interesting(uint64_t *s)
{
    switch (d_below(s, 8)) {
    case 0: case 1: return edges[d_below(s, sizeof edges / sizeof edges[0])];
    case 2: return d_below(s, 64);
    case 3: return (uint32_t)-(int32_t)d_below(s, 64);
    default: return d_rand32(s);
    }
}

static const uint64_t edges64[] = {0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                   0xffffffffffffffffull, 0xfffffffffffffffeull, 0x8000000000000001ull,
                                   0xffffffff00000000ull, 0x00000000ffffffffull, 0xffffffff80000000ull,
                                   0x000000007fffffffull, 0x0000000080000000ull};

uint64_t d_interesting64(uint64_t *s)
{
    switch (d_below(s, 10)) {
    case 0: case 1: return edges64[d_below(s, sizeof edges64 / sizeof edges64[0])];
    case 2: return d_interesting(s);                    /* zero-extended 32-bit */
    case 3: return (uint64_t)(int64_t)(int32_t)d_interesting(s); /* sign-extended */
    case 4: return (uint64_t)-(int64_t)d_below(s, 64);
    default: return d_rand(s);
    }
}

/* ---- known-bug narrowing ---- */
static const struct d_known *known_find(const struct d_known *tab, const struct dinsn *in, enum d_mode mode)
{
    size_t n = strlen(in->name);
    for (; tab->name; tab++)
        if (!strncmp(tab->name, in->name, n) && (tab->mode < 0 || tab->mode == (int)mode) &&
            (!tab->name[n] || (tab->name[n] == '/' && in->osz && (unsigned)atoi(tab->name + n + 1) == in->osz * 8u)))
            return tab;
    return NULL;
}

bool d_apply_known(struct dinsn *in, enum d_mode mode)
{
    const struct d_known *tabs[2] = {known_pcvm_bugs, known_unicorn_bugs};
    for (unsigned i = 0; i < 2; i++) {
        const struct d_known *k = known_find(tabs[i], in, mode);
        if (k && k->ignore == 0xffff)
            return false;
        if (k)
            in->def &= (uint16_t)~k->ignore;
    }
    return true;
}

uint16_t d_shift_def(unsigned ext, unsigned bits, unsigned count)
{
    unsigned m = count & (bits == 64 ? 63 : 31);
    uint16_t def = ALL;
    if (m == 0)
        return ALL; /* flags unaffected */
    if (m != 1)
        def &= ~OF; /* OF defined only for 1-bit shifts/rotates */
    if (ext >= 4) {
        def &= ~AF; /* shifts: AF undefined */
        if (ext != 7 && m >= bits)
            def &= ~CF; /* SHL/SHR: CF undefined when count >= width */
    }
    return def;
}

/* ---- batch building ---- */
struct dinsn *d_insn_new(struct batch *b, const char *name)
{
    struct dinsn *d = &b->out[b->n++];
    memset(d, 0, sizeof *d);
    d->def = ALL;
    d->undef_reg = -1;
    d->name = name;
    return d;
}

void d_insn_put(struct dinsn *d, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        d->b[d->len++] = (uint8_t)(v >> (8 * i));
}

void d_insn_done(struct batch *b, struct dinsn *d)
{
    d->addr = (uint32_t)b->addr;
    b->addr += d->len;
    if (!d->nexits) {
        d->nexits = 1;
        d->exit[0] = (uint32_t)b->addr;
    }
}

static bool real(const struct batch *b) { return b->g->mode == D_REAL16; }

/* Helper MOV r32, imm32. */
static void fix_mov(struct batch *b, unsigned reg, uint32_t val)
{
    struct dinsn *d = d_insn_new(b, "fixup");
    if (real(b))
        d->b[d->len++] = 0x66;
    d->b[d->len++] = (uint8_t)(0xb8 + reg);
    d_insn_put(d, val, 4);
    d_insn_done(b, d);
    b->st.r[reg] = val;
}

static uint32_t reg_val(const struct dstate *st, unsigned reg, unsigned size)
{
    if (size == 1)
        return reg < 4 ? st->r[reg] & 0xff : (st->r[reg - 4] >> 8) & 0xff;
    return size == 2 ? st->r[reg] & 0xffff : st->r[reg];
}

static uint32_t mem_val(const struct batch *b, uint32_t ea, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)b->g->mem[(ea + i) & 0xffff] << (8 * i);
    return v;
}

/* A random register for an operand of `size` bytes; never ESP/SP when it is written. */
static unsigned pick_reg(struct batch *b, unsigned size, bool written)
{
    unsigned r = d_below(&b->g->rng, 8);
    return (written && size > 1 && r == 4) ? 5 + d_below(&b->g->rng, 3) : r;
}

/* Appends ModRM (reg field regf) + SIB + displacement for a memory operand
 * whose effective address lies in [lo, hi]; returns that address. Prefers
 * short forms when the registers already point into the range. */
static uint32_t enc_mem(struct batch *b, struct dinsn *d, unsigned asz, unsigned regf, uint32_t lo, uint32_t hi)
{
    static const int8_t b16[8][2] = {{3, 6}, {3, 7}, {5, 6}, {5, 7}, {6, -1}, {7, -1}, {5, -1}, {3, -1}};
    uint64_t *rng = &b->g->rng;
    const uint64_t *r = b->st.r;
    uint32_t sum, ea, disp;
    unsigned rm, mod, form = d_below(rng, 8);
    int base = -1, index = -1, scale = 0;

    if (asz == 2) {
        rm = d_below(rng, 8);
        if (form == 0) { /* [disp16] */
            ea = lo + d_below(rng, hi - lo + 1);
            d->b[d->len++] = (uint8_t)((regf << 3) | 6);
            d_insn_put(d, ea, 2);
            return ea;
        }
        sum = (uint32_t)(r[b16[rm][0]] + (b16[rm][1] >= 0 ? r[b16[rm][1]] : 0));
        sum &= 0xffff;
    } else {
        rm = form < 4 ? 4 : d_below(rng, 8);
        if (form == 0) { /* [disp32] */
            ea = lo + d_below(rng, hi - lo + 1);
            d->b[d->len++] = (uint8_t)((regf << 3) | 5);
            d_insn_put(d, ea, 4);
            return ea;
        }
        if (rm == 4) {
            base = (int)d_below(rng, 8);
            index = (int)d_below(rng, 8);
            scale = (int)d_below(rng, 4);
        } else {
            base = (int)rm;
        }
        sum = (uint32_t)((index >= 0 && index != 4 ? r[index] << scale : 0) + r[base]);
    }
    if (sum >= lo && sum <= hi && d_below(rng, 4)) {
        uint32_t room = hi - sum < 127 ? hi - sum : 127;
        ea = sum + (d_below(rng, 2) ? 0 : d_below(rng, room + 1));
    } else {
        ea = lo + d_below(rng, hi - lo + 1);
    }
    disp = ea - sum;
    if (asz == 2)
        disp &= 0xffff;
    if (disp == 0 && base != 5 && !(asz == 2 && rm == 6))
        mod = 0;
    else if (asz == 2 ? (int16_t)disp == (int8_t)disp : (int32_t)disp == (int8_t)disp)
        mod = 1;
    else
        mod = 2;
    d->b[d->len++] = (uint8_t)((mod << 6) | (regf << 3) | rm);
    if (asz == 4 && rm == 4)
        d->b[d->len++] = (uint8_t)((scale << 6) | (index << 3) | base);
    d_insn_put(d, disp, mod == 1 ? 1 : mod == 2 ? asz : 0);
    return ea;
}

static uint32_t count_val(struct batch *b, unsigned bits)
{
    static const uint8_t c[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64};
    uint64_t *rng = &b->g->rng;
    switch (d_below(rng, 4)) {
    case 0: return c[d_below(rng, sizeof c)];
    case 1: return bits - 1 + d_below(rng, 3);
    case 2: return d_below(rng, 256);
    default: return d_below(rng, bits + 2);
    }
}

/* Does dividing (size-wide divisor) fault with the current state? */
static bool div_faults(const struct dstate *st, unsigned size, bool sgn, uint32_t divisor)
{
    uint64_t lo = size == 1 ? st->r[0] & 0xffff : size == 2 ? st->r[0] & 0xffff : st->r[0];
    uint64_t hi = size == 1 ? 0 : size == 2 ? st->r[2] & 0xffff : st->r[2];
    unsigned bits = size * 8;
    if (!divisor)
        return true;
    if (!sgn) {
        uint64_t n = size == 1 ? lo : (hi << bits) | lo;
        return n / divisor >> bits != 0;
    }
    int64_t n = size == 1 ? (int16_t)lo : size == 2 ? (int32_t)(uint32_t)((hi << 16) | lo)
                                                    : (int64_t)((hi << 32) | lo);
    int64_t dv = size == 1 ? (int8_t)divisor : size == 2 ? (int16_t)divisor : (int32_t)divisor;
    if (n == INT64_MIN && dv == -1)
        return true;
    int64_t q = n / dv, lim = (int64_t)1 << (bits - 1);
    return q < -lim || q >= lim;
}

static bool stack_room(const struct batch *b, int delta)
{
    uint32_t sp = b->st.r[4] & (real(b) ? 0xffff : 0xffffffff);
    int64_t n = (int64_t)sp + delta;
    return n >= D_STACK + 64 && n <= D_STACK + 0x1000 - 64;
}

/* Is [p, p + n*sz) (or the DF-backwards range) inside the data page? */
static bool str_ok(uint32_t p, unsigned n, unsigned sz, bool df)
{
    int64_t lo = df ? (int64_t)p - (int64_t)(n ? n - 1 : 0) * sz : p;
    int64_t hi = df ? (int64_t)p + sz : (int64_t)p + (int64_t)n * sz;
    return lo >= D_DATA && hi <= D_DATA + 0x1000;
}

static void emit_main(struct batch *b, const struct tmpl *t, struct dinsn *d, unsigned osz, unsigned asz,
                      uint8_t seg, uint8_t rep, unsigned op_extra)
{
    unsigned dsz = real(b) ? 2 : 4;
    if (seg)
        d->b[d->len++] = seg;
    if (osz > 1 && osz != dsz)
        d->b[d->len++] = 0x66;
    if (asz != dsz)
        d->b[d->len++] = 0x67;
    if (rep)
        d->b[d->len++] = rep;
    if (t->op > 0xff)
        d->b[d->len++] = 0x0f;
    d->b[d->len++] = (uint8_t)((t->op & 0xff) + op_extra);
}

static void emit_imm(struct batch *b, struct dinsn *d, unsigned kind, unsigned osz, uint32_t cnt)
{
    uint64_t *rng = &b->g->rng;
    switch (kind) {
    case I_B: d_insn_put(d, d_interesting(rng), 1); break;
    case I_V: d_insn_put(d, d_interesting(rng), osz); break;
    case I_W: d_insn_put(d, d_interesting(rng), 2); break;
    case I_CNT: d_insn_put(d, cnt, 1); break;
    case I_NZ: d_insn_put(d, 1 + d_below(rng, 255), 1); break;
    case I_BIT: d_insn_put(d, d_below(rng, 4) ? d_below(rng, osz * 8) : d_below(rng, 256), 1); break;
    default: break;
    }
}

/* The control-transfer and stack-pointer specials; they lay out their own batch. */
static bool gen_flow(struct batch *b, const struct tmpl *t)
{
    uint64_t *rng = &b->g->rng;
    unsigned dsz = real(b) ? 2 : 4;
    struct dinsn *d;

    if (t->sp == SP_JCC || t->sp == SP_LOOP) {
        unsigned fill = 1 + d_below(rng, 2), asz = dsz;
        if (t->sp == SP_LOOP) {
            if (d_below(rng, 4) == 0)
                asz = 6 - dsz;
            if (d_below(rng, 3) == 0)
                fix_mov(b, 1, d_below(rng, 3) | (d_rand32(rng) & (asz == 2 ? 0xffff0000u : 0)));
        }
        d = d_insn_new(b, t->name);
        emit_main(b, t, d, 0, asz, 0, 0, t->op == 0x70 || t->op == 0x0f80 ? d_below(rng, 16) : 0);
        d_insn_put(d, fill, (t->op == 0x0f80 || t->op == 0xe9) ? dsz : 1);
        d_insn_done(b, d);
        d->nexits = 2;
        d->exit[1] = (uint32_t)b->addr + fill;
        d = d_insn_new(b, "filler"); /* INC r32 (not ESP) or MOV r8, imm8 */
        if (fill == 1)
            d->b[d->len++] = (uint8_t)(0x40 + pick_reg(b, 4, true));
        else
            d_insn_put(d, 0xb0u + d_below(rng, 8) + (d_rand32(rng) & 0xff00), 2);
        d_insn_done(b, d);
        return true;
    }
    if (t->sp == SP_CALL0) {
        if (!stack_room(b, -(int)dsz))
            return false;
        d = d_insn_new(b, t->name);
        emit_main(b, t, d, dsz, dsz, 0, 0, 0);
        d_insn_put(d, 0, dsz);
        d_insn_done(b, d);
        return true;
    }
    if (t->sp == SP_RET || t->sp == SP_POPF) { /* PUSH imm; RET [imm16] / POPF */
        unsigned imm16 = t->op == 0xc2 ? 2 * d_below(rng, 8) : 0;
        if (!stack_room(b, -(int)dsz) || !stack_room(b, (int)imm16))
            return false;
        d = d_insn_new(b, "push");
        d->b[d->len++] = 0x68;
        uint32_t target = (uint32_t)b->addr + 1 + dsz + (t->op == 0xc2 ? 3 : 1);
        d_insn_put(d, t->sp == SP_RET ? target : (d_rand32(rng) & (ALL | DFL)) | 2, dsz);
        d_insn_done(b, d);
        d = d_insn_new(b, t->name);
        emit_main(b, t, d, dsz, dsz, 0, 0, 0);
        if (t->op == 0xc2)
            d_insn_put(d, imm16, 2);
        d_insn_done(b, d);
        return true;
    }
    return false;
}

/* Generates one main instruction from template t (plus its fixups). */
static bool gen_tmpl(struct batch *b, const struct tmpl *t)
{
    struct dgen *g = b->g;
    uint64_t *rng = &g->rng;
    unsigned dsz = real(b) ? 2 : 4, osz, asz = dsz, msz, regf = 0, rmr = 0, extra = 0;
    uint8_t seg = 0, rep = 0;
    bool mem = false;
    uint32_t cnt = 0, lo = D_DATA, hi = D_DATA + 0x1000 - 16, fixed_ea = 0;
    bool fixed = false;
    struct dinsn *d;
    static const uint8_t segs[] = {0x26, 0x36, 0x3e, 0x64, 0x65};

    if (t->sp == SP_JCC || t->sp == SP_LOOP || t->sp == SP_CALL0 || t->sp == SP_RET || t->sp == SP_POPF)
        return gen_flow(b, t);
    if (t->size == Z_B)
        osz = 1;
    else if (t->size == Z_D)
        osz = 4;
    else if (g->size_bias > 1)
        osz = g->size_bias;
    else
        osz = d_below(rng, 4) == 0 ? 6 - dsz : dsz;
    if (t->sp == SP_CMPXCHG8B)
        osz = dsz;
    msz = t->sp == SP_MOVX ? t->aux : t->sp == SP_CMPXCHG8B ? 8 : osz;
    if (t->rm == M_MEM || (t->rm == M_ANY && (t->kind == K_RMR || t->kind == K_GRP) && d_below(rng, 5) < 2))
        mem = true;
    if ((mem || t->sp == SP_STR || t->sp == SP_XLAT || t->sp == SP_MOFFS) && d_below(rng, 8) == 0)
        asz = 6 - dsz;
    if ((mem || t->sp == SP_STR || t->sp == SP_XLAT || t->sp == SP_MOFFS) && d_below(rng, 6) == 0)
        seg = segs[d_below(rng, sizeof segs)];
    if (t->kind == K_GRP)
        regf = t->ext;
    else if (t->kind == K_RMR)
        regf = pick_reg(b, t->sp == SP_MOVX ? osz : osz, t->wr & W_REG);
    if (!mem)
        rmr = pick_reg(b, t->sp == SP_MOVX ? msz : osz, t->wr & W_RM);
    if (t->op == 0x0f90 || t->op == 0x0f40)
        extra = d_below(rng, 16); /* SETcc / CMOVcc condition */
    if (t->kind == K_OPR)
        extra = rmr;
    if (t->op == 0x90 && rmr == 4)
        extra = rmr = 0;

    uint16_t def = t->def;
    int8_t undef = -1;
    switch (t->sp) {
    case SP_SHIFT:
    case SP_SHXD: {
        unsigned bits = osz * 8;
        bool by_cl = t->op == 0xd2 || t->op == 0xd3 || t->op == 0x0fa5 || t->op == 0x0fad;
        if (t->op == 0xd0 || t->op == 0xd1)
            cnt = 1;
        else if (by_cl && d_below(rng, 4) == 0)
            cnt = b->st.r[1] & 0xff;
        else
            cnt = count_val(b, bits);
        /* SHLD/SHRD: a count above the operand size leaves result and flags
         * undefined (SDM SHLD/SHRD); keep 16-bit counts <= 16. */
        if (t->sp == SP_SHXD && (cnt & 31) > bits)
            cnt = (cnt & 15) | (d_below(rng, 2) << 5);
        if (by_cl && (b->st.r[1] & 0xff) != cnt) {
            fix_mov(b, 1, (b->st.r[1] & ~0xffu) | cnt);
            if (regf == 1 && t->sp == SP_SHXD && d_below(rng, 2))
                regf = 2;
        }
        def = t->sp == SP_SHIFT ? d_shift_def(t->ext, bits, cnt)
                                : (cnt & 31) == 0 ? ALL : (SF | ZF | PF | CF | ((cnt & 31) == 1 ? OF : 0));
        break;
    }
    case SP_DIV: {
        fixed = mem;
        fixed_ea = lo + d_below(rng, hi - lo + 1);
        uint32_t dv = mem ? mem_val(b, fixed_ea, osz) : reg_val(&b->st, rmr, osz);
        bool sgn = t->ext == 7;
        if (div_faults(&b->st, osz, sgn, dv)) {
            unsigned hreg = osz == 1 ? 0 : 2;
            uint32_t lowv = osz == 1 ? b->st.r[0] & 0xff : b->st.r[0];
            uint32_t hv = sgn && (lowv >> (osz * 8 - 1) & 1) ? 0xffffffffu : 0;
            if (osz == 1)
                fix_mov(b, 0, (b->st.r[0] & 0xffff0000u) | ((hv & 0xff) << 8) | lowv);
            else
                fix_mov(b, hreg, osz == 2 ? (b->st.r[2] & 0xffff0000u) | (hv & 0xffff) : hv);
            dv = mem ? dv : reg_val(&b->st, rmr, osz);
            if (div_faults(&b->st, osz, sgn, dv))
                return false;
        }
        break;
    }
    case SP_BSX: {
        /* value checked after the operand is encoded (no fixups needed) */
        break;
    }
    case SP_BT:
        if (mem) {
            if (regf == 4)
                regf = 0; /* the offset register may get a fixup: never ESP */
            int32_t off = osz == 2 ? (int16_t)b->st.r[regf] : (int32_t)b->st.r[regf];
            if ((asz == 2 || real(b)) && (off < -8192 || off > 8191)) {
                off = (int32_t)d_below(rng, 16384) - 8192;
                fix_mov(b, regf, (uint32_t)off);
            }
            int32_t boff = osz == 2 ? (off >> 4) * 2 : (off >> 5) * 4;
            uint32_t target = D_DATA + 0x400 + d_below(rng, 0x800);
            fixed = true;
            fixed_ea = (target - (uint32_t)boff) & (asz == 2 ? 0xffff : 0xffffffff);
        }
        break;
    case SP_STR: {
        bool df = (b->st.fl & DFL) != 0;
        unsigned k = t->op & 0xfe, sz = osz;
        uint32_t amask = asz == 2 ? 0xffff : 0xffffffff, n = 1;
        if (d_below(rng, 2))
            rep = (k == 0xa6 || k == 0xae) && d_below(rng, 2) ? 0xf2 : 0xf3;
        if (rep) {
            n = b->st.r[1] & amask;
            if (n > 40) {
                n = d_below(rng, 4) ? d_below(rng, 20) : 0;
                fix_mov(b, 1, (b->st.r[1] & ~amask) | n);
            }
        }
        if (k != 0xaa && k != 0xae && !str_ok(b->st.r[6] & amask, n, sz, df))
            fix_mov(b, 6, (b->st.r[6] & ~amask) | (D_DATA + 0x100 + d_below(rng, 0xe00)));
        if (k != 0xac && !str_ok(b->st.r[7] & amask, n, sz, df))
            fix_mov(b, 7, (b->st.r[7] & ~amask) | (D_DATA + 0x100 + d_below(rng, 0xe00)));
        if (k == 0xaa || k == 0xae)
            seg = 0; /* ES:DI only */
        break;
    }
    case SP_XLAT: {
        uint32_t amask = asz == 2 ? 0xffff : 0xffffffff;
        uint32_t ea = (b->st.r[3] + (b->st.r[0] & 0xff)) & amask;
        if (ea < D_DATA || ea >= D_DATA + 0x1000)
            fix_mov(b, 3, (b->st.r[3] & ~amask) | ((D_DATA + d_below(rng, 0xf00)) & amask));
        break;
    }
    case SP_PUSH: case SP_POP: case SP_PUSHA: case SP_POPA: case SP_LEAVE: case SP_ENTER: {
        int need = t->sp == SP_PUSH ? -(int)osz : t->sp == SP_POP ? (int)osz
                 : t->sp == SP_PUSHA ? -8 * (int)osz : t->sp == SP_POPA ? 8 * (int)osz : 0;
        if (t->sp == SP_LEAVE || t->sp == SP_ENTER) {
            uint32_t bp = b->st.r[5] & (real(b) ? 0xffff : 0xffffffff);
            if (bp < D_STACK + 0x100 || bp > D_STACK + 0xf00)
                fix_mov(b, 5, D_STACK + 0x100 + 2 * d_below(rng, 0x700));
        }
        if (t->sp == SP_ENTER) {
            cnt = d_below(rng, 4);
            need = -(int)(osz * (cnt + 1) + 16);
        }
        if (!stack_room(b, need))
            return false;
        break;
    }
    case SP_MOFFS:
        break;
    default:
        break;
    }

    d = d_insn_new(b, t->name);
    emit_main(b, t, d, osz, asz, seg, rep, extra);
    if (t->sp == SP_MOFFS) {
        d_insn_put(d, lo + d_below(rng, hi - lo + 1), asz);
    } else if (t->kind == K_RMR || t->kind == K_GRP) {
        if (mem) {
            uint32_t ea = fixed ? enc_mem(b, d, asz, regf, fixed_ea, fixed_ea)
                                : enc_mem(b, d, asz, regf, t->op == 0x8d ? 0 : lo, t->op == 0x8d ? 0xffff : hi);
            if (t->sp == SP_BSX && mem_val(b, ea, osz) == 0)
                undef = (int8_t)regf;
        } else {
            d->b[d->len++] = (uint8_t)(0xc0 | (regf << 3) | rmr);
            if (t->sp == SP_BSX && reg_val(&b->st, rmr, osz) == 0)
                undef = (int8_t)regf;
        }
    }
    if (t->sp == SP_ENTER) {
        d_insn_put(d, 2 * d_below(rng, 8), 2);
        d_insn_put(d, cnt, 1);
    }
    emit_imm(b, d, t->imm, osz, cnt);
    d->def = def;
    d->undef_reg = undef;
    d->osz = (uint8_t)osz;
    d_insn_done(b, d);
    return d_apply_known(d, g->mode);
}

void d_init_state(struct dgen *g, struct dstate *st)
{
    if (g->mode == D_LONG64) {
        d_init_state64(g, st);
        return;
    }
    memset(st, 0, sizeof *st);
    for (unsigned i = 0; i < 8; i++) {
        st->r[i] = d_below(&g->rng, 3) == 0 ? D_DATA + d_below(&g->rng, 0x1000) : d_interesting(&g->rng);
        if (g->mode == D_REAL16 && d_below(&g->rng, 2))
            st->r[i] &= 0xffff;
    }
    st->r[4] = D_STACK + 0x800;
    st->eip = D_CODE;
    st->fl = (d_rand32(&g->rng) & (ALL | DFL)) | 2;
}

unsigned d_gen_batch(struct dgen *g, const struct dstate *st, struct dinsn *out)
{
    bool long64 = g->mode == D_LONG64;
    for (unsigned tries = 0; tries < 16; tries++) {
        struct batch b = {.g = g, .out = out, .n = 0, .addr = st->eip, .st = *st};
        const struct tmpl *t = d_pick_tmpl(g, long64);
        if (long64 ? d_gen64(&b, t) : gen_tmpl(&b, t))
            return b.n;
    }
    struct batch b = {.g = g, .out = out, .n = 0, .addr = st->eip, .st = *st};
    struct dinsn *d = d_insn_new(&b, "nop");
    d->b[d->len++] = 0x90;
    d_insn_done(&b, d);
    return 1;
}
