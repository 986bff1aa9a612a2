/* --trace: address, bytes, Capstone disassembly, then the registers the
 * instruction changed. The snapshot before each instruction is what lets
 * the line name only what changed. */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "cpu/trace.h"

struct trace {
    FILE *out;
    csh cs[3]; /* 16, 32, 64 */
    struct cpu before;
    uint64_t flags_before;
};

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const seg_names[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

int iem_trace_init(struct vcpu *v, FILE *out)
{
    static const cs_mode modes[3] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};
    struct trace *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    for (int i = 0; i < 3; i++)
        if (cs_open(CS_ARCH_X86, modes[i], &t->cs[i]) != CS_ERR_OK) {
            while (i-- > 0)
                cs_close(&t->cs[i]);
            free(t);
            return -1;
        }
    t->out = out;
    v->iem.trace = t;
    return 0;
}

void iem_trace_fini(struct vcpu *v)
{
    struct trace *t = v->iem.trace;
    if (!t)
        return;
    for (int i = 0; i < 3; i++)
        cs_close(&t->cs[i]);
    free(t);
    v->iem.trace = NULL;
}

static int disasm_with(csh h, const uint8_t *bytes, unsigned len, uint64_t addr, char *out, unsigned outlen)
{
    cs_insn *ci;
    size_t n = cs_disasm(h, bytes, len, addr, 1, &ci);
    if (n == 0)
        return snprintf(out, outlen, "(bad)");
    int r = snprintf(out, outlen, "%s %s", ci[0].mnemonic, ci[0].op_str);
    cs_free(ci, n);
    return r;
}

int iem_disasm(const uint8_t *bytes, unsigned len, uint64_t addr, unsigned mode_bytes, char *out,
               unsigned outlen)
{
    csh h;
    cs_mode m = mode_bytes == 8 ? CS_MODE_64 : mode_bytes == 4 ? CS_MODE_32 : CS_MODE_16;
    if (cs_open(CS_ARCH_X86, m, &h) != CS_ERR_OK)
        return snprintf(out, outlen, "(capstone unavailable)");
    int r = disasm_with(h, bytes, len, addr, out, outlen);
    cs_close(&h);
    return r;
}

void iem_trace_before(struct vcpu *v, const struct iem_insn *in)
{
    struct trace *t = v->iem.trace;
    struct cpu *c = &v->cpu;
    uint8_t bytes[16];
    char dis[96], hex[40];
    unsigned n = in->len, m = cpu_code_size(c);
    int h = 0;

    n = (unsigned)iem_insn_bytes(v, bytes, n);
    for (unsigned i = 0; i < n; i++)
        h += snprintf(hex + h, sizeof(hex) - (size_t)h, "%02x", bytes[i]);
    disasm_with(t->cs[m == 8 ? 2 : m == 4 ? 1 : 0], bytes, n, c->rip, dis, sizeof(dis));
    fprintf(t->out, "%04x:%08llx %-30s %-40s", c->seg[S_CS].sel, (unsigned long long)c->rip, hex, dis);
    t->before = *c;
    t->flags_before = cpu_get_flags(c);
}

void iem_trace_after(struct vcpu *v)
{
    struct trace *t = v->iem.trace;
    struct cpu *c = &v->cpu;
    uint64_t f = cpu_get_flags(c);

    for (int i = 0; i < 16; i++)
        if (c->gpr[i] != t->before.gpr[i])
            fprintf(t->out, " %s=%llx", gpr_names[i], (unsigned long long)c->gpr[i]);
    for (int i = 0; i < 6; i++)
        if (c->seg[i].sel != t->before.seg[i].sel || c->seg[i].base != t->before.seg[i].base)
            fprintf(t->out, " %s=%04x", seg_names[i], c->seg[i].sel);
    if (f != t->flags_before)
        fprintf(t->out, " rflags=%llx", (unsigned long long)f);
    if (c->cr0 != t->before.cr0)
        fprintf(t->out, " cr0=%llx", (unsigned long long)c->cr0);
    if (c->cr3 != t->before.cr3)
        fprintf(t->out, " cr3=%llx", (unsigned long long)c->cr3);
    if (c->cr4 != t->before.cr4)
        fprintf(t->out, " cr4=%llx", (unsigned long long)c->cr4);
    if (v->iem.exc.pending)
        fprintf(t->out, " => exception %u err=%x", v->iem.exc.vector, v->iem.exc.err);
    fputc('\n', t->out);
}
