/* Files pcvm writes for the user (outfile.c): whole files (--dump-phys,
 * --screenshot) and logs written while the guest runs (-serial file:,
 * --trace=FILE).
 *
 * Invariants:
 * - A whole file whose path is new, a regular file or a symbolic link to
 *   one is written under a temporary name beside it, fsynced and renamed
 *   over it: a reader sees the old file or the whole new one.
 * - Anything else at the path (a device, a FIFO, a symbolic link to one)
 *   is opened and written through; it is never replaced by a file.
 * - The first error is kept in err; later writes are dropped, and the
 *   owner reports it once (pcvm's exit status says it happened).
 */
#ifndef PCVM_OUTFILE_H
#define PCVM_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct outfile {
    int fd;
    int err;          /* first error, a negative errno; 0 while all went well */
    bool stream;      /* written in order only (FIFO, character device, log) */
    bool replace;     /* tmp is renamed over target when closed */
    uint64_t pos;     /* bytes written so far (streams) */
    char path[PATH_MAX];   /* as the user named it, for messages */
    char target[PATH_MAX]; /* the file tmp replaces (symbolic links resolved) */
    char tmp[PATH_MAX + 16];
};

/* A whole file; returns 0 or a negative errno. */
int outfile_open(struct outfile *f, const char *path);
/* A log: created or truncated, written in place, in order. */
int outfile_open_log(struct outfile *f, const char *path);
int outfile_write(struct outfile *f, const void *buf, size_t len);
/* Writes at off; a stream gets zeros up to off (gaps of a file stay sparse). */
int outfile_write_at(struct outfile *f, const void *buf, size_t len, uint64_t off);
/* The file ends at size (a stream is padded with zeros; a block device keeps its size). */
int outfile_extend(struct outfile *f, uint64_t size);
/* A stdio stream writing into f (errors land in f->err); fclose it before outfile_close. */
FILE *outfile_stdio(struct outfile *f);
/* Makes what was written durable (fsync); returns f->err. */
int outfile_sync(struct outfile *f);
/* Syncs, closes and, for a whole file, renames it into place; after an
 * error (the caller's status when negative, or one of f's own) the
 * temporary file is removed instead. Returns 0 or the first error. */
int outfile_close(struct outfile *f, int status);

#endif
