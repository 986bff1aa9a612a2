/* The gdb stub (gdbstub.c): GDB's remote serial protocol on a TCP port,
 * with every vCPU a thread. -gdb tcp::PORT, -s, -S. */
#ifndef PCVM_GDBSTUB_H
#define PCVM_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

struct gdbstub;

/* Listens on spec ("tcp:[HOST]:PORT"); the connection is served by its
 * own thread. 0, or -1 with a one-line reason in err. */
int gdbstub_start(struct vm *vm, const char *spec, struct gdbstub **out, char *err, size_t errlen);
/* Tells a client waiting for the guest that it exited, ends the thread. */
void gdbstub_stop(struct gdbstub *g);

/* Registers (gdbstub_regs.c), numbered as in the target description. */
unsigned gdb_reg_count(bool x86_64);
/* Little-endian bytes of register n into out (16 bytes at most); the
 * size, or -1 for no such register. */
int gdb_reg_read(struct vcpu *v, bool x86_64, unsigned n, uint8_t *out);
int gdb_reg_write(struct vcpu *v, bool x86_64, unsigned n, const uint8_t *in);
/* The target description; its length, or 0 when buf is too small. */
size_t gdb_target_xml(bool x86_64, char *buf, size_t len);

#endif
