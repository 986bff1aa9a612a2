/* Host keys to PS/2 scancode set 2 (scancode.c). Keys are named by their
 * USB HID usage, which is what SDL_Scancode numbers are (and SDL's media
 * keys above 0x100), so the table needs no SDL header. */
#ifndef PCVM_SDL_SCANCODE_H
#define PCVM_SDL_SCANCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SET2_MAX 8

/* The bytes a PS/2 keyboard sends when the key is pressed (release false)
 * or released; 0 for keys it does not have (and Pause's release). */
size_t set2_bytes(unsigned usage, bool release, uint8_t out[SET2_MAX]);

#endif
