/* Decoding: Zydis output turned into iem_insn, the per-page decode cache and
 * its invalidation by writes (self-modifying code), and lazy flags. */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/decode.h"

static struct vm *vm;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    struct cpu *c = &vm->cpus[0].cpu;
    c->cr0 |= CR0_PE;
    c->seg[S_CS] = (struct cpu_seg){.sel = 8, .base = 0, .limit = 0xffffffff, .attr = 0xc09b};
    for (int s = 0; s < 6; s++)
        if (s != S_CS)
            c->seg[s] = (struct cpu_seg){.sel = 0x10, .base = 0, .limit = 0xffffffff, .attr = 0xc093};
    c->gpr[R_SP] = 0x80000;
    iem_flush(&vm->cpus[0]);
}

static void teardown(void)
{
    vm_destroy(vm);
}

TestSuite(decode, .init = setup, .fini = teardown);

static const struct iem_insn *decode_at(uint64_t addr, const void *bytes, size_t len)
{
    const struct iem_insn *in;
    pgm_load(&vm->pgm, addr, bytes, len);
    vm->cpus[0].cpu.rip = addr;
    cr_assert_eq(iem_fetch_decode(&vm->cpus[0], &in), IEM_OK);
    return in;
}

Test(decode, memory_operand_with_sib_and_segment_override)
{
    /* mov eax, fs:[ebx + esi*4 + 0x12345678] */
    static const uint8_t b[] = {0x64, 0x8b, 0x84, 0xb3, 0x78, 0x56, 0x34, 0x12};
    const struct iem_insn *in = decode_at(0x1000, b, sizeof(b));
    cr_assert_eq(in->len, sizeof(b));
    cr_assert_eq(in->nops, 2);
    cr_assert_eq(in->op[0].type, OPT_REG);
    cr_assert_eq(in->op[0].rclass, RC_GPR);
    cr_assert_eq(in->op[0].reg, R_AX);
    cr_assert_eq(in->op[1].type, OPT_MEM);
    cr_assert_eq(in->op[1].seg, S_FS);
    cr_assert_eq(in->op[1].base, R_BX);
    cr_assert_eq(in->op[1].index, R_SI);
    cr_assert_eq(in->op[1].scale, 4);
    cr_assert_eq(in->op[1].disp, 0x12345678);
    cr_assert_eq(in->op[1].size, 4);
    cr_assert_eq(in->osize, 4);
    cr_assert_eq(in->asize, 4);
}

Test(decode, prefixes_in_16_bit_code)
{
    struct cpu *c = &vm->cpus[0].cpu;
    c->seg[S_CS].attr = 0x009b; /* 16-bit code segment */
    /* o32 a32 rep movsb -> rep movsb with 32-bit addressing */
    static const uint8_t b[] = {0x67, 0xf3, 0xa4};
    const struct iem_insn *in = decode_at(0x2000, b, sizeof(b));
    cr_assert_eq(in->asize, 4);
    cr_assert_eq(in->rep, IEM_REP);
    cr_assert_eq(in->mnemonic, ZYDIS_MNEMONIC_MOVSB);
    /* bp-based addressing defaults to SS */
    static const uint8_t b2[] = {0x8b, 0x46, 0x04}; /* mov ax, [bp+4] */
    in = decode_at(0x2010, b2, sizeof(b2));
    cr_assert_eq(in->op[1].seg, S_SS);
    cr_assert_eq(in->op[1].base, R_BP);
    cr_assert_eq(in->osize, 2);
}

Test(decode, high_byte_registers_and_far_branches)
{
    static const uint8_t b[] = {0x88, 0xe3}; /* mov bl, ah */
    const struct iem_insn *in = decode_at(0x3000, b, sizeof(b));
    cr_assert_eq(in->op[0].rclass, RC_GPR8);
    cr_assert_eq(in->op[0].reg, R_BX);
    cr_assert_eq(in->op[1].rclass, RC_GPR8H);
    cr_assert_eq(in->op[1].reg, R_AX);
    static const uint8_t f[] = {0xea, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00}; /* jmp 0008:12345678 */
    in = decode_at(0x3010, f, sizeof(f));
    cr_assert(in->far);
    cr_assert_eq(in->op[0].type, OPT_PTR);
    cr_assert_eq(in->op[0].sel, 8);
    cr_assert_eq(in->op[0].imm, 0x12345678);
}

Test(decode, cache_is_invalidated_by_a_write_to_the_page)
{
    static const uint8_t inc[] = {0x40}; /* inc eax */
    static const uint8_t dec[] = {0x48}; /* dec eax */
    const struct iem_insn *in = decode_at(0x5000, inc, 1);
    cr_assert_eq(in->mnemonic, ZYDIS_MNEMONIC_INC);
    in = decode_at(0x5000, inc, 1); /* second time: from the cache */
    cr_assert_eq(in->mnemonic, ZYDIS_MNEMONIC_INC);
    pgm_write(&vm->pgm, 0x5000, dec, 1);
    vm->cpus[0].cpu.rip = 0x5000;
    cr_assert_eq(iem_fetch_decode(&vm->cpus[0], &in), IEM_OK);
    cr_assert_eq(in->mnemonic, ZYDIS_MNEMONIC_DEC);
}

Test(decode, self_modifying_code_runs_the_new_bytes)
{
    /* mov byte [patch], 0x48 (dec eax); patch: inc eax; hlt  -- executed twice */
    static const uint8_t code[] = {
        0xc6, 0x05, 0x07, 0x60, 0x00, 0x00, 0x48, /* mov byte [0x6007], 0x48 */
        0x40,                                     /* 0x6007: inc eax -> patched to dec */
        0xf4,
    };
    struct vcpu *v = &vm->cpus[0];
    pgm_load(&vm->pgm, 0x6000, code, sizeof(code));
    v->cpu.gpr[R_AX] = 10;
    /* warm the cache with the unpatched instruction first */
    v->cpu.rip = 0x6007;
    cr_assert_eq(iem_exec(v, 1), IEM_OK);
    cr_assert_eq(v->cpu.gpr[R_AX], 11);
    v->cpu.rip = 0x6000;
    cr_assert_eq(iem_exec(v, 2), IEM_OK);
    cr_assert_eq(v->cpu.gpr[R_AX], 10, "the patched DEC must run, not the cached INC");
}

Test(decode, a_write_from_another_vcpu_drops_the_decoded_code)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 2, .nodefaults = true};
    const struct iem_insn *in;
    struct vm *smp;
    char err[200];

    cr_assert_eq(vm_create(&cfg, &smp, err, sizeof(err)), 0, "%s", err);
    struct vcpu *v0 = &smp->cpus[0], *v1 = &smp->cpus[1];
    for (unsigned i = 0; i < 2; i++) { /* real mode, CS = 0 */
        smp->cpus[i].cpu.seg[S_CS].base = 0;
        smp->cpus[i].cpu.seg[S_CS].sel = 0;
        iem_flush(&smp->cpus[i]);
    }
    pgm_load(&smp->pgm, 0x5000, (const uint8_t[]){0x40}, 1); /* inc ax */
    /* vCPU 1 writes the page while it holds no code: a direct TLB entry */
    cr_assert_eq(iem_write(v1, S_DS, 0x5100, 1, 0x90), IEM_OK);
    v0->cpu.rip = 0x5000;
    cr_assert_eq(iem_fetch_decode(v0, &in), IEM_OK);
    cr_assert_eq(in->mnemonic, ZYDIS_MNEMONIC_INC);
    /* now it does: vCPU 1's next write must reach vCPU 0's decode cache */
    cr_assert_eq(iem_write(v1, S_DS, 0x5000, 1, 0x48), IEM_OK); /* dec ax */
    cr_assert_eq(iem_fetch_decode(v0, &in), IEM_OK);
    cr_assert_eq(in->mnemonic, ZYDIS_MNEMONIC_DEC, "vCPU 0 runs the instruction vCPU 1 wrote");
    vm_destroy(smp);
}

Test(decode, evex_forms_are_ud)
{
    /* vaddps xmm0, xmm0, xmm1 (EVEX.128): AVX-512 is neither implemented nor in CPUID,
     * so the EVEX form is #UD, not a VEX handler reading it as its own */
    static const uint8_t evex[] = {0x62, 0xf1, 0x7c, 0x08, 0x58, 0xc1};
    struct vcpu *v = &vm->cpus[0];
    v->cpu.cr4 |= CR4_OSFXSR | 0x40000; /* OSXSAVE */
    v->cpu.xcr0 = 7;
    const struct iem_insn *in = decode_at(0x8000, evex, sizeof(evex));
    cr_assert_eq(in->fn(v, in), IEM_EXC);
    cr_assert_eq(v->iem.exc.vector, X_UD, "vector %u", v->iem.exc.vector);
}

Test(decode, over_long_instruction_is_gp)
{
    /* 16 prefixes make an instruction longer than 15 bytes: #GP(0) */
    uint8_t b[17];
    const struct iem_insn *in;
    memset(b, 0x66, 16);
    b[16] = 0x90;
    pgm_load(&vm->pgm, 0x7000, b, sizeof(b));
    vm->cpus[0].cpu.rip = 0x7000;
    cr_assert_eq(iem_fetch_decode(&vm->cpus[0], &in), IEM_EXC);
    cr_assert_eq(vm->cpus[0].iem.exc.vector, X_GP);
    cr_assert_eq(vm->cpus[0].iem.exc.err, 0);
}

Test(decode, lazy_flags_match_direct_computation)
{
    struct vcpu *v = &vm->cpus[0];
    static const struct { enum lf_op op; unsigned size; uint64_t a, b; uint64_t want; } cases[] = {
        /* want = expected OSZAPC */
        {LF_ADD, 1, 0x7f, 0x01, F_OF | F_SF | F_AF},
        {LF_ADD, 1, 0xff, 0x01, F_ZF | F_AF | F_CF | F_PF},
        {LF_SUB, 4, 0, 1, F_SF | F_AF | F_CF | F_PF},
        {LF_SUB, 2, 0x8000, 1, F_OF | F_AF | F_PF},
        {LF_LOGIC, 4, 0x80000000, 0, F_SF | F_PF},
        {LF_ADD, 8, ~0ull, 1, F_ZF | F_AF | F_CF | F_PF},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t r = cases[i].op == LF_SUB ? cases[i].a - cases[i].b
                     : cases[i].op == LF_ADD ? cases[i].a + cases[i].b
                                              : cases[i].a;
        cpu_set_flags(&v->cpu, F_1);
        iem_lazy(v, cases[i].op, cases[i].size, r, cases[i].a, cases[i].b);
        cr_assert_eq(cpu_get_flags(&v->cpu) & F_ARITH, cases[i].want, "case %u: %llx", i,
                     (unsigned long long)(cpu_get_flags(&v->cpu) & F_ARITH));
    }
    /* INC keeps CF */
    cpu_set_flags(&v->cpu, F_1 | F_CF);
    iem_lazy(v, LF_INC, 4, 1, 0, 1);
    cr_assert(cpu_get_flags(&v->cpu) & F_CF);
    /* conditions read through the lazy state */
    iem_lazy(v, LF_SUB, 4, (uint64_t)-1, 1, 2); /* 1 - 2: below, less */
    cr_assert(cpu_cond(&v->cpu, 2));  /* B */
    cr_assert(cpu_cond(&v->cpu, 12)); /* L */
    cr_assert(!cpu_cond(&v->cpu, 4)); /* Z */
}

/* Conditions read from the lazy state agree with the exact flags, for
 * every operation, size and condition (ZF and SF have their own path). */
Test(decode, conditions_match_the_exact_flags)
{
    static const enum lf_op ops[] = {LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC,
                                     LF_NEG, LF_SHL, LF_SHR, LF_SAR};
    static const uint64_t vals[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x80000000, 0xffffffff,
                                    0x8000000000000000ull, ~0ull};
    struct vcpu *v = &vm->cpus[0];
    for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
        for (unsigned size = 1; size <= 8; size *= 2)
            for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
                for (unsigned cc = 0; cc < 16; cc++) {
                    uint64_t a = vals[i], b = vals[(i + 3) % 11], f;
                    bool want;
                    cpu_set_flags(&v->cpu, F_1 | (i & 1 ? F_CF : 0));
                    iem_lazy(v, ops[o], size, a + b, a, b);
                    f = cpu_get_flags(&v->cpu);
                    switch (cc >> 1) {
                    case 0: want = f & F_OF; break;
                    case 1: want = f & F_CF; break;
                    case 2: want = f & F_ZF; break;
                    case 3: want = f & (F_CF | F_ZF); break;
                    case 4: want = f & F_SF; break;
                    case 5: want = f & F_PF; break;
                    case 6: want = !(f & F_SF) != !(f & F_OF); break;
                    default: want = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break;
                    }
                    cr_assert_eq(cpu_cond(&v->cpu, cc), (cc & 1) ? !want : want, "op %u size %u %llx cc %u",
                                 ops[o], size, (unsigned long long)a, cc);
                }
}
