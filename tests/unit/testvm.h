/* A VM for unit tests that run guest code in the interpreter: one vCPU in
 * 32-bit flat protected mode (no paging), with an optional GDT/IDT whose
 * vector n enters at TESTVM_HANDLER(n), so a test can tell which exception
 * an instruction raised. */
#ifndef PCVM_TESTVM_H
#define PCVM_TESTVM_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

#define TESTVM_GDT 0x3000u
#define TESTVM_IDT 0x3100u
#define TESTVM_HANDLER(vec) (0x2000u + 16u * (vec))
#define TESTVM_STACK 0x7000u

/* 16 MiB, CS 0x08 / data 0x10 flat, CPL 0, ESP = TESTVM_STACK; extra_cr0
 * bits are set in CR0 besides PE. */
struct vm *testvm_pm32(uint64_t extra_cr0);
/* Flat code 0x08 and data 0x10 in a GDT, and 32 interrupt gates. */
void testvm_idt(struct vm *vm);

#endif
