/* What the SIMD test files share: the case table (test_sse_cases.c) and
 * the harness of test_sse.c, which runs an instruction natively and in the
 * interpreter and compares the two. */
#ifndef PCVM_TEST_SSE_TEST_H
#define PCVM_TEST_SSE_TEST_H

#include <stddef.h>
#include <stdint.h>

struct sse_tcase {
    const char *text;
    const uint8_t *start, *end;
    unsigned cat;
};
enum { MOV, INT, SHUF, FP, RCP, CVT, STATE, S41, STR, GPR, CNT, BMI, L64, L64C, L64B, AES, AVXF, AVXI, AVX2I, FMA3, F16, AVX64 };
extern const struct sse_tcase sse_tcases[];
extern const unsigned sse_ntcases;

struct vm *sse_t_vm(void);
struct vcpu *sse_t_vcpu(void);
void sse_t_setup(void);
void sse_t_teardown(void);
void sse_t_load_code(const uint8_t *code, size_t len);
/* The listed case with this text (the test fails when there is none). */
const struct sse_tcase *sse_t_find(const char *text);
/* Runs code (or the listed case) once at 0x1000 in the interpreter with
 * ESP at the test stack; returns the vector it raised or -1. */
int sse_t_run_bytes(const uint8_t *code, size_t len);
int sse_t_run(const char *text);
uint32_t sse_t_rnd(void);
void sse_t_avx64_mode(void);
void sse_t_diff_avx64(const struct sse_tcase *t, unsigned iters);

#endif
