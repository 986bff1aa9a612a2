/* x87 internals shared by iem_x87.c and fpu*.c.
 *
 * Guest state lives in struct cpu: fcw, fsw (TOP in bits 11-13), ftw (the
 * full 2-bit tag word, of which only "empty" (11) is authoritative: the
 * other tags are recomputed from the register contents whenever an image is
 * stored), fpr[phys][0..9] (the 80-bit values, little endian, FNSAVE
 * layout), and fpu_ip/fpu_cs/fpu_op/fpu_dp/fpu_ds.
 *
 * Arithmetic strategy (see fpu_host.c): every x87 computation runs on the
 * host's own x87 unit, which is bit-for-bit the architecture the guest
 * expects, under the guest's control word, on a state image built from the
 * guest registers. pcvm therefore requires an x86-64 host; transcendental
 * results are those of the host CPU (they differ in the last bit between
 * some Intel and AMD parts, like on real hardware).
 */
#ifndef PCVM_FPU_H
#define PCVM_FPU_H

#include "cpu/iem.h"

#define FSW_IE 0x0001u
#define FSW_DE 0x0002u
#define FSW_ZE 0x0004u
#define FSW_OE 0x0008u
#define FSW_UE 0x0010u
#define FSW_PE 0x0020u
#define FSW_SF 0x0040u
#define FSW_ES 0x0080u
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u
#define FSW_B  0x8000u
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_TOP_SHIFT 11
#define FSW_TOP (7u << FSW_TOP_SHIFT)

/* The result of one host execution, committed by fpu_commit() once any
 * memory store has succeeded (a faulting store leaves the FPU untouched). */
struct fpu_result {
    uint16_t fsw, ftw;
    uint8_t fpr[8][10];
    uint64_t eflags;   /* host RFLAGS after the instruction */
    uint16_t new_exc;  /* exception flags this instruction raised (IE..PE, SF) */
};

/* Little-endian fields of the FNSAVE/FNSTENV images (fpu_env.c, fpu_host.c). */
static inline void fpu_put16(uint8_t *b, unsigned off, uint32_t val)
{
    b[off] = (uint8_t)val;
    b[off + 1] = (uint8_t)(val >> 8);
}
static inline void fpu_put32(uint8_t *b, unsigned off, uint32_t val)
{
    fpu_put16(b, off, val);
    fpu_put16(b, off + 2, val >> 16);
}
static inline uint32_t fpu_get16(const uint8_t *b, unsigned off)
{
    return b[off] | (uint32_t)b[off + 1] << 8;
}
static inline uint32_t fpu_get32(const uint8_t *b, unsigned off)
{
    return fpu_get16(b, off) | fpu_get16(b, off + 2) << 16;
}

/* Prepares the host stubs; false when the host cannot run them. */
bool fpu_host_ready(void);
/* Runs the x87 instruction (opc D8..DF, modrm) on the host against the guest
 * state in c; a memory form reads or writes its operand in mem[16]. eflags
 * gives the guest's arithmetic flags (FCMOVcc reads them). */
void fpu_host_exec(const struct cpu *c, unsigned opc, unsigned modrm, uint8_t *mem, uint64_t eflags,
                   struct fpu_result *r);
void fpu_commit(struct cpu *c, const struct fpu_result *r);

/* The FNINIT state: FCW 037Fh, FSW 0, every register empty, pointers 0
 * (iem_x87.c; FNSAVE and XRSTOR's x87 initialisation use it too). */
void fpu_init(struct cpu *c);

/* Tag of an 80-bit value: 0 valid, 1 zero, 2 special (NaN, inf, denormal, unsupported). */
unsigned fpu_tag_of(const uint8_t *r);
/* The full tag word (physical order) computed from the register contents. */
uint16_t fpu_full_tags(const struct cpu *c);
/* ES and B follow the exception flags that the control word leaves unmasked. */
uint16_t fpu_sync_es(uint16_t fcw, uint16_t fsw);

/* Environment and state images (fpu_env.c). */
int fpu_op_fnstenv(struct vcpu *v, const struct iem_insn *in);
int fpu_op_fldenv(struct vcpu *v, const struct iem_insn *in);
int fpu_op_fnsave(struct vcpu *v, const struct iem_insn *in);
int fpu_op_frstor(struct vcpu *v, const struct iem_insn *in);

#endif
