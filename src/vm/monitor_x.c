/* The monitor's x and xp: QEMU's /COUNT FORMAT SIZE memory dumps of
 * virtual (through vCPU 0's page tables, without side effects) or
 * physical addresses; i disassembles with Capstone. */
#include <capstone/capstone.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/dbg.h"
#include "vm/monitor.h"

#define DUMP_MAX (64u << 10) /* bytes one command may show */

int monitor_parse_fmt(const char *s, size_t n, struct mon_fmt *f)
{
    size_t i = 0;
    if (i < n && isdigit((unsigned char)s[i])) {
        unsigned long c = 0;
        while (i < n && isdigit((unsigned char)s[i]) && c <= DUMP_MAX)
            c = c * 10 + (unsigned long)(s[i++] - '0');
        if (!c || c > DUMP_MAX)
            return -1;
        f->count = (unsigned)c;
    }
    for (; i < n; i++) {
        char c = s[i];
        if (strchr("xduoci", c) && c)
            f->format = c;
        else if (c == 'b' || c == 'h' || c == 'w' || c == 'g')
            f->size = c == 'b' ? 1 : c == 'h' ? 2 : c == 'w' ? 4 : 8;
        else
            return -1;
    }
    if (f->format == 'c')
        f->size = 1;
    return 0;
}

static size_t read_mem(struct vm *vm, uint64_t addr, bool phys, void *buf, size_t len)
{
    return phys ? dbg_read_phys(vm, addr, buf, len) : dbg_read_virt(&vm->cpus[0], addr, buf, len);
}

static int dump_insns(struct vm *vm, const struct mon_fmt *f, uint64_t addr, bool phys, int fd)
{
    unsigned mode = cpu_code_size(&vm->cpus[0].cpu);
    uint8_t buf[16 * 64];
    size_t got = read_mem(vm, addr, phys, buf, f->count * 15 < sizeof(buf) ? f->count * 15 : sizeof(buf));
    csh h;
    cs_insn *ci;
    if (!got) {
        dprintf(fd, "Error: cannot read memory at 0x%llx\n", (unsigned long long)addr);
        return -1;
    }
    if (cs_open(CS_ARCH_X86, mode == 8 ? CS_MODE_64 : mode == 4 ? CS_MODE_32 : CS_MODE_16, &h) != CS_ERR_OK) {
        dprintf(fd, "Error: Capstone cannot disassemble here\n");
        return -1;
    }
    size_t n = cs_disasm(h, buf, got, addr, f->count, &ci);
    for (size_t i = 0; i < n; i++)
        dprintf(fd, "0x%016llx:  %s %s\n", (unsigned long long)ci[i].address, ci[i].mnemonic, ci[i].op_str);
    if (n < f->count)
        dprintf(fd, "0x%016llx:  (bad)\n", (unsigned long long)(addr + (n ? ci[n - 1].address + ci[n - 1].size - addr : 0)));
    if (n)
        cs_free(ci, n);
    cs_close(&h);
    return 0;
}

static void print_unit(char *out, size_t len, const uint8_t *p, const struct mon_fmt *f)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < f->size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    int64_t sv = f->size == 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * f->size)) >> (64 - 8 * f->size);
    switch (f->format) {
    case 'd': snprintf(out, len, " %lld", (long long)sv); break;
    case 'u': snprintf(out, len, " %llu", (unsigned long long)v); break;
    case 'o': snprintf(out, len, " %#llo", (unsigned long long)v); break;
    case 'c': snprintf(out, len, isprint(p[0]) ? " '%c'" : " '\\x%02x'", p[0]); break;
    default: snprintf(out, len, " 0x%0*llx", (int)f->size * 2, (unsigned long long)v); break;
    }
}

int monitor_dump(struct vm *vm, const struct mon_fmt *f, uint64_t addr, bool phys, int fd)
{
    if (f->format == 'i')
        return dump_insns(vm, f, addr, phys, fd);
    size_t total = (size_t)f->count * f->size;
    if (total > DUMP_MAX) {
        dprintf(fd, "Error: at most %u bytes at a time\n", DUMP_MAX);
        return -1;
    }
    uint8_t *buf = malloc(total);
    if (!buf) {
        dprintf(fd, "Error: out of memory\n");
        return -1;
    }
    size_t got = read_mem(vm, addr, phys, buf, total);
    unsigned per_line = f->format == 'c' ? 16 : 16 / f->size;
    char unit[40];
    for (size_t i = 0; i * f->size < got && (i + 1) * f->size <= got; i++) {
        if (i % per_line == 0)
            dprintf(fd, "%s%016llx:", i ? "\n" : "", (unsigned long long)(addr + i * f->size));
        print_unit(unit, sizeof(unit), buf + i * f->size, f);
        dprintf(fd, "%s", unit);
    }
    if (got >= f->size)
        dprintf(fd, "\n");
    free(buf);
    if (got < total) {
        dprintf(fd, "Error: cannot read memory at 0x%llx%s\n", (unsigned long long)(addr + got),
                phys ? " (not RAM or ROM)" : " (not mapped, or not RAM or ROM)");
        return -1;
    }
    return 0;
}
