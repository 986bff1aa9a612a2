/* The SDL key table against scancode set 2 (IBM's tables): plain keys,
 * E0-prefixed keys, the PrintScreen and Pause sequences, AltGr. SDL's
 * scancode numbers are checked to be the ones the table is indexed by. */
#include <SDL2/SDL_scancode.h>
#include <criterion/criterion.h>
#include <string.h>

#include "../../frontends/sdl/scancode.c"

static void expect(SDL_Scancode sc, bool release, const char *hex)
{
    uint8_t b[SET2_MAX], want[SET2_MAX];
    size_t n = set2_bytes((unsigned)sc, release, b), m = 0;
    for (const char *p = hex; *p; p += p[2] ? 3 : 2)
        want[m++] = (uint8_t)strtoul((char[3]){p[0], p[1], 0}, NULL, 16);
    cr_assert_eq(n, m, "scancode %d %s: %zu bytes, expected %s", (int)sc, release ? "up" : "down", n, hex);
    cr_assert_arr_eq(b, want, n, "%s: expected %s", release ? "up" : "down", hex);
}

Test(scancode, plain_keys)
{
    expect(SDL_SCANCODE_A, false, "1c");
    expect(SDL_SCANCODE_A, true, "f0 1c");
    expect(SDL_SCANCODE_Z, false, "1a");
    expect(SDL_SCANCODE_1, false, "16");
    expect(SDL_SCANCODE_0, false, "45");
    expect(SDL_SCANCODE_RETURN, false, "5a");
    expect(SDL_SCANCODE_ESCAPE, true, "f0 76");
    expect(SDL_SCANCODE_SPACE, false, "29");
    expect(SDL_SCANCODE_F7, false, "83");
    expect(SDL_SCANCODE_F12, false, "07");
    expect(SDL_SCANCODE_LSHIFT, false, "12");
    expect(SDL_SCANCODE_RSHIFT, false, "59");
    expect(SDL_SCANCODE_LCTRL, false, "14");
    expect(SDL_SCANCODE_LALT, false, "11");
    expect(SDL_SCANCODE_KP_5, false, "73");
    expect(SDL_SCANCODE_NUMLOCKCLEAR, false, "77");
    expect(SDL_SCANCODE_NONUSBACKSLASH, false, "61");
    expect(SDL_SCANCODE_GRAVE, false, "0e");
}

Test(scancode, extended_keys)
{
    expect(SDL_SCANCODE_RALT, false, "e0 11"); /* AltGr */
    expect(SDL_SCANCODE_RALT, true, "e0 f0 11");
    expect(SDL_SCANCODE_RCTRL, false, "e0 14");
    expect(SDL_SCANCODE_UP, false, "e0 75");
    expect(SDL_SCANCODE_LEFT, true, "e0 f0 6b");
    expect(SDL_SCANCODE_INSERT, false, "e0 70");
    expect(SDL_SCANCODE_DELETE, false, "e0 71");
    expect(SDL_SCANCODE_HOME, false, "e0 6c");
    expect(SDL_SCANCODE_PAGEDOWN, false, "e0 7a");
    expect(SDL_SCANCODE_KP_DIVIDE, false, "e0 4a");
    expect(SDL_SCANCODE_KP_ENTER, false, "e0 5a");
    expect(SDL_SCANCODE_LGUI, false, "e0 1f");
    expect(SDL_SCANCODE_APPLICATION, false, "e0 2f");
    expect(SDL_SCANCODE_MUTE, false, "e0 23");
    expect(SDL_SCANCODE_AUDIONEXT, false, "e0 4d");
}

Test(scancode, sequences)
{
    expect(SDL_SCANCODE_PRINTSCREEN, false, "e0 12 e0 7c");
    expect(SDL_SCANCODE_PRINTSCREEN, true, "e0 f0 7c e0 f0 12");
    expect(SDL_SCANCODE_PAUSE, false, "e1 14 77 e1 f0 14 f0 77");
    uint8_t b[SET2_MAX];
    cr_assert_eq(set2_bytes(SDL_SCANCODE_PAUSE, true, b), 0, "Pause has no break code");
}

Test(scancode, every_standard_key_is_mapped)
{
    uint8_t b[SET2_MAX];
    for (unsigned sc = SDL_SCANCODE_A; sc <= SDL_SCANCODE_KP_PERIOD; sc++)
        cr_assert(set2_bytes(sc, false, b) > 0, "scancode %u unmapped", sc);
    for (unsigned sc = SDL_SCANCODE_LCTRL; sc <= SDL_SCANCODE_RGUI; sc++)
        cr_assert(set2_bytes(sc, false, b) > 0, "scancode %u unmapped", sc);
    cr_assert_eq(set2_bytes(SDL_SCANCODE_UNKNOWN, false, b), 0);
    cr_assert_eq(set2_bytes(9999, false, b), 0);
}
