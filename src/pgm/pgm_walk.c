/* Guest page-table walkers: 32-bit (4K, 4M with PSE, PSE-36), PAE and AMD64
 * 4-level. A/D bits are set with atomic ORs on the guest's own entries, as
 * hardware does, so a guest spinning on them sees them appear. */
#include "pgm/pgm.h"

#include "cpu/cpu.h"

#define MAXPHYADDR 40
#define PHYS_MASK (((1ull << MAXPHYADDR) - 1) & ~0xfffull)
/* Address bits from MAXPHYADDR up to bit 51 must be zero in 8-byte entries. */
#define RSVD_ADDR (((1ull << 52) - 1) & ~((1ull << MAXPHYADDR) - 1))
#define PTE_P  0x001ull
#define PTE_W  0x002ull
#define PTE_U  0x004ull
#define PTE_A  0x020ull
#define PTE_D  0x040ull
#define PTE_PS 0x080ull
#define PTE_G  0x100ull
#define PTE_NX (1ull << 63)

unsigned pgm_mode_from_regs(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    bool nx = efer & EFER_NXE;
    if (!(cr0 & CR0_PE))
        return PGM_MODE_REAL;
    if (!(cr0 & CR0_PG))
        return PGM_MODE_PROTECTED;
    if (efer & EFER_LMA)
        return nx ? PGM_MODE_AMD64_NX : PGM_MODE_AMD64;
    if (cr4 & CR4_PAE)
        return nx ? PGM_MODE_PAE_NX : PGM_MODE_PAE;
    return PGM_MODE_32BIT;
}

/* Reads an entry and returns a host pointer for the A/D update, or NULL
 * when the table is not in RAM (then bits are read through MMIO/ROM and not
 * updated). */
static uint64_t read_entry(struct pgm *p, uint64_t gpa, unsigned size, uint8_t **host)
{
    uint8_t *page = pgm_page_ptr(p, gpa, true);
    *host = page ? page + (gpa & 0xfff) : NULL;
    return pgm_read_u(p, gpa, size);
}

static void set_bits(struct pgm *p, uint8_t *host, uint64_t gpa, uint64_t entry, uint64_t bits,
                     unsigned size)
{
    if ((entry & bits) == bits || !host)
        return;
    if (size == 4)
        __atomic_fetch_or((uint32_t *)host, (uint32_t)bits, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_or((uint64_t *)host, bits, __ATOMIC_SEQ_CST);
    pgm_note_write(p, gpa, size);
}

static int fault(struct pgm_walk *w, uint32_t err)
{
    w->err = err | ((w->acc & PGM_ACC_W) ? PFERR_W : 0) | ((w->acc & PGM_ACC_USER) ? PFERR_U : 0);
    if ((w->acc & PGM_ACC_X) && ((w->efer & EFER_NXE) || (w->cr4 & 0x100000 /* SMEP */)))
        w->err |= PFERR_I;
    return -1;
}

int pgm_walk(struct pgm *p, uint64_t lin, struct pgm_walk *w)
{
    unsigned size, levels, shift;
    uint64_t table, rsvd_nx, entry = 0, gpa[5];
    uint8_t *host[5];
    bool writable = true, user = true, nx = false, leaf_large = false;
    int lvl, n = 0;

    if (w->efer & EFER_LMA) {
        size = 8, levels = 4, shift = 39, table = w->cr3 & PHYS_MASK;
    } else if (w->cr4 & CR4_PAE) {
        /* The PDPTE: architecturally cached at CR3 load; read it here. */
        uint64_t pdpte_gpa = (w->cr3 & 0xffffffe0) + ((lin >> 30) & 3) * 8;
        uint8_t *h;
        uint64_t pdpte = read_entry(p, pdpte_gpa, 8, &h);
        if (!(pdpte & PTE_P))
            return fault(w, 0);
        if (pdpte & (RSVD_ADDR | PTE_NX | 0x1e6))
            return fault(w, PFERR_P | PFERR_RSVD);
        size = 8, levels = 2, shift = 21, table = pdpte & PHYS_MASK;
    } else {
        size = 4, levels = 2, shift = 22, table = w->cr3 & 0xfffff000;
    }
    rsvd_nx = (size == 8 && !(w->efer & EFER_NXE)) ? PTE_NX : 0;

    for (lvl = levels; lvl > 0; lvl--, shift -= (size == 8 ? 9 : 10)) {
        unsigned idx_bits = size == 8 ? 9 : 10;
        uint64_t idx = (lin >> shift) & ((1u << idx_bits) - 1);
        gpa[n] = table + idx * size;
        entry = read_entry(p, gpa[n], size, &host[n]);
        if (!(entry & PTE_P))
            return fault(w, 0);
        if (size == 8 && (entry & (RSVD_ADDR | rsvd_nx)))
            return fault(w, PFERR_P | PFERR_RSVD);
        writable &= (entry & PTE_W) != 0;
        user &= (entry & PTE_U) != 0;
        nx |= (entry & PTE_NX) && (w->efer & EFER_NXE);
        n++;
        bool ps_ok = (size == 4 && lvl == 2 && (w->cr4 & CR4_PSE)) || (size == 8 && lvl == 2) ||
                     (size == 8 && lvl == 3 && levels == 4);
        if (lvl > 1 && (entry & PTE_PS)) {
            if (!ps_ok)
                return fault(w, PFERR_P | PFERR_RSVD);
            /* 4 MiB PDE: bit 21 is reserved; 2 MiB/1 GiB: the bits between PAT and the base */
            if ((size == 4 && (entry & (1ull << 21))) ||
                (size == 8 && (entry & ((1ull << shift) - 1) & ~0x1fffull)))
                return fault(w, PFERR_P | PFERR_RSVD);
            leaf_large = true;
            break;
        }
        if (lvl > 1)
            table = size == 8 ? (entry & PHYS_MASK) : (entry & 0xfffff000);
    }

    /* Permission checks (SDM vol. 3 4.6). */
    if ((w->acc & PGM_ACC_USER) && !user)
        return fault(w, PFERR_P);
    if ((w->acc & PGM_ACC_W) && !writable && ((w->acc & PGM_ACC_USER) || (w->cr0 & CR0_WP)))
        return fault(w, PFERR_P);
    if ((w->acc & PGM_ACC_X) && nx)
        return fault(w, PFERR_P);

    /* Accessed on every level, dirty on the leaf for writes. */
    for (int i = 0; i < n; i++) {
        uint64_t e = pgm_read_u(p, gpa[i], size);
        uint64_t bits = PTE_A | ((i == n - 1 && (w->acc & PGM_ACC_W)) ? PTE_D : 0);
        set_bits(p, host[i], gpa[i], e, bits, size);
    }

    if (leaf_large) {
        uint64_t page_size = 1ull << shift;
        uint64_t base;
        if (size == 4) /* PSE-36: bits 13..20 of the PDE are address bits 32..39 */
            base = (entry & 0xffc00000ull) | ((entry & 0x1fe000ull) << 19);
        else
            base = entry & PHYS_MASK & ~(page_size - 1);
        w->gpa = base | (lin & (page_size - 1));
    } else {
        w->gpa = ((size == 8 ? entry & PHYS_MASK : entry & 0xfffff000)) | (lin & 0xfff);
    }
    w->writable = writable;
    w->user = user;
    w->global = (entry & PTE_G) != 0;
    return 0;
}
