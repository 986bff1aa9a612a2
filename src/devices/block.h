/* The block layer (block.c): disk and CD images behind a small interface,
 * so an asynchronous backend can replace pread/pwrite later without the
 * device models changing.
 *
 * Invariants:
 * - Offsets and lengths are multiples of BLOCK_SECTOR; reads past the end
 *   of an image whose size is not a multiple of it return zeros there.
 * - A snapshot (-snapshot) never writes the image: written sectors go to an
 *   unlinked temporary file, a bitmap says which sectors live there.
 * - Calls are synchronous and short (a few sectors on the vCPU thread);
 *   nothing reads a whole image into memory.
 */
#ifndef PCVM_BLOCK_H
#define PCVM_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK_SECTOR 512u

struct block;

struct block_opts {
    const char *format; /* "raw" or NULL (raw) */
    bool readonly;      /* the guest may not write */
    bool snapshot;      /* writes go to a temporary overlay */
};

/* Opens path; on failure returns a negative errno and one line in err. */
int block_open(const char *path, const struct block_opts *o, struct block **out, char *err, size_t errlen);
int block_read(struct block *b, uint64_t off, void *buf, size_t len);
int block_write(struct block *b, uint64_t off, const void *buf, size_t len);
int block_flush(struct block *b);
uint64_t block_size(const struct block *b); /* bytes */
bool block_readonly(const struct block *b);
const char *block_path(const struct block *b);
void block_close(struct block *b);

#endif
