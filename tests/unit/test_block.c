/* The block layer: raw images, bounds, -snapshot overlays, bad input. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/block.h"

static char path[64];

static void make_image(size_t size)
{
    strcpy(path, "/tmp/pcvm-test-block-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    uint8_t *b = malloc(size);
    for (size_t i = 0; i < size; i++)
        b[i] = (uint8_t)(i * 7 + i / 512);
    cr_assert_eq(write(fd, b, size), (ssize_t)size);
    free(b);
    close(fd);
}

static void cleanup(void)
{
    if (path[0])
        unlink(path);
    path[0] = 0;
}

TestSuite(block, .fini = cleanup);

Test(block, read_write_size)
{
    struct block *b;
    char err[200];
    uint8_t buf[1024], back[1024];
    make_image(8192);
    cr_assert_eq(block_open(path, &(struct block_opts){0}, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(block_size(b), 8192);
    cr_assert_eq(block_read(b, 512, buf, 1024), 0);
    cr_assert_eq(buf[0], (uint8_t)(512 * 7 + 1));
    memset(buf, 0x5a, sizeof(buf));
    cr_assert_eq(block_write(b, 1024, buf, 1024), 0);
    cr_assert_eq(block_flush(b), 0);
    cr_assert_eq(block_read(b, 1024, back, 1024), 0);
    cr_assert_arr_eq(buf, back, 1024);
    cr_assert_eq(block_read(b, 100, buf, 512), -EINVAL, "unaligned offsets are refused");
    cr_assert_eq(block_read(b, 8192, buf, 512), -EINVAL, "past the end");
    block_close(b);
}

Test(block, partial_last_sector_reads_zero)
{
    struct block *b;
    char err[200];
    uint8_t buf[512];
    make_image(1000);
    cr_assert_eq(block_open(path, &(struct block_opts){.format = "raw"}, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(block_read(b, 512, buf, 512), 0);
    cr_assert_eq(buf[487], (uint8_t)(999 * 7 + 1));
    cr_assert_eq(buf[488], 0);
    cr_assert_eq(buf[511], 0);
    block_close(b);
}

Test(block, snapshot_leaves_the_file_untouched)
{
    struct block *b;
    char err[200];
    uint8_t buf[2048], back[2048], orig[4096];
    make_image(4096);
    FILE *f = fopen(path, "rb");
    cr_assert_eq(fread(orig, 1, 4096, f), 4096);
    fclose(f);
    cr_assert_eq(block_open(path, &(struct block_opts){.snapshot = true}, &b, err, sizeof(err)), 0, "%s", err);
    memset(buf, 0xee, sizeof(buf));
    cr_assert_eq(block_write(b, 1024, buf, 512), 0);
    cr_assert_eq(block_write(b, 2048, buf, 512), 0);
    /* a read spanning image, overlay, image, overlay sectors */
    cr_assert_eq(block_read(b, 512, back, 2048), 0);
    cr_assert_arr_eq(back, orig + 512, 512);
    cr_assert_arr_eq(back + 512, buf, 512);
    cr_assert_arr_eq(back + 1024, orig + 1536, 512);
    cr_assert_arr_eq(back + 1536, buf, 512);
    cr_assert_eq(block_flush(b), 0);
    block_close(b);
    uint8_t now[4096];
    f = fopen(path, "rb");
    cr_assert_eq(fread(now, 1, 4096, f), 4096);
    fclose(f);
    cr_assert_arr_eq(now, orig, 4096, "the image is never written");
}

Test(block, readonly_refuses_writes)
{
    struct block *b;
    char err[200];
    uint8_t buf[512] = {0};
    make_image(4096);
    cr_assert_eq(block_open(path, &(struct block_opts){.readonly = true}, &b, err, sizeof(err)), 0, "%s", err);
    cr_assert(block_readonly(b));
    cr_assert_eq(block_write(b, 0, buf, 512), -EROFS);
    block_close(b);
}

Test(block, bad_input_is_one_line)
{
    struct block *b = NULL;
    char err[200];
    cr_assert_lt(block_open("/nonexistent/disk.img", &(struct block_opts){0}, &b, err, sizeof(err)), 0);
    cr_assert(strstr(err, "/nonexistent/disk.img") && strstr(err, "No such file"), "%s", err);
    make_image(4096);
    cr_assert_lt(block_open(path, &(struct block_opts){.format = "qcow2"}, &b, err, sizeof(err)), 0);
    cr_assert(strstr(err, "qcow2") && !strchr(err, '\n'), "%s", err);
    cr_assert_lt(block_open("/tmp", &(struct block_opts){0}, &b, err, sizeof(err)), 0);
}

/* Each block_open is its own open file description, so two opens in one
 * process contend for the lock as two processes would. */
Test(block, a_writer_locks_out_everyone_readers_share)
{
    struct block *w, *r1, *r2, *x = NULL;
    char err[300];
    const struct block_opts rw = {0}, ro = {.readonly = true}, snap = {.snapshot = true};
    make_image(4096);
    cr_assert_eq(block_open(path, &rw, &w, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(block_open(path, &rw, &x, err, sizeof(err)), -EBUSY, "a second writer got in");
    cr_assert(strstr(err, path) && strstr(err, "another process") && strstr(err, "-snapshot") &&
                  strstr(err, "readonly=on") && !strchr(err, '\n'),
              "%s", err);
    cr_assert_eq(block_open(path, &ro, &x, err, sizeof(err)), -EBUSY, "a reader got in beside a writer");
    cr_assert_eq(block_open(path, &snap, &x, err, sizeof(err)), -EBUSY, "a snapshot got in beside a writer");
    block_close(w);

    cr_assert_eq(block_open(path, &ro, &r1, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(block_open(path, &snap, &r2, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(block_open(path, &rw, &x, err, sizeof(err)), -EBUSY, "a writer got in beside readers");
    block_close(r1);
    block_close(r2);
    cr_assert_eq(block_open(path, &rw, &w, err, sizeof(err)), 0, "%s", err);
    block_close(w);
}
