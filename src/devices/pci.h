/* The PCI device framework (pci.c): what a PCI device model fills in. */
#ifndef PCVM_PCI_H
#define PCVM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/io.h"
#include "vm/ss.h"

struct dev_pci;
struct vm;

struct pci_bar {
    uint32_t size;       /* a power of two; 0: no BAR */
    bool io;
    const struct io_ops *ops;
    void *opaque;
    uint64_t mapped;     /* base it is mapped at, ~0 when not mapped */
};

struct pci_device {
    uint8_t cfg[256];
    uint8_t wmask[256];  /* bits the guest may write */
    uint8_t reset_cfg[256];
    struct pci_bar bar[6];
    /* The expansion ROM (config 0x30), mapped read only while enabled. */
    const uint8_t *rom;
    uint32_t rom_size; /* a power of two, at least 2 KiB; 0: none */
    uint64_t rom_mapped;
    /* Called, lock held, after the guest wrote config bytes [off, off+size). */
    void (*config_written)(struct pci_device *d, unsigned off, unsigned size);
    void *priv;
    struct dev_pci *bus;
    uint8_t devfn;
    int intx_level;
    const char *name;
};

/* Fills in IDs, class code (class << 8 | revision) and header type, and
 * the writable masks every function has. */
void pci_set_ids(struct pci_device *d, uint16_t vendor, uint16_t device, uint32_t class_rev, uint8_t header);
/* Declares BAR n; the guest sizes it by writing all ones and maps it by
 * programming an address and enabling I/O or memory decoding. */
int pci_register_bar(struct pci_device *d, unsigned n, uint32_t size, bool io, const struct io_ops *ops,
                     void *opaque);
/* Declares the expansion ROM: rom stays owned by the caller. */
void pci_set_rom(struct pci_device *d, const uint8_t *rom, uint32_t size);
/* Adds d at devfn (slot << 3 | function) on bus 0; the config space as it
 * is now becomes its reset state, and BARs it enables are mapped. */
int pci_add_device(struct dev_pci *p, struct pci_device *d, unsigned devfn, const char *name);
/* The devfn of the first empty slot from slot first on, or -ENOSPC. */
int pci_free_slot(struct dev_pci *p, unsigned first);
/* Drives the INTx pin named by config byte 0x3D (1-4 = INTA-INTD). */
void pci_set_intx(struct pci_device *d, int level);

/* A function's saved state (cfg, INTx level) for the models' field tables. */
extern const struct ss_field pci_device_ss_fields[];

/* The i440FX PAM (pam.c): shadow RAM at 0xC0000-0xFFFFF under the host
 * bridge's config 0x59-0x5F; only with -bios. */
int i440fx_pam_create(struct vm *vm, struct pci_device *host);

struct dev_pci *pc_pci(struct vm *vm);
int dev_pci_create(struct vm *vm, void *rcr_opaque);

#endif
