/* REM's x86-64 encoder and code buffer: the handful of host instruction
 * forms the native tier emits, each a function that appends its bytes.
 *
 * Invariants:
 * - Generated code addresses guest state only as [rbx + disp32] (the
 *   vCPU), [rbp + disp32] (REM's state) and [rax] (a guest operand's host
 *   address); rax, rcx, rdx, rsi and rdi are scratch, and so are xmm0 and
 *   xmm1 (no value stays in them past one instruction). r8-r15 hold the
 *   guest's rax..rdi (rem_x64.h); calls into C that do not write the cache
 *   back save r8-r11 (x64_call_keep).
 * - The buffer is one memfd mapped twice: written only through `rw`, run
 *   only through `rx`; no page is writable and executable at once.
 * - An emit past the end sets `full` and writes nothing; the caller drops
 *   the block it was compiling.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rem/rem_x64.h"

int rem_code_init(struct rem_code *cb, size_t size)
{
    int fd = memfd_create("pcvm-rem-code", MFD_CLOEXEC);
    memset(cb, 0, sizeof(*cb));
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)size) < 0)
        goto fail;
    cb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (cb->rw == MAP_FAILED)
        goto fail;
    cb->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (cb->rx == MAP_FAILED) {
        munmap(cb->rw, size);
        goto fail;
    }
    close(fd);
    cb->size = size;
    cb->cold = size / 2;
    cb->cold_used = cb->cold;
    return 0;
fail:
    close(fd);
    cb->rw = cb->rx = NULL;
    return -ENOMEM;
}

void rem_code_fini(struct rem_code *cb)
{
    if (cb->rw)
        munmap(cb->rw, cb->size);
    if (cb->rx)
        munmap(cb->rx, cb->size);
    memset(cb, 0, sizeof(*cb));
}

static void put(struct x64 *e, const void *b, size_t n)
{
    if (e->full || (size_t)(e->end - e->p) < n) {
        e->full = true;
        return;
    }
    memcpy(e->p, b, n);
    e->p += n;
}

/* A branch of n bytes that neither crosses nor ends at a 32-byte
 * boundary: Intel cores with the JCC erratum fix keep such branches out
 * of the decoded-uop cache, which made tight guest loops 1.5x slower
 * whenever a jump happened to land there. NOPs pad it to the boundary. */
static void put_branch(struct x64 *e, const void *b, size_t n)
{
    static const uint8_t nops[][6] = {{0x90},
                                      {0x66, 0x90},
                                      {0x0f, 0x1f, 0x00},
                                      {0x0f, 0x1f, 0x40, 0x00},
                                      {0x0f, 0x1f, 0x44, 0x00, 0x00},
                                      {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00}};
    size_t o = (uintptr_t)e->p & 31;
    /* a CMP or TEST just before fuses with a Jcc, and the pair counts as
     * one branch: a boundary in its last 7 bytes, or right here, gets a
     * NOP between them (no fusion) */
    if (o < 7 && !e->full) {
        put(e, nops[0], 1);
        o++;
    }
    if (o + n >= 32 && !e->full)
        put(e, nops[32 - o - 1], 32 - o);
    put(e, b, n);
}

static void put1(struct x64 *e, uint8_t b)
{
    put(e, &b, 1);
}
static void put4(struct x64 *e, uint32_t v)
{
    put(e, &v, 4);
}

/* REX (W when w, R and B for r8-r15) when needed, then opcode, then ModRM
 * mod=10 reg rm=base with disp32. */
static void mem_raw(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, int32_t disp)
{
    unsigned rex = (w ? 8u : 0u) | (reg >= 8 ? 4u : 0u) | (base >= 8 ? 1u : 0u);
    if (rex)
        put1(e, (uint8_t)(0x40 | rex));
    put1(e, opc);
    put1(e, (uint8_t)(0x80 | (reg & 7) << 3 | (base & 7)));
    put4(e, (uint32_t)disp);
}

/* The cached guest register whose 8 bytes [rbx + disp] falls in, or -1. */
static int cached(const struct x64 *e, unsigned base, int32_t disp)
{
    int64_t off = (int64_t)disp - e->gpr0;
    if (base != X_RBX || off < 0 || off >= 16 * 8)
        return -1;
    return e->host[off / 8] >= 0 ? (int)(off / 8) : -1;
}

static void mem_op(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, int32_t disp)
{
    if (cached(e, base, disp) >= 0) /* a cached register as memory: not this TB */
        e->full = true;
    mem_raw(e, w, opc, reg, base, disp);
}

void x64_load(struct x64 *e, unsigned reg, int32_t disp, bool w)
{
    int g = cached(e, X_RBX, disp);
    if (g >= 0 && e->gpr0 + 8 * g == disp)
        x64_mov_rr(e, reg, (unsigned)e->host[g], w);
    else
        mem_op(e, w, 0x8b, reg, X_RBX, disp);
}

void x64_store64(struct x64 *e, int32_t disp, unsigned reg)
{
    int g = cached(e, X_RBX, disp);
    if (g >= 0 && e->gpr0 + 8 * g == disp) {
        x64_mov_rr(e, (unsigned)e->host[g], reg, true);
        e->dirty |= (uint16_t)(1u << g);
    } else {
        mem_op(e, true, 0x89, reg, X_RBX, disp);
    }
}

int x64_cached_reg(const struct x64 *e, int32_t disp)
{
    int g = cached(e, X_RBX, disp);
    return g >= 0 && e->gpr0 + 8 * g == disp ? e->host[g] : -1;
}

void x64_cache_writeback(struct x64 *e)
{
    for (unsigned g = 0; g < 16; g++)
        if (e->host[g] >= 0 && (e->dirty >> g & 1))
            mem_raw(e, true, 0x89, (unsigned)e->host[g], X_RBX, e->gpr0 + 8 * (int32_t)g);
}

void x64_cache_reload(struct x64 *e)
{
    for (unsigned g = 0; g < 16; g++)
        if (e->host[g] >= 0)
            mem_raw(e, true, 0x8b, (unsigned)e->host[g], X_RBX, e->gpr0 + 8 * (int32_t)g);
}

/* rax, rcx, rdx and rbx in the caller-saved ones: x64_call_keep saves
 * them all or none */
const int8_t x64_pin_host[8] = {8, 9, 10, 11, 12, 13, 14, 15};

void x64_pin_reload(struct x64 *e)
{
    for (unsigned g = 0; g < 8; g++)
        mem_raw(e, true, 0x8b, (unsigned)x64_pin_host[g], X_RBX, e->gpr0 + 8 * (int32_t)g);
}

void x64_cache_handoff(struct x64 *e)
{
    for (unsigned g = 0; g < 8; g++)
        if (e->unpinned >> g & 1)
            mem_raw(e, true, 0x8b, (unsigned)x64_pin_host[g], X_RBX, e->gpr0 + 8 * (int32_t)g);
}

void x64_pin_store(struct x64 *e, uint8_t which)
{
    for (unsigned g = 0; g < 8; g++)
        if (which >> g & 1)
            mem_raw(e, true, 0x89, (unsigned)x64_pin_host[g], X_RBX, e->gpr0 + 8 * (int32_t)g);
}

void x64_alu_rr(struct x64 *e, enum x64_alu op, unsigned dst, unsigned src, bool w)
{
    static const uint8_t opc[] = {
        [X_ADD] = 0x01, [X_OR] = 0x09, [X_AND] = 0x21, [X_SUB] = 0x29, [X_XOR] = 0x31};
    unsigned rex = (w ? 8u : 0u) | (src >= 8 ? 4u : 0u) | (dst >= 8 ? 1u : 0u);
    if (rex)
        put1(e, (uint8_t)(0x40 | rex));
    put1(e, opc[op]);
    put1(e, (uint8_t)(0xc0 | (src & 7) << 3 | (dst & 7)));
}

void x64_mov_rr(struct x64 *e, unsigned dst, unsigned src, bool w)
{
    unsigned rex = (w ? 8u : 0u) | (src >= 8 ? 4u : 0u) | (dst >= 8 ? 1u : 0u);
    if (rex)
        put1(e, (uint8_t)(0x40 | rex));
    put1(e, 0x89);
    put1(e, (uint8_t)(0xc0 | (src & 7) << 3 | (dst & 7)));
}

void x64_mov_imm(struct x64 *e, unsigned reg, uint64_t imm)
{
    if (imm <= 0xffffffffu) { /* mov r32, imm32 zero-extends */
        put1(e, (uint8_t)(0xb8 + (reg & 7)));
        put4(e, (uint32_t)imm);
    } else if ((int64_t)imm == (int32_t)imm) { /* mov r64, simm32 */
        put1(e, 0x48);
        put1(e, 0xc7);
        put1(e, (uint8_t)(0xc0 | (reg & 7)));
        put4(e, (uint32_t)imm);
    } else {
        put1(e, 0x48);
        put1(e, (uint8_t)(0xb8 + (reg & 7)));
        put(e, &imm, 8);
    }
}

void x64_shl(struct x64 *e, unsigned reg, unsigned n)
{
    x64_shift_imm(e, 4, reg, n, true);
}

void x64_store_imm16(struct x64 *e, int32_t disp, uint16_t imm)
{
    put1(e, 0x66);
    mem_op(e, false, 0xc7, 0, X_RBX, disp);
    put(e, &imm, 2);
}

void x64_add_mem(struct x64 *e, unsigned base, int32_t disp, uint32_t imm, unsigned width)
{
    if (width == 2)
        put1(e, 0x66);
    mem_op(e, width == 8, 0x81, 0, base, disp);
    if (width == 2)
        put(e, &imm, 2);
    else
        put4(e, imm);
}

void x64_prologue(struct x64 *e)
{
    /* push rbx; push rbp; push r12-r15; sub rsp, 8 (calls see a 16-byte
     * aligned stack); mov rbx, rdi; mov rbp, rsi */
    static const uint8_t b[] = {0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,
                                0x48, 0x83, 0xec, 0x08, 0x48, 0x89, 0xfb, 0x48, 0x89, 0xf5};
    put(e, b, sizeof(b));
}

/* add rsp, 8; pop r15-r12; pop rbp; pop rbx; ret */
static const uint8_t epilogue[] = {0x48, 0x83, 0xc4, 0x08, 0x41, 0x5f, 0x41, 0x5e,
                                   0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3};

/* mov reg, e->tb; mov [rbp + r_cur], reg */
static void store_cur(struct x64 *e, unsigned reg)
{
    x64_mov_imm(e, reg, e->tb);
    mem_raw(e, true, 0x89, reg, X_RBP, e->r_cur);
}

void x64_return(struct x64 *e, bool keep_eax, uint32_t value)
{
    if (e->tb)
        store_cur(e, X_RCX);
    if (!keep_eax) {
        put1(e, 0xb8);
        put4(e, value);
    }
    put(e, epilogue, sizeof(epilogue));
}

void x64_call(struct x64 *e, const void *fn, uint64_t arg1)
{
    /* mov rdi, rbx; mov rsi, arg1; mov rax, fn; call rax */
    static const uint8_t rdi_rbx[] = {0x48, 0x89, 0xdf};
    uint64_t f = (uint64_t)(uintptr_t)fn;
    put(e, rdi_rbx, sizeof(rdi_rbx));
    put1(e, 0x48);
    put1(e, 0xbe);
    put(e, &arg1, 8);
    put1(e, 0x48);
    put1(e, 0xb8);
    put(e, &f, 8);
    put1(e, 0xff);
    put1(e, 0xd0);
}

/* Whether the cache holds a guest register in r8-r11 (caller-saved). */
static bool low_cached(const struct x64 *e)
{
    for (unsigned g = 0; g < 16; g++)
        if (e->host[g] >= 8 && e->host[g] < 12)
            return true;
    return false;
}

void x64_call_keep(struct x64 *e, const void *fn, uint64_t arg1)
{
    /* push r8-r11 (32 bytes: the stack stays 16-byte aligned) */
    static const uint8_t push[] = {0x41, 0x50, 0x41, 0x51, 0x41, 0x52, 0x41, 0x53};
    static const uint8_t pop[] = {0x41, 0x5b, 0x41, 0x5a, 0x41, 0x59, 0x41, 0x58};
    bool keep = low_cached(e);
    if (keep)
        put(e, push, sizeof(push));
    x64_call(e, fn, arg1);
    if (keep)
        put(e, pop, sizeof(pop));
}

void x64_call_cur(struct x64 *e, const void *fn, uint64_t arg1)
{
    store_cur(e, X_RAX);
    x64_call(e, fn, arg1);
}

void x64_return_if_eax(struct x64 *e)
{
    /* test eax, eax; jz over the return (its length patched in after);
     * return with eax as it is */
    static const uint8_t b[] = {0x85, 0xc0, 0x74, 0};
    put(e, b, sizeof(b));
    uint8_t *at = e->p;
    x64_return(e, true, 0);
    if (!e->full)
        at[-1] = (uint8_t)(e->p - at);
}

void x64_add_imm(struct x64 *e, unsigned reg, int32_t imm)
{
    put1(e, 0x48);
    put1(e, 0x81);
    put1(e, (uint8_t)(0xc0 | (reg & 7)));
    put4(e, (uint32_t)imm);
}

void x64_test_eax(struct x64 *e)
{
    static const uint8_t b[] = {0x85, 0xc0};
    put(e, b, sizeof(b));
}

void x64_test_rax(struct x64 *e)
{
    static const uint8_t b[] = {0x48, 0x85, 0xc0};
    put(e, b, sizeof(b));
}

uint8_t *x64_jz(struct x64 *e)
{
    static const uint8_t b[] = {0x0f, 0x84, 0, 0, 0, 0};
    put_branch(e, b, sizeof(b));
    return e->full ? NULL : e->p - 4;
}

uint8_t *x64_jmp(struct x64 *e)
{
    static const uint8_t b[] = {0xe9, 0, 0, 0, 0};
    put_branch(e, b, sizeof(b));
    return e->full ? NULL : e->p - 4;
}

static void swap_stream(struct x64 *e)
{
    uint8_t *p = e->p, *end = e->end;
    if (!e->alt_p)
        return;
    e->p = e->alt_p, e->end = e->alt_end;
    e->alt_p = p, e->alt_end = end;
    e->in_cold = !e->in_cold;
}

void x64_cold(struct x64 *e)
{
    if (!e->in_cold)
        swap_stream(e);
}

void x64_hot(struct x64 *e)
{
    if (e->in_cold)
        swap_stream(e);
}

void x64_jmp_to(struct x64 *e, const uint8_t *to)
{
    uint8_t *at = x64_jmp(e);
    if (at) {
        uint32_t rel = (uint32_t)(to - (at + 4));
        memcpy(at, &rel, 4);
    }
}

void x64_patch(struct x64 *e, uint8_t *at)
{
    if (!at || e->full)
        return;
    uint32_t rel = (uint32_t)(e->p - (at + 4));
    memcpy(at, &rel, 4);
}

uint8_t *x64_jcc(struct x64 *e, unsigned cc)
{
    uint8_t b[] = {0x0f, (uint8_t)(0x80 | (cc & 0xf)), 0, 0, 0, 0};
    put_branch(e, b, sizeof(b));
    return e->full ? NULL : e->p - 4;
}

void x64_patch_rel32(uint8_t *at_rw, const uint8_t *at_rx, const void *to)
{
    uint32_t rel = (uint32_t)((const uint8_t *)to - (at_rx + 4));
    /* one aligned-or-not 4-byte store: another thread never runs this
     * vCPU's code, so no atomicity is needed beyond program order */
    memcpy(at_rw, &rel, 4);
}

void x64_store_imm32(struct x64 *e, unsigned base, int32_t disp, uint32_t imm)
{
    mem_op(e, false, 0xc7, 0, base, disp);
    put4(e, imm);
}

void x64_store_simm32_q(struct x64 *e, unsigned base, int32_t disp, int32_t imm)
{
    mem_op(e, true, 0xc7, 0, base, disp);
    put4(e, (uint32_t)imm);
}

void x64_sub_mem64(struct x64 *e, unsigned base, int32_t disp, uint32_t imm)
{
    mem_op(e, true, 0x81, 5, base, disp);
    put4(e, imm);
}

void x64_cmp_imm32(struct x64 *e, unsigned reg, uint32_t imm)
{
    uint8_t b[] = {0x81, (uint8_t)(0xf8 | (reg & 7))};
    put(e, b, sizeof(b));
    put4(e, imm);
}

void x64_test_imm32(struct x64 *e, unsigned reg, uint32_t imm)
{
    uint8_t b[] = {0xf7, (uint8_t)(0xc0 | (reg & 7))};
    put(e, b, sizeof(b));
    put4(e, imm);
}

void x64_test_mem32(struct x64 *e, int32_t disp, uint32_t imm)
{
    mem_op(e, false, 0xf7, 0, X_RBX, disp);
    put4(e, imm);
}

void x64_load_base(struct x64 *e, unsigned reg, unsigned base, int32_t disp, bool w)
{
    mem_op(e, w, 0x8b, reg, base, disp);
}

void x64_flagop(struct x64 *e, enum x64_flagop op, unsigned dst, unsigned src, unsigned size)
{
    static const uint8_t opc[] = {[X_F_CMP] = 0x39, [X_F_ADD] = 0x01, [X_F_TEST] = 0x85};
    if (size == 2)
        put1(e, 0x66);
    if (size == 8)
        put1(e, 0x48);
    /* the byte forms are the word forms' opcodes minus one; registers 0-3
     * (al, cl, dl, bl) need no REX */
    put1(e, (uint8_t)(opc[op] - (size == 1)));
    put1(e, (uint8_t)(0xc0 | (src & 7) << 3 | (dst & 7)));
}

void x64_jmp_rax(struct x64 *e)
{
    static const uint8_t b[] = {0xff, 0xe0};
    put(e, b, sizeof(b));
}

void x64_mem(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, int32_t disp)
{
    mem_op(e, w, opc, reg, base, disp);
}

void x64_times3(struct x64 *e, unsigned reg)
{
    /* lea r32, [reg + reg*2] */
    put1(e, 0x8d);
    put1(e, (uint8_t)(0x04 | (reg & 7) << 3));
    put1(e, (uint8_t)(0x40 | (reg & 7) << 3 | (reg & 7)));
}

void x64_alu_imm(struct x64 *e, unsigned ext, unsigned reg, uint32_t imm, bool w)
{
    if (w || reg >= 8)
        put1(e, (uint8_t)(0x40 | (w ? 8u : 0u) | (reg >= 8 ? 1u : 0u)));
    put1(e, 0x81);
    put1(e, (uint8_t)(0xc0 | (ext & 7) << 3 | (reg & 7)));
    put4(e, imm);
}

void x64_shift_imm(struct x64 *e, unsigned ext, unsigned reg, unsigned n, bool w)
{
    if (w)
        put1(e, 0x48);
    put1(e, 0xc1);
    put1(e, (uint8_t)(0xc0 | (ext & 7) << 3 | (reg & 7)));
    put1(e, (uint8_t)n);
}

void x64_shift_imm_sz(struct x64 *e, unsigned ext, unsigned reg, unsigned n, unsigned size)
{
    if (size >= 4) {
        x64_shift_imm(e, ext, reg, n, size == 8);
        return;
    }
    if (size == 2)
        put1(e, 0x66);
    put1(e, size == 1 ? 0xc0 : 0xc1);
    put1(e, (uint8_t)(0xc0 | (ext & 7) << 3 | (reg & 7)));
    put1(e, (uint8_t)n);
}

void x64_lahf_ecx(struct x64 *e, uint8_t mask)
{
    /* lahf; movzx ecx, ah; and ecx, mask */
    static const uint8_t b[] = {0x9f, 0x0f, 0xb6, 0xcc};
    put(e, b, sizeof(b));
    x64_alu_imm(e, 4, X_RCX, mask, false);
}

void x64_seto_dl(struct x64 *e)
{
    static const uint8_t b[] = {0x0f, 0x90, 0xc2};
    put(e, b, sizeof(b));
}

void x64_movzx_edx_dl(struct x64 *e)
{
    static const uint8_t b[] = {0x0f, 0xb6, 0xd2};
    put(e, b, sizeof(b));
}

void x64_imul_rr(struct x64 *e, unsigned dst, unsigned src, bool w)
{
    if (w)
        put1(e, 0x48);
    put1(e, 0x0f);
    put1(e, 0xaf);
    put1(e, (uint8_t)(0xc0 | (dst & 7) << 3 | (src & 7)));
}

void x64_imul_imm32(struct x64 *e, unsigned reg, uint32_t imm)
{
    put1(e, 0x69);
    put1(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (reg & 7)));
    put4(e, imm);
}

void x64_store_imm8(struct x64 *e, int32_t disp, uint8_t imm)
{
    mem_op(e, false, 0xc6, 0, X_RBX, disp);
    put1(e, imm);
}

/* The cached guest register whose low bytes [rbx + disp] are, or -1. */
static int cached_at(const struct x64 *e, unsigned base, int32_t disp)
{
    int g = cached(e, base, disp);
    return g >= 0 && e->gpr0 + 8 * g == disp ? g : -1;
}

/* opc (one or two bytes, 0F first) with ModRM reg = reg, rm = the host
 * register holding g; REX as needed (W when w). */
static void cached_rr(struct x64 *e, bool w, uint16_t opc, unsigned reg, int g)
{
    unsigned h = (unsigned)e->host[g];
    put1(e, (uint8_t)(0x40 | (w ? 8u : 0u) | (reg >= 8 ? 4u : 0u) | (h >= 8 ? 1u : 0u)));
    if (opc > 0xff)
        put1(e, (uint8_t)(opc >> 8));
    put1(e, (uint8_t)opc);
    put1(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (h & 7)));
}

void x64_load_sz(struct x64 *e, unsigned reg, unsigned base, int32_t disp, unsigned size)
{
    int g = cached_at(e, base, disp);
    if (base == X_RBX && size >= 4) {
        x64_load(e, reg, disp, size == 8);
        return;
    }
    if (g >= 0) { /* movzx r32, r12b / r12w */
        cached_rr(e, false, size == 1 ? 0x0fb6 : 0x0fb7, reg, g);
        return;
    }
    if (size == 1 || size == 2) { /* movzx r32, byte/word [base + disp32] */
        put1(e, 0x0f);
        mem_op(e, false, size == 1 ? 0xb6 : 0xb7, reg, base, disp);
        return;
    }
    mem_op(e, size == 8, 0x8b, reg, base, disp);
}

void x64_store_sz(struct x64 *e, unsigned base, int32_t disp, unsigned reg, unsigned size)
{
    int g = cached_at(e, base, disp);
    if (base == X_RBX && size == 8) {
        x64_store64(e, disp, reg);
        return;
    }
    if (g >= 0 && size < 4) { /* mov r12b / r12w, reg: the other bytes stay */
        unsigned h = (unsigned)e->host[g];
        if (size == 2)
            put1(e, 0x66);
        put1(e, (uint8_t)(0x40 | (h >= 8 ? 1u : 0u)));
        put1(e, size == 1 ? 0x88 : 0x89);
        put1(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (h & 7)));
        e->dirty |= (uint16_t)(1u << g);
        return;
    }
    if (size == 2)
        put1(e, 0x66);
    mem_op(e, size == 8, size == 1 ? 0x88 : 0x89, reg, base, disp);
}

void x64_load_sx(struct x64 *e, unsigned reg, unsigned base, int32_t disp, unsigned size)
{
    int g = cached_at(e, base, disp);
    if (g >= 0) { /* movsxd / movsx r64, r12d / r12b / r12w */
        cached_rr(e, true, size == 4 ? 0x63 : size == 1 ? 0x0fbe : 0x0fbf, reg, g);
        return;
    }
    if (size == 4) { /* movsxd r64, dword */
        mem_op(e, true, 0x63, reg, base, disp);
        return;
    }
    put1(e, 0x48); /* movsx r64, byte/word */
    put1(e, 0x0f);
    mem_op(e, false, size == 1 ? 0xbe : 0xbf, reg, base, disp);
}

void x64_setcc_cl(struct x64 *e, unsigned cc)
{
    uint8_t b[] = {0x0f, (uint8_t)(0x90 | (cc & 0xf)), 0xc1};
    put(e, b, sizeof(b));
}

void x64_cmov(struct x64 *e, unsigned cc, unsigned dst, unsigned src, bool w)
{
    if (w)
        put1(e, 0x48);
    put1(e, 0x0f);
    put1(e, (uint8_t)(0x40 | (cc & 0xf)));
    put1(e, (uint8_t)(0xc0 | (dst & 7) << 3 | (src & 7)));
}

void x64_shift_cl(struct x64 *e, unsigned ext, unsigned reg, bool w)
{
    if (w)
        put1(e, 0x48);
    put1(e, 0xd3);
    put1(e, (uint8_t)(0xc0 | (ext & 7) << 3 | (reg & 7)));
}

void x64_mem_idx(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, unsigned idx, int32_t disp)
{
    /* ModRM mod=10 rm=100 (SIB follows), SIB scale 1 */
    if (w)
        put1(e, 0x48);
    put1(e, opc);
    put1(e, (uint8_t)(0x84 | (reg & 7) << 3));
    put1(e, (uint8_t)((idx & 7) << 3 | (base & 7)));
    put4(e, (uint32_t)disp);
}

void x64_mem_rcx_base(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, int32_t disp)
{
    /* ModRM mod=10 rm=100 (SIB follows), SIB scale 1, index rcx */
    if (w)
        put1(e, 0x48);
    put1(e, opc);
    put1(e, (uint8_t)(0x84 | (reg & 7) << 3));
    put1(e, (uint8_t)(0x08 | (base & 7)));
    put4(e, (uint32_t)disp);
}

void x64_test_mem8(struct x64 *e, unsigned base, int32_t disp, uint8_t imm)
{
    mem_op(e, false, 0xf6, 0, base, disp);
    put1(e, imm);
}

void x64_lea8(struct x64 *e, unsigned dst, unsigned src, int8_t disp)
{
    uint8_t b[] = {0x48, 0x8d, (uint8_t)(0x40 | (dst & 7) << 3 | (src & 7)), (uint8_t)disp};
    put(e, b, sizeof(b));
}

void x64_lea(struct x64 *e, unsigned dst, unsigned base, int idx, unsigned scale_log2, int32_t disp, bool w)
{
    /* always a SIB byte (index 100: none) and a disp32, so r12 and r13
     * as a base need no special form */
    uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | (dst & 8) >> 1 | (idx >= 0 ? (idx & 8) >> 2 : 0) | (base & 8) >> 3);
    uint8_t b[] = {rex,
                   0x8d,
                   (uint8_t)(0x84 | (dst & 7) << 3),
                   (uint8_t)(scale_log2 << 6 | (idx >= 0 ? (unsigned)idx & 7 : 4) << 3 | (base & 7))};
    put(e, b, sizeof(b));
    put4(e, (uint32_t)disp);
}

void x64_cmp_at_rax(struct x64 *e, uint32_t imm)
{
    put1(e, 0x81);
    put1(e, 0x38);
    put4(e, imm);
}

void x64_jcc_to(struct x64 *e, unsigned cc, const uint8_t *to)
{
    uint8_t *at = x64_jcc(e, cc);
    if (at && !e->full) {
        uint32_t rel = (uint32_t)(to - (at + 4));
        memcpy(at, &rel, 4);
    }
}

void x64_setcc_eax(struct x64 *e, unsigned cc)
{
    uint8_t b[] = {0x0f, (uint8_t)(0x90 | (cc & 0xf)), 0xc0, 0x0f, 0xb6, 0xc0};
    put(e, b, sizeof(b));
}

/* [pfx] 0F opc, then ModRM with reg = reg (0-7) and rm: a register (mod=11)
 * when base < 0, else [base + disp32] (base X_RBX or X_RAX) */
static void sse_op(struct x64 *e, uint8_t pfx, uint8_t opc, unsigned reg, int base, unsigned rm, int32_t disp)
{
    if (pfx)
        put1(e, pfx);
    put1(e, 0x0f);
    put1(e, opc);
    if (base < 0) {
        put1(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
        return;
    }
    if (cached(e, (unsigned)base, disp) >= 0) /* a cached register as memory: not this TB */
        e->full = true;
    put1(e, (uint8_t)(0x80 | (reg & 7) << 3 | ((unsigned)base & 7)));
    put4(e, (uint32_t)disp);
}

void x64_sse_mem(struct x64 *e, uint8_t pfx, uint8_t opc, unsigned xreg, unsigned base, int32_t disp)
{
    sse_op(e, pfx, opc, xreg, (int)base, 0, disp);
}

void x64_sse_rr(struct x64 *e, uint8_t pfx, uint8_t opc, unsigned reg, unsigned rm, int imm8)
{
    sse_op(e, pfx, opc, reg, -1, rm, 0);
    if (imm8 >= 0)
        put1(e, (uint8_t)imm8);
}

void x64_sse3_rr(struct x64 *e, uint8_t map, uint8_t opc, unsigned reg, unsigned rm, int imm8)
{
    put1(e, 0x66);
    put1(e, 0x0f);
    put1(e, map);
    put1(e, opc);
    put1(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
    if (imm8 >= 0)
        put1(e, (uint8_t)imm8);
}

void x64_op_rr(struct x64 *e, uint8_t pfx, uint16_t opc, unsigned reg, unsigned rm, bool w, int imm8)
{
    unsigned rex = (w ? 8u : 0u) | (reg >= 8 ? 4u : 0u) | (rm >= 8 ? 1u : 0u);
    if (pfx)
        put1(e, pfx);
    if (rex)
        put1(e, (uint8_t)(0x40 | rex));
    if (opc > 0xff)
        put1(e, (uint8_t)(opc >> 8));
    put1(e, (uint8_t)opc);
    put1(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
    if (imm8 >= 0)
        put1(e, (uint8_t)imm8);
}

void x64_popf(struct x64 *e, unsigned reg)
{
    put1(e, (uint8_t)(0x50 + (reg & 7)));
    put1(e, 0x9d);
}

void x64_bswap(struct x64 *e, unsigned reg, bool w)
{
    if (w || reg >= 8)
        put1(e, (uint8_t)(0x40 | (w ? 8u : 0u) | (reg >= 8 ? 1u : 0u)));
    put1(e, 0x0f);
    put1(e, (uint8_t)(0xc8 + (reg & 7)));
}
