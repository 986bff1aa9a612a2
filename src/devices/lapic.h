/* The local APICs (lapic.c) and what the CPU side (IEM, EM, MSRs, CR8)
 * and the I/O APIC need of them. */
#ifndef PCVM_LAPIC_H
#define PCVM_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;
struct dev_apic;

#define APIC_DEFAULT_BASE 0xfee00000u
#define APIC_BASE_BSP  0x100ull
#define APIC_BASE_EXTD 0x400ull /* x2APIC mode */
#define APIC_BASE_EN   0x800ull

/* Delivery modes (ICR, LVT and I/O APIC redirection entries). */
enum apic_dm { DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6, DM_EXTINT = 7 };

/* Creates one local APIC per vCPU and maps the xAPIC page; registers as
 * the bus device "apic". */
int dev_apic_create(struct vm *vm, struct dev_apic **out);
/* The machine's APICs, or NULL (found on vm->bus). */
struct dev_apic *pc_apic(struct vm *vm);
/* The vCPU the calling thread runs: the MMIO page has no vCPU argument.
 * Threads that never called it act as vCPU 0. */
void lapic_set_current(struct vcpu *v);

/* CPU side. Each is a no-op (or "nothing") when the machine has no APIC. */
int lapic_intr_ack(struct vcpu *v);      /* highest deliverable vector, now in service; -1: none */
bool lapic_pic_allowed(struct vcpu *v);  /* the 8259's INTR reaches v (no lock: halt checks) */
bool lapic_wait_sipi(struct vcpu *v);    /* v is in wait-for-SIPI (no lock) */
void lapic_init_done(struct vcpu *v);    /* EM applied an INIT: the APIC's registers reset */
int lapic_take_sipi(struct vcpu *v);     /* the start-up vector of a pending SIPI, or -1 */
uint64_t lapic_get_cr8(struct vcpu *v);
void lapic_set_cr8(struct vcpu *v, uint64_t cr8);
/* MSRs: 0, or -1 for #GP(0). */
int lapic_base_write(struct vcpu *v, uint64_t val, uint64_t phys_mask);
int lapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);   /* 0x800-0x8FF */
int lapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
uint64_t lapic_tsc_deadline_read(struct vcpu *v);
void lapic_tsc_deadline_write(struct vcpu *v, uint64_t val);

/* Interrupt bus (the I/O APIC, MSI-like sources). dest is the 8-bit xAPIC
 * destination (0xFF: broadcast) or, with wide, a 32-bit x2APIC one. */
void apic_bus_lock(struct dev_apic *a);
void apic_bus_unlock(struct dev_apic *a);
void apic_bus_deliver_locked(struct dev_apic *a, uint32_t dest, bool logical, bool wide, unsigned dm,
                             unsigned vector, bool level);
/* Where the local APICs send the EOI of a level-triggered vector. */
void apic_set_eoi_hook(struct dev_apic *a, void (*fn)(void *opaque, unsigned vector), void *opaque);

#endif
