/* --trace-tb FILE: each TB the native tier compiles, as its guest
 * instructions and the host code made of them, both disassembled by
 * Capstone, for people chasing a translation bug. One block is written
 * under the FILE's lock, so blocks of several vCPUs do not interleave. */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>

#include "cpu/decode.h"
#include "rem/rem_int.h"

static void disasm(FILE *f, cs_mode mode, const uint8_t *code, size_t len, uint64_t addr, const char *indent)
{
    csh h;
    cs_insn *ci = NULL;
    if (cs_open(CS_ARCH_X86, mode, &h) != CS_ERR_OK) {
        fprintf(f, "%s(Capstone cannot open)\n", indent);
        return;
    }
    size_t n = cs_disasm(h, code, len, addr, 0, &ci);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%08" PRIx64 "  %-7s %s\n", indent, ci[i].address, ci[i].mnemonic, ci[i].op_str);
    if (n)
        cs_free(ci, n);
    cs_close(&h);
}

void rem_trace_tb(struct vcpu *v, const struct rem_tb *tb, const uint8_t *code, size_t len, const uint8_t *cold,
                  size_t cold_len)
{
    FILE *f = v->vm->trace_tb_out;
    const uint8_t *guest = pgm_page_ptr(&v->vm->pgm, tb->gpa, false);
    unsigned mode = tb->key & 7;
    cs_mode gm = mode == DMODE_LONG                               ? CS_MODE_64
                 : (mode == DMODE_PM32 || mode == DMODE_COMPAT32) ? CS_MODE_32
                                                                  : CS_MODE_16;
    if (!f)
        return;
    flockfile(f);
    fprintf(f,
            "TB cpu%u gpa %#" PRIx64 " key %#x: %u instructions, %u bytes -> %zu bytes of host code (+%zu out of "
            "line)\n",
            v->id, tb->gpa, tb->key, tb->ninsns, tb->len, len, cold_len);
    fprintf(f, "  guest:\n");
    if (guest)
        disasm(f, gm, guest + (tb->gpa & 0xfff), tb->len, tb->gpa, "    ");
    fprintf(f, "  host:\n");
    disasm(f, CS_MODE_64, code, len, (uint64_t)(uintptr_t)code, "    ");
    if (cold_len) {
        fprintf(f, "  host, out of line:\n");
        disasm(f, CS_MODE_64, cold, cold_len, (uint64_t)(uintptr_t)cold, "    ");
    }
    funlockfile(f);
}
