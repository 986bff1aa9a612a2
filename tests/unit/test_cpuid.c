/*
 * -cpu models and CPUID consistency (in the "sse" suite, to keep one SIMD
 * suite): model names and +feat/-feat/feat=on|off parsing with errors that
 * name the bad features, a removed feature's CPUID bit really clear, and the
 * model never advertising what IEM lacks.
 */
#include <cpuid.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/iem.h"
#include "vm/vm.h"

Test(sse, cpu_model_parsing)
{
    char err[320];
    static const char *const ok[] = {
        "qemu64", "qemu32", "max", "host", "base", "kvm64", "pentium3", "Haswell", "Skylake-Client",
        "qemu64,+sse4.2,-sse2", "max,avx2=off,pcid=on", "Nehalem,+aes,sse4_1=off", "qemu64,+pni,-x2apic",
        "max,vendor=GenuineIntel", "qemu64,enforce,level=13,model-id=x,hv-relaxed",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_assert_eq(cpu_model_check(ok[i], err, sizeof err), 0, "%s: %s", ok[i], err);
    cr_assert_eq(cpu_model_check("pentium9", err, sizeof err), -1);
    cr_assert(strstr(err, "pentium9"), "%s", err);
    cr_assert_eq(cpu_model_check("qemu64,+sse9,-foo,+avx2", err, sizeof err), -1);
    cr_assert(strstr(err, "sse9") && strstr(err, "foo") && !strstr(err, "avx2"), "names the unknown ones: %s", err);
    cr_assert_eq(cpu_model_check("qemu64,sse2", err, sizeof err), -1, "bare feature: bad syntax");
    cr_assert_eq(cpu_model_check("qemu64,sse2=maybe", err, sizeof err), -1);
}

static struct vm *model_vm(const char *spec)
{
    struct vm_config cfg = {.ram_size = 4u << 20, .ncpus = 1, .nodefaults = true, .cpu_model = spec};
    char err[256] = "";
    struct vm *m = NULL;
    cr_assert_eq(vm_create(&cfg, &m, err, sizeof err), 0, "vm_create: %s", err);
    return m;
}

static uint32_t leaf(struct vm *m, uint32_t l, unsigned reg)
{
    uint32_t r[4];
    iem_cpuid(&m->cpus[0], l, 0, r);
    return r[reg];
}

/* The host has the feature (leaf, register 0-3, bit) and its OS enabled YMM state. */
static bool host_avx(unsigned l, unsigned reg, unsigned bit)
{
    unsigned r[4], lo, hi;
    __cpuid(1, r[0], r[1], r[2], r[3]);
    if (!(r[2] & (1u << 27)) || !(r[2] & (1u << 28)))
        return false;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    __cpuid_count(l, 0, r[0], r[1], r[2], r[3]);
    return (lo & 6) == 6 && ((r[reg] >> bit) & 1);
}

Test(sse, cpu_model_cpuid_bits)
{
    struct vm *m = model_vm("qemu64,-sse2,+aes");
    cr_assert_not(leaf(m, 1, 3) & (1u << 26), "-sse2 clears CPUID.1:EDX[26]");
    cr_assert(leaf(m, 1, 3) & (1u << 25), "qemu64 has SSE");
    cr_assert(leaf(m, 1, 2) & (1u << 25), "+aes sets CPUID.1:ECX[25]");
    cr_assert_not(leaf(m, 1, 2) & (1u << 19), "qemu64 has no SSE4.1");
    cr_assert_not(leaf(m, 7, 1) & (1u << 3), "qemu64 has no BMI1");
    cr_assert(leaf(m, 0x80000001u, 3) & (1u << 29), "qemu64 is 64-bit");
    vm_destroy(m);
    m = model_vm("qemu32");
    cr_assert_not(leaf(m, 0x80000001u, 3) & (1u << 29), "qemu32 has no long mode");
    vm_destroy(m);
    /* AVX/AVX2 floating point runs on the host: advertised only where the host has it */
    m = model_vm("max,+avx,+avx2");
    cr_assert_eq(!!(leaf(m, 1, 2) & (1u << 28)), host_avx(1, 2, 28), "AVX as the host");
    cr_assert_eq(!!(leaf(m, 7, 1) & (1u << 5)), host_avx(7, 1, 5), "AVX2 as the host");
    cr_assert_eq(!!(leaf(m, 1, 2) & (1u << 12)), host_avx(1, 2, 12), "FMA as the host");
    cr_assert_eq(!!(leaf(m, 1, 2) & (1u << 29)), host_avx(1, 2, 29), "F16C as the host");
    cr_assert(leaf(m, 1, 2) & (1u << 20), "max: SSE4.2");
    cr_assert(leaf(m, 1, 2) & (1u << 1), "max: PCLMULQDQ");
    cr_assert(leaf(m, 1, 2) & (1u << 30), "max: RDRAND");
    cr_assert(leaf(m, 7, 1) & (1u << 18), "max: RDSEED");
    vm_destroy(m);
    m = model_vm(NULL);
    cr_assert(leaf(m, 1, 2) & (1u << 25), "default model is max");
    vm_destroy(m);
}

Test(sse, cpu_features_listing)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cpu_model_print(f, "Westmere,-aes");
    fclose(f);
    cr_assert(strstr(buf, "aes            yes          no"), "%s", buf);
    cr_assert(strstr(buf, "pclmulqdq      yes          yes"));
    cr_assert(strstr(buf, host_avx(1, 2, 28) ? "avx            yes          no" : "avx            no           no"), "%s",
              buf);
    cr_assert(strstr(buf, "run on the host's SIMD unit"), "the host's AVX is stated: %s", buf);
    cr_assert(strstr(buf, "sse4.2         yes          yes"));
    free(buf);
}

static struct vm *smp_vm(unsigned ncpus)
{
    struct vm_config cfg = {.ram_size = 4u << 20, .ncpus = ncpus, .nodefaults = true};
    char err[256] = "";
    struct vm *m = NULL;
    cr_assert_eq(vm_create(&cfg, &m, err, sizeof err), 0, "vm_create: %s", err);
    return m;
}

/* Leaf 2 defers to leaf 4; leaf 4 lists L1d, L1i, L2, L3 then type 0, with
 * sizes a guest computes as ways * partitions * line * sets and sharing
 * fields that agree with -smp and leaf 0xB. */
Test(sse, cpuid_cache_leaves)
{
    static const struct { unsigned type, level, kib; } want[] = {{1, 1, 32}, {2, 1, 32}, {3, 2, 256}, {3, 3, 8192}};
    static const unsigned smp[] = {1, 2, 3, 4};
    for (size_t k = 0; k < sizeof smp / sizeof smp[0]; k++) {
        struct vm *m = smp_vm(smp[k]);
        uint32_t r[4], b[4];
        iem_cpuid(&m->cpus[0], 2, 0, r);
        cr_assert_eq(r[0] & 0xff, 1, "leaf 2: AL = 1");
        cr_assert_eq((r[0] >> 8) & 0xff, 0xff, "leaf 2: descriptor 0xFF (use leaf 4)");
        cr_assert_eq(r[1] | r[2] | r[3] | (r[0] >> 16), 0, "no other descriptors");
        iem_cpuid(&m->cpus[0], 0xb, 1, b);
        unsigned span = 1u << (b[0] & 0x1f); /* x2APIC IDs of the package */
        cr_assert_geq(span, smp[k]);
        for (unsigned s = 0; s < 4; s++) {
            iem_cpuid(&m->cpus[0], 4, s, r);
            unsigned ways = (r[1] >> 22) + 1, parts = ((r[1] >> 12) & 0x3ff) + 1, line = (r[1] & 0xfff) + 1;
            cr_assert_eq(r[0] & 0x1f, want[s].type, "subleaf %u type", s);
            cr_assert_eq((r[0] >> 5) & 7, want[s].level, "subleaf %u level", s);
            cr_assert_eq(line, 64);
            cr_assert_eq((uint64_t)ways * parts * line * (r[2] + 1), want[s].kib * 1024ull, "subleaf %u size", s);
            cr_assert_eq((r[0] >> 26) + 1, span, "cores per package agree with leaf 0xB");
            cr_assert_eq(((r[0] >> 14) & 0xfff) + 1, want[s].level == 3 ? span : 1, "subleaf %u sharing", s);
        }
        iem_cpuid(&m->cpus[0], 4, 4, r);
        cr_assert_eq(r[0] & 0x1f, 0, "the list ends with type 0");
        vm_destroy(m);
    }
}

/* A model without leaf 4 (level below 4: pentium2, or level=3) describes
 * its caches with legacy leaf 2 descriptors, never 0xFF: glibc follows 0xFF
 * to leaf 4 unchecked, and past the level that answers leaf 2 again. The
 * extended cache leaves (0x80000005 on AMD, 0x80000006 on both) describe
 * the same L1d, L1i and L2. */
Test(sse, cpuid_cache_leaves_old_models)
{
    static const char *const specs[] = {"pentium2", "max,level=3", "qemu32,level=2"};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        struct vm *m = model_vm(specs[k]);
        uint32_t r[4];
        iem_cpuid(&m->cpus[0], 2, 0, r);
        cr_assert_eq(r[0] & 0xff, 1, "%s: leaf 2: AL = 1", specs[k]);
        for (unsigned reg = 0; reg < 4; reg++)
            for (unsigned b = reg ? 0 : 1; b < 4; b++)
                cr_assert_neq((r[reg] >> (8 * b)) & 0xff, 0xff, "%s: leaf 2 points at a leaf 4 it lacks", specs[k]);
        cr_assert_eq(r[0] >> 8, 0x3c302cu, "%s: L1d 0x2C, L1i 0x30, L2 0x3C", specs[k]);
        vm_destroy(m);
    }
    struct vm *m = model_vm("Opteron_G5");
    cr_assert_eq(leaf(m, 0x80000005u, 2) >> 24, 32, "L1d 32 KiB");
    cr_assert_eq((leaf(m, 0x80000005u, 3) >> 16) & 0xff, 8, "L1i 8 ways");
    cr_assert_eq(leaf(m, 0x80000006u, 2) >> 16, 256, "L2 256 KiB");
    vm_destroy(m);
    m = model_vm("max");
    cr_assert_eq(leaf(m, 0x80000005u, 2), 0, "Intel: leaf 0x80000005 reserved");
    cr_assert_eq(leaf(m, 0x80000006u, 2) >> 16, 256, "Intel: L2 256 KiB in leaf 0x80000006");
    vm_destroy(m);
}

/* The vendor, signature and levels come from the model and its properties:
 * leaf 0 spells the vendor in EBX, EDX, ECX; leaf 1 EAX packs family
 * (above 15: base 15 plus extended family), model (high nibble in the
 * extended model) and stepping; leaves past level/xlevel are zeros on an
 * AMD part and the highest basic leaf on an Intel one. Values are QEMU's
 * for these models. */
Test(sse, cpu_model_identity)
{
    struct vm *m = model_vm("Opteron_G1,vendor=AuthenticAMD");
    uint32_t r[4], l5[4];
    iem_cpuid(&m->cpus[0], 0, 0, r);
    cr_assert_eq(r[0], 5, "Opteron_G1 level");
    cr_assert(!memcmp(&r[1], "Auth", 4) && !memcmp(&r[3], "enti", 4) && !memcmp(&r[2], "cAMD", 4));
    cr_assert_eq(leaf(m, 1, 0), 0xf61, "family 15 model 6 stepping 1");
    cr_assert_eq(leaf(m, 7, 1), 0, "AMD: leaf 7 is beyond level 5");
    cr_assert_eq(leaf(m, 0x80000000u, 0), 0x80000008u);
    cr_assert_eq(leaf(m, 0x80000000u, 1), r[1], "AMD repeats the vendor in leaf 0x80000000");
    cr_assert_eq(leaf(m, 0x80000001u, 3) & 1, 1, "AMD mirrors FPU in 0x80000001 EDX");
    cr_assert(leaf(m, 0x80000001u, 3) & (1u << 29), "Opteron_G1 has long mode");
    vm_destroy(m);

    m = model_vm("Opteron_G1,vendor=GenuineIntel,family=16,model=0x2a,stepping=3,level=4");
    iem_cpuid(&m->cpus[0], 0, 0, r);
    cr_assert(!memcmp(&r[1], "Genu", 4) && !memcmp(&r[3], "ineI", 4) && !memcmp(&r[2], "ntel", 4));
    cr_assert_eq(r[0], 4);
    cr_assert_eq(leaf(m, 1, 0), 0x00120fa3u, "ext family 1, ext model 2");
    iem_cpuid(&m->cpus[0], 4, 0, l5);
    iem_cpuid(&m->cpus[0], 7, 0, r);
    cr_assert_arr_eq(r, l5, sizeof(r), "Intel: a leaf past level answers as leaf 4");
    cr_assert_eq(leaf(m, 0x80000001u, 3) & 1, 0, "Intel: no mirrored FPU bit");
    vm_destroy(m);

    m = model_vm("max,+svm,+vmx");
    cr_assert_eq(leaf(m, 0x80000001u, 2) & (1u << 2), 0, "svm stays off");
    cr_assert_eq(leaf(m, 1, 2) & (1u << 5), 0, "vmx stays off");
    cr_assert_eq(leaf(m, 1, 0), 0x652, "max keeps pcvm's signature");
    vm_destroy(m);

    m = model_vm("EPYC");
    cr_assert_eq(leaf(m, 1, 0), 0x00800f12u, "EPYC: family 23 model 1 stepping 2");
    vm_destroy(m);
}
