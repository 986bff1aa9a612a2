/* QEMU's x86 CPU models and CPUID flag names, for -cpu (cpuid_model.c).
 * The models' vendor, family/model/stepping, level, xlevel, model-id and
 * feature sets are what QEMU 7.2 reports for them under TCG
 * (query-cpu-model-expansion), restricted to the features pcvm names in
 * cpufeat.h; "hypervisor" is left to cpuid.c. The flag list is QEMU's
 * (-cpu help; the vmx-* VMX controls are matched by prefix): a name in it
 * that pcvm does not implement is accepted with a warning and stays off.
 *
 * Invariant: data only; every feature name in a model is in cpufeat.h.
 */
#include <stdio.h>
#include <string.h>

#include "cpu/cpufeat.h"

/* pcvm's own identity, for max, host and base: a P6-era Intel signature
 * that has grown every extension IEM implements (the values of cpuid.c's
 * table: signature 0x652, MAX_BASIC, MAX_EXT). */
#define PCVM_ID "GenuineIntel", 6, 5, 2, 0xd, 0x80000008u, "pcvm virtual CPU"

const struct cpu_model_def cpu_model_defs[] = {
    {"max", PCVM_ID, NULL},
    {"host", PCVM_ID, NULL},
    {"base", PCVM_ID, ""},
    {"qemu64", "AuthenticAMD", 15, 107, 1, 0xd, 0x8000000au, "QEMU Virtual CPU version 2.5+",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni cx16 "
     "lahf_lm syscall nx lm"},
    {"qemu32", "GenuineIntel", 6, 6, 3, 0x4, 0x80000004u, "QEMU Virtual CPU version 2.5+",
     "fpu de pse tsc msr pae mce cx8 apic sep pge cmov pat mmx fxsr sse sse2 pni"},
    {"kvm64", "GenuineIntel", 15, 6, 1, 0xd, 0x80000008u, "Common KVM processor",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni cx16 "
     "syscall nx lm"},
    {"kvm32", "GenuineIntel", 15, 6, 1, 0x5, 0x80000008u, "Common 32-bit KVM processor",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni"},
    {"Opteron_G1", "AuthenticAMD", 15, 6, 1, 0x5, 0x80000008u, "AMD Opteron 240 (Gen 1 Class Opteron)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "syscall nx lm"},
    {"Opteron_G2", "AuthenticAMD", 15, 6, 1, 0x5, 0x8000000au, "AMD Opteron 22xx (Gen 2 Class Opteron)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni cx16 "
     "lahf_lm syscall nx lm"},
    {"Opteron_G3", "AuthenticAMD", 16, 2, 3, 0x5, 0x8000000au, "AMD Opteron 23xx (Gen 3 Class Opteron)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni cx16 "
     "popcnt lahf_lm abm syscall nx rdtscp lm"},
    {"Opteron_G4", "AuthenticAMD", 21, 1, 2, 0xd, 0x8000001au, "AMD Opteron 62xx class CPU",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 cx16 sse4.1 sse4.2 popcnt aes xsave avx lahf_lm abm syscall nx pdpe1gb rdtscp lm"},
    {"Opteron_G5", "AuthenticAMD", 21, 2, 0, 0xd, 0x8000001au, "AMD Opteron 63xx class CPU",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 sse4.1 sse4.2 popcnt aes xsave avx f16c lahf_lm abm syscall nx pdpe1gb rdtscp "
     "lm"},
    {"Conroe", "GenuineIntel", 6, 15, 3, 0xa, 0x80000008u, "Intel Celeron_4x0 (Conroe/Merom Class Core 2)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "ssse3 lahf_lm syscall nx lm"},
    {"Penryn", "GenuineIntel", 6, 23, 3, 0xa, 0x80000008u, "Intel Core 2 Duo P9xxx (Penryn Class Core 2)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "ssse3 cx16 sse4.1 lahf_lm syscall nx lm"},
    {"Nehalem", "GenuineIntel", 6, 26, 3, 0xb, 0x80000008u, "Intel Core i7 9xx (Nehalem Class Core i7)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "ssse3 cx16 sse4.1 sse4.2 popcnt lahf_lm syscall nx lm"},
    {"Westmere", "GenuineIntel", 6, 44, 1, 0xb, 0x80000008u, "Westmere E56xx/L56xx/X56xx (Nehalem-C)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 cx16 sse4.1 sse4.2 popcnt aes lahf_lm syscall nx lm"},
    {"SandyBridge", "GenuineIntel", 6, 42, 1, 0xd, 0x80000008u, "Intel Xeon E312xx (Sandy Bridge)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 cx16 sse4.1 sse4.2 x2apic popcnt tsc-deadline aes xsave avx xsaveopt lahf_lm syscall "
     "nx rdtscp lm"},
    {"IvyBridge", "GenuineIntel", 6, 58, 9, 0xd, 0x80000008u, "Intel Xeon E3-12xx v2 (Ivy Bridge)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 cx16 sse4.1 sse4.2 x2apic popcnt tsc-deadline aes xsave avx f16c rdrand fsgsbase smep "
     "erms xsaveopt lahf_lm syscall nx rdtscp lm"},
    {"Haswell", "GenuineIntel", 6, 60, 4, 0xd, 0x80000008u, "Intel Core Processor (Haswell)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 pcid sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c rdrand "
     "fsgsbase bmi1 avx2 smep bmi2 erms invpcid xsaveopt lahf_lm abm syscall nx rdtscp lm"},
    {"Broadwell", "GenuineIntel", 6, 61, 2, 0xd, 0x80000008u, "Intel Core Processor (Broadwell)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 pcid sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c rdrand "
     "fsgsbase bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap xsaveopt lahf_lm abm syscall nx rdtscp lm"},
    {"Skylake-Client", "GenuineIntel", 6, 94, 3, 0xd, 0x80000008u, "Intel Core Processor (Skylake)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 pcid sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c rdrand "
     "fsgsbase bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap xsaveopt xsavec lahf_lm abm syscall nx "
     "rdtscp lm"},
    {"Skylake-Server", "GenuineIntel", 6, 85, 4, 0xd, 0x80000008u, "Intel Xeon Processor (Skylake)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 pcid sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c rdrand "
     "fsgsbase bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb pku xsaveopt xsavec lahf_lm "
     "abm syscall nx pdpe1gb rdtscp lm"},
    {"Cascadelake-Server", "GenuineIntel", 6, 85, 6, 0xd, 0x80000008u, "Intel Xeon Processor (Cascadelake)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 pcid sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c rdrand "
     "fsgsbase bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb pku xsaveopt xsavec lahf_lm "
     "abm syscall nx pdpe1gb rdtscp lm"},
    {"Icelake-Server", "GenuineIntel", 6, 134, 0, 0xd, 0x80000008u, "Intel Xeon Processor (Icelake)",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 pcid sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c rdrand "
     "fsgsbase bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb umip pku la57 xsaveopt xsavec "
     "lahf_lm abm syscall nx pdpe1gb rdtscp lm"},
    {"EPYC", "AuthenticAMD", 23, 1, 2, 0xd, 0x8000001eu, "AMD EPYC Processor",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 sse4.1 sse4.2 movbe popcnt aes xsave avx f16c rdrand fsgsbase bmi1 avx2 smep "
     "bmi2 rdseed adx smap clflushopt xsaveopt xsavec lahf_lm abm syscall nx pdpe1gb rdtscp lm"},
    {"EPYC-Rome", "AuthenticAMD", 23, 49, 0, 0xd, 0x8000001eu, "AMD EPYC-Rome Processor",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "pclmulqdq ssse3 fma cx16 sse4.1 sse4.2 movbe popcnt aes xsave avx f16c rdrand fsgsbase bmi1 avx2 smep "
     "bmi2 rdseed adx smap clflushopt clwb umip xsaveopt xsavec lahf_lm abm syscall nx pdpe1gb rdtscp lm"},
    {"486", "GenuineIntel", 4, 8, 0, 0x1, 0x0u, "", "fpu pse"},
    {"pentium", "GenuineIntel", 5, 4, 3, 0x1, 0x0u, "", "fpu de pse tsc msr mce cx8 apic mmx"},
    {"pentium2", "GenuineIntel", 6, 5, 2, 0x2, 0x0u, "",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 mmx fxsr"},
    {"pentium3", "GenuineIntel", 6, 7, 3, 0x3, 0x0u, "",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 mmx fxsr sse"},
    {"athlon", "AuthenticAMD", 6, 2, 3, 0x2, 0x80000008u, "QEMU Virtual CPU version 2.5+",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 mmx fxsr sse sse2"},
    {"coreduo", "GenuineIntel", 6, 14, 8, 0xa, 0x80000008u, "Genuine Intel(R) CPU           T2600  @ 2.16GHz",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat clflush mmx fxsr sse sse2 pni nx"},
    {"core2duo", "GenuineIntel", 6, 15, 11, 0xa, 0x80000008u,
     "Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni "
     "ssse3 cx16 lahf_lm syscall nx lm"},
    {"n270", "GenuineIntel", 6, 28, 2, 0xa, 0x80000008u, "Intel(R) Atom(TM) CPU N270   @ 1.60GHz",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat clflush mmx fxsr sse sse2 pni ssse3 "
     "movbe lahf_lm nx"},
    {"phenom", "AuthenticAMD", 16, 2, 3, 0x5, 0x8000001au, "AMD Phenom(tm) 9550 Quad-Core Processor",
     "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 pni cx16 "
     "popcnt lahf_lm abm syscall nx pdpe1gb rdtscp lm"},
};
const unsigned cpu_model_count = sizeof(cpu_model_defs) / sizeof(cpu_model_defs[0]);

static const char *const qemu_flags[] = {
    "3dnow",
    "3dnowext",
    "3dnowprefetch",
    "abm",
    "ace2",
    "ace2-en",
    "acpi",
    "adx",
    "aes",
    "amd-no-ssb",
    "amd-ssbd",
    "amd-stibp",
    "amx-bf16",
    "amx-int8",
    "amx-tile",
    "apic",
    "arat",
    "arch-capabilities",
    "arch-lbr",
    "avic",
    "avx",
    "avx-vnni",
    "avx2",
    "avx512-4fmaps",
    "avx512-4vnniw",
    "avx512-bf16",
    "avx512-fp16",
    "avx512-vp2intersect",
    "avx512-vpopcntdq",
    "avx512bitalg",
    "avx512bw",
    "avx512cd",
    "avx512dq",
    "avx512er",
    "avx512f",
    "avx512ifma",
    "avx512pf",
    "avx512vbmi",
    "avx512vbmi2",
    "avx512vl",
    "avx512vnni",
    "bmi1",
    "bmi2",
    "bus-lock-detect",
    "cid",
    "cldemote",
    "clflush",
    "clflushopt",
    "clwb",
    "clzero",
    "cmov",
    "cmp-legacy",
    "core-capability",
    "cr8legacy",
    "cx16",
    "cx8",
    "dca",
    "de",
    "decodeassists",
    "ds",
    "ds-cpl",
    "dtes64",
    "erms",
    "est",
    "extapic",
    "f16c",
    "flushbyasid",
    "fma",
    "fma4",
    "fpu",
    "fsgsbase",
    "fsrm",
    "full-width-write",
    "fxsr",
    "fxsr-opt",
    "gfni",
    "hle",
    "ht",
    "hypervisor",
    "ia64",
    "ibpb",
    "ibrs",
    "ibrs-all",
    "ibs",
    "intel-pt",
    "intel-pt-lip",
    "invpcid",
    "invtsc",
    "kvm-asyncpf",
    "kvm-asyncpf-int",
    "kvm-hint-dedicated",
    "kvm-mmu",
    "kvm-msi-ext-dest-id",
    "kvm-nopiodelay",
    "kvm-poll-control",
    "kvm-pv-eoi",
    "kvm-pv-ipi",
    "kvm-pv-sched-yield",
    "kvm-pv-tlb-flush",
    "kvm-pv-unhalt",
    "kvm-steal-time",
    "kvmclock",
    "kvmclock-stable-bit",
    "la57",
    "lahf-lm",
    "lbrv",
    "lm",
    "lwp",
    "mca",
    "mce",
    "md-clear",
    "mds-no",
    "misalignsse",
    "mmx",
    "mmxext",
    "monitor",
    "movbe",
    "movdir64b",
    "movdiri",
    "mpx",
    "msr",
    "mtrr",
    "nodeid-msr",
    "npt",
    "nrip-save",
    "nx",
    "osvw",
    "pae",
    "pat",
    "pause-filter",
    "pbe",
    "pcid",
    "pclmulqdq",
    "pcommit",
    "pdcm",
    "pdpe1gb",
    "perfctr-core",
    "perfctr-nb",
    "pfthreshold",
    "pge",
    "phe",
    "phe-en",
    "pks",
    "pku",
    "pmm",
    "pmm-en",
    "pn",
    "pni",
    "popcnt",
    "pschange-mc-no",
    "pse",
    "pse36",
    "rdctl-no",
    "rdpid",
    "rdrand",
    "rdseed",
    "rdtscp",
    "rsba",
    "rtm",
    "sep",
    "serialize",
    "sgx",
    "sgx-debug",
    "sgx-exinfo",
    "sgx-kss",
    "sgx-mode64",
    "sgx-provisionkey",
    "sgx-tokenkey",
    "sgx1",
    "sgx2",
    "sgxlc",
    "sha-ni",
    "skinit",
    "skip-l1dfl-vmentry",
    "smap",
    "smep",
    "smx",
    "spec-ctrl",
    "split-lock-detect",
    "ss",
    "ssb-no",
    "ssbd",
    "sse",
    "sse2",
    "sse4.1",
    "sse4.2",
    "sse4a",
    "ssse3",
    "stibp",
    "svm",
    "svm-lock",
    "svme-addr-chk",
    "syscall",
    "taa-no",
    "tbm",
    "tce",
    "tm",
    "tm2",
    "topoext",
    "tsc",
    "tsc-adjust",
    "tsc-deadline",
    "tsc-scale",
    "tsx-ctrl",
    "tsx-ldtrk",
    "umip",
    "v-vmsave-vmload",
    "vaes",
    "vgif",
    "virt-ssbd",
    "vmcb-clean",
    "vme",
    "vmx",
    "vpclmulqdq",
    "waitpkg",
    "wbnoinvd",
    "wdt",
    "x2apic",
    "xcrypt",
    "xcrypt-en",
    "xfd",
    "xgetbv1",
    "xop",
    "xsave",
    "xsavec",
    "xsaveerptr",
    "xsaveopt",
    "xsaves",
    "xstore",
    "xstore-en",
    "xtpr",
};

/* '_' and '-' are the same letter in QEMU's feature names. */
bool cpu_flag_name_eq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char x = a[i] == '_' ? '-' : a[i], y = b[i] == '_' ? '-' : b[i];
        if (x != y)
            return false;
    }
    return true;
}

bool cpu_qemu_flag_known(const char *s, size_t n)
{
    if (n > 4 && !strncmp(s, "vmx-", 4))
        return true;
    for (size_t i = 0; i < sizeof(qemu_flags) / sizeof(qemu_flags[0]); i++)
        if (cpu_flag_name_eq(s, n, qemu_flags[i]))
            return true;
    return false;
}

const struct cpu_model_def *cpu_model_def_find(const char *s, size_t n)
{
    if (n > 3 && !strncmp(s + n - 3, "-v1", 3)) /* QEMU's first version of each model is the model */
        n -= 3;
    for (unsigned i = 0; i < cpu_model_count; i++)
        if (strlen(cpu_model_defs[i].name) == n && !strncmp(s, cpu_model_defs[i].name, n))
            return &cpu_model_defs[i];
    return NULL;
}

void cpu_model_list(FILE *f)
{
    fprintf(f, "Available CPUs:\n");
    for (unsigned i = 0; i < cpu_model_count; i++)
        fprintf(f, "x86 %-20s %s\n", cpu_model_defs[i].name, cpu_model_defs[i].model_id);
    fprintf(f, "\nRecognized CPUID flags (pcvm implements those --cpu-features lists):\n");
    for (size_t i = 0; i < sizeof(qemu_flags) / sizeof(qemu_flags[0]); i++)
        fprintf(f, "%s%s", qemu_flags[i], i + 1 < sizeof(qemu_flags) / sizeof(qemu_flags[0]) ? " " : "\n");
}
