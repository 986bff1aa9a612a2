/* Files pcvm writes for the user; see outfile.h for the invariants.
 * Writing a whole file through a temporary name protects readers of a
 * regular file, but renaming over a device node or a FIFO would replace it
 * with a file (as root, /dev/full itself), so only regular files get it. */
#define _GNU_SOURCE
#include "vm/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int keep_error(struct outfile *f, int err)
{
    if (!f->err)
        f->err = err;
    return f->err;
}

static void init(struct outfile *f)
{
    memset(f, 0, sizeof(*f));
    f->fd = -1;
}

static int set_path(struct outfile *f, const char *path)
{
    if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path))
        return -ENAMETOOLONG;
    return 0;
}

/* Something that is not a regular file (or a dangling symbolic link): open
 * it and write through. */
static int open_in_place(struct outfile *f, const struct stat *st)
{
    f->fd = open(f->path, O_WRONLY | O_CLOEXEC | (st ? 0 : O_CREAT | O_TRUNC), 0644);
    if (f->fd < 0)
        return -errno;
    f->stream = st && !S_ISBLK(st->st_mode);
    return 0;
}

int outfile_open(struct outfile *f, const char *path)
{
    struct stat st, lst;
    bool exists;
    int rc;

    init(f);
    if ((rc = set_path(f, path)) < 0)
        return rc;
    exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return -EISDIR;
    if (exists && !S_ISREG(st.st_mode))
        return open_in_place(f, &st);
    if (!exists && lstat(path, &lst) == 0)
        return open_in_place(f, NULL); /* a dangling link: create what it names */
    if (!exists)
        snprintf(f->target, sizeof(f->target), "%s", path);
    else if (!realpath(path, f->target))
        return -errno;
    snprintf(f->tmp, sizeof(f->tmp), "%s.tmp-XXXXXX", f->target);
    f->fd = mkostemp(f->tmp, O_CLOEXEC);
    if (f->fd < 0)
        return -errno;
    /* mkostemp makes it 0600; the file keeps the mode it had */
    if (fchmod(f->fd, exists ? st.st_mode & 07777 : 0644) < 0) {
        rc = -errno;
        close(f->fd);
        unlink(f->tmp);
        f->fd = -1;
        return rc;
    }
    f->replace = true;
    return 0;
}

int outfile_open_log(struct outfile *f, const char *path)
{
    int rc;
    init(f);
    if ((rc = set_path(f, path)) < 0)
        return rc;
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0)
        return -errno;
    f->stream = true;
    return 0;
}

int outfile_write(struct outfile *f, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (f->err)
        return f->err;
    while (len) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return keep_error(f, n < 0 ? -errno : -EIO);
        p += n, len -= (size_t)n, f->pos += (uint64_t)n;
    }
    return 0;
}

static int write_zeros(struct outfile *f, uint64_t len)
{
    static const uint8_t zero[4096];
    int rc = 0;
    while (len && !rc) {
        size_t n = len < sizeof(zero) ? (size_t)len : sizeof(zero);
        rc = outfile_write(f, zero, n);
        len -= n;
    }
    return rc;
}

int outfile_write_at(struct outfile *f, const void *buf, size_t len, uint64_t off)
{
    const uint8_t *p = buf;
    if (f->err)
        return f->err;
    if (f->stream) {
        if (off < f->pos)
            return keep_error(f, -ESPIPE);
        int rc = write_zeros(f, off - f->pos);
        return rc ? rc : outfile_write(f, buf, len);
    }
    while (len) {
        ssize_t n = pwrite(f->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return keep_error(f, n < 0 ? -errno : -EIO);
        p += n, len -= (size_t)n, off += (uint64_t)n;
    }
    return 0;
}

int outfile_extend(struct outfile *f, uint64_t size)
{
    if (f->err)
        return f->err;
    if (f->stream)
        return size > f->pos ? write_zeros(f, size - f->pos) : 0;
    if (f->replace && ftruncate(f->fd, (off_t)size) < 0)
        return keep_error(f, -errno);
    return 0;
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t len)
{
    return outfile_write(cookie, buf, len) < 0 ? -1 : (ssize_t)len;
}

FILE *outfile_stdio(struct outfile *f)
{
    cookie_io_functions_t io = {.write = cookie_write};
    FILE *s = fopencookie(f, "w", io);
    if (!s)
        keep_error(f, -errno);
    return s;
}

int outfile_sync(struct outfile *f)
{
    /* FIFOs, terminals and most character devices cannot be synced */
    if (f->fd >= 0 && fsync(f->fd) < 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
        keep_error(f, -errno);
    return f->err;
}

int outfile_close(struct outfile *f, int status)
{
    if (status < 0)
        keep_error(f, status);
    if (f->fd < 0)
        return f->err;
    outfile_sync(f);
    if (close(f->fd) < 0)
        keep_error(f, -errno);
    f->fd = -1;
    if (f->replace && !f->err && rename(f->tmp, f->target) < 0)
        keep_error(f, -errno);
    if (f->replace && f->err)
        unlink(f->tmp);
    f->replace = false;
    return f->err;
}
