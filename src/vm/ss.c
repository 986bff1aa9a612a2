/* Saved state: the unit stream and the field-table codec.
 *
 * Format (little endian throughout, the only byte order pcvm runs on):
 *   magic "PCVMSAV\n", u32 format version
 *   units: u8 name length (1-32), name, u32 unit version, u32 instance,
 *          u64 payload length, payload, u32 CRC32 (zlib's) of everything
 *          from the name length to the payload's end
 *   the first unit is "header" (pcvm version, RAM size, vCPU count and the
 *   list of units that follow); the last is "end", with no payload, and
 *   nothing may follow it.
 * A field table's payload is each field present in the unit's version, in
 * table order: count elements of the type's size (a timer as its u64
 * deadline, a structure as its own fields), no padding.
 *
 * Invariants:
 * - Reading never trusts a length: every read is bounded by what is left
 *   of the unit, and the unit by what is left of the file; nothing is
 *   allocated from a length in the file (the file is mapped).
 * - A unit's payload must be consumed exactly: a length that disagrees
 *   with its description is an error, not something skipped.
 * - Loading checks the whole file before touching the VM (ss_file.c); the
 *   codec here does the checking with obj NULL and the same walk.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <zlib.h>

#include "vm/clock.h"
#include "vm/ss_priv.h"

static const struct ss_field no_fields[] = {SS_END};
const struct ss_desc ss_stateless = {1, no_fields, NULL, NULL};

static const unsigned type_size[] = {
    [SS_U8] = 1,  [SS_U16] = 2, [SS_U32] = 4,  [SS_U64] = 8,
    [SS_I32] = 4, [SS_I64] = 8, [SS_BOOL] = 1, [SS_TIMER] = 8,
};

static uint32_t crc_of(uint32_t crc, const void *buf, size_t len)
{
    /* zlib's crc32 takes a uInt length */
    const uint8_t *p = buf;
    while (len) {
        uInt n = len > (1u << 30) ? 1u << 30 : (uInt)len;
        crc = (uint32_t)crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}

int ss_put(struct ss_out *o, const void *buf, size_t len)
{
    int rc = outfile_write(&o->f, buf, len);
    if (rc < 0)
        return rc;
    o->pos += len;
    o->unit_len += len;
    o->crc = crc_of(o->crc, buf, len);
    return 0;
}

int ss_unit_begin(struct ss_out *o, const char *name, uint32_t version, uint32_t instance)
{
    uint8_t head[1 + SS_NAME_MAX + 16];
    size_t n = strlen(name), k = 0;
    if (n == 0 || n > SS_NAME_MAX)
        return -EINVAL;
    head[k++] = (uint8_t)n;
    memcpy(head + k, name, n);
    k += n;
    memcpy(head + k, &version, 4);
    memcpy(head + k + 4, &instance, 4);
    memset(head + k + 8, 0, 8); /* the length, patched by ss_unit_end */
    k += 16;
    int rc = outfile_write(&o->f, head, k);
    if (rc < 0)
        return rc;
    o->head_crc = crc_of(0, head, k - 8);
    o->unit_at = o->pos + k - 8;
    o->pos += k;
    o->unit_len = 0;
    o->crc = 0;
    return 0;
}

int ss_unit_end(struct ss_out *o)
{
    uint64_t len = o->unit_len;
    uint32_t crc = crc_of(o->head_crc, &len, 8);
    crc = (uint32_t)crc32_combine(crc, o->crc, (z_off_t)len);
    int rc = outfile_write_at(&o->f, &len, 8, o->unit_at);
    if (rc == 0)
        rc = outfile_write(&o->f, &crc, 4);
    if (rc == 0)
        o->pos += 4;
    return rc;
}

const uint8_t *ss_get(struct ss_in *in, uint64_t len)
{
    if (len > in->len - in->pos)
        return NULL;
    const uint8_t *p = in->p + in->pos;
    in->pos += len;
    return p;
}

static int get_n(struct ss_in *in, void *v, unsigned n)
{
    const uint8_t *p = ss_get(in, n);
    if (!p)
        return -1;
    memcpy(v, p, n);
    return 0;
}

int ss_get_u8(struct ss_in *in, uint8_t *v)
{
    return get_n(in, v, 1);
}
int ss_get_u32(struct ss_in *in, uint32_t *v)
{
    return get_n(in, v, 4);
}
int ss_get_u64(struct ss_in *in, uint64_t *v)
{
    return get_n(in, v, 8);
}

int ss_unit_next(struct ss_in *in, struct ss_unit *u, char *err, size_t errlen)
{
    uint64_t start = in->pos, len;
    uint8_t n;
    const uint8_t *name, *body, *crcp;
    uint32_t crc;

    if (ss_get_u8(in, &n) < 0)
        goto truncated;
    if (n == 0 || n > SS_NAME_MAX) {
        snprintf(err, errlen, "corrupt unit at offset %" PRIu64 " (name length %u)", start, n);
        return -1;
    }
    if (!(name = ss_get(in, n)) || ss_get_u32(in, &u->version) < 0 || ss_get_u32(in, &u->instance) < 0 ||
        ss_get_u64(in, &len) < 0)
        goto truncated;
    memcpy(u->name, name, n);
    u->name[n] = 0;
    for (unsigned i = 0; i < n; i++)
        if (name[i] < 0x21 || name[i] > 0x7e) {
            snprintf(err, errlen, "corrupt unit at offset %" PRIu64 " (its name is not text)", start);
            return -1;
        }
    if (!(body = ss_get(in, len)) || !(crcp = ss_get(in, 4))) {
        snprintf(err, errlen,
                 "truncated file: unit '%s' at offset %" PRIu64 " needs %" PRIu64
                 " bytes, the file ends first",
                 u->name, start, len);
        return -1;
    }
    memcpy(&crc, crcp, 4);
    if (crc_of(0, in->p + start, in->pos - 4 - start) != crc) {
        snprintf(err, errlen, "bad CRC in unit '%s' instance %u at offset %" PRIu64, u->name, u->instance,
                 start);
        return -1;
    }
    u->body = (struct ss_in){body, len, 0};
    return 0;
truncated:
    snprintf(err, errlen, "truncated file: it ends inside a unit header at offset %" PRIu64, start);
    return -1;
}

static uint64_t timer_deadline(const struct clock_timer *t)
{
    return t->clock && clock_timer_armed((struct clock_timer *)t) ? t->deadline : CLOCK_NEVER;
}

/* The elements of a structure field and where they start. */
static uint32_t elems(const struct ss_field *f, const void *obj, const uint8_t **p)
{
    unsigned n;
    if (f->type == SS_STRUCT)
        return f->count;
    if (!obj)
        return 0;
    memcpy(&n, (const uint8_t *)obj + f->max, sizeof(n));
    memcpy(p, (const uint8_t *)obj + f->offset, sizeof(*p));
    return n;
}

int ss_fields_save(struct ss_out *o, const struct ss_field *f, const void *obj)
{
    for (; f->name; f++) {
        const uint8_t *p = (const uint8_t *)obj + f->offset;
        int rc = 0;
        if (f->type == SS_STRUCT || f->type == SS_PSTRUCT) {
            uint32_t n = elems(f, obj, &p);
            for (uint32_t i = 0; i < n && rc == 0; i++)
                rc = ss_fields_save(o, f->sub, p + (size_t)i * f->stride);
        } else if (f->type == SS_PBLOB) {
            const uint8_t *blob;
            memcpy(&blob, p, sizeof(blob));
            rc = ss_blob_save(o, blob, f->count);
        } else if (f->type == SS_TIMER) {
            uint64_t d = timer_deadline((const struct clock_timer *)p);
            rc = ss_put(o, &d, 8);
        } else {
            rc = ss_put(o, p, (size_t)type_size[f->type] * f->count);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

int ss_fields_load(struct ss_in *in, const struct ss_field *f, uint32_t ver, void *obj, bool apply,
                   const char *unit, char *err, size_t errlen)
{
    for (; f->name; f++) {
        uint8_t *p = (uint8_t *)obj + f->offset;
        if (f->since > ver)
            continue; /* added later: keeps its value */
        if (f->type == SS_STRUCT || f->type == SS_PSTRUCT) {
            const uint8_t *base = p;
            uint32_t n = elems(f, obj, &base);
            for (uint32_t i = 0; i < n; i++)
                if (ss_fields_load(in, f->sub, ver, (uint8_t *)base + (size_t)i * f->stride, apply, unit, err,
                                   errlen) < 0)
                    return -1;
            continue;
        }
        if (f->type == SS_PBLOB) {
            uint8_t *blob;
            memcpy(&blob, p, sizeof(blob));
            if (ss_blob_load(in, apply ? blob : NULL, f->count, unit, err, errlen) < 0)
                return -1;
            continue;
        }
        unsigned sz = type_size[f->type];
        const uint8_t *src = ss_get(in, (uint64_t)sz * f->count);
        if (!src) {
            snprintf(err, errlen, "unit '%s' is too short for its field '%s'", unit, f->name);
            return -1;
        }
        for (uint32_t i = 0; i < f->count; i++) {
            uint64_t v = get_le(src + (size_t)i * sz, sz);
            if ((f->type == SS_BOOL && v > 1) || (f->max && v > f->max)) {
                snprintf(err, errlen, "unit '%s': field '%s' holds %" PRIu64 ", out of range", unit, f->name,
                         v);
                return -1;
            }
        }
        if (!apply)
            continue;
        if (f->type == SS_TIMER) {
            uint64_t d = get_le(src, 8);
            struct clock_timer *t = (struct clock_timer *)p;
            if (d == CLOCK_NEVER)
                clock_timer_cancel(t);
            else
                clock_timer_arm(t, d);
        } else {
            memcpy(p, src, (size_t)sz * f->count);
        }
    }
    return 0;
}

void ss_fields_print(struct ss_in *in, const struct ss_field *f, uint32_t ver, const void *obj, FILE *out,
                     const char *prefix)
{
    char sub[160];
    for (; f->name; f++) {
        if (f->since > ver)
            continue;
        if (f->type == SS_STRUCT || f->type == SS_PSTRUCT) {
            const uint8_t *base = obj ? (const uint8_t *)obj + f->offset : NULL;
            uint32_t n = elems(f, obj, &base);
            for (uint32_t i = 0; i < n; i++) {
                snprintf(sub, sizeof(sub), "%s%s[%u].", prefix, f->name, i);
                ss_fields_print(in, f->sub, ver, base ? base + (size_t)i * f->stride : NULL, out, sub);
            }
            continue;
        }
        if (f->type == SS_PBLOB) {
            uint64_t nz = ss_blob_skip(in, f->count);
            fprintf(out, "  %s%s = %u bytes, %llu pages not all zero\n", prefix, f->name, f->count,
                    (unsigned long long)nz);
            continue;
        }
        unsigned sz = type_size[f->type];
        const uint8_t *src = ss_get(in, (uint64_t)sz * f->count);
        if (!src)
            return;
        fprintf(out, "  %s%s =", prefix, f->name);
        for (uint32_t i = 0; i < f->count; i++) {
            uint64_t v = get_le(src + (size_t)i * sz, sz);
            if (f->type == SS_I32)
                fprintf(out, " %" PRId32, (int32_t)v);
            else if (f->type == SS_I64)
                fprintf(out, " %" PRId64, (int64_t)v);
            else if (f->type == SS_TIMER && v == CLOCK_NEVER)
                fprintf(out, " never");
            else if (f->type == SS_BOOL || f->type == SS_TIMER)
                fprintf(out, " %" PRIu64, v);
            else if (sz == 8)
                fprintf(out, " 0x%" PRIx64, v);
            else
                fprintf(out, " 0x%0*" PRIx64, (int)sz * 2, v);
        }
        fputc('\n', out);
    }
}
