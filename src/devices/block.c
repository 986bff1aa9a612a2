/* Raw image files with an optional copy-on-write overlay (-snapshot).
 *
 * The overlay is a sparse temporary file, unlinked as soon as it is
 * created (as QEMU's -snapshot does), so nothing is left behind however the
 * process ends; a bitmap with one bit per sector says which sectors are
 * newer in the overlay than in the image.
 *
 * Images are locked as QEMU locks them: an open file description lock
 * (F_OFD_SETLK) on the whole file, shared for read-only use (readonly=on,
 * -snapshot, CDs), exclusive for writing, so a second process never writes
 * an image that another one uses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/block.h"

struct block {
    int fd;
    int overlay_fd;    /* -1 without a snapshot */
    uint8_t *dirty;    /* overlay bitmap, one bit per sector */
    uint64_t size;     /* bytes of the image */
    bool readonly;
    bool written;      /* the image has writes not yet synced */
    char path[PATH_MAX];
};

static bool in_overlay(const struct block *b, uint64_t sector)
{
    return b->dirty && (b->dirty[sector >> 3] >> (sector & 7) & 1);
}

/* Reads [off, off+len) of one file, zero-filling past its end. */
static int read_file(int fd, uint64_t off, uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0) {
            memset(buf, 0, len);
            return 0;
        }
        buf += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_file(int fd, uint64_t off, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        buf += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static bool bad_range(const struct block *b, uint64_t off, size_t len)
{
    return (off | len) % BLOCK_SECTOR || off > b->size || len > b->size - off + BLOCK_SECTOR - 1;
}

int block_read(struct block *b, uint64_t off, void *buf, size_t len)
{
    uint8_t *p = buf;
    if (bad_range(b, off, len))
        return -EINVAL;
    /* one pread per run of sectors that live in the same file */
    while (len) {
        uint64_t s = off / BLOCK_SECTOR;
        bool ov = in_overlay(b, s);
        size_t run = BLOCK_SECTOR;
        while (run < len && in_overlay(b, s + run / BLOCK_SECTOR) == ov)
            run += BLOCK_SECTOR;
        int rc = read_file(ov ? b->overlay_fd : b->fd, off, p, run);
        if (rc < 0)
            return rc;
        p += run;
        off += run;
        len -= run;
    }
    return 0;
}

int block_write(struct block *b, uint64_t off, const void *buf, size_t len)
{
    if (b->readonly)
        return -EROFS;
    if (bad_range(b, off, len))
        return -EINVAL;
    if (b->overlay_fd < 0) {
        b->written = true;
        return write_file(b->fd, off, buf, len);
    }
    int rc = write_file(b->overlay_fd, off, buf, len);
    if (rc < 0)
        return rc;
    for (uint64_t s = off / BLOCK_SECTOR; s < (off + len) / BLOCK_SECTOR; s++)
        b->dirty[s >> 3] |= (uint8_t)(1u << (s & 7));
    return 0;
}

int block_flush(struct block *b)
{
    /* an overlay dies with the process: there is nothing to make durable */
    if (b->readonly || b->overlay_fd >= 0)
        return 0;
    if (fdatasync(b->fd) < 0 && errno != EINVAL)
        return -errno;
    b->written = false;
    return 0;
}

uint64_t block_size(const struct block *b) { return b->size; }
bool block_readonly(const struct block *b) { return b->readonly; }
const char *block_path(const struct block *b) { return b->path; }

void block_close(struct block *b)
{
    if (!b)
        return;
    if (b->written)
        block_flush(b); /* a caller that cares about the error flushed first */
    if (b->fd >= 0)
        close(b->fd);
    if (b->overlay_fd >= 0)
        close(b->overlay_fd);
    free(b->dirty);
    free(b);
}

static int open_overlay(struct block *b)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof(tmpl), "%s/pcvm-snapshot-XXXXXX", dir && *dir ? dir : "/var/tmp");
    b->overlay_fd = mkstemp(tmpl);
    if (b->overlay_fd < 0) {
        snprintf(tmpl, sizeof(tmpl), "/tmp/pcvm-snapshot-XXXXXX");
        b->overlay_fd = mkstemp(tmpl);
    }
    if (b->overlay_fd < 0)
        return -errno;
    unlink(tmpl);
    b->dirty = calloc(b->size / BLOCK_SECTOR / 8 + 1, 1);
    return b->dirty ? 0 : -ENOMEM;
}

/* A shared lock for reading, an exclusive one for writing; file systems
 * without locks (EINVAL, ENOLCK) run unprotected as before. */
static int lock_image(struct block *b, bool write)
{
    struct flock fl = {.l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET};
    if (fcntl(b->fd, F_OFD_SETLK, &fl) == 0)
        return 0;
    if (errno == EINVAL || errno == ENOLCK || errno == EOPNOTSUPP)
        return 0;
    return errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
}

int block_open(const char *path, const struct block_opts *o, struct block **out, char *err, size_t errlen)
{
    struct block *b;
    struct stat st;
    off_t end;
    int rc;

    if (o->format && strcmp(o->format, "raw")) {
        snprintf(err, errlen, "image '%s': unknown format '%s' (only raw is supported)", path, o->format);
        return -EINVAL;
    }
    b = calloc(1, sizeof(*b));
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    b->overlay_fd = -1;
    b->readonly = o->readonly;
    snprintf(b->path, sizeof(b->path), "%s", path);
    /* a snapshot never writes the image, so it needs only read access */
    b->fd = open(path, (o->readonly || o->snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (b->fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot open image '%s': %s%s", path, strerror(errno),
                 errno == EACCES || errno == EROFS ? " (try readonly=on or -snapshot)" : "");
        goto fail;
    }
    if (fstat(b->fd, &st) < 0 || S_ISDIR(st.st_mode) || (end = lseek(b->fd, 0, SEEK_END)) < 0) {
        rc = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
        snprintf(err, errlen, "cannot use image '%s': %s", path, strerror(-rc));
        goto fail;
    }
    if ((rc = lock_image(b, !(o->readonly || o->snapshot))) < 0) {
        if (rc == -EBUSY)
            snprintf(err, errlen,
                     "image '%s' is in use by another process (it is locked); processes can share an "
                     "image only when each opens it with -snapshot or readonly=on", path);
        else
            snprintf(err, errlen, "cannot lock image '%s': %s", path, strerror(-rc));
        goto fail;
    }
    b->size = (uint64_t)end;
    if (o->snapshot && (rc = open_overlay(b)) < 0) {
        snprintf(err, errlen, "cannot create the snapshot overlay for '%s': %s", path, strerror(-rc));
        goto fail;
    }
    *out = b;
    return 0;
fail:
    block_close(b);
    return rc;
}
