/* EM: the execution manager. One EMT thread per vCPU runs the chosen
 * engine, acts on forced actions between blocks, and parks halted vCPUs. */
#ifndef PCVM_EM_H
#define PCVM_EM_H

#include "vm/vm.h"

/* Picks the engine for cfg->engine; prints a one-line note to stderr when
 * it falls back. */
enum em_engine em_choose_engine(enum em_engine wanted);
int em_start(struct vm *vm);
void em_join(struct vm *vm);
/* Wakes a vCPU parked in HLT or waiting for a state change. */
void em_wake(struct vm *vm);

#endif
