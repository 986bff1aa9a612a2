/* CPU state: architectural reset and dumps. */
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"

void cpu_state_reset(struct cpu *c, uint32_t signature)
{
    memset(c, 0, sizeof(*c));
    c->rip = 0xfff0;
    c->rflags = F_1;
    c->gpr[R_DX] = signature;
    c->seg[S_CS] = (struct cpu_seg){.sel = 0xf000, .base = 0xffff0000, .limit = 0xffff, .attr = SEG_P | SEG_S | 0x0b};
    for (int s = 0; s < 6; s++)
        if (s != S_CS)
            c->seg[s] = (struct cpu_seg){.sel = 0, .base = 0, .limit = 0xffff, .attr = SEG_P | SEG_S | 0x03};
    c->ldtr = (struct cpu_seg){.limit = 0xffff, .attr = SEG_P | 0x02};
    c->tr = (struct cpu_seg){.limit = 0xffff, .attr = SEG_P | 0x0b};
    c->gdtr.limit = 0xffff;
    c->idtr.limit = 0xffff;
    c->cr0 = CR0_CD | CR0_NW | CR0_ET;
    c->dr[6] = 0xffff0ff0;
    c->dr[7] = 0x400;
    c->xcr0 = 1;
    c->apic_base = 0xfee00000 | 0x800 | 0x100; /* enabled, BSP */
    c->pat = 0x0007040600070406ull;
    c->misc_enable = MISC_FAST_STRINGS;
    c->fcw = 0x40;
    c->mxcsr = 0x1f80;
    c->ftw = 0xffff;
}

int cpu_dump(const struct cpu *c, char *buf, unsigned len)
{
    static const char *const sn[6] = {"es", "cs", "ss", "ds", "fs", "gs"};
    uint64_t f = cpu_get_flags(c);
    int n = snprintf(buf, len,
                     "rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
                     "rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx\n"
                     "r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n"
                     "r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n"
                     "rip=%016llx rflags=%08llx cpl=%u cr0=%08llx cr2=%016llx cr3=%016llx cr4=%08llx efer=%llx\n",
                     (unsigned long long)c->gpr[0], (unsigned long long)c->gpr[3],
                     (unsigned long long)c->gpr[1], (unsigned long long)c->gpr[2],
                     (unsigned long long)c->gpr[6], (unsigned long long)c->gpr[7],
                     (unsigned long long)c->gpr[5], (unsigned long long)c->gpr[4],
                     (unsigned long long)c->gpr[8], (unsigned long long)c->gpr[9],
                     (unsigned long long)c->gpr[10], (unsigned long long)c->gpr[11],
                     (unsigned long long)c->gpr[12], (unsigned long long)c->gpr[13],
                     (unsigned long long)c->gpr[14], (unsigned long long)c->gpr[15],
                     (unsigned long long)c->rip, (unsigned long long)f, c->cpl,
                     (unsigned long long)c->cr0, (unsigned long long)c->cr2,
                     (unsigned long long)c->cr3, (unsigned long long)c->cr4, (unsigned long long)c->efer);
    for (int s = 0; s < 6 && n > 0 && (unsigned)n < len; s++)
        n += snprintf(buf + n, len - (unsigned)n, "%s=%04x base=%016llx limit=%08x attr=%05x\n", sn[s],
                      c->seg[s].sel, (unsigned long long)c->seg[s].base, c->seg[s].limit, c->seg[s].attr);
    if (n > 0 && (unsigned)n < len)
        n += snprintf(buf + n, len - (unsigned)n,
                      "gdtr=%016llx/%04x idtr=%016llx/%04x ldtr=%04x tr=%04x\n",
                      (unsigned long long)c->gdtr.base, c->gdtr.limit,
                      (unsigned long long)c->idtr.base, c->idtr.limit, c->ldtr.sel, c->tr.sel);
    return n;
}
