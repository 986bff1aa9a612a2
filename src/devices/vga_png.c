/* Screenshots: a surface as an 8-bit RGB PNG (libpng), written through
 * vm/outfile.h: a regular file is replaced whole, a device or FIFO written
 * through. */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vga.h"
#include "vm/outfile.h"

static int write_rows(FILE *f, const struct vga_surface *s, uint8_t *row)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return -ENOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -EIO;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, s->width, s->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < s->height; y++) {
        const uint32_t *px = s->pixels + (size_t)y * s->stride;
        for (unsigned x = 0; x < s->width; x++) {
            row[3 * x] = (uint8_t)(px[x] >> 16);
            row[3 * x + 1] = (uint8_t)(px[x] >> 8);
            row[3 * x + 2] = (uint8_t)px[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int vga_write_png(const struct vga_surface *s, const char *path)
{
    struct outfile f;
    FILE *out;
    int rc;
    if (!s->width || !s->height)
        return -EINVAL;
    uint8_t *row = malloc((size_t)s->width * 3);
    if (!row)
        return -ENOMEM;
    rc = outfile_open(&f, path);
    if (rc < 0) {
        free(row);
        return rc;
    }
    out = outfile_stdio(&f);
    rc = out ? write_rows(out, s, row) : -ENOMEM;
    free(row);
    if (out && fclose(out) != 0 && rc == 0)
        rc = -EIO;
    /* a write error reaches libpng as -EIO, after the stream kept its errno */
    return outfile_close(&f, rc);
}
