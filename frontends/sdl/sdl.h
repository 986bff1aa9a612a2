/* pcvm-sdl's shared state (main.c: window and VM; input.c: keyboard,
 * mouse and the host key; savequit.c: Host+Q's save-and-quit question). */
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
    /* Host+Q: the question in the title, then the saved state's file */
    const char *save_on_quit; /* --save-on-quit FILE */
    char save_path[4096];
    bool asking, paused_to_ask, fullscreen_before_ask, saved_and_quit;
    /* test mode: keys to inject once the text screen shows a marker; a
     * step is a chord (pressed in order, released in reverse) */
    struct {
        SDL_Scancode sc[4];
        unsigned n;
    } inject[32];
    unsigned ninject;
    const char *inject_when;
};

void sdl_update_title(struct sdl_app *a);
void sdl_set_fullscreen(struct sdl_app *a, bool on);
void sdl_capture(struct sdl_app *a, bool on);
void sdl_host_screenshot(struct sdl_app *a);
/* savequit.c */
void sdl_ask_save_quit(struct sdl_app *a);
void sdl_answer_save_quit(struct sdl_app *a, bool yes);
void sdl_question_key(struct sdl_app *a, SDL_Scancode sc);
/* input.c */
void sdl_on_key(struct sdl_app *a, const SDL_KeyboardEvent *k);
void sdl_on_mouse(struct sdl_app *a, const SDL_Event *e);
void sdl_release_keys(struct sdl_app *a);

#endif
