/*
 * The instruction list of the SIMD differential test (test_sse.c): every
 * entry is assembled here as 32-bit code (.code32) and run both natively in
 * 64-bit mode and in the interpreter in 32-bit protected mode. Only
 * encodings that mean the same in both modes are listed: registers
 * xmm0-7/mm0-7, 32-bit GPRs, memory through [esi] (= [rsi] natively, no
 * 0x67 prefix, no REX). Generated once by hand from a list of mnemonics.
 */
#include <stdint.h>

#include "sse_test.h"

#define SSE_CASES(X) \
    X(0, "movaps xmm0, xmm1", MOV) \
    X(1, "movaps xmm2, [esi]", MOV) \
    X(2, "movaps [esi+16], xmm3", MOV) \
    X(3, "movapd xmm0, xmm1", MOV) \
    X(4, "movapd xmm2, [esi]", MOV) \
    X(5, "movapd [esi+16], xmm3", MOV) \
    X(6, "movdqa xmm0, xmm1", MOV) \
    X(7, "movdqa xmm2, [esi]", MOV) \
    X(8, "movdqa [esi+16], xmm3", MOV) \
    X(9, "movups xmm0, [esi+3]", MOV) \
    X(10, "movups xmm0, xmm5", MOV) \
    X(11, "movups [esi+5], xmm2", MOV) \
    X(12, "movupd xmm0, [esi+3]", MOV) \
    X(13, "movupd xmm0, xmm5", MOV) \
    X(14, "movupd [esi+5], xmm2", MOV) \
    X(15, "movdqu xmm0, [esi+3]", MOV) \
    X(16, "movdqu xmm0, xmm5", MOV) \
    X(17, "movdqu [esi+5], xmm2", MOV) \
    X(18, "lddqu xmm0, [esi+3]", MOV) \
    X(19, "movss xmm0, xmm1", MOV) \
    X(20, "movss xmm2, dword ptr [esi]", MOV) \
    X(21, "movss dword ptr [esi+4], xmm1", MOV) \
    X(22, "movsd xmm0, xmm1", MOV) \
    X(23, "movsd xmm2, qword ptr [esi]", MOV) \
    X(24, "movsd qword ptr [esi+4], xmm1", MOV) \
    X(25, "movlps xmm0, qword ptr [esi]", MOV) \
    X(26, "movlps qword ptr [esi+8], xmm1", MOV) \
    X(27, "movhps xmm0, qword ptr [esi]", MOV) \
    X(28, "movhps qword ptr [esi+8], xmm1", MOV) \
    X(29, "movlpd xmm0, qword ptr [esi]", MOV) \
    X(30, "movlpd qword ptr [esi+8], xmm1", MOV) \
    X(31, "movhpd xmm0, qword ptr [esi]", MOV) \
    X(32, "movhpd qword ptr [esi+8], xmm1", MOV) \
    X(33, "movlhps xmm0, xmm1", MOV) \
    X(34, "movhlps xmm0, xmm1", MOV) \
    X(35, "movhlps xmm3, xmm3", MOV) \
    X(36, "movd xmm0, eax", MOV) \
    X(37, "movd eax, xmm1", MOV) \
    X(38, "movd xmm0, dword ptr [esi]", MOV) \
    X(39, "movd dword ptr [esi], xmm1", MOV) \
    X(40, "movd mm0, eax", MOV) \
    X(41, "movd ecx, mm1", MOV) \
    X(42, "movd mm2, dword ptr [esi]", MOV) \
    X(43, "movd dword ptr [esi+4], mm3", MOV) \
    X(44, "movq xmm0, xmm1", MOV) \
    X(45, "movq xmm0, qword ptr [esi]", MOV) \
    X(46, "movq qword ptr [esi], xmm1", MOV) \
    X(47, "movq mm0, mm1", MOV) \
    X(48, "movq mm0, qword ptr [esi]", MOV) \
    X(49, "movq qword ptr [esi], mm1", MOV) \
    X(50, "movq2dq xmm0, mm1", MOV) \
    X(51, "movdq2q mm0, xmm1", MOV) \
    X(52, "movmskps eax, xmm1", MOV) \
    X(53, "movmskpd ecx, xmm1", MOV) \
    X(54, "pmovmskb edx, xmm1", MOV) \
    X(55, "pmovmskb eax, mm1", MOV) \
    X(56, "movnti [esi], eax", MOV) \
    X(57, "movntdq [esi], xmm1", MOV) \
    X(58, "movntps [esi+16], xmm2", MOV) \
    X(59, "movntpd [esi], xmm3", MOV) \
    X(60, "movntq [esi], mm1", MOV) \
    X(61, "maskmovdqu xmm0, xmm1", MOV) \
    X(62, "maskmovq mm0, mm1", MOV) \
    X(63, "movddup xmm0, xmm1", MOV) \
    X(64, "movddup xmm0, qword ptr [esi]", MOV) \
    X(65, "movshdup xmm0, xmm1", MOV) \
    X(66, "movshdup xmm0, [esi]", MOV) \
    X(67, "movsldup xmm0, xmm1", MOV) \
    X(68, "paddb xmm0, xmm1", INT) \
    X(69, "paddb xmm2, [esi]", INT) \
    X(70, "paddb mm0, mm1", INT) \
    X(71, "paddb mm3, qword ptr [esi+8]", INT) \
    X(72, "paddw xmm0, xmm1", INT) \
    X(73, "paddw xmm2, [esi]", INT) \
    X(74, "paddw mm0, mm1", INT) \
    X(75, "paddw mm3, qword ptr [esi+8]", INT) \
    X(76, "paddd xmm0, xmm1", INT) \
    X(77, "paddd xmm2, [esi]", INT) \
    X(78, "paddd mm0, mm1", INT) \
    X(79, "paddd mm3, qword ptr [esi+8]", INT) \
    X(80, "paddq xmm0, xmm1", INT) \
    X(81, "paddq xmm2, [esi]", INT) \
    X(82, "paddq mm0, mm1", INT) \
    X(83, "paddq mm3, qword ptr [esi+8]", INT) \
    X(84, "paddsb xmm0, xmm1", INT) \
    X(85, "paddsb xmm2, [esi]", INT) \
    X(86, "paddsb mm0, mm1", INT) \
    X(87, "paddsb mm3, qword ptr [esi+8]", INT) \
    X(88, "paddsw xmm0, xmm1", INT) \
    X(89, "paddsw xmm2, [esi]", INT) \
    X(90, "paddsw mm0, mm1", INT) \
    X(91, "paddsw mm3, qword ptr [esi+8]", INT) \
    X(92, "paddusb xmm0, xmm1", INT) \
    X(93, "paddusb xmm2, [esi]", INT) \
    X(94, "paddusb mm0, mm1", INT) \
    X(95, "paddusb mm3, qword ptr [esi+8]", INT) \
    X(96, "paddusw xmm0, xmm1", INT) \
    X(97, "paddusw xmm2, [esi]", INT) \
    X(98, "paddusw mm0, mm1", INT) \
    X(99, "paddusw mm3, qword ptr [esi+8]", INT) \
    X(100, "psubb xmm0, xmm1", INT) \
    X(101, "psubb xmm2, [esi]", INT) \
    X(102, "psubb mm0, mm1", INT) \
    X(103, "psubb mm3, qword ptr [esi+8]", INT) \
    X(104, "psubw xmm0, xmm1", INT) \
    X(105, "psubw xmm2, [esi]", INT) \
    X(106, "psubw mm0, mm1", INT) \
    X(107, "psubw mm3, qword ptr [esi+8]", INT) \
    X(108, "psubd xmm0, xmm1", INT) \
    X(109, "psubd xmm2, [esi]", INT) \
    X(110, "psubd mm0, mm1", INT) \
    X(111, "psubd mm3, qword ptr [esi+8]", INT) \
    X(112, "psubq xmm0, xmm1", INT) \
    X(113, "psubq xmm2, [esi]", INT) \
    X(114, "psubq mm0, mm1", INT) \
    X(115, "psubq mm3, qword ptr [esi+8]", INT) \
    X(116, "psubsb xmm0, xmm1", INT) \
    X(117, "psubsb xmm2, [esi]", INT) \
    X(118, "psubsb mm0, mm1", INT) \
    X(119, "psubsb mm3, qword ptr [esi+8]", INT) \
    X(120, "psubsw xmm0, xmm1", INT) \
    X(121, "psubsw xmm2, [esi]", INT) \
    X(122, "psubsw mm0, mm1", INT) \
    X(123, "psubsw mm3, qword ptr [esi+8]", INT) \
    X(124, "psubusb xmm0, xmm1", INT) \
    X(125, "psubusb xmm2, [esi]", INT) \
    X(126, "psubusb mm0, mm1", INT) \
    X(127, "psubusb mm3, qword ptr [esi+8]", INT) \
    X(128, "psubusw xmm0, xmm1", INT) \
    X(129, "psubusw xmm2, [esi]", INT) \
    X(130, "psubusw mm0, mm1", INT) \
    X(131, "psubusw mm3, qword ptr [esi+8]", INT) \
    X(132, "pmullw xmm0, xmm1", INT) \
    X(133, "pmullw xmm2, [esi]", INT) \
    X(134, "pmullw mm0, mm1", INT) \
    X(135, "pmullw mm3, qword ptr [esi+8]", INT) \
    X(136, "pmulhw xmm0, xmm1", INT) \
    X(137, "pmulhw xmm2, [esi]", INT) \
    X(138, "pmulhw mm0, mm1", INT) \
    X(139, "pmulhw mm3, qword ptr [esi+8]", INT) \
    X(140, "pmulhuw xmm0, xmm1", INT) \
    X(141, "pmulhuw xmm2, [esi]", INT) \
    X(142, "pmulhuw mm0, mm1", INT) \
    X(143, "pmulhuw mm3, qword ptr [esi+8]", INT) \
    X(144, "pmuludq xmm0, xmm1", INT) \
    X(145, "pmuludq xmm2, [esi]", INT) \
    X(146, "pmuludq mm0, mm1", INT) \
    X(147, "pmuludq mm3, qword ptr [esi+8]", INT) \
    X(148, "pmaddwd xmm0, xmm1", INT) \
    X(149, "pmaddwd xmm2, [esi]", INT) \
    X(150, "pmaddwd mm0, mm1", INT) \
    X(151, "pmaddwd mm3, qword ptr [esi+8]", INT) \
    X(152, "psadbw xmm0, xmm1", INT) \
    X(153, "psadbw xmm2, [esi]", INT) \
    X(154, "psadbw mm0, mm1", INT) \
    X(155, "psadbw mm3, qword ptr [esi+8]", INT) \
    X(156, "pavgb xmm0, xmm1", INT) \
    X(157, "pavgb xmm2, [esi]", INT) \
    X(158, "pavgb mm0, mm1", INT) \
    X(159, "pavgb mm3, qword ptr [esi+8]", INT) \
    X(160, "pavgw xmm0, xmm1", INT) \
    X(161, "pavgw xmm2, [esi]", INT) \
    X(162, "pavgw mm0, mm1", INT) \
    X(163, "pavgw mm3, qword ptr [esi+8]", INT) \
    X(164, "pcmpeqb xmm0, xmm1", INT) \
    X(165, "pcmpeqb xmm2, [esi]", INT) \
    X(166, "pcmpeqb mm0, mm1", INT) \
    X(167, "pcmpeqb mm3, qword ptr [esi+8]", INT) \
    X(168, "pcmpeqw xmm0, xmm1", INT) \
    X(169, "pcmpeqw xmm2, [esi]", INT) \
    X(170, "pcmpeqw mm0, mm1", INT) \
    X(171, "pcmpeqw mm3, qword ptr [esi+8]", INT) \
    X(172, "pcmpeqd xmm0, xmm1", INT) \
    X(173, "pcmpeqd xmm2, [esi]", INT) \
    X(174, "pcmpeqd mm0, mm1", INT) \
    X(175, "pcmpeqd mm3, qword ptr [esi+8]", INT) \
    X(176, "pcmpgtb xmm0, xmm1", INT) \
    X(177, "pcmpgtb xmm2, [esi]", INT) \
    X(178, "pcmpgtb mm0, mm1", INT) \
    X(179, "pcmpgtb mm3, qword ptr [esi+8]", INT) \
    X(180, "pcmpgtw xmm0, xmm1", INT) \
    X(181, "pcmpgtw xmm2, [esi]", INT) \
    X(182, "pcmpgtw mm0, mm1", INT) \
    X(183, "pcmpgtw mm3, qword ptr [esi+8]", INT) \
    X(184, "pcmpgtd xmm0, xmm1", INT) \
    X(185, "pcmpgtd xmm2, [esi]", INT) \
    X(186, "pcmpgtd mm0, mm1", INT) \
    X(187, "pcmpgtd mm3, qword ptr [esi+8]", INT) \
    X(188, "pminub xmm0, xmm1", INT) \
    X(189, "pminub xmm2, [esi]", INT) \
    X(190, "pminub mm0, mm1", INT) \
    X(191, "pminub mm3, qword ptr [esi+8]", INT) \
    X(192, "pmaxub xmm0, xmm1", INT) \
    X(193, "pmaxub xmm2, [esi]", INT) \
    X(194, "pmaxub mm0, mm1", INT) \
    X(195, "pmaxub mm3, qword ptr [esi+8]", INT) \
    X(196, "pminsw xmm0, xmm1", INT) \
    X(197, "pminsw xmm2, [esi]", INT) \
    X(198, "pminsw mm0, mm1", INT) \
    X(199, "pminsw mm3, qword ptr [esi+8]", INT) \
    X(200, "pmaxsw xmm0, xmm1", INT) \
    X(201, "pmaxsw xmm2, [esi]", INT) \
    X(202, "pmaxsw mm0, mm1", INT) \
    X(203, "pmaxsw mm3, qword ptr [esi+8]", INT) \
    X(204, "pand xmm0, xmm1", INT) \
    X(205, "pand xmm2, [esi]", INT) \
    X(206, "pand mm0, mm1", INT) \
    X(207, "pand mm3, qword ptr [esi+8]", INT) \
    X(208, "pandn xmm0, xmm1", INT) \
    X(209, "pandn xmm2, [esi]", INT) \
    X(210, "pandn mm0, mm1", INT) \
    X(211, "pandn mm3, qword ptr [esi+8]", INT) \
    X(212, "por xmm0, xmm1", INT) \
    X(213, "por xmm2, [esi]", INT) \
    X(214, "por mm0, mm1", INT) \
    X(215, "por mm3, qword ptr [esi+8]", INT) \
    X(216, "pxor xmm0, xmm1", INT) \
    X(217, "pxor xmm2, [esi]", INT) \
    X(218, "pxor mm0, mm1", INT) \
    X(219, "pxor mm3, qword ptr [esi+8]", INT) \
    X(220, "psllw xmm0, xmm1", INT) \
    X(221, "psllw xmm2, [esi]", INT) \
    X(222, "psllw mm0, mm1", INT) \
    X(223, "psllw mm3, qword ptr [esi+8]", INT) \
    X(224, "pslld xmm0, xmm1", INT) \
    X(225, "pslld xmm2, [esi]", INT) \
    X(226, "pslld mm0, mm1", INT) \
    X(227, "pslld mm3, qword ptr [esi+8]", INT) \
    X(228, "psllq xmm0, xmm1", INT) \
    X(229, "psllq xmm2, [esi]", INT) \
    X(230, "psllq mm0, mm1", INT) \
    X(231, "psllq mm3, qword ptr [esi+8]", INT) \
    X(232, "psrlw xmm0, xmm1", INT) \
    X(233, "psrlw xmm2, [esi]", INT) \
    X(234, "psrlw mm0, mm1", INT) \
    X(235, "psrlw mm3, qword ptr [esi+8]", INT) \
    X(236, "psrld xmm0, xmm1", INT) \
    X(237, "psrld xmm2, [esi]", INT) \
    X(238, "psrld mm0, mm1", INT) \
    X(239, "psrld mm3, qword ptr [esi+8]", INT) \
    X(240, "psrlq xmm0, xmm1", INT) \
    X(241, "psrlq xmm2, [esi]", INT) \
    X(242, "psrlq mm0, mm1", INT) \
    X(243, "psrlq mm3, qword ptr [esi+8]", INT) \
    X(244, "psraw xmm0, xmm1", INT) \
    X(245, "psraw xmm2, [esi]", INT) \
    X(246, "psraw mm0, mm1", INT) \
    X(247, "psraw mm3, qword ptr [esi+8]", INT) \
    X(248, "psrad xmm0, xmm1", INT) \
    X(249, "psrad xmm2, [esi]", INT) \
    X(250, "psrad mm0, mm1", INT) \
    X(251, "psrad mm3, qword ptr [esi+8]", INT) \
    X(252, "pabsb xmm0, xmm1", INT) \
    X(253, "pabsb xmm2, [esi]", INT) \
    X(254, "pabsb mm0, mm1", INT) \
    X(255, "pabsb mm3, qword ptr [esi+8]", INT) \
    X(256, "pabsw xmm0, xmm1", INT) \
    X(257, "pabsw xmm2, [esi]", INT) \
    X(258, "pabsw mm0, mm1", INT) \
    X(259, "pabsw mm3, qword ptr [esi+8]", INT) \
    X(260, "pabsd xmm0, xmm1", INT) \
    X(261, "pabsd xmm2, [esi]", INT) \
    X(262, "pabsd mm0, mm1", INT) \
    X(263, "pabsd mm3, qword ptr [esi+8]", INT) \
    X(264, "psignb xmm0, xmm1", INT) \
    X(265, "psignb xmm2, [esi]", INT) \
    X(266, "psignb mm0, mm1", INT) \
    X(267, "psignb mm3, qword ptr [esi+8]", INT) \
    X(268, "psignw xmm0, xmm1", INT) \
    X(269, "psignw xmm2, [esi]", INT) \
    X(270, "psignw mm0, mm1", INT) \
    X(271, "psignw mm3, qword ptr [esi+8]", INT) \
    X(272, "psignd xmm0, xmm1", INT) \
    X(273, "psignd xmm2, [esi]", INT) \
    X(274, "psignd mm0, mm1", INT) \
    X(275, "psignd mm3, qword ptr [esi+8]", INT) \
    X(276, "pmulhrsw xmm0, xmm1", INT) \
    X(277, "pmulhrsw xmm2, [esi]", INT) \
    X(278, "pmulhrsw mm0, mm1", INT) \
    X(279, "pmulhrsw mm3, qword ptr [esi+8]", INT) \
    X(280, "pmaddubsw xmm0, xmm1", INT) \
    X(281, "pmaddubsw xmm2, [esi]", INT) \
    X(282, "pmaddubsw mm0, mm1", INT) \
    X(283, "pmaddubsw mm3, qword ptr [esi+8]", INT) \
    X(284, "phaddw xmm0, xmm1", INT) \
    X(285, "phaddw xmm2, [esi]", INT) \
    X(286, "phaddw mm0, mm1", INT) \
    X(287, "phaddw mm3, qword ptr [esi+8]", INT) \
    X(288, "phaddd xmm0, xmm1", INT) \
    X(289, "phaddd xmm2, [esi]", INT) \
    X(290, "phaddd mm0, mm1", INT) \
    X(291, "phaddd mm3, qword ptr [esi+8]", INT) \
    X(292, "phaddsw xmm0, xmm1", INT) \
    X(293, "phaddsw xmm2, [esi]", INT) \
    X(294, "phaddsw mm0, mm1", INT) \
    X(295, "phaddsw mm3, qword ptr [esi+8]", INT) \
    X(296, "phsubw xmm0, xmm1", INT) \
    X(297, "phsubw xmm2, [esi]", INT) \
    X(298, "phsubw mm0, mm1", INT) \
    X(299, "phsubw mm3, qword ptr [esi+8]", INT) \
    X(300, "phsubd xmm0, xmm1", INT) \
    X(301, "phsubd xmm2, [esi]", INT) \
    X(302, "phsubd mm0, mm1", INT) \
    X(303, "phsubd mm3, qword ptr [esi+8]", INT) \
    X(304, "phsubsw xmm0, xmm1", INT) \
    X(305, "phsubsw xmm2, [esi]", INT) \
    X(306, "phsubsw mm0, mm1", INT) \
    X(307, "phsubsw mm3, qword ptr [esi+8]", INT) \
    X(308, "pshufb xmm0, xmm1", INT) \
    X(309, "pshufb xmm2, [esi]", INT) \
    X(310, "pshufb mm0, mm1", INT) \
    X(311, "pshufb mm3, qword ptr [esi+8]", INT) \
    X(312, "pmulld xmm0, xmm1", INT) \
    X(313, "pmulld xmm2, [esi]", INT) \
    X(314, "pmuldq xmm0, xmm1", INT) \
    X(315, "pmuldq xmm2, [esi]", INT) \
    X(316, "pminsb xmm0, xmm1", INT) \
    X(317, "pminsb xmm2, [esi]", INT) \
    X(318, "pmaxsb xmm0, xmm1", INT) \
    X(319, "pmaxsb xmm2, [esi]", INT) \
    X(320, "pminuw xmm0, xmm1", INT) \
    X(321, "pminuw xmm2, [esi]", INT) \
    X(322, "pmaxuw xmm0, xmm1", INT) \
    X(323, "pmaxuw xmm2, [esi]", INT) \
    X(324, "pminsd xmm0, xmm1", INT) \
    X(325, "pminsd xmm2, [esi]", INT) \
    X(326, "pmaxsd xmm0, xmm1", INT) \
    X(327, "pmaxsd xmm2, [esi]", INT) \
    X(328, "pminud xmm0, xmm1", INT) \
    X(329, "pminud xmm2, [esi]", INT) \
    X(330, "pmaxud xmm0, xmm1", INT) \
    X(331, "pmaxud xmm2, [esi]", INT) \
    X(332, "pcmpeqq xmm0, xmm1", INT) \
    X(333, "pcmpeqq xmm2, [esi]", INT) \
    X(334, "packusdw xmm0, xmm1", INT) \
    X(335, "packusdw xmm2, [esi]", INT) \
    X(336, "pcmpgtq xmm0, xmm1", INT) \
    X(337, "pcmpgtq xmm2, [esi]", INT) \
    X(338, "andps xmm0, xmm1", INT) \
    X(339, "andps xmm2, [esi]", INT) \
    X(340, "andnps xmm0, xmm1", INT) \
    X(341, "andnps xmm2, [esi]", INT) \
    X(342, "orps xmm0, xmm1", INT) \
    X(343, "orps xmm2, [esi]", INT) \
    X(344, "xorps xmm0, xmm1", INT) \
    X(345, "xorps xmm2, [esi]", INT) \
    X(346, "andpd xmm0, xmm1", INT) \
    X(347, "andpd xmm2, [esi]", INT) \
    X(348, "andnpd xmm0, xmm1", INT) \
    X(349, "andnpd xmm2, [esi]", INT) \
    X(350, "orpd xmm0, xmm1", INT) \
    X(351, "orpd xmm2, [esi]", INT) \
    X(352, "xorpd xmm0, xmm1", INT) \
    X(353, "xorpd xmm2, [esi]", INT) \
    X(354, "psllw xmm1, 0", INT) \
    X(355, "psllw xmm1, 1", INT) \
    X(356, "psllw xmm1, 7", INT) \
    X(357, "psllw xmm1, 15", INT) \
    X(358, "psllw xmm1, 16", INT) \
    X(359, "psllw xmm1, 31", INT) \
    X(360, "psllw xmm1, 32", INT) \
    X(361, "psllw xmm1, 63", INT) \
    X(362, "psllw xmm1, 64", INT) \
    X(363, "psllw xmm1, 200", INT) \
    X(364, "psllw mm1, 5", INT) \
    X(365, "psllw mm2, 33", INT) \
    X(366, "pslld xmm1, 0", INT) \
    X(367, "pslld xmm1, 1", INT) \
    X(368, "pslld xmm1, 7", INT) \
    X(369, "pslld xmm1, 15", INT) \
    X(370, "pslld xmm1, 16", INT) \
    X(371, "pslld xmm1, 31", INT) \
    X(372, "pslld xmm1, 32", INT) \
    X(373, "pslld xmm1, 63", INT) \
    X(374, "pslld xmm1, 64", INT) \
    X(375, "pslld xmm1, 200", INT) \
    X(376, "pslld mm1, 5", INT) \
    X(377, "pslld mm2, 33", INT) \
    X(378, "psllq xmm1, 0", INT) \
    X(379, "psllq xmm1, 1", INT) \
    X(380, "psllq xmm1, 7", INT) \
    X(381, "psllq xmm1, 15", INT) \
    X(382, "psllq xmm1, 16", INT) \
    X(383, "psllq xmm1, 31", INT) \
    X(384, "psllq xmm1, 32", INT) \
    X(385, "psllq xmm1, 63", INT) \
    X(386, "psllq xmm1, 64", INT) \
    X(387, "psllq xmm1, 200", INT) \
    X(388, "psllq mm1, 5", INT) \
    X(389, "psllq mm2, 33", INT) \
    X(390, "psrlw xmm1, 0", INT) \
    X(391, "psrlw xmm1, 1", INT) \
    X(392, "psrlw xmm1, 7", INT) \
    X(393, "psrlw xmm1, 15", INT) \
    X(394, "psrlw xmm1, 16", INT) \
    X(395, "psrlw xmm1, 31", INT) \
    X(396, "psrlw xmm1, 32", INT) \
    X(397, "psrlw xmm1, 63", INT) \
    X(398, "psrlw xmm1, 64", INT) \
    X(399, "psrlw xmm1, 200", INT) \
    X(400, "psrlw mm1, 5", INT) \
    X(401, "psrlw mm2, 33", INT) \
    X(402, "psrld xmm1, 0", INT) \
    X(403, "psrld xmm1, 1", INT) \
    X(404, "psrld xmm1, 7", INT) \
    X(405, "psrld xmm1, 15", INT) \
    X(406, "psrld xmm1, 16", INT) \
    X(407, "psrld xmm1, 31", INT) \
    X(408, "psrld xmm1, 32", INT) \
    X(409, "psrld xmm1, 63", INT) \
    X(410, "psrld xmm1, 64", INT) \
    X(411, "psrld xmm1, 200", INT) \
    X(412, "psrld mm1, 5", INT) \
    X(413, "psrld mm2, 33", INT) \
    X(414, "psrlq xmm1, 0", INT) \
    X(415, "psrlq xmm1, 1", INT) \
    X(416, "psrlq xmm1, 7", INT) \
    X(417, "psrlq xmm1, 15", INT) \
    X(418, "psrlq xmm1, 16", INT) \
    X(419, "psrlq xmm1, 31", INT) \
    X(420, "psrlq xmm1, 32", INT) \
    X(421, "psrlq xmm1, 63", INT) \
    X(422, "psrlq xmm1, 64", INT) \
    X(423, "psrlq xmm1, 200", INT) \
    X(424, "psrlq mm1, 5", INT) \
    X(425, "psrlq mm2, 33", INT) \
    X(426, "psraw xmm1, 0", INT) \
    X(427, "psraw xmm1, 1", INT) \
    X(428, "psraw xmm1, 7", INT) \
    X(429, "psraw xmm1, 15", INT) \
    X(430, "psraw xmm1, 16", INT) \
    X(431, "psraw xmm1, 31", INT) \
    X(432, "psraw xmm1, 32", INT) \
    X(433, "psraw xmm1, 63", INT) \
    X(434, "psraw xmm1, 64", INT) \
    X(435, "psraw xmm1, 200", INT) \
    X(436, "psraw mm1, 5", INT) \
    X(437, "psraw mm2, 33", INT) \
    X(438, "psrad xmm1, 0", INT) \
    X(439, "psrad xmm1, 1", INT) \
    X(440, "psrad xmm1, 7", INT) \
    X(441, "psrad xmm1, 15", INT) \
    X(442, "psrad xmm1, 16", INT) \
    X(443, "psrad xmm1, 31", INT) \
    X(444, "psrad xmm1, 32", INT) \
    X(445, "psrad xmm1, 63", INT) \
    X(446, "psrad xmm1, 64", INT) \
    X(447, "psrad xmm1, 200", INT) \
    X(448, "psrad mm1, 5", INT) \
    X(449, "psrad mm2, 33", INT) \
    X(450, "shufps xmm0, xmm1, 0", SHUF) \
    X(451, "pshufd xmm0, xmm1, 0", SHUF) \
    X(452, "pshufhw xmm0, xmm1, 0", SHUF) \
    X(453, "pshuflw xmm0, xmm1, 0", SHUF) \
    X(454, "pshufw mm0, mm1, 0", SHUF) \
    X(455, "shufps xmm0, xmm1, 27", SHUF) \
    X(456, "pshufd xmm0, xmm1, 27", SHUF) \
    X(457, "pshufhw xmm0, xmm1, 27", SHUF) \
    X(458, "pshuflw xmm0, xmm1, 27", SHUF) \
    X(459, "pshufw mm0, mm1, 27", SHUF) \
    X(460, "shufps xmm0, xmm1, 228", SHUF) \
    X(461, "pshufd xmm0, xmm1, 228", SHUF) \
    X(462, "pshufhw xmm0, xmm1, 228", SHUF) \
    X(463, "pshuflw xmm0, xmm1, 228", SHUF) \
    X(464, "pshufw mm0, mm1, 228", SHUF) \
    X(465, "shufps xmm0, xmm1, 255", SHUF) \
    X(466, "pshufd xmm0, xmm1, 255", SHUF) \
    X(467, "pshufhw xmm0, xmm1, 255", SHUF) \
    X(468, "pshuflw xmm0, xmm1, 255", SHUF) \
    X(469, "pshufw mm0, mm1, 255", SHUF) \
    X(470, "shufps xmm0, xmm1, 78", SHUF) \
    X(471, "pshufd xmm0, xmm1, 78", SHUF) \
    X(472, "pshufhw xmm0, xmm1, 78", SHUF) \
    X(473, "pshuflw xmm0, xmm1, 78", SHUF) \
    X(474, "pshufw mm0, mm1, 78", SHUF) \
    X(475, "shufps xmm0, xmm1, 147", SHUF) \
    X(476, "pshufd xmm0, xmm1, 147", SHUF) \
    X(477, "pshufhw xmm0, xmm1, 147", SHUF) \
    X(478, "pshuflw xmm0, xmm1, 147", SHUF) \
    X(479, "pshufw mm0, mm1, 147", SHUF) \
    X(480, "shufps xmm2, [esi], 0x72", SHUF) \
    X(481, "pshufd xmm3, [esi], 0x1e", SHUF) \
    X(482, "pshufw mm0, qword ptr [esi], 0x39", SHUF) \
    X(483, "shufpd xmm0, xmm1, 0", SHUF) \
    X(484, "shufpd xmm0, xmm1, 1", SHUF) \
    X(485, "shufpd xmm0, xmm1, 2", SHUF) \
    X(486, "shufpd xmm0, xmm1, 3", SHUF) \
    X(487, "unpcklps xmm0, xmm1", SHUF) \
    X(488, "unpcklps xmm2, [esi]", SHUF) \
    X(489, "unpckhps xmm0, xmm1", SHUF) \
    X(490, "unpckhps xmm2, [esi]", SHUF) \
    X(491, "unpcklpd xmm0, xmm1", SHUF) \
    X(492, "unpcklpd xmm2, [esi]", SHUF) \
    X(493, "unpckhpd xmm0, xmm1", SHUF) \
    X(494, "unpckhpd xmm2, [esi]", SHUF) \
    X(495, "punpcklbw xmm0, xmm1", SHUF) \
    X(496, "punpcklbw xmm2, [esi]", SHUF) \
    X(497, "punpcklbw mm0, mm1", SHUF) \
    X(498, "punpcklwd xmm0, xmm1", SHUF) \
    X(499, "punpcklwd xmm2, [esi]", SHUF) \
    X(500, "punpcklwd mm0, mm1", SHUF) \
    X(501, "punpckldq xmm0, xmm1", SHUF) \
    X(502, "punpckldq xmm2, [esi]", SHUF) \
    X(503, "punpckldq mm0, mm1", SHUF) \
    X(504, "punpcklqdq xmm0, xmm1", SHUF) \
    X(505, "punpcklqdq xmm2, [esi]", SHUF) \
    X(506, "punpckhbw xmm0, xmm1", SHUF) \
    X(507, "punpckhbw xmm2, [esi]", SHUF) \
    X(508, "punpckhbw mm0, mm1", SHUF) \
    X(509, "punpckhwd xmm0, xmm1", SHUF) \
    X(510, "punpckhwd xmm2, [esi]", SHUF) \
    X(511, "punpckhwd mm0, mm1", SHUF) \
    X(512, "punpckhdq xmm0, xmm1", SHUF) \
    X(513, "punpckhdq xmm2, [esi]", SHUF) \
    X(514, "punpckhdq mm0, mm1", SHUF) \
    X(515, "punpckhqdq xmm0, xmm1", SHUF) \
    X(516, "punpckhqdq xmm2, [esi]", SHUF) \
    X(517, "packsswb xmm0, xmm1", SHUF) \
    X(518, "packsswb xmm2, [esi]", SHUF) \
    X(519, "packsswb mm0, mm1", SHUF) \
    X(520, "packssdw xmm0, xmm1", SHUF) \
    X(521, "packssdw xmm2, [esi]", SHUF) \
    X(522, "packssdw mm0, mm1", SHUF) \
    X(523, "packuswb xmm0, xmm1", SHUF) \
    X(524, "packuswb xmm2, [esi]", SHUF) \
    X(525, "packuswb mm0, mm1", SHUF) \
    X(526, "pslldq xmm1, 0", SHUF) \
    X(527, "psrldq xmm1, 0", SHUF) \
    X(528, "pslldq xmm1, 1", SHUF) \
    X(529, "psrldq xmm1, 1", SHUF) \
    X(530, "pslldq xmm1, 7", SHUF) \
    X(531, "psrldq xmm1, 7", SHUF) \
    X(532, "pslldq xmm1, 15", SHUF) \
    X(533, "psrldq xmm1, 15", SHUF) \
    X(534, "pslldq xmm1, 16", SHUF) \
    X(535, "psrldq xmm1, 16", SHUF) \
    X(536, "pslldq xmm1, 200", SHUF) \
    X(537, "psrldq xmm1, 200", SHUF) \
    X(538, "pinsrw xmm0, eax, 0", SHUF) \
    X(539, "pextrw eax, xmm1, 0", SHUF) \
    X(540, "pinsrw mm0, ecx, 0", SHUF) \
    X(541, "pextrw edx, mm1, 0", SHUF) \
    X(542, "pinsrw xmm0, eax, 3", SHUF) \
    X(543, "pextrw eax, xmm1, 3", SHUF) \
    X(544, "pinsrw mm0, ecx, 3", SHUF) \
    X(545, "pextrw edx, mm1, 3", SHUF) \
    X(546, "pinsrw xmm0, eax, 7", SHUF) \
    X(547, "pextrw eax, xmm1, 7", SHUF) \
    X(548, "pinsrw mm0, ecx, 7", SHUF) \
    X(549, "pextrw edx, mm1, 7", SHUF) \
    X(550, "pinsrw xmm0, eax, 9", SHUF) \
    X(551, "pextrw eax, xmm1, 9", SHUF) \
    X(552, "pinsrw mm0, ecx, 9", SHUF) \
    X(553, "pextrw edx, mm1, 9", SHUF) \
    X(554, "pinsrw xmm0, word ptr [esi], 5", SHUF) \
    X(555, "palignr xmm0, xmm1, 0", SHUF) \
    X(556, "palignr xmm0, xmm1, 5", SHUF) \
    X(557, "palignr xmm0, xmm1, 15", SHUF) \
    X(558, "palignr xmm0, xmm1, 16", SHUF) \
    X(559, "palignr xmm0, xmm1, 17", SHUF) \
    X(560, "palignr xmm0, xmm1, 31", SHUF) \
    X(561, "palignr xmm0, xmm1, 32", SHUF) \
    X(562, "palignr xmm0, xmm1, 255", SHUF) \
    X(563, "palignr mm0, mm1, 0", SHUF) \
    X(564, "palignr mm0, mm1, 3", SHUF) \
    X(565, "palignr mm0, mm1, 8", SHUF) \
    X(566, "palignr mm0, mm1, 9", SHUF) \
    X(567, "palignr mm0, mm1, 16", SHUF) \
    X(568, "addps xmm0, xmm1", FP) \
    X(569, "addps xmm2, [esi]", FP) \
    X(570, "addss xmm0, xmm1", FP) \
    X(571, "addss xmm2, dword ptr [esi]", FP) \
    X(572, "addpd xmm0, xmm1", FP) \
    X(573, "addpd xmm2, [esi]", FP) \
    X(574, "addsd xmm0, xmm1", FP) \
    X(575, "addsd xmm2, qword ptr [esi]", FP) \
    X(576, "subps xmm0, xmm1", FP) \
    X(577, "subps xmm2, [esi]", FP) \
    X(578, "subss xmm0, xmm1", FP) \
    X(579, "subss xmm2, dword ptr [esi]", FP) \
    X(580, "subpd xmm0, xmm1", FP) \
    X(581, "subpd xmm2, [esi]", FP) \
    X(582, "subsd xmm0, xmm1", FP) \
    X(583, "subsd xmm2, qword ptr [esi]", FP) \
    X(584, "mulps xmm0, xmm1", FP) \
    X(585, "mulps xmm2, [esi]", FP) \
    X(586, "mulss xmm0, xmm1", FP) \
    X(587, "mulss xmm2, dword ptr [esi]", FP) \
    X(588, "mulpd xmm0, xmm1", FP) \
    X(589, "mulpd xmm2, [esi]", FP) \
    X(590, "mulsd xmm0, xmm1", FP) \
    X(591, "mulsd xmm2, qword ptr [esi]", FP) \
    X(592, "divps xmm0, xmm1", FP) \
    X(593, "divps xmm2, [esi]", FP) \
    X(594, "divss xmm0, xmm1", FP) \
    X(595, "divss xmm2, dword ptr [esi]", FP) \
    X(596, "divpd xmm0, xmm1", FP) \
    X(597, "divpd xmm2, [esi]", FP) \
    X(598, "divsd xmm0, xmm1", FP) \
    X(599, "divsd xmm2, qword ptr [esi]", FP) \
    X(600, "minps xmm0, xmm1", FP) \
    X(601, "minps xmm2, [esi]", FP) \
    X(602, "minss xmm0, xmm1", FP) \
    X(603, "minss xmm2, dword ptr [esi]", FP) \
    X(604, "minpd xmm0, xmm1", FP) \
    X(605, "minpd xmm2, [esi]", FP) \
    X(606, "minsd xmm0, xmm1", FP) \
    X(607, "minsd xmm2, qword ptr [esi]", FP) \
    X(608, "maxps xmm0, xmm1", FP) \
    X(609, "maxps xmm2, [esi]", FP) \
    X(610, "maxss xmm0, xmm1", FP) \
    X(611, "maxss xmm2, dword ptr [esi]", FP) \
    X(612, "maxpd xmm0, xmm1", FP) \
    X(613, "maxpd xmm2, [esi]", FP) \
    X(614, "maxsd xmm0, xmm1", FP) \
    X(615, "maxsd xmm2, qword ptr [esi]", FP) \
    X(616, "sqrtps xmm0, xmm1", FP) \
    X(617, "sqrtps xmm2, [esi]", FP) \
    X(618, "sqrtss xmm0, xmm1", FP) \
    X(619, "sqrtss xmm2, dword ptr [esi]", FP) \
    X(620, "sqrtpd xmm0, xmm1", FP) \
    X(621, "sqrtpd xmm2, [esi]", FP) \
    X(622, "sqrtsd xmm0, xmm1", FP) \
    X(623, "sqrtsd xmm2, qword ptr [esi]", FP) \
    X(624, "rcpps xmm0, xmm1", RCP) \
    X(625, "rsqrtps xmm0, xmm1", RCP) \
    X(626, "rcpss xmm0, xmm1", RCP) \
    X(627, "rsqrtss xmm0, xmm1", RCP) \
    X(628, "cmpps xmm0, xmm1, 0", FP) \
    X(629, "cmpps xmm0, xmm1, 1", FP) \
    X(630, "cmpps xmm0, xmm1, 2", FP) \
    X(631, "cmpps xmm0, xmm1, 3", FP) \
    X(632, "cmpps xmm0, xmm1, 4", FP) \
    X(633, "cmpps xmm0, xmm1, 5", FP) \
    X(634, "cmpps xmm0, xmm1, 6", FP) \
    X(635, "cmpps xmm0, xmm1, 7", FP) \
    X(636, "cmpps xmm2, [esi], 1", FP) \
    X(637, "cmpss xmm0, xmm1, 0", FP) \
    X(638, "cmpss xmm0, xmm1, 1", FP) \
    X(639, "cmpss xmm0, xmm1, 2", FP) \
    X(640, "cmpss xmm0, xmm1, 3", FP) \
    X(641, "cmpss xmm0, xmm1, 4", FP) \
    X(642, "cmpss xmm0, xmm1, 5", FP) \
    X(643, "cmpss xmm0, xmm1, 6", FP) \
    X(644, "cmpss xmm0, xmm1, 7", FP) \
    X(645, "cmpss xmm2, dword ptr [esi], 1", FP) \
    X(646, "cmppd xmm0, xmm1, 0", FP) \
    X(647, "cmppd xmm0, xmm1, 1", FP) \
    X(648, "cmppd xmm0, xmm1, 2", FP) \
    X(649, "cmppd xmm0, xmm1, 3", FP) \
    X(650, "cmppd xmm0, xmm1, 4", FP) \
    X(651, "cmppd xmm0, xmm1, 5", FP) \
    X(652, "cmppd xmm0, xmm1, 6", FP) \
    X(653, "cmppd xmm0, xmm1, 7", FP) \
    X(654, "cmppd xmm2, [esi], 1", FP) \
    X(655, "cmpsd xmm0, xmm1, 0", FP) \
    X(656, "cmpsd xmm0, xmm1, 1", FP) \
    X(657, "cmpsd xmm0, xmm1, 2", FP) \
    X(658, "cmpsd xmm0, xmm1, 3", FP) \
    X(659, "cmpsd xmm0, xmm1, 4", FP) \
    X(660, "cmpsd xmm0, xmm1, 5", FP) \
    X(661, "cmpsd xmm0, xmm1, 6", FP) \
    X(662, "cmpsd xmm0, xmm1, 7", FP) \
    X(663, "cmpsd xmm2, qword ptr [esi], 1", FP) \
    X(664, "comiss xmm0, xmm1", FP) \
    X(665, "comiss xmm2, dword ptr [esi]", FP) \
    X(666, "ucomiss xmm0, xmm1", FP) \
    X(667, "ucomiss xmm2, dword ptr [esi]", FP) \
    X(668, "comisd xmm0, xmm1", FP) \
    X(669, "comisd xmm2, qword ptr [esi]", FP) \
    X(670, "ucomisd xmm0, xmm1", FP) \
    X(671, "ucomisd xmm2, qword ptr [esi]", FP) \
    X(672, "addsubps xmm0, xmm1", FP) \
    X(673, "addsubps xmm2, [esi]", FP) \
    X(674, "addsubpd xmm0, xmm1", FP) \
    X(675, "addsubpd xmm2, [esi]", FP) \
    X(676, "haddps xmm0, xmm1", FP) \
    X(677, "haddps xmm2, [esi]", FP) \
    X(678, "haddpd xmm0, xmm1", FP) \
    X(679, "haddpd xmm2, [esi]", FP) \
    X(680, "hsubps xmm0, xmm1", FP) \
    X(681, "hsubps xmm2, [esi]", FP) \
    X(682, "hsubpd xmm0, xmm1", FP) \
    X(683, "hsubpd xmm2, [esi]", FP) \
    X(684, "roundps xmm0, xmm1, 0", FP) \
    X(685, "roundps xmm0, xmm1, 1", FP) \
    X(686, "roundps xmm0, xmm1, 2", FP) \
    X(687, "roundps xmm0, xmm1, 3", FP) \
    X(688, "roundps xmm0, xmm1, 4", FP) \
    X(689, "roundps xmm0, xmm1, 8", FP) \
    X(690, "roundps xmm0, xmm1, 9", FP) \
    X(691, "roundps xmm0, xmm1, 10", FP) \
    X(692, "roundps xmm0, xmm1, 11", FP) \
    X(693, "roundps xmm0, xmm1, 12", FP) \
    X(694, "roundss xmm0, xmm1, 0", FP) \
    X(695, "roundss xmm0, xmm1, 1", FP) \
    X(696, "roundss xmm0, xmm1, 2", FP) \
    X(697, "roundss xmm0, xmm1, 3", FP) \
    X(698, "roundss xmm0, xmm1, 4", FP) \
    X(699, "roundss xmm0, xmm1, 8", FP) \
    X(700, "roundss xmm0, xmm1, 9", FP) \
    X(701, "roundss xmm0, xmm1, 10", FP) \
    X(702, "roundss xmm0, xmm1, 11", FP) \
    X(703, "roundss xmm0, xmm1, 12", FP) \
    X(704, "roundpd xmm0, xmm1, 0", FP) \
    X(705, "roundpd xmm0, xmm1, 1", FP) \
    X(706, "roundpd xmm0, xmm1, 2", FP) \
    X(707, "roundpd xmm0, xmm1, 3", FP) \
    X(708, "roundpd xmm0, xmm1, 4", FP) \
    X(709, "roundpd xmm0, xmm1, 8", FP) \
    X(710, "roundpd xmm0, xmm1, 9", FP) \
    X(711, "roundpd xmm0, xmm1, 10", FP) \
    X(712, "roundpd xmm0, xmm1, 11", FP) \
    X(713, "roundpd xmm0, xmm1, 12", FP) \
    X(714, "roundsd xmm0, xmm1, 0", FP) \
    X(715, "roundsd xmm0, xmm1, 1", FP) \
    X(716, "roundsd xmm0, xmm1, 2", FP) \
    X(717, "roundsd xmm0, xmm1, 3", FP) \
    X(718, "roundsd xmm0, xmm1, 4", FP) \
    X(719, "roundsd xmm0, xmm1, 8", FP) \
    X(720, "roundsd xmm0, xmm1, 9", FP) \
    X(721, "roundsd xmm0, xmm1, 10", FP) \
    X(722, "roundsd xmm0, xmm1, 11", FP) \
    X(723, "roundsd xmm0, xmm1, 12", FP) \
    X(724, "dpps xmm0, xmm1, 255", FP) \
    X(725, "dpps xmm0, xmm1, 49", FP) \
    X(726, "dpps xmm0, xmm1, 241", FP) \
    X(727, "dpps xmm0, xmm1, 90", FP) \
    X(728, "dpps xmm0, xmm1, 124", FP) \
    X(729, "dpps xmm0, xmm1, 0", FP) \
    X(730, "dppd xmm0, xmm1, 51", FP) \
    X(731, "dppd xmm0, xmm1, 49", FP) \
    X(732, "dppd xmm0, xmm1, 18", FP) \
    X(733, "dppd xmm0, xmm1, 35", FP) \
    X(1127, "dppd xmm0, xmm1, 255", FP) /* reserved imm bits set */ \
    X(1128, "dpps xmm2, [esi+16], 0xb7", FP) \
    X(1129, "dppd xmm3, [esi], 0x13", FP) \
    X(734, "cvtpi2ps xmm0, mm1", CVT) \
    X(735, "cvtpi2ps xmm0, qword ptr [esi]", CVT) \
    X(736, "cvtps2pi mm0, xmm1", CVT) \
    X(737, "cvttps2pi mm0, xmm1", CVT) \
    X(738, "cvtps2pi mm0, qword ptr [esi]", CVT) \
    X(739, "cvtpi2pd xmm0, mm1", CVT) \
    X(740, "cvtpd2pi mm0, xmm1", CVT) \
    X(741, "cvttpd2pi mm0, xmm1", CVT) \
    X(742, "cvtpd2pi mm0, [esi]", CVT) \
    X(743, "cvtsi2ss xmm0, eax", CVT) \
    X(744, "cvtsi2ss xmm0, dword ptr [esi]", CVT) \
    X(745, "cvtsi2sd xmm0, ecx", CVT) \
    X(746, "cvtsi2sd xmm0, dword ptr [esi]", CVT) \
    X(747, "cvtss2si eax, xmm1", CVT) \
    X(748, "cvttss2si eax, xmm1", CVT) \
    X(749, "cvtsd2si eax, xmm1", CVT) \
    X(750, "cvttsd2si edx, xmm1", CVT) \
    X(751, "cvtss2si eax, dword ptr [esi]", CVT) \
    X(752, "cvttsd2si eax, qword ptr [esi]", CVT) \
    X(753, "cvtps2pd xmm0, xmm1", CVT) \
    X(754, "cvtpd2ps xmm0, xmm1", CVT) \
    X(755, "cvtss2sd xmm0, xmm1", CVT) \
    X(756, "cvtsd2ss xmm0, xmm1", CVT) \
    X(757, "cvtdq2ps xmm0, xmm1", CVT) \
    X(758, "cvtps2dq xmm0, xmm1", CVT) \
    X(759, "cvttps2dq xmm0, xmm1", CVT) \
    X(760, "cvtdq2pd xmm0, xmm1", CVT) \
    X(761, "cvtpd2dq xmm0, xmm1", CVT) \
    X(762, "cvttpd2dq xmm0, xmm1", CVT) \
    X(763, "cvtps2pd xmm0, qword ptr [esi]", CVT) \
    X(764, "cvtpd2ps xmm0, [esi]", CVT) \
    X(765, "cvtss2sd xmm0, dword ptr [esi]", CVT) \
    X(766, "cvtsd2ss xmm0, qword ptr [esi]", CVT) \
    X(767, "cvtdq2ps xmm0, [esi]", CVT) \
    X(768, "cvttpd2dq xmm3, [esi]", CVT) \
    X(769, "ldmxcsr [esi]", STATE) \
    X(770, "stmxcsr [esi]", STATE) \
    X(771, "fxsave [esi]", STATE) \
    X(772, "fxrstor [esi]", STATE) \
    X(773, "emms", STATE) \
    X(774, ".byte 0xa5", STATE) \
    X(775, ".byte 0xa7", STATE) \
    X(776, "paddb mm0, mm1", STATE) \
    X(777, "divps xmm0, xmm1", STATE) \
    X(778, "addps xmm0, xmm1", STATE) \
    X(779, "movaps xmm2, [esi]", STATE) \
    X(780, "addps xmm2, [esi]", STATE) \
    X(781, "movups xmm2, [esi]", STATE) \
    X(782, "addss xmm2, dword ptr [esi]", STATE) \
    X(783, "pxor xmm0, xmm1", STATE) \
    X(784, "movd mm3, eax", STATE) \
    X(785, "rcpps xmm0, xmm1", STATE) \
    X(786, "rsqrtps xmm0, xmm1", STATE) \
    X(787, "sfence", STATE) \
    X(788, "lfence", STATE) \
    X(789, "mfence", STATE) \
    X(790, "clflush [esi]", STATE) \
    X(791, "ldmxcsr [esi+0x100000]", STATE) \
    X(792, "movntdq [esi], xmm0", STATE) \
    X(793, "pblendw xmm0, xmm1, 0", S41) \
    X(794, "pblendw xmm0, xmm1, 1", S41) \
    X(795, "pblendw xmm0, xmm1, 90", S41) \
    X(796, "pblendw xmm0, xmm1, 165", S41) \
    X(797, "pblendw xmm0, xmm1, 255", S41) \
    X(798, "pblendw xmm0, xmm1, 3", S41) \
    X(799, "pblendw xmm0, xmm1, 6", S41) \
    X(800, "pblendw xmm0, xmm1, 7", S41) \
    X(801, "pblendw xmm2, [esi], 0x35", S41) \
    X(802, "blendps xmm0, xmm1, 0", S41) \
    X(803, "blendps xmm0, xmm1, 1", S41) \
    X(804, "blendps xmm0, xmm1, 90", S41) \
    X(805, "blendps xmm0, xmm1, 165", S41) \
    X(806, "blendps xmm0, xmm1, 255", S41) \
    X(807, "blendps xmm0, xmm1, 3", S41) \
    X(808, "blendps xmm0, xmm1, 6", S41) \
    X(809, "blendps xmm0, xmm1, 7", S41) \
    X(810, "blendps xmm2, [esi], 0x35", S41) \
    X(811, "blendpd xmm0, xmm1, 0", S41) \
    X(812, "blendpd xmm0, xmm1, 1", S41) \
    X(813, "blendpd xmm0, xmm1, 90", S41) \
    X(814, "blendpd xmm0, xmm1, 165", S41) \
    X(815, "blendpd xmm0, xmm1, 255", S41) \
    X(816, "blendpd xmm0, xmm1, 3", S41) \
    X(817, "blendpd xmm0, xmm1, 6", S41) \
    X(818, "blendpd xmm0, xmm1, 7", S41) \
    X(819, "blendpd xmm2, [esi], 0x35", S41) \
    X(820, "mpsadbw xmm0, xmm1, 0", S41) \
    X(821, "mpsadbw xmm0, xmm1, 1", S41) \
    X(822, "mpsadbw xmm0, xmm1, 90", S41) \
    X(823, "mpsadbw xmm0, xmm1, 165", S41) \
    X(824, "mpsadbw xmm0, xmm1, 255", S41) \
    X(825, "mpsadbw xmm0, xmm1, 3", S41) \
    X(826, "mpsadbw xmm0, xmm1, 6", S41) \
    X(827, "mpsadbw xmm0, xmm1, 7", S41) \
    X(828, "mpsadbw xmm2, [esi], 0x35", S41) \
    X(829, "pblendvb xmm2, xmm1, xmm0", S41) \
    X(830, "pblendvb xmm3, [esi], xmm0", S41) \
    X(831, "blendvps xmm2, xmm1, xmm0", S41) \
    X(832, "blendvps xmm3, [esi], xmm0", S41) \
    X(833, "blendvpd xmm2, xmm1, xmm0", S41) \
    X(834, "blendvpd xmm3, [esi], xmm0", S41) \
    X(835, "insertps xmm0, xmm1, 0", S41) \
    X(836, "insertps xmm0, xmm1, 16", S41) \
    X(837, "insertps xmm0, xmm1, 78", S41) \
    X(838, "insertps xmm0, xmm1, 195", S41) \
    X(839, "insertps xmm0, xmm1, 255", S41) \
    X(840, "insertps xmm0, xmm1, 42", S41) \
    X(841, "insertps xmm0, dword ptr [esi], 0xd5", S41) \
    X(842, "extractps eax, xmm1, 0", S41) \
    X(843, "pextrd ecx, xmm1, 0", S41) \
    X(844, "pinsrd xmm0, edx, 0", S41) \
    X(845, "extractps eax, xmm1, 1", S41) \
    X(846, "pextrd ecx, xmm1, 1", S41) \
    X(847, "pinsrd xmm0, edx, 1", S41) \
    X(848, "extractps eax, xmm1, 2", S41) \
    X(849, "pextrd ecx, xmm1, 2", S41) \
    X(850, "pinsrd xmm0, edx, 2", S41) \
    X(851, "extractps eax, xmm1, 3", S41) \
    X(852, "pextrd ecx, xmm1, 3", S41) \
    X(853, "pinsrd xmm0, edx, 3", S41) \
    X(854, "pextrb eax, xmm1, 0", S41) \
    X(855, "pinsrb xmm0, ecx, 0", S41) \
    X(856, "pextrb eax, xmm1, 5", S41) \
    X(857, "pinsrb xmm0, ecx, 5", S41) \
    X(858, "pextrb eax, xmm1, 15", S41) \
    X(859, "pinsrb xmm0, ecx, 15", S41) \
    X(860, "pextrb eax, xmm1, 17", S41) \
    X(861, "pinsrb xmm0, ecx, 17", S41) \
    X(862, "extractps dword ptr [esi+4], xmm1, 2", S41) \
    X(863, "pextrb byte ptr [esi+3], xmm1, 9", S41) \
    X(864, "pextrd dword ptr [esi], xmm2, 3", S41) \
    X(865, "pextrw word ptr [esi+2], xmm1, 6", S41) \
    X(866, "pinsrb xmm0, byte ptr [esi+5], 7", S41) \
    X(867, "pinsrd xmm0, dword ptr [esi+4], 1", S41) \
    X(868, "pmovsxbw xmm0, xmm1", S41) \
    X(869, "pmovsxbw xmm2, qword ptr [esi+1]", S41) \
    X(870, "pmovsxbd xmm0, xmm1", S41) \
    X(871, "pmovsxbd xmm2, dword ptr [esi+1]", S41) \
    X(872, "pmovsxbq xmm0, xmm1", S41) \
    X(873, "pmovsxbq xmm2, word ptr [esi+1]", S41) \
    X(874, "pmovsxwd xmm0, xmm1", S41) \
    X(875, "pmovsxwd xmm2, qword ptr [esi+1]", S41) \
    X(876, "pmovsxwq xmm0, xmm1", S41) \
    X(877, "pmovsxwq xmm2, dword ptr [esi+1]", S41) \
    X(878, "pmovsxdq xmm0, xmm1", S41) \
    X(879, "pmovsxdq xmm2, qword ptr [esi+1]", S41) \
    X(880, "pmovzxbw xmm0, xmm1", S41) \
    X(881, "pmovzxbw xmm2, qword ptr [esi+1]", S41) \
    X(882, "pmovzxbd xmm0, xmm1", S41) \
    X(883, "pmovzxbd xmm2, dword ptr [esi+1]", S41) \
    X(884, "pmovzxbq xmm0, xmm1", S41) \
    X(885, "pmovzxbq xmm2, word ptr [esi+1]", S41) \
    X(886, "pmovzxwd xmm0, xmm1", S41) \
    X(887, "pmovzxwd xmm2, qword ptr [esi+1]", S41) \
    X(888, "pmovzxwq xmm0, xmm1", S41) \
    X(889, "pmovzxwq xmm2, dword ptr [esi+1]", S41) \
    X(890, "pmovzxdq xmm0, xmm1", S41) \
    X(891, "pmovzxdq xmm2, qword ptr [esi+1]", S41) \
    X(892, "ptest xmm0, xmm1", S41) \
    X(893, "ptest xmm2, [esi]", S41) \
    X(894, "ptest xmm3, xmm3", S41) \
    X(895, "phminposuw xmm0, xmm1", S41) \
    X(896, "phminposuw xmm2, [esi]", S41) \
    X(897, "movntdqa xmm0, [esi]", S41) \
    X(898, "pcmpestri xmm1, xmm2, 0", STR) \
    X(899, "pcmpestri xmm1, xmm2, 1", STR) \
    X(900, "pcmpestri xmm1, xmm2, 2", STR) \
    X(901, "pcmpestri xmm1, xmm2, 3", STR) \
    X(902, "pcmpestri xmm1, xmm2, 4", STR) \
    X(903, "pcmpestri xmm1, xmm2, 5", STR) \
    X(904, "pcmpestri xmm1, xmm2, 6", STR) \
    X(905, "pcmpestri xmm1, xmm2, 8", STR) \
    X(906, "pcmpestri xmm1, xmm2, 9", STR) \
    X(907, "pcmpestri xmm1, xmm2, 12", STR) \
    X(908, "pcmpestri xmm1, xmm2, 13", STR) \
    X(909, "pcmpestri xmm1, xmm2, 14", STR) \
    X(910, "pcmpestri xmm1, xmm2, 16", STR) \
    X(911, "pcmpestri xmm1, xmm2, 20", STR) \
    X(912, "pcmpestri xmm1, xmm2, 24", STR) \
    X(913, "pcmpestri xmm1, xmm2, 28", STR) \
    X(914, "pcmpestri xmm1, xmm2, 48", STR) \
    X(915, "pcmpestri xmm1, xmm2, 52", STR) \
    X(916, "pcmpestri xmm1, xmm2, 56", STR) \
    X(917, "pcmpestri xmm1, xmm2, 60", STR) \
    X(918, "pcmpestri xmm1, xmm2, 64", STR) \
    X(919, "pcmpestri xmm1, xmm2, 68", STR) \
    X(920, "pcmpestri xmm1, xmm2, 72", STR) \
    X(921, "pcmpestri xmm1, xmm2, 76", STR) \
    X(922, "pcmpestri xmm1, xmm2, 112", STR) \
    X(923, "pcmpestri xmm1, xmm2, 124", STR) \
    X(924, "pcmpestri xmm1, xmm2, 125", STR) \
    X(925, "pcmpestri xmm1, xmm2, 58", STR) \
    X(926, "pcmpestri xmm1, xmm2, 26", STR) \
    X(927, "pcmpestri xmm1, xmm2, 11", STR) \
    X(928, "pcmpestri xmm1, [esi+3], 0x0c", STR) \
    X(929, "pcmpestrm xmm1, xmm2, 0", STR) \
    X(930, "pcmpestrm xmm1, xmm2, 1", STR) \
    X(931, "pcmpestrm xmm1, xmm2, 2", STR) \
    X(932, "pcmpestrm xmm1, xmm2, 3", STR) \
    X(933, "pcmpestrm xmm1, xmm2, 4", STR) \
    X(934, "pcmpestrm xmm1, xmm2, 5", STR) \
    X(935, "pcmpestrm xmm1, xmm2, 6", STR) \
    X(936, "pcmpestrm xmm1, xmm2, 8", STR) \
    X(937, "pcmpestrm xmm1, xmm2, 9", STR) \
    X(938, "pcmpestrm xmm1, xmm2, 12", STR) \
    X(939, "pcmpestrm xmm1, xmm2, 13", STR) \
    X(940, "pcmpestrm xmm1, xmm2, 14", STR) \
    X(941, "pcmpestrm xmm1, xmm2, 16", STR) \
    X(942, "pcmpestrm xmm1, xmm2, 20", STR) \
    X(943, "pcmpestrm xmm1, xmm2, 24", STR) \
    X(944, "pcmpestrm xmm1, xmm2, 28", STR) \
    X(945, "pcmpestrm xmm1, xmm2, 48", STR) \
    X(946, "pcmpestrm xmm1, xmm2, 52", STR) \
    X(947, "pcmpestrm xmm1, xmm2, 56", STR) \
    X(948, "pcmpestrm xmm1, xmm2, 60", STR) \
    X(949, "pcmpestrm xmm1, xmm2, 64", STR) \
    X(950, "pcmpestrm xmm1, xmm2, 68", STR) \
    X(951, "pcmpestrm xmm1, xmm2, 72", STR) \
    X(952, "pcmpestrm xmm1, xmm2, 76", STR) \
    X(953, "pcmpestrm xmm1, xmm2, 112", STR) \
    X(954, "pcmpestrm xmm1, xmm2, 124", STR) \
    X(955, "pcmpestrm xmm1, xmm2, 125", STR) \
    X(956, "pcmpestrm xmm1, xmm2, 58", STR) \
    X(957, "pcmpestrm xmm1, xmm2, 26", STR) \
    X(958, "pcmpestrm xmm1, xmm2, 11", STR) \
    X(959, "pcmpestrm xmm1, [esi+3], 0x0c", STR) \
    X(960, "pcmpistri xmm1, xmm2, 0", STR) \
    X(961, "pcmpistri xmm1, xmm2, 1", STR) \
    X(962, "pcmpistri xmm1, xmm2, 2", STR) \
    X(963, "pcmpistri xmm1, xmm2, 3", STR) \
    X(964, "pcmpistri xmm1, xmm2, 4", STR) \
    X(965, "pcmpistri xmm1, xmm2, 5", STR) \
    X(966, "pcmpistri xmm1, xmm2, 6", STR) \
    X(967, "pcmpistri xmm1, xmm2, 8", STR) \
    X(968, "pcmpistri xmm1, xmm2, 9", STR) \
    X(969, "pcmpistri xmm1, xmm2, 12", STR) \
    X(970, "pcmpistri xmm1, xmm2, 13", STR) \
    X(971, "pcmpistri xmm1, xmm2, 14", STR) \
    X(972, "pcmpistri xmm1, xmm2, 16", STR) \
    X(973, "pcmpistri xmm1, xmm2, 20", STR) \
    X(974, "pcmpistri xmm1, xmm2, 24", STR) \
    X(975, "pcmpistri xmm1, xmm2, 28", STR) \
    X(976, "pcmpistri xmm1, xmm2, 48", STR) \
    X(977, "pcmpistri xmm1, xmm2, 52", STR) \
    X(978, "pcmpistri xmm1, xmm2, 56", STR) \
    X(979, "pcmpistri xmm1, xmm2, 60", STR) \
    X(980, "pcmpistri xmm1, xmm2, 64", STR) \
    X(981, "pcmpistri xmm1, xmm2, 68", STR) \
    X(982, "pcmpistri xmm1, xmm2, 72", STR) \
    X(983, "pcmpistri xmm1, xmm2, 76", STR) \
    X(984, "pcmpistri xmm1, xmm2, 112", STR) \
    X(985, "pcmpistri xmm1, xmm2, 124", STR) \
    X(986, "pcmpistri xmm1, xmm2, 125", STR) \
    X(987, "pcmpistri xmm1, xmm2, 58", STR) \
    X(988, "pcmpistri xmm1, xmm2, 26", STR) \
    X(989, "pcmpistri xmm1, xmm2, 11", STR) \
    X(990, "pcmpistri xmm1, [esi+3], 0x0c", STR) \
    X(991, "pcmpistrm xmm1, xmm2, 0", STR) \
    X(992, "pcmpistrm xmm1, xmm2, 1", STR) \
    X(993, "pcmpistrm xmm1, xmm2, 2", STR) \
    X(994, "pcmpistrm xmm1, xmm2, 3", STR) \
    X(995, "pcmpistrm xmm1, xmm2, 4", STR) \
    X(996, "pcmpistrm xmm1, xmm2, 5", STR) \
    X(997, "pcmpistrm xmm1, xmm2, 6", STR) \
    X(998, "pcmpistrm xmm1, xmm2, 8", STR) \
    X(999, "pcmpistrm xmm1, xmm2, 9", STR) \
    X(1000, "pcmpistrm xmm1, xmm2, 12", STR) \
    X(1001, "pcmpistrm xmm1, xmm2, 13", STR) \
    X(1002, "pcmpistrm xmm1, xmm2, 14", STR) \
    X(1003, "pcmpistrm xmm1, xmm2, 16", STR) \
    X(1004, "pcmpistrm xmm1, xmm2, 20", STR) \
    X(1005, "pcmpistrm xmm1, xmm2, 24", STR) \
    X(1006, "pcmpistrm xmm1, xmm2, 28", STR) \
    X(1007, "pcmpistrm xmm1, xmm2, 48", STR) \
    X(1008, "pcmpistrm xmm1, xmm2, 52", STR) \
    X(1009, "pcmpistrm xmm1, xmm2, 56", STR) \
    X(1010, "pcmpistrm xmm1, xmm2, 60", STR) \
    X(1011, "pcmpistrm xmm1, xmm2, 64", STR) \
    X(1012, "pcmpistrm xmm1, xmm2, 68", STR) \
    X(1013, "pcmpistrm xmm1, xmm2, 72", STR) \
    X(1014, "pcmpistrm xmm1, xmm2, 76", STR) \
    X(1015, "pcmpistrm xmm1, xmm2, 112", STR) \
    X(1016, "pcmpistrm xmm1, xmm2, 124", STR) \
    X(1017, "pcmpistrm xmm1, xmm2, 125", STR) \
    X(1018, "pcmpistrm xmm1, xmm2, 58", STR) \
    X(1019, "pcmpistrm xmm1, xmm2, 26", STR) \
    X(1020, "pcmpistrm xmm1, xmm2, 11", STR) \
    X(1021, "pcmpistrm xmm1, [esi+3], 0x0c", STR) \
    X(1022, "crc32 eax, cl", GPR) \
    X(1023, "crc32 eax, cx", GPR) \
    X(1024, "crc32 eax, ecx", GPR) \
    X(1025, "crc32 edx, byte ptr [esi]", GPR) \
    X(1026, "crc32 edx, dword ptr [esi+1]", GPR) \
    X(1027, "crc32 ebx, word ptr [esi]", GPR) \
    X(1028, "popcnt eax, ecx", GPR) \
    X(1029, "popcnt ax, cx", GPR) \
    X(1030, "popcnt edx, dword ptr [esi]", GPR) \
    X(1031, "adcx eax, ecx", GPR) \
    X(1032, "adox eax, ecx", GPR) \
    X(1033, "adcx edx, dword ptr [esi]", GPR) \
    X(1034, "adox ebx, dword ptr [esi+4]", GPR) \
    X(1035, "movbe eax, dword ptr [esi]", GPR) \
    X(1036, "movbe dword ptr [esi+2], ecx", GPR) \
    X(1037, "movbe ax, word ptr [esi]", GPR) \
    X(1038, "movbe word ptr [esi], dx", GPR) \
    X(1039, "pdep eax, ecx, edx", GPR) \
    X(1040, "pext eax, ecx, edx", GPR) \
    X(1041, "pdep ebx, ecx, dword ptr [esi]", GPR) \
    X(1042, "pext edx, eax, dword ptr [esi]", GPR) \
    X(1043, "rorx eax, ecx, 0", GPR) \
    X(1044, "rorx eax, ecx, 5", GPR) \
    X(1045, "rorx eax, ecx, 31", GPR) \
    X(1046, "rorx edx, dword ptr [esi], 13", GPR) \
    X(1047, "sarx eax, ecx, edx", GPR) \
    X(1048, "shlx eax, ecx, edx", GPR) \
    X(1049, "shrx eax, ecx, edx", GPR) \
    X(1050, "sarx eax, dword ptr [esi], ebx", GPR) \
    X(1051, "mulx eax, ecx, edx", GPR) \
    X(1052, "mulx ecx, ecx, ebx", GPR) \
    X(1053, "mulx edx, eax, dword ptr [esi]", GPR) \
    X(1054, "lzcnt eax, ecx", CNT) \
    X(1055, "lzcnt ax, cx", CNT) \
    X(1056, "lzcnt edx, dword ptr [esi]", CNT) \
    X(1057, "tzcnt eax, ecx", CNT) \
    X(1058, "tzcnt ax, cx", CNT) \
    X(1059, "tzcnt edx, dword ptr [esi]", CNT) \
    X(1060, "andn eax, ecx, edx", BMI) \
    X(1061, "andn eax, ecx, dword ptr [esi]", BMI) \
    X(1062, "bextr eax, ecx, edx", BMI) \
    X(1063, "bextr eax, dword ptr [esi], ebx", BMI) \
    X(1064, "blsi eax, ecx", BMI) \
    X(1065, "blsmsk eax, ecx", BMI) \
    X(1066, "blsr eax, ecx", BMI) \
    X(1067, "blsr eax, dword ptr [esi]", BMI) \
    X(1068, "bzhi eax, ecx, edx", BMI) \
    X(1069, "bzhi eax, dword ptr [esi], ebx", BMI) \
    X(1200, "xsave [esi]", STATE) \
    X(1201, "xsaveopt [esi]", STATE) \
    X(1202, "xsavec [esi]", STATE) \
    X(1203, "xrstor [esi]", STATE) \
    X(1204, "xsave [esi+32]", STATE) \
    X(1205, "xgetbv", STATE) \
    X(1206, "xsetbv", STATE) \
    X(1207, "rdrand eax", STATE) \
    X(1208, "rdseed ecx", STATE) \
    X(1209, "rdrand ax", STATE) \
    X(1210, "clflushopt [esi]", STATE) \
    X(1211, "clwb [esi]", STATE) \
    X(1212, "aesenc xmm0, xmm1", STATE) \
    X(1213, "ptest xmm0, xmm1", STATE) \
    X(1214, "lzcnt eax, ecx", STATE) \
    X(1215, "pclmulqdq xmm0, xmm1, 0", STATE) \
    X(1100, "aesenc xmm0, xmm1", AES) \
    X(1101, "aesenc xmm2, [esi+16]", AES) \
    X(1102, "aesenc xmm3, xmm3", AES) \
    X(1103, "aesenclast xmm0, xmm1", AES) \
    X(1104, "aesenclast xmm2, [esi+16]", AES) \
    X(1105, "aesenclast xmm3, xmm3", AES) \
    X(1106, "aesdec xmm0, xmm1", AES) \
    X(1107, "aesdec xmm2, [esi+16]", AES) \
    X(1108, "aesdec xmm3, xmm3", AES) \
    X(1109, "aesdeclast xmm0, xmm1", AES) \
    X(1110, "aesdeclast xmm2, [esi+16]", AES) \
    X(1111, "aesdeclast xmm3, xmm3", AES) \
    X(1112, "aesimc xmm0, xmm1", AES) \
    X(1113, "aesimc xmm4, [esi]", AES) \
    X(1114, "aeskeygenassist xmm0, xmm1, 0", AES) \
    X(1115, "aeskeygenassist xmm0, xmm1, 1", AES) \
    X(1116, "aeskeygenassist xmm0, xmm1, 0x1b", AES) \
    X(1117, "aeskeygenassist xmm0, xmm1, 0x36", AES) \
    X(1118, "aeskeygenassist xmm0, xmm1, 0x80", AES) \
    X(1119, "aeskeygenassist xmm0, xmm1, 0xff", AES) \
    X(1120, "aeskeygenassist xmm5, [esi+32], 0x40", AES) \
    X(1121, "pclmulqdq xmm0, xmm1, 0", AES) \
    X(1122, "pclmulqdq xmm0, xmm1, 1", AES) \
    X(1123, "pclmulqdq xmm0, xmm1, 0x10", AES) \
    X(1124, "pclmulqdq xmm0, xmm1, 0x11", AES) \
    X(1125, "pclmulqdq xmm0, xmm1, 0xee", AES) \
    X(1126, "pclmulqdq xmm6, [esi], 0x01", AES)


#include "sse_cases64.h"
#include "test_avx_cases.h"

#define ASM(n, text, cat) "sse_t" #n "_s: " text "\n" "sse_t" #n "_e:\n"
__asm__(".pushsection .rodata.sse_cases, \"a\"\n.intel_syntax noprefix\n.code32\n" SSE_CASES(ASM)
        AVX_CASES(ASM) ".code64\n" SSE_CASES64(ASM) AVX_CASES64(ASM) ".att_syntax prefix\n.popsection\n");

#define DECL(n, text, cat) extern const uint8_t sse_t##n##_s[] __asm__("sse_t" #n "_s"), sse_t##n##_e[] __asm__("sse_t" #n "_e");
SSE_CASES(DECL)
SSE_CASES64(DECL)
AVX_CASES(DECL)
AVX_CASES64(DECL)

#define ENTRY(n, text, cat) {text, sse_t##n##_s, sse_t##n##_e, cat},
const struct sse_tcase sse_tcases[] = {SSE_CASES(ENTRY) SSE_CASES64(ENTRY) AVX_CASES(ENTRY) AVX_CASES64(ENTRY)};
const unsigned sse_ntcases = sizeof(sse_tcases) / sizeof(sse_tcases[0]);
