/* The renderer: VGA text modes (attributes, blink, cursor, fonts from
 * plane 2), planar 16-colour, CGA-style 4-colour, 256-colour (mode 13h and
 * the unchained "mode X") and the VBE linear modes, into an XRGB surface.
 *
 * The CRTC's memory address counter is followed as the hardware does it:
 * start address, offset per character row, byte/word/doubleword address
 * mapping (CR17 bit 6, CR14 bit 6) and the MA13/MA14 row-scan
 * substitutions of the CGA modes (CR17 bits 0 and 1). Graphics modes are
 * rendered at their logical size: scan lines repeated by the maximum scan
 * line or double scanning count once. The caller of every function here
 * holds the device lock except the public entry points.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/vga_priv.h"
#include "vm/vm.h"

#define FRAME_NS 16683333u

struct geom {
    unsigned w, h;
};

static uint32_t rgb(uint8_t r, uint8_t g, uint8_t b)
{
    return (uint32_t)r << 16 | (uint32_t)g << 8 | b;
}

/* 6-bit DAC levels to 8 bits, as QEMU does (screendumps then compare). */
static uint8_t c6to8(uint8_t v)
{
    return (uint8_t)(v << 2 | (v & 1) * 3);
}

static uint32_t dac_color(const struct dev_vga *v, uint8_t i)
{
    const uint8_t *c = v->dac[i & v->pel_mask];
    if (v->vbe[VBE_ENABLE] & VBE_8BIT_DAC)
        return rgb(c[0], c[1], c[2]);
    return rgb(c6to8(c[0]), c6to8(c[1]), c6to8(c[2]));
}

/* A 4-bit pixel through the attribute controller's palette to the DAC. */
static uint32_t attr_color(const struct dev_vga *v, unsigned idx)
{
    uint8_t p = v->ar[idx & v->ar[0x12] & 0x0f];
    if (v->ar[0x10] & 0x80)
        p = (uint8_t)((p & 0x0f) | (v->ar[0x14] & 3) << 4);
    p = (uint8_t)((p & 0x3f) | (v->ar[0x14] & 0x0c) << 4);
    return dac_color(v, p);
}

static unsigned vde(const struct dev_vga *v)
{
    return (v->cr[0x12] | (v->cr[7] & 0x02) << 7 | (v->cr[7] & 0x40) << 3) + 1u;
}

static uint32_t crtc_addr(const struct dev_vga *v, uint32_t ma, unsigned rowscan)
{
    uint32_t a;
    if (v->cr[0x14] & 0x40)
        a = ma << 2;
    else if (!(v->cr[0x17] & 0x40))
        a = ma << 1 | ((ma >> ((v->cr[0x17] & 0x20) ? 15 : 13)) & 1);
    else
        a = ma;
    if (!(v->cr[0x17] & 1))
        a = (a & ~0x2000u) | (rowscan & 1) << 13;
    if (!(v->cr[0x17] & 2))
        a = (a & ~0x4000u) | (rowscan >> 1 & 1) << 14;
    return a & 0xffff;
}

static uint32_t start_addr(const struct dev_vga *v)
{
    return (uint32_t)v->cr[0x0c] << 8 | v->cr[0x0d];
}

static bool page_dirty(const struct dev_vga *v, uint32_t lo, uint32_t hi)
{
    if (hi < lo)
        return true;
    for (uint32_t p = lo >> 12; p <= (hi >> 12) && p < VGA_PAGES; p++)
        if (v->dirty[p >> 3] & (1u << (p & 7)))
            return true;
    return false;
}

/* Planar memory a row reads, as a vram byte range. */
static bool row_dirty(const struct dev_vga *v, uint32_t ma, unsigned clocks, unsigned rowscan)
{
    uint32_t a = crtc_addr(v, ma, rowscan), b = crtc_addr(v, ma + clocks - 1, rowscan);
    return page_dirty(v, a * 4, b * 4 + 3);
}

/* ---- text ---- */

static const uint16_t font_base[8] = {0x0000, 0x4000, 0x8000, 0xc000, 0x2000, 0x6000, 0xa000, 0xe000};

static struct geom text_geom(const struct dev_vga *v)
{
    unsigned cw = (v->sr[1] & 1) ? 8 : 9;
    return (struct geom){(v->cr[1] + 1u) * cw, vde(v)};
}

static void draw_text_row(const struct dev_vga *v, struct vga_surface *s, unsigned row, bool blink_on,
                          bool cursor_on)
{
    unsigned cw = (v->sr[1] & 1) ? 8 : 9, ch = (v->cr[9] & 0x1f) + 1u, cols = v->cr[1] + 1u;
    uint32_t ma = start_addr(v) + row * v->cr[0x13] * 2u;
    uint32_t cursor = (uint32_t)v->cr[0x0e] << 8 | v->cr[0x0f];
    unsigned cs = v->cr[0x0a] & 0x1f, ce = v->cr[0x0b] & 0x1f;
    bool blink_attr = v->ar[0x10] & 0x08, line_gfx = v->ar[0x10] & 0x04;
    uint8_t sel = v->sr[3];
    uint32_t map_a = font_base[(sel >> 5 & 1) << 2 | (sel >> 2 & 3)];
    uint32_t map_b = font_base[(sel >> 4 & 1) << 2 | (sel & 3)];

    for (unsigned c = 0; c < cols; c++) {
        uint32_t a = crtc_addr(v, ma + c, 0);
        uint8_t chr = v->vram[a * 4], attr = v->vram[a * 4 + 1];
        unsigned fg = attr & 0x0f, bg = attr >> 4;
        if (blink_attr) {
            bg &= 7;
            if ((attr & 0x80) && !blink_on)
                fg = bg;
        }
        uint32_t fgc = attr_color(v, fg), bgc = attr_color(v, bg);
        uint32_t glyph = ((attr & 0x08) ? map_a : map_b) + chr * 32u;
        bool cur = cursor_on && ma + c == cursor && !(v->cr[0x0a] & 0x20);
        for (unsigned y = 0; y < ch; y++) {
            unsigned py = row * ch + y;
            if (py >= s->height)
                break;
            unsigned bits = v->vram[((glyph + y) & 0xffff) * 4 + 2];
            bits <<= 1;
            if (cw == 9 && line_gfx && chr >= 0xc0 && chr <= 0xdf)
                bits |= bits >> 1 & 1; /* line graphics: the 9th dot repeats the 8th */
            if (cur && y >= cs && y <= ce)
                bits = 0x1ff;
            uint32_t *out = s->pixels + (size_t)py * s->stride + c * cw;
            for (unsigned x = 0; x < cw; x++)
                out[x] = (bits >> (8 - x)) & 1 ? fgc : bgc;
        }
    }
}

/* ---- graphics ---- */

static bool subst(const struct dev_vga *v)
{
    return (v->cr[0x17] & 3) != 3;
}

static struct geom gfx_geom(const struct dev_vga *v)
{
    unsigned ppc = (v->gr[5] & 0x40) ? 4 : 8, ms = (v->cr[9] & 0x1f) + 1u;
    unsigned h = vde(v) / ((v->cr[9] & 0x80) ? 2 : 1);
    if (!subst(v))
        h /= ms;
    return (struct geom){(v->cr[1] + 1u) * ppc, h};
}

static void gfx_row_addr(const struct dev_vga *v, unsigned r, uint32_t *ma, unsigned *rowscan)
{
    unsigned ms = (v->cr[9] & 0x1f) + 1u, charrow = r;
    *rowscan = 0;
    if (subst(v)) {
        charrow = r / ms;
        *rowscan = r % ms;
    }
    *ma = start_addr(v) + charrow * v->cr[0x13] * 2u;
}

static void draw_gfx_row(const struct dev_vga *v, struct vga_surface *s, unsigned r)
{
    uint32_t ma;
    unsigned rowscan, clocks = v->cr[1] + 1u;
    uint32_t *out = s->pixels + (size_t)r * s->stride;
    gfx_row_addr(v, r, &ma, &rowscan);
    for (unsigned c = 0; c < clocks; c++) {
        const uint8_t *p = v->vram + crtc_addr(v, ma + c, rowscan) * 4;
        if (v->gr[5] & 0x40) {
            for (unsigned k = 0; k < 4; k++)
                *out++ = dac_color(v, p[k]);
        } else if (v->gr[5] & 0x20) { /* CGA 4-colour: two bits per pixel */
            for (unsigned k = 0; k < 8; k++) {
                unsigned sh = 6 - 2 * (k & 3), lo = k < 4 ? p[0] : p[1], hi = k < 4 ? p[2] : p[3];
                *out++ = attr_color(v, ((lo >> sh) & 3) | ((hi >> sh) & 3) << 2);
            }
        } else {
            for (unsigned k = 0; k < 8; k++) {
                unsigned b = 7 - k;
                unsigned idx = (p[0] >> b & 1) | (p[1] >> b & 1) << 1 | (p[2] >> b & 1) << 2 | (p[3] >> b & 1) << 3;
                *out++ = attr_color(v, idx);
            }
        }
    }
}

/* ---- VBE ---- */

static unsigned vbe_bytes(const struct dev_vga *v)
{
    return (v->vbe[VBE_BPP] + 7u) / 8u;
}

static uint32_t vbe_line(const struct dev_vga *v, unsigned y)
{
    uint32_t stride = (uint32_t)v->vbe[VBE_VIRT_WIDTH] * vbe_bytes(v);
    return (y + v->vbe[VBE_Y_OFFSET]) * stride + v->vbe[VBE_X_OFFSET] * vbe_bytes(v);
}

static void draw_vbe_row(const struct dev_vga *v, struct vga_surface *s, unsigned y)
{
    uint32_t off = vbe_line(v, y);
    unsigned w = v->vbe[VBE_XRES], bpp = v->vbe[VBE_BPP];
    uint32_t *out = s->pixels + (size_t)y * s->stride;
    for (unsigned x = 0; x < w; x++) {
        uint32_t a = (off + x * vbe_bytes(v)) & (VGA_VRAM_SIZE - 1);
        const uint8_t *p = v->vram + (a > VGA_VRAM_SIZE - 4 ? 0 : a); /* a panned-off pixel reads memory's start */
        unsigned px = p[0] | p[1] << 8;
        switch (bpp) {
        case 8: out[x] = dac_color(v, p[0]); break;
        case 15: out[x] = rgb((uint8_t)((px >> 7 & 0xf8) | (px >> 12 & 7)), (uint8_t)((px >> 2 & 0xf8) | (px >> 7 & 7)),
                              (uint8_t)((px << 3 & 0xf8) | (px >> 2 & 7))); break;
        case 16: out[x] = rgb((uint8_t)((px >> 8 & 0xf8) | (px >> 13 & 7)), (uint8_t)((px >> 3 & 0xfc) | (px >> 9 & 3)),
                              (uint8_t)((px << 3 & 0xf8) | (px >> 2 & 7))); break;
        default: out[x] = rgb(p[2], p[1], p[0]); break;
        }
    }
}

/* ---- entry points ---- */

static int surface_size(struct vga_surface *s, unsigned w, unsigned h)
{
    size_t need = (size_t)w * h;
    if (need > s->cap) {
        uint32_t *p = realloc(s->pixels, need * sizeof(*p));
        if (!p)
            return -ENOMEM;
        s->pixels = p;
        s->cap = need;
    }
    s->width = w, s->height = h, s->stride = w;
    return 0;
}

void vga_surface_free(struct vga_surface *s)
{
    free(s->pixels);
    memset(s, 0, sizeof(*s));
}

enum kind { K_BLANK, K_TEXT, K_GFX, K_VBE };

static enum kind mode_kind(const struct dev_vga *v, struct geom *g)
{
    if (vbe_on(v)) {
        *g = (struct geom){v->vbe[VBE_XRES], v->vbe[VBE_YRES]};
        return K_VBE;
    }
    *g = (v->gr[6] & 1) ? gfx_geom(v) : text_geom(v);
    if (g->w < 16 || g->h < 16 || g->w > VGA_MAX_XRES || g->h > VGA_MAX_YRES) {
        *g = (struct geom){640, 480};
        return K_BLANK;
    }
    if ((v->sr[1] & 0x20) || !(v->ar_index & 0x20))
        return K_BLANK; /* screen off, or the palette is being programmed */
    return (v->gr[6] & 1) ? K_GFX : K_TEXT;
}

int vga_render(struct dev_vga *v, struct vga_surface *s, bool full, unsigned *y0, unsigned *y1)
{
    struct geom g;
    unsigned lo = ~0u, hi = 0;
    int rc = 0;

    pthread_mutex_lock(&v->lock);
    enum kind k = mode_kind(v, &g);
    bool all = full || v->full_redraw || g.w != v->last_w || g.h != v->last_h || s->width != g.w ||
               s->height != g.h;
    unsigned phase = (unsigned)(vm_clock_ns(v->vm) / (FRAME_NS * 16ull));
    if (k == K_TEXT && phase != v->blink_phase && !full) {
        all = true;
        v->blink_phase = phase;
    }
    if ((rc = surface_size(s, g.w, g.h)) < 0)
        goto out;
    if (k == K_BLANK) {
        if (all)
            memset(s->pixels, 0, (size_t)g.w * g.h * sizeof(uint32_t));
        lo = all ? 0 : lo, hi = all ? g.h : hi;
    } else if (k == K_TEXT) {
        unsigned ch = (v->cr[9] & 0x1f) + 1u, rows = (g.h + ch - 1) / ch, cols = v->cr[1] + 1u;
        for (unsigned r = 0; r < rows; r++) {
            uint32_t ma = start_addr(v) + r * v->cr[0x13] * 2u;
            if (!all && !row_dirty(v, ma, cols, 0))
                continue;
            draw_text_row(v, s, r, phase & 2, phase & 1);
            lo = lo < r * ch ? lo : r * ch;
            hi = (r + 1) * ch < g.h ? (r + 1) * ch : g.h;
        }
    } else {
        for (unsigned y = 0; y < g.h; y++) {
            if (!all) {
                bool d;
                if (k == K_VBE) {
                    uint32_t a = vbe_line(v, y);
                    d = page_dirty(v, a, a + g.w * vbe_bytes(v) - 1);
                } else {
                    uint32_t ma;
                    unsigned rs;
                    gfx_row_addr(v, y, &ma, &rs);
                    d = row_dirty(v, ma, v->cr[1] + 1u, rs);
                }
                if (!d)
                    continue;
            }
            if (k == K_VBE)
                draw_vbe_row(v, s, y);
            else
                draw_gfx_row(v, s, y);
            lo = lo < y ? lo : y;
            hi = y + 1;
        }
    }
    if (!full) {
        memset(v->dirty, 0, sizeof(v->dirty));
        v->full_redraw = false;
        v->last_w = g.w, v->last_h = g.h;
    }
out:
    pthread_mutex_unlock(&v->lock);
    if (y0)
        *y0 = lo < hi ? lo : 0;
    if (y1)
        *y1 = lo < hi ? hi : 0;
    return rc;
}

size_t vga_text_dump(struct dev_vga *v, char *buf, size_t len)
{
    size_t n = 0;
    if (!len)
        return 0;
    pthread_mutex_lock(&v->lock);
    if (!vbe_on(v) && !(v->gr[6] & 1)) {
        unsigned ch = (v->cr[9] & 0x1f) + 1u, rows = vde(v) / ch, cols = v->cr[1] + 1u;
        for (unsigned r = 0; r < rows && n + 1 < len; r++) {
            uint32_t ma = start_addr(v) + r * v->cr[0x13] * 2u;
            size_t line = n;
            for (unsigned c = 0; c < cols && n + 1 < len; c++) {
                uint8_t b = v->vram[crtc_addr(v, ma + c, 0) * 4];
                buf[n++] = (char)(b >= 0x20 && b < 0x7f ? b : b == 0 ? ' ' : '?');
            }
            while (n > line && buf[n - 1] == ' ')
                n--; /* trailing blanks say nothing */
            if (n + 1 < len)
                buf[n++] = '\n';
        }
    }
    buf[n] = 0;
    pthread_mutex_unlock(&v->lock);
    return n;
}

int vga_screenshot(struct vm *vm, const char *path)
{
    struct dev_vga *v = pc_vga(vm);
    struct vga_surface s = {0};
    int rc;
    if (!v)
        return -ENODEV;
    rc = vga_render(v, &s, true, NULL, NULL);
    if (rc == 0)
        rc = vga_write_png(&s, path);
    vga_surface_free(&s);
    return rc;
}
