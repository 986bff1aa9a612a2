/* Saved state: PGM's unit, the guest's RAM and the A20 gate, and the
 * memory blobs of devices (VRAM) in the same form.
 *
 * RAM is saved by its offset in the reservation (so shadow RAM under the
 * chipset's PAM is in it, whatever the map shows), in chunks of 16 pages:
 * a u16 bitmap of the pages that are not all zero, then, if any, a u32
 * length and those pages compressed together with zlib. All-zero pages
 * cost two bytes a chunk at most and are never touched on load unless
 * they hold something now. ROM is not saved: the guest cannot write it
 * (writes are dropped), so the image the VM was created with is the one
 * it had; what a guest changes under a ROM is shadow RAM. The PAM state
 * that picks ROM or RAM lives in the host bridge's config space (pci).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "vm/ss_priv.h"

#define CHUNK_PAGES 16
#define CHUNK_BYTES (CHUNK_PAGES * 4096)

struct pgm_fixed {
    uint64_t ram_size;
    bool a20;
};
static const struct ss_field pgm_fields[] = {
    SS_FIELD(struct pgm_fixed, ram_size, U64),
    SS_FIELD(struct pgm_fixed, a20, BOOL),
    SS_END,
};

static bool page_zero(const uint8_t *p)
{
    const uint64_t *q = (const uint64_t *)p;
    for (unsigned i = 0; i < 512; i++)
        if (q[i])
            return false;
    return true;
}

int ss_blob_save(struct ss_out *o, const uint8_t *p, uint64_t len)
{
    uint64_t pages = len >> 12;
    uLong bound = compressBound(CHUNK_BYTES);
    uint8_t *in = malloc(CHUNK_BYTES), *out = malloc(bound);
    int rc = in && out ? 0 : -ENOMEM;

    for (uint64_t c = 0; rc == 0 && c * CHUNK_PAGES < pages; c++) {
        uint16_t map = 0;
        size_t n = 0;
        for (unsigned i = 0; i < CHUNK_PAGES && c * CHUNK_PAGES + i < pages; i++) {
            const uint8_t *pg = p + ((c * CHUNK_PAGES + i) << 12);
            if (!page_zero(pg)) {
                map |= (uint16_t)(1u << i);
                memcpy(in + n, pg, 4096);
                n += 4096;
            }
        }
        rc = ss_put(o, &map, 2);
        if (rc < 0 || !map)
            continue;
        uLongf clen = bound;
        if (compress2(out, &clen, in, n, Z_BEST_SPEED) != Z_OK) {
            rc = -ENOMEM;
            break;
        }
        uint32_t clen32 = (uint32_t)clen;
        rc = ss_put(o, &clen32, 4);
        if (rc == 0)
            rc = ss_put(o, out, clen);
    }
    free(in);
    free(out);
    return rc;
}

int ss_blob_load(struct ss_in *in, uint8_t *dst, uint64_t len, const char *unit, char *err, size_t errlen)
{
    uint64_t pages = len >> 12;
    uint8_t *buf = malloc(CHUNK_BYTES);
    int rc = -1;

    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (uint64_t c = 0; c * CHUNK_PAGES < pages; c++) {
        uint64_t first = c * CHUNK_PAGES;
        unsigned npg = pages - first < CHUNK_PAGES ? (unsigned)(pages - first) : CHUNK_PAGES;
        const uint8_t *mp = ss_get(in, 2), *data = NULL;
        uint16_t map;
        uint32_t clen = 0;
        uLongf dlen = CHUNK_BYTES;
        if (!mp)
            goto short_unit;
        memcpy(&map, mp, 2);
        if (npg < 16 && (map >> npg)) {
            snprintf(err, errlen, "unit '%s': chunk %llu names pages past the end", unit,
                     (unsigned long long)c);
            goto out;
        }
        if (map) {
            if (ss_get_u32(in, &clen) < 0 || !(data = ss_get(in, clen)))
                goto short_unit;
            if (uncompress(buf, &dlen, data, clen) != Z_OK ||
                dlen != (uLongf)__builtin_popcount(map) * 4096) {
                snprintf(err, errlen, "unit '%s': chunk %llu does not decompress", unit,
                         (unsigned long long)c);
                goto out;
            }
        }
        if (!dst)
            continue;
        for (unsigned i = 0, k = 0; i < npg; i++) {
            uint8_t *pg = dst + ((first + i) << 12);
            if (map & (1u << i))
                memcpy(pg, buf + (size_t)4096 * k++, 4096);
            else if (!page_zero(pg)) /* untouched pages stay without host memory */
                memset(pg, 0, 4096);
        }
    }
    rc = 0;
    goto out;
short_unit:
    snprintf(err, errlen, "unit '%s' is shorter than its memory", unit);
out:
    free(buf);
    return rc;
}

uint64_t ss_blob_skip(struct ss_in *in, uint64_t len)
{
    uint64_t nonzero = 0;
    for (uint64_t c = 0; c * CHUNK_PAGES < len >> 12; c++) {
        const uint8_t *mp = ss_get(in, 2);
        uint16_t map;
        uint32_t clen;
        if (!mp)
            break;
        memcpy(&map, mp, 2);
        nonzero += (uint64_t)__builtin_popcount(map);
        if (map && (ss_get_u32(in, &clen) < 0 || !ss_get(in, clen)))
            break;
    }
    return nonzero;
}

int ss_ram_save(struct ss_out *o, struct vm *vm)
{
    struct pgm *p = &vm->pgm;
    struct pgm_fixed fx = {p->ram_size, pgm_a20(p)};
    int rc = ss_fields_save(o, pgm_fields, &fx);
    return rc < 0 ? rc : ss_blob_save(o, p->ram, p->ram_size);
}

int ss_ram_load(struct ss_in *in, uint32_t ver, struct vm *vm, uint64_t ram_size, char *err, size_t errlen)
{
    struct pgm_fixed fx;
    if (ss_fields_load(in, pgm_fields, ver, &fx, true, "pgm", err, errlen) < 0)
        return -1;
    if (fx.ram_size != ram_size) {
        snprintf(err, errlen, "unit 'pgm' holds %llu bytes of RAM, the header says %llu",
                 (unsigned long long)fx.ram_size, (unsigned long long)ram_size);
        return -1;
    }
    if (ss_blob_load(in, vm ? vm->pgm.ram : NULL, ram_size, "pgm", err, errlen) < 0)
        return -1;
    if (in->pos != in->len) {
        snprintf(err, errlen, "unit 'pgm' has %llu bytes too many", (unsigned long long)(in->len - in->pos));
        return -1;
    }
    if (vm)
        pgm_set_a20(&vm->pgm, fx.a20);
    return 0;
}

void ss_ram_print(struct ss_in *in, FILE *out)
{
    struct pgm_fixed fx;
    char err[8];
    struct ss_in fixed = *in;
    ss_fields_print(&fixed, pgm_fields, SS_PGM_VERSION, NULL, out, "");
    if (ss_fields_load(in, pgm_fields, SS_PGM_VERSION, &fx, true, "pgm", err, sizeof(err)) < 0)
        return;
    fprintf(out, "  pages not all zero = %llu of %llu\n", (unsigned long long)ss_blob_skip(in, fx.ram_size),
            (unsigned long long)(fx.ram_size >> 12));
}
