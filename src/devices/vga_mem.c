/* VGA video memory as the CPU sees it: the 0xA0000-0xBFFFF window with the
 * graphics controller's read and write modes (FreeVGA's "Graphics
 * Registers"), and the Bochs VBE linear framebuffer and bank window.
 *
 * Video memory is four 64 KiB planes interleaved byte by byte (plane p,
 * offset o at vram[o * 4 + p]); the VBE modes use the same memory as one
 * linear framebuffer. Chain-4 addressing keeps the real hardware's layout
 * (byte a lands in plane a & 3 at offset a & ~3: mode 13h uses every
 * fourth byte of each plane), and odd/even puts byte a in plane a & 1 at
 * offset a & ~1. Every store marks its page dirty for the renderer.
 */
#include <string.h>

#include "devices/vga_priv.h"

#define SR_MAP_MASK 2
#define SR_MEM_MODE 4
#define GR_SET_RESET 0
#define GR_ENABLE_SR 1
#define GR_COLOR_CMP 2
#define GR_ROTATE 3
#define GR_READ_MAP 4
#define GR_MODE 5
#define GR_MISC 6
#define GR_DONT_CARE 7
#define GR_BIT_MASK 8

/* The window the memory map select (GR06 bits 2-3) decodes: base, size. */
static const uint32_t map_base[4] = {0x00000, 0x00000, 0x10000, 0x18000};
static const uint32_t map_size[4] = {0x20000, 0x10000, 0x08000, 0x08000};

/* Turns a window offset into a plane offset and the planes it may reach;
 * false when the memory map select does not decode it. */
static bool decode(const struct dev_vga *v, uint32_t off, uint32_t *poff, unsigned *planes, bool write)
{
    unsigned sel = (v->gr[GR_MISC] >> 2) & 3;
    if (off < map_base[sel] || off >= map_base[sel] + map_size[sel])
        return false;
    off -= map_base[sel];
    if (v->sr[SR_MEM_MODE] & 0x08) { /* chain 4 */
        *planes = 1u << (off & 3);
        *poff = off & ~3u;
    } else if (write ? !(v->sr[SR_MEM_MODE] & 0x04) : (v->gr[GR_MODE] & 0x10)) { /* odd/even */
        *planes = (off & 1) ? 0xa : 0x5;
        *poff = off & ~1u;
    } else {
        *planes = 0xf;
        *poff = off;
    }
    *poff &= 0xffff;
    return true;
}

static uint8_t read_byte(struct dev_vga *v, uint32_t off)
{
    uint32_t o;
    unsigned planes;
    if (vbe_on(v)) { /* the bank window onto the linear framebuffer */
        if (off >= 0x10000)
            return 0xff;
        return v->vram[((uint32_t)v->vbe[VBE_BANK] * 0x10000u + off) & (VGA_VRAM_SIZE - 1)];
    }
    if (!decode(v, off, &o, &planes, false))
        return 0xff;
    for (unsigned p = 0; p < 4; p++)
        v->latch[p] = v->vram[o * 4 + p];
    if (!(v->gr[GR_MODE] & 0x08)) { /* read mode 0: one plane */
        unsigned p;
        if (v->sr[SR_MEM_MODE] & 0x08)
            p = off & 3;
        else if (v->gr[GR_MODE] & 0x10)
            p = (v->gr[GR_READ_MAP] & 2) | (off & 1);
        else
            p = v->gr[GR_READ_MAP] & 3;
        return v->latch[p];
    }
    /* read mode 1: a bit is set where every plane that matters matches the colour */
    uint8_t r = 0xff;
    for (unsigned p = 0; p < 4; p++) {
        if (!(v->gr[GR_DONT_CARE] & (1u << p)))
            continue;
        uint8_t want = (v->gr[GR_COLOR_CMP] >> p) & 1 ? 0xff : 0;
        r &= (uint8_t)~(v->latch[p] ^ want);
    }
    return r;
}

static uint8_t alu(const struct dev_vga *v, uint8_t d, unsigned p)
{
    switch ((v->gr[GR_ROTATE] >> 3) & 3) {
    case 1: return d & v->latch[p];
    case 2: return d | v->latch[p];
    case 3: return d ^ v->latch[p];
    default: return d;
    }
}

static void write_byte(struct dev_vga *v, uint32_t off, uint8_t val)
{
    uint32_t o;
    unsigned planes;
    if (vbe_on(v)) {
        if (off < 0x10000) {
            uint32_t a = ((uint32_t)v->vbe[VBE_BANK] * 0x10000u + off) & (VGA_VRAM_SIZE - 1);
            v->vram[a] = val;
            vga_mark_page(v, a);
        }
        return;
    }
    if (!decode(v, off, &o, &planes, true))
        return;
    planes &= v->sr[SR_MAP_MASK] & 0xf;
    unsigned mode = v->gr[GR_MODE] & 3, rot = v->gr[GR_ROTATE] & 7;
    uint8_t r = (uint8_t)((val >> rot) | (val << (8 - rot)));
    uint8_t mask = v->gr[GR_BIT_MASK];
    uint8_t out[4];
    if (mode == 3)
        mask &= r;
    for (unsigned p = 0; p < 4; p++) {
        uint8_t sr = (v->gr[GR_SET_RESET] >> p) & 1 ? 0xff : 0, d;
        switch (mode) {
        case 0: d = (v->gr[GR_ENABLE_SR] >> p) & 1 ? sr : r; break;
        case 1: out[p] = v->latch[p]; continue;
        case 2: d = (val >> p) & 1 ? 0xff : 0; break;
        default: d = sr; break;
        }
        d = alu(v, d, p);
        out[p] = (uint8_t)((d & mask) | (v->latch[p] & ~mask));
    }
    for (unsigned p = 0; p < 4; p++)
        if (planes & (1u << p))
            v->vram[o * 4 + p] = out[p];
    if (planes & 4)
        v->full_redraw |= !(v->gr[GR_MISC] & 1); /* the text font may have changed */
    vga_mark_page(v, o * 4);
}

uint64_t vga_mem_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_vga *v = opaque;
    uint64_t r = 0;
    pthread_mutex_lock(&v->lock);
    for (unsigned i = 0; i < size; i++)
        r |= (uint64_t)read_byte(v, (uint32_t)off + i) << (8 * i);
    pthread_mutex_unlock(&v->lock);
    return r;
}

void vga_mem_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_vga *v = opaque;
    pthread_mutex_lock(&v->lock);
    for (unsigned i = 0; i < size; i++)
        write_byte(v, (uint32_t)off + i, (uint8_t)(val >> (8 * i)));
    pthread_mutex_unlock(&v->lock);
}

uint8_t vga_plane_byte(struct dev_vga *v, unsigned plane, uint32_t off)
{
    pthread_mutex_lock(&v->lock);
    uint8_t b = v->vram[(off & 0xffff) * 4 + (plane & 3)];
    pthread_mutex_unlock(&v->lock);
    return b;
}

/* The linear framebuffer (BAR 0) is plain memory whatever the mode. */
static uint64_t lfb_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_vga *v = opaque;
    uint64_t r = 0;
    if (off + size > VGA_VRAM_SIZE)
        return ~0ull >> (64 - 8 * size);
    pthread_mutex_lock(&v->lock);
    memcpy(&r, v->vram + off, size);
    pthread_mutex_unlock(&v->lock);
    return r;
}

static void lfb_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_vga *v = opaque;
    if (off + size > VGA_VRAM_SIZE)
        return;
    pthread_mutex_lock(&v->lock);
    memcpy(v->vram + off, &val, size);
    vga_mark_page(v, (uint32_t)off);
    vga_mark_page(v, (uint32_t)(off + size - 1));
    pthread_mutex_unlock(&v->lock);
}

const struct io_ops vga_lfb_ops = {lfb_read, lfb_write};
