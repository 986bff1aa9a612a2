/* QEMU-style command-line options, shared by every frontend (pcvm,
 * pcvm-sdl): one parser, so the frontends accept exactly the same options.
 *
 * Invariant: a bad option is reported as one line on stderr naming it and
 * parsing returns 2; nothing is created before the options are valid. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vga.h"
#include "vm/gdbstub.h"
#include "vm/monitor.h"
#include "vm/qmp.h"
#include "vm/sockserv.h"
#include "vm/ss.h"
#include "hm/hm.h"
#include "vm/vm.h"

#define EXIT_USAGE 2



/* QEMU options pcvm accepts and has no use for: name, and whether it takes an argument. */
static const struct { const char *name; bool arg; } ignored[] = {
    {"-name", true},     {"-net", true},
    {"-nic", true},     {"-rtc", true},     {"-k", true},
    {"-usb", false},    {"-no-user-config", false}, {"-no-hpet", false}, {"-no-acpi", false},
    {"-parallel", true}, {"-global", true},
    {"-msg", true},     {"-overcommit", true}, {"-sandbox", true}, {"-pidfile", true},
    {"-daemonize", false}, {"-sdl", false}, {"-vnc", true},
    {"-audiodev", true}, {"-object", true}, {"-D", true},
};


void vm_options_usage(FILE *f)
{
    vm_options_version(f);
    fprintf(f,
            "usage: pcvm [options]\n"
            "Runs an x86 PC guest; the serial console is this terminal.\n\n"
            "QEMU options accepted:\n"
            "  -m SIZE[K|M|G]          guest RAM (default 128M)\n"
            "  -smp N[,...]            number of vCPUs\n"
            "  -kernel FILE            Multiboot kernel to boot\n"
            "  -initrd FILE[,FILE...]  Multiboot modules (\"path args\" each)\n"
            "  -append STRING          kernel command line\n"
            "  -bios FILE              firmware image, mapped below 4 GiB, started at the reset vector\n"
            "  -serial stdio|file:PATH|null|none|chardev:ID   next serial port (COM1..COM4)\n"
            "  -debugcon stdio|file:PATH|null|chardev:ID      debug console at port 0xE9\n"
            "  -chardev file,id=ID,path=FILE | stdio,id=ID | null,id=ID   a named backend\n"
            "  -display sdl|none       pcvm-sdl's window, or none (pcvm is always headless)\n"
            "  -vga std|none           the display adapter (default std; none with -nodefaults)\n"
            "  -full-screen            pcvm-sdl starts full screen\n"
            "  -nographic, -no-reboot, -no-shutdown, -nodefaults\n"
            "  -device isa-debug-exit[,iobase=N][,iosize=N]\n"
            "  -device isa-debugcon[,iobase=N][,chardev=ID|stdio|file:PATH]\n"
            "  -device pc-testdev      QEMU's test ports 0xE0-0xEB, 0x2000 IRQs, RAM-like MMIO at 0xFF000000\n"
            "  -device pci-testdev[,addr=SLOT]   QEMU's PCI test device (1b36:0005)\n"
            "  -device help            the devices -device takes\n"
            "  -device loader,file=FILE,addr=ADDR   raw image at a guest-physical address\n"
            "  -accel tcg|kvm, -M TYPE, -enable-kvm\n"
            "  -machine [TYPE][,accel=tcg|kvm][,pit=on|off][,kernel_irqchip=..,smm=..,vmport=..,usb=..]\n"
            "  -cpu MODEL[,+feat,-feat,feat=on|off,vendor=..,family=..,model=..,stepping=..,level=..,xlevel=..]\n"
            "                          (qemu64, qemu32, kvm64, max, host, Haswell...; -cpu help lists them)\n"
            "  -hda/-hdb/-hdc/-hdd FILE, -cdrom FILE   raw IDE disk images; the CD is index 2\n"
            "  -drive file=F[,if=ide][,media=disk|cdrom][,format=raw][,index=0-3][,readonly=on][,snapshot=on]\n"
            "  -boot c|d|[order=]LETTERS[,...]   firmware boot order (c disk, d CD-ROM)\n"
            "  -snapshot               writes go to a temporary overlay; images stay untouched\n"
            "  -gdb tcp:[HOST]:PORT    a gdb stub (target remote :PORT); -s is -gdb tcp::1234\n"
            "  -d engine,unimp         log on stderr: the engine chosen; each unimplemented instruction, once\n"
            "  -S                      start stopped: the vCPUs wait for gdb's continue or the monitor's cont\n"
            "  -monitor stdio|unix:PATH[,server,nowait]|tcp:[HOST]:PORT[,server,nowait]|none\n"
            "                          the human monitor (default: Ctrl-A c on a serial terminal)\n"
            "  -qmp unix:PATH[,server,nowait]|tcp:[HOST]:PORT[,server,nowait]   QMP, QEMU's JSON protocol\n"
            "QEMU options accepted and ignored:\n ");
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        fprintf(f, " %s%s", ignored[i].name, ignored[i].arg ? " X" : "");
    fprintf(f, "\n\npcvm options:\n"
               "  --engine=iem|rem|hm|auto   execution engine (default auto: KVM when available)\n"
               "  --trace[=FILE]             one line per executed instruction\n"
               "  --max-insns N              stop after N instructions\n"
               "  --savevm FILE              save the state where --max-insns stops (a saved state)\n"
               "  -loadvm FILE               start from a saved state (also -incoming file:FILE)\n"
               "  --print-state FILE         print a saved state field by field (same machine options)\n"
               "  --rem-tier=1|2             REM: translation blocks only, or hot ones compiled\n"
               "                             to host code too (default 2)\n"
               "  --rem-hot=N                REM: runs before a block is compiled (default 16)\n"
               "  --trace-tb FILE            REM: each compiled block's guest and host code\n"
               "  -perfmap                   REM: name compiled blocks for perf in /tmp/perf-PID.map\n"
               "  --cpu-cap PERCENT          each vCPU uses at most PERCENT of a host CPU\n"
               "  --icount[=SHIFT]           deterministic: virtual time advances 2^SHIFT ns per\n"
               "                             instruction (QEMU: -icount shift=N); default 0\n"
               "  --debugcon PORT:FILE       debug console at PORT writing to FILE\n"
               "  --info ITEM                at stop, print an info item to stderr (mode, cr3, tlb, ram, tb, engines)\n"
               "  --dump-phys FILE[,nozero]  at stop, write guest RAM to FILE (nozero: skip zero pages)\n"
               "  --screenshot FILE          at power-off and on SIGUSR1, write the display as a PNG\n"
               "  --dump-text                at power-off, print the VGA text screen on stdout\n"
               "  --cpu-features             list the -cpu model's features (implemented, advertised)\n"
               "  --help, --version\n");
}

static int __attribute__((format(printf, 1, 2))) die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pcvm: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    double v;
    if (!strncmp(s, "size=", 5))
        s += 5;
    if (!isdigit((unsigned char)*s)) /* strtod would take a sign, blanks, "inf" and "nan" */
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v <= 0)
        return -1;
    switch (*end) {
    case 0: case 'M': case 'm': v *= 1 << 20; break;
    case 'G': case 'g': v *= 1 << 30; break;
    case 'K': case 'k': v *= 1 << 10; break;
    case 'T': case 't': v *= (double)(1ull << 40); break;
    default: return -1;
    }
    if (*end && end[1] && strcmp(end + 1, "B") && strcmp(end + 1, "iB") && end[1] != ',')
        return -1;
    if (v > (double)(1ull << 40))
        return -1;
    *out = ((uint64_t)v + 0xfff) & ~0xfffull;
    return 0;
}

/* The first n characters of s as an unsigned number (decimal, 0x hex or
 * 0 octal): strtoull alone would take a sign ("-1" is its maximum),
 * leading blanks and trailing junk. */
static int parse_uint_n(const char *s, size_t n, uint64_t *out)
{
    char buf[24], *end;
    if (n == 0 || n >= sizeof(buf) || !isdigit((unsigned char)s[0]))
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    *out = strtoull(buf, &end, 0);
    return errno || *end ? -1 : 0;
}

static int parse_uint(const char *s, uint64_t *out)
{
    return parse_uint_n(s, strlen(s), out);
}

/* QEMU's -smp [[cpus=]N][,maxcpus=N][,sockets=N][,dies=N][,clusters=N]
 * [,cores=N][,threads=N]: a topology value left out is 1, except the
 * first of sockets, cores, threads that is missing, which is worked out
 * from maxcpus (or cpus); the topology must multiply to maxcpus. */
static int parse_smp(struct vm_config *c, const char *spec)
{
    enum { CPUS, MAXCPUS, SOCKETS, DIES, CLUSTERS, CORES, THREADS, NKEYS };
    static const char *const keys[NKEYS] = {"cpus", "maxcpus", "sockets", "dies", "clusters", "cores", "threads"};
    uint64_t val[NKEYS] = {0};
    const char *p = spec;

    if (!*spec)
        return die("option -smp needs a value (e.g. -smp 2 or -smp cpus=4,cores=2)");
    while (*p) {
        size_t n = strcspn(p, ","), klen = strcspn(p, "=,");
        int k = p == spec && klen == n ? CPUS : -1; /* a bare number first is cpus */
        const char *num = k == CPUS ? p : p + klen + 1;
        for (int i = 0; i < NKEYS && k < 0 && klen < n; i++)
            if (strlen(keys[i]) == klen && !strncmp(p, keys[i], klen))
                k = i;
        if (k < 0)
            return die("-smp '%s': unknown parameter '%.*s' (cpus, maxcpus, sockets, dies, clusters, cores, "
                       "threads)", spec, (int)klen, p);
        if (parse_uint_n(num, (size_t)(p + n - num), &val[k]) < 0 || val[k] < 1 || val[k] > VM_MAX_CPUS)
            return die("-smp '%s': %s must be a number from 1 to %d", spec, keys[k], VM_MAX_CPUS);
        p += n + (p[n] == ',');
    }
    int derive = !val[SOCKETS] ? SOCKETS : !val[CORES] ? CORES : !val[THREADS] ? THREADS : -1;
    uint64_t whole = val[MAXCPUS] ? val[MAXCPUS] : val[CPUS] ? val[CPUS] : 1, others = 1;
    for (int i = SOCKETS; i < NKEYS; i++)
        if (i != derive)
            others *= val[i] ? val[i] : (val[i] = 1);
    if (derive >= 0)
        val[derive] = whole / others ? whole / others : 1;
    uint64_t total = others * (derive >= 0 ? val[derive] : 1);
    if (!val[MAXCPUS])
        val[MAXCPUS] = total;
    if (!val[CPUS])
        val[CPUS] = val[MAXCPUS];
    if (total != val[MAXCPUS])
        return die("-smp '%s': sockets x dies x clusters x cores x threads = %llu, not maxcpus (%llu)", spec,
                   (unsigned long long)total, (unsigned long long)val[MAXCPUS]);
    if (val[CPUS] > val[MAXCPUS])
        return die("-smp '%s': cpus (%llu) is more than maxcpus (%llu)", spec, (unsigned long long)val[CPUS],
                   (unsigned long long)val[MAXCPUS]);
    c->ncpus = (unsigned)val[CPUS];
    return 0;
}

static int add_drive(struct vm_options *o, const char *file, bool cdrom, int index)
{
    struct vm_config *c = &o->cfg;
    if (c->ndrives >= VM_MAX_DRIVES)
        return die("more than %s IDE drives", "4");
    c->drives[c->ndrives++] = (struct vm_drive){.file = file, .cdrom = cdrom, .index = index};
    return 0;
}

static bool on_off(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes"))
        *out = true;
    else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no"))
        *out = false;
    else
        return false;
    return true;
}

/* QEMU -drive: key=value pairs; ",," in a value is a literal comma. */
static int parse_drive(struct vm_options *o, const char *spec)
{
    unsigned n = o->cfg.ndrives;
    char key[32], val[4096];
    int bus = -1, unit = -1, index = -1;
    struct vm_drive dr = {.index = -1};
    const char *p = spec;

    if (n >= VM_MAX_DRIVES)
        return die("more than %s IDE drives", "4");
    while (*p) {
        size_t k = strcspn(p, "=,"), vl = 0;
        if (p[k] != '=' || k >= sizeof(key))
            return die("bad -drive '%s' (key=value,...)", spec);
        memcpy(key, p, k);
        key[k] = 0;
        for (p += k + 1; *p && !(*p == ',' && p[1] != ','); p++) {
            if (*p == ',')
                p++;
            if (vl + 1 >= sizeof(val))
                return die("-drive value too long in '%s'", spec);
            val[vl++] = *p;
        }
        val[vl] = 0;
        if (*p == ',')
            p++;
        uint64_t num;
        if (!strcmp(key, "file")) {
            memcpy(o->drive_file[n], val, vl + 1);
            dr.file = o->drive_file[n];
        } else if (!strcmp(key, "if")) {
            if (strcmp(val, "ide"))
                return die("-drive if=%s is not supported (if=ide)", val);
        } else if (!strcmp(key, "media")) {
            if (strcmp(val, "disk") && strcmp(val, "cdrom"))
                return die("bad -drive media=%s (disk or cdrom)", val);
            dr.cdrom = !strcmp(val, "cdrom");
        } else if (!strcmp(key, "format")) {
            if (strcmp(val, "raw"))
                return die("unknown -drive format '%s' (only raw is supported)", val);
            dr.format = "raw";
        } else if (!strcmp(key, "index") || !strcmp(key, "bus") || !strcmp(key, "unit")) {
            unsigned max = key[0] == 'i' ? 3 : 1;
            if (parse_uint(val, &num) < 0 || num > max)
                return die("bad -drive %s (index 0-3, bus 0-1, unit 0-1)", spec);
            *(key[0] == 'i' ? &index : key[0] == 'b' ? &bus : &unit) = (int)num;
        } else if (!strcmp(key, "readonly") || !strcmp(key, "snapshot")) {
            if (!on_off(val, key[0] == 'r' ? &dr.readonly : &dr.snapshot))
                return die("bad -drive '%s' (on or off)", spec);
        } else if (strcmp(key, "id") && strcmp(key, "cache") && strcmp(key, "aio") && strcmp(key, "discard") &&
                   strcmp(key, "werror") && strcmp(key, "rerror")) {
            return die("unknown -drive parameter '%s'", key);
        }
    }
    if (index < 0 && (bus >= 0 || unit >= 0))
        index = (bus > 0 ? bus : 0) * 2 + (unit > 0 ? unit : 0);
    if (!dr.file && !dr.cdrom)
        return die("-drive '%s' has no file= (only a CD-ROM drive may be empty)", spec);
    dr.index = index;
    o->cfg.drives[o->cfg.ndrives++] = dr;
    return 0;
}

/* -boot [order=|once=]LETTERS[,menu=..,strict=..,...]: the firmware's order. */
static int parse_boot(struct vm_options *o, const char *spec)
{
    const char *letters = NULL, *p = spec;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (!strncmp(p, "order=", 6) || !strncmp(p, "once=", 5))
            letters = strchr(p, '=') + 1;
        else if (!memchr(p, '=', n))
            letters = p;
        p += n + (p[n] == ',');
    }
    if (!letters)
        return 0;
    size_t n = strcspn(letters, ",");
    if (!n || n >= sizeof(o->boot_order))
        return die("bad -boot '%s' (e.g. -boot c, -boot d, -boot order=dc)", spec);
    for (size_t i = 0; i < n; i++)
        if (letters[i] < 'a' || letters[i] > 'p')
            return die("bad -boot '%s' (devices a-p: c disk, d CD-ROM, n network)", spec);
    memcpy(o->boot_order, letters, n);
    o->boot_order[n] = 0;
    o->cfg.boot_order = o->boot_order;
    return 0;
}

/* -hda..-hdd, -cdrom, -drive, -boot: fills cfg->drives (index -1 when the
 * option named none) and cfg->boot_order. Returns -1 when a is not a drive
 * option, 0 when handled, 2 after naming a bad value. */
static int drive_option(struct vm_options *o, const char *a, const char *v)
{
    if (!strcmp(a, "-hda") || !strcmp(a, "-hdb") || !strcmp(a, "-hdc") || !strcmp(a, "-hdd"))
        return add_drive(o, v, false, a[3] - 'a');
    if (!strcmp(a, "-cdrom"))
        return add_drive(o, v, true, 2);
    if (!strcmp(a, "-drive"))
        return parse_drive(o, v);
    if (!strcmp(a, "-boot"))
        return parse_boot(o, v);
    return -1;
}

/* Drives without an index take the first free one, after the explicit ones. */
static int assign_drive_indexes(struct vm_config *c)
{
    unsigned used = 0;
    for (unsigned i = 0; i < c->ndrives; i++)
        if (c->drives[i].index >= 0) {
            if (used & (1u << c->drives[i].index))
                return die("two drives at IDE index %s", (const char[]){(char)('0' + c->drives[i].index), 0});
            used |= 1u << c->drives[i].index;
        }
    for (unsigned i = 0; i < c->ndrives; i++)
        if (c->drives[i].index < 0) {
            int k = 0;
            while (k < VM_MAX_DRIVES && (used & (1u << k)))
                k++;
            if (k == VM_MAX_DRIVES)
                return die("more than %s IDE drives", "4");
            c->drives[i].index = k;
            used |= 1u << k;
        }
    return 0;
}

/* The display adapter is asked for with QEMU's "-device VGA" (pc_vga_create
 * takes it out of the list). SIGUSR1 is blocked before any thread exists
 * so that only the screenshot thread (vm_options_apply) receives it. */
static int display_finish(struct vm_options *o)
{
    struct vm_config *c = &o->cfg;
    if (o->vga == 1 || (o->vga < 0 && !c->nodefaults)) {
        if (c->ndevices >= VM_MAX_OPT_DEVICES)
            return die("too many -device options%s", "");
        c->devices[c->ndevices++] = "VGA";
    }
    if (o->screenshot) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
    }
    return 0;
}

static void *shot_thread(void *arg)
{
    struct vm_options *o = arg;
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    while (sigwait(&set, &sig) == 0 && o->shot_vm) {
        int rc = vga_screenshot(o->shot_vm, o->screenshot);
        if (rc < 0)
            fprintf(stderr, "pcvm: cannot write %s: %s\n", o->screenshot, strerror(-rc));
    }
    return NULL;
}

/* -d ITEM[,ITEM...]: QEMU's log items; pcvm has "engine" and "unimp". */
static int parse_debug_items(struct vm_config *c, const char *v)
{
    for (const char *p = v;; p++) {
        size_t n = strcspn(p, ",");
        if (n == 6 && !strncmp(p, "engine", 6))
            c->debug_engine = true;
        else if (n == 5 && !strncmp(p, "unimp", 5))
            c->debug_unimp = true;
        else
            return die("-d: unknown log item '%.*s' (pcvm knows: engine, unimp)", (int)n, p);
        p += n;
        if (!*p)
            return 0;
    }
}

int vm_options_parse(struct vm_options *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    o->icount_shift = -1;
    o->vga = -1;
    struct vm_config *c = &o->cfg;
    bool cpu_features = false;

    c->ram_size = 128u << 20;
    c->ncpus = 1;
    c->engine = ENGINE_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char opt[64];
        bool takes;

        /* --info ITEM / --dump-phys FILE[,nozero], also with '=' */
        if (!strncmp(a, "--info", 6) && (!a[6] || a[6] == '=')) {
            const char *item = a[6] ? a + 7 : (i++, v);
            if (!item)
                return die("option %s needs an argument", "--info");
            if (!vm_info_known(item))
                return die("unknown info item '%s' (mode, cr3, tlb, ram)", item);
            if (o->ninfo >= sizeof(o->info) / sizeof(o->info[0]))
                return die("too many --info options%s", "");
            o->info[o->ninfo++] = item;
            continue;
        }
        if (!strcmp(a, "--icount") || !strncmp(a, "--icount=", 9) || !strcmp(a, "-icount")) {
            /* one instruction every 2^shift ns of virtual time, as QEMU's -icount shift=N */
            const char *spec = a[1] == '-' ? (a[8] ? a + 9 : "0") : v;
            uint64_t shift;
            if (a[1] != '-') {
                if (!spec)
                    return die("option %s needs an argument", a);
                i++;
                if (!strncmp(spec, "shift=", 6))
                    spec += 6;
            }
            if (parse_uint_n(spec, strcspn(spec, ","), &shift) < 0 || shift > 10) /* ,align= etc. ignored */
                return die("bad instruction-count shift '%s' (0..10)", spec);
            o->icount_shift = (int)shift;
            continue;
        }
        if (!strncmp(a, "--trace-tb", 10) && (!a[10] || a[10] == '=')) {
            const char *f = a[10] ? a + 11 : (i++, v);
            if (!f || !*f)
                return die("option %s needs an argument", "--trace-tb");
            c->trace_tb_file = f;
            continue;
        }
        if (!strncmp(a, "--cpu-cap", 9) && (!a[9] || a[9] == '=')) {
            const char *num = a[9] ? a + 10 : (i++, v);
            uint64_t pct;
            if (!num || parse_uint_n(num, strlen(num), &pct) < 0 || pct < 1 || pct > 100)
                return die("bad --cpu-cap '%s' (a percentage of a host CPU, 1 to 100)", num ? num : "");
            c->cpu_cap = pct == 100 ? 0 : (unsigned)pct;
            continue;
        }
        /* --rem-tier=1|2, --rem-hot=N: REM's native tier and when it compiles */
        if (!strncmp(a, "--rem-tier=", 11) || !strncmp(a, "--rem-hot=", 10)) {
            bool tier = a[6] == 't';
            const char *num = a + (tier ? 11 : 10);
            uint64_t n;
            if (parse_uint_n(num, strlen(num), &n) < 0 || (tier ? n < 1 || n > 2 : n < 1 || n > 1000000))
                return die("bad %s (--rem-tier=1|2, --rem-hot=1..1000000)", a);
            if (tier)
                c->rem_tier = (unsigned)n;
            else
                c->rem_hot = (unsigned)n;
            continue;
        }
        if (!strncmp(a, "--screenshot", 12) && (!a[12] || a[12] == '=')) {
            const char *f = a[12] ? a + 13 : (i++, v);
            if (!f || !*f)
                return die("option %s needs an argument", "--screenshot");
            o->screenshot = f;
            continue;
        }
        if (!strcmp(a, "--dump-text")) {
            o->dump_text = true;
            continue;
        }
        if (!strncmp(a, "--dump-phys", 11) && (!a[11] || a[11] == '=')) {
            const char *spec = a[11] ? a + 12 : (i++, v);
            size_t n;
            if (!spec || !*spec)
                return die("option %s needs an argument", "--dump-phys");
            n = strcspn(spec, ",");
            if (spec[n] && strcmp(spec + n, ",nozero"))
                return die("bad --dump-phys '%s' (FILE[,nozero])", spec);
            if (n == 0 || n >= sizeof(o->dump_path))
                return die("bad --dump-phys file name '%s'", spec);
            memcpy(o->dump_path, spec, n);
            o->dump_path[n] = 0;
            o->dump_phys = o->dump_path;
            o->dump_nozero = spec[n] != 0;
            continue;
        }

        if (a[0] == '-' && a[1] == '-' && strncmp(a, "--engine", 8) && strncmp(a, "--trace", 7) &&
            strcmp(a, "--max-insns") && strcmp(a, "--help") && strcmp(a, "--version") && strcmp(a, "--debugcon"))
            a++; /* QEMU accepts --opt for -opt */
        snprintf(opt, sizeof(opt), "%s", a);

        if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "-help")) {
            vm_options_usage(stdout);
            return 1;
        }
        int used, qrc = vm_options_qemu(o, a, v, &used); /* options_qemu.c */
        if (qrc >= 0) {
            if (qrc)
                return qrc;
            i += used;
            continue;
        }
        if (!strncmp(a, "--engine=", 9)) {
            static const char *const names[] = {"auto", "iem", "rem", "hm"};
            int k;
            for (k = 0; k < 4 && strcmp(a + 9, names[k]); k++)
                ;
            if (k == 4)
                return die("unknown engine '%s' (iem, rem, hm or auto)", a + 9);
            c->engine = (enum em_engine)k;
            continue;
        }
        if (!strcmp(a, "--trace") || !strncmp(a, "--trace=", 8)) {
            c->trace = true;
            c->trace_file = a[7] == '=' ? a + 8 : NULL;
            continue;
        }
        /* flags */
        if (!strcmp(a, "-nographic")) { o->nographic = true; continue; }
        if (!strcmp(a, "-full-screen")) { o->full_screen = true; continue; }
        if (!strcmp(a, "-no-reboot")) { c->no_reboot = true; continue; }
        if (!strcmp(a, "-no-shutdown")) { c->no_shutdown = true; continue; }
        if (!strcmp(a, "-nodefaults")) { c->nodefaults = true; continue; }
        if (!strcmp(a, "-perfmap")) { c->perfmap = true; continue; }
        if (!strcmp(a, "-enable-kvm")) { c->engine = ENGINE_HM; continue; }
        if (!strcmp(a, "-snapshot")) { c->snapshot = true; continue; }
        if (!strcmp(a, "-s")) { o->gdb = "tcp::1234"; continue; }
        if (!strcmp(a, "-S")) { o->start_stopped = true; continue; }
        if (!strcmp(a, "-cpu-features")) { cpu_features = true; continue; } /* --cpu-features */
        takes = true;
        for (size_t k = 0; k < sizeof(ignored) / sizeof(ignored[0]); k++)
            if (!strcmp(a, ignored[k].name)) {
                if (ignored[k].arg && !v)
                    return die("option %s needs an argument", a);
                i += ignored[k].arg;
                takes = false;
            }
        if (!takes)
            continue;
        /* options with an argument */
        static const char *const with_arg[] = {"-m", "-smp", "-kernel", "-initrd", "-append", "-bios", "-serial",
                                               "-display", "-device", "-accel", "-machine", "-M", "-cpu",
                                               "-debugcon", "--max-insns", "--debugcon", "-vga",
                                               "-hda", "-hdb", "-hdc", "-hdd", "-cdrom", "-drive", "-boot",
                                               "-gdb", "-monitor", "-qmp", "-d"};
        bool known = false;
        for (size_t k = 0; k < sizeof(with_arg) / sizeof(with_arg[0]); k++)
            known |= !strcmp(a, with_arg[k]);
        if (!known)
            return die("unknown option '%s' (see pcvm --help)", argv[i]);
        if (!v)
            return die("option %s needs an argument", a);
        i++;
        int drc = drive_option(o, a, v);
        if (drc >= 0) {
            if (drc)
                return drc;
        } else if (!strcmp(a, "-m")) {
            if (parse_size(v, &c->ram_size) < 0)
                return die("bad memory size '%s' (e.g. -m 128M)", v);
        } else if (!strcmp(a, "-smp")) {
            if (parse_smp(c, v))
                return EXIT_USAGE;
        } else if (!strcmp(a, "-kernel")) {
            c->kernel = v;
        } else if (!strcmp(a, "-initrd")) {
            c->initrd = v;
        } else if (!strcmp(a, "-append")) {
            c->append = v;
        } else if (!strcmp(a, "-bios")) {
            c->bios = v;
        } else if (!strcmp(a, "-serial")) {
            if (c->nserial >= 4)
                return die("too many -serial options (at most 4)%s", "");
            c->serial[c->nserial++] = v;
            o->serial_given = true;
        } else if (!strcmp(a, "-display")) {
            if (strncmp(v, "none", 4) && strncmp(v, "sdl", 3))
                return die("-display '%s' is not supported (sdl or none)", v);
            o->display = v[0] == 's' ? "sdl" : "none";
        } else if (!strcmp(a, "-vga")) {
            if (strcmp(v, "std") && strcmp(v, "none"))
                return die("-vga '%s' is not supported (std or none)", v);
            o->vga = !strcmp(v, "std");
        } else if (!strcmp(a, "-device")) {
            if (c->ndevices >= VM_MAX_OPT_DEVICES)
                return die("too many -device options%s", "");
            c->devices[c->ndevices++] = v;
        } else if (!strcmp(a, "-accel")) {
            if (vm_options_set_accel(o, v) < 0)
                return die("unknown accelerator '%s' (tcg[,tb-size=MiB], kvm or kvm:tcg)", v);
        } else if (!strcmp(a, "-cpu")) {
            char err[320];
            if (cpu_model_check(v, err, sizeof(err)) < 0) /* models and features: cpuid_model.c */
                return die("%s", err);
            c->cpu_model = v;
        } else if (!strcmp(a, "-debugcon")) {
            c->debugcon = v;
        } else if (!strcmp(a, "-gdb") || !strcmp(a, "-monitor") || !strcmp(a, "-qmp")) {
            struct sock_spec ss;
            char err[300];
            bool on_stdio = a[1] == 'm' && (!strcmp(v, "stdio") || !strcmp(v, "mon:stdio") || !strcmp(v, "none"));
            if (!on_stdio && sock_spec_parse(v, &ss, err, sizeof(err)) < 0)
                return die("%s: %s", a, err);
            *(a[1] == 'g' ? &o->gdb : a[1] == 'm' ? &o->monitor : &o->qmp) = v;
        } else if (!strcmp(a, "-d")) {
            if (parse_debug_items(c, v) < 0)
                return EXIT_USAGE;
        } else if (!strcmp(a, "--max-insns")) {
            if (parse_uint(v, &c->max_insns) < 0 || !c->max_insns)
                return die("bad --max-insns '%s' (a whole number of instructions, at least 1)", v);
        }
    }
    if (c->engine == ENGINE_HM) { /* -accel kvm, -enable-kvm, --engine=hm: as QEMU, no KVM is an error */
        char why[160];
        if (o->icount_shift >= 0)
            return die("-icount is not allowed with hardware virtualization (-accel kvm)");
        if (!cpu_features && hm_probe(why, sizeof(why)) < 0)
            return die("-accel kvm: failed to initialize kvm: %s", why);
    }
    if (cpu_features) { /* for the -cpu given (default max): name, implemented, advertised */
        cpu_model_print(stdout, c->cpu_model);
        return 1;
    }
    if (assign_drive_indexes(c) || vm_options_qemu_check(o))
        return EXIT_USAGE;
    if (!o->serial_given && (!c->nodefaults || o->nographic))
        c->serial[c->nserial++] = "stdio";
    if (display_finish(o) != 0)
        return EXIT_USAGE;
    if (!c->kernel && !c->bios)
        return die("nothing to boot: give -kernel FILE or -bios FILE%s", "");
    if (c->initrd && !c->kernel)
        return die("-initrd needs -kernel%s", "");
    return 0;
}

static void stop_servers(struct vm_options *o)
{
    gdbstub_stop(o->gdbstub);
    qmp_stop(o->qmp_server);
    monitor_stop(o->mon);
    o->gdbstub = NULL;
    o->qmp_server = NULL;
    o->mon = NULL;
}

/* The monitor, QMP and the gdb stub; without -monitor, a serial console
 * on a terminal gets the monitor behind Ctrl-A c, as QEMU's -nographic. */
static int start_servers(struct vm_options *o, struct vm *vm)
{
    char err[400];
    const char *mon = o->monitor;
    if (!mon)
        for (unsigned i = 0; i < vm->nchardevs && !mon; i++)
            if (vm->chardevs[i]->in_fd == 0 && vm->chardevs[i]->is_tty)
                mon = "stdio";
    if (o->gdb || o->monitor || o->qmp)
        signal(SIGPIPE, SIG_IGN); /* a client gone is a failed send, not the end of pcvm */
    /* before any server starts, so none can see the VM running under -S */
    if (o->start_stopped)
        vm_request(vm, VM_FF_SUSPEND); /* the vCPUs park before their first instruction */
    if ((mon && strcmp(mon, "none") && monitor_start(vm, mon, &o->mon, err, sizeof(err)) < 0) ||
        (o->qmp && qmp_start(vm, o->qmp, &o->qmp_server, err, sizeof(err)) < 0) ||
        (o->gdb && gdbstub_start(vm, o->gdb, &o->gdbstub, err, sizeof(err)) < 0)) {
        stop_servers(o);
        return die("%s", err);
    }
    return 0;
}

int vm_options_apply(struct vm_options *o, struct vm *vm)
{
    if (o->icount_shift >= 0)
        pc_set_deterministic(vm, (unsigned)o->icount_shift);
    if (o->loadvm || o->print_state) {
        char err[600];
        if (o->print_state)
            return ss_print(vm, o->print_state, stdout, err, sizeof(err)) < 0 ? die("--print-state: %s", err)
                                                                               : 1;
        if (vm_loadvm(vm, o->loadvm, err, sizeof(err)) < 0)
            return die("-loadvm: %s", err);
    }
    if (start_servers(o, vm))
        return EXIT_USAGE;
    if (o->screenshot) {
        o->shot_vm = vm;
        o->shot_thread_started = pthread_create(&o->shot_thread, NULL, shot_thread, o) == 0;
    }
    return 0;
}

int vm_options_finish(struct vm_options *o, struct vm *vm)
{
    int rc = 0;
    stop_servers(o);
    for (unsigned i = 0; i < o->ninfo; i++)
        vm_info(vm, o->info[i], 2);
    if (o->shot_thread_started) { /* wake it with nothing to do, so it ends */
        o->shot_vm = NULL;
        pthread_kill(o->shot_thread, SIGUSR1);
        pthread_join(o->shot_thread, NULL);
        o->shot_thread_started = false;
    }
    if (o->screenshot) {
        int src = vga_screenshot(vm, o->screenshot);
        if (src < 0) {
            fprintf(stderr, "pcvm: cannot write %s: %s\n", o->screenshot,
                    src == -ENODEV ? "no display adapter (-vga none)" : strerror(-src));
            rc = EXIT_USAGE;
        }
    }
    if (o->dump_text) {
        struct dev_vga *v = pc_vga(vm);
        size_t len = 256 * 257;
        char *text = v ? malloc(len) : NULL;
        if (text && vga_text_dump(v, text, len))
            fputs(text, stdout);
        free(text);
        fflush(stdout);
    }
    if (o->dump_phys) {
        int drc = pgm_dump_phys(&vm->pgm, o->dump_phys, o->dump_nozero);
        if (drc < 0) {
            fprintf(stderr, "pcvm: cannot write %s: %s\n", o->dump_phys, strerror(-drc));
            rc = EXIT_USAGE;
        }
    }
    if (vm_finish_outputs(vm))
        rc = EXIT_USAGE;
    return rc;
}
