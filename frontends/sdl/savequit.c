/* Host+Q: save the VM's state and quit, after a y/n question in the
 * window's title. The VM is paused while the question stands, so the
 * state saved is the one the user saw when asking; "no" lets it run on.
 *
 * Invariants: the answer keys never reach the guest; a save that fails
 * says so in one line and the guest continues (the saved-state writer
 * replaces the file only once it is whole); after a save the process
 * exits with status 0; a drive image is never overwritten. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sdl.h"

/* --save-on-quit FILE, else the first hard disk's name with .pcvmss for
 * its extension (its state beside it), else pcvm-TIME.pcvmss here. */
static void choose_path(struct sdl_app *a)
{
    const struct vm_config *c = &a->opts->cfg;
    if (a->save_on_quit) {
        snprintf(a->save_path, sizeof(a->save_path), "%s", a->save_on_quit);
        return;
    }
    for (unsigned i = 0; i < c->ndrives; i++) {
        const char *f = c->drives[i].file;
        if (c->drives[i].cdrom || !f || !*f)
            continue;
        const char *base = strrchr(f, '/');
        const char *dot = strrchr(base ? base + 1 : f, '.');
        int stem =
            dot && dot != (base ? base + 1 : f) && strcmp(dot, ".pcvmss") ? (int)(dot - f) : (int)strlen(f);
        snprintf(a->save_path, sizeof(a->save_path), "%.*s.pcvmss", stem, f);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(a->save_path, sizeof(a->save_path), "pcvm-%Y%m%d-%H%M%S.pcvmss", &tm);
}

/* Whether path is one of the VM's drive images (a state written over
 * it would destroy the disk). */
static bool is_drive(const struct sdl_app *a, const char *path)
{
    const struct vm_config *c = &a->opts->cfg;
    struct stat sp, sd;
    if (stat(path, &sp) < 0)
        return false;
    for (unsigned i = 0; i < c->ndrives; i++)
        if (c->drives[i].file && stat(c->drives[i].file, &sd) == 0 && sd.st_dev == sp.st_dev &&
            sd.st_ino == sp.st_ino)
            return true;
    return false;
}

void sdl_ask_save_quit(struct sdl_app *a)
{
    if (a->asking)
        return;
    choose_path(a);
    a->asking = true;
    /* a paused VM stays paused whatever the answer */
    a->paused_to_ask = !(atomic_load(&a->vm->ff) & VM_FF_SUSPEND);
    if (a->paused_to_ask)
        vm_request(a->vm, VM_FF_SUSPEND);
    a->fullscreen_before_ask = a->fullscreen;
    if (a->fullscreen) /* the question is in the title */
        sdl_set_fullscreen(a, false);
    sdl_update_title(a);
}

static void end_question(struct sdl_app *a)
{
    a->asking = false;
    if (a->fullscreen_before_ask)
        sdl_set_fullscreen(a, true);
    if (a->paused_to_ask)
        vm_resume(a->vm);
    sdl_update_title(a);
}

void sdl_answer_save_quit(struct sdl_app *a, bool yes)
{
    char err[600];
    if (!yes) {
        end_question(a);
        return;
    }
    if (is_drive(a, a->save_path)) {
        fprintf(stderr, "pcvm-sdl: state not saved (%s is a disk image of this VM); the guest continues\n",
                a->save_path);
        end_question(a);
        return;
    }
    if (vm_savevm(a->vm, a->save_path, err, sizeof(err)) < 0) {
        fprintf(stderr, "pcvm-sdl: state not saved (%s); the guest continues\n", err);
        end_question(a);
        return;
    }
    fprintf(stderr, "pcvm-sdl: state saved to %s (pcvm-sdl -loadvm %s restores it)\n", a->save_path,
            a->save_path);
    const struct vm_config *c = &a->opts->cfg;
    for (unsigned i = 0; i < c->ndrives; i++)
        if (!c->drives[i].cdrom && !c->drives[i].readonly && (c->snapshot || c->drives[i].snapshot)) {
            /* the state holds the guest's view of a disk whose writes are now dropped */
            fprintf(stderr, "pcvm-sdl: note: -snapshot drops the disk writes: restoring may show the guest "
                            "a disk older than it expects\n");
            break;
        }
    a->asking = false;
    a->saved_and_quit = true;
    vm_request(a->vm, VM_FF_POWER_OFF);
}

/* While the question stands: y saves and quits, n or Escape goes back to
 * the guest, other presses are ignored (and kept from the guest). */
void sdl_question_key(struct sdl_app *a, SDL_Scancode sc)
{
    if (sc == SDL_SCANCODE_Y)
        sdl_answer_save_quit(a, true);
    else if (sc == SDL_SCANCODE_N || sc == SDL_SCANCODE_ESCAPE)
        sdl_answer_save_quit(a, false);
}
