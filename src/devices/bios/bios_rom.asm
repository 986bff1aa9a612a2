; The assembled BIOS (bios.asm -> BIOS_IMAGE) as read-only data linked into
; every pcvm binary, so no file is looked up at run time.
        section .rodata align=16
        global bios_rom_image:data
        global bios_rom_image_end:data
bios_rom_image:
        incbin BIOS_IMAGE
bios_rom_image_end:
        section .note.GNU-stack noalloc noexec nowrite progbits
