/* The display end to end, through the firmware: SeaBIOS (Debian's, copied
 * to build/guest/seabios.rom) runs the VGA BIOS and boots a disk image
 * (mbboot.asm + a Multiboot guest, tests/guest/mkboot.py) whose guest
 * programs the VGA itself (tests/guest/vgashow.inc) and draws known
 * patterns; pcvm's --screenshot must equal, pixel for pixel, the image
 * computed here from the same patterns. Under Xvfb, pcvm-sdl runs the
 * keyboard guest: keys injected into the window must reach the guest as
 * set 2 scancodes (echoed on COM1), and its screenshot must show the text
 * pattern. Without Xvfb the window test prints a SKIP: line and is skipped. */
#include <criterion/criterion.h>
#include <png.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PCVM_SDL PCVM_BIN "-sdl"

struct image {
    unsigned w, h;
    uint32_t *px;
};

static char guest_dir[512];
static char tmp_dir[256];

static void setup(void)
{
    snprintf(guest_dir, sizeof(guest_dir), "%s", PCVM_DEMO);
    *strrchr(guest_dir, '/') = 0;
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/pcvm-vga-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp_dir);
    cr_assert_eq(system(cmd), 0);
}

static int load_png(const char *path, struct image *im)
{
    png_image pi;
    memset(&pi, 0, sizeof(pi));
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path))
        return -1;
    pi.format = PNG_FORMAT_BGRA; /* little-endian 0xAARRGGBB words */
    im->w = pi.width, im->h = pi.height;
    im->px = malloc(PNG_IMAGE_SIZE(pi));
    if (!im->px || !png_image_finish_read(&pi, NULL, im->px, 0, NULL)) {
        free(im->px);
        return -1;
    }
    for (size_t i = 0; i < (size_t)im->w * im->h; i++)
        im->px[i] &= 0xffffff;
    return 0;
}

/* ---- the patterns of vgashow.inc ---- */

static uint8_t c6to8(unsigned v)
{
    v &= 63;
    return (uint8_t)(v << 2 | (v & 1) * 3);
}

static uint32_t dac(unsigned i)
{
    return (uint32_t)c6to8(5 * i) << 16 | (uint32_t)c6to8(11 * i) << 8 | c6to8(17 * i);
}

static uint8_t font_row(unsigned c, unsigned r)
{
    return (uint8_t)(c ^ ((37 * r) & 0xff));
}

/* marker: the vgakeys guest's "KEYS?" in attribute 0x0F over cells 0-4 */
static uint32_t text_pixel(unsigned x, unsigned y, bool marker)
{
    unsigned n = (y / 16) * 80 + x / 9, line = y % 16, dx = x % 9;
    unsigned c = n & 0xff, attr = (7 * n) & 0x7f;
    if (marker && n < 5) {
        c = (unsigned char)"KEYS?"[n];
        attr = 0x0f;
    }
    unsigned bits = font_row(c, line), on;
    if (dx < 8)
        on = bits >> (7 - dx) & 1;
    else
        on = (c >= 0xc0 && c <= 0xdf) ? bits & 1 : 0; /* line graphics */
    return dac(on ? attr & 15 : (attr >> 4) & 7);
}

static uint32_t m13_pixel(unsigned x, unsigned y)
{
    unsigned k = y * 320 + x;
    return dac((k ^ (k >> 6)) & 0xff);
}

static uint32_t vbe_pixel(unsigned x, unsigned y)
{
    return ((x + y) & 255) << 16 | (y & 255) << 8 | (x & 255);
}

static void compare(const struct image *im, unsigned w, unsigned h, uint32_t (*want)(unsigned, unsigned, bool),
                    bool marker)
{
    cr_assert_eq(im->w, w, "width %u, expected %u", im->w, w);
    cr_assert_eq(im->h, h, "height %u, expected %u", im->h, h);
    unsigned bad = 0, fx = 0, fy = 0;
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            if (im->px[y * w + x] != want(x, y, marker) && !bad++)
                fx = x, fy = y;
    cr_assert_eq(bad, 0, "%u pixels differ; first at (%u, %u): %06x, expected %06x", bad, fx, fy,
                 im->px[fy * w + fx], want(fx, fy, marker));
}

static uint32_t want_text(unsigned x, unsigned y, bool m) { return text_pixel(x, y, m); }
static uint32_t want_13h(unsigned x, unsigned y, bool m) { (void)m; return m13_pixel(x, y); }
static uint32_t want_vbe(unsigned x, unsigned y, bool m) { (void)m; return vbe_pixel(x, y); }

static void shot(const char *guest, struct image *im)
{
    char cmd[2048], png[300];
    snprintf(png, sizeof(png), "%s/%s.png", tmp_dir, guest);
    snprintf(cmd, sizeof(cmd),
             "%s -nodefaults -vga std -display none -serial null -device isa-debug-exit,iobase=0xf4,iosize=0x4 "
             "-bios %s/seabios.rom -hda %s/%s.img -snapshot --screenshot %s </dev/null",
             PCVM_BIN, guest_dir, guest_dir, guest, png);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s: status %d", guest, st);
    cr_assert_eq(load_png(png, im), 0, "cannot read %s", png);
}

TestSuite(vga_display, .init = setup, .fini = teardown, .timeout = 120);

Test(vga_display, text_mode_screenshot)
{
    struct image im;
    shot("vgatext", &im);
    compare(&im, 720, 400, want_text, false);
    free(im.px);
}

Test(vga_display, mode_13h_screenshot)
{
    struct image im;
    shot("vga13h", &im);
    compare(&im, 320, 200, want_13h, false);
    free(im.px);
}

Test(vga_display, vbe_lfb_screenshot)
{
    struct image im;
    shot("vgavbe", &im);
    compare(&im, 400, 300, want_vbe, false);
    free(im.px);
}

Test(vga_display, dump_text)
{
    char cmd[2048], line[512];
    snprintf(cmd, sizeof(cmd),
             "%s -nodefaults -vga std -display none -serial null -device isa-debug-exit,iobase=0xf4,iosize=0x4 "
             "-bios %s/seabios.rom -hda %s/vgatext.img -snapshot --dump-text </dev/null",
             PCVM_BIN, guest_dir, guest_dir);
    FILE *f = popen(cmd, "r");
    unsigned rows = 0;
    bool found = false;
    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f)) {
        rows++;
        found |= strstr(line, "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL;
    }
    pclose(f);
    cr_assert_eq(rows, 25);
    cr_assert(found, "the character codes 0x30.. are on screen");
}

/* Starts Xvfb on a free display; 0 and the pid, or -1 when it cannot. */
static int start_xvfb(pid_t *pid, int *disp)
{
    for (int d = 90 + getpid() % 50; d < 200; d++) {
        char lock[64], sock[64], name[16];
        snprintf(lock, sizeof(lock), "/tmp/.X%d-lock", d);
        snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", d);
        if (access(lock, F_OK) == 0)
            continue;
        snprintf(name, sizeof(name), ":%d", d);
        *pid = fork();
        if (*pid == 0) {
            int fd = open("/dev/null", 1);
            dup2(fd, 1), dup2(fd, 2);
            execlp("Xvfb", "Xvfb", name, "-screen", "0", "1024x768x24", "-nolisten", "tcp", (char *)NULL);
            _exit(127);
        }
        for (int i = 0; i < 100; i++) { /* up to 5 s */
            int st;
            if (waitpid(*pid, &st, WNOHANG) == *pid)
                return -1;
            if (access(sock, F_OK) == 0) {
                *disp = d;
                usleep(100000);
                return 0;
            }
            usleep(50000);
        }
        kill(*pid, SIGTERM);
        waitpid(*pid, NULL, 0);
        return -1;
    }
    return -1;
}

Test(vga_display, sdl_window_keys_and_screenshot)
{
    pid_t xpid;
    int disp;
    if (access(PCVM_SDL, X_OK) != 0 || start_xvfb(&xpid, &disp) < 0) {
        printf("SKIP: pcvm-sdl window test: Xvfb cannot start (install xvfb)\n");
        fflush(stdout);
        teardown(); /* a skipped test's fini does not run */
        cr_skip_test("Xvfb cannot start");
    }
    char cmd[2048], png[300], out[300], buf[1024];
    snprintf(png, sizeof(png), "%s/keys.png", tmp_dir);
    snprintf(out, sizeof(out), "%s/com1.txt", tmp_dir);
    snprintf(cmd, sizeof(cmd),
             "DISPLAY=:%d ASAN_OPTIONS=detect_leaks=0 SDL_AUDIODRIVER=dummy timeout 60 %s -nodefaults -vga std "
             "-serial file:%s -device isa-debug-exit,iobase=0xf4,iosize=0x4 -bios %s/seabios.rom "
             "-hda %s/vgakeys.img -snapshot --screenshot %s '--inject-keys=A,Right Alt,Pause,PrintScreen,Up,Escape' "
             "</dev/null",
             disp, PCVM_SDL, out, guest_dir, guest_dir, png);
    int st = system(cmd);
    kill(xpid, SIGTERM);
    waitpid(xpid, NULL, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "pcvm-sdl: status %d", st);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    const char *want = "1c f0 1c e0 11 e0 f0 11 e1 14 77 e1 f0 14 f0 77 e0 12 e0 7c e0 f0 7c e0 f0 12 "
                       "e0 75 e0 f0 75 76 f0 76 ";
    cr_assert(strstr(buf, want), "COM1: %s", buf);
    struct image im;
    cr_assert_eq(load_png(png, &im), 0);
    compare(&im, 720, 400, want_text, true);
    free(im.px);
}
