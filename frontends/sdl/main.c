/* pcvm-sdl: the guest's display in a window, its keyboard and mouse. The
 * same QEMU-style options as pcvm (src/vm/options.c), plus a test mode.
 *
 * Threads: the VM runs in its own thread (vm_run, which starts the vCPU
 * threads); the main thread owns every SDL call, polls events and redraws
 * about 60 times a second from the VGA's dirty lines. The VM thread and
 * the state listener talk to the main thread only through SDL user
 * events, which SDL_PushEvent makes thread safe.
 *
 * Invariants: closing the window powers the VM off and the process exits
 * once vm_run has returned, with pcvm's exit status rules (status 0 after
 * Host+Q saved the state); bad options and a bad -loadvm file are one
 * line on stderr and status 2, before any window. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sdl.h"

#define EXIT_USAGE 2
#define FRAME_MS 16

static const char *const engine_names[] = {"auto", "IEM", "REM", "HM"};

void sdl_update_title(struct sdl_app *a)
{
    char title[4300], state[32];
    if (a->asking) {
        snprintf(title, sizeof(title), "pcvm - Save state to %s and quit? y/n", a->save_path);
        SDL_SetWindowTitle(a->win, title);
        return;
    }
    const char *s = vm_state_name(a->vm->state);
    size_t i;
    for (i = 0; s[i] && i + 1 < sizeof(state); i++)
        state[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i] == '_' ? ' ' : s[i]);
    state[i] = 0;
    snprintf(title, sizeof(title), "pcvm - %s [%s] - %s", state, engine_names[a->vm->engine & 3],
             a->captured ? SDL_HOST_KEY_NAME " releases the mouse" : "click to capture the mouse, host key " SDL_HOST_KEY_NAME);
    SDL_SetWindowTitle(a->win, title);
}

void sdl_capture(struct sdl_app *a, bool on)
{
    a->captured = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(a->win, on ? SDL_TRUE : SDL_FALSE);
    sdl_update_title(a);
}

void sdl_set_fullscreen(struct sdl_app *a, bool on)
{
    a->fullscreen = on;
    SDL_SetWindowFullscreen(a->win, on ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    a->redraw = true;
}

void sdl_host_screenshot(struct sdl_app *a)
{
    char path[64];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(path, sizeof(path), "pcvm-%Y%m%d-%H%M%S.png", &tm);
    int rc = vga_screenshot(a->vm, path);
    if (rc < 0)
        fprintf(stderr, "pcvm-sdl: cannot write %s: %s\n", path, strerror(-rc));
    else
        fprintf(stderr, "pcvm-sdl: screenshot %s\n", path);
}

static void state_listener(void *opaque, struct vm *vm, enum vm_state from, enum vm_state to)
{
    struct sdl_app *a = opaque;
    SDL_Event e = {.type = a->ev_state};
    (void)vm, (void)from;
    e.user.code = (Sint32)to;
    SDL_PushEvent(&e);
}

static void *vm_thread(void *arg)
{
    struct sdl_app *a = arg;
    SDL_Event e = {.type = a->ev_state};
    vm_run(a->vm);
    atomic_store(&a->vm_done, true);
    e.user.code = -1;
    SDL_PushEvent(&e);
    return NULL;
}

/* The window follows the guest's mode: twice the size for small modes,
 * aspect kept by the logical size, integer steps when asked. */
static int resize(struct sdl_app *a, unsigned w, unsigned h)
{
    if (a->tex)
        SDL_DestroyTexture(a->tex);
    a->tex = SDL_CreateTexture(a->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, (int)w, (int)h);
    if (!a->tex)
        return -1;
    a->tex_w = w, a->tex_h = h;
    SDL_RenderSetLogicalSize(a->ren, (int)w, (int)h);
    SDL_RenderSetIntegerScale(a->ren, a->integer_scale);
    if (!a->fullscreen) {
        int scale = w <= 400 ? 2 : 1;
        SDL_SetWindowSize(a->win, (int)w * scale, (int)h * scale);
    }
    return 0;
}

static void redraw(struct sdl_app *a)
{
    unsigned y0, y1;
    if (!a->vga) {
        if (a->redraw) {
            SDL_SetRenderDrawColor(a->ren, 0, 0, 0, 255);
            SDL_RenderClear(a->ren);
            SDL_RenderPresent(a->ren);
            a->redraw = false;
        }
        return;
    }
    if (vga_render(a->vga, &a->surf, false, &y0, &y1) < 0)
        return;
    if (a->surf.width != a->tex_w || a->surf.height != a->tex_h) {
        if (resize(a, a->surf.width, a->surf.height) < 0)
            return;
        y0 = 0, y1 = a->surf.height;
    }
    if (y1 > y0) {
        SDL_Rect r = {0, (int)y0, (int)a->surf.width, (int)(y1 - y0)};
        SDL_UpdateTexture(a->tex, &r, a->surf.pixels + (size_t)y0 * a->surf.stride, (int)(a->surf.stride * 4));
        a->redraw = true;
    }
    if (a->redraw) {
        SDL_SetRenderDrawColor(a->ren, 0, 0, 0, 255);
        SDL_RenderClear(a->ren);
        SDL_RenderCopy(a->ren, a->tex, NULL, NULL);
        SDL_RenderPresent(a->ren);
        a->redraw = false;
    }
}

/* Test mode: once the text screen shows the marker, press and release
 * each step's keys in turn, through the same event path as real keys. */
static void maybe_inject(struct sdl_app *a)
{
    char text[4096];
    if (!a->ninject || !a->vga)
        return;
    vga_text_dump(a->vga, text, sizeof(text));
    if (!strstr(text, a->inject_when))
        return;
    for (unsigned i = 0; i < a->ninject; i++)
        for (unsigned k = 0, n = a->inject[i].n; k < 2 * n; k++) {
            bool up = k >= n;
            SDL_Event e = {.type = up ? SDL_KEYUP : SDL_KEYDOWN};
            e.key.state = up ? SDL_RELEASED : SDL_PRESSED;
            e.key.keysym.scancode = a->inject[i].sc[up ? 2 * n - 1 - k : k];
            SDL_PushEvent(&e);
        }
    a->ninject = 0;
}

static void loop(struct sdl_app *a)
{
    bool quitting = false;
    while (!atomic_load(&a->vm_done)) {
        SDL_Event e;
        Uint32 next = SDL_GetTicks() + FRAME_MS;
        while (SDL_WaitEventTimeout(&e, 1)) {
            if (e.type == a->ev_state) {
                sdl_update_title(a);
            } else if (e.type == SDL_QUIT) {
                if (!quitting)
                    vm_request(a->vm, VM_FF_POWER_OFF);
                quitting = true;
            } else if (e.type == SDL_KEYDOWN || e.type == SDL_KEYUP) {
                sdl_on_key(a, &e.key);
            } else if (e.type == SDL_MOUSEMOTION || e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP) {
                sdl_on_mouse(a, &e);
            } else if (e.type == SDL_WINDOWEVENT) {
                if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST)
                    sdl_release_keys(a);
                a->redraw = true;
            }
            if (SDL_TICKS_PASSED(SDL_GetTicks(), next))
                break;
        }
        maybe_inject(a);
        redraw(a);
    }
}

/* One --inject-keys step: a key name ("Right Alt", "Keypad +") or a
 * chord of names joined by '+' ("Right Ctrl+Q"). 0, or -1. */
static int parse_inject_step(struct sdl_app *a, char *t)
{
    if (a->ninject >= sizeof(a->inject) / sizeof(a->inject[0]))
        return -1;
    unsigned *n = &a->inject[a->ninject].n;
    SDL_Scancode sc = SDL_GetScancodeFromName(t);
    *n = 0;
    if (sc != SDL_SCANCODE_UNKNOWN) {
        a->inject[a->ninject].sc[(*n)++] = sc;
    } else {
        for (char *save, *k = strtok_r(t, "+", &save); k; k = strtok_r(NULL, "+", &save)) {
            sc = SDL_GetScancodeFromName(k);
            if (sc == SDL_SCANCODE_UNKNOWN || *n >= 4)
                return -1;
            a->inject[a->ninject].sc[(*n)++] = sc;
        }
    }
    if (!*n)
        return -1;
    a->ninject++;
    return 0;
}

/* Frontend-only options, taken out before the shared parser sees argv. */
static int take_frontend_options(struct sdl_app *a, int *argc, char **argv)
{
    int k = 1;
    a->inject_when = "KEYS?";
    for (int i = 1; i < *argc; i++) {
        if (!strncmp(argv[i], "--inject-when=", 14)) {
            a->inject_when = argv[i] + 14;
        } else if (!strncmp(argv[i], "--inject-keys=", 14)) {
            char buf[512];
            snprintf(buf, sizeof(buf), "%s", argv[i] + 14);
            for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                char step[128];
                snprintf(step, sizeof(step), "%s", t);
                if (parse_inject_step(a, step) < 0) {
                    fprintf(stderr, "pcvm-sdl: unknown key '%s' in --inject-keys\n", t);
                    return EXIT_USAGE;
                }
            }
        } else if (!strcmp(argv[i], "--save-on-quit") || !strncmp(argv[i], "--save-on-quit=", 15)) {
            const char *v = argv[i][14] ? argv[i] + 15 : i + 1 < *argc ? argv[++i] : NULL;
            if (!v || !*v) {
                fprintf(stderr, "pcvm-sdl: option --save-on-quit needs a file name\n");
                return EXIT_USAGE;
            }
            a->save_on_quit = v;
        } else {
            argv[k++] = argv[i];
        }
    }
    *argc = k;
    argv[k] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    static struct sdl_app app; /* large (key table); zeroed */
    struct sdl_app *a = &app;
    struct vm_options o;
    char err[512];
    int rc;

    if ((rc = take_frontend_options(a, &argc, argv)) != 0)
        return rc;
    rc = vm_options_parse(&o, argc, argv);
    if (rc == 1 && argc > 1 &&
        (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "-help")))
        printf("\npcvm-sdl options and keys:\n"
               "  --save-on-quit FILE        where " SDL_HOST_KEY_NAME "+Q saves the state (default: the first\n"
               "                             disk's name with .pcvmss, else pcvm-TIME.pcvmss here)\n"
               "  " SDL_HOST_KEY_NAME "+Q  asks, then saves the state and quits (-loadvm FILE restores it);\n"
               "  +P pauses, +R resets, +S takes a screenshot, +F toggles full screen, +I integer scaling;\n"
               "  " SDL_HOST_KEY_NAME " alone releases the mouse; closing the window powers off\n");
    if (rc)
        return rc == 1 ? 0 : rc;
    if (o.display && !strcmp(o.display, "none")) {
        fprintf(stderr, "pcvm-sdl: -display none: use pcvm for a headless VM\n");
        return EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) < 0) {
        fprintf(stderr, "pcvm-sdl: cannot start SDL: %s\n", SDL_GetError());
        return EXIT_USAGE;
    }
    if (vm_create(&o.cfg, &a->vm, err, sizeof(err)) < 0) {
        fprintf(stderr, "pcvm-sdl: %s\n", err);
        SDL_Quit();
        return EXIT_USAGE;
    }
    a->opts = &o;
    a->vga = pc_vga(a->vm);
    a->kbc = pc_i8042(a->vm);
    a->integer_scale = true;
    a->redraw = true;
    a->ev_state = SDL_RegisterEvents(1);
    /* -loadvm and the servers before the window: a bad saved state is
     * one line and status 2 with no window shown */
    vm_add_listener(a->vm, state_listener, a);
    int arc = vm_options_apply(&o, a->vm);
    if (arc) { /* 1: done without running (--print-state) */
        vm_destroy(a->vm);
        SDL_Quit();
        return arc == 1 ? 0 : EXIT_USAGE;
    }
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "nearest");
    a->win = SDL_CreateWindow("pcvm", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 640, 480,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    a->ren = a->win ? SDL_CreateRenderer(a->win, -1, 0) : NULL;
    if (!a->ren) {
        fprintf(stderr, "pcvm-sdl: cannot open a window: %s\n", SDL_GetError());
        /* stops the servers; the VM never ran, so nothing is written */
        o.ninfo = 0, o.screenshot = NULL, o.dump_text = false, o.dump_phys = NULL;
        vm_options_finish(&o, a->vm);
        if (a->win)
            SDL_DestroyWindow(a->win);
        vm_destroy(a->vm);
        SDL_Quit();
        return EXIT_USAGE;
    }
    if (o.full_screen)
        sdl_set_fullscreen(a, true);
    sdl_update_title(a);
    pthread_create(&a->vm_thread, NULL, vm_thread, a);
    loop(a);
    pthread_join(a->vm_thread, NULL);
    rc = a->saved_and_quit                     ? 0
         : a->vm->state == VM_GURU_MEDITATION ? 1
         : a->vm->exit_status >= 0            ? a->vm->exit_status
                                              : 0;
    if (vm_options_finish(&o, a->vm))
        rc = EXIT_USAGE;
    vga_surface_free(&a->surf);
    if (a->tex)
        SDL_DestroyTexture(a->tex);
    SDL_DestroyRenderer(a->ren);
    SDL_DestroyWindow(a->win);
    vm_destroy(a->vm);
    SDL_Quit();
    return rc;
}
