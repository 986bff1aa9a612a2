/* HM: the guest on the host CPU through Linux KVM, the third engine under
 * EM (em_engine_hm). What KVM cannot run is handed to IEM and HM carries on. */
#ifndef PCVM_HM_H
#define PCVM_HM_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* 0 when /dev/kvm opens (API 12) and a real-mode probe guest runs there
 * (`out` then `hlt`); else -1 with one line saying why in why. */
int hm_probe(char *why, size_t len);

/* The engine table's entries (em.c). */
int hm_init(struct vcpu *v);
void hm_fini(struct vcpu *v);
int hm_exec(struct vcpu *v, uint64_t max);
void hm_flush(struct vcpu *v);
void hm_info(struct vcpu *v, int fd);
void hm_kick(struct vcpu *v);

/* State transfer, for tests: struct cpu to the KVM vCPU (written at once,
 * not at the next KVM_RUN), and the KVM vCPU back into struct cpu. */
int hm_state_put(struct vcpu *v);
int hm_state_get(struct vcpu *v);
/* The rate of the guest TSC while KVM runs v, in kHz (0: KVM does not say). */
uint64_t hm_tsc_khz(struct vcpu *v);
/* How HM sets KVM's guest TSC to IEM's when KVM takes the vCPU: by the
 * KVM_VCPU_TSC_OFFSET attribute (exact), by writing MSR_TSC (KVM may keep
 * its own when the value is close to it), or not at all (kvm-pvm: the
 * guest reads the host's TSC, which neither moves, measured). */
enum hm_tsc { HM_TSC_OFFSET, HM_TSC_MSR, HM_TSC_HOST };
enum hm_tsc hm_tsc_method(struct vcpu *v);

/* Fault injection (tests): the next KVM_RUN of v behaves as if KVM had
 * returned this instead of running the guest. */
enum hm_fault { HM_FAULT_NONE, HM_FAULT_EINTR, HM_FAULT_EFAULT, HM_FAULT_INTERNAL, HM_FAULT_EMULATION };
void hm_inject_fault(struct vcpu *v, enum hm_fault f);

#endif
