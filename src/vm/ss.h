/* Saved state (ss*.c): a VM written to a file and read back.
 *
 * A saved state is a stream of named, versioned units: a header (the
 * machine's configuration), one unit per vCPU, PGM's RAM, the clock and
 * one per device, then an end marker. Each unit's payload is described by
 * a field table (struct ss_field), so the same table saves, loads and
 * prints it. See ss.c for the format and its invariants.
 */
#ifndef PCVM_SS_H
#define PCVM_SS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vm;

enum ss_type {
    SS_U8 = 1,
    SS_U16,
    SS_U32,
    SS_U64,
    SS_I32,
    SS_I64,
    SS_BOOL,
    SS_TIMER,   /* struct clock_timer: its deadline (CLOCK_NEVER when disarmed) */
    SS_STRUCT,  /* an array of structures described by sub */
    SS_PSTRUCT, /* a pointer to count_at's (an unsigned member) structures */
    SS_PBLOB,   /* a pointer to count bytes of memory (a multiple of 4 KiB): compressed, zero pages skipped */
};

/* One field: count elements of type at offset in the object, present in
 * units of version since and later (older units leave it as it is: the
 * device's reset value on a VM just created). max > 0 bounds each
 * element on load (indexes, lengths: a value that would let the device
 * step out of its buffers is refused). */
struct ss_field {
    const char *name; /* NULL ends a table */
    uint8_t type;
    uint16_t since;
    uint32_t count;
    uint32_t offset;
    uint32_t stride;            /* SS_STRUCT: sizeof an element */
    const struct ss_field *sub; /* SS_STRUCT, SS_PSTRUCT */
    uint64_t max;               /* SS_PSTRUCT: the offset of the element count */
};

#define SS_SIZE_U8 1
#define SS_SIZE_U16 2
#define SS_SIZE_U32 4
#define SS_SIZE_U64 8
#define SS_SIZE_I32 4
#define SS_SIZE_I64 8
#define SS_SIZE_BOOL 1
/* count from the member's size; a member whose size is not a multiple of
 * the type's does not compile */
#define SS_COUNT_(st, m, sz)                                                                                 \
    (uint32_t)(sizeof(((st *)0)->m) / (sz) + 0 * sizeof(char[sizeof(((st *)0)->m) % (sz) ? -1 : 1]))
#define SS_FIELD(st, m, t)                                                                                   \
    {                                                                                                        \
#m, SS_##t, 1, SS_COUNT_(st, m, SS_SIZE_##t), offsetof(st, m), 0, NULL, 0                            \
    }
/* ... bounded by max; ... added in version since */
#define SS_FIELD_MAX(st, m, t, mx)                                                                           \
    {                                                                                                        \
#m, SS_##t, 1, SS_COUNT_(st, m, SS_SIZE_##t), offsetof(st, m), 0, NULL, mx                           \
    }
#define SS_FIELD_V(st, m, t, v)                                                                              \
    {                                                                                                        \
#m, SS_##t, v, SS_COUNT_(st, m, SS_SIZE_##t), offsetof(st, m), 0, NULL, 0                            \
    }
#define SS_TIMER_FIELD(st, m)                                                                                \
    {                                                                                                        \
#m, SS_TIMER, 1, 1, offsetof(st, m), 0, NULL, 0                                                      \
    }
/* member m is an array of (or one) struct et described by sub */
#define SS_STRUCT_FIELD(st, m, et, subtab)                                                                   \
    {                                                                                                        \
#m, SS_STRUCT, 1, SS_COUNT_(st, m, sizeof(et)), offsetof(st, m), sizeof(et), subtab, 0               \
    }
/* member m points to as many struct et as the unsigned member n says */
#define SS_PSTRUCT_FIELD(st, m, et, subtab, n)                                                               \
    {                                                                                                        \
#m, SS_PSTRUCT, 1, 1, offsetof(st, m), sizeof(et), subtab, offsetof(st, n)                           \
    }
/* member m points to len bytes of memory (VRAM) */
#define SS_PBLOB_FIELD(st, m, len)                                                                           \
    {                                                                                                        \
#m, SS_PBLOB, 1, len, offsetof(st, m), 0, NULL, 0                                                    \
    }
#define SS_END                                                                                               \
    {                                                                                                        \
        NULL, 0, 0, 0, 0, 0, NULL, 0                                                                         \
    }

/* A unit's description. The hooks are optional: pre_save may refuse (a
 * state it cannot describe yet: one line in err, negative return);
 * post_load rebuilds what the fields imply (mappings, armed timers,
 * interrupt lines) once every unit is in. */
struct ss_desc {
    uint32_t version;
    const struct ss_field *fields;
    int (*pre_save)(void *opaque, char *err, size_t errlen);
    void (*post_load)(void *opaque);
};

/* For a device with nothing to save (wiring, a port that only acts). */
extern const struct ss_desc ss_stateless;

#define SS_FORMAT_VERSION 1
#define SS_MAGIC "PCVMSAV\n"

/* Saves vm to path (a temporary file, fsynced, renamed). The VM must be
 * quiet (no vCPU running). 0, or -1 with one line in err. */
int ss_save(struct vm *vm, const char *path, char *err, size_t errlen);
/* Checks the whole file against vm, then loads it; on any error the VM is
 * unchanged. The VM must be quiet. 0, or -1 with one line in err. */
int ss_load(struct vm *vm, const char *path, char *err, size_t errlen);
/* Prints every unit of the file field by field (vm gives the tables).
 * 0, or -1 with one line in err. */
int ss_print(struct vm *vm, const char *path, FILE *out, char *err, size_t errlen);

/* The monitor's savevm/loadvm: stops the VM (if it runs), moves it to
 * SAVING or LOADING, and back, and lets it run again if it did. */
int vm_savevm(struct vm *vm, const char *path, char *err, size_t errlen);
int vm_loadvm(struct vm *vm, const char *path, char *err, size_t errlen);

#endif
