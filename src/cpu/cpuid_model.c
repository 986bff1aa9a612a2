/* CPU models for -cpu: each is a base feature set in one table (a model
 * names its parent and the features it adds), then +feat/-feat/feat=on|off
 * edit it left to right. What the guest sees is the model's set ANDed with
 * what IEM implements (cpuid.c's leaf table), so a model can never promise an
 * instruction the interpreter lacks, and a feature taken away is gone from
 * CPUID and its instructions raise #UD (handlers ask iem_feat()).
 *
 * "max" is everything implemented, "host" is that ANDed with the host CPU's
 * CPUID, and pcvm's default (no -cpu) is "max". The named models are QEMU's
 * (cpuid_qemu.c), with their vendor, signature, level/xlevel and model-id;
 * vendor=, family=, model=, stepping=, level=, xlevel= and model-id= change
 * them. A flag QEMU knows that pcvm lacks (svm, vmx, avx512f...) is a
 * warning and stays off, as under QEMU's TCG; any other name is an error.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpufeat.h"

struct feat_def {
    const char *name;
    uint32_t leaf;
    uint8_t sub, reg, bit;
};

#define FEAT_DEF(id, n, l, s, r, b) [CF_##id] = {n, l, s, r, b},
static const struct feat_def feats[CF_COUNT] = {CPU_FEAT_LIST(FEAT_DEF)};

/* QEMU accepts these spellings too. */
static const struct { const char *alias, *name; } aliases[] = {
    {"sse3", "pni"}, {"sse4_1", "sse4.1"}, {"sse4_2", "sse4.2"}, {"i64", "lm"}, {"tsc_deadline", "tsc-deadline"},
};

/* QEMU -cpu properties that are not features: accepted and ignored (the
 * signature and brand stay cpuid.c's). */
static bool qemu_property(const char *s, size_t n)
{
    static const char *const props[] = {
        "min-level", "min-xlevel", "enforce", "check", "migratable", "l3-cache", "host-phys-bits", "phys-bits",
        "tsc-frequency", "kvm", "pmu", "lmce", "host-cache-info", "fill-mtrr-mask", "full-cpuid-auto-level",
        "legacy-cache", "xlevel2", "ucode-rev", "tcg-cpuid", "vmware-cpuid-freq", "kvm-no-smi-migration",
        "cpuid-0xb", "lbr-fmt", "intel-pt-auto-level", "hv-passthrough",
    };
    size_t k = strcspn(s, "=");
    if (k > n)
        k = n;
    if (k >= 3 && (!strncmp(s, "hv-", 3) || !strncmp(s, "hv_", 3) || !strncmp(s, "x-", 2)))
        return true;
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
        if (strlen(props[i]) == k && !strncmp(s, props[i], k))
            return true;
    return false;
}

static int feat_index(const char *s, size_t n)
{
    for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
        if (cpu_flag_name_eq(s, n, aliases[a].alias))
            s = aliases[a].name, n = strlen(s);
    for (unsigned f = 0; f < CF_COUNT; f++)
        if (cpu_flag_name_eq(s, n, feats[f].name))
            return (int)f;
    return -1;
}

static bool host_has(unsigned f)
{
    unsigned r[4] = {0, 0, 0, 0}, max = __get_cpuid_max(feats[f].leaf & 0x80000000u, NULL);
    if (feats[f].leaf > max)
        return false;
    __cpuid_count(feats[f].leaf, feats[f].sub, r[0], r[1], r[2], r[3]);
    return (r[feats[f].reg] >> feats[f].bit) & 1;
}

/* Floating point executes on the host's SIMD unit (iem_sse_host.c,
 * iem_avx_host.c), so a feature with host-run instructions exists only
 * where the host has it: SSE3 (ADDSUBPS, HADDPS...), SSE4.1 (ROUNDPS,
 * DPPS...), and AVX, AVX2, FMA and F16C, which also need the host OS to
 * have enabled the YMM state (CPUID.1:ECX.OSXSAVE, XCR0[2:1] = 11b).
 * SSE and SSE2 are part of x86-64, which pcvm requires. */
static bool needs_host_avx(unsigned f)
{
    return f == CF_AVX || f == CF_AVX2 || f == CF_FMA || f == CF_F16C;
}

static bool needs_host(unsigned f)
{
    return f == CF_SSE3 || f == CF_SSE41 || needs_host_avx(f);
}

static bool host_avx_state(void)
{
    unsigned a, b, c, d;
    uint32_t lo, hi;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 27)))
        return false;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6;
}

static bool host_can_run(unsigned f)
{
    return host_has(f) && (!needs_host_avx(f) || (host_has(CF_AVX) && host_avx_state()));
}

static bool implemented(unsigned f)
{
    uint32_t r[4];
    iem_cpuid_impl(feats[f].leaf, feats[f].sub, r);
    if (needs_host(f) && !host_can_run(f))
        return false;
    return (r[feats[f].reg] >> feats[f].bit) & 1;
}

static void set(uint64_t m[2], unsigned f, bool on)
{
    if (on)
        m[f / 64] |= 1ull << (f % 64);
    else
        m[f / 64] &= ~(1ull << (f % 64));
}

static bool has(const uint64_t m[2], unsigned f)
{
    return (m[f / 64] >> (f % 64)) & 1;
}

static void model_base(const struct cpu_model_def *md, uint64_t m[2])
{
    if (!md->feats) { /* max and host */
        for (unsigned f = 0; f < CF_COUNT; f++)
            set(m, f, strcmp(md->name, "host") || host_has(f));
        return;
    }
    for (const char *p = md->feats; *p;) {
        size_t n = strcspn(p, " ");
        int f = feat_index(p, n);
        if (f >= 0) /* the table only names known features */
            set(m, (unsigned)f, true);
        p += n;
        p += strspn(p, " ");
    }
}

static void ident_init(struct cpu_ident *id, const struct cpu_model_def *md, unsigned fms[3])
{
    memcpy(id->vendor, md->vendor, sizeof(id->vendor));
    id->level = md->level;
    id->xlevel = md->xlevel;
    memset(id->brand, 0, sizeof(id->brand));
    memcpy(id->brand, md->model_id, strnlen(md->model_id, sizeof(id->brand)));
    fms[0] = md->family, fms[1] = md->model, fms[2] = md->stepping;
}

/* Leaf 1 EAX from family, model, stepping: family above 15 goes to the
 * extended family, the model's high nibble to the extended model. */
static uint32_t signature(const unsigned fms[3])
{
    unsigned fam = fms[0];
    return (fms[2] & 0xf) | (fms[1] & 0xf) << 4 | (fam > 15 ? 15 : fam) << 8 | ((fms[1] >> 4) & 0xf) << 16 |
           (fam > 15 ? fam - 15 : 0) << 20;
}

/* vendor=, family=, model=, stepping=, level=, xlevel=, model-id=: 1 when
 * item is one of them (applied to id), 0 when not, -1 on a bad value. */
static int ident_property(const char *item, size_t n, struct cpu_ident *id, unsigned fms[3], char *err,
                          unsigned len)
{
    static const struct { const char *key; uint64_t max; } nums[] = {
        {"family", 0xff + 0xf}, {"model", 0xff}, {"stepping", 0xf}, {"level", 0xffffffffu}, {"xlevel", 0xffffffffu},
    };
    const char *eq = memchr(item, '=', n);
    size_t k = eq ? (size_t)(eq - item) : n, vl = eq ? n - k - 1 : 0;
    char val[64];

    if (!eq)
        return 0;
    if (vl >= sizeof(val))
        vl = sizeof(val) - 1;
    memcpy(val, eq + 1, vl);
    val[vl] = 0;
    if (k == 6 && !strncmp(item, "vendor", 6)) {
        if (vl != 12) {
            if (err)
                snprintf(err, len, "bad -cpu vendor '%s' (12 characters, e.g. GenuineIntel, AuthenticAMD)", val);
            return -1;
        }
        memcpy(id->vendor, val, 12);
        return 1;
    }
    if (k == 8 && !strncmp(item, "model-id", 8)) {
        memset(id->brand, 0, sizeof(id->brand));
        memcpy(id->brand, val, vl < sizeof(id->brand) ? vl : sizeof(id->brand) - 1);
        return 1;
    }
    for (unsigned i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        if (strlen(nums[i].key) != k || strncmp(item, nums[i].key, k))
            continue;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(val, &end, 0);
        if (errno || end == val || *end || v > nums[i].max) {
            if (err)
                snprintf(err, len, "bad -cpu %s=%s (0 to %#llx)", nums[i].key, val,
                         (unsigned long long)nums[i].max);
            return -1;
        }
        if (i < 3)
            fms[i] = (unsigned)v;
        else if (i == 3)
            id->level = (uint32_t)v;
        else
            id->xlevel = (uint32_t)v;
        return 1;
    }
    return 0;
}

/* Parses spec into the enabled-feature mask and the identity; NULL spec is
 * "max". warn: print QEMU-known, unimplemented features asked for. */
static int model_parse(const char *spec, uint64_t m[2], struct cpu_ident *id, bool warn, char *err, unsigned len)
{
    const char *p = spec ? spec : "max";
    size_t n = strcspn(p, ",");
    const struct cpu_model_def *md = cpu_model_def_find(p, n);
    char bad[256] = "";
    struct cpu_ident scratch;
    unsigned fms[3];

    m[0] = m[1] = 0;
    if (!id)
        id = &scratch;
    if (!md) {
        if (err)
            snprintf(err, len, "unknown CPU model '%.*s' (pcvm -cpu help lists them)", (int)n, p);
        return -1;
    }
    model_base(md, m);
    ident_init(id, md, fms);
    for (p += n; *p == ','; p += n) {
        const char *item = ++p, *eq;
        bool on;
        n = strcspn(p, ",");
        size_t fl = n;
        int ir = ident_property(item, n, id, fms, err, len);
        if (ir < 0)
            return -1;
        if (ir > 0 || qemu_property(item, n))
            continue;
        if (*item == '+' || *item == '-') {
            on = *item == '+';
            item++, fl--;
        } else if ((eq = memchr(item, '=', n))) {
            const char *val = eq + 1;
            size_t vl = n - (size_t)(val - item);
            fl = (size_t)(eq - item);
            if ((vl == 2 && !strncmp(val, "on", 2)) || (vl == 4 && !strncmp(val, "true", 4)))
                on = true;
            else if ((vl == 3 && !strncmp(val, "off", 3)) || (vl == 5 && !strncmp(val, "false", 5)))
                on = false;
            else {
                if (err)
                    snprintf(err, len, "bad value in CPU feature '%.*s' (on or off)", (int)n, item);
                return -1;
            }
        } else {
            if (err)
                snprintf(err, len, "bad CPU feature syntax '%.*s' (+feat, -feat or feat=on|off)", (int)n, item);
            return -1;
        }
        int f = feat_index(item, fl);
        if (f < 0 && cpu_qemu_flag_known(item, fl)) {
            if (warn && on)
                fprintf(stderr, "pcvm: warning: pcvm does not support requested feature: %.*s\n", (int)fl, item);
            continue;
        }
        if (f < 0) {
            size_t bl = strlen(bad);
            snprintf(bad + bl, sizeof(bad) - bl, "%s%.*s", bl ? ", " : "", (int)fl, item);
            continue;
        }
        if (warn && on && !implemented((unsigned)f))
            fprintf(stderr, "pcvm: warning: pcvm does not support requested feature: %.*s\n", (int)fl, item);
        set(m, (unsigned)f, on);
    }
    if (bad[0]) {
        if (err)
            snprintf(err, len, "unknown CPU feature(s): %s", bad);
        return -1;
    }
    id->signature = signature(fms);
    id->amd = memcmp(id->vendor, "GenuineIntel", 12) != 0;
    return 0;
}

int cpu_model_check(const char *spec, char *err, unsigned len)
{
    uint64_t m[2];
    return model_parse(spec, m, NULL, true, err, len);
}

bool cpu_model_has_lm(const char *spec)
{
    uint64_t m[2];
    return model_parse(spec, m, NULL, false, NULL, 0) == 0 && has(m, CF_LM);
}

void cpu_model_print(FILE *out, const char *spec)
{
    uint64_t m[2];
    if (model_parse(spec, m, NULL, false, NULL, 0) < 0)
        return;
    fprintf(out, "%-14s %-12s %s\n", "feature", "implemented", "advertised");
    for (unsigned f = 0; f < CF_COUNT; f++) {
        bool impl = implemented(f);
        fprintf(out, "%-14s %-12s %s\n", feats[f].name, impl ? "yes" : "no", impl && has(m, f) ? "yes" : "no");
    }
    fprintf(out, "(pni, sse4.1, avx, avx2, fma and f16c run on the host's SIMD unit; this host has:");
    for (unsigned f = 0; f < CF_COUNT; f++)
        if (needs_host(f))
            fprintf(out, " %s=%s", feats[f].name, host_can_run(f) ? "yes" : "no");
    fprintf(out, ")\n");
}

static void ensure_ready(struct vcpu *v)
{
    struct cpu *c = &v->cpu;
    if (c->feat_ready)
        return;
    if (model_parse(v->vm ? v->vm->cfg.cpu_model : NULL, c->feat, &c->ident, false, NULL, 0) < 0)
        model_parse(NULL, c->feat, &c->ident, false, NULL, 0); /* options.c validated it; be safe */
    for (unsigned f = 0; f < CF_COUNT; f++) {
        /* a feature in a leaf beyond level/xlevel is not there */
        uint32_t top = feats[f].leaf & 0x80000000u ? c->ident.xlevel : c->ident.level;
        if (!implemented(f) || feats[f].leaf > top ||
            ((feats[f].leaf & 0x80000000u) && top < 0x80000000u) ||
            (v->vm && v->vm->feat_filter &&
             !v->vm->feat_filter(v->vm, feats[f].leaf, feats[f].sub, feats[f].reg, feats[f].bit)))
            set(c->feat, f, false);
    }
    c->feat_ready = 1;
}

const struct cpu_ident *iem_cpu_ident(struct vcpu *v)
{
    ensure_ready(v);
    return &v->cpu.ident;
}

bool iem_feat(struct vcpu *v, unsigned f)
{
    ensure_ready(v);
    return f < CF_COUNT && has(v->cpu.feat, f);
}

uint64_t iem_xcr0_supported(struct vcpu *v)
{
    if (!iem_feat(v, CF_XSAVE))
        return 0;
    return XCR0_X87 | XCR0_SSE | (iem_feat(v, CF_AVX) ? XCR0_AVX : 0);
}

/* Leaf 0xD: the XSAVE area is the 512-byte legacy region, the 64-byte
 * header, then the AVX component (YMM_Hi128) at 576, 256 bytes. */
static void leaf_d(struct vcpu *v, uint32_t sub, uint32_t out[4])
{
    uint64_t sup = iem_xcr0_supported(v);
    memset(out, 0, 4 * sizeof(uint32_t));
    if (!sup)
        return;
    switch (sub) {
    case 0:
        out[0] = (uint32_t)sup;
        out[1] = (v->cpu.xcr0 & XCR0_AVX) ? 832 : 576;
        out[2] = (sup & XCR0_AVX) ? 832 : 576;
        break;
    case 1:
        out[0] = (iem_feat(v, CF_XSAVEOPT) ? 1u : 0) | (iem_feat(v, CF_XSAVEC) ? 2u : 0);
        /* the compacted size for XCR0 | IA32_XSS (no XSAVES: XSS is 0);
         * Linux sizes its XSAVEC buffers from it when XSAVES is absent */
        if (iem_feat(v, CF_XSAVEC))
            out[1] = (v->cpu.xcr0 & XCR0_AVX) ? 832 : 576;
        break;
    case 2:
        if (sup & XCR0_AVX)
            out[0] = 256, out[1] = 576;
        break;
    default:
        break;
    }
}

void cpuid_model_apply(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    if (leaf == 0xd) {
        leaf_d(v, sub, out);
        return;
    }
    ensure_ready(v);
    for (unsigned f = 0; f < CF_COUNT; f++)
        /* only leaf 7 has subleaves among the features: elsewhere ECX is ignored */
        if (feats[f].leaf == leaf && (leaf != 7 || feats[f].sub == sub) && !has(v->cpu.feat, f))
            out[feats[f].reg] &= ~(1u << feats[f].bit);
    if (leaf == 1 && has(v->cpu.feat, CF_XSAVE) && (v->cpu.cr4 & CR4_OSXSAVE))
        out[2] |= 1u << 27;
}
