/* Firmware and raw-image loading. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devices/bios/bios.h"
#include "devices/devices.h"
#include "vm/vm.h"

/* A loader reads regular files only: fopen() opens a directory, whose
 * reads then fail, so it is named here instead of as a bad image. */
static int check_kind(const char *path, int st_rc, const struct stat *st, char *err, size_t errlen)
{
    if (st_rc < 0)
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
    else if (S_ISDIR(st->st_mode))
        snprintf(err, errlen, "'%s' is a directory, not a file", path);
    else if (!S_ISREG(st->st_mode))
        snprintf(err, errlen, "'%s' is not a regular file", path);
    else
        return 0;
    return -1;
}

int loader_check_file(const char *path, char *err, size_t errlen)
{
    struct stat st;
    return check_kind(path, stat(path, &st), &st, err, errlen);
}

void *loader_read_file(const char *path, size_t *len, size_t max, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    void *buf = NULL;

    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (check_kind(path, fstat(fileno(f), &st), &st, err, errlen) < 0)
        goto out;
    if ((uint64_t)st.st_size > max) {
        snprintf(err, errlen, "'%s' is too large (%lld bytes)", path, (long long)st.st_size);
        goto out;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        snprintf(err, errlen, "out of memory reading '%s'", path);
        goto out;
    }
    if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        snprintf(err, errlen, "cannot read '%s'", path);
        free(buf);
        buf = NULL;
        goto out;
    }
    *len = (size_t)st.st_size;
out:
    fclose(f);
    return buf;
}

/* As on a PC: the image ends at 4 GiB, and its last 128 KiB also appear
 * just below 1 MiB, where the CPU's first far jump lands. */
int loader_bios(struct vm *vm, const char *path, char *err, size_t errlen)
{
    size_t len, low;
    uint8_t *img = loader_read_file(path, &len, 16u << 20, err, errlen);
    int rc = -1;

    if (!img)
        return -1;
    if (len == 0 || len % 65536) {
        snprintf(err, errlen, "BIOS image '%s' must be a non-empty multiple of 64 KiB (is %zu bytes)", path, len);
        goto out;
    }
    low = len < 0x20000 ? len : 0x20000;
    if (pgm_map_rom(&vm->pgm, 0x100000000ull - len, len, img, "bios") < 0 ||
        pgm_map_rom(&vm->pgm, 0x100000 - low, low, img + len - low, "bios-low") < 0) {
        snprintf(err, errlen, "cannot map BIOS image '%s'", path);
        goto out;
    }
    rc = 0;
out:
    free(img);
    return rc;
}

int loader_raw(struct vm *vm, const char *path, uint64_t addr, char *err, size_t errlen)
{
    size_t len;
    uint8_t *img = loader_read_file(path, &len, vm->pgm.ram_size, err, errlen);
    int rc = 0;

    if (!img)
        return -1;
    if (addr + len < addr || pgm_load(&vm->pgm, addr, img, len) < 0) {
        snprintf(err, errlen, "'%s' does not fit in guest memory at 0x%llx", path, (unsigned long long)addr);
        rc = -1;
    }
    free(img);
    return rc;
}

/* Starts the kernel a loader placed: the built-in BIOS performs the entry
 * after POST; under external firmware (-bios) the CPU is put in the entry
 * state directly, as before firmware existed here. */
void loader_enter(struct vm *vm, const struct boot_entry *e)
{
    struct cpu *c = &vm->cpus[0].cpu;

    if (!vm->cfg.bios) {
        bios_handoff(vm, e);
        return;
    }
    c->cr0 = (c->cr0 | CR0_PE) & ~(uint64_t)(CR0_PG | CR0_CD | CR0_NW);
    c->gdtr.base = e->gdt_base;
    c->gdtr.limit = e->gdt_limit;
    c->idtr.base = e->idt_base;
    c->idtr.limit = e->idt_limit;
    c->seg[S_CS] = (struct cpu_seg){.sel = e->cs, .base = 0, .limit = 0xffffffff,
                                    .attr = e->long64 ? 0xa09b : 0xc09b};
    for (int s = 0; s < 6; s++)
        if (s != S_CS)
            c->seg[s] = (struct cpu_seg){.sel = e->ds, .base = 0, .limit = 0xffffffff, .attr = 0xc093};
    c->tr = (struct cpu_seg){.limit = 0xffff, .attr = SEG_P | 0x0b};
    c->cpl = 0;
    cpu_set_flags(c, F_1); /* interrupts off */
    for (int r = 0; r < 16; r++)
        c->gpr[r] = 0;
    c->gpr[R_AX] = e->eax;
    c->gpr[R_BX] = e->ebx;
    c->gpr[R_SI] = e->esi;
    c->gpr[R_SP] = e->esp;
    c->rip = e->rip;
    pgm_set_a20(&vm->pgm, true);
    if (e->long64) {
        c->cr3 = e->cr3;
        c->cr4 |= CR4_PAE;
        c->efer |= EFER_LME | EFER_LMA;
        c->cr0 |= CR0_PG;
        pgm_change_mode(&vm->pgm, pgm_mode_from_regs(c->cr0, c->cr4, c->efer));
    } else {
        pgm_change_mode(&vm->pgm, PGM_MODE_PROTECTED);
    }
}
