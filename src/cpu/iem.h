/* IEM internals: the decoded-instruction form, the handler contract and the
 * helpers every handler file uses. Only src/cpu/ includes this.
 *
 * Handler contract:
 * - A handler is `int fn(struct vcpu *v, const struct iem_insn *in)`.
 * - It returns IEM_OK, or a status from iem_raise() (IEM_EXC) / IEM_HALT /
 *   IEM_BREAK, or a negative error for an internal inconsistency (guru).
 * - On entry v->iem.next_rip is the address of the next instruction; a
 *   branch sets it (already masked to the operand size). The executor
 *   commits RIP = next_rip only when the handler returns IEM_OK/HALT/BREAK.
 * - On a fault no architectural state may have changed: read and check
 *   everything first, write registers last. Memory writes are done before
 *   register writes so a faulting store leaves registers intact. (Only a
 *   task switch past its commit point, or entering v86 code with VIF and
 *   VIP, faults after changing state, with RIP set to the new instruction;
 *   docs/DESIGN-NOTES.md.)
 */
#ifndef PCVM_IEM_H
#define PCVM_IEM_H

#include "cpu/cpu.h"
#include "vm/vm.h"

#include <Zydis/Zydis.h>


/* Operand kinds. */
enum { OPT_NONE, OPT_REG, OPT_MEM, OPT_IMM, OPT_PTR };
/* Register classes for OPT_REG. */
enum { RC_GPR8, RC_GPR8H, RC_GPR, RC_SEG, RC_CR, RC_DR, RC_OTHER };
#define IEM_NOREG 0xff
#define IEM_RIPREG 16

struct iem_op {
    uint8_t type;   /* OPT_* */
    uint8_t size;   /* bytes: register width, memory access width, imm width */
    uint8_t rclass; /* OPT_REG: RC_* */
    uint16_t reg;   /* OPT_REG: index within the class; RC_OTHER: the ZydisRegister */
    uint8_t seg;    /* OPT_MEM: effective segment (S_*) after overrides */
    uint8_t base;   /* OPT_MEM: 0..15, IEM_RIPREG, or IEM_NOREG */
    uint8_t index;  /* OPT_MEM: 0..15 or IEM_NOREG */
    uint8_t scale;  /* OPT_MEM: 1, 2, 4, 8 (0 when no index) */
    int64_t disp;   /* OPT_MEM displacement */
    uint64_t imm;   /* OPT_IMM: value sign/zero-extended as Zydis gives it;
                       OPT_PTR: offset */
    uint16_t sel;   /* OPT_PTR: selector */
    uint8_t rel;    /* OPT_IMM: relative branch displacement */
};

struct iem_insn;
typedef int (*iem_fn)(struct vcpu *v, const struct iem_insn *in);

#define IEM_VSIB   0x80
#define IEM_VSIB_Y 0x40
/* iem_insn.ctl, worked out once at decode so the executor tests one byte
 * after each instruction instead of comparing mnemonics. */
#define IEM_CTL_LOADS_SS 0x01 /* MOV SS / POP SS: traps and interrupts wait one instruction */
#define IEM_CTL_IRET     0x02 /* IRET*: RF comes from the popped image */
#define IEM_CTL_SOFTINT  0x04 /* INT n, INT3, INT1: TF cleared on entry, no single-step trap */
#define IEM_CTL_INTO     0x08 /* INTO: the same when the trap is taken */
/* For the recompiler's translation blocks (src/rem): */
#define IEM_CTL_ENDS_TB  0x10 /* a branch, or may change the mode, CS, paging or the code itself */
#define IEM_CTL_NEAR_BR  0x20 /* a near branch: the next block runs in the same mode */
/* Needs iem_step_decoded's full path even when no debug feature is on:
 * LOADS_SS/IRET/SOFTINT/INTO/TF_AFTER, x87 (#NM), and POPF (may set TF, which the
 * plain path does not look at). */
#define IEM_CTL_FULL     0x40
/* SYSCALL, SYSRET: the single-step trap follows EFLAGS.TF as the
 * instruction leaves it, not as it found it (no #DB in the kernel when
 * SFMASK clears TF; a SYSRET that sets TF traps right after itself). */
#define IEM_CTL_TF_AFTER 0x80

#define IEM_REP   1 /* F3 */
#define IEM_REPNE 2 /* F2 */

struct iem_insn {
    iem_fn fn;
    uint16_t mnemonic; /* ZydisMnemonic */
    uint8_t len;
    uint8_t nops;      /* explicit + implicit (visible) operands */
    uint8_t osize;     /* effective operand size in bytes: 2, 4, 8 */
    uint8_t asize;     /* effective address size in bytes: 2, 4, 8 */
    uint8_t ssize;     /* stack width in bytes: 2, 4, 8 */
    uint8_t rep;       /* IEM_REP / IEM_REPNE for string instructions */
    uint8_t lock;
    uint8_t far;       /* far branch (JMP/CALL/RET far) */
    uint8_t seg;       /* segment override prefix or S_NONE */
    uint8_t opcode;    /* last opcode byte */
    uint8_t opmap;     /* ZydisOpcodeMap */
    uint8_t modrm_reg; /* ModRM.reg field (group opcodes) */
    uint8_t modrm;     /* the whole ModRM byte (x87 forms) */
    uint8_t x87;       /* an x87 instruction (escape D8-DF, or WAIT): #NM rules apply */
    uint8_t vex;       /* VEX-encoded (AVX rules: XCR0/OSXSAVE checks, no alignment) */
    uint8_t vl;        /* VEX vector length in bytes: 16 (VEX.L=0) or 32 */
    uint8_t nds;       /* VEX: 1 + the index of the operand VEX.vvvv encodes, 0 if none */
    uint8_t vsib;      /* gathers: IEM_VSIB | IEM_VSIB_Y (YMM) | index register; op.index is NOREG */
    uint8_t ipsize;    /* width of RIP in the decode mode (CS size): 2, 4, 8 */
    uint8_t ctl;       /* IEM_CTL_*: what the executor does around this instruction */
    uint64_t ipmask;   /* iem_mask(ipsize) */
    struct iem_op op[4];
};

/* A table of handlers one file provides, terminated by {0, NULL}. */
struct iem_op_def {
    uint16_t mnemonic;
    iem_fn fn;
};

/* The handler tables (one per file), collected by iem.c. */
extern const struct iem_op_def iem_ops_data[];   /* iem_data.c: MOV, LEA, XCHG... */
extern const struct iem_op_def iem_ops_alu[];    /* iem_alu.c */
extern const struct iem_op_def iem_ops_shift[];  /* iem_shift.c */
extern const struct iem_op_def iem_ops_bit[];    /* iem_bit.c */
extern const struct iem_op_def iem_ops_string[]; /* iem_string.c */
extern const struct iem_op_def iem_ops_ctrl[];   /* iem_ctrl.c: near branches, stack, flags ops */
extern const struct iem_op_def iem_ops_far[];    /* iem_far.c: far branches, INT, IRET */
extern const struct iem_op_def iem_ops_sys[];    /* iem_sys.c: descriptor tables, CRx, MSR, CPUID */
extern const struct iem_op_def iem_ops_io[];     /* iem_io.c: IN/OUT/INS/OUTS, CLI/STI, HLT */
extern const struct iem_op_def iem_ops_x87[];    /* iem_x87.c and fpu*.c */
extern const struct iem_op_def iem_ops_long[];   /* iem_long.c: SYSCALL/SYSRET, SWAPGS, FS/GS base... */
extern const struct iem_op_def iem_ops_sse[];    /* iem_sse*.c: MMX, SSE..SSE4.2, AVX */
/* #NM for x87 instructions per CR0.EM/TS/MP (iem_x87.c). */
int iem_x87_check_nm(struct vcpu *v, const struct iem_insn *in);

/* ---- the executor (iem.c), shared with REM's first tier ---- */
/* One instruction from CS:RIP, fetched and decoded here. */
int iem_step(struct vcpu *v);
/* One instruction already decoded from CS:RIP (`in`, as iem_decode_buf
 * gave it): breakpoints, the handler, its commit or fault, debug traps. */
int iem_step_decoded(struct vcpu *v, const struct iem_insn *in);
/* Whether iem_step_plain may run instructions now: no instruction
 * breakpoint or TF to honour, no trace, no debug trap carried over by
 * MOV SS. It stays true until an IEM_CTL_FULL instruction or the end of a
 * block (those that change it end blocks or are IEM_CTL_FULL). */
static inline bool iem_plain_ok(const struct vcpu *v)
{
    return !(v->cpu.dr[7] & 0xff) && !(v->cpu.rflags & F_TF) && !v->iem.trace && !v->iem.dr6_carry;
}
/* iem_step_plain's tail after the handler returned rc (out of line). */
int iem_step_plain_finish(struct vcpu *v, const struct iem_insn *in, int rc, uint64_t fallthrough);
/* iem_step_decoded for an instruction without IEM_CTL_FULL while
 * iem_plain_ok(v): the same result, with nothing but the handler and the
 * commit on the common path. fallthrough = (RIP + len) & ipmask. */
static inline int iem_step_plain(struct vcpu *v, const struct iem_insn *in, uint64_t fallthrough)
{
    struct cpu *c = &v->cpu;
    int rc;

    v->iem.next_rip = fallthrough;
    v->iem.dr6_pending = 0;
    rc = in->fn(v, in);
    if (__builtin_expect(rc == IEM_OK && !v->iem.dr6_pending, 1)) {
        c->rip = v->iem.next_rip;
        v->insns++;
        if (c->rflags & F_RF) /* RF lasts one instruction */
            c->rflags &= ~(uint64_t)F_RF;
        return IEM_OK;
    }
    return iem_step_plain_finish(v, in, rc, fallthrough);
}
/* Delivers the NMI or interrupt that ff says is pending, when the CPU
 * accepts it now (the one place every engine chooses and acknowledges
 * interrupts); IEM_OK when nothing was delivered too. */
int iem_take_interrupt(struct vcpu *v, unsigned ff);
/* Decodes one instruction of decode mode `mode` (decode.h) from bytes:
 * 0 with *out filled, 1 when the bytes end before the instruction does,
 * -1 for an encoding that raises #UD or #GP (left to iem_step). */
int iem_decode_buf(struct vcpu *v, unsigned mode, const uint8_t *bytes, unsigned avail, struct iem_insn *out);

/* ---- status helpers (exc.c / iem.c) ---- */
/* Records a pending exception in v->iem and returns IEM_EXC. */
int iem_raise(struct vcpu *v, unsigned vector, uint32_t err, bool has_err);
static inline int iem_gp(struct vcpu *v, uint32_t err) { return iem_raise(v, X_GP, err, true); }
static inline int iem_ss(struct vcpu *v, uint32_t err) { return iem_raise(v, X_SS, err, true); }
static inline int iem_np(struct vcpu *v, uint32_t err) { return iem_raise(v, X_NP, err, true); }
static inline int iem_ts(struct vcpu *v, uint32_t err) { return iem_raise(v, X_TS, err, true); }
static inline int iem_ud(struct vcpu *v) { return iem_raise(v, X_UD, 0, false); }
static inline int iem_de(struct vcpu *v) { return iem_raise(v, X_DE, 0, false); }
/* #UD for an opcode IEM does not implement; logs it once with disassembly. */
int iem_unimplemented(struct vcpu *v, const struct iem_insn *in);

/* Event delivery (exc.c). kind tells how the event arose, which decides
 * the pushed return address, privilege checks on the gate (INT n from
 * software checks gate DPL) and v86 redirection. */
enum iem_event { EV_EXC, EV_HWINT, EV_SOFTINT, EV_INT3, EV_INTO, EV_ICEBP, EV_NMI };
/* Delivers vector through the IVT/IDT from the current state; return_rip is
 * the address pushed (the faulting instruction for faults, the next
 * instruction for traps and software interrupts). On success it sets BOTH
 * v->cpu.rip and v->iem.next_rip to the handler's entry (so a handler such
 * as INT n that calls it returns IEM_OK and the executor's commit of
 * next_rip keeps the new RIP) and returns IEM_OK.
 * For EV_EXC/EV_HWINT/EV_NMI it handles nesting itself: a fault while
 * delivering becomes #DF, a fault while delivering #DF returns IEM_TRIPLE.
 * For software events (INT n, INT3, INTO, ICEBP) a fault during delivery is
 * returned as IEM_EXC with the new exception pending, so the executor
 * delivers it with RIP still at the INT instruction. */
int iem_deliver(struct vcpu *v, unsigned vector, enum iem_event kind, uint32_t err, bool has_err,
                uint64_t return_rip);

/* ---- flags (flags.c) ---- */
static inline void iem_lazy(struct vcpu *v, enum lf_op op, unsigned size, uint64_t res, uint64_t s1,
                            uint64_t s2);
/* All ones for size bytes; inline because every operand access masks. */
static inline uint64_t iem_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}
/* Sets the arithmetic flags in `mask` to the bits in `val`, keeping the others exact. */
void iem_flags_update(struct vcpu *v, uint64_t mask, uint64_t val);
extern const uint8_t iem_parity[256]; /* F_PF when the byte has even parity */

/* ---- registers and operands (operand.c) ---- */
/* Inline: every register operand of every instruction comes through these. */
static inline uint64_t iem_gpr(struct vcpu *v, unsigned reg, unsigned size)
{
    return v->cpu.gpr[reg & 15] & iem_mask(size);
}

/* Writes size bytes; 4-byte writes zero the upper half in 64-bit mode as the
 * architecture does for every 32-bit GPR destination. */
static inline void iem_gpr_set(struct vcpu *v, unsigned reg, unsigned size, uint64_t val)
{
    uint64_t *r = &v->cpu.gpr[reg & 15];

    if (size >= 4) /* 32-bit destinations zero-extend, in every mode */
        *r = val & iem_mask(size);
    else
        *r = (*r & ~iem_mask(size)) | (val & iem_mask(size));
}
/* Effective offset of a memory operand, wrapped to the address size. */
uint64_t iem_ea(struct vcpu *v, const struct iem_insn *in, const struct iem_op *op);
/* Every operand kind (operand.c). */
int iem_opnd_read_any(struct vcpu *v, const struct iem_insn *in, unsigned i, uint64_t *val);
int iem_opnd_write_any(struct vcpu *v, const struct iem_insn *in, unsigned i, uint64_t val);
/* The same, with the common general-register case inline in the handler. */
static inline int iem_opnd_read(struct vcpu *v, const struct iem_insn *in, unsigned i, uint64_t *val)
{
    const struct iem_op *op = &in->op[i];
    if (op->type == OPT_REG && op->rclass == RC_GPR) {
        *val = iem_gpr(v, op->reg, op->size);
        return IEM_OK;
    }
    if (op->type == OPT_IMM) {
        *val = op->imm;
        return IEM_OK;
    }
    return iem_opnd_read_any(v, in, i, val);
}

static inline int iem_opnd_write(struct vcpu *v, const struct iem_insn *in, unsigned i, uint64_t val)
{
    const struct iem_op *op = &in->op[i];
    if (op->type == OPT_REG && op->rclass == RC_GPR) {
        iem_gpr_set(v, op->reg, op->size, val);
        return IEM_OK;
    }
    return iem_opnd_write_any(v, in, i, val);
}

/* ---- memory (mem.c) ---- */
enum { ACC_R = 1, ACC_W = 2, ACC_X = 4, ACC_SYS = 8 /* implicit supervisor (descriptor tables, TSS) */ };
/* Segmented accesses: limit/type/canonical checks (#GP(0) or #SS(0)), then paging. */
int iem_read(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, uint64_t *val);
int iem_write(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, uint64_t val);
int iem_read_buf(struct vcpu *v, unsigned seg, uint64_t off, void *buf, unsigned len);
int iem_write_buf(struct vcpu *v, unsigned seg, uint64_t off, const void *buf, unsigned len);
/* For REM's compiled code: the host address of a one-page operand backed
 * by plain RAM, after every check iem_read/iem_write make (segment,
 * alignment, paging, a write to a code page); NULL when the access needs
 * iem_read/iem_write's full path (a fault, MMIO, ROM, code, a page
 * crossing, a data breakpoint): the caller then runs the whole
 * instruction there, which raises the same fault again. */
uint8_t *iem_host_ptr(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, bool write);
/* Checks segment access only; returns IEM_OK and the linear address. */
int iem_seg_lin(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, unsigned acc, uint64_t *lin);
/* Linear accesses (paging only). acc: ACC_R/ACC_W/ACC_X, | ACC_SYS. */
int iem_lin_read(struct vcpu *v, uint64_t lin, void *buf, unsigned len, unsigned acc);
int iem_lin_write(struct vcpu *v, uint64_t lin, const void *buf, unsigned len, unsigned acc);
/* Fetch translation through the TLB (decode.c's hot path). */
int iem_fetch_translate(struct vcpu *v, uint64_t lin, uint64_t *gpa);
/* Translates a linear address; on a fault raises #PF (sets CR2) and returns IEM_EXC. */
int iem_translate(struct vcpu *v, uint64_t lin, unsigned acc, uint64_t *gpa);

/* #AC for a misaligned CPL 3 data access of 2, 4 or 8 bytes (CR0.AM, EFLAGS.AC). */
int iem_check_align(struct vcpu *v, uint64_t lin, unsigned len);
/* A read-modify-write's paging checks at lin, in the order a read then a
 * write makes them (#PF as they would raise it, A and D bits set); then the
 * host pointer of the byte at lin for a plain RAM page, or NULL and its
 * guest-physical address for a slow one (code page, MMIO, ROM). */
int iem_lin_rmw_page(struct vcpu *v, uint64_t lin, uint8_t **host, uint64_t *gpa);

/* ---- read-modify-write of memory (mem_atomic.c) ---- */
/* What a read-modify-write stores, from the old value: ADC/SBB take the
 * carry in cmp, CMPXCHG stores src when old == cmp and old otherwise. */
enum iem_rmw_op { RMW_ADD, RMW_ADC, RMW_SUB, RMW_SBB, RMW_AND, RMW_OR, RMW_XOR, RMW_XCHG, RMW_CMPXCHG,
                  RMW_NEG, RMW_NOT };
struct iem_rmw {
    uint8_t op; /* enum iem_rmw_op */
    uint64_t src, cmp;
};
/* The new value for old (size bytes, masked). */
uint64_t iem_rmw_apply(const struct iem_rmw *r, uint64_t old, unsigned size);
/* Reads size (1, 2, 4, 8) bytes at seg:off, stores iem_rmw_apply of them
 * and returns the old value. Faults are those of the read and then the
 * write, raised before memory changes. locked (a LOCK prefix, XCHG with
 * memory): atomic against every other vCPU; on plain RAM the operation is
 * a host compare-exchange, otherwise (split across 8 bytes, MMIO, ROM,
 * data breakpoints armed) it runs under vm->rmw_lock. */
int iem_mem_rmw(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, bool locked, const struct iem_rmw *r,
                uint64_t *old);
/* The same for memory operand i of in. */
int iem_opnd_rmw(struct vcpu *v, const struct iem_insn *in, unsigned i, bool locked, const struct iem_rmw *r,
                 uint64_t *old);
/* CMPXCHG16B's memory access (16-byte aligned, checked by the caller):
 * stores nw when the 16 bytes equal cmp, else writes them back unchanged;
 * old gets what was there. */
int iem_mem_cmpxchg16(struct vcpu *v, unsigned seg, uint64_t off, bool locked, const uint64_t cmp[2],
                      const uint64_t nw[2], uint64_t old[2]);

/* Stack (mem.c): SS-relative with the stack address size from SS.B / 64-bit. */
int iem_push(struct vcpu *v, unsigned size, uint64_t val);
int iem_pop(struct vcpu *v, unsigned size, uint64_t *val);
/* Reads the stack at RSP+off without moving RSP (for RET/IRET checks). */
int iem_stack_peek(struct vcpu *v, uint64_t off, unsigned size, uint64_t *val);
unsigned iem_stack_size(struct vcpu *v); /* 2, 4 or 8 */
void iem_sp_add(struct vcpu *v, int64_t delta); /* wraps to the stack size */

/* ---- segments and descriptors (seg.c) ---- */
/* Fields of an 8-byte segment or gate descriptor. */
#define D_TYPE(d) ((unsigned)((d) >> 40) & 0xf)
#define D_S(d)    (((d) >> 44) & 1)
#define D_DPL(d)  ((unsigned)((d) >> 45) & 3)
#define D_P(d)    (((d) >> 47) & 1)
#define D_L(d)    (((d) >> 53) & 1)
#define D_DB(d)   (((d) >> 54) & 1)
/* Reads the 8-byte descriptor for sel from the GDT/LDT; #GP(sel&~3) (or
 * exc_vector with the selector error code) when outside the table limit. */
int iem_desc_read(struct vcpu *v, uint16_t sel, uint64_t *desc, unsigned exc_vector);
/* Unpacks a descriptor into a segment cache. */
void iem_desc_to_seg(uint64_t desc, uint16_t sel, struct cpu_seg *s);
/* Loads DS/ES/FS/GS/SS with every protected-mode check (real/v86: base =
 * sel << 4). CS is loaded only through far transfers (iem_far.c). */
int iem_load_seg(struct vcpu *v, unsigned sreg, uint16_t sel);
/* Sets the descriptor-table accessed bit if clear. */
int iem_desc_set_accessed(struct vcpu *v, uint16_t sel, uint64_t desc);
/* Real/v86-mode segment load, used on mode changes too. */
void iem_seg_load_real(struct vcpu *v, unsigned sreg, uint16_t sel);
/* Recomputes v->cpu.cpl and any cached mode after CS/CR0/EFER changes. */
void iem_mode_changed(struct vcpu *v);

/* Descriptor and stack helpers shared by seg.c, exc.c, iem_far.c, iem_sys.c. */
int iem_desc_read_sys(struct vcpu *v, uint16_t sel, uint64_t desc[2], unsigned vec);
int iem_desc_probe(struct vcpu *v, uint16_t sel, uint64_t *desc, bool *found);
int iem_stk_push(struct vcpu *v, const struct cpu_seg *ss, unsigned width, uint64_t *sp, unsigned size,
                 uint64_t val, unsigned acc, uint32_t err);
int iem_check_new_ss(struct vcpu *v, uint16_t sel, unsigned cpl, unsigned vec, struct cpu_seg *out);
/* The checks of a CS from a return or a TSS, and of DS/ES/FS/GS, with the
 * vector (#GP or #TS) of the instruction or task switch that loads them. */
int iem_check_return_cs(struct vcpu *v, uint16_t sel, unsigned vec, uint64_t *desc);
int iem_load_data_seg(struct vcpu *v, unsigned sreg, uint16_t sel, unsigned vec);
void iem_load_cs(struct vcpu *v, uint16_t sel, uint64_t desc, unsigned cpl);
void iem_null_outer_segs(struct vcpu *v, unsigned new_cpl);
void iem_seg_null(struct cpu_seg *s, uint16_t sel);
int iem_tss_stack(struct vcpu *v, unsigned cpl, uint16_t *ss, uint64_t *sp);
int iem_tss_rsp64(struct vcpu *v, unsigned off, uint64_t *rsp);
/* Hardware task switches (task.c). src decides busy bits, NT and the back
 * link; ret_eip is saved in the old TSS; an exception's error code goes on
 * the new task's stack. */
enum iem_task_src { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT, TASK_FAULT /* TASK_INT, RF saved */ };
#define DR6_BT 0x8000u /* the #DB a new task's T bit raises */
/* Never in DR6 (bit 4 is reserved there): in dr6_carry, the instruction
 * about to run is in a MOV SS / POP SS shadow (iem.c). */
#define IEM_CARRY_SS_SHADOW 0x0010u
int iem_task_switch(struct vcpu *v, uint16_t sel, uint64_t desc, enum iem_task_src src, uint64_t ret_eip,
                    bool has_err, uint32_t err);
/* JMP/CALL far to a TSS descriptor or task gate (desc read from sel). */
int iem_task_far(struct vcpu *v, bool call, uint16_t sel, uint64_t desc);
/* An event through a present task gate in the IDT (gate DPL already checked). */
int iem_task_gate_event(struct vcpu *v, uint64_t gate, bool fault, uint64_t ret_eip, bool has_err, uint32_t err);
/* IRET with EFLAGS.NT=1 outside IA-32e mode. */
int iem_task_iret(struct vcpu *v);
/* CR4.VME / CR4.PVI (vme.c). iem_vif_mode: CLI/STI act on VIF.
 * iem_vme_flags16: a 16-bit PUSHF/POPF/IRET of this size sees VIF as IF;
 * then the pushed image is iem_vme_pushed_flags(EFLAGS) and a popped one
 * goes through iem_vme_popped_flags (#GP(0) for TF, or IF with VIP).
 * iem_v86_softint: INT n in v86 mode; IEM_OK with *done when redirected to
 * the IVT, IEM_OK without it for the IDT, or #GP(0). */
bool iem_vif_mode(const struct cpu *c);
bool iem_vme_flags16(const struct cpu *c, unsigned osize);
bool iem_vme_vip_pending(const struct cpu *c); /* entering v86 code: #GP(0) first */
uint64_t iem_vme_pushed_flags(uint64_t eflags);
int iem_vme_popped_flags(struct vcpu *v, uint64_t popped, uint64_t *eflags);
int iem_v86_softint(struct vcpu *v, unsigned vec, uint64_t ret_ip, bool *done);
int iem_push_seg(struct vcpu *v, const struct iem_insn *in); /* iem_far.c */
int iem_pop_seg(struct vcpu *v, const struct iem_insn *in);  /* iem_far.c */

/* Cross-file entry points for instructions whose mnemonic is shared. */
int iem_mov_to_seg(struct vcpu *v, const struct iem_insn *in);  /* seg.c  */
int iem_mov_cr(struct vcpu *v, const struct iem_insn *in);      /* iem_sys.c */
int iem_mov_dr(struct vcpu *v, const struct iem_insn *in);      /* iem_sys.c */
int iem_far_jmp_call(struct vcpu *v, const struct iem_insn *in); /* iem_far.c */
int iem_far_ret(struct vcpu *v, const struct iem_insn *in);     /* iem_far.c */

/* CR writes with every check and their side effects (mode, TLB, PGM). */
int iem_write_cr0(struct vcpu *v, uint64_t val);
int iem_write_cr4(struct vcpu *v, uint64_t val);
int iem_write_cr3(struct vcpu *v, uint64_t val);
/* MSR access (msr.c): returns IEM_EXC with #GP(0) for an unknown/bad MSR. */
int iem_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
int iem_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
/* CPUID leaf table (cpuid.c). */
void iem_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* Port I/O permission (IOPL, TSS bitmap): IEM_OK or #GP(0). */
int iem_io_allowed(struct vcpu *v, uint16_t port, unsigned size);
/* The I/O map base of the current TSS (also the end of the v86 interrupt
 * redirection bitmap): #GP(0) when TR is not a 32/64-bit TSS of 68h+ bytes. */
int iem_tss_io_base(struct vcpu *v, uint16_t *iobase);

/* Current guest TSC value. */
uint64_t iem_tsc(struct vcpu *v);

/* ---- inline flag helpers ---- */
static inline void iem_lazy(struct vcpu *v, enum lf_op op, unsigned size, uint64_t res, uint64_t s1,
                            uint64_t s2)
{
    struct cpu_lazy *lf = &v->cpu.lf;
    if (op == LF_INC || op == LF_DEC) {
        /* INC/DEC keep CF: pin it into rflags before the lazy state moves on. */
        v->cpu.rflags = (v->cpu.rflags & ~(uint64_t)F_CF) | cpu_get_cf(&v->cpu);
    }
    lf->op = (uint8_t)op;
    lf->size = (uint8_t)size;
    lf->res = res & iem_mask(size);
    lf->src1 = s1 & iem_mask(size);
    lf->src2 = s2 & iem_mask(size);
}

/* Canonical at the current linear-address width (PGM decides: 48 or 57 bits). */
static inline bool iem_canonical(const struct vcpu *v, uint64_t a)
{
    return pgm_canonical(v->cpu.cr4, a);
}

static inline uint64_t iem_sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

#endif
