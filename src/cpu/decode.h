/* Decoder internals shared by iem.c and trace.c. */
#ifndef PCVM_DECODE_H
#define PCVM_DECODE_H

#include "cpu/iem.h"

enum { DMODE_REAL, DMODE_PM16, DMODE_PM32, DMODE_COMPAT16, DMODE_COMPAT32, DMODE_LONG, DMODE_COUNT };

int iem_decode_init(struct vcpu *v);
void iem_decode_fini(struct vcpu *v);
void iem_decode_flush(struct vcpu *v);
/* Inline: the fetch path asks for it before every instruction. */
static inline unsigned iem_decode_mode(const struct cpu *c)
{
    if (cpu_is_real(c) || cpu_is_v86(c))
        return DMODE_REAL;
    if (c->efer & EFER_LMA) {
        if (c->seg[S_CS].attr & SEG_L)
            return DMODE_LONG;
        return (c->seg[S_CS].attr & SEG_DB) ? DMODE_COMPAT32 : DMODE_COMPAT16;
    }
    return (c->seg[S_CS].attr & SEG_DB) ? DMODE_PM32 : DMODE_PM16;
}
/* Fetches and decodes the instruction at CS:RIP (IEM_OK or IEM_EXC). */
int iem_fetch_decode(struct vcpu *v, const struct iem_insn **out);
/* Reads up to max instruction bytes at CS:RIP for logs (no exceptions). */
int iem_insn_bytes(struct vcpu *v, uint8_t *buf, unsigned max);

#endif
