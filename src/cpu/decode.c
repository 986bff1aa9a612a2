/* Instruction fetch and decode: Zydis decodes each instruction address
 * once; the result is cached, keyed by guest-physical address and decode
 * mode, and stamped with the page's code generation so a write to the page
 * (pgm_note_write) makes every entry from it stale. Instructions that cross
 * a page or come from MMIO are decoded every time and not cached. */
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "pgm/tlb.h"

#define DCACHE_SIZE 8192

struct dcache_entry {
    uint64_t gpa;
    const uint32_t *genp; /* the page's code generation counter */
    uint32_t gen;
    uint8_t mode;
    uint8_t valid;
    struct iem_insn insn;
};

struct dcache {
    ZydisDecoder dec[DMODE_COUNT];
    iem_fn fn[ZYDIS_MNEMONIC_MAX_VALUE + 1];
    struct iem_insn scratch;
    struct dcache_entry e[DCACHE_SIZE];
};

static const struct iem_op_def *const op_tables[] = {
    iem_ops_data, iem_ops_alu, iem_ops_shift, iem_ops_bit, iem_ops_string,
    iem_ops_ctrl, iem_ops_far, iem_ops_sys, iem_ops_io, iem_ops_x87, iem_ops_long, iem_ops_sse,
};

int iem_decode_init(struct vcpu *v)
{
    static const struct { ZydisMachineMode m; ZydisStackWidth w; } modes[DMODE_COUNT] = {
        [DMODE_REAL] = {ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16},
        [DMODE_PM16] = {ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16},
        [DMODE_PM32] = {ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32},
        [DMODE_COMPAT16] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16},
        [DMODE_COMPAT32] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32},
        [DMODE_LONG] = {ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64},
    };
    struct dcache *d = calloc(1, sizeof(*d));
    if (!d)
        return -1;
    for (int i = 0; i < DMODE_COUNT; i++)
        if (ZYAN_FAILED(ZydisDecoderInit(&d->dec[i], modes[i].m, modes[i].w))) {
            free(d);
            return -1;
        }
    for (size_t t = 0; t < sizeof(op_tables) / sizeof(op_tables[0]); t++)
        for (const struct iem_op_def *o = op_tables[t]; o->fn; o++)
            d->fn[o->mnemonic] = o->fn;
    v->iem.dcache = d;
    return 0;
}

void iem_decode_fini(struct vcpu *v)
{
    free(v->iem.dcache);
    v->iem.dcache = NULL;
}

void iem_decode_flush(struct vcpu *v)
{
    struct dcache *d = v->iem.dcache;
    if (d)
        for (unsigned i = 0; i < DCACHE_SIZE; i++)
            d->e[i].valid = 0;
}

static bool map_reg(ZydisRegister r, uint8_t *rclass, uint16_t *idx)
{
    if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BL)
        *rclass = RC_GPR8, *idx = (uint16_t)(r - ZYDIS_REGISTER_AL);
    else if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH)
        *rclass = RC_GPR8H, *idx = (uint16_t)(r - ZYDIS_REGISTER_AH);
    else if (r >= ZYDIS_REGISTER_SPL && r <= ZYDIS_REGISTER_R15B)
        *rclass = RC_GPR8, *idx = (uint16_t)(r - ZYDIS_REGISTER_SPL + 4);
    else if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15W)
        *rclass = RC_GPR, *idx = (uint16_t)(r - ZYDIS_REGISTER_AX);
    else if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D)
        *rclass = RC_GPR, *idx = (uint16_t)(r - ZYDIS_REGISTER_EAX);
    else if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15)
        *rclass = RC_GPR, *idx = (uint16_t)(r - ZYDIS_REGISTER_RAX);
    else if (r >= ZYDIS_REGISTER_ES && r <= ZYDIS_REGISTER_GS)
        *rclass = RC_SEG, *idx = (uint16_t)(r - ZYDIS_REGISTER_ES);
    else if (r >= ZYDIS_REGISTER_CR0 && r <= ZYDIS_REGISTER_CR15)
        *rclass = RC_CR, *idx = (uint16_t)(r - ZYDIS_REGISTER_CR0);
    else if (r >= ZYDIS_REGISTER_DR0 && r <= ZYDIS_REGISTER_DR15)
        *rclass = RC_DR, *idx = (uint16_t)(r - ZYDIS_REGISTER_DR0);
    else if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP || r == ZYDIS_REGISTER_IP)
        *rclass = RC_OTHER, *idx = IEM_RIPREG;
    else {
        *rclass = RC_OTHER, *idx = (uint16_t)r;
        return false;
    }
    return true;
}

static uint8_t mem_reg(ZydisRegister r)
{
    uint8_t rc;
    uint16_t idx;
    if (r == ZYDIS_REGISTER_NONE)
        return IEM_NOREG;
    map_reg(r, &rc, &idx);
    if (idx == IEM_RIPREG)
        return IEM_RIPREG;
    return rc == RC_GPR ? (uint8_t)idx : IEM_NOREG;
}

/* IEM_CTL_* for the executor (iem.c step). */
static uint8_t ctl_bits(const struct iem_insn *in)
{
    switch (in->mnemonic) {
    case ZYDIS_MNEMONIC_MOV:
    case ZYDIS_MNEMONIC_POP:
        return in->op[0].type == OPT_REG && in->op[0].rclass == RC_SEG && in->op[0].reg == S_SS
                   ? IEM_CTL_LOADS_SS
                   : 0;
    case ZYDIS_MNEMONIC_IRET:
    case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_IRETQ:
        return IEM_CTL_IRET;
    case ZYDIS_MNEMONIC_INT:
    case ZYDIS_MNEMONIC_INT3:
    case ZYDIS_MNEMONIC_INT1:
        return IEM_CTL_SOFTINT;
    case ZYDIS_MNEMONIC_INTO:
        return IEM_CTL_INTO;
    case ZYDIS_MNEMONIC_SYSCALL:
    case ZYDIS_MNEMONIC_SYSRET:
        return IEM_CTL_TF_AFTER;
    default:
        return 0;
    }
}

/* IEM_CTL_ENDS_TB / IEM_CTL_NEAR_BR: where a translation block stops.
 * Branches end it; so does whatever may change the decode mode, CPL,
 * paging or the instruction stream (control and debug registers,
 * descriptor tables, MSRs, serialising instructions that cross-modifying
 * code relies on), and an opcode IEM does not implement. */
static uint8_t tb_bits(const ZydisDecodedInstruction *zi, const struct iem_insn *in)
{
    switch (zi->meta.category) {
    case ZYDIS_CATEGORY_COND_BR:
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_CALL:
    case ZYDIS_CATEGORY_RET:
        return IEM_CTL_ENDS_TB | (in->far ? 0 : IEM_CTL_NEAR_BR);
    case ZYDIS_CATEGORY_INTERRUPT:
    case ZYDIS_CATEGORY_SYSCALL:
    case ZYDIS_CATEGORY_SYSRET:
    case ZYDIS_CATEGORY_SYSTEM:
        return IEM_CTL_ENDS_TB;
    default:
        break;
    }
    switch (zi->mnemonic) {
    case ZYDIS_MNEMONIC_LGDT: case ZYDIS_MNEMONIC_LIDT: case ZYDIS_MNEMONIC_LLDT:
    case ZYDIS_MNEMONIC_LTR: case ZYDIS_MNEMONIC_LMSW: case ZYDIS_MNEMONIC_CLTS:
    case ZYDIS_MNEMONIC_INVLPG: case ZYDIS_MNEMONIC_INVPCID: case ZYDIS_MNEMONIC_WRMSR:
    case ZYDIS_MNEMONIC_XSETBV: case ZYDIS_MNEMONIC_HLT: case ZYDIS_MNEMONIC_CPUID:
    case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
    case ZYDIS_MNEMONIC_SYSENTER: case ZYDIS_MNEMONIC_SYSEXIT: case ZYDIS_MNEMONIC_RSM:
    case ZYDIS_MNEMONIC_WBINVD: case ZYDIS_MNEMONIC_INVD: case ZYDIS_MNEMONIC_MWAIT:
    case ZYDIS_MNEMONIC_UD0: case ZYDIS_MNEMONIC_UD1: case ZYDIS_MNEMONIC_UD2:
    case ZYDIS_MNEMONIC_WRPKRU: case ZYDIS_MNEMONIC_XRSTOR: case ZYDIS_MNEMONIC_XRSTORS:
    case ZYDIS_MNEMONIC_XRSTOR64: case ZYDIS_MNEMONIC_XRSTORS64:
        return IEM_CTL_ENDS_TB;
    default:
        break;
    }
    if (in->far || in->fn == iem_unimplemented)
        return IEM_CTL_ENDS_TB;
    for (unsigned i = 0; i < in->nops; i++)
        if (in->op[i].type == OPT_REG && (in->op[i].rclass == RC_CR || in->op[i].rclass == RC_DR))
            return IEM_CTL_ENDS_TB;
    return 0;
}

static void convert(struct dcache *d, unsigned mode, const ZydisDecodedInstruction *zi,
                    const ZydisDecodedOperand *zo, struct iem_insn *in)
{
    memset(in, 0, sizeof(*in));
    in->mnemonic = (uint16_t)zi->mnemonic;
    in->len = zi->length;
    in->osize = zi->operand_width >= 16 ? zi->operand_width / 8 : 2;
    in->asize = zi->address_width / 8;
    in->ssize = zi->stack_width / 8;
    in->lock = (zi->attributes & ZYDIS_ATTRIB_HAS_LOCK) != 0;
    if (zi->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE))
        in->rep = IEM_REP;
    else if (zi->attributes & ZYDIS_ATTRIB_HAS_REPNE)
        in->rep = IEM_REPNE;
    in->far = zi->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
    in->seg = S_NONE;
    if (zi->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_CS) in->seg = S_CS;
    else if (zi->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_SS) in->seg = S_SS;
    else if (zi->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_DS) in->seg = S_DS;
    else if (zi->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_ES) in->seg = S_ES;
    else if (zi->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_FS) in->seg = S_FS;
    else if (zi->attributes & ZYDIS_ATTRIB_HAS_SEGMENT_GS) in->seg = S_GS;
    in->opcode = zi->opcode;
    in->opmap = (uint8_t)zi->opcode_map;
    in->modrm_reg = zi->raw.modrm.reg;
    in->modrm = (uint8_t)(zi->raw.modrm.mod << 6 | zi->raw.modrm.reg << 3 | zi->raw.modrm.rm);
    /* every x87 instruction is an escape D8-DF, whatever ISA set Zydis
     * files it under (FCMOVcc, FCOMI and FISTTP have their own) */
    in->x87 = (zi->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && zi->opcode >= 0xd8 && zi->opcode <= 0xdf) ||
              zi->mnemonic == ZYDIS_MNEMONIC_FWAIT;

    if (zi->encoding == ZYDIS_INSTRUCTION_ENCODING_VEX) {
        in->vex = 1;
        in->vl = (uint8_t)(zi->avx.vector_length / 8);
    }

    for (unsigned i = 0; i < zi->operand_count && in->nops < 4; i++) {
        const ZydisDecodedOperand *o = &zo[i];
        struct iem_op *op = &in->op[in->nops];
        if (o->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN)
            continue;
        if (in->vex && o->encoding == ZYDIS_OPERAND_ENCODING_NDSNDD)
            in->nds = (uint8_t)(in->nops + 1);
        op->size = (uint8_t)((o->size + 7) / 8);
        switch (o->type) {
        case ZYDIS_OPERAND_TYPE_REGISTER:
            op->type = OPT_REG;
            map_reg(o->reg.value, &op->rclass, &op->reg);
            break;
        case ZYDIS_OPERAND_TYPE_MEMORY:
            op->type = OPT_MEM;
            op->seg = o->mem.segment >= ZYDIS_REGISTER_ES && o->mem.segment <= ZYDIS_REGISTER_GS
                          ? (uint8_t)(o->mem.segment - ZYDIS_REGISTER_ES)
                          : S_DS;
            op->base = mem_reg(o->mem.base);
            op->index = mem_reg(o->mem.index);
            if (o->mem.index >= ZYDIS_REGISTER_XMM0 && o->mem.index <= ZYDIS_REGISTER_XMM15)
                in->vsib = (uint8_t)(IEM_VSIB | (o->mem.index - ZYDIS_REGISTER_XMM0));
            else if (o->mem.index >= ZYDIS_REGISTER_YMM0 && o->mem.index <= ZYDIS_REGISTER_YMM15)
                in->vsib = (uint8_t)(IEM_VSIB | IEM_VSIB_Y | (o->mem.index - ZYDIS_REGISTER_YMM0));
            op->scale = o->mem.index == ZYDIS_REGISTER_NONE ? 0 : o->mem.scale;
            op->disp = o->mem.disp.has_displacement ? o->mem.disp.value : 0;
            break;
        case ZYDIS_OPERAND_TYPE_POINTER:
            op->type = OPT_PTR;
            op->sel = o->ptr.segment;
            op->imm = o->ptr.offset;
            break;
        case ZYDIS_OPERAND_TYPE_IMMEDIATE:
            op->type = OPT_IMM;
            op->imm = o->imm.value.u;
            op->rel = o->imm.is_relative;
            break;
        default:
            continue;
        }
        in->nops++;
    }
    /* Handlers are found by mnemonic, and EVEX (and MVEX) forms share the
     * VEX forms' mnemonics: AVX-512 is neither implemented nor in CPUID, so
     * they are #UD like any other unimplemented opcode, never run by a VEX
     * handler that would take them for its own. */
    in->fn = d->fn[zi->mnemonic] && zi->encoding != ZYDIS_INSTRUCTION_ENCODING_EVEX &&
                     zi->encoding != ZYDIS_INSTRUCTION_ENCODING_MVEX
                 ? d->fn[zi->mnemonic]
                 : iem_unimplemented;
    in->ipsize = mode == DMODE_LONG ? 8 : mode == DMODE_PM32 || mode == DMODE_COMPAT32 ? 4 : 2;
    in->ipmask = iem_mask(in->ipsize);
    in->ctl = ctl_bits(in) | tb_bits(zi, in);
    if ((in->ctl & (IEM_CTL_LOADS_SS | IEM_CTL_IRET | IEM_CTL_SOFTINT | IEM_CTL_INTO | IEM_CTL_TF_AFTER)) ||
        in->x87 ||
        zi->mnemonic == ZYDIS_MNEMONIC_POPF || zi->mnemonic == ZYDIS_MNEMONIC_POPFD ||
        zi->mnemonic == ZYDIS_MNEMONIC_POPFQ)
        in->ctl |= IEM_CTL_FULL;
}

/* A cache miss: reads the bytes (from a second page too when the
 * instruction may cross), decodes, and caches the result in e when the
 * instruction lies in one RAM or ROM page. Kept out of line so the hit
 * path stays small. */
static __attribute__((noinline)) int decode_miss(struct vcpu *v, struct dcache_entry *e, unsigned mode,
                                                 uint64_t lin, uint64_t gpa, uint64_t limit_left,
                                                 const struct iem_insn **out)
{
    struct dcache *d = v->iem.dcache;
    struct cpu *c = &v->cpu;
    struct pgm *p = &v->vm->pgm;
    uint64_t gpa2 = 0;
    uint8_t bytes[16];
    unsigned avail, n1;
    int rc2 = IEM_OK;
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus st;

    n1 = 0x1000 - (lin & 0xfff);
    if (n1 > 15)
        n1 = 15;
    avail = n1;
    pgm_read(p, gpa, bytes, n1);
    uint64_t saved_cr2 = c->cr2;
    if (n1 < 15 && limit_left > n1) {
        /* the instruction may continue on the next page; a fault there
         * only matters if the decoder needs those bytes */
        v->iem.exc.pending = false;
        rc2 = iem_translate(v, (lin + n1) & (mode == DMODE_LONG ? ~0ull : 0xffffffffull), ACC_X, &gpa2);
        if (rc2 == IEM_OK) {
            pgm_read(p, gpa2, bytes + n1, 15 - n1);
            avail = 15;
        }
    }
    if (avail > limit_left)
        avail = (unsigned)limit_left;
    st = ZydisDecoderDecodeFull(&d->dec[mode], bytes, avail, &zi, zo);
    if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG)
        return iem_gp(v, 0); /* more than 15 bytes */
    if (st == ZYDIS_STATUS_NO_MORE_DATA) {
        if (rc2 != IEM_OK)
            return rc2; /* the #PF of the second page, still pending */
        return iem_gp(v, 0); /* past the CS limit, or longer than 15 bytes */
    }
    v->iem.exc.pending = false;
    c->cr2 = saved_cr2; /* the second page's fault did not happen */
    if (ZYAN_FAILED(st)) /* an invalid encoding (bad LOCK, LEA with a register...): #UD */
        return iem_ud(v);
    bool newly = false;
    const uint32_t *genp = zi.length <= n1 ? pgm_code_page(p, gpa, zi.length, &newly) : NULL;
    if (!genp) {
        convert(d, mode, &zi, zo, &d->scratch);
        *out = &d->scratch;
        return IEM_OK;
    }
    if (newly) /* write TLB entries may point at this page: it now needs the slow path */
        tlb_code_page(v, gpa);
    convert(d, mode, &zi, zo, &e->insn);
    e->gpa = gpa;
    e->mode = (uint8_t)mode;
    e->genp = genp;
    e->gen = *genp;
    e->valid = 1;
    *out = &e->insn;
    return IEM_OK;
}

int iem_decode_buf(struct vcpu *v, unsigned mode, const uint8_t *bytes, unsigned avail, struct iem_insn *out)
{
    struct dcache *d = v->iem.dcache;
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus st = ZydisDecoderDecodeFull(&d->dec[mode], bytes, avail > 15 ? 15 : avail, &zi, zo);

    if (st == ZYDIS_STATUS_NO_MORE_DATA || st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG)
        return avail >= 15 ? -1 : 1;
    if (ZYAN_FAILED(st))
        return -1;
    convert(d, mode, &zi, zo, out);
    return 0;
}

int iem_fetch_decode(struct vcpu *v, const struct iem_insn **out)
{
    struct dcache *d = v->iem.dcache;
    struct cpu *c = &v->cpu;
    unsigned mode = iem_decode_mode(c);
    uint64_t lin, gpa, limit_left = 15;
    struct dcache_entry *e;
    int rc;

    if (mode == DMODE_LONG) {
        lin = c->rip;
    } else {
        if (c->rip > c->seg[S_CS].limit)
            return iem_gp(v, 0);
        limit_left = c->seg[S_CS].limit - c->rip + 1;
        lin = (c->seg[S_CS].base + c->rip) & 0xffffffffull;
    }
    rc = iem_fetch_translate(v, lin, &gpa);
    if (rc)
        return rc;

    e = &d->e[(gpa ^ (gpa >> 13) ^ mode) & (DCACHE_SIZE - 1)];
    if (e->valid && e->gpa == gpa && e->mode == mode && *e->genp == e->gen && e->insn.len <= limit_left) {
        *out = &e->insn;
        return IEM_OK;
    }
    return decode_miss(v, e, mode, lin, gpa, limit_left, out);
}

int iem_insn_bytes(struct vcpu *v, uint8_t *buf, unsigned max)
{
    struct cpu *c = &v->cpu;
    uint64_t lin = iem_decode_mode(c) == DMODE_LONG ? c->rip : (c->seg[S_CS].base + c->rip) & 0xffffffffull;
    unsigned n = 0;
    for (; n < max; n++) {
        uint64_t gpa;
        if (iem_translate(v, lin + n, ACC_X, &gpa) != IEM_OK) {
            v->iem.exc.pending = false;
            break;
        }
        pgm_read(&v->vm->pgm, gpa, buf + n, 1);
    }
    return (int)n;
}
