; page_walk.asm - PAE paging, a load and a store per iteration, each on a
; page not touched for the last 262,000 accesses (1 GiB virtual working set):
; every access misses the emulator's TLB and walks the page tables.
; See paging.inc.
WSET equ 0x40000000
%include "paging.inc"
