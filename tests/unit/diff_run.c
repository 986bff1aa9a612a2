/* Runner for the IEM-vs-Unicorn differential test: sets up pcvm and Unicorn
 * with the same memory layout and mode, runs instructions one at a time in
 * both, compares GPRs, EIP, the defined flags and the data/stack pages, and
 * prints a full report (seed, sequence, disassembly, both register files)
 * on a mismatch. After each agreeing instruction, the flags and registers
 * the SDM leaves undefined are copied from Unicorn into pcvm, so both
 * continue from the same state.
 *
 * Unicorn is loaded with dlmopen() into its own link namespace, so no
 * global symbol of pcvm's can interpose one of Unicorn's internal ones (a
 * pcvm cpu_reset() once did, and crashed Unicorn at its first uc_mem_map).
 */
#define _GNU_SOURCE
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "cpu/cpu.h"
#include "pgm/tlb.h"
#include "vm/vm.h"

#include "diff_gen.h"
#include "rem/rem.h"

#define LOG_MAX 1024
#define REPORT_MAX 8

struct dctx {
    enum d_mode mode;
    struct vm *vm;
    struct vcpu *v;
    uc_engine *uc;
    uint8_t *ucmem; /* Unicorn's guest memory [0, D_MEM_SIZE) */
    uint8_t *pdata, *pstack; /* pcvm's host pointers for the compared pages */
    csh cs;
    uint64_t executed;
    unsigned reported;
    int uc_intno;
    bool trace; /* PCVM_DIFF_TRACE: print every instruction */
    uint64_t seed, seq;
    struct dinsn log[LOG_MAX];
    unsigned nlog;
    int (*exec)(struct vcpu *v, uint64_t max); /* the engine under test: iem_exec or rem_exec */
};

/* The Unicorn API, resolved in the private namespace. */
static struct {
    uc_err (*open)(uc_arch, uc_mode, uc_engine **);
    uc_err (*close)(uc_engine *);
    uc_err (*mem_map_ptr)(uc_engine *, uint64_t, size_t, uint32_t, void *);
    uc_err (*hook_add)(uc_engine *, uc_hook *, int, void *, void *, uint64_t, uint64_t, ...);
    uc_err (*ctl)(uc_engine *, uc_control_type, ...);
    uc_err (*reg_write)(uc_engine *, int, const void *);
    uc_err (*reg_read)(uc_engine *, int, void *);
    uc_err (*emu_start)(uc_engine *, uint64_t, uint64_t, uint64_t, size_t);
    uc_err (*emu_stop)(uc_engine *);
    const char *(*strerror)(uc_err);
} U;

static bool uc_load(void)
{
    static const char *const names[] = {"uc_open", "uc_close", "uc_mem_map_ptr", "uc_hook_add", "uc_ctl",
                                        "uc_reg_write", "uc_reg_read", "uc_emu_start", "uc_emu_stop",
                                        "uc_strerror"};
    void **slot = (void **)&U;
    void *h;
    if (U.open)
        return true;
    h = dlmopen(LM_ID_NEWLM, "libunicorn.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "unicorn diff: %s\n", dlerror());
        return false;
    }
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!(slot[i] = dlsym(h, names[i])))
            return false;
    return true;
}

static const int uc_gpr[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                              UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI};
static const int uc_gpr64[16] = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
                                 UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
                                 UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
                                 UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15};
static const char *const gpr_name[16] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};

static bool is64(const struct dctx *c) { return c->mode == D_LONG64; }
static unsigned ngpr(const struct dctx *c) { return is64(c) ? 16 : 8; }

/* Unicorn's GPR i (all 64 bits in long mode, else the low 32). */
static uint64_t uc_get(struct dctx *c, unsigned i)
{
    uint64_t v64 = 0;
    uint32_t v32 = 0;
    if (is64(c)) {
        U.reg_read(c->uc, i < 16 ? uc_gpr64[i] : UC_X86_REG_RIP, &v64);
        return v64;
    }
    U.reg_read(c->uc, i < 8 ? uc_gpr[i] : UC_X86_REG_EIP, &v32);
    return v32;
}

static void uc_set(struct dctx *c, unsigned i, uint64_t v)
{
    uint32_t v32 = (uint32_t)v;
    if (is64(c))
        U.reg_write(c->uc, i < 16 ? uc_gpr64[i] : UC_X86_REG_RIP, &v);
    else
        U.reg_write(c->uc, i < 8 ? uc_gpr[i] : UC_X86_REG_EIP, &v32);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct dctx *c = user;
    c->uc_intno = (int)intno;
    U.emu_stop(uc);
}

/* Guest tables so an unexpected exception in pcvm lands on a HLT at
 * D_IVT_HANDLERS + vector, which identifies it in the report. */
static void setup_tables(struct dctx *c)
{
    uint8_t hlt[32];
    memset(hlt, 0xf4, sizeof hlt);
    pgm_load(&c->vm->pgm, D_IVT_HANDLERS, hlt, sizeof hlt);
    if (c->mode == D_REAL16) {
        uint32_t ivt[32];
        for (unsigned i = 0; i < 32; i++)
            ivt[i] = D_IVT_HANDLERS + i;
        pgm_load(&c->vm->pgm, 0, ivt, sizeof ivt);
    } else if (is64(c)) {
        /* 64-bit code, data; 16-byte interrupt gates; PML4 -> PDPT -> 8 PDEs of 2 MiB (RW, present) */
        static const uint64_t gdt[3] = {0, 0x00af9b000000ffffull, 0x00cf93000000ffffull};
        uint64_t idt[64], pt[8];
        for (unsigned i = 0; i < 32; i++) {
            uint64_t off = D_IVT_HANDLERS + i;
            idt[2 * i] = (off & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((off >> 16 & 0xffff) << 48);
            idt[2 * i + 1] = off >> 32;
        }
        pgm_load(&c->vm->pgm, D_GDT, gdt, sizeof gdt);
        pgm_load(&c->vm->pgm, D_IDT64, idt, sizeof idt);
        pt[0] = D_PDPT | 3;
        pgm_load(&c->vm->pgm, D_PML4, pt, 8);
        pt[0] = D_PD | 3;
        pgm_load(&c->vm->pgm, D_PDPT, pt, 8);
        for (unsigned i = 0; i < 8; i++)
            pt[i] = ((uint64_t)i << 21) | 0x83;
        pgm_load(&c->vm->pgm, D_PD, pt, sizeof pt);
    } else {
        static const uint64_t gdt[3] = {0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull};
        uint64_t idt[32];
        for (unsigned i = 0; i < 32; i++) {
            uint64_t off = D_IVT_HANDLERS + i;
            idt[i] = (off & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((off >> 16) << 48);
        }
        pgm_load(&c->vm->pgm, D_GDT, gdt, sizeof gdt);
        pgm_load(&c->vm->pgm, D_IDT, idt, sizeof idt);
    }
}

static void reset_pcvm(struct dctx *c, const struct dstate *st)
{
    struct cpu *cpu = &c->v->cpu;
    bool pm = c->mode != D_REAL16;
    cpu->cr0 = pm ? cpu->cr0 | CR0_PE : cpu->cr0 & ~(uint64_t)CR0_PE;
    if (is64(c)) { /* long mode, 4-level paging over D_PML4 */
        cpu->cr3 = D_PML4;
        cpu->cr4 |= CR4_PAE;
        cpu->efer |= EFER_LME | EFER_LMA;
        cpu->cr0 |= CR0_PG;
    }
    for (unsigned s = 0; s < 6; s++) {
        cpu->seg[s].sel = pm ? (s == S_CS ? 0x08 : 0x10) : 0;
        cpu->seg[s].base = 0;
        cpu->seg[s].limit = pm ? 0xffffffffu : 0xffff;
        cpu->seg[s].attr = pm ? (s == S_CS ? (is64(c) ? 0xa09b : 0xc09b) : 0xc093) : (s == S_CS ? 0x9b : 0x93);
    }
    cpu->cpl = 0;
    cpu->gdtr.base = D_GDT;
    cpu->gdtr.limit = 3 * 8 - 1;
    cpu->idtr.base = is64(c) ? D_IDT64 : pm ? D_IDT : 0;
    cpu->idtr.limit = is64(c) ? 32 * 16 - 1 : pm ? 32 * 8 - 1 : 0x3ff;
    for (unsigned i = 0; i < 16; i++)
        cpu->gpr[i] = i < ngpr(c) ? st->r[i] : 0;
    cpu->rip = st->eip;
    cpu_set_flags(cpu, st->fl);
    cpu->halted = false;
    cpu->inhibit_irq = false;
    c->v->iem.exc.pending = false;
    c->v->iem.fault_depth = 0;
    if (is64(c))
        tlb_mode_changed(c->v); /* PGM walks 4-level tables from now on (no-op once it does) */
}

static void reset_uc(struct dctx *c, const struct dstate *st)
{
    uint64_t fl = st->fl;
    for (unsigned i = 0; i < ngpr(c); i++)
        uc_set(c, i, st->r[i]);
    uc_set(c, 99, st->eip);
    U.reg_write(c->uc, is64(c) ? UC_X86_REG_RFLAGS : UC_X86_REG_EFLAGS, &fl);
}

/* (Re)creates the Unicorn engine over c->ucmem. */
static bool uc_setup(struct dctx *c)
{
    uc_hook h;
    if (c->uc)
        U.close(c->uc);
    c->uc = NULL;
    if (U.open(UC_ARCH_X86, is64(c) ? UC_MODE_64 : c->mode == D_PM32 ? UC_MODE_32 : UC_MODE_16, &c->uc) != UC_ERR_OK)
        return false;
    if (U.mem_map_ptr(c->uc, 0, D_MEM_SIZE, UC_PROT_ALL, c->ucmem) != UC_ERR_OK)
        return false;
    U.hook_add(c->uc, &h, UC_HOOK_INTR, (void *)hook_intr, c, 1, 0);
    U.ctl(c->uc, UC_CTL_WRITE(UC_CTL_UC_USE_EXITS, 1), 1);
    if (c->mode == D_REAL16) {
        static const int sregs[] = {UC_X86_REG_CS, UC_X86_REG_DS, UC_X86_REG_ES,
                                    UC_X86_REG_SS, UC_X86_REG_FS, UC_X86_REG_GS};
        uint32_t zero = 0;
        for (unsigned i = 0; i < 6; i++)
            U.reg_write(c->uc, sregs[i], &zero);
    }
    return true;
}

struct dctx *d_open(enum d_mode mode)
{
    struct vm_config cfg = {.ram_size = 16u << 20, .ncpus = 1, .nodefaults = true};
    char err[256] = "";
    struct dctx *c;
    if (!uc_load())
        return NULL;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->mode = mode;
    c->exec = iem_exec;
    c->trace = getenv("PCVM_DIFF_TRACE") != NULL;
    if (vm_create(&cfg, &c->vm, err, sizeof err)) {
        fprintf(stderr, "unicorn diff: vm_create: %s\n", err);
        free(c);
        return NULL;
    }
    c->v = &c->vm->cpus[0];
    setup_tables(c);
    c->pdata = pgm_page_ptr(&c->vm->pgm, D_DATA, true);
    c->pstack = pgm_page_ptr(&c->vm->pgm, D_STACK, true);
    c->ucmem = calloc(1, D_MEM_SIZE);
    if (!c->pdata || !c->pstack || !c->ucmem || !uc_setup(c))
        goto fail;
    if (cs_open(CS_ARCH_X86, mode == D_LONG64 ? CS_MODE_64 : mode == D_PM32 ? CS_MODE_32 : CS_MODE_16, &c->cs) !=
        CS_ERR_OK)
        goto fail;
    return c;
fail:
    fprintf(stderr, "unicorn diff: setup failed\n");
    d_close(c);
    return NULL;
}

bool d_use_rem(struct dctx *c)
{
    if (rem_init(c->v) < 0)
        return false;
    c->exec = rem_exec;
    return true;
}

void d_close(struct dctx *c)
{
    if (!c)
        return;
    if (c->cs)
        cs_close(&c->cs);
    if (c->uc)
        U.close(c->uc);
    if (c->vm) {
        rem_fini(c->v);
        vm_destroy(c->vm);
    }
    free(c->ucmem);
    free(c);
}

uint64_t d_executed(const struct dctx *c) { return c->executed; }

static void load_code(struct dctx *c, const struct dinsn *in, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        memcpy(c->ucmem + in[i].addr, in[i].b, in[i].len);
        pgm_load(&c->vm->pgm, in[i].addr, in[i].b, in[i].len);
    }
    U.ctl(c->uc, UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2), (uint64_t)in[0].addr,
          (uint64_t)in[n - 1].addr + in[n - 1].len);
}

struct regs {
    uint64_t r[16], eip;
    uint32_t fl;
};

static void print_insn(struct dctx *c, const struct dinsn *in, const char *mark)
{
    cs_insn *ci = NULL;
    char hex[48] = "";
    for (unsigned i = 0; i < in->len; i++)
        snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", in->b[i]);
    size_t n = cs_disasm(c->cs, in->b, in->len, in->addr, 1, &ci);
    fprintf(stderr, "%s %04x: %-36s %s %s  [%s def=%03x%s]\n", mark, in->addr, hex, n ? ci->mnemonic : "??",
            n ? ci->op_str : "", in->name, in->def, in->undef_reg >= 0 ? " dest undef" : "");
    if (n)
        cs_free(ci, n);
}

static void report(struct dctx *c, const struct dinsn *in, const struct regs *p, const struct regs *u,
                   uint16_t fmask, int rc, uint64_t dins, uc_err uerr)
{
    if (c->reported++ >= REPORT_MAX)
        return;
    fprintf(stderr, "\n=== unicorn diff MISMATCH: mode %s, seed %#" PRIx64 ", sequence %" PRIu64
                    " (rerun: PCVM_DIFF_SEED=%#" PRIx64 " PCVM_DIFF_SEQ=%" PRIu64 ")\n",
            is64(c) ? "long64" : c->mode == D_PM32 ? "pm32" : "real16", c->seed, c->seq, c->seed, c->seq);
    for (unsigned i = 0; i + 1 < c->nlog; i++)
        print_insn(c, &c->log[i], "   ");
    print_insn(c, in, ">>>");
    int w = is64(c) ? 16 : 8;
    fprintf(stderr, "      %-*s   %-*s\n", w, "pcvm", w, "unicorn");
    for (unsigned i = 0; i < ngpr(c); i++)
        fprintf(stderr, "  %3s %0*" PRIx64 "   %0*" PRIx64 "   %s\n", gpr_name[i], w, p->r[i], w, u->r[i],
                p->r[i] != u->r[i] && (int)i != in->undef_reg ? "<--" : "");
    fprintf(stderr, "   ip %0*" PRIx64 "   %0*" PRIx64 "   %s\n", w, p->eip, w, u->eip, p->eip != u->eip ? "<--" : "");
    fprintf(stderr, "  efl %0*x   %0*x   %s (compared bits %05x, differing %05x)\n", w, p->fl, w, u->fl,
            (p->fl ^ u->fl) & fmask ? "<--" : "", fmask, (p->fl ^ u->fl) & fmask);
    unsigned shown = 0;
    for (unsigned pg = 0; pg < 2; pg++) {
        const uint8_t *pp = pg ? c->pstack : c->pdata, *up = c->ucmem + (pg ? D_STACK : D_DATA);
        for (unsigned i = 0; i < 0x1000 && shown < 16; i++)
            if (pp[i] != up[i] && shown++ < 16)
                fprintf(stderr, "  mem[%04x] %02x         %02x         <--\n", (pg ? D_STACK : D_DATA) + i,
                        pp[i], up[i]);
    }
    fprintf(stderr, "  pcvm: iem_exec rc %d, retired %" PRIu64 "%s; unicorn: err %d (%s), exception %d\n",
            rc, dins, c->v->cpu.halted ? ", halted (exception handler: vector = eip - 0x800)" : "",
            uerr, U.strerror(uerr), c->uc_intno);
}

/* Runs `in` (at st->eip) in both; compares; on success syncs undefined state
 * and stores the new state in *st. */
static bool step(struct dctx *c, const struct dinsn *in, struct dstate *st)
{
    struct cpu *cpu = &c->v->cpu;
    struct regs p, u;
    uint64_t exits[2] = {in->exit[0], in->exit[1]};
    uint64_t n0 = c->v->insns;
    int rc = c->exec(c->v, 1);
    uint64_t dins = c->v->insns - n0;

    c->uc_intno = -1;
    U.ctl(c->uc, UC_CTL_WRITE(UC_CTL_UC_EXITS, 2), exits, (size_t)in->nexits);
    uc_err uerr = U.emu_start(c->uc, in->addr, 0, 0, 0);
    c->executed++;
    if (c->nlog < LOG_MAX)
        c->log[c->nlog++] = *in;
    if (c->trace)
        print_insn(c, in, "trace");

    uint64_t ufl = 0;
    for (unsigned i = 0; i < ngpr(c); i++) {
        p.r[i] = is64(c) ? cpu->gpr[i] : (uint32_t)cpu->gpr[i];
        u.r[i] = uc_get(c, i);
    }
    p.eip = is64(c) ? cpu->rip : (uint32_t)cpu->rip;
    p.fl = (uint32_t)cpu_get_flags(cpu);
    u.eip = uc_get(c, 99);
    U.reg_read(c->uc, is64(c) ? UC_X86_REG_RFLAGS : UC_X86_REG_EFLAGS, &ufl);
    u.fl = (uint32_t)ufl;

    uint16_t fmask = (uint16_t)(in->def | (0x7fff & ~D_ARITH));
    bool ok = rc == IEM_OK && dins == 1 && uerr == UC_ERR_OK && c->uc_intno < 0 && p.eip == u.eip &&
              !((p.fl ^ u.fl) & fmask) && !memcmp(c->pdata, c->ucmem + D_DATA, 0x1000) &&
              !memcmp(c->pstack, c->ucmem + D_STACK, 0x1000);
    for (unsigned i = 0; i < ngpr(c); i++)
        if (p.r[i] != u.r[i] && (int)i != in->undef_reg)
            ok = false;
    if (!ok) {
        report(c, in, &p, &u, fmask, rc, dins, uerr);
        if (c->uc_intno >= 0)
            uc_setup(c); /* see d_run_fault: a swallowed exception poisons the engine */
        return false;
    }
    if ((p.fl ^ u.fl) & D_ARITH)
        cpu_set_flags(cpu, (p.fl & ~(uint32_t)(D_ARITH & ~in->def)) | (u.fl & D_ARITH & ~in->def));
    if (in->undef_reg >= 0)
        cpu->gpr[in->undef_reg] = u.r[in->undef_reg];
    memcpy(st->r, u.r, sizeof u.r[0] * ngpr(c));
    st->eip = u.eip;
    st->fl = u.fl;
    return true;
}

static void start_seq(struct dctx *c, struct dgen *g, const struct dstate *st)
{
    for (unsigned i = 0; i < 0x1000; i += 8) {
        uint64_t r = d_rand(&g->rng);
        memcpy(c->ucmem + D_DATA + i, &r, 8);
        r = d_rand(&g->rng);
        memcpy(c->ucmem + D_STACK + i, &r, 8);
    }
    memcpy(c->pdata, c->ucmem + D_DATA, 0x1000);
    memcpy(c->pstack, c->ucmem + D_STACK, 0x1000);
    reset_pcvm(c, st);
    reset_uc(c, st);
    iem_flush(c->v);
    c->nlog = 0;
}

bool d_run_one(struct dctx *c, const struct dstate *st0, const struct dinsn *in)
{
    struct dstate st = *st0;
    struct dinsn one = *in;
    one.addr = st.eip = D_CODE;
    if (!one.nexits) {
        one.nexits = 1;
        one.exit[0] = D_CODE + one.len;
    }
    reset_pcvm(c, &st);
    reset_uc(c, &st);
    c->nlog = 0;
    c->seq = 0;
    load_code(c, &one, 1);
    return step(c, &one, &st);
}

unsigned d_run_random(struct dctx *c, uint64_t seed, uint64_t insns, unsigned seqlen, uint64_t *ran)
{
    const char *e = getenv("PCVM_DIFF_SEQ");
    uint64_t start = c->executed, seq = e ? strtoull(e, NULL, 0) : 0, nseq = 0;
    unsigned fails = 0;

    c->seed = seed;
    for (; c->executed - start < insns; seq++, nseq++) {
        struct dgen g = {.rng = seed ^ (seq * 0xd1b54a32d192ed03ull), .mode = c->mode, .mem = c->ucmem};
        struct dstate st;
        struct dinsn b[8];
        unsigned done = 0;
        bool ok = true;

        d_rand(&g.rng);
        c->seq = seq;
        g.size_bias = seq % 5 != 4 ? 0 : is64(c) ? 2u << d_below(&g.rng, 3) : d_below(&g.rng, 2) ? 2u : 4u;
        d_init_state(&g, &st);
        start_seq(c, &g, &st);
        while (ok && done < seqlen && st.eip < D_CODE_END - 128) {
            unsigned n = d_gen_batch(&g, &st, b);
            load_code(c, b, n);
            for (unsigned i = 0; i < n && ok; i++)
                if (b[i].addr == st.eip) {
                    ok = step(c, &b[i], &st);
                    done++;
                }
        }
        fails += !ok;
        if (e && getenv("PCVM_DIFF_ONE"))
            break;
    }
    if (ran)
        *ran = nseq;
    return fails;
}

/* Runs `in`, which must raise exception `vector` in both: pcvm must enter
 * the handler for it (guest IVT/IDT -> HLT at D_IVT_HANDLERS + vector)
 * with the GPRs other than ESP unchanged, Unicorn must report the same
 * interrupt number. */
static bool run_fault(struct dctx *c, const struct dstate *st0, const struct dinsn *in, unsigned vector, bool uc);

bool d_run_fault(struct dctx *c, const struct dstate *st0, const struct dinsn *in, unsigned vector)
{
    return run_fault(c, st0, in, vector, true);
}

bool d_run_fault_pcvm(struct dctx *c, const struct dstate *st0, const struct dinsn *in, unsigned vector)
{
    return run_fault(c, st0, in, vector, false);
}

static bool run_fault(struct dctx *c, const struct dstate *st0, const struct dinsn *in, unsigned vector, bool uc)
{
    struct dstate st = *st0;
    struct dinsn one = *in;
    struct cpu *cpu = &c->v->cpu;
    uint64_t exits[1] = {D_CODE + in->len};
    bool ok;

    one.addr = st.eip = D_CODE;
    reset_pcvm(c, &st);
    reset_uc(c, &st);
    c->nlog = 0;
    load_code(c, &one, 1);
    int rc = c->exec(c->v, 1);
    c->uc_intno = -1;
    U.ctl(c->uc, UC_CTL_WRITE(UC_CTL_UC_EXITS, 2), exits, (size_t)1);
    uc_err uerr = U.emu_start(c->uc, D_CODE, 0, 0, 0);
    c->executed++;
    /* Unicorn 2.0.1 does not clear QEMU's env->old_exception when a hook
     * swallows an exception, so the next one turns into #DF (8) and then
     * none at all: start from a fresh engine after every fault. */
    /* Unicorn stops on an invalid opcode with UC_ERR_INSN_INVALID instead of raising #UD */
    ok = rc == IEM_OK && cpu->rip == D_IVT_HANDLERS + vector &&
         (!uc || c->uc_intno == (int)vector || (vector == X_UD && c->uc_intno < 0 && uerr == UC_ERR_INSN_INVALID));
    for (unsigned i = 0; i < ngpr(c); i++) {
        uint64_t u = uc_get(c, i), p = is64(c) ? cpu->gpr[i] : (uint32_t)cpu->gpr[i];
        uint64_t want = is64(c) ? st.r[i] : (uint32_t)st.r[i];
        if (i != 4 && (p != want || (uc && u != want)))
            ok = false;
    }
    if (!uc_setup(c))
        ok = false;
    if (!ok) {
        c->log[c->nlog++] = one;
        print_insn(c, &one, ">>>");
        fprintf(stderr, "  expected exception %u: pcvm rc %d eip %#x (handler %#x); unicorn err %d exception %d\n",
                vector, rc, (unsigned)cpu->rip, D_IVT_HANDLERS + vector, uerr, c->uc_intno);
    }
    return ok;
}

#define STR_PD 0xc000u
#define STR_PT 0xd000u

/* pm32 paging for d_run_string: identity over 64 KiB (the rest not
 * present), D_STR_NP_LOW and D_STR_NP not present, D_STR_RO read-only. */
static void str_paging(struct dctx *c, bool on)
{
    struct cpu *cpu = &c->v->cpu;
    if (on) {
        uint32_t pt[16], pde = STR_PT | 3;
        uint64_t cr0 = 0, cr3 = STR_PD;
        for (uint32_t i = 0; i < 16; i++)
            pt[i] = i << 12 | (i << 12 == D_STR_NP_LOW || i << 12 == D_STR_NP ? 0 : i << 12 == D_STR_RO ? 1 : 3);
        memset(c->ucmem + STR_PT, 0, 0x1000);
        memcpy(c->ucmem + STR_PT, pt, sizeof pt);
        memset(c->ucmem + STR_PD, 0, 0x1000);
        memcpy(c->ucmem + STR_PD, &pde, 4);
        pgm_load(&c->vm->pgm, STR_PD, c->ucmem + STR_PD, 0x1000);
        pgm_load(&c->vm->pgm, STR_PT, c->ucmem + STR_PT, 0x1000);
        U.reg_read(c->uc, UC_X86_REG_CR0, &cr0);
        cr0 |= CR0_PG | CR0_WP;
        U.reg_write(c->uc, UC_X86_REG_CR3, &cr3);
        U.reg_write(c->uc, UC_X86_REG_CR0, &cr0);
        cpu->cr3 = STR_PD;
        cpu->cr0 |= CR0_PG | CR0_WP;
    } else {
        cpu->cr0 &= ~(uint64_t)(CR0_PG | CR0_WP);
    }
    tlb_mode_changed(c->v);
    iem_flush(c->v);
}

int d_run_string(struct dctx *c, const struct dstate *st0, const struct dinsn *in)
{
    static uint8_t pm[0x9000];
    struct dstate st = *st0;
    struct dinsn one = *in;
    struct cpu *cpu = &c->v->cpu;
    struct regs p, u;
    uint32_t lo = D_STR_LO, hi = d_str_hi(c->mode);
    uint64_t exits[1] = {D_CODE + in->len}, ufl = 0, ucr2 = 0, steps = 0;
    int rc = IEM_OK;

    one.addr = st.eip = D_CODE;
    for (uint32_t i = lo; i < hi; i++)
        c->ucmem[i] = (uint8_t)(i * 7 + (i >> 8));
    pgm_load(&c->vm->pgm, lo, c->ucmem + lo, hi - lo);
    reset_pcvm(c, &st);
    reset_uc(c, &st);
    if (c->mode == D_PM32)
        str_paging(c, true);
    c->nlog = 0;
    load_code(c, &one, 1);
    while (rc == IEM_OK && cpu->rip == D_CODE && steps++ < 100000)
        rc = c->exec(c->v, 1);
    c->uc_intno = -1;
    U.ctl(c->uc, UC_CTL_WRITE(UC_CTL_UC_EXITS, 2), exits, (size_t)1);
    uc_err uerr = U.emu_start(c->uc, D_CODE, 0, 0, 0);
    c->executed++;
    for (unsigned i = 0; i < ngpr(c); i++) {
        p.r[i] = is64(c) ? cpu->gpr[i] : (uint32_t)cpu->gpr[i];
        u.r[i] = uc_get(c, i);
    }
    p.eip = cpu->rip;
    p.fl = (uint32_t)cpu_get_flags(cpu);
    u.eip = uc_get(c, 99);
    U.reg_read(c->uc, is64(c) ? UC_X86_REG_RFLAGS : UC_X86_REG_EFLAGS, &ufl);
    U.reg_read(c->uc, UC_X86_REG_CR2, &ucr2);
    u.fl = (uint32_t)ufl;
    pgm_read(&c->vm->pgm, lo, pm + lo, hi - lo);
    /* a fault: Unicorn's hook stops at the instruction, pcvm enters the handler */
    int vec = c->uc_intno;
    bool ok = rc == IEM_OK && !((p.fl ^ u.fl) & (D_ARITH | F_DF)) && !memcmp(pm + lo, c->ucmem + lo, hi - lo);
    if (vec < 0)
        ok = ok && uerr == UC_ERR_OK && p.eip == u.eip && u.eip == D_CODE + in->len;
    else
        ok = ok && p.eip == D_IVT_HANDLERS + (unsigned)vec && u.eip == D_CODE && (vec != X_PF || cpu->cr2 == ucr2);
    for (unsigned i = 0; i < ngpr(c); i++)
        if (p.r[i] != u.r[i] && !(i == R_SP && vec >= 0))
            ok = false;
    if (c->mode == D_PM32)
        str_paging(c, false);
    if (!ok) {
        report(c, &one, &p, &u, D_ARITH | F_DF, rc, steps, uerr);
        fprintf(stderr, "  cr2 pcvm %#llx unicorn %#llx\n", (unsigned long long)cpu->cr2, (unsigned long long)ucr2);
        for (uint32_t i = lo; i < hi; i++)
            if (pm[i] != c->ucmem[i]) {
                fprintf(stderr, "  first differing byte at %#x: pcvm %02x unicorn %02x\n", i, pm[i], c->ucmem[i]);
                break;
            }
    }
    uc_setup(c); /* CR0.PG off, and a swallowed exception poisons the engine (run_fault) */
    return ok ? vec : -2;
}
