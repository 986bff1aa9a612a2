/* x87 arithmetic on the host's x87 unit.
 *
 * Why: the x87 has no IEEE "spec" that a software model can follow blindly;
 * its exact behaviour (rounding to 24/53/64 bits under PC with the 15-bit
 * exponent kept, tininess after rounding, the biased results of unmasked
 * overflow/underflow, pseudo-denormals, unnormals and pseudo-NaNs, FPREM's
 * partial remainders, the transcendental approximations) is what the host's
 * own x87 does. pcvm runs only on x86-64 hosts, so each guest x87
 * instruction executes as that very instruction on the host, under the
 * guest's control word, against a state image built from the guest
 * registers. This is deterministic on one host model; across vendors only
 * the transcendentals (FSIN..FYL2XP1, F2XM1) may differ in the last bit, as
 * they do between real CPUs.
 *
 * How: a stub per encoding (8 opcodes x (64 register forms + 8 memory forms,
 * the memory ones rewritten to address [rsi])) is generated once:
 *     push rdx; popfq; frstor [rdi]; <opc modrm>; fnsave [rdi];
 *     pushfq; pop rax; ret
 * FNSAVE is a no-wait instruction and re-initialises the host FPU, so an
 * unmasked exception the guest instruction raised never reaches the host as
 * SIGFPE, and the host FPU is left clean for the rest of the process.
 *
 * The image is built with TOP = 0 so that image physical register p is the
 * guest's ST(p) before the instruction; the old exception flags are left out
 * (the host must not see a pending exception, and we need to know which
 * flags this instruction raised) and OR-ed back afterwards.
 */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/fpu.h"

#if !defined(__x86_64__)
#error "the x87 model executes on the host x87: x86-64 hosts only"
#endif

#define STUB_SIZE 16
#define STUBS_PER_OPC 72 /* 64 register forms, then /0../7 memory forms */
#define IMG_SIZE 108

typedef uint64_t (*host_stub)(void *img, void *mem, uint64_t rflags);

static uint8_t *stubs;
static pthread_once_t stubs_once = PTHREAD_ONCE_INIT;

static void stubs_build(void)
{
    size_t len = 8 * STUBS_PER_OPC * STUB_SIZE;
    uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    for (unsigned opc = 0; opc < 8; opc++)
        for (unsigned s = 0; s < STUBS_PER_OPC; s++) {
            uint8_t modrm = s < 64 ? (uint8_t)(0xc0 + s) : (uint8_t)(((s - 64) << 3) | 6);
            const uint8_t code[STUB_SIZE] = {
                0x52, 0x9d,             /* push rdx; popfq */
                0xdd, 0x27,             /* frstor [rdi] */
                (uint8_t)(0xd8 + opc), modrm,
                0xdd, 0x37,             /* fnsave [rdi] */
                0x9c, 0x58,             /* pushfq; pop rax */
                0xc3,                   /* ret */
                0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
            };
            memcpy(p + (opc * STUBS_PER_OPC + s) * STUB_SIZE, code, STUB_SIZE);
        }
    if (mprotect(p, len, PROT_READ | PROT_EXEC)) {
        munmap(p, len);
        return;
    }
    stubs = p;
}

bool fpu_host_ready(void)
{
    pthread_once(&stubs_once, stubs_build);
    return stubs != NULL;
}

unsigned fpu_tag_of(const uint8_t *r)
{
    uint64_t m;
    unsigned e = (r[8] | (unsigned)r[9] << 8) & 0x7fff;
    memcpy(&m, r, 8);
    if (e == 0x7fff)
        return 2;
    if (e == 0)
        return m ? 2 : 1;
    return (m >> 63) ? 0 : 2; /* an unnormal is special */
}

uint16_t fpu_full_tags(const struct cpu *c)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = ((c->ftw >> (2 * p)) & 3) == 3 ? 3 : fpu_tag_of(c->fpr[p]);
        tw |= (uint16_t)(t << (2 * p));
    }
    return tw;
}

uint16_t fpu_sync_es(uint16_t fcw, uint16_t fsw)
{
    if (fsw & ~fcw & 0x3f)
        return fsw | FSW_ES | FSW_B;
    return fsw & (uint16_t)~(FSW_ES | FSW_B);
}

void fpu_host_exec(const struct cpu *c, unsigned opc, unsigned modrm, uint8_t *mem, uint64_t eflags,
                   struct fpu_result *r)
{
    uint8_t img[IMG_SIZE];
    unsigned top = (c->fsw >> FSW_TOP_SHIFT) & 7, ntop, slot;
    uint16_t tw = 0, sw, ntw;

    memset(img, 0, sizeof img);
    fpu_put16(img, 0, c->fcw);
    fpu_put16(img, 4, c->fsw & FSW_CC);
    for (unsigned p = 0; p < 8; p++) {
        const uint8_t *reg = c->fpr[(top + p) & 7];
        unsigned t = ((c->ftw >> (2 * ((top + p) & 7))) & 3) == 3 ? 3 : fpu_tag_of(reg);
        tw |= (uint16_t)(t << (2 * p));
        memcpy(img + 28 + 10 * p, reg, 10);
    }
    fpu_put16(img, 8, tw);

    slot = (modrm >= 0xc0) ? modrm - 0xc0 : 64 + ((modrm >> 3) & 7);
    host_stub fn = (host_stub)(void *)(stubs + ((opc - 0xd8) * STUBS_PER_OPC + slot) * STUB_SIZE);
    r->eflags = fn(img, mem, 0x202 | (eflags & F_ARITH));

    sw = (uint16_t)fpu_get16(img, 4);
    ntw = (uint16_t)fpu_get16(img, 8);
    ntop = (sw >> FSW_TOP_SHIFT) & 7;
    r->new_exc = sw & 0x7f;
    r->ftw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned g = (top + p) & 7;
        if (((ntw >> (2 * p)) & 3) == 3)
            r->ftw |= (uint16_t)(3u << (2 * g));
        memcpy(r->fpr[(top + ntop + p) & 7], img + 28 + 10 * p, 10);
    }
    r->fsw = (uint16_t)((c->fsw & 0x7f) | (sw & (0x7f | FSW_CC)) | (((top + ntop) & 7) << FSW_TOP_SHIFT));
    r->fsw = fpu_sync_es(c->fcw, r->fsw);
}

void fpu_commit(struct cpu *c, const struct fpu_result *r)
{
    c->fsw = r->fsw;
    c->ftw = r->ftw;
    for (unsigned p = 0; p < 8; p++)
        memcpy(c->fpr[p], r->fpr[p], 10);
}
