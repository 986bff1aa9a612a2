/* The per-vCPU software TLB (mem.c) and the hooks the control-register,
 * MSR and invalidation instructions call so it is flushed exactly when the
 * architecture says (SDM vol. 3 4.10.4).
 *
 * Invariants:
 * - The TLB is a pure cache of completed walks: an entry serves only the
 *   access kind (read, write, fetch), privilege (user / supervisor /
 *   supervisor with SMAP lifted by EFLAGS.AC) and PCID it was filled for,
 *   so it never allows an access the walk would have refused.
 * - Anything that changes the result of a walk other than the guest's own
 *   page-table memory (CR0/CR4/EFER paging bits, PKRU, PGM's map, A20)
 *   flushes; page-table memory changes are seen after INVLPG / INVPCID /
 *   MOV CR3 as on hardware.
 */
#ifndef PCVM_TLB_H
#define PCVM_TLB_H

#include "vm/vm.h"

/* Empties the TLB and has PGM flush every vCPU's when the map changes. */
void tlb_init(struct vcpu *v);
void tlb_flush_all(struct vcpu *v);
/* Everything but global entries (filled with CR4.PGE and PTE.G). */
void tlb_flush_nonglobal(struct vcpu *v);
/* INVLPG: every entry whose page (4K or large) contains lin, any PCID. */
void tlb_flush_page(struct vcpu *v, uint64_t lin);
/* The page at gpa has just become a code page (pgm_code_page): write
 * entries mapping it, under any linear address and in every vCPU, are
 * dropped so the next write refills as a slow one and goes through
 * pgm_write, which drops the decoded instructions. */
void tlb_code_page(struct vcpu *v, uint64_t gpa);
/* Entries of one PCID; global ones too unless keep_global. */
void tlb_flush_pcid(struct vcpu *v, unsigned pcid, bool keep_global);
/* INVPCID with its type and 16-byte descriptor: -1 when the instruction
 * must raise #GP(0) (type > 3, descriptor bits 63:12 set, a nonzero PCID
 * for type 0/1 with CR4.PCIDE = 0). The caller checks type 0's address
 * against the CPU's widest linear address; one that is not canonical at the
 * current paging depth has no translation to drop. */
int tlb_invpcid(struct vcpu *v, uint64_t type, const uint64_t desc[2]);

/* Registers whose writes change translations. */
enum { PGM_REG_CR0, PGM_REG_CR3, PGM_REG_CR4, PGM_REG_EFER, PGM_REG_PKRU };
/* Call after every other check of a MOV to CR0/CR3/CR4 (or a task switch
 * loading CR3) and before committing the value: when PAE paging is in use
 * after the write and the write reloads them, loads the PDPTE registers
 * from the (new) CR3. -1: a present PDPTE has reserved bits; raise #GP(0)
 * and change nothing. */
int pgm_cr_load_pdptes(struct vcpu *v, unsigned reg, uint64_t val);
/* Call after committing a write to reg (old and new value): flushes what
 * the architecture flushes and records a paging-mode change. For CR3, new
 * is the source operand: bit 63 (no-flush with CR4.PCIDE) is read here and
 * must not be stored in CR3 by the caller. */
void pgm_cr_written(struct vcpu *v, unsigned reg, uint64_t old, uint64_t new_val);
/* Recomputes the paging mode from CR0/CR4/EFER; on a change records it in
 * PGM (info mode) and flushes the TLB. */
void tlb_mode_changed(struct vcpu *v);

/* info tlb: the live entries. */
void tlb_info(struct vcpu *v, int fd);

#endif
