/* The per-vCPU software TLB (tlb.c): PGM's shadow of the guest page
 * tables, and the hooks the control-register, MSR and invalidation
 * instructions call so it is flushed exactly when the architecture says
 * (SDM vol. 3 4.10.4).
 *
 * Invariants:
 * - The TLB is a pure cache of walks: an entry serves only the
 *   access kind (read, write, fetch), privilege (user / supervisor /
 *   supervisor with SMAP lifted by EFLAGS.AC) and PCID it was filled for,
 *   so it never allows an access the walk would have refused.
 * - Anything that changes the result of a walk other than the guest's own
 *   page-table memory (CR0/CR4/EFER paging bits, PKRU, PGM's map, A20)
 *   flushes; page-table memory changes are seen after INVLPG / INVPCID /
 *   MOV CR3 as on hardware.
 *
 * The entry layout is public so that code can look entries up itself:
 * IEM's memory paths (cpu/mem.c) do, and REM's host code generator inlines
 * the same lookup. The lookup of an access to linear address `lin` that
 * lies within one 4K page:
 *
 * 1. Table and slot. v->tlb.ent[kind][i] (struct vcpu, vm/vm.h), kind
 *    TLB_KIND_READ / _WRITE / _FETCH (tlb_kind() from PGM_ACC_* bits; a
 *    read-modify-write looks up the write table), and
 *        i = ((lin >> 12) + asid * 37) & (TLB_SIZE - 1)     tlb_index()
 *    with asid the tag id in the context (below). The entry is at byte
 *    offsetof(struct vcpu, tlb) + (kind * TLB_SIZE + i) * TLB_ENTRY_SIZE
 *    from the vCPU, so ((lin >> (12 - 5)) + (asid * 37 << 5)) &
 *    ((TLB_SIZE - 1) << 5) is i's byte offset.
 * 2. The tag to compare, built by the accessor:
 *        want = (lin & ~0xfff) | ctx                       tlb_want()
 *    ctx = tlb_ctx(): the address space's tag id (struct tlb's asid,
 *    bits 11:4: a small number PGM gives each PCID it sees), TLB_USER for
 *    a user access (CPL 3 and not an implicit supervisor access), else
 *    TLB_SMAPOK for an explicit supervisor access with CR4.SMAP and
 *    EFLAGS.AC set. Compare with the entry's tag as it is:
 *        hit  <=>  e->tag == want                          tlb_hit()
 *    Bits 63:12 are the whole linear page, and only canonical ones are
 *    ever filled, so a non-canonical lin misses without a check of its
 *    own, and so does an access whose last byte lies in another page when
 *    want is built from that byte's address.
 * 3. A hit gives the host pointer of lin itself (not of the page):
 *        host = lin + e->addend                            tlb_host()
 * 4. Everything else is a miss, and the compare alone finds it, because
 *    `want` never holds these bits:
 *    - TLB_INVALID (bit 0): the slot is empty;
 *    - TLB_SLOW (bit 3): the translation is known (e->gpa) but the access
 *      must go through pgm_read / pgm_write: MMIO, unassigned space, ROM
 *      (writes), and writes to a page holding decoded or translated code
 *      (write-monitored, PGM_PF_CODE) so the cached code is dropped;
 *    - a different page, privilege context or address space.
 *    What needs no bit: a page the guest may not write, or not from this
 *    privilege, never gets a write entry (the walk that would fill it
 *    faults instead); a write entry exists only once its walk has set the
 *    accessed and dirty bits, a read or fetch entry once it set accessed,
 *    so a write to a page so far only read misses (separate tables) and
 *    the fill sets D. One walk may fill both the read and the write entry
 *    of a page when that changes nothing the other access's walk would
 *    (tlb_fill). Large pages are entered per 4K page.
 *    A miss goes to the slow path (IEM's iem_read / iem_write with the
 *    guest state synced), which fills the entry or raises the fault.
 * The caller still owns what is not paging: segmentation and the fault a
 * non-canonical address raises, alignment checks (#AC), accesses crossing a page, data
 * breakpoints (DR7 bits 7:0 nonzero) and a debugger watch (v->dbg_watch):
 * any of those takes the slow path.
 */
#ifndef PCVM_PGM_TLB_H
#define PCVM_PGM_TLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pgm/pgm.h"

struct vcpu;

struct tlb_entry {
    uint64_t tag;     /* linear page | context | flags; TLB_INVALID when empty */
    uintptr_t addend; /* host = linear + addend (0 in a TLB_SLOW entry) */
    uint64_t gpa;     /* guest-physical 4K page */
    uint16_t pcid;    /* the PCID it was filled under (INVPCID, MOV CR3) */
    uint8_t size;     /* page size code: 0 4K, 1 2M, 2 4M, 3 1G (INVLPG) */
    uint8_t global;   /* filled from a global page with CR4.PGE */
    uint32_t pad;
};
#define TLB_ENTRY_SIZE 32
_Static_assert(sizeof(struct tlb_entry) == TLB_ENTRY_SIZE && offsetof(struct tlb_entry, tag) == 0 &&
                   offsetof(struct tlb_entry, addend) == 8 && offsetof(struct tlb_entry, gpa) == 16,
               "the generated lookup code relies on this layout");

#define TLB_SIZE 1024 /* entries per kind, a power of two */
enum { TLB_KIND_READ, TLB_KIND_WRITE, TLB_KIND_FETCH, TLB_KINDS };
/* address-space tag ids: 0 is never given out, so a zeroed map means none */
#define TLB_ASIDS 256

/* The vCPU's TLB (struct vcpu's `tlb`). */
struct tlb {
    struct tlb_entry ent[TLB_KINDS][TLB_SIZE];
    /* the fill's walker: host pointers of page-table pages */
    struct pgm_walk_cache walk_cache;
    /* tag ids by PCID (0: none yet); next_asid is the next free one */
    uint8_t asid[4096];
    unsigned next_asid;
};

/* Tag bits 11:0. Context bits are part of `want`; flag bits never are (a
 * set one makes the compare miss). */
#define TLB_INVALID 0x001ull /* flag: empty slot */
#define TLB_USER    0x002ull /* context: user-mode access */
#define TLB_SMAPOK  0x004ull /* context: explicit supervisor access, SMAP on, EFLAGS.AC = 1 */
#define TLB_SLOW    0x008ull /* flag: valid, but take pgm_read/pgm_write with e->gpa */
#define TLB_ASID_SHIFT 4     /* context: bits 11:4, the address space's tag id */
/* a context no tag holds: every lookup made with it misses */
#define TLB_NEVER (TLB_INVALID | TLB_SLOW)

static inline unsigned tlb_kind(unsigned pgm_acc)
{
    return (pgm_acc & PGM_ACC_W) ? TLB_KIND_WRITE : (pgm_acc & PGM_ACC_X) ? TLB_KIND_FETCH : TLB_KIND_READ;
}

static inline unsigned tlb_cur_pcid(uint64_t cr3, uint64_t cr4)
{
    return (cr4 & CR4_PCIDE) ? (unsigned)(cr3 & 0xfff) : 0;
}

/* Direct mapped; the address space's tag id (in want's bits 11:4) moves
 * the slot, so address spaces sharing linear pages do not evict each
 * other. */
static inline unsigned tlb_salt(uint64_t want)
{
    return (unsigned)((want >> TLB_ASID_SHIFT) & 0xff) * 37;
}

static inline unsigned tlb_index(uint64_t lin, uint64_t want)
{
    return (unsigned)((lin >> 12) + tlb_salt(want)) & (TLB_SIZE - 1);
}

static inline struct tlb_entry *tlb_slot(struct tlb *t, unsigned kind, uint64_t lin, uint64_t want)
{
    return &t->ent[kind][tlb_index(lin, want)];
}

/* The tag id of pcid's address space, given out on first use. */
unsigned tlb_asid_new(struct vcpu *v, unsigned pcid);

/* The part of the tag that depends on who accesses: pgm_acc as for
 * pgm_walk (PGM_ACC_USER, PGM_ACC_IMPLICIT, PGM_ACC_AC matter here). */
static inline uint64_t tlb_ctx(struct vcpu *v, struct tlb *t, uint64_t cr4, unsigned pgm_acc, unsigned pcid)
{
    unsigned asid = t->asid[pcid & 0xfff];
    uint64_t c = (uint64_t)(asid ? asid : tlb_asid_new(v, pcid)) << TLB_ASID_SHIFT;
    if (pgm_acc & PGM_ACC_USER)
        c |= TLB_USER;
    else if ((cr4 & CR4_SMAP) && !(pgm_acc & PGM_ACC_IMPLICIT) && (pgm_acc & PGM_ACC_AC))
        c |= TLB_SMAPOK;
    return c;
}

static inline uint64_t tlb_want(uint64_t lin, uint64_t ctx)
{
    return (lin & ~0xfffull) | ctx;
}

/* A fast hit: tlb_host() may be used. */
static inline bool tlb_hit(const struct tlb_entry *e, uint64_t want)
{
    return e->tag == want;
}

/* A hit on a TLB_SLOW entry: the access goes to PGM at tlb_gpa(). */
static inline bool tlb_slow_hit(const struct tlb_entry *e, uint64_t want)
{
    return e->tag == (want | TLB_SLOW);
}

static inline uint8_t *tlb_host(const struct tlb_entry *e, uint64_t lin)
{
    return (uint8_t *)(uintptr_t)(lin + e->addend);
}

static inline uint64_t tlb_gpa(const struct tlb_entry *e, uint64_t lin)
{
    return e->gpa | (lin & 0xfff);
}

/* Walks lin with v's paging registers for pgm_acc (PGM_ACC_*) and caches
 * the result in e under want (tlb_want of the same lin and access).
 * 0: *gpa is lin's guest-physical address and *host its host pointer, or
 * NULL when the access must go through pgm_read/pgm_write. -1: the walk
 * faults with the #PF error code in *pferr; nothing is cached and the
 * caller raises #PF (CR2 = lin). */
int tlb_fill(struct vcpu *v, uint64_t lin, unsigned pgm_acc, struct tlb_entry *e, uint64_t want,
             uint8_t **host, uint64_t *gpa, uint32_t *pferr);
/* Bumped by every flush that can drop fetch entries, so a translation
 * REM chained under one epoch is known to still hold. */
uint32_t tlb_epoch(struct vcpu *v);
/* Whether the fetch entry for lin (as an instruction fetch now would look
 * it up) is there and global, and lin in the upper half of the address
 * space: its translation outlives CR3 loads and INVLPG of lower-half
 * addresses; only a flush that bumps v->iem.tlb_epoch_g drops it. */
bool tlb_fetch_global(struct vcpu *v, uint64_t lin);

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
