/* CPU models for -cpu: each is a base feature set in one table (a model
 * names its parent and the features it adds), then +feat/-feat/feat=on|off
 * edit it left to right. What the guest sees is the model's set ANDed with
 * what IEM implements (cpuid.c's leaf table), so a model can never promise an
 * instruction the interpreter lacks, and a feature taken away is gone from
 * CPUID and its instructions raise #UD (handlers ask iem_feat()).
 *
 * "max" is everything implemented, "host" is that ANDed with the host CPU's
 * CPUID, and pcvm's default (no -cpu) is "max". The family/model/signature
 * stay those of cpuid.c for every model: only the feature bits change.
 */
#include <cpuid.h>
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

#define P2 "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 mmx fxsr "
#define Q32 "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "

static const struct model {
    const char *name, *parent, *feats;
} models[] = {
    {"base", NULL, ""},
    {"486", NULL, "fpu vme pse"},
    {"pentium", NULL, "fpu vme de pse tsc msr mce cx8"},
    {"pentium2", NULL, P2},
    {"pentium3", "pentium2", "sse"},
    {"athlon", "pentium3", "syscall"},
    {"qemu32", NULL, Q32},
    {"kvm32", NULL, Q32},
    {"qemu64", NULL, Q32 "cx16 syscall nx lm lahf_lm abm"},
    {"kvm64", NULL, Q32 "cx16 syscall nx lm"},
    {"coreduo", NULL, Q32 "nx"},
    {"n270", "coreduo", "ssse3 movbe lahf_lm"},
    {"core2duo", "coreduo", "ssse3 cx16 syscall lm lahf_lm"},
    {"phenom", "qemu64", "popcnt pdpe1gb rdtscp"},
    {"Nehalem", "core2duo", "sse4.1 sse4.2 popcnt"},
    {"Westmere", "Nehalem", "aes pclmulqdq"},
    {"SandyBridge", "Westmere", "xsave xsaveopt avx tsc-deadline x2apic rdtscp"},
    {"IvyBridge", "SandyBridge", "f16c rdrand fsgsbase smep erms"},
    {"Haswell", "IvyBridge", "fma avx2 bmi1 bmi2 movbe invpcid pcid abm pdpe1gb"},
    {"Broadwell", "Haswell", "adx rdseed smap"},
    {"Skylake-Client", "Broadwell", "xsavec clflushopt"},
    {"max", NULL, NULL},
    {"host", NULL, NULL},
};
#define NMODELS (sizeof(models) / sizeof(models[0]))

/* QEMU accepts these spellings too. */
static const struct { const char *alias, *name; } aliases[] = {
    {"sse3", "pni"}, {"sse4_1", "sse4.1"}, {"sse4_2", "sse4.2"}, {"i64", "lm"}, {"tsc_deadline", "tsc-deadline"},
};

/* QEMU -cpu properties that are not features: accepted and ignored (the
 * signature and brand stay cpuid.c's). */
static bool qemu_property(const char *s, size_t n)
{
    static const char *const props[] = {
        "vendor", "level", "xlevel", "min-level", "min-xlevel", "model-id", "family", "model", "stepping",
        "enforce", "check", "migratable", "l3-cache", "host-phys-bits", "phys-bits", "tsc-frequency", "kvm",
    };
    size_t k = strcspn(s, "=");
    if (k > n)
        k = n;
    if (k >= 3 && !strncmp(s, "hv-", 3))
        return true;
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
        if (strlen(props[i]) == k && !strncmp(s, props[i], k))
            return true;
    return false;
}

static int feat_index(const char *s, size_t n)
{
    for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
        if (strlen(aliases[a].alias) == n && !strncmp(s, aliases[a].alias, n))
            s = aliases[a].name, n = strlen(s);
    for (unsigned f = 0; f < CF_COUNT; f++)
        if (strlen(feats[f].name) == n && !strncmp(s, feats[f].name, n))
            return (int)f;
    return -1;
}

static const struct model *model_find(const char *s, size_t n)
{
    for (size_t i = 0; i < NMODELS; i++)
        if (strlen(models[i].name) == n && !strncmp(s, models[i].name, n))
            return &models[i];
    return NULL;
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

static void model_base(const struct model *md, uint64_t m[2])
{
    if (!md->feats) { /* max and host */
        for (unsigned f = 0; f < CF_COUNT; f++)
            set(m, f, strcmp(md->name, "host") || host_has(f));
        return;
    }
    if (md->parent)
        model_base(model_find(md->parent, strlen(md->parent)), m);
    for (const char *p = md->feats; *p;) {
        size_t n = strcspn(p, " ");
        int f = feat_index(p, n);
        if (f >= 0) /* the table only names known features */
            set(m, (unsigned)f, true);
        p += n;
        p += strspn(p, " ");
    }
}

/* Parses spec into the enabled-feature mask; NULL spec is "max". */
static int model_parse(const char *spec, uint64_t m[2], char *err, unsigned len)
{
    const char *p = spec ? spec : "max";
    size_t n = strcspn(p, ",");
    const struct model *md = model_find(p, n);
    char bad[256] = "";

    m[0] = m[1] = 0;
    if (!md) {
        if (err)
            snprintf(err, len, "unknown CPU model '%.*s'", (int)n, p);
        return -1;
    }
    model_base(md, m);
    for (p += n; *p == ','; p += n) {
        const char *item = ++p, *eq;
        bool on;
        n = strcspn(p, ",");
        size_t fl = n;
        if (qemu_property(item, n))
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
        if (f < 0) {
            size_t bl = strlen(bad);
            snprintf(bad + bl, sizeof(bad) - bl, "%s%.*s", bl ? ", " : "", (int)fl, item);
            continue;
        }
        set(m, (unsigned)f, on);
    }
    if (bad[0]) {
        if (err)
            snprintf(err, len, "unknown CPU feature(s): %s", bad);
        return -1;
    }
    return 0;
}

int cpu_model_check(const char *spec, char *err, unsigned len)
{
    uint64_t m[2];
    return model_parse(spec, m, err, len);
}

void cpu_model_print(FILE *out, const char *spec)
{
    uint64_t m[2];
    if (model_parse(spec, m, NULL, 0) < 0)
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
    if (model_parse(v->vm ? v->vm->cfg.cpu_model : NULL, c->feat, NULL, 0) < 0)
        model_parse(NULL, c->feat, NULL, 0); /* options.c validated it; be safe */
    for (unsigned f = 0; f < CF_COUNT; f++)
        if (!implemented(f))
            set(c->feat, f, false);
    c->feat_ready = 1;
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
        if (feats[f].leaf == leaf && feats[f].sub == sub && !has(v->cpu.feat, f))
            out[feats[f].reg] &= ~(1u << feats[f].bit);
    if (leaf == 1 && has(v->cpu.feat, CF_XSAVE) && (v->cpu.cr4 & CR4_OSXSAVE))
        out[2] |= 1u << 27;
}
