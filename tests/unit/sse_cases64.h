/* The 64-bit-only entries of the SIMD differential test's instruction list
 * (test_sse_cases.c): REX registers and 64-bit GPR forms, assembled as
 * .code64. */
#ifndef PCVM_SSE_CASES64_H
#define PCVM_SSE_CASES64_H

#define SSE_CASES64(X) \
    X(2000, "cvtsi2sd xmm8, rax", L64) \
    X(2001, "cvtsi2ss xmm9, rcx", L64) \
    X(2002, "cvtsd2si rax, xmm10", L64) \
    X(2003, "cvttss2si rdx, xmm11", L64) \
    X(2004, "cvtss2si rbx, xmm12", L64) \
    X(2005, "cvttsd2si rcx, xmm13", L64) \
    X(2006, "cvtsi2sd xmm0, qword ptr [rsi]", L64) \
    X(2007, "cvttsd2si rax, qword ptr [rsi]", L64) \
    X(2008, "cvtsi2ss xmm14, eax", L64) \
    X(2009, "cvtsd2si eax, xmm15", L64) \
    X(2010, "movq xmm12, rax", L64) \
    X(2011, "movq rcx, xmm13", L64) \
    X(2012, "movq rax, mm1", L64) \
    X(2013, "movq mm2, rdx", L64) \
    X(2014, "movd xmm14, eax", L64) \
    X(2015, "movd eax, xmm15", L64) \
    X(2016, "movq xmm8, xmm15", L64) \
    X(2017, "movq xmm9, qword ptr [rsi]", L64) \
    X(2018, "addps xmm8, xmm15", L64) \
    X(2019, "paddq xmm9, [rsi]", L64) \
    X(2020, "pshufd xmm10, xmm11, 0x1b", L64) \
    X(2021, "mulsd xmm12, xmm13", L64) \
    X(2022, "cmpps xmm14, xmm8, 3", L64) \
    X(2023, "pextrw rax, xmm8, 3", L64) \
    X(2024, "pinsrw xmm9, eax, 2", L64) \
    X(2025, "pextrq rax, xmm10, 1", L64) \
    X(2026, "pinsrq xmm11, rcx, 1", L64) \
    X(2027, "pinsrq xmm11, qword ptr [rsi], 0", L64) \
    X(2028, "pextrd eax, xmm12, 2", L64) \
    X(2029, "movmskps rax, xmm8", L64) \
    X(2030, "pmovmskb rcx, xmm9", L64) \
    X(2031, "punpcklbw xmm15, xmm0", L64) \
    X(2032, "movaps xmm13, [rsi+16]", L64) \
    X(2033, "movaps [rsi+32], xmm14", L64) \
    X(2034, "movhlps xmm8, xmm9", L64) \
    X(2035, "cvtps2pd xmm10, xmm11", L64) \
    X(2036, "ucomisd xmm12, xmm13", L64) \
    X(2037, ".byte 0x66, 0x48, 0x0f, 0x3a, 0x61, 0xca, 0x0c", L64) \
    X(2038, ".byte 0x66, 0x48, 0x0f, 0x3a, 0x60, 0xca, 0x44", L64) \
    X(2039, "pcmpistri xmm9, xmm10, 0x0c", L64) \
    X(2040, "crc32 rax, rcx", L64) \
    X(2041, "crc32 rax, byte ptr [rsi]", L64) \
    X(2042, "crc32 eax, ecx", L64) \
    X(2043, "popcnt rax, rcx", L64) \
    X(2044, "adcx rax, rcx", L64) \
    X(2045, "adox rax, qword ptr [rsi]", L64) \
    X(2046, "movbe rax, qword ptr [rsi]", L64) \
    X(2047, "movbe qword ptr [rsi], rcx", L64) \
    X(2048, "pdep rax, rcx, rdx", L64) \
    X(2049, "pext rax, rcx, rdx", L64) \
    X(2050, "mulx rax, rcx, rdx", L64) \
    X(2051, "mulx rbx, rdx, qword ptr [rsi]", L64) \
    X(2052, "rorx rax, rcx, 37", L64) \
    X(2053, "sarx rax, rcx, rdx", L64) \
    X(2054, "shlx rax, rcx, rdx", L64) \
    X(2055, "shrx rax, rcx, rdx", L64) \
    X(2056, "shrx eax, ecx, edx", L64) \
    X(2057, "lzcnt rax, rcx", L64C) \
    X(2058, "tzcnt rax, rcx", L64C) \
    X(2059, "lzcnt eax, ecx", L64C) \
    X(2060, "andn rax, rcx, rdx", L64B) \
    X(2061, "bextr rax, rcx, rdx", L64B) \
    X(2062, "blsr rax, rcx", L64B) \
    X(2063, "blsi rax, rcx", L64B) \
    X(2064, "blsmsk rax, rcx", L64B) \
    X(2065, "bzhi rax, rcx, rdx", L64B) \
    X(2066, "bzhi eax, ecx, edx", L64B) \
    X(2067, "aesenc xmm8, xmm15", L64) \
    X(2068, "aesdeclast xmm9, [rsi]", L64) \
    X(2069, "pclmulqdq xmm10, xmm12, 0x11", L64)

#endif
