/* --trace: one line per executed instruction. */
#ifndef PCVM_TRACE_H
#define PCVM_TRACE_H

#include "cpu/iem.h"

int iem_trace_init(struct vcpu *v, FILE *out);
void iem_trace_fini(struct vcpu *v);
void iem_trace_before(struct vcpu *v, const struct iem_insn *in);
void iem_trace_after(struct vcpu *v);
/* Disassembles bytes at addr with Capstone in the given mode (2/4/8). */
int iem_disasm(const uint8_t *bytes, unsigned len, uint64_t addr, unsigned mode_bytes, char *out,
               unsigned outlen);

#endif
