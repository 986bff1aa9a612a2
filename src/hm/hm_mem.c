/* HM: KVM memory slots that follow PGM's map.
 *
 * The slots are PGM's range table flattened: each guest-physical stretch
 * shows its topmost range (PGM searches newest first), RAM as a writable
 * slot, ROM and read-only shadow RAM as read-only slots (KVM_MEM_READONLY:
 * writes exit as MMIO and PGM drops them), MMIO and unassigned space as no
 * slot at all, so every access there exits to pcvm's device models. A
 * stretch that is not whole pages is left out too (its accesses exit and
 * go through pgm_read/pgm_write). With A20 masked, 1-2 MiB has no slot:
 * PGM applies the mask. After each map change (PAM shadowing, a BAR
 * moved, the APIC page), slots that differ are deleted first, then the new
 * ones added, so KVM never sees two overlap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hm/hm_priv.h"

/* Sorted unique boundaries of every range. */
static unsigned boundaries(const struct pgm *p, uint64_t *b)
{
    unsigned n = 0;
    for (unsigned i = 0; i < p->nranges; i++) {
        b[n++] = p->ranges[i].start;
        b[n++] = p->ranges[i].end;
    }
    if (!pgm_a20(p)) {
        b[n++] = 0x100000;
        b[n++] = 0x200000;
    }
    for (unsigned i = 1; i < n; i++) /* insertion sort: a few dozen entries */
        for (unsigned j = i; j > 0 && b[j - 1] > b[j]; j--) {
            uint64_t t = b[j];
            b[j] = b[j - 1];
            b[j - 1] = t;
        }
    unsigned u = 0;
    for (unsigned i = 0; i < n; i++)
        if (!u || b[u - 1] != b[i])
            b[u++] = b[i];
    return u;
}

static unsigned flatten(struct hm_vm *hvm, const struct pgm *p, struct hm_slot *out)
{
    uint64_t b[2 * PGM_MAX_RANGES + 2];
    unsigned nb = boundaries(p, b), n = 0;

    for (unsigned i = 0; i + 1 < nb; i++) {
        uint64_t s = b[i], e = b[i + 1];
        const struct pgm_range *r = pgm_find(p, s);
        if (!r || r->type == PGM_MMIO || (!pgm_a20(p) && s >= 0x100000 && e <= 0x200000))
            continue;
        bool ro = r->type == PGM_ROM || r->ro;
        uint8_t *host = r->host + (s - r->start);
        if ((s | e | (uintptr_t)host) & 0xfff || (ro && !hvm->readonly_mem))
            continue;
        if (n && out[n - 1].gpa + out[n - 1].size == s && out[n - 1].host + out[n - 1].size == host &&
            out[n - 1].ro == ro) {
            out[n - 1].size += e - s;
            continue;
        }
        if (n == HM_MAX_SLOTS)
            break;
        out[n++] = (struct hm_slot){.gpa = s, .size = e - s, .host = host, .ro = ro};
    }
    return n;
}

static int set_slot(struct hm_vm *hvm, unsigned id, const struct hm_slot *s, bool del)
{
    struct kvm_userspace_memory_region m = {
        .slot = id,
        .flags = s->ro ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = s->gpa,
        .memory_size = del ? 0 : s->size,
        .userspace_addr = (uintptr_t)s->host,
    };
    return ioctl(hvm->vm_fd, KVM_SET_USER_MEMORY_REGION, &m) < 0 ? -errno : 0;
}

static bool slot_eq(const struct hm_slot *a, const struct hm_slot *b)
{
    return a->gpa == b->gpa && a->size == b->size && a->host == b->host && a->ro == b->ro;
}

/* Moves the KVM slots to PGM's current map; under hvm->lock. */
static int update_slots(struct hm_vm *hvm, const struct pgm *p)
{
    struct hm_slot want[HM_MAX_SLOTS];
    unsigned nwant = flatten(hvm, p, want);
    bool keep[HM_MAX_SLOTS] = {false};
    int rc = 0;

    for (unsigned id = 0; id < HM_MAX_SLOTS; id++) {
        if (!hvm->used[id])
            continue;
        bool found = false;
        for (unsigned w = 0; w < nwant && !found; w++)
            if (!keep[w] && slot_eq(&hvm->slots[id], &want[w]))
                keep[w] = found = true;
        if (!found) {
            set_slot(hvm, id, &hvm->slots[id], true);
            hvm->used[id] = false;
        }
    }
    for (unsigned w = 0; w < nwant; w++) {
        if (keep[w])
            continue;
        unsigned id = 0;
        while (id < HM_MAX_SLOTS && hvm->used[id])
            id++;
        if (id == HM_MAX_SLOTS)
            return -ENOSPC;
        int r = set_slot(hvm, id, &want[w], false);
        if (r < 0) {
            rc = r; /* left out: its accesses exit to PGM */
            continue;
        }
        hvm->slots[id] = want[w];
        hvm->used[id] = true;
    }
    hvm->nslots = nwant;
    return rc;
}

static void pgm_changed(struct pgm *p, void *opaque)
{
    struct hm_vm *hvm = opaque;
    pthread_mutex_lock(&hvm->lock);
    update_slots(hvm, p);
    pthread_mutex_unlock(&hvm->lock);
}

int hm_mem_init(struct vm *vm)
{
    struct hm_vm *hvm = vm->hm;
    pthread_mutex_lock(&hvm->lock);
    int rc = update_slots(hvm, &vm->pgm);
    pthread_mutex_unlock(&hvm->lock);
    if (rc < 0)
        return rc;
    return pgm_add_listener(&vm->pgm, pgm_changed, hvm);
}

void hm_mem_fini(struct vm *vm)
{
    pgm_remove_listener(&vm->pgm, pgm_changed, vm->hm);
}
