/* PGM: guest physical memory map. See pgm.h for the invariants. */
#include "pgm/pgm.h"
#include "vm/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PC_LOW_RAM_END 0xa0000ull
#define PC_HOLE_START 0xe0000000ull /* PCI hole below 4 GiB */
#define PC_HIGH_START 0x100000000ull

int pgm_init(struct pgm *p, uint64_t ram_size)
{
    memset(p, 0, sizeof(*p));
    memset(p->fast, PGM_FAST_NONE, sizeof(p->fast));
    p->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p->ram == MAP_FAILED) {
        p->ram = NULL;
        return -ENOMEM;
    }
    p->ram_size = ram_size;
    p->page_flags = calloc(ram_size >> 12, 1);
    p->code_gen = calloc(ram_size >> 12, sizeof(uint32_t));
    p->code_mask = calloc(ram_size >> 12, sizeof(uint64_t));
    if (!p->page_flags || !p->code_gen || !p->code_mask) {
        pgm_fini(p);
        return -ENOMEM;
    }
    p->a20_mask = ~0ull;
    p->mode = PGM_MODE_REAL; /* as the CPU comes out of reset */
    p->mode_hist[0] = PGM_MODE_REAL;
    p->nhist = 1;
    return 0;
}

void pgm_fini(struct pgm *p)
{
    for (unsigned i = 0; i < p->nroms; i++)
        free(p->roms[i].copy);
    if (p->ram)
        munmap(p->ram, p->ram_size);
    free(p->page_flags);
    free(p->code_gen);
    free(p->code_mask);
    memset(p, 0, sizeof(*p));
}

/* Code decoded from [start, end) is stale: the bytes there may now come
 * from elsewhere. Called inside the write section. */
static void stale_code(struct pgm *p, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < p->nranges; i++) {
        const struct pgm_range *r = &p->ranges[i];
        uint64_t s = start > r->start ? start : r->start, e = end < r->end ? end : r->end;
        if (r->type != PGM_RAM)
            continue;
        for (uint64_t a = s & ~0xfffull; a < e; a += 0x1000)
            __atomic_fetch_add(&p->code_gen[pgm_ram_index(r, a)], 1, __ATOMIC_RELEASE);
    }
    __atomic_fetch_add(&p->rom_gen, 1, __ATOMIC_RELEASE);
    p->map_gen++;
}

int pgm_add_listener(struct pgm *p, void (*fn)(struct pgm *p, void *opaque), void *opaque)
{
    for (unsigned i = 0; i < p->nlisteners; i++)
        if (p->listeners[i].fn == fn && p->listeners[i].opaque == opaque)
            return 0;
    if (p->nlisteners >= PGM_MAX_LISTENERS)
        return -ENOSPC;
    p->listeners[p->nlisteners].fn = fn;
    p->listeners[p->nlisteners++].opaque = opaque;
    return 0;
}

void pgm_remove_listener(struct pgm *p, void (*fn)(struct pgm *p, void *opaque), void *opaque)
{
    for (unsigned i = 0; i < p->nlisteners; i++)
        if (p->listeners[i].fn == fn && p->listeners[i].opaque == opaque) {
            memmove(&p->listeners[i], &p->listeners[i + 1],
                    (p->nlisteners - i - 1) * sizeof(p->listeners[0]));
            p->nlisteners--;
            return;
        }
}

/* After the write section: translations cached from the old map (TLB
 * host pointers) must go. */
static void map_changed(struct pgm *p)
{
    for (unsigned i = 0; i < p->nlisteners; i++)
        p->listeners[i].fn(p, p->listeners[i].opaque);
}

/* Rebuilds pgm.fast from the ranges (inside the map's write section):
 * later ranges win, as in pgm_find's scan. */
static void fast_rebuild(struct pgm *p)
{
    for (uint64_t c = 0; c < 4096; c++) {
        uint64_t lo = c << 20, hi = lo + (1ull << 20);
        uint8_t k = PGM_FAST_NONE;
        for (unsigned i = p->nranges; i-- > 0;) {
            const struct pgm_range *r = &p->ranges[i];
            if (r->end <= lo || r->start >= hi)
                continue;
            k = r->start <= lo && r->end >= hi ? (uint8_t)i : PGM_FAST_MIXED;
            break;
        }
        p->fast[c] = k;
    }
}

/* Adds a copy of *nr (start, end, type and the type's fields). */
static int add_range(struct pgm *p, const struct pgm_range *nr)
{
    int rc = -ENOSPC;
    seqlock_write_begin(&p->map_seq);
    if (p->nranges < PGM_MAX_RANGES && nr->end > nr->start) {
        stale_code(p, nr->start, nr->end);
        p->ranges[p->nranges++] = *nr;
        fast_rebuild(p);
        rc = 0;
    }
    seqlock_write_end(&p->map_seq);
    if (!rc)
        map_changed(p);
    return rc;
}

static struct pgm_range new_range(uint64_t gpa, uint64_t size, enum pgm_type type, const char *name)
{
    struct pgm_range r;
    memset(&r, 0, sizeof(r));
    r.start = gpa;
    r.end = gpa + size;
    r.type = type;
    snprintf(r.name, sizeof(r.name), "%s", name);
    return r;
}

static int map_ram(struct pgm *p, uint64_t gpa, uint64_t size, uint64_t ram_off, const char *name, bool ro)
{
    struct pgm_range r = new_range(gpa, size, PGM_RAM, name);
    if (ram_off + size > p->ram_size || (gpa | size | ram_off) & 0xfff)
        return -EINVAL;
    r.host = p->ram + ram_off;
    r.ram_off = ram_off;
    r.ro = ro;
    return add_range(p, &r);
}

int pgm_map_ram(struct pgm *p, uint64_t gpa, uint64_t size, uint64_t ram_off, const char *name)
{
    return map_ram(p, gpa, size, ram_off, name, false);
}

int pgm_map_ram_ro(struct pgm *p, uint64_t gpa, uint64_t size, uint64_t ram_off, const char *name)
{
    return map_ram(p, gpa, size, ram_off, name, true);
}

int pgm_unmap(struct pgm *p, uint64_t gpa, uint64_t size)
{
    int rc = -ENOENT;
    seqlock_write_begin(&p->map_seq);
    for (unsigned i = p->nranges; i-- > 0;) {
        struct pgm_range *r = &p->ranges[i];
        if (r->start != gpa || r->end != gpa + size)
            continue;
        /* a ROM's bytes stay in p->roms: readers may hold its pointer */
        memmove(r, r + 1, (p->nranges - i - 1) * sizeof(*r));
        p->nranges--;
        fast_rebuild(p);
        stale_code(p, gpa, gpa + size);
        rc = 0;
        break;
    }
    seqlock_write_end(&p->map_seq);
    if (!rc)
        map_changed(p);
    return rc;
}

void pgm_ram_write(struct pgm *p, uint64_t ram_off, const void *buf, size_t len)
{
    if (ram_off >= p->ram_size || len > p->ram_size - ram_off)
        return;
    memcpy(p->ram + ram_off, buf, len);
    for (uint64_t a = ram_off; a < ram_off + len; a = (a | 0xfff) + 1)
        pgm_note_ram_page(p, a >> 12, a & 0xfff, ram_off + len - a);
}

/* The copy of a ROM image: one per image for the VM's lifetime, so a
 * guest mapping a PCI ROM on and off neither grows memory nor frees bytes
 * another vCPU may be reading. */
static uint8_t *rom_copy(struct pgm *p, uint64_t size, const void *data)
{
    for (unsigned i = 0; i < p->nroms; i++)
        if (p->roms[i].data == data && p->roms[i].size == size && !memcmp(p->roms[i].copy, data, size))
            return p->roms[i].copy;
    if (p->nroms >= PGM_MAX_ROMS)
        return NULL;
    void *copy = NULL; /* page-aligned: HM gives ROM pages to KVM as they are */
    if (posix_memalign(&copy, 0x1000, (size + 0xfff) & ~0xfffull))
        return NULL;
    memcpy(copy, data, size);
    p->roms[p->nroms].data = data;
    p->roms[p->nroms].size = size;
    p->roms[p->nroms++].copy = copy;
    return copy;
}

int pgm_map_rom(struct pgm *p, uint64_t gpa, uint64_t size, const void *data, const char *name)
{
    struct pgm_range r = new_range(gpa, size, PGM_ROM, name);
    r.host = rom_copy(p, size, data);
    return r.host ? add_range(p, &r) : -ENOMEM;
}

int pgm_map_mmio(struct pgm *p, uint64_t gpa, uint64_t size, const struct io_ops *ops, void *opaque,
                 const char *name)
{
    struct pgm_range r = new_range(gpa, size, PGM_MMIO, name);
    r.ops = ops;
    r.opaque = opaque;
    return add_range(p, &r);
}

int pgm_map_pc_ram(struct pgm *p)
{
    uint64_t below = p->ram_size < PC_HOLE_START ? p->ram_size : PC_HOLE_START;
    int rc = pgm_map_ram(p, 0, PC_LOW_RAM_END, 0, "ram-low");
    /* 0xA0000-0xBFFFF is the VGA window: unassigned until a VGA maps it.
     * 0xC0000-0xFFFFF is RAM (shadowed option ROM/BIOS area). */
    if (!rc && below > 0xc0000)
        rc = pgm_map_ram(p, 0xc0000, below - 0xc0000, 0xc0000, "ram-below-4g");
    if (!rc && p->ram_size > below)
        rc = pgm_map_ram(p, PC_HIGH_START, p->ram_size - below, below, "ram-above-4g");
    return rc;
}

void pgm_set_a20(struct pgm *p, bool on)
{
    uint64_t mask = on ? ~0ull : ~(1ull << 20);
    if (mask != p->a20_mask) {
        seqlock_write_begin(&p->map_seq);
        p->a20_mask = mask;
        stale_code(p, 0, 0);
        seqlock_write_end(&p->map_seq);
        map_changed(p);
    }
}

const struct pgm_range *pgm_find(const struct pgm *p, uint64_t gpa)
{
    if (gpa < (1ull << 32)) {
        uint8_t k = p->fast[gpa >> 20];
        if (k < PGM_MAX_RANGES)
            return &p->ranges[k];
        if (k == PGM_FAST_NONE)
            return NULL;
    }
    for (unsigned i = p->nranges; i-- > 0;)
        if (gpa >= p->ranges[i].start && gpa < p->ranges[i].end)
            return &p->ranges[i];
    return NULL;
}

/* A consistent copy of the range holding gpa (A20 applied: *a) while
 * other vCPUs may change the map; false in no range. */
static bool lookup(const struct pgm *p, uint64_t gpa, struct pgm_range *out, uint64_t *a)
{
    const struct pgm_range *r;
    unsigned seq;
    do {
        seq = seqlock_read_begin(&p->map_seq);
        *a = gpa & p->a20_mask;
        r = pgm_find(p, *a);
        if (r)
            memcpy(out, r, offsetof(struct pgm_range, name)); /* the name is for info ram only */
    } while (seqlock_read_retry(&p->map_seq, seq));
    return r != NULL;
}

uint8_t *pgm_page_ptr(struct pgm *p, uint64_t gpa, bool write)
{
    uint8_t *host;
    unsigned seq;
    /* every TLB fill and page-table read comes here: the range's fields
     * are read in place under the sequence lock rather than copied */
    do {
        seq = seqlock_read_begin(&p->map_seq);
        uint64_t a = gpa & p->a20_mask, page = a & ~0xfffull;
        const struct pgm_range *r = pgm_find(p, a);
        host = NULL;
        /* a range must cover the whole page for a direct pointer */
        if (r && r->type != PGM_MMIO && !(write && (r->type == PGM_ROM || r->ro)) && page >= r->start &&
            (a | 0xfff) < r->end)
            host = r->host + (page - r->start);
    } while (seqlock_read_retry(&p->map_seq, seq));
    return host;
}

uint8_t *pgm_ram_mib(struct pgm *p, uint64_t gpa)
{
    uint8_t *host;
    unsigned seq;
    do {
        seq = seqlock_read_begin(&p->map_seq);
        uint64_t a = gpa & p->a20_mask & ~0xfffffull;
        uint8_t k = a < (1ull << 32) ? p->fast[a >> 20] : PGM_FAST_MIXED;
        host = NULL;
        /* a range index in fast[] covers the whole MiB */
        if (k < PGM_MAX_RANGES && p->ranges[k].type == PGM_RAM && !p->ranges[k].ro)
            host = p->ranges[k].host + (a - p->ranges[k].start);
    } while (seqlock_read_retry(&p->map_seq, seq));
    return host;
}

uint8_t *pgm_cache_miss(struct pgm *p, struct pgm_walk_cache *c, uint64_t gpa, bool write)
{
    unsigned version = pgm_map_version(p);
    uint64_t key = (gpa >> 20) + 1;
    uint8_t *mib;

    if (version & 1) /* the map is changing: nothing to keep */
        return pgm_page_ptr(p, gpa, write);
    if (c->version != version) {
        memset(c->ent, 0, sizeof(c->ent));
        c->version = version;
    }
    __typeof__(&c->ent[0]) e = &c->ent[key & (PGM_WALK_CACHE - 1)];
    if (e->key != key) {
        /* looked up after reading `version`: a pointer from a later map
         * is kept under an older version, which no longer matches */
        e->key = key;
        e->host = mib = pgm_ram_mib(p, gpa);
        if (mib)
            return mib + (gpa & 0xff000);
    }
    return pgm_page_ptr(p, gpa, write);
}

const uint32_t *pgm_code_page(struct pgm *p, uint64_t gpa, unsigned len, bool *newly)
{
    struct pgm_range r;
    uint64_t i;

    *newly = false;
    /* the same pages pgm_page_ptr gives a direct pointer for */
    if (!lookup(p, gpa, &r, &gpa) || r.type == PGM_MMIO || (gpa & ~0xfffull) < r.start ||
        (gpa | 0xfff) >= r.end)
        return NULL;
    if (r.type == PGM_ROM)
        return &p->rom_gen;
    i = pgm_ram_index(&r, gpa);
    if (!(__atomic_load_n(&p->page_flags[i], __ATOMIC_RELAXED) & PGM_PF_CODE))
        *newly = !(__atomic_fetch_or(&p->page_flags[i], PGM_PF_CODE, __ATOMIC_ACQ_REL) & PGM_PF_CODE);
    __atomic_fetch_or(&p->code_mask[i], pgm_granules(gpa & 0xfff, len), __ATOMIC_ACQ_REL);
    return &p->code_gen[i];
}

uint32_t pgm_code_gen(struct pgm *p, uint64_t gpa)
{
    struct pgm_range r;
    if (lookup(p, gpa, &r, &gpa) && r.type == PGM_RAM)
        return __atomic_load_n(&p->code_gen[pgm_ram_index(&r, gpa)], __ATOMIC_ACQUIRE);
    return 0;
}

void pgm_note_write(struct pgm *p, uint64_t gpa, size_t len)
{
    uint64_t end = gpa + len, a20;
    struct pgm_range r;
    for (uint64_t a = gpa; a < end; a = (a | 0xfff) + 1)
        if (lookup(p, a, &r, &a20) && r.type == PGM_RAM)
            pgm_note_ram_page(p, pgm_ram_index(&r, a20), a & 0xfff, end - a);
}

/* One access inside a single range. */
static void phys_access(struct pgm *p, uint64_t gpa, uint8_t *buf, size_t len, bool write, bool force)
{
    while (len) {
        uint64_t a;
        struct pgm_range copy;
        const struct pgm_range *r = lookup(p, gpa, &copy, &a) ? &copy : NULL;
        size_t n = len;
        if (r && a + n > r->end)
            n = r->end - a;
        if (!r) { /* unassigned: up to the next page */
            n = 0x1000 - (a & 0xfff);
            if (n > len)
                n = len;
            if (!write)
                memset(buf, 0xff, n);
        } else if (r->type == PGM_MMIO) {
            /* dispatch at the largest naturally sized piece, 1..8 bytes */
            n = n >= 8 && !(a & 7) ? 8 : n >= 4 && !(a & 3) ? 4 : n >= 2 && !(a & 1) ? 2 : 1;
            if (write) {
                uint64_t v = 0;
                memcpy(&v, buf, n);
                if (r->ops->write)
                    r->ops->write(r->opaque, a - r->start, v, (unsigned)n);
            } else {
                uint64_t v = r->ops->read ? r->ops->read(r->opaque, a - r->start, (unsigned)n) : ~0ull;
                memcpy(buf, &v, n);
            }
        } else if (write) {
            if ((r->type == PGM_RAM && !r->ro) || force) {
                memcpy(r->host + (a - r->start), buf, n);
                if (r->type == PGM_RAM)
                    pgm_note_write(p, a, n);
            }
        } else {
            memcpy(buf, r->host + (a - r->start), n);
        }
        gpa += n, buf += n, len -= n;
    }
}

void pgm_read(struct pgm *p, uint64_t gpa, void *buf, size_t len)
{
    phys_access(p, gpa, buf, len, false, false);
}

void pgm_write(struct pgm *p, uint64_t gpa, const void *buf, size_t len)
{
    phys_access(p, gpa, (uint8_t *)buf, len, true, false);
}

uint64_t pgm_read_u(struct pgm *p, uint64_t gpa, unsigned size)
{
    uint64_t v = 0;
    pgm_read(p, gpa, &v, size);
    return v;
}

void pgm_write_u(struct pgm *p, uint64_t gpa, uint64_t val, unsigned size)
{
    pgm_write(p, gpa, &val, size);
}

int pgm_load(struct pgm *p, uint64_t gpa, const void *buf, size_t len)
{
    for (size_t off = 0; off < len;) {
        struct pgm_range r;
        uint64_t a;
        if (!lookup(p, gpa + off, &r, &a) || r.type == PGM_MMIO)
            return -EFAULT;
        size_t n = len - off;
        if (gpa + off + n > r.end)
            n = r.end - (gpa + off);
        phys_access(p, gpa + off, (uint8_t *)buf + off, n, true, true);
        off += n;
    }
    return 0;
}

static const char *const mode_names[PGM_MODE_COUNT] = {
    "Real", "Protected", "32-bit", "PAE", "PAE+NX", "AMD64", "AMD64+NX", "AMD64 5-level", "AMD64 5-level+NX",
};

const char *pgm_mode_name(unsigned mode)
{
    return mode < PGM_MODE_COUNT ? mode_names[mode] : "?";
}

void pgm_change_mode(struct pgm *p, unsigned mode)
{
    if (mode >= PGM_MODE_COUNT || mode == p->mode)
        return;
    p->mode_changes++;
    if (p->nhist == PGM_MODE_HISTORY) {
        memmove(p->mode_hist, p->mode_hist + 1, PGM_MODE_HISTORY - 1);
        p->nhist--;
        p->hist_dropped++;
    }
    p->mode_hist[p->nhist++] = (uint8_t)mode;
    p->mode = mode;
}

void pgm_info_mode(const struct pgm *p, int fd)
{
    dprintf(fd, "Guest paging mode: %s, shadow paging mode: (software TLB)\n", pgm_mode_name(p->mode));
    dprintf(fd, "Mode changes: %llu\n", (unsigned long long)p->mode_changes);
    dprintf(fd, "modes: %s", p->hist_dropped ? "... -> " : "");
    for (unsigned i = 0; i < p->nhist; i++)
        dprintf(fd, "%s%s", i ? " -> " : "", pgm_mode_name(p->mode_hist[i]));
    dprintf(fd, "\n");
}

void pgm_info_ram(const struct pgm *p, int fd)
{
    static const char *const types[] = {"RAM", "ROM", "MMIO"};
    for (unsigned i = 0; i < p->nranges; i++) {
        const struct pgm_range *r = &p->ranges[i];
        dprintf(fd, "%016llx-%016llx %-4s %s%s\n", (unsigned long long)r->start,
                (unsigned long long)r->end - 1, types[r->type], r->name, r->ro ? " (read only)" : "");
    }
}

static bool page_is_zero(const uint8_t *page)
{
    static const uint8_t zero[4096];
    return !memcmp(page, zero, sizeof(zero));
}

/* The RAM range starting lowest at or above from, or NULL. */
static const struct pgm_range *next_ram(const struct pgm *p, uint64_t from)
{
    const struct pgm_range *best = NULL;
    for (unsigned i = 0; i < p->nranges; i++) {
        const struct pgm_range *r = &p->ranges[i];
        if (r->type == PGM_RAM && r->start >= from && r->end > r->start && (!best || r->start < best->start))
            best = r;
    }
    return best;
}

/* The file is RAM as the guest sees it: each RAM range at its
 * guest-physical offset, holes left sparse (zeros on a FIFO or device,
 * which is why ranges go in address order). */
int pgm_dump_phys(const struct pgm *p, const char *path, bool nozero)
{
    struct outfile f;
    uint64_t size = 0;
    int rc = outfile_open(&f, path);

    if (rc < 0)
        return rc;
    for (const struct pgm_range *r = next_ram(p, 0); r && !rc; r = next_ram(p, r->end)) {
        for (uint64_t a = r->start; a < r->end && !rc; a += 0x1000) {
            const uint8_t *page = r->host + (a - r->start);
            if (nozero && page_is_zero(page))
                continue;
            rc = outfile_write_at(&f, page, 0x1000, a);
        }
        size = r->end;
    }
    if (!rc)
        rc = outfile_extend(&f, size);
    return outfile_close(&f, rc);
}
