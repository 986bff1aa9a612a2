/* Saved state internals shared by ss*.c. */
#ifndef PCVM_SS_PRIV_H
#define PCVM_SS_PRIV_H

#include "vm/outfile.h"
#include "vm/ss.h"
#include "vm/vm.h"

#define SS_NAME_MAX 32

/* Writing: units are streamed; each unit's length and CRC are patched in
 * when it ends (the file is a regular file: outfile_write_at). */
struct ss_out {
    struct outfile f;
    uint64_t pos;      /* bytes written */
    uint64_t unit_at;  /* where the current unit's length field is */
    uint64_t unit_len; /* payload bytes so far */
    uint32_t head_crc; /* CRC of the unit's head (name .. instance) */
    uint32_t crc;      /* CRC of the payload so far */
};

int ss_put(struct ss_out *o, const void *buf, size_t len);
int ss_unit_begin(struct ss_out *o, const char *name, uint32_t version, uint32_t instance);
int ss_unit_end(struct ss_out *o);

/* Reading: a bounded cursor over a mapped file. */
struct ss_in {
    const uint8_t *p;
    uint64_t len, pos;
};

/* The next len bytes, or NULL when fewer remain. */
const uint8_t *ss_get(struct ss_in *in, uint64_t len);
int ss_get_u8(struct ss_in *in, uint8_t *v);
int ss_get_u32(struct ss_in *in, uint32_t *v);
int ss_get_u64(struct ss_in *in, uint64_t *v);

struct ss_unit {
    char name[SS_NAME_MAX + 1];
    uint32_t version, instance;
    struct ss_in body;
};
/* The next unit, its CRC checked; -1 with err. */
int ss_unit_next(struct ss_in *in, struct ss_unit *u, char *err, size_t errlen);

/* Field tables. */
int ss_fields_save(struct ss_out *o, const struct ss_field *f, const void *obj);
/* Reads the fields of a unit of version ver into obj, or only checks
 * them (lengths, bools, bounds) when apply is false; -1 with err. */
int ss_fields_load(struct ss_in *in, const struct ss_field *f, uint32_t ver, void *obj, bool apply,
                   const char *unit, char *err, size_t errlen);
/* obj gives the counts of SS_PSTRUCT arrays (none printed without it). */
void ss_fields_print(struct ss_in *in, const struct ss_field *f, uint32_t ver, const void *obj, FILE *out,
                     const char *prefix);

/* What a VM saves, in file order: each vCPU ("cpu"), PGM ("pgm") and
 * every device on the bus, by name and instance (ss_units.c). */
struct ss_target {
    char name[SS_NAME_MAX + 1];
    uint32_t instance;
    const struct ss_desc *desc; /* NULL: pgm */
    void *obj;
};
#define SS_MAX_TARGETS (VM_MAX_CPUS + BUS_MAX_DEVS + 1)
/* Fills t (SS_MAX_TARGETS entries); the count, or -1 with err naming a
 * device without a description. */
int ss_targets(struct vm *vm, struct ss_target *t, char *err, size_t errlen);
/* After every unit is in: device hooks, engines and TLBs flushed. */
void ss_after_load(struct vm *vm, struct ss_target *t, unsigned n);

/* PGM's unit (ss_ram.c). */
#define SS_PGM_VERSION 1
int ss_ram_save(struct ss_out *o, struct vm *vm);
/* Checks (vm NULL) or loads a pgm unit. */
int ss_ram_load(struct ss_in *in, uint32_t ver, struct vm *vm, uint64_t ram_size, char *err, size_t errlen);
void ss_ram_print(struct ss_in *in, FILE *out);
/* A memory blob (RAM, VRAM; a multiple of 4 KiB) in 16-page chunks, zero
 * pages skipped, the rest compressed. Loading checks only when dst is
 * NULL; skipping returns the pages not all zero. */
int ss_blob_save(struct ss_out *o, const uint8_t *p, uint64_t len);
int ss_blob_load(struct ss_in *in, uint8_t *dst, uint64_t len, const char *unit, char *err, size_t errlen);
uint64_t ss_blob_skip(struct ss_in *in, uint64_t len);

#endif
