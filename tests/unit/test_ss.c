/* Saved state (src/vm/ss*.c): a round trip through a file, printing, the
 * field codec's versions, and corrupt, truncated and foreign files, each
 * refused with one line and the VM left as it was. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "vm/clock.h"
#include "vm/ss_priv.h"

static struct vm *make_vm(uint64_t ram, unsigned ncpus)
{
    struct vm_config cfg = {.ram_size = ram, .ncpus = ncpus, .nodefaults = true};
    struct vm *vm;
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    clock_set_icount(vm->clock, true, 0); /* time stands still: saves are reproducible */
    return vm;
}

static char *tmp_path(const char *tag)
{
    static char buf[4][256];
    static unsigned k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "/tmp/pcvm-ss-%d-%s", (int)getpid(), tag);
    return p;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *b = malloc(*len + 1);
    cr_assert_eq(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void write_all(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* Some state everywhere: RAM (with zero pages between), registers, the
 * PIC's mask, a PIT count, a CMOS byte. */
static void scribble(struct vm *vm)
{
    struct cpu *c = &vm->cpus[0].cpu;
    static const char msg[] = "saved state test pattern";
    for (uint64_t a = 0x1000; a < vm->pgm.ram_size; a += 0x123000)
        pgm_load(&vm->pgm, a, msg, sizeof(msg));
    for (unsigned i = 0; i < 16; i++) {
        c->gpr[i] = 0x1111111111111111ull * i;
        memset(c->xmm[i], 0x40 + i, 16);
        memset(c->ymmh[i], 0x80 + i, 16);
    }
    c->rip = 0x12345;
    c->fcw = 0x37f;
    memset(c->fpr[3], 0x5a, 10);
    vm->cpus[0].insns = 987654321;
    bus_pio_write(&vm->bus, 0x21, 0xab, 1); /* PIC master IMR */
    bus_pio_write(&vm->bus, 0x43, 0x34, 1); /* PIT counter 0, mode 2 */
    bus_pio_write(&vm->bus, 0x40, 0x00, 1);
    bus_pio_write(&vm->bus, 0x40, 0x10, 1);
    bus_pio_write(&vm->bus, 0x70, 0x40, 1); /* CMOS byte 0x40 */
    bus_pio_write(&vm->bus, 0x71, 0x5a, 1);
}

Test(ss, round_trip_restores_everything)
{
    struct vm *a = make_vm(16 << 20, 1), *b = make_vm(16 << 20, 1);
    char err[600] = "";
    const char *f1 = tmp_path("rt1"), *f2 = tmp_path("rt2");
    size_t n1, n2;

    scribble(a);
    cr_assert_eq(ss_save(a, f1, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(ss_load(b, f1, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(memcmp(a->pgm.ram, b->pgm.ram, a->pgm.ram_size), 0, "RAM differs after the load");
    cr_assert_eq(b->cpus[0].cpu.gpr[7], a->cpus[0].cpu.gpr[7]);
    cr_assert_eq(memcmp(b->cpus[0].cpu.ymmh, a->cpus[0].cpu.ymmh, sizeof(a->cpus[0].cpu.ymmh)), 0);
    cr_assert_eq(memcmp(b->cpus[0].cpu.fpr, a->cpus[0].cpu.fpr, sizeof(a->cpus[0].cpu.fpr)), 0);
    cr_assert_eq(b->cpus[0].cpu.rip, 0x12345);
    cr_assert_eq(b->cpus[0].insns, 987654321);
    cr_assert_eq(bus_pio_read(&b->bus, 0x21, 1), 0xab, "PIC mask");
    bus_pio_write(&b->bus, 0x70, 0x40, 1);
    cr_assert_eq(bus_pio_read(&b->bus, 0x71, 1), 0x5a, "CMOS byte");
    /* everything that was saved came back: saving again gives the same file */
    cr_assert_eq(ss_save(b, f2, err, sizeof(err)), 0, "%s", err);
    uint8_t *x = read_all(f1, &n1), *y = read_all(f2, &n2);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(x, y, n1), 0, "a loaded VM saves a different state");
    cr_assert_lt(n1, 64 << 10, "16 MiB of mostly zero RAM must compress (%zu bytes)", n1);
    free(x);
    free(y);
    unlink(f1);
    unlink(f2);
    vm_destroy(a);
    vm_destroy(b);
}

Test(ss, print_names_units_and_fields)
{
    struct vm *a = make_vm(16 << 20, 2);
    char err[600] = "", *text = NULL;
    size_t len = 0;
    const char *f = tmp_path("pr");
    scribble(a);
    cr_assert_eq(ss_save(a, f, err, sizeof(err)), 0, "%s", err);
    FILE *out = open_memstream(&text, &len);
    cr_assert_eq(ss_print(a, f, out, err, sizeof(err)), 0, "%s", err);
    fclose(out);
    char found[6] = {
        strstr(text, "cpu #1 (version 2") != NULL,
        strstr(text, "  cpu.rip = 0x12345\n") != NULL,
        strstr(text, "pic #0") != NULL,
        strstr(text, "cpus[1].id = 0x00000001") != NULL,
        strstr(text, "pages not all zero = ") != NULL,
        strstr(text, "end #0") != NULL,
    };
    free(text); /* before the assertions, which end the test */
    unlink(f);
    vm_destroy(a);
    cr_assert(found[0], "the second vCPU's unit");
    cr_assert(found[1], "the vCPU's fields by name");
    cr_assert(found[2], "the PIC's unit");
    cr_assert(found[3], "the second local APIC");
    cr_assert(found[4], "PGM's page count");
    cr_assert(found[5], "the end marker");
}

/* A field added in version 2 keeps its value when a version 1 unit loads. */
struct demo {
    uint32_t a;
    bool b;
    uint64_t added;
};
static const struct ss_field demo_fields[] = {
    SS_FIELD(struct demo, a, U32),
    SS_FIELD_MAX(struct demo, b, BOOL, 1),
    SS_FIELD_V(struct demo, added, U64, 2),
    SS_END,
};

Test(ss, older_unit_versions_load_with_defaults)
{
    uint8_t v1[5] = {0x78, 0x56, 0x34, 0x12, 1};
    struct demo d = {0, false, 42};
    char err[200] = "";
    struct ss_in in = {v1, sizeof(v1), 0};
    cr_assert_eq(ss_fields_load(&in, demo_fields, 1, &d, true, "demo", err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(d.a, 0x12345678);
    cr_assert(d.b);
    cr_assert_eq(d.added, 42, "a field newer than the unit keeps its default");
    cr_assert_eq(in.pos, 5);
    in = (struct ss_in){v1, sizeof(v1), 0};
    cr_assert_lt(ss_fields_load(&in, demo_fields, 2, &d, true, "demo", err, sizeof(err)), 0,
                 "version 2 needs the added field");
    v1[4] = 2;
    in = (struct ss_in){v1, sizeof(v1), 0};
    cr_assert_lt(ss_fields_load(&in, demo_fields, 1, &d, true, "demo", err, sizeof(err)), 0);
    cr_assert(strstr(err, "out of range"), "a bool that is 2: %s", err);
}

/* --- bad files --- */

struct unit_pos {
    size_t start, len_at, body, end; /* end: the CRC's offset */
    char name[40];
};

static unsigned units_of(const uint8_t *b, size_t n, struct unit_pos *u, unsigned max)
{
    size_t p = 12;
    unsigned k = 0;
    while (p < n && k < max) {
        uint8_t nl = b[p];
        uint64_t len;
        u[k].start = p;
        memcpy(u[k].name, b + p + 1, nl);
        u[k].name[nl] = 0;
        u[k].len_at = p + 1 + nl + 8;
        memcpy(&len, b + u[k].len_at, 8);
        u[k].body = u[k].len_at + 8;
        u[k].end = u[k].body + len;
        p = u[k].end + 4;
        k++;
    }
    return k;
}

static void fix_crc(uint8_t *b, const struct unit_pos *u)
{
    uint64_t len;
    memcpy(&len, b + u->len_at, 8);
    size_t end = u->body + len;
    uint32_t crc = (uint32_t)crc32(0, b + u->start, (uInt)(end - u->start));
    memcpy(b + end, &crc, 4);
}

/* The load fails with one line (and, when want is given, says it). */
static void expect_refused(struct vm *vm, const char *path, const void *b, size_t len, const char *want,
                           const char *what)
{
    char err[600] = "";
    write_all(path, b, len);
    cr_assert_lt(ss_load(vm, path, err, sizeof(err)), 0, "%s: loaded", what);
    cr_assert(err[0] && !strchr(err, '\n'), "%s: not one line: '%s'", what, err);
    if (want)
        cr_assert(strstr(err, want), "%s: '%s' does not say '%s'", what, err, want);
}

Test(ss, corrupt_truncated_and_foreign_files_are_refused, .timeout = 600)
{
    struct vm *a = make_vm(16 << 20, 1), *b = make_vm(16 << 20, 1);
    char err[600] = "";
    const char *good = tmp_path("good"), *bad = tmp_path("bad"), *before = tmp_path("before"),
               *after = tmp_path("after");
    struct unit_pos u[64];
    size_t n, n0, n1;

    scribble(a);
    cr_assert_eq(ss_save(a, good, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(ss_save(b, before, err, sizeof(err)), 0, "%s", err);
    uint8_t *g = read_all(good, &n), *c = malloc(n + 64);
    unsigned nu = units_of(g, n, u, 64);
    cr_assert_geq(nu, 10);
    cr_assert_str_eq(u[nu - 1].name, "end");

    expect_refused(b, bad, "PCVMSAV", 7, "too short", "7 bytes");
    memcpy(c, g, n);
    c[0] = 'X';
    expect_refused(b, bad, c, n, "wrong magic", "magic");
    memcpy(c, g, n);
    c[8] = 9;
    expect_refused(b, bad, c, n, "format", "format version");

    /* a bit flipped anywhere: every byte is checked (magic, format, CRC) */
    for (size_t i = 0; i < n; i++) {
        memcpy(c, g, n);
        c[i] ^= (uint8_t)(1u << (i % 8));
        expect_refused(b, bad, c, n, NULL, "bit flip");
    }
    /* cut at every unit boundary and around it, and every 61st byte */
    for (unsigned k = 0; k < nu; k++)
        for (int d = -1; d <= 1; d++) {
            size_t cut = u[k].start + (size_t)d;
            if (cut < n)
                expect_refused(b, bad, g, cut, NULL, "cut at a unit boundary");
            cut = u[k].body + (size_t)d;
            expect_refused(b, bad, g, cut, NULL, "cut at a unit body");
        }
    for (size_t cut = 0; cut < n; cut += 61)
        expect_refused(b, bad, g, cut, NULL, "cut");
    memcpy(c, g, n);
    memcpy(c + n, "tail", 4);
    expect_refused(b, bad, c, n + 4, "follow the end marker", "trailing bytes");

    /* absurd lengths, the CRC made to match so the length itself is judged */
    static const uint64_t lens[] = {UINT64_MAX, 1ull << 62, 1ull << 40, 0x7fffffff};
    for (unsigned k = 0; k < nu; k++)
        for (unsigned j = 0; j < 4; j++) {
            memcpy(c, g, n);
            memcpy(c + u[k].len_at, &lens[j], 8);
            expect_refused(b, bad, c, n, "truncated", "absurd unit length");
        }
    for (unsigned k = 0; k < nu; k++) {
        if (u[k].end == u[k].body)
            continue;
        memcpy(c, g, n);
        uint64_t shorter = u[k].end - u[k].body - 1;
        memcpy(c + u[k].len_at, &shorter, 8);
        memmove(c + u[k].body + shorter, c + u[k].end, n - u[k].end);
        struct unit_pos v = u[k];
        fix_crc(c, &v);
        expect_refused(b, bad, c, n - 1, NULL, "a unit one byte short, CRC matching");
    }

    /* a unit newer than the code; a bool out of range; the PGM's chunk
     * length absurd: each with a matching CRC */
    for (unsigned k = 0; k < nu; k++) {
        if (!strcmp(u[k].name, "pic")) {
            memcpy(c, g, n);
            uint32_t ver = 2;
            memcpy(c + u[k].start + 1 + 3, &ver, 4);
            fix_crc(c, &u[k]);
            expect_refused(b, bad, c, n, "version 2", "newer unit");
            memcpy(c, g, n);
            c[u[k].end - 1] = 7; /* intr, a bool */
            fix_crc(c, &u[k]);
            expect_refused(b, bad, c, n, "out of range", "bool 7");
        }
        if (!strcmp(u[k].name, "pgm")) {
            size_t chunk = u[k].body + 9; /* after ram_size and a20 */
            size_t p = chunk;
            uint16_t map;
            for (;; p += 2) { /* the first chunk with data */
                memcpy(&map, g + p, 2);
                if (map)
                    break;
            }
            memcpy(c, g, n);
            uint32_t huge = 0xfffffff0u;
            memcpy(c + p + 2, &huge, 4);
            fix_crc(c, &u[k]);
            expect_refused(b, bad, c, n, "shorter", "absurd compressed length");
            memcpy(c, g, n);
            c[p + 6] ^= 0xff; /* the zlib stream itself */
            fix_crc(c, &u[k]);
            expect_refused(b, bad, c, n, "decompress", "corrupt zlib data");
        }
    }

    /* another machine */
    struct vm *big = make_vm(32 << 20, 1), *two = make_vm(16 << 20, 2);
    expect_refused(big, bad, g, n, "configuration does not match", "32 MiB VM");
    expect_refused(two, bad, g, n, "configuration does not match", "2 vCPUs");
    vm_destroy(big);
    vm_destroy(two);

    /* after all of that, b is as it was */
    cr_assert_eq(ss_save(b, after, err, sizeof(err)), 0, "%s", err);
    uint8_t *x = read_all(before, &n0), *y = read_all(after, &n1);
    cr_assert(n0 == n1 && !memcmp(x, y, n0), "a refused load changed the VM");
    /* and the good file still loads */
    cr_assert_eq(ss_load(b, good, err, sizeof(err)), 0, "%s", err);
    free(x);
    free(y);
    free(g);
    free(c);
    unlink(good);
    unlink(bad);
    unlink(before);
    unlink(after);
    vm_destroy(a);
    vm_destroy(b);
}

Test(ss, a_device_without_a_description_fails_the_save)
{
    struct vm *a = make_vm(16 << 20, 1);
    char err[600] = "";
    const char *f = tmp_path("nodesc");
    static int dummy;
    cr_assert_eq(bus_add_device(&a->bus, "frobnicator", &dummy, NULL, NULL), 0);
    cr_assert_lt(ss_save(a, f, err, sizeof(err)), 0);
    cr_assert(strstr(err, "'frobnicator'") && !strchr(err, '\n'), "%s", err);
    cr_assert_neq(access(f, F_OK), 0, "nothing written");
    vm_destroy(a);
}
