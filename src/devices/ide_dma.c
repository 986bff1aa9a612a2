/* The SFF-8038i bus master of the PIIX3 IDE function (BAR4): per channel
 * a command register (start, direction), a status register (active,
 * error, interrupt; drive DMA-capable bits) and the PRD table address.
 *
 * A PRD entry is a dword buffer address and a word byte count (0 = 64 KiB)
 * with bit 31 of the second dword marking the last entry. A transfer runs
 * when both the device has asked for DMA and the host has set start, in
 * either order, and only while PCI bus mastering is enabled. */
#include <errno.h>

#include "devices/ide_priv.h"
#include "vm/vm.h"

/* ---- DMA ------------------------------------------------------------------ */

static bool bus_master_enabled(const struct ide_channel *c)
{
    return c->ide->pci.cfg[0x04] & 0x04;
}

uint32_t ide_dma_copy(struct ide_dev *d, uint8_t *buf, uint32_t len)
{
    struct ide_channel *c = d->ch;
    struct pgm *pgm = &c->ide->vm->pgm;
    uint32_t done = 0;

    while (done < len) {
        if (!c->prd_left) {
            uint8_t e[8];
            if (c->prd_eot)
                break;
            pgm_read(pgm, c->prd_next, e, sizeof(e));
            c->prd_addr = (uint32_t)(e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24) & ~1u;
            c->prd_left = (uint32_t)(e[4] | e[5] << 8) & 0xfffe;
            if (!c->prd_left)
                c->prd_left = 0x10000; /* a count of 0 means 64 KiB */
            c->prd_eot = e[7] & 0x80;
            c->prd_next += 8;
        }
        uint32_t n = len - done < c->prd_left ? len - done : c->prd_left;
        if (d->dma_to_mem)
            pgm_write(pgm, c->prd_addr, buf + done, n);
        else
            pgm_read(pgm, c->prd_addr, buf + done, n);
        c->prd_addr += n;
        c->prd_left -= n;
        done += n;
    }
    return done;
}

static void dma_run(struct ide_channel *c, struct ide_dev *d)
{
    if (!bus_master_enabled(c))
        return; /* no bus grant: the transfer waits, as on hardware */
    d->dma_pending = false;
    c->prd_next = c->bm_prd;
    c->prd_left = 0;
    c->prd_eot = false;
    c->bm_status |= BM_ST_ACTIVE;
    int rc = d->dma_fn(d);
    /* Active stays set when the PRDs describe more than the device moved
     * (SFF-8038i: interrupt with active = PRD table not exhausted). */
    if (rc < 0 || (c->prd_eot && !c->prd_left))
        c->bm_status &= (uint8_t)~BM_ST_ACTIVE;
    if (rc == -ENOSPC)
        c->bm_status |= BM_ST_ERROR;
}

void ide_dma_start(struct ide_dev *d, bool to_mem, ide_dma_fn fn)
{
    struct ide_channel *c = d->ch;
    d->dma_pending = true;
    d->dma_to_mem = to_mem;
    d->dma_fn = fn;
    d->end_xfer = NULL;
    d->pos = d->end = 0;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    if (c->bm_cmd & BM_CMD_START)
        dma_run(c, d);
}

/* ---- bus-master registers (BAR4): per channel command, status, PRD ---- */

static uint8_t bm_get(struct ide_channel *c, unsigned reg)
{
    switch (reg) {
    case 0: return c->bm_cmd;
    case 2: return c->bm_status;
    case 4: case 5: case 6: case 7: return (uint8_t)(c->bm_prd >> (8 * (reg - 4)));
    default: return 0;
    }
}

static void bm_set(struct ide_channel *c, unsigned reg, uint8_t v)
{
    if (reg == 0) {
        uint8_t old = c->bm_cmd;
        c->bm_cmd = v & (BM_CMD_START | BM_CMD_TO_MEM);
        if (!(v & BM_CMD_START)) {
            c->bm_status &= (uint8_t)~BM_ST_ACTIVE;
        } else if (!(old & BM_CMD_START)) {
            struct ide_dev *d = ide_selected(c);
            if (d->dma_pending)
                dma_run(c, d);
        }
    } else if (reg == 2) {
        /* bits 5-6 (drive DMA capable) are plain storage; 1-2 clear on one */
        c->bm_status = (uint8_t)((c->bm_status & ~(0x60 | (v & (BM_ST_ERROR | BM_ST_INTR)))) | (v & 0x60));
    } else if (reg >= 4) {
        unsigned sh = 8 * (reg - 4);
        c->bm_prd = (c->bm_prd & ~(0xffu << sh)) | ((uint32_t)v << sh);
        c->bm_prd &= ~3u;
    }
}

static uint64_t bm_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_ide *ide = opaque;
    uint64_t v = 0;
    pthread_mutex_lock(&ide->lock);
    for (unsigned i = 0; i < size && off + i < 16; i++)
        v |= (uint64_t)bm_get(&ide->ch[(off + i) >> 3], (unsigned)(off + i) & 7) << (8 * i);
    pthread_mutex_unlock(&ide->lock);
    return v;
}

static void bm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_ide *ide = opaque;
    pthread_mutex_lock(&ide->lock);
    for (unsigned i = 0; i < size && off + i < 16; i++)
        bm_set(&ide->ch[(off + i) >> 3], (unsigned)(off + i) & 7, (uint8_t)(val >> (8 * i)));
    pthread_mutex_unlock(&ide->lock);
}

const struct io_ops ide_bm_ops = {bm_read, bm_write};
