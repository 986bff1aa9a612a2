/* Private to vga*.c and vbe.c: the device state. */
#ifndef PCVM_VGA_PRIV_H
#define PCVM_VGA_PRIV_H

#include <pthread.h>

#include "devices/pci.h"
#include "devices/vga.h"

/* Bochs VBE "dispi" registers. */
enum {
    VBE_ID, VBE_XRES, VBE_YRES, VBE_BPP, VBE_ENABLE, VBE_BANK, VBE_VIRT_WIDTH, VBE_VIRT_HEIGHT,
    VBE_X_OFFSET, VBE_Y_OFFSET, VBE_VIDEO_MEMORY_64K, VBE_NREGS
};
#define VBE_ENABLED     0x01
#define VBE_GETCAPS     0x02
#define VBE_8BIT_DAC    0x20
#define VBE_LFB_ENABLED 0x40
#define VBE_NOCLEARMEM  0x80
#define VBE_ID5 0xb0c5

#define VGA_PAGES (VGA_VRAM_SIZE >> 12)

struct dev_vga {
    pthread_mutex_t lock;
    struct vm *vm;
    struct pci_device pci;
    uint8_t *vram; /* planar modes: plane p, offset o at vram[o * 4 + p] */
    uint8_t *rom;
    /* registers */
    uint8_t misc, feature;
    uint8_t sr_index, sr[8];
    uint8_t gr_index, gr[16];
    uint8_t cr_index, cr[32];
    uint8_t ar_index, ar[32];
    bool ar_flip;           /* false: the next 0x3C0 write is an index */
    uint8_t dac_rindex, dac_windex, dac_sub, dac_state, pel_mask;
    uint8_t dac[256][3];
    uint8_t latch[4];
    uint16_t vbe_index, vbe[VBE_NREGS];
    /* display change tracking */
    uint8_t dirty[VGA_PAGES / 8];
    bool full_redraw;       /* registers, palette or font changed */
    unsigned last_w, last_h;
    unsigned blink_phase;
};

static inline void vga_mark_page(struct dev_vga *v, uint32_t vram_off)
{
    uint32_t p = (vram_off & (VGA_VRAM_SIZE - 1)) >> 12;
    v->dirty[p >> 3] |= (uint8_t)(1u << (p & 7));
}

/* vbe.c; the caller holds the lock. */
uint16_t vbe_read(struct dev_vga *v);
void vbe_write(struct dev_vga *v, uint16_t val);
void vbe_reset(struct dev_vga *v);
static inline bool vbe_on(const struct dev_vga *v) { return v->vbe[VBE_ENABLE] & VBE_ENABLED; }
/* vga_mem.c: the legacy window and the linear framebuffer BAR. */
extern const struct io_ops vga_lfb_ops;

#endif
