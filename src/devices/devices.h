/* Devices: the port-I/O bus, IRQ lines, character backends, the device
 * models and the firmware loaders.
 *
 * Invariants:
 * - All device I/O goes through struct io_ops; unassigned ports read as all
 *   ones and ignore writes.
 * - Devices never exit the process and never block a vCPU thread on host
 *   I/O: terminal input arrives through a reader thread into a ring.
 */
#ifndef PCVM_DEVICES_H
#define PCVM_DEVICES_H

#include <pthread.h>
#include <stdatomic.h>
#include <termios.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/io.h"
#include "vm/seqlock.h"

struct vm;

struct pio_range {
    uint32_t base, len;
    const struct io_ops *ops;
    void *opaque;
    const char *name;
};

struct ss_desc;
struct device {
    const char *name;
    void *opaque;
    void (*reset)(void *opaque);
    void (*destroy)(void *opaque);
    const struct ss_desc *ss; /* its saved state (vm/ss.h); NULL: not described yet */
};

#define BUS_MAX_PIO 64
#define BUS_MAX_DEVS 32

/* The port table changes while vCPUs run (a PCI I/O BAR moves): writers
 * take pio_seq, readers copy the range they use under it. */
struct bus {
    struct pio_range pio[BUS_MAX_PIO];
    unsigned npio;
    seqlock_t pio_seq;
    struct device devs[BUS_MAX_DEVS];
    unsigned ndevs;
};

int bus_pio_register(struct bus *b, uint32_t base, uint32_t len, const struct io_ops *ops, void *opaque,
                     const char *name);
/* Removes the range registered at exactly [base, base+len); -ENOENT if none. */
int bus_pio_unregister(struct bus *b, uint32_t base, uint32_t len);
uint64_t bus_pio_read(struct bus *b, uint16_t port, unsigned size);
void bus_pio_write(struct bus *b, uint16_t port, uint64_t val, unsigned size);
int bus_add_device(struct bus *b, const char *name, void *opaque, void (*reset)(void *),
                   void (*destroy)(void *));
/* Gives the device added with opaque its saved-state description; -ENOENT if none. */
int bus_describe(struct bus *b, void *opaque, const struct ss_desc *ss);
/* The opaque of the first device added under name, or NULL. */
void *bus_find_device(const struct bus *b, const char *name);
void bus_reset(struct bus *b);
void bus_destroy(struct bus *b);

/* An interrupt line: a device sets its level; the controller decides. */
struct irq_line {
    void (*set)(void *opaque, unsigned n, int level);
    void *opaque;
    unsigned n;
};
static inline void irq_set(const struct irq_line *l, int level)
{
    if (l->set)
        l->set(l->opaque, l->n, level);
}

/* Character backends: "stdio", "file:PATH", "null"/"none". */
#define CHR_RING 4096
struct outfile;
struct chardev {
    int out_fd, in_fd;
    struct outfile *log; /* file: output, which keeps its first write error */
    bool reader_running, stop;
    pthread_t reader;
    pthread_mutex_t lock;
    uint8_t ring[CHR_RING];
    unsigned head, tail;
    void (*notify)(void *opaque); /* called (from the reader thread) when input arrives */
    void *notify_opaque;
    /* A terminal on stdin: raw mode while the VM runs, and QEMU's Ctrl-A
     * escapes (x quits, h helps, Ctrl-A sends Ctrl-A). */
    bool is_tty, raw, escape;
    struct termios saved;
    void (*quit)(void *opaque);
    void *quit_opaque;
    /* A monitor sharing the terminal (QEMU's mux): Ctrl-A c switches the
     * input between the console and mux_input; mux_escapes makes the
     * escapes work on any input, not just a terminal (-monitor stdio). */
    void (*mux_input)(void *opaque, uint8_t byte, bool entered);
    void *mux_opaque;
    bool mux_escapes;
    _Atomic bool to_mux;
    pthread_mutex_t mux_lock; /* held around mux_input calls: set_mux waits for them */
};
int chardev_open(const char *spec, struct chardev **out);
void chardev_close(struct chardev *c);
void chardev_write(struct chardev *c, const void *buf, size_t len);
int chardev_getc(struct chardev *c); /* -1 when the ring is empty */
bool chardev_can_read(struct chardev *c);
/* Where Ctrl-A x goes (stdio on a terminal). */
void chardev_set_quit(struct chardev *c, void (*quit)(void *), void *opaque);
/* Attaches a monitor to the terminal (see struct chardev); its input
 * goes to input(opaque, byte, false), and input(opaque, 0, true) when
 * Ctrl-A c switches to it. monitor_first: the monitor has the input now. */
void chardev_set_mux(struct chardev *c, void (*input)(void *, uint8_t, bool), void *opaque, bool escapes,
                     bool monitor_first);
/* Starts the input reader (stdio only). */
int chardev_start_input(struct chardev *c, void (*notify)(void *), void *opaque);

/* The PC machine: interrupt controllers, timers, CMOS, keyboard controller,
 * PCI and the other devices every PC has, wired together (pc.c). */
int pc_machine_create(struct vm *vm, char *err, size_t errlen);

/* Device models. */
int dev_uart_create(struct vm *vm, uint16_t base, struct irq_line irq, struct chardev *chr);
int dev_debugexit_create(struct vm *vm, uint16_t base, uint16_t size);
int dev_debugcon_create(struct vm *vm, uint16_t base, struct chardev *chr);
/* Creates a device from a QEMU -device string ("isa-debug-exit,iobase=..."). */
int dev_create_from_option(struct vm *vm, const char *opt, char *err, size_t errlen);
/* -device help: one line per device -device takes, as QEMU prints them. */
void dev_print_list(FILE *f);

/* PC platform devices (pc.c wires them; each registers its ports, its
 * reset and destroy callbacks on vm->bus). */
struct dev_pic;
struct dev_pit;
struct dev_rtc;
struct dev_i8042;
struct dev_pci;
/* The ISA interrupt line n (0-15) of the machine's PIC pair. */
struct irq_line pc_isa_irq(struct vm *vm, unsigned n);
/* The machine's keyboard controller (for the GUI's input), or NULL. */
struct dev_i8042 *pc_i8042(struct vm *vm);

int dev_pic_create(struct vm *vm, struct dev_pic **out);
void dev_pic_set_irq(void *pic, unsigned n, int level); /* an irq_line's set */
int dev_pic_intr_ack(void *pic);                        /* vm->intr_ack */
int dev_pit_create(struct vm *vm, struct irq_line irq0, struct dev_pit **out);
int dev_rtc_create(struct vm *vm, struct irq_line irq8, struct dev_rtc **out);
/* Port 0x92 and the reset control register 0xCF9 (reached through pci.c). */
int dev_port92_create(struct vm *vm, void **rcr_opaque);
uint8_t dev_rcr_read(void *rcr_opaque);
void dev_rcr_write(void *rcr_opaque, uint8_t v);
void dev_rtc_set_time(struct dev_rtc *r, int64_t epoch);
/* CMOS byte idx (NVRAM, 0x0e-0x7f) as firmware or the chipset sets it. */
void dev_rtc_cmos_write(struct dev_rtc *r, unsigned idx, uint8_t val);
/* Deterministic mode (--icount): the clock advances 2^shift ns per retired
 * instruction and the RTC starts at a fixed date. Call before vm_run. */
void pc_set_deterministic(struct vm *vm, unsigned shift);
int dev_i8042_create(struct vm *vm, struct irq_line kbd, struct irq_line aux, struct dev_i8042 **out);
/* Input from the GUI: set 2 scancode bytes of one key event (make or
 * F0-prefixed break), and relative mouse motion (dy positive = up) with
 * the button bits (1 left, 2 right, 4 middle). Thread safe. */
void i8042_key_event(struct dev_i8042 *d, const uint8_t *bytes, size_t n);
void i8042_mouse_event(struct dev_i8042 *d, int dx, int dy, unsigned buttons);
int dev_testdev_create(struct vm *vm);
/* QEMU's pci-testdev (1b36:0005) at slot devfn >> 3, or the first free
 * slot when devfn < 0 (pci_testdev.c). 0, or -1 with err. */
int dev_pci_testdev_create(struct vm *vm, int devfn, char *err, size_t errlen);
int dev_pmtimer_create(struct vm *vm, uint16_t port);

/* Direct Linux boot (linux.c): the x86 boot protocol for bzImages.
 * loader_linux_probe is 1 when path starts like a bzImage, 0 when not, -1
 * with err when it cannot be read. loader_linux loads it with the command
 * line and the initrd list (comma-separated, concatenated) and sets the
 * 32-bit (or, with entry64, the 64-bit) entry state. loader_kernel boots
 * whatever -kernel names: a bzImage or a Multiboot kernel. */
int loader_linux_probe(const char *path, char *err, size_t errlen);
int loader_linux(struct vm *vm, const char *path, const char *cmdline, const char *initrd, bool entry64,
                 char *err, size_t errlen);
int loader_kernel(struct vm *vm, const char *path, const char *cmdline, const char *initrd, char *err,
                  size_t errlen);

/* Loaders. Each returns 0, or -1 with a one-line reason in err. */
int loader_bios(struct vm *vm, const char *path, char *err, size_t errlen);
int loader_multiboot(struct vm *vm, const char *path, const char *cmdline, const char *modules,
                     char *err, size_t errlen);
int loader_raw(struct vm *vm, const char *path, uint64_t addr, char *err, size_t errlen);
/* Applies every -device loader,file=F,addr=A (at each boot). */
int loader_options(struct vm *vm, char *err, size_t errlen);
/* The built-in BIOS (bios/bios.c), used without -bios: bios_map maps its
 * ROM (vm_create); bios_prepare, at every boot before the loaders, gives
 * it the E820 map and nothing to start until a loader calls loader_enter. */
int bios_map(struct vm *vm, char *err, size_t errlen);
void bios_prepare(struct vm *vm);
/* Starts a loaded kernel (loader.c): through the built-in BIOS's handoff,
 * or, under -bios firmware, by setting vCPU 0's state directly. */
struct boot_entry;
void loader_enter(struct vm *vm, const struct boot_entry *e);
/* Whether path is a regular file a loader can read: 0, or -1 with err
 * naming what it is instead (missing, a directory, a device). */
int loader_check_file(const char *path, char *err, size_t errlen);
/* Reads a whole file (for loaders): malloc'd buffer or NULL with err set. */
void *loader_read_file(const char *path, size_t *len, size_t max, char *err, size_t errlen);

#endif
