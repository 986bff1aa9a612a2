/* Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR (by 1, CL, imm8) and
 * the double shifts SHLD/SHRD.
 *
 * The count is masked to 5 bits (6 with a 64-bit operand); a masked count
 * of 0 changes no flag. OF is defined only for a count of 1; for other
 * counts we set it as Intel Skylake/Cascade Lake do, which is "as the first
 * one-bit step would" for every instruction (noted per instruction; AMD Zen
 * differs and follows the last step instead). AF after SHL/SHR/SAR/SHLD/SHRD
 * is undefined: Intel clears it (AMD sets it).
 *
 * LOCK is not valid on these instructions (the decoder raises #UD).
 */
#include "cpu/iem.h"

static uint64_t szp(uint64_t r, unsigned size)
{
    return iem_parity[r & 0xff] | (r == 0 ? F_ZF : 0) | ((r >> (size * 8 - 1)) & 1 ? F_SF : 0);
}

static uint64_t bit(uint64_t x, unsigned n)
{
    return (x >> n) & 1;
}

/* The count operand of a group-2 shift: D0/D1 shift by 1, D2/D3 by CL,
 * C0/C1 by an imm8 (the last visible operand). */
static int shift_count(struct vcpu *v, const struct iem_insn *in, unsigned *count)
{
    uint64_t c;
    int rc;

    switch (in->opcode) {
    case 0xd0: case 0xd1:
        c = 1;
        break;
    case 0xd2: case 0xd3:
        c = iem_gpr(v, R_CX, 1);
        break;
    default:
        if ((rc = iem_opnd_read(v, in, in->nops - 1, &c)))
            return rc;
        break;
    }
    *count = (unsigned)(c & (in->op[0].size == 8 ? 0x3f : 0x1f));
    return IEM_OK;
}

/* In ModRM.reg order: group 2 is /0 ROL ... /5 SHR, /6 SAL (= SHL), /7 SAR. */
enum shift_kind { SK_ROL, SK_ROR, SK_RCL, SK_RCR, SK_SHL, SK_SHR, SK_SAL, SK_SAR };

/* Computes a group-2 result; for the rotates also the CF and OF they
 * define (the only flags they change). The shifts' flags are lazy
 * (cpu/flags.c works them out from the operands as Intel sets them).
 * cnt is already masked and nonzero. */
static uint64_t shift_calc(enum shift_kind k, uint64_t d, unsigned size, unsigned cnt, uint64_t cf_in,
                           uint64_t *flags)
{
    unsigned n = size * 8;
    uint64_t m = iem_mask(size), r, cf = 0, of = 0;

    d &= m;
    switch (k) {
    case SK_ROL: {
        unsigned c = cnt % n; /* a masked count that is a multiple of n still sets CF/OF */
        r = c ? ((d << c) | (d >> (n - c))) & m : d;
        cf = r & 1;
        of = bit(d, n - 1) ^ bit(d, n - 2); /* Intel: first step's OF */
        break;
    }
    case SK_ROR: {
        unsigned c = cnt % n;
        r = c ? ((d >> c) | (d << (n - c))) & m : d;
        cf = bit(r, n - 1);
        of = bit(d, n - 1) ^ (d & 1); /* Intel: first step's OF */
        break;
    }
    case SK_RCL:
        /* Rotate through n+1 bits (CF:dest); cnt is already reduced mod n+1. */
        r = ((d << cnt) | (cf_in << (cnt - 1)) | (cnt > 1 ? d >> (n + 1 - cnt) : 0)) & m;
        cf = bit(d, n - cnt);
        of = bit(d, n - 1) ^ bit(d, n - 2); /* Intel: first step's OF */
        break;
    case SK_RCR:
        r = ((d >> cnt) | (cf_in << (n - cnt)) | (cnt > 1 ? d << (n + 1 - cnt) : 0)) & m;
        cf = bit(d, cnt - 1);
        of = bit(d, n - 1) ^ cf_in; /* Intel: first step's OF (SDM: taken before rotating) */
        break;
    case SK_SHL:
        r = (cnt < 64 ? d << cnt : 0) & m; /* 8/16-bit counts up to 31 shift everything out */
        break;
    case SK_SHR:
        r = d >> cnt;
        break;
    default: /* SAR */
        r = (uint64_t)((int64_t)iem_sext(d, size) >> cnt) & m;
        break;
    }
    *flags = (cf ? F_CF : 0) | (of ? F_OF : 0);
    return r;
}

/* A shift or rotate whose masked count is 0 changes no flags, but the
 * destination is still written: in 64-bit mode a 32-bit register is
 * zero-extended (SDM vol. 1 3.4.1.1), as hardware does. */
static int count0_writeback(struct vcpu *v, const struct iem_insn *in, uint64_t d)
{
    if (in->op[0].type == OPT_REG && in->op[0].size == 4)
        return iem_opnd_write(v, in, 0, d);
    return IEM_OK;
}

static int op_shift(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size, cnt;
    uint64_t d, r, flags, cf_in;
    enum shift_kind k = in->modrm_reg == SK_SAL ? SK_SHL : (enum shift_kind)in->modrm_reg;
    int rc;

    if ((rc = shift_count(v, in, &cnt)))
        return rc;
    /* RCL/RCR rotate 9 or 17 bits for byte/word operands: Intel reduces
     * the masked count mod 9/17 first, so e.g. RCL AL,9 changes no flag. */
    if ((k == SK_RCL || k == SK_RCR) && size < 4)
        cnt %= size * 8 + 1;
    /* The memory operand is read (and must be writable) even for count 0. */
    if ((rc = iem_opnd_read(v, in, 0, &d)))
        return rc;
    if (cnt == 0) /* no flag changes, but a 32-bit register is still written (zero-extended) */
        return count0_writeback(v, in, d);
    cf_in = k == SK_RCL || k == SK_RCR ? cpu_get_cf(&v->cpu) : 0; /* only rotates through CF read it */
    r = shift_calc(k, d, size, cnt, cf_in, &flags);
    if ((rc = iem_opnd_write(v, in, 0, r)))
        return rc;
    if (k <= SK_RCR) /* rotates touch only CF and OF */
        iem_flags_update(v, F_CF | F_OF, flags);
    else
        iem_lazy(v, k == SK_SHL ? LF_SHL : k == SK_SHR ? LF_SHR : LF_SAR, size, r, d, cnt);
    return IEM_OK;
}

/* SHLD/SHRD dest, src, count (imm8 or CL).
 * - 32/64-bit: count masked to 5/6 bits, so it is always < the size.
 * - 16-bit: the count is masked to 5 bits and may exceed 16 (undefined in
 *   the SDM). Intel Skylake shifts through the 48-bit value dest:src:dest
 *   (SHLD) or dest:src:dest read from the other end (SHRD), i.e. bits of
 *   dest come back in after the source's 16 bits; CF is the last bit out
 *   of that value. We do the same.
 * OF: Intel sets it as for the first one-bit step (SHLD: dest[n-1] ^
 * dest[n-2]; SHRD: dest[n-1] ^ src[0]) for every count. AF: cleared. */
static int op_shxd(struct vcpu *v, const struct iem_insn *in)
{
    bool left = in->mnemonic == ZYDIS_MNEMONIC_SHLD;
    unsigned size = in->op[0].size, n = size * 8, cnt;
    uint64_t m = iem_mask(size), d, s, c, r, cf, of;
    int rc;

    if (in->opcode == 0xa5 || in->opcode == 0xad) {
        c = iem_gpr(v, R_CX, 1);
    } else if ((rc = iem_opnd_read(v, in, 2, &c))) {
        return rc;
    }
    cnt = (unsigned)(c & (size == 8 ? 0x3f : 0x1f));
    if ((rc = iem_opnd_read(v, in, 0, &d)) || (rc = iem_opnd_read(v, in, 1, &s)))
        return rc;
    if (cnt == 0)
        return count0_writeback(v, in, d);
    d &= m;
    s &= m;
    if (size == 2) {
        if (left) {
            uint64_t t = (d << 32) | (s << 16) | d;
            r = ((t << cnt) >> 32) & m;
            cf = bit(t, 48 - cnt);
        } else {
            uint64_t t = (d << 32) | (s << 16) | d;
            r = (t >> cnt) & m;
            cf = bit(t, cnt - 1);
        }
    } else if (left) {
        r = ((d << cnt) | (s >> (n - cnt))) & m;
        cf = bit(d, n - cnt);
    } else {
        r = ((d >> cnt) | (s << (n - cnt))) & m;
        cf = bit(d, cnt - 1);
    }
    of = left ? bit(d, n - 1) ^ bit(d, n - 2) : bit(d, n - 1) ^ (s & 1);
    if ((rc = iem_opnd_write(v, in, 0, r)))
        return rc;
    iem_flags_update(v, F_ARITH, (cf ? F_CF : 0) | (of ? F_OF : 0) | szp(r, size));
    return IEM_OK;
}

const struct iem_op_def iem_ops_shift[] = {
    {ZYDIS_MNEMONIC_ROL, op_shift}, {ZYDIS_MNEMONIC_ROR, op_shift}, {ZYDIS_MNEMONIC_RCL, op_shift},
    {ZYDIS_MNEMONIC_RCR, op_shift}, {ZYDIS_MNEMONIC_SHL, op_shift}, {ZYDIS_MNEMONIC_SHR, op_shift},
    {ZYDIS_MNEMONIC_SAR, op_shift}, {ZYDIS_MNEMONIC_SHLD, op_shxd}, {ZYDIS_MNEMONIC_SHRD, op_shxd},
    {0, NULL},
};
