/* Keyboard and mouse for the guest: SDL scancodes become PS/2 set 2 bytes
 * (scancode.c) for the i8042; the mouse is the guest's only while captured
 * (a click captures it, the host key releases it, as in VirtualBox).
 * While the host key is held, keys are host commands and never reach the
 * guest; a key's release reaches the guest only if its press did.
 * While Host+Q's question stands, presses answer it and never reach the
 * guest. */
#include "scancode.h"
#include "sdl.h"

static void host_command(struct sdl_app *a, SDL_Scancode sc)
{
    switch (sc) {
    case SDL_SCANCODE_Q: /* asks first: save the state and quit? */
        sdl_ask_save_quit(a);
        break;
    case SDL_SCANCODE_R: /* a paused VM resets and runs */
        vm_request(a->vm, VM_FF_RESET);
        vm_resume(a->vm);
        break;
    case SDL_SCANCODE_P: /* pause or resume; the title follows the state */
        if (atomic_load(&a->vm->ff) & VM_FF_SUSPEND)
            vm_resume(a->vm);
        else
            vm_request(a->vm, VM_FF_SUSPEND);
        break;
    case SDL_SCANCODE_S:
        sdl_host_screenshot(a);
        break;
    case SDL_SCANCODE_F:
        sdl_set_fullscreen(a, !a->fullscreen);
        break;
    case SDL_SCANCODE_I:
        a->integer_scale = !a->integer_scale;
        SDL_RenderSetIntegerScale(a->ren, a->integer_scale);
        a->redraw = true;
        break;
    default:
        break;
    }
}

static void send_key(struct sdl_app *a, SDL_Scancode sc, bool release)
{
    uint8_t b[SET2_MAX];
    size_t n = set2_bytes((unsigned)sc, release, b);
    if (n && a->kbc)
        i8042_key_event(a->kbc, b, n);
}

void sdl_on_key(struct sdl_app *a, const SDL_KeyboardEvent *k)
{
    bool down = k->type == SDL_KEYDOWN;
    SDL_Scancode sc = k->keysym.scancode;
    if ((unsigned)sc >= SDL_NUM_SCANCODES)
        return;
    if (sc == SDL_HOST_KEY) {
        if (down && !k->repeat) {
            a->host_down = true;
            a->host_used = false;
        } else if (!down) {
            a->host_down = false;
            if (!a->host_used && a->captured)
                sdl_capture(a, false);
        }
        return;
    }
    if (a->asking && down) { /* the question's answer, held host key or not */
        if (!k->repeat)
            sdl_question_key(a, sc);
        if (a->host_down)
            a->host_used = true;
        return;
    }
    if (a->host_down) {
        if (down && !k->repeat)
            host_command(a, sc);
        a->host_used = true;
        return;
    }
    if (down) {
        a->keys_down[sc] = true;
        send_key(a, sc, false); /* a held key repeats its make code, as typematic does */
    } else if (a->keys_down[sc]) {
        a->keys_down[sc] = false;
        send_key(a, sc, true);
    }
}

/* On focus loss the guest would otherwise see keys stuck down. */
void sdl_release_keys(struct sdl_app *a)
{
    for (unsigned i = 0; i < SDL_NUM_SCANCODES; i++)
        if (a->keys_down[i]) {
            a->keys_down[i] = false;
            send_key(a, (SDL_Scancode)i, true);
        }
    a->host_down = false;
}

static unsigned ps2_buttons(Uint32 state)
{
    return (state & SDL_BUTTON_LMASK ? 1u : 0) | (state & SDL_BUTTON_RMASK ? 2u : 0) |
           (state & SDL_BUTTON_MMASK ? 4u : 0);
}

void sdl_on_mouse(struct sdl_app *a, const SDL_Event *e)
{
    if (!a->kbc)
        return;
    if (!a->captured) {
        if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT)
            sdl_capture(a, true); /* this click only captures */
        return;
    }
    if (e->type == SDL_MOUSEMOTION) {
        a->buttons = ps2_buttons(e->motion.state);
        i8042_mouse_event(a->kbc, e->motion.xrel, -e->motion.yrel, a->buttons);
    } else if (e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEBUTTONUP) {
        a->buttons = ps2_buttons(SDL_GetMouseState(NULL, NULL));
        i8042_mouse_event(a->kbc, 0, 0, a->buttons);
    }
}
