/* Saved state: whole files. Saving streams every unit through the safe
 * writer (a temporary file, fsynced, renamed); loading maps the file,
 * walks it once to check everything (magic, lengths, CRCs, versions, the
 * machine's configuration, every field's bounds, RAM that decompresses),
 * and only then walks it again to load. The header unit lists the units
 * that follow, so a file from another machine is refused by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/dbg.h"
#include "vm/ss_priv.h"

#define PCVM_SS_PCVM_VERSION "pcvm 0.1"
#define HEADER_VERSION 1

static int put_name(struct ss_out *o, const char *s)
{
    uint8_t n = (uint8_t)strlen(s);
    int rc = ss_put(o, &n, 1);
    return rc < 0 ? rc : ss_put(o, s, n);
}

static int save_header(struct ss_out *o, struct vm *vm, const struct ss_target *t, unsigned n)
{
    uint32_t ncpus = vm->ncpus, nunits = n;
    int rc = ss_unit_begin(o, "header", HEADER_VERSION, 0);
    if (rc == 0)
        rc = put_name(o, PCVM_SS_PCVM_VERSION);
    if (rc == 0)
        rc = ss_put(o, &vm->pgm.ram_size, 8);
    if (rc == 0)
        rc = ss_put(o, &ncpus, 4);
    if (rc == 0)
        rc = ss_put(o, &nunits, 4);
    for (unsigned i = 0; i < n && rc == 0; i++) {
        rc = put_name(o, t[i].name);
        if (rc == 0)
            rc = ss_put(o, &t[i].instance, 4);
    }
    return rc < 0 ? rc : ss_unit_end(o);
}

int ss_save(struct vm *vm, const char *path, char *err, size_t errlen)
{
    struct ss_out *o = calloc(1, sizeof(*o));
    uint32_t fmt = SS_FORMAT_VERSION;
    int n, rc;

    if (!o) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct ss_target *tg = calloc(SS_MAX_TARGETS, sizeof(*tg));
    n = tg ? ss_targets(vm, tg, err, errlen) : -1;
    if (!tg)
        snprintf(err, errlen, "out of memory");
    for (int i = 0; i < n; i++)
        if (tg[i].desc && tg[i].desc->pre_save && tg[i].desc->pre_save(tg[i].obj, err, errlen) < 0)
            n = -1;
    if (n < 0) {
        free(tg);
        free(o);
        return -1;
    }
    rc = outfile_open(&o->f, path);
    if (rc == 0 && o->f.stream)
        rc = -ESPIPE; /* the unit lengths are patched in place */
    if (rc < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path,
                 rc == -ESPIPE ? "not a regular file" : strerror(-rc));
        if (o->f.fd >= 0 && rc == -ESPIPE)
            outfile_close(&o->f, rc);
        free(tg);
        free(o);
        return -1;
    }
    rc = ss_put(o, SS_MAGIC, 8);
    if (rc == 0)
        rc = ss_put(o, &fmt, 4);
    if (rc == 0)
        rc = save_header(o, vm, tg, (unsigned)n);
    for (int i = 0; i < n && rc == 0; i++) {
        rc = ss_unit_begin(o, tg[i].name, tg[i].desc ? tg[i].desc->version : SS_PGM_VERSION, tg[i].instance);
        if (rc == 0)
            rc = tg[i].desc ? ss_fields_save(o, tg[i].desc->fields, tg[i].obj) : ss_ram_save(o, vm);
        if (rc == 0)
            rc = ss_unit_end(o);
    }
    if (rc == 0)
        rc = ss_unit_begin(o, "end", 1, 0);
    if (rc == 0)
        rc = ss_unit_end(o);
    rc = outfile_close(&o->f, rc);
    if (rc < 0)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
    free(tg);
    free(o);
    return rc < 0 ? -1 : 0;
}

struct ss_map {
    int fd;
    void *base;
    size_t len;
};

static int map_file(const char *path, struct ss_map *m, char *err, size_t errlen)
{
    struct stat st;
    m->base = NULL;
    m->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (m->fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        goto fail;
    }
    m->len = (size_t)st.st_size;
    if (m->len < 12) {
        snprintf(err, errlen, "%s is not a pcvm saved state (too short)", path);
        goto fail;
    }
    m->base = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, m->fd, 0);
    if (m->base == MAP_FAILED) {
        m->base = NULL;
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    close(m->fd);
    return -1;
}

static void unmap_file(struct ss_map *m)
{
    if (m->base)
        munmap(m->base, m->len);
    close(m->fd);
}

static int get_name(struct ss_in *in, char *name)
{
    uint8_t n;
    const uint8_t *p;
    if (ss_get_u8(in, &n) < 0 || n > SS_NAME_MAX || !(p = ss_get(in, n)))
        return -1;
    memcpy(name, p, n);
    name[n] = 0;
    return 0;
}

/* The magic, the format and the header against vm; leaves in after it. */
static int check_header(struct ss_in *in, struct vm *vm, const struct ss_target *t, unsigned n, uint64_t *ram,
                        char *ver, char *err, size_t errlen)
{
    struct ss_unit u;
    uint32_t fmt, ncpus, nunits, inst;
    char name[SS_NAME_MAX + 1];
    const uint8_t *magic = ss_get(in, 8);

    if (!magic || memcmp(magic, SS_MAGIC, 8)) {
        snprintf(err, errlen, "not a pcvm saved state (wrong magic)");
        return -1;
    }
    if (ss_get_u32(in, &fmt) < 0 || fmt != SS_FORMAT_VERSION) {
        snprintf(err, errlen, "saved-state format %u; this pcvm reads format %u", fmt, SS_FORMAT_VERSION);
        return -1;
    }
    if (ss_unit_next(in, &u, err, errlen) < 0)
        return -1;
    if (strcmp(u.name, "header") || u.version != HEADER_VERSION) {
        snprintf(err, errlen, "the first unit is '%s' version %u, not a header this pcvm knows", u.name,
                 u.version);
        return -1;
    }
    if (get_name(&u.body, ver) < 0 || ss_get_u64(&u.body, ram) < 0 || ss_get_u32(&u.body, &ncpus) < 0 ||
        ss_get_u32(&u.body, &nunits) < 0)
        goto bad;
    if (!vm)
        return 0; /* printing: no machine to compare */
    if (*ram != vm->pgm.ram_size || ncpus != vm->ncpus) {
        snprintf(err, errlen,
                 "configuration does not match: saved with -m %lluM -smp %u, this VM has -m %lluM -smp %u",
                 (unsigned long long)(*ram >> 20), ncpus, (unsigned long long)(vm->pgm.ram_size >> 20),
                 vm->ncpus);
        return -1;
    }
    for (uint32_t i = 0; i < nunits; i++) {
        if (get_name(&u.body, name) < 0 || ss_get_u32(&u.body, &inst) < 0)
            goto bad;
        if (i >= n) {
            snprintf(err, errlen, "configuration does not match: '%s' #%u is not in this machine", name,
                     inst);
            return -1;
        }
        if (strcmp(name, t[i].name) || inst != t[i].instance) {
            snprintf(
                err, errlen,
                "configuration does not match: the saved machine has '%s' #%u where this one has '%s' #%u",
                name, inst, t[i].name, t[i].instance);
            return -1;
        }
    }
    if (nunits < n) {
        snprintf(err, errlen, "configuration does not match: '%s' is not in the saved machine",
                 t[nunits].name);
        return -1;
    }
    if (u.body.pos != u.body.len)
        goto bad;
    return 0;
bad:
    snprintf(err, errlen, "corrupt header unit");
    return -1;
}

/* One walk over the units: checks them (vm NULL) or loads them. */
static int walk_units(struct ss_in *in, struct vm *vm, struct ss_target *t, unsigned n, uint64_t ram,
                      char *err, size_t errlen)
{
    struct ss_unit u;
    for (unsigned i = 0; i <= n; i++) {
        if (ss_unit_next(in, &u, err, errlen) < 0)
            return -1;
        const char *want = i < n ? t[i].name : "end";
        uint32_t have = i < n ? (t[i].desc ? t[i].desc->version : SS_PGM_VERSION) : 1;
        if (strcmp(u.name, want) || u.instance != (i < n ? t[i].instance : 0)) {
            snprintf(err, errlen, "unit '%s' #%u where the header promised '%s'", u.name, u.instance, want);
            return -1;
        }
        if (u.version > have || u.version == 0) {
            snprintf(err, errlen, "unit '%s' is version %u; this pcvm reads versions 1 to %u", u.name,
                     u.version, have);
            return -1;
        }
        if (i == n) {
            if (u.body.len) {
                snprintf(err, errlen, "corrupt end marker");
                return -1;
            }
            break;
        }
        if (!t[i].desc) {
            if (ss_ram_load(&u.body, u.version, vm, ram, err, errlen) < 0)
                return -1;
            continue;
        }
        if (ss_fields_load(&u.body, t[i].desc->fields, u.version, t[i].obj, vm != NULL, u.name, err, errlen) <
            0)
            return -1;
        if (u.body.pos != u.body.len) {
            snprintf(err, errlen, "unit '%s' #%u is longer than its description", u.name, u.instance);
            return -1;
        }
    }
    if (in->pos != in->len) {
        snprintf(err, errlen, "%llu bytes follow the end marker", (unsigned long long)(in->len - in->pos));
        return -1;
    }
    return 0;
}

int ss_load(struct vm *vm, const char *path, char *err, size_t errlen)
{
    struct ss_map m;
    struct ss_target *t = calloc(SS_MAX_TARGETS, sizeof(*t));
    uint64_t ram = 0;
    int n, rc = -1;
    char why[400], ver[SS_NAME_MAX + 1];

    *err = 0;
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    n = ss_targets(vm, t, err, errlen);
    if (n < 0 || map_file(path, &m, err, errlen) < 0) {
        free(t);
        return -1;
    }
    struct ss_in in = {m.base, m.len, 0};
    if (check_header(&in, vm, t, (unsigned)n, &ram, ver, why, sizeof(why)) < 0)
        goto out;
    struct ss_in body = in;
    if (walk_units(&in, NULL, t, (unsigned)n, ram, why, sizeof(why)) < 0)
        goto out;
    /* everything checked: from here on the VM changes */
    if (walk_units(&body, vm, t, (unsigned)n, ram, why, sizeof(why)) < 0) {
        vm_guru(vm, NULL, "loading %s failed after its check: %s", path, why);
        goto out;
    }
    ss_after_load(vm, t, (unsigned)n);
    rc = 0;
out:
    if (rc < 0 && !*err)
        snprintf(err, errlen, "%s: %s", path, why);
    unmap_file(&m);
    free(t);
    return rc;
}

int ss_print(struct vm *vm, const char *path, FILE *out, char *err, size_t errlen)
{
    struct ss_map m;
    struct ss_target *t = calloc(SS_MAX_TARGETS, sizeof(*t));
    struct ss_unit u;
    uint64_t ram;
    int n, rc = -1;
    char why[400], ver[SS_NAME_MAX + 1];

    if (!t || map_file(path, &m, err, errlen) < 0) {
        free(t);
        return -1;
    }
    n = ss_targets(vm, t, why, sizeof(why));
    struct ss_in in = {m.base, m.len, 0};
    if (check_header(&in, NULL, t, 0, &ram, ver, why, sizeof(why)) < 0)
        goto out;
    fprintf(out, "saved state %s: format %u, by %s, RAM %llu MiB\n", path, SS_FORMAT_VERSION, ver,
            (unsigned long long)(ram >> 20));
    while (in.pos < in.len) {
        if (ss_unit_next(&in, &u, why, sizeof(why)) < 0)
            goto out;
        fprintf(out, "%s #%u (version %u, %llu bytes)\n", u.name, u.instance, u.version,
                (unsigned long long)u.body.len);
        if (!strcmp(u.name, "pgm")) {
            ss_ram_print(&u.body, out);
            continue;
        }
        for (int i = 0; i < n; i++)
            if (t[i].desc && !strcmp(t[i].name, u.name) && t[i].instance == u.instance) {
                ss_fields_print(&u.body, t[i].desc->fields, u.version, t[i].obj, out, "");
                break;
            }
    }
    rc = 0;
out:
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", path, why);
    unmap_file(&m);
    free(t);
    return rc;
}

/* Stops the VM for save or load; *from is the state to go back to and
 * *resume says the vCPUs ran before. */
static int quiesce(struct vm *vm, enum vm_state busy, enum vm_state *from, bool *resume, char *err,
                   size_t errlen)
{
    *resume = false;
    *from = vm->state;
    if (vm->state == VM_CREATED && busy == VM_LOADING)
        return vm_set_state(vm, VM_LOADING);
    *from = VM_SUSPENDED;
    /* a pause asked for but not reached yet (the vCPUs still finishing
     * their slice) is a pause too: the VM must not run on after the save */
    *resume = !(atomic_load(&vm->ff) & VM_FF_SUSPEND);
    if (dbg_stop(vm) < 0 || vm_set_state(vm, busy) < 0) {
        snprintf(err, errlen, "the VM is %s: nothing to %s", vm_state_name(vm->state),
                 busy == VM_SAVING ? "save" : "load into");
        if (*resume && !dbg_ended(vm))
            dbg_resume(vm, -1);
        return -1;
    }
    return 0;
}

static void unquiesce(struct vm *vm, enum vm_state from, bool resume)
{
    vm_set_state(vm, from);
    if (resume)
        dbg_resume(vm, -1);
}

/* Saves or loads (busy) with the VM stopped, as the monitor asks. */
static int stopped_do(struct vm *vm, const char *path, enum vm_state busy, char *err, size_t errlen)
{
    enum vm_state from;
    bool resume;
    *err = 0;
    if (quiesce(vm, busy, &from, &resume, err, errlen) < 0)
        return -1;
    int rc = busy == VM_SAVING ? ss_save(vm, path, err, errlen) : ss_load(vm, path, err, errlen);
    unquiesce(vm, from, resume);
    return rc;
}

int vm_savevm(struct vm *vm, const char *path, char *err, size_t errlen)
{
    return stopped_do(vm, path, VM_SAVING, err, errlen);
}

int vm_loadvm(struct vm *vm, const char *path, char *err, size_t errlen)
{
    return stopped_do(vm, path, VM_LOADING, err, errlen);
}
