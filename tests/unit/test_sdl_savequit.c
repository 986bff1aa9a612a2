/* pcvm-sdl's Right Ctrl+Q (save the state and quit, after a y/n question)
 * and -loadvm, end to end without a display: SDL's dummy video driver,
 * keys injected through the window's own event path (--inject-keys, a
 * chord as "Right Ctrl+Q") once the keyboard guest (vgakeys.asm) shows
 * its marker. The guest echoes every scancode byte on COM1, so its output
 * shows which keys reached it: the question's keys must not.
 * - yes: status 0, the state file is whole; pcvm-sdl -loadvm of it, given
 *   the remaining keys, ends as an uninterrupted run (COM1 before the save
 *   and after the restore together equal that run's, byte for byte);
 *   pcvm --print-state reads it too.
 * - no: the guest runs on and ends as the uninterrupted run, no file.
 * - a file that cannot be written: one line, the guest runs on, no file.
 * - the default names: the first disk's name with .pcvmss, else
 *   pcvm-TIME.pcvmss in the current directory; never a drive image.
 * - -loadvm of a missing, truncated or other-format file: status 2 and
 *   one line on stderr. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEYS_REF "A,B,Escape" /* the uninterrupted run's keys */

/* absolute: the runs start in tmp_dir */
static char guest_dir[PATH_MAX], pcvm[PATH_MAX], pcvm_sdl[PATH_MAX + 8];
static char tmp_dir[256];

static void setup(void)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", PCVM_DEMO);
    *strrchr(dir, '/') = 0;
    cr_assert_not_null(realpath(dir, guest_dir));
    cr_assert_not_null(realpath(PCVM_BIN, pcvm));
    snprintf(pcvm_sdl, sizeof(pcvm_sdl), "%s-sdl", pcvm);
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/pcvm-sdlsq-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp_dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(sdl_savequit, .init = setup, .fini = teardown, .timeout = 120);

/* Runs pcvm-sdl (or pcvm when sdl is false) in tmp_dir on the keyboard
 * guest with extra options; COM1 goes to tmp_dir/com1-TAG.txt and
 * stderr to tmp_dir/err-TAG.txt. Returns the exit status, -1 if killed. */
static int run(bool sdl, const char *tag, const char *extra)
{
    char cmd[3 * PATH_MAX];
    snprintf(
        cmd, sizeof(cmd),
        "cd %s && SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy ASAN_OPTIONS=detect_leaks=0 timeout 60 %s "
        "-m 16M -nodefaults -vga std -device isa-debug-exit,iobase=0xf4,iosize=0x4 -kernel %s/vgakeys.bin "
        "-serial file:com1-%s.txt %s %s </dev/null >out-%s.txt 2>err-%s.txt",
        tmp_dir, sdl ? pcvm_sdl : pcvm, guest_dir, tag, sdl ? "" : "-display none", extra, tag, tag);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* tmp_dir/NAME's contents ("" when it is missing). */
static char *slurp(const char *name)
{
    char path[512];
    static char bufs[4][8192];
    static unsigned next;
    char *b = bufs[next++ % 4];
    snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(b, 1, sizeof(bufs[0]) - 1, f) : 0;
    b[n] = 0;
    if (f)
        fclose(f);
    return b;
}

static bool exists(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
    return access(path, F_OK) == 0;
}

static unsigned lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The uninterrupted run; skips the test when SDL cannot start at all. */
static const char *reference_run(void)
{
    int st = run(true, "ref", "'--inject-keys=" KEYS_REF "'");
    const char *err = slurp("err-ref.txt");
    if (st == 2 && (strstr(err, "cannot start SDL") || strstr(err, "cannot open a window"))) {
        printf("SKIP: pcvm-sdl save and quit: SDL's dummy video driver does not start: %s", err);
        fflush(stdout);
        teardown(); /* a skipped test's fini does not run */
        cr_skip_test("SDL cannot start");
    }
    cr_assert_eq(st, 1, "reference run: status %d, stderr: %s", st, err);
    const char *ref = slurp("com1-ref.txt");
    cr_assert(strstr(ref, "PASS: Escape released"), "reference COM1: %s", ref);
    return ref;
}

/* Whether the directory holds only files named in want (no temporary
 * file of the saved-state writer left behind). */
static void assert_dir_holds(const char *want)
{
    DIR *d = opendir(tmp_dir);
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        char key[300];
        snprintf(key, sizeof(key), " %s ", e->d_name);
        cr_assert(e->d_name[0] == '.' || strstr(want, key), "unexpected file %s in %s", e->d_name, tmp_dir);
    }
    closedir(d);
}

Test(sdl_savequit, yes_saves_quits_and_loadvm_ends_the_same)
{
    const char *ref = reference_run();
    int st = run(true, "save", "--save-on-quit st.pcvmss '--inject-keys=A,Right Ctrl+Q,Y'");
    cr_assert_eq(st, 0, "save and quit: status %d, stderr: %s", st, slurp("err-save.txt"));
    cr_assert(exists("st.pcvmss"), "no state file; stderr: %s", slurp("err-save.txt"));
    cr_assert(strstr(slurp("err-save.txt"), "state saved to st.pcvmss"), "stderr: %s", slurp("err-save.txt"));
    assert_dir_holds(
        " st.pcvmss com1-ref.txt out-ref.txt err-ref.txt com1-save.txt out-save.txt err-save.txt ");

    st = run(true, "load", "-loadvm st.pcvmss '--inject-keys=B,Escape'");
    cr_assert_eq(st, 1, "restored run: status %d, stderr: %s", st, slurp("err-load.txt"));
    char both[16384];
    snprintf(both, sizeof(both), "%s%s", slurp("com1-save.txt"), slurp("com1-load.txt"));
    cr_assert_str_eq(both, ref,
                     "COM1 before the save + after the restore differs from an uninterrupted run: %s / %s",
                     slurp("com1-save.txt"), slurp("com1-load.txt"));

    st = run(false, "print", "--print-state st.pcvmss");
    cr_assert_eq(st, 0, "pcvm --print-state: status %d, stderr: %s", st, slurp("err-print.txt"));
    cr_assert(strstr(slurp("out-print.txt"), "saved state st.pcvmss"), "%s", slurp("out-print.txt"));
}

Test(sdl_savequit, no_lets_the_guest_continue)
{
    const char *ref = reference_run();
    int st = run(true, "no", "--save-on-quit st.pcvmss '--inject-keys=A,Right Ctrl+Q,N,B,Escape'");
    cr_assert_eq(st, 1, "status %d (the guest's own exit is 1), stderr: %s", st, slurp("err-no.txt"));
    cr_assert_str_eq(slurp("com1-no.txt"), ref, "the guest saw other keys than A, B, Escape");
    cr_assert(!exists("st.pcvmss"), "a state file was written after 'n'");
}

Test(sdl_savequit, write_error_is_one_line_and_the_guest_continues)
{
    const char *ref = reference_run();
    int st = run(true, "err", "--save-on-quit nodir/st.pcvmss '--inject-keys=A,Right Ctrl+Q,Y,B,Escape'");
    const char *err = slurp("err-err.txt");
    cr_assert_eq(st, 1, "status %d (the guest's own exit is 1), stderr: %s", st, err);
    cr_assert(strstr(err, "state not saved") && strstr(err, "nodir/st.pcvmss") && lines(err) == 1,
              "stderr: %s", err);
    cr_assert_str_eq(slurp("com1-err.txt"), ref, "the guest did not run on to its end");
    assert_dir_holds(" com1-ref.txt out-ref.txt err-ref.txt com1-err.txt out-err.txt err-err.txt ");
}

Test(sdl_savequit, default_names)
{
    reference_run();
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "truncate -s 1M %s/disk.img", tmp_dir);
    cr_assert_eq(system(cmd), 0);
    int st = run(true, "disk", "-hda disk.img '--inject-keys=Right Ctrl+Q,Y'");
    cr_assert_eq(st, 0, "status %d, stderr: %s", st, slurp("err-disk.txt"));
    cr_assert(exists("disk.pcvmss"), "no disk.pcvmss beside disk.img; stderr: %s", slurp("err-disk.txt"));

    /* never over a drive image: one line, the guest runs on, the image stays */
    st = run(true, "over", "-hda disk.img --save-on-quit ./disk.img '--inject-keys=Right Ctrl+Q,Y,B,Escape'");
    const char *err = slurp("err-over.txt");
    cr_assert_eq(st, 1, "state over the disk image: status %d, stderr: %s", st, err);
    cr_assert(strstr(err, "is a disk image") && lines(err) == 1, "stderr: %s", err);
    struct stat sb;
    snprintf(cmd, sizeof(cmd), "%s/disk.img", tmp_dir);
    cr_assert(stat(cmd, &sb) == 0 && sb.st_size == 1 << 20, "the disk image changed");

    st = run(true, "time", "'--inject-keys=Right Ctrl+Q,Y'");
    cr_assert_eq(st, 0, "status %d, stderr: %s", st, slurp("err-time.txt"));
    DIR *d = opendir(tmp_dir);
    cr_assert_not_null(d);
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        n += !strncmp(e->d_name, "pcvm-", 5) && len > 12 && !strcmp(e->d_name + len - 7, ".pcvmss");
    }
    closedir(d);
    cr_assert_eq(n, 1, "no pcvm-TIME.pcvmss in the current directory; stderr: %s", slurp("err-time.txt"));
}

Test(sdl_savequit, loadvm_bad_files_are_status_2_and_one_line)
{
    reference_run();
    /* a good state to damage: the headless pcvm saves the same machine */
    int st = run(false, "good", "--max-insns 100000 --savevm good.pcvmss");
    cr_assert(exists("good.pcvmss"), "pcvm --savevm: status %d, stderr: %s", st, slurp("err-good.txt"));
    char cmd[1200];
    snprintf(cmd, sizeof(cmd),
             "cd %s && head -c 4000 good.pcvmss > short.pcvmss && cp good.pcvmss fmt.pcvmss && "
             "printf '\\143' | dd of=fmt.pcvmss bs=1 seek=8 conv=notrunc 2>/dev/null",
             tmp_dir);
    cr_assert_eq(system(cmd), 0);
    static const char *const bad[][2] = {
        {"missing.pcvmss", "cannot open"},
        {"short.pcvmss", "truncated"},
        {"fmt.pcvmss", "format 99"},
    };
    for (unsigned i = 0; i < 3; i++) {
        char extra[300];
        snprintf(extra, sizeof(extra), "-loadvm %s '--inject-keys=" KEYS_REF "'", bad[i][0]);
        st = run(true, "bad", extra);
        const char *err = slurp("err-bad.txt");
        cr_assert_eq(st, 2, "-loadvm %s: status %d, stderr: %s", bad[i][0], st, err);
        cr_assert(lines(err) == 1 && strstr(err, bad[i][0]) && strstr(err, bad[i][1]),
                  "-loadvm %s: stderr: %s", bad[i][0], err);
        cr_assert_str_eq(slurp("com1-bad.txt"), "", "-loadvm %s: the guest ran", bad[i][0]);
    }
}
