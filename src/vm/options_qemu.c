/* QEMU command-line details that scripts written for QEMU depend on
 * (kvm-unit-tests' run_tests.sh, scripts/arch-run.bash, x86/run): the
 * version line, -device help, -chardev, -machine properties, and pcvm's
 * --debugcon PORT:FILE. options.c hands each option here first.
 *
 * Invariant: like options.c, a bad value is one line on stderr and status
 * 2; nothing is opened or created while parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/options.h"
#include "vm/vm.h"

#define EXIT_USAGE 2

/* kvm-unit-tests reads `-h | head -1` as "NAME emulator version X.Y.Z ...",
 * split at spaces and dots; 7.2 is the QEMU whose command line pcvm follows
 * (Debian 12's). */
void vm_options_version(FILE *f)
{
    fprintf(f, "pcvm emulator version %d.%d.%d (pcvm 0.1, QEMU-compatible command line)\n", PCVM_QEMU_MAJOR,
            PCVM_QEMU_MINOR, PCVM_QEMU_MICRO);
}

static int bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "pcvm: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* -accel NAME[,tb-size=MiB][,thread=single|multi] (also -machine accel=NAME):
 * tcg is REM, kvm is HM, kvm:tcg is KVM with REM as the fallback (auto). */
int vm_options_set_accel(struct vm_options *o, const char *s)
{
    const char *opt = strchr(s, ',');
    size_t n = opt ? (size_t)(opt - s) : strlen(s);

    if (n == 3 && !strncmp(s, "kvm", 3))
        o->cfg.engine = ENGINE_HM;
    else if (n == 3 && !strncmp(s, "tcg", 3))
        o->cfg.engine = ENGINE_REM;
    else if (n == 7 && !strncmp(s, "kvm:tcg", 7))
        o->cfg.engine = ENGINE_AUTO;
    else
        return -1;
    for (; opt; opt = strchr(opt + 1, ',')) {
        char *end;
        if (!strncmp(opt + 1, "tb-size=", 8)) {
            errno = 0;
            unsigned long long mib = strtoull(opt + 9, &end, 10);
            if (errno || end == opt + 9 || (*end && *end != ',') || !mib || mib > (1u << 16) || opt[9] == '-')
                return -1;
            o->cfg.tb_size = (uint64_t)mib << 20;
        } else if (strncmp(opt + 1, "thread=single", 13) && strncmp(opt + 1, "thread=multi", 12)) {
            return -1;
        }
    }
    return 0;
}

/* One "key=value" item of a comma list: key and value copied out. */
static int split_item(const char **p, char *key, size_t klen, char *val, size_t vlen)
{
    size_t n = strcspn(*p, ","), k = strcspn(*p, "=");
    const char *item = *p;
    *p += n + ((*p)[n] == ',');
    if (k > n)
        k = n;
    if (k >= klen || (k < n && n - k - 1 >= vlen))
        return -1;
    memcpy(key, item, k);
    key[k] = 0;
    if (k < n) {
        memcpy(val, item + k + 1, n - k - 1);
        val[n - k - 1] = 0;
    } else {
        val[0] = 0;
    }
    return k < n ? 1 : 0; /* 1: had '=' */
}

static bool is_on_off(const char *v, bool *on)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
        *on = true;
        return true;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
        *on = false;
        return true;
    }
    return false;
}

/* -chardev BACKEND,id=ID[,path=P]: stdio, file and null, as QEMU spells them. */
static int parse_chardev(struct vm_options *o, const char *v)
{
    struct vm_config *c = &o->cfg;
    char backend[32], key[32], val[4096], id[64] = "", path[4096] = "";
    const char *p = v;

    if (split_item(&p, backend, sizeof(backend), val, sizeof(val)) != 0)
        return bad("bad -chardev '%s' (BACKEND,id=ID[,path=FILE])%s", v, "");
    if (strcmp(backend, "file") && strcmp(backend, "stdio") && strcmp(backend, "null"))
        return bad("-chardev backend '%s' is not supported (file, stdio, null)%s", backend, "");
    while (*p) {
        bool on;
        int r = split_item(&p, key, sizeof(key), val, sizeof(val));
        if (r != 1)
            return bad("bad -chardev '%s' (key=value after the backend)%s", v, "");
        if (!strcmp(key, "id")) {
            if (!val[0] || strlen(val) >= sizeof(id))
                return bad("bad -chardev id '%s'%s", val, "");
            memcpy(id, val, strlen(val) + 1);
        } else if (!strcmp(key, "path") && !strcmp(backend, "file"))
            memcpy(path, val, strlen(val) + 1);
        else if ((!strcmp(key, "mux") || !strcmp(key, "signal") || !strcmp(key, "logappend")) &&
                 is_on_off(val, &on))
            continue; /* no monitor to multiplex, and signals always reach pcvm */
        else
            return bad("-chardev %s: unknown or bad property '%s'", backend, key);
    }
    if (!id[0])
        return bad("-chardev '%s' needs id=ID%s", v, "");
    if (!strcmp(backend, "file") && !path[0])
        return bad("-chardev '%s' needs path=FILE%s", v, "");
    for (unsigned i = 0; i < c->nchardev_defs; i++)
        if (!strcmp(c->chardev_defs[i].id, id))
            return bad("duplicate -chardev id '%s'%s", id, "");
    if (c->nchardev_defs >= VM_MAX_CHARDEV_DEFS)
        return bad("too many -chardev options (at most %s)%s", "4", "");
    struct vm_chardev_def *d = &c->chardev_defs[c->nchardev_defs++];
    memcpy(d->id, id, sizeof(d->id));
    snprintf(d->spec, sizeof(d->spec), "%s%.4096s", !strcmp(backend, "file") ? "file:" : backend, path);
    return 0;
}

/* -machine [type=]TYPE[,prop=value...]: QEMU's pc machine properties. */
enum mprop { MP_ACCEL, MP_PIT, MP_BOOL_NOOP, MP_ANY_NOOP, MP_ON_ONLY };
static const struct {
    const char *name;
    enum mprop kind;
} machine_props[] = {
    {"accel", MP_ACCEL},
    {"pit", MP_PIT},
    /* meaningless here: pcvm's interrupt controllers are always its own,
     * there is no SMM, no VMware port, no USB; memory is not merged */
    {"kernel_irqchip", MP_ANY_NOOP},
    {"kernel-irqchip", MP_ANY_NOOP},
    {"smm", MP_ANY_NOOP},
    {"vmport", MP_ANY_NOOP},
    {"usb", MP_BOOL_NOOP},
    {"graphics", MP_BOOL_NOOP},
    {"dump-guest-core", MP_BOOL_NOOP},
    {"mem-merge", MP_BOOL_NOOP},
    {"suppress-vmdesc", MP_BOOL_NOOP},
    {"sata", MP_BOOL_NOOP},
    {"smbus", MP_BOOL_NOOP},
    {"max-ram-below-4g", MP_ANY_NOOP},
    /* devices pcvm always has: asking for them is fine, taking them away is not supported */
    {"hpet", MP_ON_ONLY},
    {"acpi", MP_ON_ONLY},
    {"i8042", MP_ON_ONLY},
};

static int parse_machine(struct vm_options *o, const char *v)
{
    char key[32], val[256];
    const char *p = v;
    bool first = true, on;

    while (*p) {
        int r = split_item(&p, key, sizeof(key), val, sizeof(val));
        if (r < 0)
            return bad("bad -machine '%s'%s", v, "");
        if (r == 0 || !strcmp(key, "type")) {
            const char *type = r == 0 ? key : val;
            if (!first && r == 0)
                return bad("bad -machine '%s' (TYPE comes first, then key=value)%s", v, "");
            if (!strcmp(type, "help") || !strcmp(type, "?")) {
                printf("Supported machines are:\npc                   Standard PC (i440FX + PIIX, 1996) "
                       "(default)\n");
                return 1;
            }
            if (strncmp(type, "pc", 2) && strncmp(type, "q35", 3) && strcmp(type, "isapc"))
                return bad("unsupported machine '%s' (pc)%s", type, "");
            first = false;
            continue;
        }
        first = false;
        size_t k;
        for (k = 0; k < sizeof(machine_props) / sizeof(machine_props[0]); k++)
            if (!strcmp(key, machine_props[k].name))
                break;
        if (k == sizeof(machine_props) / sizeof(machine_props[0]))
            return bad("unknown -machine property '%s'%s", key, "");
        switch (machine_props[k].kind) {
        case MP_ACCEL:
            if (vm_options_set_accel(o, val) < 0)
                return bad("unknown accelerator '%s' (tcg or kvm)%s", val, "");
            break;
        case MP_PIT:
            if (!is_on_off(val, &on))
                return bad("bad -machine pit=%s (on or off)%s", val, "");
            o->cfg.no_pit = !on;
            break;
        case MP_BOOL_NOOP:
            if (!is_on_off(val, &on))
                return bad("bad -machine %s=%s (on or off)", key, val);
            break;
        case MP_ON_ONLY:
            if (!is_on_off(val, &on))
                return bad("bad -machine %s=%s (on or off)", key, val);
            if (!on)
                return bad("-machine %s=off is not supported (pcvm's PC always has it)%s", key, "");
            break;
        case MP_ANY_NOOP:
            if (!val[0])
                return bad("-machine %s needs a value%s", key, "");
            break;
        }
    }
    return 0;
}

/* --debugcon PORT:FILE -> -device isa-debugcon,iobase=PORT,chardev=file:FILE */
static int parse_debugcon(struct vm_options *o, const char *v)
{
    struct vm_config *c = &o->cfg;
    char *end;
    errno = 0;
    unsigned long port = strtoul(v, &end, 0);
    if (errno || end == v || *end != ':' || !end[1] || port > 0xffff)
        return bad("bad --debugcon '%s' (PORT:FILE)%s", v, "");
    if (c->ndevices >= VM_MAX_OPT_DEVICES)
        return bad("too many devices%s%s", "", "");
    snprintf(o->debugcon_spec, sizeof(o->debugcon_spec), "isa-debugcon,iobase=0x%lx,chardev=file:%s", port,
             end + 1);
    c->devices[c->ndevices++] = o->debugcon_spec;
    return 0;
}

int vm_options_qemu(struct vm_options *o, const char *a, const char *v, int *used)
{
    *used = 0;
    if (!strcmp(a, "--version") || !strcmp(a, "-version")) {
        vm_options_version(stdout);
        return 1;
    }
    if (!strcmp(a, "-cpu") && v && (!strcmp(v, "help") || !strcmp(v, "?"))) {
        cpu_model_list(stdout);
        return 1;
    }
    if (!strcmp(a, "-loadvm") || !strcmp(a, "-incoming") || !strcmp(a, "-savevm") ||
        !strcmp(a, "-print-state")) {
        if (!v)
            return bad("option %s needs an argument%s", a, "");
        *used = 1;
        if (a[1] == 'p')
            o->print_state = v;
        else if (a[1] == 's')
            o->cfg.savevm_file = v;
        else if (a[1] == 'l')
            o->loadvm = v;
        else if (strncmp(v, "file:", 5) || !v[5])
            return bad("-incoming %s: only file:FILE (a saved state) is supported%s", v, "");
        else
            o->loadvm = v + 5;
        return 0;
    }
    if (strcmp(a, "-chardev") && strcmp(a, "-machine") && strcmp(a, "-M") && strcmp(a, "--debugcon") &&
        strcmp(a, "-device"))
        return -1;
    if (!v)
        return bad("option %s needs an argument%s", a, "");
    *used = 1;
    if (!strcmp(a, "-device")) {
        if (strcmp(v, "?") && strcmp(v, "help")) {
            *used = 0;
            return -1; /* a device: options.c lists it */
        }
        dev_print_list(stdout);
        return 1;
    }
    if (!strcmp(a, "-chardev"))
        return parse_chardev(o, v);
    if (!strcmp(a, "--debugcon"))
        return parse_debugcon(o, v);
    return parse_machine(o, v);
}

/* After parsing: every chardev:ID names a -chardev. */
int vm_options_qemu_check(struct vm_options *o)
{
    const struct vm_config *c = &o->cfg;
    const char *refs[5];
    unsigned n = 0;
    if (c->savevm_file && !c->max_insns)
        return bad("--savevm FILE saves the state where --max-insns N stops: give --max-insns%s%s", "", "");
    for (unsigned i = 0; i < c->nserial; i++)
        refs[n++] = c->serial[i];
    if (c->debugcon)
        refs[n++] = c->debugcon;
    for (unsigned i = 0; i < n; i++) {
        unsigned k;
        if (strncmp(refs[i], "chardev:", 8))
            continue;
        for (k = 0; k < c->nchardev_defs && strcmp(c->chardev_defs[k].id, refs[i] + 8); k++)
            ;
        if (k == c->nchardev_defs)
            return bad("'%s' names no -chardev%s", refs[i], "");
    }
    return 0;
}
