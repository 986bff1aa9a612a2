/* The one access-callback pair every device uses, for port I/O and MMIO. */
#ifndef PCVM_IO_H
#define PCVM_IO_H

#include <stdint.h>

struct io_ops {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
};

#endif
