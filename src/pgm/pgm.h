/* PGM: guest physical memory map and guest paging.
 *
 * Invariants:
 * - Guest RAM is one host reservation made without backing: a page costs
 *   host memory only once the guest (or a loader) writes it.
 * - The range table is searched newest first, so a later mapping (a ROM or
 *   MMIO window) shadows RAM beneath it; addresses in no range are
 *   unassigned: reads return all ones, writes are dropped.
 * - Every write to a RAM page that holds decoded/translated code goes
 *   through pgm_note_write() (or pgm_note_ram_page with the written
 *   bytes); when the write overlaps a 64-byte granule that code was
 *   decoded from, the page's code generation is bumped so caches keyed on
 *   it (IEM's decoded instructions, REM's translation blocks) drop their
 *   entries. Writes to the rest of the page (data beside code) leave the
 *   code alone.
 * - The A20 mask is applied to every guest-physical address on entry.
 * - The range table and the A20 mask change under map_seq (a sequence
 *   lock) while other vCPUs read them: pgm's own accessors copy the range
 *   they need and retry on a change. A ROM image stays allocated until
 *   pgm_fini (mapping the same image again reuses it), so a host pointer
 *   taken from a range just unmapped still points at valid bytes; RAM is
 *   never unmapped from the host. Page flags and code generations change
 *   with atomic operations.
 */
#ifndef PCVM_PGM_H
#define PCVM_PGM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "devices/io.h"
#include "vm/seqlock.h"

/* The walker's physical-address width; CPUID 0x80000008 reports the same. */
#define PGM_MAXPHYADDR 40

enum pgm_type { PGM_RAM, PGM_ROM, PGM_MMIO };

struct pgm_range {
    uint64_t start, end; /* [start, end) */
    enum pgm_type type;
    uint8_t *host;       /* RAM/ROM: host address of `start` */
    uint64_t ram_off;    /* RAM: offset into the RAM reservation */
    bool ro;             /* RAM: writes are dropped (a chipset's read-only shadow) */
    const struct io_ops *ops;
    void *opaque;
    char name[24];
};

#define PGM_MAX_RANGES 64
#define PGM_FAST_NONE  0xfe
#define PGM_FAST_MIXED 0xff
#define PGM_MAX_LISTENERS 4
#define PGM_MAX_ROMS 16
#define PGM_PF_CODE 0x01 /* page holds cached decoded code */

/* Guest paging modes (pgm_change_mode records them). */
enum pgm_mode { PGM_MODE_REAL, PGM_MODE_PROTECTED, PGM_MODE_32BIT, PGM_MODE_PAE, PGM_MODE_PAE_NX,
                PGM_MODE_AMD64, PGM_MODE_AMD64_NX, PGM_MODE_LA57, PGM_MODE_LA57_NX, PGM_MODE_COUNT };
/* Modes entered, oldest first; past the limit the oldest are dropped. */
#define PGM_MODE_HISTORY 32

struct pgm {
    uint8_t *ram;
    uint64_t ram_size;
    uint8_t *page_flags; /* per RAM page: PGM_PF_* */
    uint32_t *code_gen;  /* per RAM page: generation of decoded code */
    uint64_t *code_mask; /* per RAM page: the 64-byte granules code was decoded from */
    struct pgm_range ranges[PGM_MAX_RANGES];
    unsigned nranges;
    /* Per MiB below 4 GiB: the index of the range pgm_find returns for
     * every address in it, PGM_FAST_NONE when none, PGM_FAST_MIXED when
     * that differs within the MiB (pgm_find then scans). */
    uint8_t fast[4096];
    uint64_t a20_mask;
    unsigned mode;
    uint64_t mode_changes;
    uint8_t mode_hist[PGM_MODE_HISTORY];
    unsigned nhist;        /* entries in mode_hist */
    uint64_t hist_dropped; /* modes that fell off the front */
    /* Bumped whenever a mapping changes (ranges, A20); the listeners then
     * follow the new map (the TLB drops what it cached from the old one,
     * HM moves its KVM memory slots). */
    uint64_t map_gen;
    struct pgm_listener {
        void (*fn)(struct pgm *p, void *opaque);
        void *opaque;
    } listeners[PGM_MAX_LISTENERS];
    unsigned nlisteners;
    seqlock_t map_seq; /* ranges, nranges, fast, a20_mask */
    struct { const void *data; uint64_t size; uint8_t *copy; } roms[PGM_MAX_ROMS];
    unsigned nroms;
    /* Bumped with map_gen: code decoded from a ROM page is stale once the
     * map changes (a chipset's shadow RAM replaced the ROM). */
    uint32_t rom_gen;
};

int pgm_init(struct pgm *p, uint64_t ram_size);
void pgm_fini(struct pgm *p);
/* Calls fn after every map change, in the order added; adding the same
 * fn and opaque again is a no-op. 0, or -ENOSPC. */
int pgm_add_listener(struct pgm *p, void (*fn)(struct pgm *p, void *opaque), void *opaque);
void pgm_remove_listener(struct pgm *p, void (*fn)(struct pgm *p, void *opaque), void *opaque);
/* Maps [gpa, gpa+size) to RAM at ram_off. */
int pgm_map_ram(struct pgm *p, uint64_t gpa, uint64_t size, uint64_t ram_off, const char *name);
/* The same RAM, read only: writes are dropped as a ROM's are. */
int pgm_map_ram_ro(struct pgm *p, uint64_t gpa, uint64_t size, uint64_t ram_off, const char *name);
/* Maps a ROM copied from data (writes dropped); the copy is page aligned
 * so HM can hand it to KVM as a read-only memory slot. */
int pgm_map_rom(struct pgm *p, uint64_t gpa, uint64_t size, const void *data, const char *name);
int pgm_map_mmio(struct pgm *p, uint64_t gpa, uint64_t size, const struct io_ops *ops, void *opaque,
                 const char *name);
/* Removes the newest range that is exactly [gpa, gpa+size): what lay
 * beneath shows again. -ENOENT when there is none. */
int pgm_unmap(struct pgm *p, uint64_t gpa, uint64_t size);
/* Writes RAM by its offset in the reservation, whatever the map shows
 * there (a chipset writing to shadow RAM that reads from ROM). */
void pgm_ram_write(struct pgm *p, uint64_t ram_off, const void *buf, size_t len);
/* Lays out RAM as a PC does: below 0xA0000, 1 MiB..3.5 GiB, and above 4 GiB. */
int pgm_map_pc_ram(struct pgm *p);

void pgm_set_a20(struct pgm *p, bool on);
static inline bool pgm_a20(const struct pgm *p) { return p->a20_mask & (1u << 20); }

/* The range holding gpa, a pointer into the table: only for code that
 * runs while no vCPU can change the map (creation, the firmware's own
 * tables); everything else goes through the accessors below. */
const struct pgm_range *pgm_find(const struct pgm *p, uint64_t gpa);
/* Host pointer for a RAM page (writable) or ROM page (read only), or NULL. */
uint8_t *pgm_page_ptr(struct pgm *p, uint64_t gpa, bool write);
/* Guest-physical accesses of any length; MMIO is dispatched at 1/2/4/8 bytes. */
void pgm_read(struct pgm *p, uint64_t gpa, void *buf, size_t len);
void pgm_write(struct pgm *p, uint64_t gpa, const void *buf, size_t len);
uint64_t pgm_read_u(struct pgm *p, uint64_t gpa, unsigned size);
void pgm_write_u(struct pgm *p, uint64_t gpa, uint64_t val, unsigned size);
/* Writes that bypass ROM protection (firmware loading). */
int pgm_load(struct pgm *p, uint64_t gpa, const void *buf, size_t len);

/* Decoded-code tracking. */
static inline uint64_t pgm_ram_index(const struct pgm_range *r, uint64_t gpa)
{
    return (r->ram_off + (gpa - r->start)) >> 12;
}
/* The same index from a host pointer into RAM (pgm_page_ptr of a RAM
 * page): RAM ranges map the reservation at their ram_off. */
static inline uint64_t pgm_host_index(const struct pgm *p, const uint8_t *host)
{
    return (uint64_t)(host - p->ram) >> 12;
}
/* The 64-byte granules of a page that [off, off + len) touches (clamped
 * to the page). */
static inline uint64_t pgm_granules(unsigned off, size_t len)
{
    unsigned first = (off & 0xfff) >> 6, last;
    if (!len)
        return 0;
    last = off + len - 1 >= 0x1000 ? 63 : (unsigned)((off + len - 1) >> 6);
    return (last == 63 ? ~0ull : (2ull << last) - 1) & ~((1ull << first) - 1);
}
/* RAM page i was written at [off, off + len): code decoded from those
 * bytes is stale, and with it everything decoded from the page. */
static inline void pgm_note_ram_page(struct pgm *p, uint64_t i, unsigned off, size_t len)
{
    if ((__atomic_load_n(&p->page_flags[i], __ATOMIC_RELAXED) & PGM_PF_CODE) &&
        (__atomic_load_n(&p->code_mask[i], __ATOMIC_RELAXED) & pgm_granules(off, len)) &&
        (__atomic_fetch_and(&p->page_flags[i], (uint8_t)~PGM_PF_CODE, __ATOMIC_RELAXED) & PGM_PF_CODE)) {
        __atomic_store_n(&p->code_mask[i], 0, __ATOMIC_RELAXED);
        __atomic_fetch_add(&p->code_gen[i], 1, __ATOMIC_RELEASE);
    }
}
/* The decoder caches code from [gpa, gpa + len) (within one page): marks
 * the page as holding code there (RAM) and returns the generation counter
 * that makes the cached form stale (the page's own, or rom_gen for ROM),
 * or NULL when nothing from there may be cached (MMIO, unassigned, a
 * range not covering the page). *newly says the RAM page was not marked
 * before, so writes that bypass pgm_write (direct TLB pointers) must be
 * sent to the slow path. */
const uint32_t *pgm_code_page(struct pgm *p, uint64_t gpa, unsigned len, bool *newly);
uint32_t pgm_code_gen(struct pgm *p, uint64_t gpa);
void pgm_note_write(struct pgm *p, uint64_t gpa, size_t len);

/* Records the guest paging mode (and the history for info mode); the
 * caller flushes the vCPU's TLB (tlb.h: tlb_mode_changed does both). */
void pgm_change_mode(struct pgm *p, unsigned mode);
const char *pgm_mode_name(unsigned mode);
/* Prints the range table (info ram). */
void pgm_info_ram(const struct pgm *p, int fd);
/* info mode: the current mode, the count of changes and the history. */
void pgm_info_mode(const struct pgm *p, int fd);
/* Writes guest RAM (the RAM ranges, in guest-physical order of the range
 * table) to path via path.tmp + rename; nozero skips all-zero pages (the
 * file is then sparse). 0 or a negative errno. */
int pgm_dump_phys(const struct pgm *p, const char *path, bool nozero);

/* Guest page walk (pgm_walk.c). acc bits: */
#define PGM_ACC_W        0x02u /* write */
#define PGM_ACC_USER     0x04u /* user-mode access: CPL 3 and not implicit */
#define PGM_ACC_X        0x10u /* instruction fetch */
#define PGM_ACC_IMPLICIT 0x20u /* implicit supervisor access (GDT/LDT/IDT/TSS), any CPL */
#define PGM_ACC_AC       0x40u /* EFLAGS.AC: lifts SMAP for explicit supervisor accesses */
#define PGM_ACC_PROBE    0x80u /* look only: write no A/D bits (debugger, info) */
/* #PF error code bits */
#define PFERR_P    0x01u
#define PFERR_W    0x02u
#define PFERR_U    0x04u
#define PFERR_RSVD 0x08u
#define PFERR_I    0x10u
#define PFERR_PK   0x20u

/* The map's version: it changes with every change of the ranges or the
 * A20 mask (odd while one is under way), so a host pointer looked up
 * under one version still holds while the version reads the same. */
static inline unsigned pgm_map_version(const struct pgm *p)
{
    return __atomic_load_n(&p->map_seq, __ATOMIC_ACQUIRE);
}

/* A vCPU's cache of host pointers by MiB of guest-physical space, for
 * the page-table pages a walk reads and the pages the TLB maps: a MiB
 * that is writable RAM of one range throughout has its host address
 * here, any other MiB is marked as one to ask pgm_page_ptr about. Only
 * pointers are cached, never guest memory. Valid while pgm_map_version()
 * equals `version`; zeroed it is empty. */
#define PGM_WALK_CACHE 64 /* direct mapped by MiB number */
struct pgm_walk_cache {
    unsigned version;
    struct {
        uint64_t key;  /* (gpa >> 20) + 1, A20 not applied; 0: empty */
        uint8_t *host; /* host address of the MiB; NULL: not all RAM */
    } ent[PGM_WALK_CACHE];
};
/* Writable RAM of one range over all of the MiB holding gpa (A20
 * applied): the host address of the MiB's first byte, else NULL. */
uint8_t *pgm_ram_mib(struct pgm *p, uint64_t gpa);
uint8_t *pgm_cache_miss(struct pgm *p, struct pgm_walk_cache *c, uint64_t gpa, bool write);
/* pgm_page_ptr(p, gpa, write), through c. */
static inline uint8_t *pgm_cached_page_ptr(struct pgm *p, struct pgm_walk_cache *c, uint64_t gpa, bool write)
{
    uint64_t key = (gpa >> 20) + 1;
    unsigned i = (unsigned)key & (PGM_WALK_CACHE - 1);
    if (c->ent[i].key == key && c->ent[i].host && c->version == pgm_map_version(p))
        return c->ent[i].host + (gpa & 0xff000);
    return pgm_cache_miss(p, c, gpa, write);
}

struct pgm_walk {
    uint64_t cr0, cr3, cr4, efer;
    uint32_t pkru, pkrs;
    const uint64_t *pdpte; /* PAE: the four PDPTE registers; NULL reads them at CR3 */
    unsigned acc;          /* PGM_ACC_* */
    struct pgm_walk_cache *cache; /* NULL: look every table up in the map */
    /* results */
    uint64_t gpa;
    uint32_t err;       /* #PF error code when the walk faults */
    uint8_t page_shift; /* 12, 21 (2M), 22 (4M) or 30 (1G) */
    uint8_t pkey;       /* 4/5-level paging: the leaf's protection key */
    bool writable;      /* effective R/W over all levels */
    bool user;          /* effective U/S over all levels */
    bool nx;            /* effective XD (EFER.NXE only) */
    bool global;
    /* a write of the same privilege now would succeed and change nothing
     * in the tables (every A bit and the leaf's D set), so a TLB may keep
     * the translation for writes too, as hardware's entries record the
     * dirty state; false after a fetch walk */
    bool write_too;
};
/* Walks the guest tables for lin; 0 with w->gpa, or -1 with w->err. Sets
 * accessed bits and, for writes, the dirty bit, atomically in guest RAM.
 * Without CR0.PG the linear address is the physical one. */
int pgm_walk(struct pgm *p, uint64_t lin, struct pgm_walk *w);
unsigned pgm_mode_from_regs(uint64_t cr0, uint64_t cr4, uint64_t efer);
/* The paging registers of c for a walk (acc 0: fill it in). */
static inline struct pgm_walk pgm_walk_regs(const struct cpu *c)
{
    return (struct pgm_walk){.cr0 = c->cr0, .cr3 = c->cr3, .cr4 = c->cr4, .efer = c->efer, .pkru = c->pkru, .pkrs = c->pkrs,
                             .pdpte = c->pdpte_loaded ? c->pdpte : NULL};
}
/* The debugger's translation of lin under regs' paging registers: sets no
 * accessed or dirty bit, raises nothing and checks no rights (a
 * supervisor's view, SMAP lifted). 0 with *gpa, or -EFAULT when lin is
 * not mapped. */
int pgm_debug_translate(struct pgm *p, const struct pgm_walk *regs, uint64_t lin, uint64_t *gpa);
/* Canonical for the current linear-address width (57 bits with CR4.LA57). */
static inline bool pgm_canonical(uint64_t cr4, uint64_t lin)
{
    unsigned sh = (cr4 & CR4_LA57) ? 7 : 16;
    return (uint64_t)((int64_t)(lin << sh) >> sh) == lin;
}
/* Reads the four PAE PDPTEs at CR3[31:5]; -1 when a present one has a
 * reserved bit set (the MOV to CR0/CR3/CR4 raises #GP(0) and changes
 * nothing), else 0 with pdpte[] filled. */
int pgm_load_pdptes(struct pgm *p, uint64_t cr3, uint64_t pdpte[4]);
/* info cr3: one line per present entry of the hierarchy, by level. */
void pgm_info_cr3(struct pgm *p, const struct pgm_walk *regs, int fd);
#endif
