/* The PIIX3 IDE controller's insides, shared by ide.c (task file, PIO,
 * interrupts, reset, PCI wiring), ide_dma.c (the bus master), ide_ata.c
 * (the ATA command set) and atapi.c (the ATAPI packet commands). Not for
 * other files.
 *
 * Invariants:
 * - One lock (struct dev_ide.lock) guards everything below; the register
 *   handlers take it, the command code runs under it.
 * - Commands complete synchronously: a command leaves the device either
 *   idle, waiting for PIO data (DRQ), or waiting for the bus master to be
 *   started (dma_pending); never busy.
 */
#ifndef PCVM_IDE_PRIV_H
#define PCVM_IDE_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/block.h"
#include "devices/devices.h"
#include "devices/pci.h"

#define IDE_SECTOR 512u
#define CD_SECTOR 2048u
#define IDE_BUF_SIZE (64u * 1024)
#define IDE_MAX_MULT 16u

/* Status register */
#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DSC 0x10
#define ST_DF 0x20
#define ST_DRDY 0x40
#define ST_BSY 0x80
/* Error register */
#define ER_AMNF 0x01
#define ER_ABRT 0x04
#define ER_IDNF 0x10
#define ER_UNC 0x40
/* Device control register */
#define DC_NIEN 0x02
#define DC_SRST 0x04
#define DC_HOB 0x80
/* Device register */
#define DEV_LBA 0x40
#define DEV_DEV 0x10
/* ATAPI interrupt reason (sector count register) */
#define IR_COD 0x01
#define IR_IO 0x02
/* Bus-master registers (SFF-8038i) */
#define BM_CMD_START 0x01
#define BM_CMD_TO_MEM 0x08
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR 0x02
#define BM_ST_INTR 0x04

enum ide_kind { IDE_NONE, IDE_ATA, IDE_ATAPI };

struct ide_dev;
struct ide_channel;
typedef void (*ide_fn)(struct ide_dev *d);
/* A DMA transfer body: moves the data with ide_dma_copy; 0 or an error
 * already reported in the task file (the caller then stops the engine). */
typedef int (*ide_dma_fn)(struct ide_dev *d);

struct ide_dev {
    struct ide_channel *ch;
    unsigned unit;  /* 0 master, 1 slave */
    enum ide_kind kind;
    struct block *blk;
    uint64_t nsectors; /* 512-byte sectors (disk) or 2048-byte (CD) */
    char serial[21], model[41];

    /* task file: current and previous ("HOB") contents */
    uint8_t feature, nsector, sector, lcyl, hcyl;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t select, status, error;
    bool irq_pending;

    /* disk geometry: default and as set by INITIALIZE DEVICE PARAMETERS */
    unsigned cyls, heads, spt;
    unsigned cur_cyls, cur_heads, cur_spt;
    unsigned mult;     /* sectors per DRQ block of READ/WRITE MULTIPLE; 0 off */
    uint8_t xfer_mode; /* SET FEATURES 03h value */
    bool standby;

    /* the command in progress */
    bool lba48, is_write;
    uint64_t lba;
    uint32_t left;     /* sectors still to transfer */
    unsigned block;    /* sectors in the current DRQ block */
    uint8_t *buf;
    uint32_t pos, end; /* the PIO window in buf */
    bool pio_out;      /* the host writes the window (else reads it) */
    ide_fn end_xfer;   /* when the window has been drained/filled */
    bool dma_pending;
    bool dma_to_mem;
    ide_dma_fn dma_fn;

    /* ATAPI */
    uint8_t packet[12];
    uint8_t sense_key, asc, ascq;
    bool unit_attention, tray_open, locked;
    uint8_t media_event; /* GET EVENT STATUS: 0 none, 2 new media, 3 removal */
    uint32_t byte_limit;
    uint64_t cd_lba;
    uint32_t cd_left;    /* sectors still to load into buf */
    uint64_t xfer_left;  /* bytes still to hand to the host */
    uint32_t buf_len;    /* valid bytes in buf */
    uint32_t buf_off;    /* next byte of buf to hand over */
    bool packet_dma;     /* the PACKET command asked for DMA (feature bit 0) */
};

struct ide_channel {
    struct dev_ide *ide;
    struct ide_dev dev[2];
    unsigned cur;
    uint8_t devctl;
    struct irq_line irq;
    int irq_level;
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    /* PRD walk of the transfer in progress */
    uint32_t prd_next, prd_addr, prd_left;
    bool prd_eot;
};

struct dev_ide {
    pthread_mutex_t lock;
    struct vm *vm;
    struct pci_device pci;
    struct ide_channel ch[2];
};

/* ide.c */
struct ide_dev *ide_selected(struct ide_channel *c);
void ide_raise_irq(struct ide_dev *d);
void ide_set_signature(struct ide_dev *d);
void ide_cmd_done(struct ide_dev *d);                /* DRDY, no error, INTRQ */
void ide_cmd_error(struct ide_dev *d, uint8_t err);  /* DRDY|ERR, INTRQ */
/* Opens a PIO window buf[pos, pos+len) for the host to read (out: write). */
void ide_pio_start(struct ide_dev *d, uint32_t pos, uint32_t len, bool out, ide_fn end_xfer);

/* ide_dma.c */
extern const struct io_ops ide_bm_ops; /* BAR4; opaque: struct dev_ide */
void ide_dma_start(struct ide_dev *d, bool to_mem, ide_dma_fn fn);
/* Moves len bytes between buf and the PRD regions; returns bytes moved
 * (fewer when the PRD table ends first). */
uint32_t ide_dma_copy(struct ide_dev *d, uint8_t *buf, uint32_t len);

/* ide_ata.c */
void ide_put_string(uint16_t *words, const char *s, unsigned nwords);
void ide_identify_checksum(uint16_t *w);
void ata_exec(struct ide_dev *d, uint8_t cmd);
void ata_init_geometry(struct ide_dev *d);

/* atapi.c */
void atapi_packet(struct ide_dev *d);     /* PACKET (A0h) */
void atapi_identify(struct ide_dev *d);   /* IDENTIFY PACKET DEVICE (A1h) */
void atapi_reset(struct ide_dev *d);      /* power-on state of the ATAPI part */

#endif
