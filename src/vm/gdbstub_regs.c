/* The gdb stub's registers: one table per target description (x86-64 and
 * i386) gives each register's name, size, gdb type and feature, and that
 * same table lays out the g/G packets, answers p/P and writes the XML
 * gdb reads with qXfer:features:read, so the three cannot disagree.
 */
#include "vm/gdbstub.h"

#include <stdio.h>
#include <string.h>

enum reg_kind { RK_GPR, RK_PC, RK_FLAGS, RK_SEL, RK_ST, RK_FPU, RK_XMM, RK_MXCSR, RK_BASE, RK_KGS, RK_CR, RK_EFER };
enum { F_CORE, F_SSE, F_SEGS, F_SYS };

struct reg {
    const char *name;
    uint8_t bits, kind, idx, feat;
    const char *type;
};

#define GPR(n, i, t) {n, 64, RK_GPR, i, F_CORE, t}
#define GPR32(n, i, t) {n, 32, RK_GPR, i, F_CORE, t}
#define SEL(n, i) {n, 32, RK_SEL, i, F_CORE, "int32"}
#define ST(i) {"st" #i, 80, RK_ST, i, F_CORE, "i387_ext"}
#define FPU(n, i) {n, 32, RK_FPU, i, F_CORE, "int"}
#define XMM(i) {"xmm" #i, 128, RK_XMM, i, F_SSE, "vec128"}
#define CR(n, i) {n, 64, RK_CR, i, F_SYS, "int64"}
#define X87_AND_SSE                                                                                          \
    ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7), FPU("fctrl", 0), FPU("fstat", 1), FPU("ftag", 2), \
        FPU("fiseg", 3), FPU("fioff", 4), FPU("foseg", 5), FPU("fooff", 6), FPU("fop", 7), XMM(0), XMM(1),    \
        XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7)

static const struct reg regs64[] = {
    GPR("rax", R_AX, "int64"), GPR("rbx", R_BX, "int64"), GPR("rcx", R_CX, "int64"), GPR("rdx", R_DX, "int64"),
    GPR("rsi", R_SI, "int64"), GPR("rdi", R_DI, "int64"), GPR("rbp", R_BP, "data_ptr"),
    GPR("rsp", R_SP, "data_ptr"), GPR("r8", 8, "int64"), GPR("r9", 9, "int64"), GPR("r10", 10, "int64"),
    GPR("r11", 11, "int64"), GPR("r12", 12, "int64"), GPR("r13", 13, "int64"), GPR("r14", 14, "int64"),
    GPR("r15", 15, "int64"), {"rip", 64, RK_PC, 0, F_CORE, "code_ptr"},
    {"eflags", 32, RK_FLAGS, 0, F_CORE, "i386_eflags"}, SEL("cs", S_CS), SEL("ss", S_SS), SEL("ds", S_DS),
    SEL("es", S_ES), SEL("fs", S_FS), SEL("gs", S_GS), X87_AND_SSE, XMM(8), XMM(9), XMM(10), XMM(11), XMM(12),
    XMM(13), XMM(14), XMM(15), {"mxcsr", 32, RK_MXCSR, 0, F_SSE, "i386_mxcsr"},
    {"fs_base", 64, RK_BASE, S_FS, F_SEGS, "int64"}, {"gs_base", 64, RK_BASE, S_GS, F_SEGS, "int64"},
    {"k_gs_base", 64, RK_KGS, 0, F_SYS, "int64"}, CR("cr0", 0), CR("cr2", 2), CR("cr3", 3), CR("cr4", 4),
    CR("cr8", 8), {"efer", 64, RK_EFER, 0, F_SYS, "int64"},
};

/* fs_base and gs_base sit in pcvm's own feature here: gdb's i386 (not
 * amd64) code does not take the segments feature. */
static const struct reg regs32[] = {
    GPR32("eax", R_AX, "int32"), GPR32("ecx", R_CX, "int32"), GPR32("edx", R_DX, "int32"),
    GPR32("ebx", R_BX, "int32"), GPR32("esp", R_SP, "data_ptr"), GPR32("ebp", R_BP, "data_ptr"),
    GPR32("esi", R_SI, "int32"), GPR32("edi", R_DI, "int32"), {"eip", 32, RK_PC, 0, F_CORE, "code_ptr"},
    {"eflags", 32, RK_FLAGS, 0, F_CORE, "i386_eflags"}, SEL("cs", S_CS), SEL("ss", S_SS), SEL("ds", S_DS),
    SEL("es", S_ES), SEL("fs", S_FS), SEL("gs", S_GS), X87_AND_SSE,
    {"mxcsr", 32, RK_MXCSR, 0, F_SSE, "i386_mxcsr"}, {"fs_base", 32, RK_BASE, S_FS, F_SYS, "int32"},
    {"gs_base", 32, RK_BASE, S_GS, F_SYS, "int32"}, {"cr0", 32, RK_CR, 0, F_SYS, "int32"},
    {"cr2", 32, RK_CR, 2, F_SYS, "int32"}, {"cr3", 32, RK_CR, 3, F_SYS, "int32"},
    {"cr4", 32, RK_CR, 4, F_SYS, "int32"}, {"efer", 32, RK_EFER, 0, F_SYS, "int32"},
};

static const struct reg *table(bool x86_64, unsigned *n)
{
    *n = x86_64 ? sizeof(regs64) / sizeof(regs64[0]) : sizeof(regs32) / sizeof(regs32[0]);
    return x86_64 ? regs64 : regs32;
}

unsigned gdb_reg_count(bool x86_64)
{
    unsigned n;
    table(x86_64, &n);
    return n;
}

static uint64_t *cr_ptr(struct cpu *c, unsigned i)
{
    return i == 0 ? &c->cr0 : i == 2 ? &c->cr2 : i == 3 ? &c->cr3 : i == 4 ? &c->cr4 : &c->cr8;
}

static uint64_t fpu_value(const struct cpu *c, unsigned i)
{
    switch (i) {
    case 0: return c->fcw;
    case 1: return c->fsw;
    case 2: return c->ftw;
    case 3: return c->fpu_cs;
    case 4: return c->fpu_ip;
    case 5: return c->fpu_ds;
    case 6: return c->fpu_dp;
    default: return c->fpu_op;
    }
}

static unsigned st_phys(const struct cpu *c, unsigned i)
{
    return (((c->fsw >> 11) & 7) + i) & 7;
}

static const struct reg *lookup(bool x86_64, unsigned n)
{
    unsigned count;
    const struct reg *r = table(x86_64, &count);
    return n < count ? r + n : NULL;
}

int gdb_reg_read(struct vcpu *v, bool x86_64, unsigned n, uint8_t *out)
{
    const struct reg *r = lookup(x86_64, n);
    struct cpu *c = &v->cpu;
    uint64_t val = 0;
    if (!r)
        return -1;
    switch (r->kind) {
    case RK_GPR: val = c->gpr[r->idx]; break;
    case RK_PC: val = c->rip; break;
    case RK_FLAGS: val = cpu_get_flags(c); break;
    case RK_SEL: val = c->seg[r->idx].sel; break;
    case RK_ST: memcpy(out, c->fpr[st_phys(c, r->idx)], 10); return 10;
    case RK_FPU: val = fpu_value(c, r->idx); break;
    case RK_XMM: memcpy(out, c->xmm[r->idx], 16); return 16;
    case RK_MXCSR: val = c->mxcsr; break;
    case RK_BASE: val = c->seg[r->idx].base; break;
    case RK_KGS: val = c->kernel_gs_base; break;
    case RK_CR: val = *cr_ptr(c, r->idx); break;
    case RK_EFER: val = c->efer; break;
    }
    for (unsigned i = 0; i < r->bits / 8u; i++)
        out[i] = (uint8_t)(val >> (8 * i));
    return r->bits / 8;
}

/* Registers whose change needs more than a store (paging, mode, segment
 * descriptors) are read only: a write of another value is ignored, as
 * the stub cannot redo what the instruction that loads them does. */
int gdb_reg_write(struct vcpu *v, bool x86_64, unsigned n, const uint8_t *in)
{
    const struct reg *r = lookup(x86_64, n);
    struct cpu *c = &v->cpu;
    uint64_t val = 0;
    if (!r)
        return -1;
    if (r->kind == RK_ST) {
        memcpy(c->fpr[st_phys(c, r->idx)], in, 10);
        return 10;
    }
    if (r->kind == RK_XMM) {
        memcpy(c->xmm[r->idx], in, 16);
        return 16;
    }
    for (unsigned i = 0; i < r->bits / 8u; i++)
        val |= (uint64_t)in[i] << (8 * i);
    switch (r->kind) {
    case RK_GPR:
        c->gpr[r->idx] = r->bits == 64 ? val : (c->gpr[r->idx] & ~0xffffffffull) | val;
        break;
    case RK_PC: c->rip = val; break;
    case RK_FLAGS: cpu_set_flags(c, (cpu_get_flags(c) & ~0xffffffffull) | (val & 0x3f7fd5) | F_1); break;
    case RK_SEL:
        if ((cpu_is_real(c) || cpu_is_v86(c)) && r->idx != S_CS) { /* no descriptor: the base follows */
            c->seg[r->idx].sel = (uint16_t)val;
            c->seg[r->idx].base = (val & 0xffff) << 4;
        }
        break;
    case RK_MXCSR: c->mxcsr = (uint32_t)val & 0xffff; break;
    case RK_BASE: c->seg[r->idx].base = val; break;
    case RK_KGS: c->kernel_gs_base = val; break;
    case RK_FPU:
        if (r->idx == 0)
            c->fcw = (uint16_t)val;
        break;
    default: break;
    }
    return r->bits / 8;
}

static const char *const feature_names[] = {"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse",
                                            "org.gnu.gdb.i386.segments", "org.pcvm.gdb.i386.sys"};

/* gdb's own definitions of the types its i386 features use. */
static const char eflags_type[] =
    "<flags id=\"i386_eflags\" size=\"4\"><field name=\"CF\" start=\"0\" end=\"0\"/>"
    "<field name=\"\" start=\"1\" end=\"1\"/><field name=\"PF\" start=\"2\" end=\"2\"/>"
    "<field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>"
    "<field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>"
    "<field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>"
    "<field name=\"OF\" start=\"11\" end=\"11\"/><field name=\"NT\" start=\"14\" end=\"14\"/>"
    "<field name=\"RF\" start=\"16\" end=\"16\"/><field name=\"VM\" start=\"17\" end=\"17\"/>"
    "<field name=\"AC\" start=\"18\" end=\"18\"/><field name=\"VIF\" start=\"19\" end=\"19\"/>"
    "<field name=\"VIP\" start=\"20\" end=\"20\"/><field name=\"ID\" start=\"21\" end=\"21\"/></flags>";
static const char sse_types[] =
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/><vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/><vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/><vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
    "<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
    "<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
    "<field name=\"uint128\" type=\"uint128\"/></union>"
    "<flags id=\"i386_mxcsr\" size=\"4\"><field name=\"IE\" start=\"0\" end=\"0\"/>"
    "<field name=\"DE\" start=\"1\" end=\"1\"/><field name=\"ZE\" start=\"2\" end=\"2\"/>"
    "<field name=\"OE\" start=\"3\" end=\"3\"/><field name=\"UE\" start=\"4\" end=\"4\"/>"
    "<field name=\"PE\" start=\"5\" end=\"5\"/><field name=\"DAZ\" start=\"6\" end=\"6\"/>"
    "<field name=\"IM\" start=\"7\" end=\"7\"/><field name=\"DM\" start=\"8\" end=\"8\"/>"
    "<field name=\"ZM\" start=\"9\" end=\"9\"/><field name=\"OM\" start=\"10\" end=\"10\"/>"
    "<field name=\"UM\" start=\"11\" end=\"11\"/><field name=\"PM\" start=\"12\" end=\"12\"/>"
    "<field name=\"FZ\" start=\"15\" end=\"15\"/></flags>";

size_t gdb_target_xml(bool x86_64, char *buf, size_t len)
{
    unsigned count;
    const struct reg *r = table(x86_64, &count);
    size_t n = (size_t)snprintf(buf, len,
                                "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
                                "<target><architecture>%s</architecture>",
                                x86_64 ? "i386:x86-64" : "i386");
    for (unsigned f = F_CORE; f <= F_SYS && n < len; f++) {
        bool any = false;
        for (unsigned i = 0; i < count; i++)
            any |= r[i].feat == f;
        if (!any) /* gdb rejects a known feature without its registers */
            continue;
        n += (size_t)snprintf(buf + n, len - n, "<feature name=\"%s\">%s", feature_names[f],
                              f == F_CORE ? eflags_type : f == F_SSE ? sse_types : "");
        for (unsigned i = 0; i < count && n < len; i++)
            if (r[i].feat == f)
                n += (size_t)snprintf(buf + n, len - n, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"%s/>",
                                      r[i].name, r[i].bits, r[i].type, i,
                                      r[i].kind == RK_FPU ? " group=\"float\""
                                      : r[i].kind == RK_MXCSR ? " group=\"vector\""
                                      : r[i].feat == F_SYS ? " group=\"system\"" : "");
        if (n < len)
            n += (size_t)snprintf(buf + n, len - n, "</feature>");
    }
    if (n < len)
        n += (size_t)snprintf(buf + n, len - n, "</target>");
    return n < len ? n : 0;
}
