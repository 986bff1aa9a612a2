/* x87 environment and state images: FNSTENV/FLDENV (14 or 28 bytes) and
 * FNSAVE/FRSTOR (the environment + 8 registers, 94 or 108 bytes), in the
 * four layouts of SDM vol. 1 figures 8-9..8-12: the operand size picks 16-
 * or 32-bit, the mode picks real (also virtual-8086) or protected. Real-mode
 * layouts hold 20/32-bit linear pointers (selector * 16 + offset) and the
 * opcode; protected ones hold offset and selector. Reserved halves of the
 * 32-bit layout are stored as ones, like Intel parts do. */
#include <string.h>

#include "cpu/fpu.h"

static bool env_o32(const struct iem_insn *in)
{
    return in->osize != 2;
}

static bool env_real(const struct cpu *c)
{
    return cpu_is_real(c) || cpu_is_v86(c);
}

/* Builds the environment; returns its size. */
static unsigned env_store(const struct cpu *c, bool o32, bool real, uint8_t *b)
{
    uint16_t tw = fpu_full_tags(c);
    uint32_t lip = (uint32_t)(((uint32_t)c->fpu_cs << 4) + (uint32_t)c->fpu_ip);
    uint32_t ldp = (uint32_t)(((uint32_t)c->fpu_ds << 4) + (uint32_t)c->fpu_dp);

    if (!o32) {
        fpu_put16(b, 0, c->fcw);
        fpu_put16(b, 2, c->fsw);
        fpu_put16(b, 4, tw);
        if (real) {
            fpu_put16(b, 6, lip);
            fpu_put16(b, 8, ((lip >> 16) & 0xf) << 12 | c->fpu_op);
            fpu_put16(b, 10, ldp);
            fpu_put16(b, 12, ((ldp >> 16) & 0xf) << 12);
        } else {
            fpu_put16(b, 6, (uint32_t)c->fpu_ip);
            fpu_put16(b, 8, c->fpu_cs);
            fpu_put16(b, 10, (uint32_t)c->fpu_dp);
            fpu_put16(b, 12, c->fpu_ds);
        }
        return 14;
    }
    fpu_put32(b, 0, 0xffff0000u | c->fcw);
    fpu_put32(b, 4, 0xffff0000u | c->fsw);
    fpu_put32(b, 8, 0xffff0000u | tw);
    if (real) {
        fpu_put32(b, 12, 0xffff0000u | (lip & 0xffff));
        fpu_put32(b, 16, (lip >> 16) << 12 | c->fpu_op);
        fpu_put32(b, 20, 0xffff0000u | (ldp & 0xffff));
        fpu_put32(b, 24, (ldp >> 16) << 12);
    } else {
        fpu_put32(b, 12, (uint32_t)c->fpu_ip);
        fpu_put32(b, 16, c->fpu_cs | (uint32_t)c->fpu_op << 16);
        fpu_put32(b, 20, (uint32_t)c->fpu_dp);
        fpu_put32(b, 24, 0xffff0000u | c->fpu_ds);
    }
    return 28;
}

static void env_load(struct cpu *c, bool o32, bool real, const uint8_t *b)
{
    uint32_t tw;

    if (!o32) {
        c->fcw = (uint16_t)(fpu_get16(b, 0) | 0x40);
        c->fsw = (uint16_t)fpu_get16(b, 2);
        tw = fpu_get16(b, 4);
        if (real) {
            uint32_t lip = fpu_get16(b, 6) | (fpu_get16(b, 8) >> 12) << 16;
            uint32_t ldp = fpu_get16(b, 10) | (fpu_get16(b, 12) >> 12) << 16;
            c->fpu_op = (uint16_t)(fpu_get16(b, 8) & 0x7ff);
            c->fpu_cs = 0, c->fpu_ip = lip;
            c->fpu_ds = 0, c->fpu_dp = ldp;
        } else {
            c->fpu_ip = fpu_get16(b, 6);
            c->fpu_cs = (uint16_t)fpu_get16(b, 8);
            c->fpu_dp = fpu_get16(b, 10);
            c->fpu_ds = (uint16_t)fpu_get16(b, 12);
        }
    } else {
        c->fcw = (uint16_t)(fpu_get16(b, 0) | 0x40);
        c->fsw = (uint16_t)fpu_get16(b, 4);
        tw = fpu_get16(b, 8);
        if (real) {
            c->fpu_op = (uint16_t)(fpu_get32(b, 16) & 0x7ff);
            c->fpu_cs = 0, c->fpu_ip = fpu_get16(b, 12) | ((fpu_get32(b, 16) >> 12) & 0xffff) << 16;
            c->fpu_ds = 0, c->fpu_dp = fpu_get16(b, 20) | ((fpu_get32(b, 24) >> 12) & 0xffff) << 16;
        } else {
            c->fpu_ip = fpu_get32(b, 12);
            c->fpu_cs = (uint16_t)fpu_get16(b, 16);
            c->fpu_op = (uint16_t)(fpu_get16(b, 18) & 0x7ff);
            c->fpu_dp = fpu_get32(b, 20);
            c->fpu_ds = (uint16_t)fpu_get16(b, 24);
        }
    }
    /* Only "empty" is taken from the image: the other tags follow the
     * contents, as on every processor since the P6. */
    c->ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((tw >> (2 * p)) & 3) == 3)
            c->ftw |= (uint16_t)(3u << (2 * p));
    /* An unmasked flag in the loaded status word is reported by the next
     * waiting instruction. */
    c->fsw = fpu_sync_es(c->fcw, c->fsw);
}

static uint64_t mem_ea(struct vcpu *v, const struct iem_insn *in)
{
    return iem_ea(v, in, &in->op[0]);
}

int fpu_op_fnstenv(struct vcpu *v, const struct iem_insn *in)
{
    uint8_t b[28];
    unsigned n = env_store(&v->cpu, env_o32(in), env_real(&v->cpu), b);
    int rc = iem_write_buf(v, in->op[0].seg, mem_ea(v, in), b, n);
    if (rc)
        return rc;
    v->cpu.fcw |= 0x3f; /* FNSTENV masks every exception, which also drops ES */
    v->cpu.fsw = fpu_sync_es(v->cpu.fcw, v->cpu.fsw);
    return IEM_OK;
}

int fpu_op_fldenv(struct vcpu *v, const struct iem_insn *in)
{
    uint8_t b[28];
    bool o32 = env_o32(in);
    int rc = iem_read_buf(v, in->op[0].seg, mem_ea(v, in), b, o32 ? 28 : 14);
    if (rc)
        return rc;
    env_load(&v->cpu, o32, env_real(&v->cpu), b);
    return IEM_OK;
}

int fpu_op_fnsave(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    uint8_t b[108];
    unsigned top = (c->fsw >> FSW_TOP_SHIFT) & 7;
    unsigned n = env_store(c, env_o32(in), env_real(c), b);
    for (unsigned k = 0; k < 8; k++)
        memcpy(b + n + 10 * k, c->fpr[(top + k) & 7], 10);
    int rc = iem_write_buf(v, in->op[0].seg, mem_ea(v, in), b, n + 80);
    if (rc)
        return rc;
    fpu_init(c); /* then FNINIT */
    return IEM_OK;
}

int fpu_op_frstor(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    uint8_t b[108];
    bool o32 = env_o32(in);
    unsigned n = o32 ? 28 : 14;
    int rc = iem_read_buf(v, in->op[0].seg, mem_ea(v, in), b, n + 80);
    if (rc)
        return rc;
    env_load(c, o32, env_real(c), b);
    unsigned top = (c->fsw >> FSW_TOP_SHIFT) & 7;
    for (unsigned k = 0; k < 8; k++)
        memcpy(c->fpr[(top + k) & 7], b + n + 10 * k, 10);
    return IEM_OK;
}
