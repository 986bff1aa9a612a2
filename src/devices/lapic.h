/* The local APICs (lapic.c). The CPU side (IEM, EM) reaches them only
 * through struct vcpu_intc_ops (vm.h), which lapic_cpu.c implements;
 * this header is for the machine (pc.c), the I/O APIC and HM. */
#ifndef PCVM_LAPIC_H
#define PCVM_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/vm.h"

struct dev_apic;

#define APIC_DEFAULT_BASE 0xfee00000u

/* Delivery modes (ICR, LVT and I/O APIC redirection entries). */
enum apic_dm { DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6, DM_EXTINT = 7 };

/* Creates one local APIC per vCPU and maps the xAPIC page; registers as
 * the bus device "apic". */
int dev_apic_create(struct vm *vm, struct dev_apic **out);
/* The machine's APICs, or NULL (found on vm->bus). */
struct dev_apic *pc_apic(struct vm *vm);
/* The vCPU the calling thread runs (the MMIO page has no vCPU argument):
 * each vCPU thread sets it through vcpu_intc_thread_start; threads that
 * never did (tests, devices) act as vCPU 0. */
void lapic_set_current(struct vcpu *v);

/* Interrupt bus (the I/O APIC, MSI-like sources). dest is the 8-bit xAPIC
 * destination (0xFF: broadcast) or, with wide, a 32-bit x2APIC one. */
void apic_bus_lock(struct dev_apic *a);
void apic_bus_unlock(struct dev_apic *a);
void apic_bus_deliver_locked(struct dev_apic *a, uint32_t dest, bool logical, bool wide, unsigned dm,
                             unsigned vector, bool level);
/* Where the local APICs send the EOI of a level-triggered vector. */
void apic_set_eoi_hook(struct dev_apic *a, void (*fn)(void *opaque, unsigned vector), void *opaque);

#endif
