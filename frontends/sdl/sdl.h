/* pcvm-sdl's shared state (main.c: window and VM; input.c: keyboard,
 * mouse and the host key). */
#ifndef PCVM_SDL_H
#define PCVM_SDL_H

#include <SDL.h>
#include <stdatomic.h>

#include "devices/vga.h"
#include "vm/vm.h"

#define SDL_HOST_KEY SDL_SCANCODE_RCTRL
#define SDL_HOST_KEY_NAME "Right Ctrl"

struct sdl_app {
    struct vm *vm;
    struct vm_options *opts;
    struct dev_vga *vga;
    struct dev_i8042 *kbc;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    struct vga_surface surf;
    unsigned tex_w, tex_h;
    bool fullscreen, integer_scale, captured, redraw;
    bool host_down, host_used;
    bool keys_down[SDL_NUM_SCANCODES];
    unsigned buttons;
    Uint32 ev_state;      /* user event: the VM changed state (code = new state) */
    atomic_bool vm_done;
    pthread_t vm_thread;
    /* test mode: keys to inject once the text screen shows a marker */
    SDL_Scancode inject[32];
    unsigned ninject;
    const char *inject_when;
};

void sdl_update_title(struct sdl_app *a);
void sdl_set_fullscreen(struct sdl_app *a, bool on);
void sdl_capture(struct sdl_app *a, bool on);
void sdl_host_screenshot(struct sdl_app *a);
/* input.c */
void sdl_on_key(struct sdl_app *a, const SDL_KeyboardEvent *k);
void sdl_on_mouse(struct sdl_app *a, const SDL_Event *e);
void sdl_release_keys(struct sdl_app *a);

#endif
