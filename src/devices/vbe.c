/* The Bochs VBE extension ("dispi"): index at 0x1CE, data at 0x1CF, as
 * Bochs' and QEMU's VGA BIOSes drive it. The ID register reads back the
 * interface version written (0xB0C0-0xB0C5); with GETCAPS set in ENABLE,
 * XRES/YRES/BPP read the maxima. A mode takes effect when ENABLE is set
 * with a valid geometry; memory is cleared unless NOCLEARMEM. The caller
 * holds the device lock. */
#include <string.h>

#include "devices/vga_priv.h"

static unsigned bytes_pp(unsigned bpp)
{
    return (bpp + 7) / 8;
}

static bool valid_bpp(unsigned bpp)
{
    return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

/* Virtual height from the memory left for the virtual width; a virtual
 * width whose lines do not fit YRES times in video memory falls back to
 * XRES, as QEMU's vbe_fixup_regs does (enable() clears width * YRES). */
static void fix_virt(struct dev_vga *v)
{
    unsigned bpp = bytes_pp(v->vbe[VBE_BPP]);
    if (v->vbe[VBE_VIRT_WIDTH] < v->vbe[VBE_XRES])
        v->vbe[VBE_VIRT_WIDTH] = v->vbe[VBE_XRES];
    uint32_t stride = (uint32_t)v->vbe[VBE_VIRT_WIDTH] * bpp;
    if ((uint64_t)stride * v->vbe[VBE_YRES] > VGA_VRAM_SIZE) {
        v->vbe[VBE_VIRT_WIDTH] = v->vbe[VBE_XRES];
        stride = (uint32_t)v->vbe[VBE_XRES] * bpp;
    }
    uint32_t h = stride ? VGA_VRAM_SIZE / stride : 0;
    v->vbe[VBE_VIRT_HEIGHT] = (uint16_t)(h > 0xffff ? 0xffff : h);
}

uint16_t vbe_read(struct dev_vga *v)
{
    unsigned i = v->vbe_index;
    if (i >= VBE_NREGS)
        return 0;
    if (v->vbe[VBE_ENABLE] & VBE_GETCAPS) {
        if (i == VBE_XRES)
            return VGA_MAX_XRES;
        if (i == VBE_YRES)
            return VGA_MAX_YRES;
        if (i == VBE_BPP)
            return 32;
    }
    if (i == VBE_VIDEO_MEMORY_64K)
        return VGA_VRAM_SIZE >> 16;
    return v->vbe[i];
}

static void enable(struct dev_vga *v, uint16_t val)
{
    unsigned x = v->vbe[VBE_XRES], y = v->vbe[VBE_YRES], bpp = v->vbe[VBE_BPP];
    if (!(val & VBE_ENABLED)) {
        v->vbe[VBE_ENABLE] = val;
        return;
    }
    if (!valid_bpp(bpp) || !x || !y || x > VGA_MAX_XRES || y > VGA_MAX_YRES || (x & 7) ||
        (uint64_t)x * y * bytes_pp(bpp) > VGA_VRAM_SIZE)
        return; /* an impossible mode is not entered */
    if (!(v->vbe[VBE_ENABLE] & VBE_ENABLED)) {
        v->vbe[VBE_VIRT_WIDTH] = (uint16_t)x;
        v->vbe[VBE_X_OFFSET] = v->vbe[VBE_Y_OFFSET] = 0;
        v->vbe[VBE_BANK] = 0;
    }
    fix_virt(v);
    if (!(val & VBE_NOCLEARMEM))
        memset(v->vram, 0, (size_t)v->vbe[VBE_VIRT_WIDTH] * bytes_pp(bpp) * y);
    v->vbe[VBE_ENABLE] = val;
    /* the legacy side as the VGA BIOS expects it: graphics, 64 KiB at 0xA0000 */
    v->gr[6] = (uint8_t)((v->gr[6] & ~0x0c) | 0x05);
}

void vbe_write(struct dev_vga *v, uint16_t val)
{
    unsigned i = v->vbe_index;
    v->full_redraw = true;
    switch (i) {
    case VBE_ID:
        if (val >= 0xb0c0 && val <= VBE_ID5)
            v->vbe[VBE_ID] = val;
        break;
    case VBE_XRES: case VBE_YRES:
        if (!vbe_on(v))
            v->vbe[i] = val;
        break;
    case VBE_BPP:
        if (!vbe_on(v))
            v->vbe[i] = val ? val : 8; /* Bochs: 0 means 8 */
        break;
    case VBE_ENABLE:
        enable(v, val);
        break;
    case VBE_BANK:
        if ((uint32_t)val * 0x10000u < VGA_VRAM_SIZE)
            v->vbe[i] = val;
        break;
    case VBE_VIRT_WIDTH:
        v->vbe[i] = val;
        fix_virt(v);
        break;
    case VBE_X_OFFSET: case VBE_Y_OFFSET:
        v->vbe[i] = val;
        break;
    default:
        break;
    }
}

void vbe_reset(struct dev_vga *v)
{
    memset(v->vbe, 0, sizeof(v->vbe));
    v->vbe[VBE_ID] = VBE_ID5;
    v->vbe[VBE_BPP] = 8;
    v->vbe_index = 0;
}
