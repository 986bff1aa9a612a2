/* The AVX, AVX2, FMA and F16C entries of the SIMD differential test's
 * instruction list (test_sse_cases.c), 32-bit code like SSE_CASES: YMM0-7,
 * memory through [esi] (64 bytes). The harness also loads and compares the
 * YMM upper halves for these categories. AVX_CASES64: REX registers and
 * VEX.W GPR forms, .code64, run in 64-bit mode. */
#ifndef PCVM_TEST_AVX_CASES_H
#define PCVM_TEST_AVX_CASES_H

#define AVX_CASES(X) \
    X(3000, "vaddps xmm0, xmm1, xmm2", AVXF) \
    X(3001, "vaddps xmm3, xmm4, [esi]", AVXF) \
    X(3002, "vaddps ymm0, ymm1, ymm2", AVXF) \
    X(3003, "vaddps ymm3, ymm4, [esi+32]", AVXF) \
    X(3004, "vaddpd xmm0, xmm1, xmm2", AVXF) \
    X(3005, "vaddpd xmm3, xmm4, [esi]", AVXF) \
    X(3006, "vaddpd ymm0, ymm1, ymm2", AVXF) \
    X(3007, "vaddpd ymm3, ymm4, [esi+32]", AVXF) \
    X(3008, "vaddss xmm0, xmm1, xmm2", AVXF) \
    X(3009, "vaddss xmm3, xmm4, dword ptr [esi+4]", AVXF) \
    X(3010, "vaddsd xmm0, xmm1, xmm2", AVXF) \
    X(3011, "vaddsd xmm3, xmm4, qword ptr [esi+8]", AVXF) \
    X(3012, "vsubps xmm0, xmm1, xmm2", AVXF) \
    X(3013, "vsubps xmm3, xmm4, [esi]", AVXF) \
    X(3014, "vsubps ymm0, ymm1, ymm2", AVXF) \
    X(3015, "vsubps ymm3, ymm4, [esi+32]", AVXF) \
    X(3016, "vsubpd xmm0, xmm1, xmm2", AVXF) \
    X(3017, "vsubpd xmm3, xmm4, [esi]", AVXF) \
    X(3018, "vsubpd ymm0, ymm1, ymm2", AVXF) \
    X(3019, "vsubpd ymm3, ymm4, [esi+32]", AVXF) \
    X(3020, "vsubss xmm0, xmm1, xmm2", AVXF) \
    X(3021, "vsubss xmm3, xmm4, dword ptr [esi+4]", AVXF) \
    X(3022, "vsubsd xmm0, xmm1, xmm2", AVXF) \
    X(3023, "vsubsd xmm3, xmm4, qword ptr [esi+8]", AVXF) \
    X(3024, "vmulps xmm0, xmm1, xmm2", AVXF) \
    X(3025, "vmulps xmm3, xmm4, [esi]", AVXF) \
    X(3026, "vmulps ymm0, ymm1, ymm2", AVXF) \
    X(3027, "vmulps ymm3, ymm4, [esi+32]", AVXF) \
    X(3028, "vmulpd xmm0, xmm1, xmm2", AVXF) \
    X(3029, "vmulpd xmm3, xmm4, [esi]", AVXF) \
    X(3030, "vmulpd ymm0, ymm1, ymm2", AVXF) \
    X(3031, "vmulpd ymm3, ymm4, [esi+32]", AVXF) \
    X(3032, "vmulss xmm0, xmm1, xmm2", AVXF) \
    X(3033, "vmulss xmm3, xmm4, dword ptr [esi+4]", AVXF) \
    X(3034, "vmulsd xmm0, xmm1, xmm2", AVXF) \
    X(3035, "vmulsd xmm3, xmm4, qword ptr [esi+8]", AVXF) \
    X(3036, "vdivps xmm0, xmm1, xmm2", AVXF) \
    X(3037, "vdivps xmm3, xmm4, [esi]", AVXF) \
    X(3038, "vdivps ymm0, ymm1, ymm2", AVXF) \
    X(3039, "vdivps ymm3, ymm4, [esi+32]", AVXF) \
    X(3040, "vdivpd xmm0, xmm1, xmm2", AVXF) \
    X(3041, "vdivpd xmm3, xmm4, [esi]", AVXF) \
    X(3042, "vdivpd ymm0, ymm1, ymm2", AVXF) \
    X(3043, "vdivpd ymm3, ymm4, [esi+32]", AVXF) \
    X(3044, "vdivss xmm0, xmm1, xmm2", AVXF) \
    X(3045, "vdivss xmm3, xmm4, dword ptr [esi+4]", AVXF) \
    X(3046, "vdivsd xmm0, xmm1, xmm2", AVXF) \
    X(3047, "vdivsd xmm3, xmm4, qword ptr [esi+8]", AVXF) \
    X(3048, "vminps xmm0, xmm1, xmm2", AVXF) \
    X(3049, "vminps xmm3, xmm4, [esi]", AVXF) \
    X(3050, "vminps ymm0, ymm1, ymm2", AVXF) \
    X(3051, "vminps ymm3, ymm4, [esi+32]", AVXF) \
    X(3052, "vminpd xmm0, xmm1, xmm2", AVXF) \
    X(3053, "vminpd xmm3, xmm4, [esi]", AVXF) \
    X(3054, "vminpd ymm0, ymm1, ymm2", AVXF) \
    X(3055, "vminpd ymm3, ymm4, [esi+32]", AVXF) \
    X(3056, "vminss xmm0, xmm1, xmm2", AVXF) \
    X(3057, "vminss xmm3, xmm4, dword ptr [esi+4]", AVXF) \
    X(3058, "vminsd xmm0, xmm1, xmm2", AVXF) \
    X(3059, "vminsd xmm3, xmm4, qword ptr [esi+8]", AVXF) \
    X(3060, "vmaxps xmm0, xmm1, xmm2", AVXF) \
    X(3061, "vmaxps xmm3, xmm4, [esi]", AVXF) \
    X(3062, "vmaxps ymm0, ymm1, ymm2", AVXF) \
    X(3063, "vmaxps ymm3, ymm4, [esi+32]", AVXF) \
    X(3064, "vmaxpd xmm0, xmm1, xmm2", AVXF) \
    X(3065, "vmaxpd xmm3, xmm4, [esi]", AVXF) \
    X(3066, "vmaxpd ymm0, ymm1, ymm2", AVXF) \
    X(3067, "vmaxpd ymm3, ymm4, [esi+32]", AVXF) \
    X(3068, "vmaxss xmm0, xmm1, xmm2", AVXF) \
    X(3069, "vmaxss xmm3, xmm4, dword ptr [esi+4]", AVXF) \
    X(3070, "vmaxsd xmm0, xmm1, xmm2", AVXF) \
    X(3071, "vmaxsd xmm3, xmm4, qword ptr [esi+8]", AVXF) \
    X(3072, "vaddps xmm0, xmm1, xmm0", AVXF) \
    X(3073, "vsubps ymm1, ymm1, ymm1", AVXF) \
    X(3074, "vdivps ymm2, ymm3, ymm2", AVXF) \
    X(3075, "vmulsd xmm5, xmm6, xmm5", AVXF) \
    X(3076, "vsqrtps xmm0, xmm1", AVXF) \
    X(3077, "vsqrtps ymm2, [esi]", AVXF) \
    X(3078, "vsqrtpd xmm0, xmm1", AVXF) \
    X(3079, "vsqrtpd ymm2, [esi]", AVXF) \
    X(3080, "vsqrtss xmm0, xmm1, xmm2", AVXF) \
    X(3081, "vsqrtsd xmm0, xmm1, qword ptr [esi]", AVXF) \
    X(3082, "vrcpps ymm0, ymm1", AVXF) \
    X(3083, "vrsqrtps xmm0, [esi]", AVXF) \
    X(3084, "vrcpss xmm0, xmm1, xmm2", AVXF) \
    X(3085, "vrsqrtss xmm3, xmm4, dword ptr [esi]", AVXF) \
    X(3086, "vcomiss xmm0, xmm1", AVXF) \
    X(3087, "vucomiss xmm2, dword ptr [esi]", AVXF) \
    X(3088, "vcomisd xmm0, xmm1", AVXF) \
    X(3089, "vucomisd xmm2, qword ptr [esi]", AVXF) \
    X(3090, "vaddsubps xmm0, xmm1, xmm2", AVXF) \
    X(3091, "vaddsubps ymm3, ymm4, [esi]", AVXF) \
    X(3092, "vaddsubpd xmm0, xmm1, xmm2", AVXF) \
    X(3093, "vaddsubpd ymm3, ymm4, [esi]", AVXF) \
    X(3094, "vhaddps xmm0, xmm1, xmm2", AVXF) \
    X(3095, "vhaddps ymm3, ymm4, [esi]", AVXF) \
    X(3096, "vhaddpd xmm0, xmm1, xmm2", AVXF) \
    X(3097, "vhaddpd ymm3, ymm4, [esi]", AVXF) \
    X(3098, "vhsubps xmm0, xmm1, xmm2", AVXF) \
    X(3099, "vhsubps ymm3, ymm4, [esi]", AVXF) \
    X(3100, "vhsubpd xmm0, xmm1, xmm2", AVXF) \
    X(3101, "vhsubpd ymm3, ymm4, [esi]", AVXF) \
    X(3102, "vroundps ymm0, ymm1, 0x4", AVXF) \
    X(3103, "vroundpd xmm0, [esi], 0x9", AVXF) \
    X(3104, "vroundps xmm2, xmm3, 0x2", AVXF) \
    X(3105, "vroundpd ymm2, ymm3, 0xc", AVXF) \
    X(3106, "vroundss xmm0, xmm1, xmm2, 0x3", AVXF) \
    X(3107, "vroundsd xmm0, xmm1, qword ptr [esi], 0x1", AVXF) \
    X(3108, "vdpps ymm0, ymm1, ymm2, 0xf1", AVXF) \
    X(3109, "vdpps xmm0, xmm1, [esi], 0x7f", AVXF) \
    X(3110, "vdppd xmm0, xmm1, xmm2, 0x31", AVXF) \
    X(3947, "vdpps ymm3, ymm4, [esi], 0xff", AVXF) \
    X(3948, "vdppd xmm3, xmm4, [esi+16], 0xff", AVXF) \
    X(3111, "vcmpps xmm0, xmm1, xmm2, 0", AVXF) \
    X(3112, "vcmppd ymm0, ymm1, [esi], 0", AVXF) \
    X(3113, "vcmpss xmm3, xmm4, dword ptr [esi], 0", AVXF) \
    X(3114, "vcmpsd xmm3, xmm4, xmm5, 0", AVXF) \
    X(3115, "vcmpps xmm0, xmm1, xmm2, 3", AVXF) \
    X(3116, "vcmppd ymm0, ymm1, [esi], 3", AVXF) \
    X(3117, "vcmpss xmm3, xmm4, dword ptr [esi], 3", AVXF) \
    X(3118, "vcmpsd xmm3, xmm4, xmm5, 3", AVXF) \
    X(3119, "vcmpps xmm0, xmm1, xmm2, 4", AVXF) \
    X(3120, "vcmppd ymm0, ymm1, [esi], 4", AVXF) \
    X(3121, "vcmpss xmm3, xmm4, dword ptr [esi], 4", AVXF) \
    X(3122, "vcmpsd xmm3, xmm4, xmm5, 4", AVXF) \
    X(3123, "vcmpps xmm0, xmm1, xmm2, 7", AVXF) \
    X(3124, "vcmppd ymm0, ymm1, [esi], 7", AVXF) \
    X(3125, "vcmpss xmm3, xmm4, dword ptr [esi], 7", AVXF) \
    X(3126, "vcmpsd xmm3, xmm4, xmm5, 7", AVXF) \
    X(3127, "vcmpps xmm0, xmm1, xmm2, 8", AVXF) \
    X(3128, "vcmppd ymm0, ymm1, [esi], 8", AVXF) \
    X(3129, "vcmpss xmm3, xmm4, dword ptr [esi], 8", AVXF) \
    X(3130, "vcmpsd xmm3, xmm4, xmm5, 8", AVXF) \
    X(3131, "vcmpps xmm0, xmm1, xmm2, 13", AVXF) \
    X(3132, "vcmppd ymm0, ymm1, [esi], 13", AVXF) \
    X(3133, "vcmpss xmm3, xmm4, dword ptr [esi], 13", AVXF) \
    X(3134, "vcmpsd xmm3, xmm4, xmm5, 13", AVXF) \
    X(3135, "vcmpps xmm0, xmm1, xmm2, 15", AVXF) \
    X(3136, "vcmppd ymm0, ymm1, [esi], 15", AVXF) \
    X(3137, "vcmpss xmm3, xmm4, dword ptr [esi], 15", AVXF) \
    X(3138, "vcmpsd xmm3, xmm4, xmm5, 15", AVXF) \
    X(3139, "vcmpps xmm0, xmm1, xmm2, 17", AVXF) \
    X(3140, "vcmppd ymm0, ymm1, [esi], 17", AVXF) \
    X(3141, "vcmpss xmm3, xmm4, dword ptr [esi], 17", AVXF) \
    X(3142, "vcmpsd xmm3, xmm4, xmm5, 17", AVXF) \
    X(3143, "vcmpps xmm0, xmm1, xmm2, 21", AVXF) \
    X(3144, "vcmppd ymm0, ymm1, [esi], 21", AVXF) \
    X(3145, "vcmpss xmm3, xmm4, dword ptr [esi], 21", AVXF) \
    X(3146, "vcmpsd xmm3, xmm4, xmm5, 21", AVXF) \
    X(3147, "vcmpps xmm0, xmm1, xmm2, 24", AVXF) \
    X(3148, "vcmppd ymm0, ymm1, [esi], 24", AVXF) \
    X(3149, "vcmpss xmm3, xmm4, dword ptr [esi], 24", AVXF) \
    X(3150, "vcmpsd xmm3, xmm4, xmm5, 24", AVXF) \
    X(3151, "vcmpps xmm0, xmm1, xmm2, 27", AVXF) \
    X(3152, "vcmppd ymm0, ymm1, [esi], 27", AVXF) \
    X(3153, "vcmpss xmm3, xmm4, dword ptr [esi], 27", AVXF) \
    X(3154, "vcmpsd xmm3, xmm4, xmm5, 27", AVXF) \
    X(3155, "vcmpps xmm0, xmm1, xmm2, 31", AVXF) \
    X(3156, "vcmppd ymm0, ymm1, [esi], 31", AVXF) \
    X(3157, "vcmpss xmm3, xmm4, dword ptr [esi], 31", AVXF) \
    X(3158, "vcmpsd xmm3, xmm4, xmm5, 31", AVXF) \
    X(3159, "vcmpps ymm3, ymm4, ymm5, 0x1e", AVXF) \
    X(3160, "vcvtdq2ps xmm0, xmm1", AVXF) \
    X(3161, "vcvtdq2ps ymm0, ymm1", AVXF) \
    X(3162, "vcvtdq2ps ymm2, [esi]", AVXF) \
    X(3163, "vcvtps2dq xmm0, xmm1", AVXF) \
    X(3164, "vcvtps2dq ymm0, ymm1", AVXF) \
    X(3165, "vcvtps2dq ymm2, [esi]", AVXF) \
    X(3166, "vcvttps2dq xmm0, xmm1", AVXF) \
    X(3167, "vcvttps2dq ymm0, ymm1", AVXF) \
    X(3168, "vcvttps2dq ymm2, [esi]", AVXF) \
    X(3169, "vcvtps2pd xmm0, xmm1", AVXF) \
    X(3170, "vcvtps2pd ymm0, xmm1", AVXF) \
    X(3171, "vcvtps2pd ymm2, xmmword ptr [esi]", AVXF) \
    X(3172, "vcvtps2pd xmm2, qword ptr [esi]", AVXF) \
    X(3173, "vcvtdq2pd xmm0, xmm1", AVXF) \
    X(3174, "vcvtdq2pd ymm0, xmm1", AVXF) \
    X(3175, "vcvtdq2pd ymm2, xmmword ptr [esi]", AVXF) \
    X(3176, "vcvtdq2pd xmm2, qword ptr [esi]", AVXF) \
    X(3177, "vcvtpd2ps xmm0, xmm1", AVXF) \
    X(3178, "vcvtpd2ps xmm0, ymm1", AVXF) \
    X(3179, "vcvtpd2ps xmm2, ymmword ptr [esi]", AVXF) \
    X(3180, "vcvtpd2ps xmm2, xmmword ptr [esi]", AVXF) \
    X(3181, "vcvtpd2dq xmm0, xmm1", AVXF) \
    X(3182, "vcvtpd2dq xmm0, ymm1", AVXF) \
    X(3183, "vcvtpd2dq xmm2, ymmword ptr [esi]", AVXF) \
    X(3184, "vcvtpd2dq xmm2, xmmword ptr [esi]", AVXF) \
    X(3185, "vcvttpd2dq xmm0, xmm1", AVXF) \
    X(3186, "vcvttpd2dq xmm0, ymm1", AVXF) \
    X(3187, "vcvttpd2dq xmm2, ymmword ptr [esi]", AVXF) \
    X(3188, "vcvttpd2dq xmm2, xmmword ptr [esi]", AVXF) \
    X(3189, "vcvtsi2ss xmm0, xmm1, eax", AVXF) \
    X(3190, "vcvtsi2sd xmm0, xmm1, dword ptr [esi]", AVXF) \
    X(3191, "vcvtss2si eax, xmm1", AVXF) \
    X(3192, "vcvttsd2si ecx, qword ptr [esi]", AVXF) \
    X(3193, "vcvtsd2si edx, xmm3", AVXF) \
    X(3194, "vcvttss2si eax, xmm2", AVXF) \
    X(3195, "vcvtsd2ss xmm0, xmm1, xmm2", AVXF) \
    X(3196, "vcvtss2sd xmm0, xmm1, dword ptr [esi]", AVXF) \
    X(3197, "vandps ymm0, ymm1, ymm2", AVXF) \
    X(3198, "vandps xmm0, xmm1, [esi]", AVXF) \
    X(3199, "vandnps ymm0, ymm1, ymm2", AVXF) \
    X(3200, "vandnps xmm0, xmm1, [esi]", AVXF) \
    X(3201, "vorps ymm0, ymm1, ymm2", AVXF) \
    X(3202, "vorps xmm0, xmm1, [esi]", AVXF) \
    X(3203, "vxorps ymm0, ymm1, ymm2", AVXF) \
    X(3204, "vxorps xmm0, xmm1, [esi]", AVXF) \
    X(3205, "vandpd ymm0, ymm1, ymm2", AVXF) \
    X(3206, "vandpd xmm0, xmm1, [esi]", AVXF) \
    X(3207, "vandnpd ymm0, ymm1, ymm2", AVXF) \
    X(3208, "vandnpd xmm0, xmm1, [esi]", AVXF) \
    X(3209, "vorpd ymm0, ymm1, ymm2", AVXF) \
    X(3210, "vorpd xmm0, xmm1, [esi]", AVXF) \
    X(3211, "vxorpd ymm0, ymm1, ymm2", AVXF) \
    X(3212, "vxorpd xmm0, xmm1, [esi]", AVXF) \
    X(3213, "vunpcklps ymm0, ymm1, ymm2", AVXF) \
    X(3214, "vunpcklps xmm0, xmm1, [esi]", AVXF) \
    X(3215, "vunpckhps ymm0, ymm1, ymm2", AVXF) \
    X(3216, "vunpckhps xmm0, xmm1, [esi]", AVXF) \
    X(3217, "vunpcklpd ymm0, ymm1, ymm2", AVXF) \
    X(3218, "vunpcklpd xmm0, xmm1, [esi]", AVXF) \
    X(3219, "vunpckhpd ymm0, ymm1, ymm2", AVXF) \
    X(3220, "vunpckhpd xmm0, xmm1, [esi]", AVXF) \
    X(3221, "vshufps ymm0, ymm1, ymm2, 0x1b", AVXF) \
    X(3222, "vshufps xmm0, xmm1, [esi], 0x72", AVXF) \
    X(3223, "vshufpd ymm0, ymm1, [esi], 0x9", AVXF) \
    X(3224, "vshufpd xmm0, xmm1, xmm2, 0x1", AVXF) \
    X(3225, "vblendps ymm0, ymm1, ymm2, 0xa5", AVXF) \
    X(3226, "vblendpd xmm0, xmm1, [esi], 0x2", AVXF) \
    X(3227, "vblendpd ymm0, ymm1, ymm2, 0x6", AVXF) \
    X(3228, "vblendvps ymm0, ymm1, ymm2, ymm3", AVXF) \
    X(3229, "vblendvpd xmm0, xmm1, [esi], xmm3", AVXF) \
    X(3230, "vblendvps xmm0, xmm1, xmm2, xmm0", AVXF) \
    X(3231, "vblendvpd ymm4, ymm5, [esi], ymm6", AVXF) \
    X(3232, "vmovaps ymm0, ymm1", AVXF) \
    X(3233, "vmovaps ymm2, [esi]", AVXF) \
    X(3234, "vmovaps [esi], ymm3", AVXF) \
    X(3235, "vmovaps xmm2, [esi+16]", AVXF) \
    X(3236, "vmovaps [esi+16], xmm3", AVXF) \
    X(3237, "vmovapd ymm0, ymm1", AVXF) \
    X(3238, "vmovapd ymm2, [esi]", AVXF) \
    X(3239, "vmovapd [esi], ymm3", AVXF) \
    X(3240, "vmovapd xmm2, [esi+16]", AVXF) \
    X(3241, "vmovapd [esi+16], xmm3", AVXF) \
    X(3242, "vmovdqa ymm0, ymm1", AVXF) \
    X(3243, "vmovdqa ymm2, [esi]", AVXF) \
    X(3244, "vmovdqa [esi], ymm3", AVXF) \
    X(3245, "vmovdqa xmm2, [esi+16]", AVXF) \
    X(3246, "vmovdqa [esi+16], xmm3", AVXF) \
    X(3247, "vmovups ymm0, [esi+3]", AVXF) \
    X(3248, "vmovups [esi+5], ymm2", AVXF) \
    X(3249, "vmovups xmm0, [esi+7]", AVXF) \
    X(3250, "vmovups xmm0, xmm5", AVXF) \
    X(3251, "vmovupd ymm0, [esi+3]", AVXF) \
    X(3252, "vmovupd [esi+5], ymm2", AVXF) \
    X(3253, "vmovupd xmm0, [esi+7]", AVXF) \
    X(3254, "vmovupd xmm0, xmm5", AVXF) \
    X(3255, "vmovdqu ymm0, [esi+3]", AVXF) \
    X(3256, "vmovdqu [esi+5], ymm2", AVXF) \
    X(3257, "vmovdqu xmm0, [esi+7]", AVXF) \
    X(3258, "vmovdqu xmm0, xmm5", AVXF) \
    X(3259, "vlddqu ymm0, [esi+1]", AVXF) \
    X(3260, "vlddqu xmm0, [esi+9]", AVXF) \
    X(3261, "vmovntps [esi], ymm1", AVXF) \
    X(3262, "vmovntpd [esi+16], xmm1", AVXF) \
    X(3263, "vmovntdq [esi], ymm2", AVXF) \
    X(3264, "vmovntdqa xmm0, [esi+16]", AVXF) \
    X(3265, "vmovss xmm0, xmm1, xmm2", AVXF) \
    X(3266, "vmovss xmm0, dword ptr [esi]", AVXF) \
    X(3267, "vmovss dword ptr [esi+4], xmm1", AVXF) \
    X(3268, "vmovsd xmm0, xmm1, xmm2", AVXF) \
    X(3269, "vmovsd xmm0, qword ptr [esi]", AVXF) \
    X(3270, "vmovsd qword ptr [esi+4], xmm1", AVXF) \
    X(3271, "vmovlps xmm0, xmm1, qword ptr [esi]", AVXF) \
    X(3272, "vmovlps qword ptr [esi+8], xmm1", AVXF) \
    X(3273, "vmovhps xmm0, xmm1, qword ptr [esi]", AVXF) \
    X(3274, "vmovhps qword ptr [esi+8], xmm1", AVXF) \
    X(3275, "vmovlpd xmm0, xmm1, qword ptr [esi]", AVXF) \
    X(3276, "vmovhpd xmm2, xmm3, qword ptr [esi]", AVXF) \
    X(3277, "vmovhpd qword ptr [esi], xmm3", AVXF) \
    X(3278, "vmovlhps xmm0, xmm1, xmm2", AVXF) \
    X(3279, "vmovhlps xmm0, xmm1, xmm2", AVXF) \
    X(3280, "vmovhlps xmm0, xmm1, xmm0", AVXF) \
    X(3281, "vmovd xmm0, eax", AVXF) \
    X(3282, "vmovd eax, xmm1", AVXF) \
    X(3283, "vmovd xmm2, dword ptr [esi]", AVXF) \
    X(3284, "vmovd dword ptr [esi], xmm3", AVXF) \
    X(3285, "vmovq xmm0, xmm1", AVXF) \
    X(3286, "vmovq xmm0, qword ptr [esi]", AVXF) \
    X(3287, "vmovq qword ptr [esi], xmm4", AVXF) \
    X(3288, "vmovshdup ymm0, ymm1", AVXF) \
    X(3289, "vmovshdup xmm0, [esi]", AVXF) \
    X(3290, "vmovsldup ymm0, ymm1", AVXF) \
    X(3291, "vmovsldup xmm0, [esi]", AVXF) \
    X(3292, "vmovddup ymm0, ymm1", AVXF) \
    X(3293, "vmovddup ymm0, [esi]", AVXF) \
    X(3294, "vmovddup xmm0, qword ptr [esi]", AVXF) \
    X(3295, "vmovmskps eax, ymm1", AVXF) \
    X(3296, "vmovmskpd ecx, ymm2", AVXF) \
    X(3297, "vmovmskps edx, xmm3", AVXF) \
    X(3298, "vpmovmskb eax, xmm1", AVXF) \
    X(3299, "vbroadcastss xmm0, dword ptr [esi]", AVXF) \
    X(3300, "vbroadcastss ymm0, dword ptr [esi+4]", AVXF) \
    X(3301, "vbroadcastsd ymm1, qword ptr [esi]", AVXF) \
    X(3302, "vbroadcastf128 ymm2, xmmword ptr [esi+16]", AVXF) \
    X(3303, "vinsertf128 ymm0, ymm1, xmm2, 1", AVXF) \
    X(3304, "vinsertf128 ymm0, ymm1, [esi], 0", AVXF) \
    X(3305, "vextractf128 xmm0, ymm1, 1", AVXF) \
    X(3306, "vextractf128 [esi], ymm2, 1", AVXF) \
    X(3307, "vperm2f128 ymm0, ymm1, ymm2, 0x31", AVXF) \
    X(3308, "vperm2f128 ymm0, ymm1, ymm2, 0x28", AVXF) \
    X(3309, "vperm2f128 ymm0, ymm1, ymm2, 0x83", AVXF) \
    X(3310, "vperm2f128 ymm0, ymm1, ymm2, 0x02", AVXF) \
    X(3311, "vperm2f128 ymm0, ymm1, ymm2, 0x13", AVXF) \
    X(3312, "vperm2f128 ymm0, ymm1, [esi], 0x20", AVXF) \
    X(3313, "vpermilps xmm0, xmm1, 0x1b", AVXF) \
    X(3314, "vpermilps ymm0, [esi], 0xb1", AVXF) \
    X(3315, "vpermilps ymm0, ymm1, ymm2", AVXF) \
    X(3316, "vpermilps xmm0, xmm1, [esi]", AVXF) \
    X(3317, "vpermilpd ymm0, [esi], 0x5", AVXF) \
    X(3318, "vpermilpd xmm0, xmm1, 0x1", AVXF) \
    X(3319, "vpermilpd ymm0, ymm1, ymm2", AVXF) \
    X(3320, "vpermilpd xmm0, xmm1, [esi]", AVXF) \
    X(3321, "vmaskmovps ymm0, ymm1, [esi]", AVXF) \
    X(3322, "vmaskmovps [esi], ymm1, ymm2", AVXF) \
    X(3323, "vmaskmovpd xmm0, xmm1, [esi]", AVXF) \
    X(3324, "vmaskmovpd [esi], xmm1, xmm2", AVXF) \
    X(3325, "vmaskmovps xmm0, xmm1, [esi+16]", AVXF) \
    X(3326, "vmaskmovpd [esi], ymm3, ymm4", AVXF) \
    X(3327, "vtestps ymm0, ymm1", AVXF) \
    X(3328, "vtestpd xmm0, [esi]", AVXF) \
    X(3329, "vtestps xmm2, xmm3", AVXF) \
    X(3330, "vtestpd ymm2, [esi]", AVXF) \
    X(3331, "vptest ymm0, ymm1", AVXF) \
    X(3332, "vptest xmm0, [esi]", AVXF) \
    X(3333, "vptest ymm2, [esi]", AVXF) \
    X(3334, "vzeroupper", AVXF) \
    X(3335, "vzeroall", AVXF) \
    X(3336, "vstmxcsr dword ptr [esi]", AVXF) \
    X(3337, "vinsertps xmm0, xmm1, xmm2, 0x5d", AVXF) \
    X(3338, "vinsertps xmm0, xmm1, dword ptr [esi], 0x30", AVXF) \
    X(3339, "vextractps eax, xmm1, 2", AVXF) \
    X(3340, "vextractps dword ptr [esi], xmm2, 3", AVXF) \
    X(3341, "vpaddb xmm0, xmm1, xmm2", AVXI) \
    X(3342, "vpaddb xmm3, xmm4, [esi]", AVXI) \
    X(3343, "vpaddb ymm0, ymm1, ymm2", AVX2I) \
    X(3344, "vpaddb ymm5, ymm6, [esi]", AVX2I) \
    X(3345, "vpaddw xmm0, xmm1, xmm2", AVXI) \
    X(3346, "vpaddw xmm3, xmm4, [esi]", AVXI) \
    X(3347, "vpaddw ymm0, ymm1, ymm2", AVX2I) \
    X(3348, "vpaddw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3349, "vpaddd xmm0, xmm1, xmm2", AVXI) \
    X(3350, "vpaddd xmm3, xmm4, [esi]", AVXI) \
    X(3351, "vpaddd ymm0, ymm1, ymm2", AVX2I) \
    X(3352, "vpaddd ymm5, ymm6, [esi]", AVX2I) \
    X(3353, "vpaddq xmm0, xmm1, xmm2", AVXI) \
    X(3354, "vpaddq xmm3, xmm4, [esi]", AVXI) \
    X(3355, "vpaddq ymm0, ymm1, ymm2", AVX2I) \
    X(3356, "vpaddq ymm3, ymm4, [esi+32]", AVX2I) \
    X(3357, "vpaddsb xmm0, xmm1, xmm2", AVXI) \
    X(3358, "vpaddsb xmm3, xmm4, [esi]", AVXI) \
    X(3359, "vpaddsb ymm0, ymm1, ymm2", AVX2I) \
    X(3360, "vpaddsb ymm5, ymm6, [esi]", AVX2I) \
    X(3361, "vpaddsw xmm0, xmm1, xmm2", AVXI) \
    X(3362, "vpaddsw xmm3, xmm4, [esi]", AVXI) \
    X(3363, "vpaddsw ymm0, ymm1, ymm2", AVX2I) \
    X(3364, "vpaddsw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3365, "vpaddusb xmm0, xmm1, xmm2", AVXI) \
    X(3366, "vpaddusb xmm3, xmm4, [esi]", AVXI) \
    X(3367, "vpaddusb ymm0, ymm1, ymm2", AVX2I) \
    X(3368, "vpaddusb ymm5, ymm6, [esi]", AVX2I) \
    X(3369, "vpaddusw xmm0, xmm1, xmm2", AVXI) \
    X(3370, "vpaddusw xmm3, xmm4, [esi]", AVXI) \
    X(3371, "vpaddusw ymm0, ymm1, ymm2", AVX2I) \
    X(3372, "vpaddusw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3373, "vpsubb xmm0, xmm1, xmm2", AVXI) \
    X(3374, "vpsubb xmm3, xmm4, [esi]", AVXI) \
    X(3375, "vpsubb ymm0, ymm1, ymm2", AVX2I) \
    X(3376, "vpsubb ymm5, ymm6, [esi]", AVX2I) \
    X(3377, "vpsubw xmm0, xmm1, xmm2", AVXI) \
    X(3378, "vpsubw xmm3, xmm4, [esi]", AVXI) \
    X(3379, "vpsubw ymm0, ymm1, ymm2", AVX2I) \
    X(3380, "vpsubw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3381, "vpsubd xmm0, xmm1, xmm2", AVXI) \
    X(3382, "vpsubd xmm3, xmm4, [esi]", AVXI) \
    X(3383, "vpsubd ymm0, ymm1, ymm2", AVX2I) \
    X(3384, "vpsubd ymm5, ymm6, [esi]", AVX2I) \
    X(3385, "vpsubq xmm0, xmm1, xmm2", AVXI) \
    X(3386, "vpsubq xmm3, xmm4, [esi]", AVXI) \
    X(3387, "vpsubq ymm0, ymm1, ymm2", AVX2I) \
    X(3388, "vpsubq ymm3, ymm4, [esi+32]", AVX2I) \
    X(3389, "vpsubsb xmm0, xmm1, xmm2", AVXI) \
    X(3390, "vpsubsb xmm3, xmm4, [esi]", AVXI) \
    X(3391, "vpsubsb ymm0, ymm1, ymm2", AVX2I) \
    X(3392, "vpsubsb ymm5, ymm6, [esi]", AVX2I) \
    X(3393, "vpsubsw xmm0, xmm1, xmm2", AVXI) \
    X(3394, "vpsubsw xmm3, xmm4, [esi]", AVXI) \
    X(3395, "vpsubsw ymm0, ymm1, ymm2", AVX2I) \
    X(3396, "vpsubsw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3397, "vpsubusb xmm0, xmm1, xmm2", AVXI) \
    X(3398, "vpsubusb xmm3, xmm4, [esi]", AVXI) \
    X(3399, "vpsubusb ymm0, ymm1, ymm2", AVX2I) \
    X(3400, "vpsubusb ymm5, ymm6, [esi]", AVX2I) \
    X(3401, "vpsubusw xmm0, xmm1, xmm2", AVXI) \
    X(3402, "vpsubusw xmm3, xmm4, [esi]", AVXI) \
    X(3403, "vpsubusw ymm0, ymm1, ymm2", AVX2I) \
    X(3404, "vpsubusw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3405, "vpmullw xmm0, xmm1, xmm2", AVXI) \
    X(3406, "vpmullw xmm3, xmm4, [esi]", AVXI) \
    X(3407, "vpmullw ymm0, ymm1, ymm2", AVX2I) \
    X(3408, "vpmullw ymm5, ymm6, [esi]", AVX2I) \
    X(3409, "vpmulhw xmm0, xmm1, xmm2", AVXI) \
    X(3410, "vpmulhw xmm3, xmm4, [esi]", AVXI) \
    X(3411, "vpmulhw ymm0, ymm1, ymm2", AVX2I) \
    X(3412, "vpmulhw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3413, "vpmulhuw xmm0, xmm1, xmm2", AVXI) \
    X(3414, "vpmulhuw xmm3, xmm4, [esi]", AVXI) \
    X(3415, "vpmulhuw ymm0, ymm1, ymm2", AVX2I) \
    X(3416, "vpmulhuw ymm5, ymm6, [esi]", AVX2I) \
    X(3417, "vpmuludq xmm0, xmm1, xmm2", AVXI) \
    X(3418, "vpmuludq xmm3, xmm4, [esi]", AVXI) \
    X(3419, "vpmuludq ymm0, ymm1, ymm2", AVX2I) \
    X(3420, "vpmuludq ymm3, ymm4, [esi+32]", AVX2I) \
    X(3421, "vpmaddwd xmm0, xmm1, xmm2", AVXI) \
    X(3422, "vpmaddwd xmm3, xmm4, [esi]", AVXI) \
    X(3423, "vpmaddwd ymm0, ymm1, ymm2", AVX2I) \
    X(3424, "vpmaddwd ymm5, ymm6, [esi]", AVX2I) \
    X(3425, "vpsadbw xmm0, xmm1, xmm2", AVXI) \
    X(3426, "vpsadbw xmm3, xmm4, [esi]", AVXI) \
    X(3427, "vpsadbw ymm0, ymm1, ymm2", AVX2I) \
    X(3428, "vpsadbw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3429, "vpavgb xmm0, xmm1, xmm2", AVXI) \
    X(3430, "vpavgb xmm3, xmm4, [esi]", AVXI) \
    X(3431, "vpavgb ymm0, ymm1, ymm2", AVX2I) \
    X(3432, "vpavgb ymm5, ymm6, [esi]", AVX2I) \
    X(3433, "vpavgw xmm0, xmm1, xmm2", AVXI) \
    X(3434, "vpavgw xmm3, xmm4, [esi]", AVXI) \
    X(3435, "vpavgw ymm0, ymm1, ymm2", AVX2I) \
    X(3436, "vpavgw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3437, "vpcmpeqb xmm0, xmm1, xmm2", AVXI) \
    X(3438, "vpcmpeqb xmm3, xmm4, [esi]", AVXI) \
    X(3439, "vpcmpeqb ymm0, ymm1, ymm2", AVX2I) \
    X(3440, "vpcmpeqb ymm5, ymm6, [esi]", AVX2I) \
    X(3441, "vpcmpeqw xmm0, xmm1, xmm2", AVXI) \
    X(3442, "vpcmpeqw xmm3, xmm4, [esi]", AVXI) \
    X(3443, "vpcmpeqw ymm0, ymm1, ymm2", AVX2I) \
    X(3444, "vpcmpeqw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3445, "vpcmpeqd xmm0, xmm1, xmm2", AVXI) \
    X(3446, "vpcmpeqd xmm3, xmm4, [esi]", AVXI) \
    X(3447, "vpcmpeqd ymm0, ymm1, ymm2", AVX2I) \
    X(3448, "vpcmpeqd ymm5, ymm6, [esi]", AVX2I) \
    X(3449, "vpcmpeqq xmm0, xmm1, xmm2", AVXI) \
    X(3450, "vpcmpeqq xmm3, xmm4, [esi]", AVXI) \
    X(3451, "vpcmpeqq ymm0, ymm1, ymm2", AVX2I) \
    X(3452, "vpcmpeqq ymm3, ymm4, [esi+32]", AVX2I) \
    X(3453, "vpcmpgtb xmm0, xmm1, xmm2", AVXI) \
    X(3454, "vpcmpgtb xmm3, xmm4, [esi]", AVXI) \
    X(3455, "vpcmpgtb ymm0, ymm1, ymm2", AVX2I) \
    X(3456, "vpcmpgtb ymm5, ymm6, [esi]", AVX2I) \
    X(3457, "vpcmpgtw xmm0, xmm1, xmm2", AVXI) \
    X(3458, "vpcmpgtw xmm3, xmm4, [esi]", AVXI) \
    X(3459, "vpcmpgtw ymm0, ymm1, ymm2", AVX2I) \
    X(3460, "vpcmpgtw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3461, "vpcmpgtd xmm0, xmm1, xmm2", AVXI) \
    X(3462, "vpcmpgtd xmm3, xmm4, [esi]", AVXI) \
    X(3463, "vpcmpgtd ymm0, ymm1, ymm2", AVX2I) \
    X(3464, "vpcmpgtd ymm5, ymm6, [esi]", AVX2I) \
    X(3465, "vpcmpgtq xmm0, xmm1, xmm2", AVXI) \
    X(3466, "vpcmpgtq xmm3, xmm4, [esi]", AVXI) \
    X(3467, "vpcmpgtq ymm0, ymm1, ymm2", AVX2I) \
    X(3468, "vpcmpgtq ymm3, ymm4, [esi+32]", AVX2I) \
    X(3469, "vpminub xmm0, xmm1, xmm2", AVXI) \
    X(3470, "vpminub xmm3, xmm4, [esi]", AVXI) \
    X(3471, "vpminub ymm0, ymm1, ymm2", AVX2I) \
    X(3472, "vpminub ymm5, ymm6, [esi]", AVX2I) \
    X(3473, "vpmaxub xmm0, xmm1, xmm2", AVXI) \
    X(3474, "vpmaxub xmm3, xmm4, [esi]", AVXI) \
    X(3475, "vpmaxub ymm0, ymm1, ymm2", AVX2I) \
    X(3476, "vpmaxub ymm3, ymm4, [esi+32]", AVX2I) \
    X(3477, "vpminsw xmm0, xmm1, xmm2", AVXI) \
    X(3478, "vpminsw xmm3, xmm4, [esi]", AVXI) \
    X(3479, "vpminsw ymm0, ymm1, ymm2", AVX2I) \
    X(3480, "vpminsw ymm5, ymm6, [esi]", AVX2I) \
    X(3481, "vpmaxsw xmm0, xmm1, xmm2", AVXI) \
    X(3482, "vpmaxsw xmm3, xmm4, [esi]", AVXI) \
    X(3483, "vpmaxsw ymm0, ymm1, ymm2", AVX2I) \
    X(3484, "vpmaxsw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3485, "vpminsb xmm0, xmm1, xmm2", AVXI) \
    X(3486, "vpminsb xmm3, xmm4, [esi]", AVXI) \
    X(3487, "vpminsb ymm0, ymm1, ymm2", AVX2I) \
    X(3488, "vpminsb ymm5, ymm6, [esi]", AVX2I) \
    X(3489, "vpmaxsb xmm0, xmm1, xmm2", AVXI) \
    X(3490, "vpmaxsb xmm3, xmm4, [esi]", AVXI) \
    X(3491, "vpmaxsb ymm0, ymm1, ymm2", AVX2I) \
    X(3492, "vpmaxsb ymm3, ymm4, [esi+32]", AVX2I) \
    X(3493, "vpminuw xmm0, xmm1, xmm2", AVXI) \
    X(3494, "vpminuw xmm3, xmm4, [esi]", AVXI) \
    X(3495, "vpminuw ymm0, ymm1, ymm2", AVX2I) \
    X(3496, "vpminuw ymm5, ymm6, [esi]", AVX2I) \
    X(3497, "vpmaxuw xmm0, xmm1, xmm2", AVXI) \
    X(3498, "vpmaxuw xmm3, xmm4, [esi]", AVXI) \
    X(3499, "vpmaxuw ymm0, ymm1, ymm2", AVX2I) \
    X(3500, "vpmaxuw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3501, "vpminsd xmm0, xmm1, xmm2", AVXI) \
    X(3502, "vpminsd xmm3, xmm4, [esi]", AVXI) \
    X(3503, "vpminsd ymm0, ymm1, ymm2", AVX2I) \
    X(3504, "vpminsd ymm5, ymm6, [esi]", AVX2I) \
    X(3505, "vpmaxsd xmm0, xmm1, xmm2", AVXI) \
    X(3506, "vpmaxsd xmm3, xmm4, [esi]", AVXI) \
    X(3507, "vpmaxsd ymm0, ymm1, ymm2", AVX2I) \
    X(3508, "vpmaxsd ymm3, ymm4, [esi+32]", AVX2I) \
    X(3509, "vpminud xmm0, xmm1, xmm2", AVXI) \
    X(3510, "vpminud xmm3, xmm4, [esi]", AVXI) \
    X(3511, "vpminud ymm0, ymm1, ymm2", AVX2I) \
    X(3512, "vpminud ymm5, ymm6, [esi]", AVX2I) \
    X(3513, "vpmaxud xmm0, xmm1, xmm2", AVXI) \
    X(3514, "vpmaxud xmm3, xmm4, [esi]", AVXI) \
    X(3515, "vpmaxud ymm0, ymm1, ymm2", AVX2I) \
    X(3516, "vpmaxud ymm3, ymm4, [esi+32]", AVX2I) \
    X(3517, "vpand xmm0, xmm1, xmm2", AVXI) \
    X(3518, "vpand xmm3, xmm4, [esi]", AVXI) \
    X(3519, "vpand ymm0, ymm1, ymm2", AVX2I) \
    X(3520, "vpand ymm5, ymm6, [esi]", AVX2I) \
    X(3521, "vpandn xmm0, xmm1, xmm2", AVXI) \
    X(3522, "vpandn xmm3, xmm4, [esi]", AVXI) \
    X(3523, "vpandn ymm0, ymm1, ymm2", AVX2I) \
    X(3524, "vpandn ymm3, ymm4, [esi+32]", AVX2I) \
    X(3525, "vpor xmm0, xmm1, xmm2", AVXI) \
    X(3526, "vpor xmm3, xmm4, [esi]", AVXI) \
    X(3527, "vpor ymm0, ymm1, ymm2", AVX2I) \
    X(3528, "vpor ymm5, ymm6, [esi]", AVX2I) \
    X(3529, "vpxor xmm0, xmm1, xmm2", AVXI) \
    X(3530, "vpxor xmm3, xmm4, [esi]", AVXI) \
    X(3531, "vpxor ymm0, ymm1, ymm2", AVX2I) \
    X(3532, "vpxor ymm3, ymm4, [esi+32]", AVX2I) \
    X(3533, "vpsignb xmm0, xmm1, xmm2", AVXI) \
    X(3534, "vpsignb xmm3, xmm4, [esi]", AVXI) \
    X(3535, "vpsignb ymm0, ymm1, ymm2", AVX2I) \
    X(3536, "vpsignb ymm5, ymm6, [esi]", AVX2I) \
    X(3537, "vpsignw xmm0, xmm1, xmm2", AVXI) \
    X(3538, "vpsignw xmm3, xmm4, [esi]", AVXI) \
    X(3539, "vpsignw ymm0, ymm1, ymm2", AVX2I) \
    X(3540, "vpsignw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3541, "vpsignd xmm0, xmm1, xmm2", AVXI) \
    X(3542, "vpsignd xmm3, xmm4, [esi]", AVXI) \
    X(3543, "vpsignd ymm0, ymm1, ymm2", AVX2I) \
    X(3544, "vpsignd ymm5, ymm6, [esi]", AVX2I) \
    X(3545, "vpmulhrsw xmm0, xmm1, xmm2", AVXI) \
    X(3546, "vpmulhrsw xmm3, xmm4, [esi]", AVXI) \
    X(3547, "vpmulhrsw ymm0, ymm1, ymm2", AVX2I) \
    X(3548, "vpmulhrsw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3549, "vpmaddubsw xmm0, xmm1, xmm2", AVXI) \
    X(3550, "vpmaddubsw xmm3, xmm4, [esi]", AVXI) \
    X(3551, "vpmaddubsw ymm0, ymm1, ymm2", AVX2I) \
    X(3552, "vpmaddubsw ymm5, ymm6, [esi]", AVX2I) \
    X(3553, "vphaddw xmm0, xmm1, xmm2", AVXI) \
    X(3554, "vphaddw xmm3, xmm4, [esi]", AVXI) \
    X(3555, "vphaddw ymm0, ymm1, ymm2", AVX2I) \
    X(3556, "vphaddw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3557, "vphaddd xmm0, xmm1, xmm2", AVXI) \
    X(3558, "vphaddd xmm3, xmm4, [esi]", AVXI) \
    X(3559, "vphaddd ymm0, ymm1, ymm2", AVX2I) \
    X(3560, "vphaddd ymm5, ymm6, [esi]", AVX2I) \
    X(3561, "vphaddsw xmm0, xmm1, xmm2", AVXI) \
    X(3562, "vphaddsw xmm3, xmm4, [esi]", AVXI) \
    X(3563, "vphaddsw ymm0, ymm1, ymm2", AVX2I) \
    X(3564, "vphaddsw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3565, "vphsubw xmm0, xmm1, xmm2", AVXI) \
    X(3566, "vphsubw xmm3, xmm4, [esi]", AVXI) \
    X(3567, "vphsubw ymm0, ymm1, ymm2", AVX2I) \
    X(3568, "vphsubw ymm5, ymm6, [esi]", AVX2I) \
    X(3569, "vphsubd xmm0, xmm1, xmm2", AVXI) \
    X(3570, "vphsubd xmm3, xmm4, [esi]", AVXI) \
    X(3571, "vphsubd ymm0, ymm1, ymm2", AVX2I) \
    X(3572, "vphsubd ymm3, ymm4, [esi+32]", AVX2I) \
    X(3573, "vphsubsw xmm0, xmm1, xmm2", AVXI) \
    X(3574, "vphsubsw xmm3, xmm4, [esi]", AVXI) \
    X(3575, "vphsubsw ymm0, ymm1, ymm2", AVX2I) \
    X(3576, "vphsubsw ymm5, ymm6, [esi]", AVX2I) \
    X(3577, "vpmulld xmm0, xmm1, xmm2", AVXI) \
    X(3578, "vpmulld xmm3, xmm4, [esi]", AVXI) \
    X(3579, "vpmulld ymm0, ymm1, ymm2", AVX2I) \
    X(3580, "vpmulld ymm3, ymm4, [esi+32]", AVX2I) \
    X(3581, "vpmuldq xmm0, xmm1, xmm2", AVXI) \
    X(3582, "vpmuldq xmm3, xmm4, [esi]", AVXI) \
    X(3583, "vpmuldq ymm0, ymm1, ymm2", AVX2I) \
    X(3584, "vpmuldq ymm5, ymm6, [esi]", AVX2I) \
    X(3585, "vpshufb xmm0, xmm1, xmm2", AVXI) \
    X(3586, "vpshufb xmm3, xmm4, [esi]", AVXI) \
    X(3587, "vpshufb ymm0, ymm1, ymm2", AVX2I) \
    X(3588, "vpshufb ymm3, ymm4, [esi+32]", AVX2I) \
    X(3589, "vpacksswb xmm0, xmm1, xmm2", AVXI) \
    X(3590, "vpacksswb xmm3, xmm4, [esi]", AVXI) \
    X(3591, "vpacksswb ymm0, ymm1, ymm2", AVX2I) \
    X(3592, "vpacksswb ymm5, ymm6, [esi]", AVX2I) \
    X(3593, "vpackssdw xmm0, xmm1, xmm2", AVXI) \
    X(3594, "vpackssdw xmm3, xmm4, [esi]", AVXI) \
    X(3595, "vpackssdw ymm0, ymm1, ymm2", AVX2I) \
    X(3596, "vpackssdw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3597, "vpackuswb xmm0, xmm1, xmm2", AVXI) \
    X(3598, "vpackuswb xmm3, xmm4, [esi]", AVXI) \
    X(3599, "vpackuswb ymm0, ymm1, ymm2", AVX2I) \
    X(3600, "vpackuswb ymm5, ymm6, [esi]", AVX2I) \
    X(3601, "vpackusdw xmm0, xmm1, xmm2", AVXI) \
    X(3602, "vpackusdw xmm3, xmm4, [esi]", AVXI) \
    X(3603, "vpackusdw ymm0, ymm1, ymm2", AVX2I) \
    X(3604, "vpackusdw ymm3, ymm4, [esi+32]", AVX2I) \
    X(3605, "vpunpcklbw xmm0, xmm1, xmm2", AVXI) \
    X(3606, "vpunpcklbw xmm3, xmm4, [esi]", AVXI) \
    X(3607, "vpunpcklbw ymm0, ymm1, ymm2", AVX2I) \
    X(3608, "vpunpcklbw ymm5, ymm6, [esi]", AVX2I) \
    X(3609, "vpunpcklwd xmm0, xmm1, xmm2", AVXI) \
    X(3610, "vpunpcklwd xmm3, xmm4, [esi]", AVXI) \
    X(3611, "vpunpcklwd ymm0, ymm1, ymm2", AVX2I) \
    X(3612, "vpunpcklwd ymm3, ymm4, [esi+32]", AVX2I) \
    X(3613, "vpunpckldq xmm0, xmm1, xmm2", AVXI) \
    X(3614, "vpunpckldq xmm3, xmm4, [esi]", AVXI) \
    X(3615, "vpunpckldq ymm0, ymm1, ymm2", AVX2I) \
    X(3616, "vpunpckldq ymm5, ymm6, [esi]", AVX2I) \
    X(3617, "vpunpcklqdq xmm0, xmm1, xmm2", AVXI) \
    X(3618, "vpunpcklqdq xmm3, xmm4, [esi]", AVXI) \
    X(3619, "vpunpcklqdq ymm0, ymm1, ymm2", AVX2I) \
    X(3620, "vpunpcklqdq ymm3, ymm4, [esi+32]", AVX2I) \
    X(3621, "vpunpckhbw xmm0, xmm1, xmm2", AVXI) \
    X(3622, "vpunpckhbw xmm3, xmm4, [esi]", AVXI) \
    X(3623, "vpunpckhbw ymm0, ymm1, ymm2", AVX2I) \
    X(3624, "vpunpckhbw ymm5, ymm6, [esi]", AVX2I) \
    X(3625, "vpunpckhwd xmm0, xmm1, xmm2", AVXI) \
    X(3626, "vpunpckhwd xmm3, xmm4, [esi]", AVXI) \
    X(3627, "vpunpckhwd ymm0, ymm1, ymm2", AVX2I) \
    X(3628, "vpunpckhwd ymm3, ymm4, [esi+32]", AVX2I) \
    X(3629, "vpunpckhdq xmm0, xmm1, xmm2", AVXI) \
    X(3630, "vpunpckhdq xmm3, xmm4, [esi]", AVXI) \
    X(3631, "vpunpckhdq ymm0, ymm1, ymm2", AVX2I) \
    X(3632, "vpunpckhdq ymm5, ymm6, [esi]", AVX2I) \
    X(3633, "vpunpckhqdq xmm0, xmm1, xmm2", AVXI) \
    X(3634, "vpunpckhqdq xmm3, xmm4, [esi]", AVXI) \
    X(3635, "vpunpckhqdq ymm0, ymm1, ymm2", AVX2I) \
    X(3636, "vpunpckhqdq ymm3, ymm4, [esi+32]", AVX2I) \
    X(3637, "vpaddb xmm0, xmm1, xmm0", AVXI) \
    X(3638, "vpsubw ymm1, ymm2, ymm1", AVX2I) \
    X(3639, "vpabsb xmm0, xmm1", AVXI) \
    X(3640, "vpabsb ymm0, [esi]", AVX2I) \
    X(3641, "vpabsw xmm0, xmm1", AVXI) \
    X(3642, "vpabsw ymm0, [esi]", AVX2I) \
    X(3643, "vpabsd xmm0, xmm1", AVXI) \
    X(3644, "vpabsd ymm0, [esi]", AVX2I) \
    X(3645, "vpsllw xmm0, xmm1, xmm2", AVXI) \
    X(3646, "vpsllw xmm0, xmm1, [esi]", AVXI) \
    X(3647, "vpsllw xmm3, xmm4, 5", AVXI) \
    X(3648, "vpsllw ymm0, ymm1, xmm2", AVX2I) \
    X(3649, "vpsllw ymm0, ymm1, [esi]", AVX2I) \
    X(3650, "vpsllw ymm3, ymm4, 3", AVX2I) \
    X(3651, "vpsllw ymm3, ymm4, 40", AVX2I) \
    X(3652, "vpslld xmm0, xmm1, xmm2", AVXI) \
    X(3653, "vpslld xmm0, xmm1, [esi]", AVXI) \
    X(3654, "vpslld xmm3, xmm4, 5", AVXI) \
    X(3655, "vpslld ymm0, ymm1, xmm2", AVX2I) \
    X(3656, "vpslld ymm0, ymm1, [esi]", AVX2I) \
    X(3657, "vpslld ymm3, ymm4, 3", AVX2I) \
    X(3658, "vpslld ymm3, ymm4, 40", AVX2I) \
    X(3659, "vpsllq xmm0, xmm1, xmm2", AVXI) \
    X(3660, "vpsllq xmm0, xmm1, [esi]", AVXI) \
    X(3661, "vpsllq xmm3, xmm4, 5", AVXI) \
    X(3662, "vpsllq ymm0, ymm1, xmm2", AVX2I) \
    X(3663, "vpsllq ymm0, ymm1, [esi]", AVX2I) \
    X(3664, "vpsllq ymm3, ymm4, 3", AVX2I) \
    X(3665, "vpsllq ymm3, ymm4, 40", AVX2I) \
    X(3666, "vpsrlw xmm0, xmm1, xmm2", AVXI) \
    X(3667, "vpsrlw xmm0, xmm1, [esi]", AVXI) \
    X(3668, "vpsrlw xmm3, xmm4, 5", AVXI) \
    X(3669, "vpsrlw ymm0, ymm1, xmm2", AVX2I) \
    X(3670, "vpsrlw ymm0, ymm1, [esi]", AVX2I) \
    X(3671, "vpsrlw ymm3, ymm4, 3", AVX2I) \
    X(3672, "vpsrlw ymm3, ymm4, 40", AVX2I) \
    X(3673, "vpsrld xmm0, xmm1, xmm2", AVXI) \
    X(3674, "vpsrld xmm0, xmm1, [esi]", AVXI) \
    X(3675, "vpsrld xmm3, xmm4, 5", AVXI) \
    X(3676, "vpsrld ymm0, ymm1, xmm2", AVX2I) \
    X(3677, "vpsrld ymm0, ymm1, [esi]", AVX2I) \
    X(3678, "vpsrld ymm3, ymm4, 3", AVX2I) \
    X(3679, "vpsrld ymm3, ymm4, 40", AVX2I) \
    X(3680, "vpsrlq xmm0, xmm1, xmm2", AVXI) \
    X(3681, "vpsrlq xmm0, xmm1, [esi]", AVXI) \
    X(3682, "vpsrlq xmm3, xmm4, 5", AVXI) \
    X(3683, "vpsrlq ymm0, ymm1, xmm2", AVX2I) \
    X(3684, "vpsrlq ymm0, ymm1, [esi]", AVX2I) \
    X(3685, "vpsrlq ymm3, ymm4, 3", AVX2I) \
    X(3686, "vpsrlq ymm3, ymm4, 40", AVX2I) \
    X(3687, "vpsraw xmm0, xmm1, xmm2", AVXI) \
    X(3688, "vpsraw xmm0, xmm1, [esi]", AVXI) \
    X(3689, "vpsraw xmm3, xmm4, 5", AVXI) \
    X(3690, "vpsraw ymm0, ymm1, xmm2", AVX2I) \
    X(3691, "vpsraw ymm0, ymm1, [esi]", AVX2I) \
    X(3692, "vpsraw ymm3, ymm4, 3", AVX2I) \
    X(3693, "vpsraw ymm3, ymm4, 40", AVX2I) \
    X(3694, "vpsrad xmm0, xmm1, xmm2", AVXI) \
    X(3695, "vpsrad xmm0, xmm1, [esi]", AVXI) \
    X(3696, "vpsrad xmm3, xmm4, 5", AVXI) \
    X(3697, "vpsrad ymm0, ymm1, xmm2", AVX2I) \
    X(3698, "vpsrad ymm0, ymm1, [esi]", AVX2I) \
    X(3699, "vpsrad ymm3, ymm4, 3", AVX2I) \
    X(3700, "vpsrad ymm3, ymm4, 40", AVX2I) \
    X(3701, "vpsllw xmm2, xmm3, xmm2", AVXI) \
    X(3702, "vpsrld ymm2, ymm3, xmm2", AVX2I) \
    X(3703, "vpslldq xmm0, xmm1, 5", AVXI) \
    X(3704, "vpsrldq xmm0, xmm1, 9", AVXI) \
    X(3705, "vpslldq ymm0, ymm1, 3", AVX2I) \
    X(3706, "vpsrldq ymm0, ymm1, 17", AVX2I) \
    X(3707, "vpshufd xmm0, xmm1, 0x1b", AVXI) \
    X(3708, "vpshufhw xmm0, [esi], 0xb1", AVXI) \
    X(3709, "vpshuflw xmm0, xmm1, 0x4e", AVXI) \
    X(3710, "vpshufd ymm0, [esi], 0x1b", AVX2I) \
    X(3711, "vpshufhw ymm0, ymm1, 0xb1", AVX2I) \
    X(3712, "vpshuflw ymm0, ymm1, 0x4e", AVX2I) \
    X(3713, "vpalignr xmm0, xmm1, xmm2, 5", AVXI) \
    X(3714, "vpalignr ymm0, ymm1, [esi], 11", AVX2I) \
    X(3715, "vpalignr ymm0, ymm1, ymm2, 20", AVX2I) \
    X(3716, "vpblendw xmm0, xmm1, xmm2, 0xa5", AVXI) \
    X(3717, "vpblendw ymm0, ymm1, [esi], 0x3c", AVX2I) \
    X(3718, "vpblendvb xmm0, xmm1, xmm2, xmm3", AVXI) \
    X(3719, "vpblendvb ymm0, ymm1, [esi], ymm3", AVX2I) \
    X(3720, "vmpsadbw xmm0, xmm1, xmm2, 5", AVXI) \
    X(3721, "vmpsadbw ymm0, ymm1, ymm2, 0x2d", AVX2I) \
    X(3722, "vmpsadbw ymm0, ymm1, [esi], 0x13", AVX2I) \
    X(3723, "vphminposuw xmm0, xmm1", AVXI) \
    X(3724, "vphminposuw xmm0, [esi]", AVXI) \
    X(3725, "vpmovsxbw xmm0, xmm1", AVXI) \
    X(3726, "vpmovsxbw xmm0, qword ptr [esi]", AVXI) \
    X(3727, "vpmovsxbw ymm0, xmm1", AVX2I) \
    X(3728, "vpmovsxbw ymm2, xmmword ptr [esi]", AVX2I) \
    X(3729, "vpmovzxbw xmm0, xmm1", AVXI) \
    X(3730, "vpmovzxbw xmm0, qword ptr [esi]", AVXI) \
    X(3731, "vpmovzxbw ymm0, xmm1", AVX2I) \
    X(3732, "vpmovzxbw ymm2, xmmword ptr [esi]", AVX2I) \
    X(3733, "vpmovsxbd xmm0, xmm1", AVXI) \
    X(3734, "vpmovsxbd xmm0, dword ptr [esi]", AVXI) \
    X(3735, "vpmovsxbd ymm0, xmm1", AVX2I) \
    X(3736, "vpmovsxbd ymm2, qword ptr [esi]", AVX2I) \
    X(3737, "vpmovzxbd xmm0, xmm1", AVXI) \
    X(3738, "vpmovzxbd xmm0, dword ptr [esi]", AVXI) \
    X(3739, "vpmovzxbd ymm0, xmm1", AVX2I) \
    X(3740, "vpmovzxbd ymm2, qword ptr [esi]", AVX2I) \
    X(3741, "vpmovsxbq xmm0, xmm1", AVXI) \
    X(3742, "vpmovsxbq xmm0, word ptr [esi]", AVXI) \
    X(3743, "vpmovsxbq ymm0, xmm1", AVX2I) \
    X(3744, "vpmovsxbq ymm2, dword ptr [esi]", AVX2I) \
    X(3745, "vpmovzxbq xmm0, xmm1", AVXI) \
    X(3746, "vpmovzxbq xmm0, word ptr [esi]", AVXI) \
    X(3747, "vpmovzxbq ymm0, xmm1", AVX2I) \
    X(3748, "vpmovzxbq ymm2, dword ptr [esi]", AVX2I) \
    X(3749, "vpmovsxwd xmm0, xmm1", AVXI) \
    X(3750, "vpmovsxwd xmm0, qword ptr [esi]", AVXI) \
    X(3751, "vpmovsxwd ymm0, xmm1", AVX2I) \
    X(3752, "vpmovsxwd ymm2, xmmword ptr [esi]", AVX2I) \
    X(3753, "vpmovzxwd xmm0, xmm1", AVXI) \
    X(3754, "vpmovzxwd xmm0, qword ptr [esi]", AVXI) \
    X(3755, "vpmovzxwd ymm0, xmm1", AVX2I) \
    X(3756, "vpmovzxwd ymm2, xmmword ptr [esi]", AVX2I) \
    X(3757, "vpmovsxwq xmm0, xmm1", AVXI) \
    X(3758, "vpmovsxwq xmm0, dword ptr [esi]", AVXI) \
    X(3759, "vpmovsxwq ymm0, xmm1", AVX2I) \
    X(3760, "vpmovsxwq ymm2, qword ptr [esi]", AVX2I) \
    X(3761, "vpmovzxwq xmm0, xmm1", AVXI) \
    X(3762, "vpmovzxwq xmm0, dword ptr [esi]", AVXI) \
    X(3763, "vpmovzxwq ymm0, xmm1", AVX2I) \
    X(3764, "vpmovzxwq ymm2, qword ptr [esi]", AVX2I) \
    X(3765, "vpmovsxdq xmm0, xmm1", AVXI) \
    X(3766, "vpmovsxdq xmm0, qword ptr [esi]", AVXI) \
    X(3767, "vpmovsxdq ymm0, xmm1", AVX2I) \
    X(3768, "vpmovsxdq ymm2, xmmword ptr [esi]", AVX2I) \
    X(3769, "vpmovzxdq xmm0, xmm1", AVXI) \
    X(3770, "vpmovzxdq xmm0, qword ptr [esi]", AVXI) \
    X(3771, "vpmovzxdq ymm0, xmm1", AVX2I) \
    X(3772, "vpmovzxdq ymm2, xmmword ptr [esi]", AVX2I) \
    X(3773, "vpextrb eax, xmm1, 3", AVXI) \
    X(3774, "vpextrw ecx, xmm1, 5", AVXI) \
    X(3775, "vpextrd edx, xmm1, 2", AVXI) \
    X(3776, "vpextrb byte ptr [esi], xmm2, 15", AVXI) \
    X(3777, "vpextrw word ptr [esi], xmm2, 7", AVXI) \
    X(3778, "vpinsrb xmm0, xmm1, eax, 7", AVXI) \
    X(3779, "vpinsrw xmm0, xmm1, ecx, 3", AVXI) \
    X(3780, "vpinsrd xmm0, xmm1, dword ptr [esi], 2", AVXI) \
    X(3781, "vaesenc xmm0, xmm1, xmm2", AVXI) \
    X(3782, "vaesenclast xmm0, xmm1, [esi]", AVXI) \
    X(3783, "vaesdec xmm0, xmm1, xmm2", AVXI) \
    X(3784, "vaesdeclast xmm3, xmm4, xmm5", AVXI) \
    X(3785, "vaesimc xmm0, xmm1", AVXI) \
    X(3786, "vaeskeygenassist xmm0, xmm1, 0x1b", AVXI) \
    X(3787, "vpclmulqdq xmm0, xmm1, xmm2, 0x11", AVXI) \
    X(3788, "vpclmulqdq xmm0, xmm1, [esi], 0x01", AVXI) \
    X(3789, "vmaskmovdqu xmm0, xmm1", AVXI) \
    X(3790, "vpcmpestri xmm0, xmm1, 0x0c", AVXI) \
    X(3791, "vpcmpistrm xmm1, xmm2, 0x40", AVXI) \
    X(3792, "vpcmpistri xmm1, [esi], 0x1a", AVXI) \
    X(3793, "vpcmpestrm xmm1, xmm2, 0x44", AVXI) \
    X(3794, "vpermd ymm0, ymm1, ymm2", AVX2I) \
    X(3795, "vpermps ymm0, ymm1, [esi]", AVX2I) \
    X(3796, "vpermq ymm0, ymm1, 0x1b", AVX2I) \
    X(3797, "vpermpd ymm0, [esi], 0x4e", AVX2I) \
    X(3798, "vpblendd ymm0, ymm1, ymm2, 0xa5", AVX2I) \
    X(3799, "vpblendd xmm0, xmm1, [esi], 0x5", AVX2I) \
    X(3800, "vpsllvd xmm0, xmm1, xmm2", AVX2I) \
    X(3801, "vpsllvd ymm0, ymm1, [esi]", AVX2I) \
    X(3802, "vpsllvd ymm3, ymm4, ymm5", AVX2I) \
    X(3803, "vpsllvq xmm0, xmm1, xmm2", AVX2I) \
    X(3804, "vpsllvq ymm0, ymm1, [esi]", AVX2I) \
    X(3805, "vpsllvq ymm3, ymm4, ymm5", AVX2I) \
    X(3806, "vpsrlvd xmm0, xmm1, xmm2", AVX2I) \
    X(3807, "vpsrlvd ymm0, ymm1, [esi]", AVX2I) \
    X(3808, "vpsrlvd ymm3, ymm4, ymm5", AVX2I) \
    X(3809, "vpsrlvq xmm0, xmm1, xmm2", AVX2I) \
    X(3810, "vpsrlvq ymm0, ymm1, [esi]", AVX2I) \
    X(3811, "vpsrlvq ymm3, ymm4, ymm5", AVX2I) \
    X(3812, "vpsravd xmm0, xmm1, xmm2", AVX2I) \
    X(3813, "vpsravd ymm0, ymm1, [esi]", AVX2I) \
    X(3814, "vpsravd ymm3, ymm4, ymm5", AVX2I) \
    X(3815, "vpbroadcastb ymm0, xmm1", AVX2I) \
    X(3816, "vpbroadcastb xmm0, byte ptr [esi+3]", AVX2I) \
    X(3817, "vpbroadcastw xmm0, word ptr [esi]", AVX2I) \
    X(3818, "vpbroadcastw ymm0, xmm2", AVX2I) \
    X(3819, "vpbroadcastd ymm0, xmm1", AVX2I) \
    X(3820, "vpbroadcastd xmm0, dword ptr [esi]", AVX2I) \
    X(3821, "vpbroadcastq ymm0, qword ptr [esi]", AVX2I) \
    X(3822, "vpbroadcastq xmm0, xmm3", AVX2I) \
    X(3823, "vbroadcasti128 ymm0, xmmword ptr [esi]", AVX2I) \
    X(3824, "vbroadcastss ymm0, xmm1", AVX2I) \
    X(3825, "vbroadcastss xmm0, xmm1", AVX2I) \
    X(3826, "vbroadcastsd ymm0, xmm1", AVX2I) \
    X(3827, "vinserti128 ymm0, ymm1, xmm2, 1", AVX2I) \
    X(3828, "vinserti128 ymm0, ymm1, [esi], 0", AVX2I) \
    X(3829, "vextracti128 xmm0, ymm1, 1", AVX2I) \
    X(3830, "vextracti128 [esi], ymm2, 0", AVX2I) \
    X(3831, "vperm2i128 ymm0, ymm1, ymm2, 0x31", AVX2I) \
    X(3832, "vperm2i128 ymm0, ymm1, [esi], 0x82", AVX2I) \
    X(3833, "vpmaskmovd ymm0, ymm1, [esi]", AVX2I) \
    X(3834, "vpmaskmovd [esi], xmm1, xmm2", AVX2I) \
    X(3835, "vpmaskmovq xmm0, xmm1, [esi]", AVX2I) \
    X(3836, "vpmaskmovq [esi], ymm1, ymm2", AVX2I) \
    X(3837, "vmovntdqa ymm0, [esi]", AVX2I) \
    X(3838, "vpmovmskb eax, ymm1", AVX2I) \
    X(3839, "vfmadd132ps xmm0, xmm1, xmm2", FMA3) \
    X(3840, "vfmadd132pd ymm0, ymm1, [esi]", FMA3) \
    X(3841, "vfmadd132ps ymm3, ymm4, ymm5", FMA3) \
    X(3842, "vfmadd132pd xmm3, xmm4, xmm5", FMA3) \
    X(3843, "vfmadd132ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3844, "vfmadd132sd xmm0, xmm1, xmm2", FMA3) \
    X(3845, "vfmadd213ps xmm0, xmm1, xmm2", FMA3) \
    X(3846, "vfmadd213pd ymm0, ymm1, [esi]", FMA3) \
    X(3847, "vfmadd213ps ymm3, ymm4, ymm5", FMA3) \
    X(3848, "vfmadd213pd xmm3, xmm4, xmm5", FMA3) \
    X(3849, "vfmadd213ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3850, "vfmadd213sd xmm0, xmm1, xmm2", FMA3) \
    X(3851, "vfmadd231ps xmm0, xmm1, xmm2", FMA3) \
    X(3852, "vfmadd231pd ymm0, ymm1, [esi]", FMA3) \
    X(3853, "vfmadd231ps ymm3, ymm4, ymm5", FMA3) \
    X(3854, "vfmadd231pd xmm3, xmm4, xmm5", FMA3) \
    X(3855, "vfmadd231ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3856, "vfmadd231sd xmm0, xmm1, xmm2", FMA3) \
    X(3857, "vfmsub132ps xmm0, xmm1, xmm2", FMA3) \
    X(3858, "vfmsub132pd ymm0, ymm1, [esi]", FMA3) \
    X(3859, "vfmsub132ps ymm3, ymm4, ymm5", FMA3) \
    X(3860, "vfmsub132pd xmm3, xmm4, xmm5", FMA3) \
    X(3861, "vfmsub132ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3862, "vfmsub132sd xmm0, xmm1, xmm2", FMA3) \
    X(3863, "vfmsub213ps xmm0, xmm1, xmm2", FMA3) \
    X(3864, "vfmsub213pd ymm0, ymm1, [esi]", FMA3) \
    X(3865, "vfmsub213ps ymm3, ymm4, ymm5", FMA3) \
    X(3866, "vfmsub213pd xmm3, xmm4, xmm5", FMA3) \
    X(3867, "vfmsub213ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3868, "vfmsub213sd xmm0, xmm1, xmm2", FMA3) \
    X(3869, "vfmsub231ps xmm0, xmm1, xmm2", FMA3) \
    X(3870, "vfmsub231pd ymm0, ymm1, [esi]", FMA3) \
    X(3871, "vfmsub231ps ymm3, ymm4, ymm5", FMA3) \
    X(3872, "vfmsub231pd xmm3, xmm4, xmm5", FMA3) \
    X(3873, "vfmsub231ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3874, "vfmsub231sd xmm0, xmm1, xmm2", FMA3) \
    X(3875, "vfnmadd132ps xmm0, xmm1, xmm2", FMA3) \
    X(3876, "vfnmadd132pd ymm0, ymm1, [esi]", FMA3) \
    X(3877, "vfnmadd132ps ymm3, ymm4, ymm5", FMA3) \
    X(3878, "vfnmadd132pd xmm3, xmm4, xmm5", FMA3) \
    X(3879, "vfnmadd132ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3880, "vfnmadd132sd xmm0, xmm1, xmm2", FMA3) \
    X(3881, "vfnmadd213ps xmm0, xmm1, xmm2", FMA3) \
    X(3882, "vfnmadd213pd ymm0, ymm1, [esi]", FMA3) \
    X(3883, "vfnmadd213ps ymm3, ymm4, ymm5", FMA3) \
    X(3884, "vfnmadd213pd xmm3, xmm4, xmm5", FMA3) \
    X(3885, "vfnmadd213ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3886, "vfnmadd213sd xmm0, xmm1, xmm2", FMA3) \
    X(3887, "vfnmadd231ps xmm0, xmm1, xmm2", FMA3) \
    X(3888, "vfnmadd231pd ymm0, ymm1, [esi]", FMA3) \
    X(3889, "vfnmadd231ps ymm3, ymm4, ymm5", FMA3) \
    X(3890, "vfnmadd231pd xmm3, xmm4, xmm5", FMA3) \
    X(3891, "vfnmadd231ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3892, "vfnmadd231sd xmm0, xmm1, xmm2", FMA3) \
    X(3893, "vfnmsub132ps xmm0, xmm1, xmm2", FMA3) \
    X(3894, "vfnmsub132pd ymm0, ymm1, [esi]", FMA3) \
    X(3895, "vfnmsub132ps ymm3, ymm4, ymm5", FMA3) \
    X(3896, "vfnmsub132pd xmm3, xmm4, xmm5", FMA3) \
    X(3897, "vfnmsub132ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3898, "vfnmsub132sd xmm0, xmm1, xmm2", FMA3) \
    X(3899, "vfnmsub213ps xmm0, xmm1, xmm2", FMA3) \
    X(3900, "vfnmsub213pd ymm0, ymm1, [esi]", FMA3) \
    X(3901, "vfnmsub213ps ymm3, ymm4, ymm5", FMA3) \
    X(3902, "vfnmsub213pd xmm3, xmm4, xmm5", FMA3) \
    X(3903, "vfnmsub213ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3904, "vfnmsub213sd xmm0, xmm1, xmm2", FMA3) \
    X(3905, "vfnmsub231ps xmm0, xmm1, xmm2", FMA3) \
    X(3906, "vfnmsub231pd ymm0, ymm1, [esi]", FMA3) \
    X(3907, "vfnmsub231ps ymm3, ymm4, ymm5", FMA3) \
    X(3908, "vfnmsub231pd xmm3, xmm4, xmm5", FMA3) \
    X(3909, "vfnmsub231ss xmm0, xmm1, dword ptr [esi]", FMA3) \
    X(3910, "vfnmsub231sd xmm0, xmm1, xmm2", FMA3) \
    X(3911, "vfmaddsub132ps ymm0, ymm1, ymm2", FMA3) \
    X(3912, "vfmaddsub132pd xmm0, xmm1, [esi]", FMA3) \
    X(3913, "vfmaddsub213ps ymm0, ymm1, ymm2", FMA3) \
    X(3914, "vfmaddsub213pd xmm0, xmm1, [esi]", FMA3) \
    X(3915, "vfmaddsub231ps ymm0, ymm1, ymm2", FMA3) \
    X(3916, "vfmaddsub231pd xmm0, xmm1, [esi]", FMA3) \
    X(3917, "vfmsubadd132ps ymm0, ymm1, ymm2", FMA3) \
    X(3918, "vfmsubadd132pd xmm0, xmm1, [esi]", FMA3) \
    X(3919, "vfmsubadd213ps ymm0, ymm1, ymm2", FMA3) \
    X(3920, "vfmsubadd213pd xmm0, xmm1, [esi]", FMA3) \
    X(3921, "vfmsubadd231ps ymm0, ymm1, ymm2", FMA3) \
    X(3922, "vfmsubadd231pd xmm0, xmm1, [esi]", FMA3) \
    X(3923, "vfmadd231ps ymm0, ymm0, ymm0", FMA3) \
    X(3924, "vcvtph2ps xmm0, xmm1", F16) \
    X(3925, "vcvtph2ps ymm0, xmm1", F16) \
    X(3926, "vcvtph2ps ymm2, xmmword ptr [esi]", F16) \
    X(3927, "vcvtph2ps xmm2, qword ptr [esi]", F16) \
    X(3928, "vcvtps2ph xmm0, xmm1, 0", F16) \
    X(3929, "vcvtps2ph xmm0, ymm1, 0", F16) \
    X(3930, "vcvtps2ph xmm0, xmm1, 1", F16) \
    X(3931, "vcvtps2ph xmm0, ymm1, 1", F16) \
    X(3932, "vcvtps2ph xmm0, xmm1, 2", F16) \
    X(3933, "vcvtps2ph xmm0, ymm1, 2", F16) \
    X(3934, "vcvtps2ph xmm0, xmm1, 3", F16) \
    X(3935, "vcvtps2ph xmm0, ymm1, 3", F16) \
    X(3936, "vcvtps2ph xmm0, xmm1, 4", F16) \
    X(3937, "vcvtps2ph xmm0, ymm1, 4", F16) \
    X(3938, "vcvtps2ph xmm0, xmm1, 5", F16) \
    X(3939, "vcvtps2ph xmm0, ymm1, 5", F16) \
    X(3940, "vcvtps2ph xmm0, xmm1, 6", F16) \
    X(3941, "vcvtps2ph xmm0, ymm1, 6", F16) \
    X(3942, "vcvtps2ph xmm0, xmm1, 7", F16) \
    X(3943, "vcvtps2ph xmm0, ymm1, 7", F16) \
    X(3944, "vcvtps2ph qword ptr [esi], xmm1, 0", F16) \
    X(3945, "vcvtps2ph xmmword ptr [esi], ymm1, 4", F16) \
    X(3946, "vcvtps2ph xmm3, ymm3, 0x0b", F16)

#define AVX_CASES64(X) \
    X(4000, "vaddps ymm8, ymm9, ymm15", AVX64) \
    X(4001, "vmulpd ymm12, ymm0, [rsi]", AVX64) \
    X(4002, "vpaddq ymm10, ymm11, ymm12", AVX64) \
    X(4003, "vpshufb xmm13, xmm14, xmm15", AVX64) \
    X(4004, "vmovq rax, xmm9", AVX64) \
    X(4005, "vmovq xmm10, rcx", AVX64) \
    X(4006, "vpextrq rdx, xmm11, 1", AVX64) \
    X(4007, "vpinsrq xmm12, xmm13, rax, 1", AVX64) \
    X(4008, "vpinsrq xmm12, xmm13, qword ptr [rsi], 0", AVX64) \
    X(4009, "vcvtsi2sd xmm14, xmm15, rax", AVX64) \
    X(4010, "vcvtsi2ss xmm8, xmm9, rcx", AVX64) \
    X(4011, "vcvttsd2si rax, xmm10", AVX64) \
    X(4012, "vcvtss2si rdx, xmm11", AVX64) \
    X(4013, "vcvtsd2si rcx, qword ptr [rsi]", AVX64) \
    X(4014, "vmovmskps rax, ymm12", AVX64) \
    X(4015, "vpmovmskb rcx, ymm13", AVX64) \
    X(4016, "vextractps eax, xmm14, 1", AVX64) \
    X(4017, "vfmadd213pd ymm8, ymm9, ymm10", AVX64) \
    X(4018, "vfnmsub231ss xmm11, xmm12, xmm13", AVX64) \
    X(4019, "vcvtps2ph xmm14, ymm15, 2", AVX64) \
    X(4020, "vcvtph2ps ymm9, xmm8", AVX64) \
    X(4021, "vperm2f128 ymm15, ymm8, ymm9, 0x21", AVX64) \
    X(4022, "vpermq ymm11, ymm12, 0x93", AVX64) \
    X(4023, "vpermd ymm13, ymm14, ymm15", AVX64) \
    X(4024, "vblendvps ymm8, ymm9, ymm10, ymm11", AVX64) \
    X(4025, "vpblendvb xmm12, xmm13, xmm14, xmm15", AVX64) \
    X(4026, "vzeroupper", AVX64) \
    X(4027, "vzeroall", AVX64) \
    X(4028, "vmovdqu ymm8, [rsi+1]", AVX64) \
    X(4029, "vmovaps [rsi], ymm15", AVX64) \
    X(4030, "vbroadcastsd ymm8, xmm15", AVX64) \
    X(4031, "vpsllvq ymm9, ymm10, ymm11", AVX64) \
    X(4032, "vinserti128 ymm12, ymm13, xmm14, 1", AVX64) \
    X(4033, "vmaskmovpd ymm8, ymm9, [rsi]", AVX64) \
    X(4034, "vtestps ymm10, ymm11", AVX64) \
    X(4035, "vcmpps ymm12, ymm13, ymm14, 0x1d", AVX64) \
    X(4036, "vpsrlw ymm15, ymm8, xmm9", AVX64) \
    X(4037, "vpmovzxwq ymm10, xmm11", AVX64) \
    X(4038, "vcvtpd2ps xmm12, ymm13", AVX64) \
    X(4039, "vaesenc xmm8, xmm9, xmm10", AVX64) \
    X(4040, "vpclmulqdq xmm11, xmm12, xmm13, 0x10", AVX64) \
    X(4041, "vpcmpestri xmm14, xmm15, 0x0c", AVX64) \
    X(4042, "vpcmpistrm xmm9, xmm8, 0x40", AVX64)

#endif
