; page_hit.asm - page_walk's loop over 16 pages (64 KiB virtual working set):
; the same instructions, but every access hits the emulator's TLB.
; See paging.inc.
WSET equ 0x10000
%include "paging.inc"
