/* pcvm's command line: bad input is one line on stderr and exit status 2;
 * isa-debug-exit's status reaches the caller. Runs the pcvm binary that the
 * same build produced (PCVM_BIN) on the demo guest (PCVM_DEMO). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs a shell command; returns its exit status and the lines it wrote to stderr. */
static int run(const char *args, char *err, size_t errlen, int *lines)
{
    char cmd[1024];
    FILE *f;
    size_t n;
    snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null </dev/null", PCVM_BIN, args);
    f = popen(cmd, "r");
    cr_assert_not_null(f);
    n = fread(err, 1, errlen - 1, f);
    err[n] = 0;
    *lines = 0;
    for (size_t i = 0; i < n; i++)
        *lines += err[i] == '\n';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void expect_usage_error(const char *args, const char *needle)
{
    char err[2048];
    int lines;
    int st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 2, "'%s' exited %d: %s", args, st, err);
    cr_assert_eq(lines, 1, "'%s' printed %d lines: %s", args, lines, err);
    cr_assert(strstr(err, needle), "'%s': expected '%s' in: %s", args, needle, err);
}

Test(cli, bad_input_is_one_line_and_status_2)
{
    expect_usage_error("-kernel /nonexistent/k", "/nonexistent/k");
    expect_usage_error("--no-such-option", "--no-such-option");
    expect_usage_error("-m abc -kernel " PCVM_DEMO, "memory size");
    expect_usage_error("-m 1M -kernel " PCVM_DEMO, "memory");
    expect_usage_error("-kernel " PCVM_BIN, "Multiboot"); /* an ELF64 binary is not a Multiboot kernel */
    expect_usage_error("", "nothing to boot");
    expect_usage_error("-m 2M -kernel " PCVM_DEMO " -initrd " PCVM_BIN, "too large");
    expect_usage_error("-bios " PCVM_DEMO, "64 KiB");
    expect_usage_error("-device no-such-dev -kernel " PCVM_DEMO, "no-such-dev");
    expect_usage_error("-device isa-debug-exit,iobase=zz -kernel " PCVM_DEMO, "iobase");
    expect_usage_error("-cpu nosuchcpu -kernel " PCVM_DEMO, "nosuchcpu");
    expect_usage_error("-kernel", "needs an argument");
    expect_usage_error("--engine=fast -kernel " PCVM_DEMO, "fast");
    expect_usage_error("-display sdl -kernel " PCVM_DEMO, "pcvm-sdl");
}

Test(cli, debug_exit_status_and_ignored_qemu_options)
{
    char err[2048];
    int lines;
    int st = run("-nodefaults -display none -serial null -name test -no-user-config "
                 "-device isa-debug-exit,iobase=0xf4,iosize=0x4 -kernel " PCVM_DEMO,
                 err, sizeof(err), &lines);
    cr_assert_eq(st, 1, "status %d: %s", st, err);
    st = run("-accel tcg -machine pc,accel=tcg -cpu qemu64,+sse2,-avx -nodefaults -serial null "
             "-device isa-debug-exit,iobase=0xf4,iosize=0x4 -kernel " PCVM_DEMO,
             err, sizeof(err), &lines);
    cr_assert_eq(st, 1, "status %d: %s", st, err);
}

Test(cli, max_insns_stops_the_guest)
{
    char err[2048];
    int lines;
    int st = run("-nodefaults -serial null --max-insns 1000 -device isa-debug-exit,iobase=0xf4,iosize=0x4 "
                 "-kernel " PCVM_DEMO, err, sizeof(err), &lines);
    cr_assert_eq(st, 0, "status %d: %s", st, err);
    cr_assert(strstr(err, "instruction limit"), "%s", err);
}

Test(cli, trace_names_each_instruction)
{
    char err[2048], path[] = "/tmp/pcvm-trace-XXXXXX", args[512], line[512];
    int lines, fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(args, sizeof(args), "-nodefaults -serial null --max-insns 20000 --trace=%s -kernel %s", path,
             PCVM_DEMO);
    run(args, err, sizeof(err), &lines);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    /* the built-in BIOS starts at the reset vector... */
    cr_assert_not_null(fgets(line, sizeof(line), f));
    cr_assert(strstr(line, "f000:0000fff0"), "%s", line);
    /* ...and enters the demo, which starts with mov esp, imm32 */
    bool entered = false;
    while (!entered && fgets(line, sizeof(line), f))
        entered = strstr(line, "0008:00100020") != NULL;
    cr_assert(entered, "the trace never reaches the kernel entry");
    cr_assert(strstr(line, "mov esp"), "%s", line);
    cr_assert(strstr(line, "rsp="), "%s", line);
    fclose(f);
    unlink(path);
}

/* A Multiboot kernel whose first INT3 finds an empty IDT: #BP -> #GP ->
 * #DF -> triple fault; written to a new file named from the template path. */
static void write_triple_fault_kernel(char *path)
{
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    uint8_t img[64] = {0};
    uint32_t hdr[8] = {0x1badb002, 0x00010000, (uint32_t)-(0x1badb002 + 0x00010000), 0x100000, 0x100000, 0, 0,
                       0x100020};
    static const uint8_t code[] = {
        0x0f, 0x01, 0x1d, 0x30, 0x00, 0x10, 0x00, /* lidt [0x100030] (limit 0, base 0) */
        0xcc,                                     /* int3 */
        0xeb, 0xfe,                               /* jmp $ */
    };
    memcpy(img, hdr, sizeof(hdr));
    memcpy(img + 0x20, code, sizeof(code));
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(img, 1, sizeof(img), f), sizeof(img));
    fclose(f);
}

Test(cli, triple_fault_resets_or_powers_off)
{
    char path[] = "/tmp/pcvm-tf-XXXXXX", args[512], err[4096];
    int lines;
    write_triple_fault_kernel(path);

    snprintf(args, sizeof(args), "-nodefaults -no-reboot -kernel %s", path);
    int st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 0, "-no-reboot: status %d: %s", st, err);
    cr_assert(strstr(err, "triple fault"), "%s", err);
    cr_assert(!strstr(err, "resetting"), "%s", err);

    /* without -no-reboot the machine resets and runs the kernel again */
    snprintf(args, sizeof(args), "-nodefaults --max-insns 20000 -kernel %s", path); /* BIOS + kernel, several times */
    st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 0, "reset: status %d: %s", st, err);
    cr_assert(strstr(err, "triple fault, resetting"), "%s", err);
    char *second = strstr(err, "triple fault, resetting");
    cr_assert(second && strstr(second + 1, "triple fault, resetting"), "expected several resets: %s", err);
    unlink(path);
}

/* A guest that triple faults right after every reset: the loop is
 * reported a few times and then rate-limited, not once per reset. */
Test(cli, triple_fault_loop_does_not_flood_stderr)
{
    char path[] = "/tmp/pcvm-tf-XXXXXX", args[512], err[8192];
    int lines;
    write_triple_fault_kernel(path);
    /* a few thousand instructions per reset (BIOS and kernel): hundreds of resets */
    snprintf(args, sizeof(args), "-nodefaults --max-insns 2000000 -kernel %s", path);
    int st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 0, "status %d: %s", st, err);
    const char *line = strstr(err, "triple faults in all");
    unsigned long long n = 0;
    cr_assert_not_null(line, "the total at power off: %s", err);
    while (line > err && line[-1] != '\n')
        line--;
    cr_assert_eq(sscanf(line, "pcvm: %llu triple", &n), 1, "%s", err);
    cr_assert_gt(n, 100, "hundreds of resets expected: %s", err);
    cr_assert(strstr(err, "pcvm: triple fault, resetting"), "the first ones are each reported: %s", err);
    cr_assert(strstr(err, "100 triple faults so far"), "%s", err);
    cr_assert_leq(lines, 12, "%d lines for %llu resets: %s", lines, n, err);
    unlink(path);
}

/* An ELF32 Multiboot kernel of one PT_LOAD segment: filesz bytes at file
 * offset 0x200 go to paddr (memsz bytes); the file is cut to len bytes. */
static void write_elf_kernel(const char *path, uint32_t mb_flags, uint32_t paddr, uint32_t filesz, size_t len)
{
    uint8_t img[0x400] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    uint32_t mb[3] = {0x1badb002, mb_flags, -(0x1badb002u + mb_flags)};
    uint16_t eh16[] = {2, 3};                     /* ET_EXEC, EM_386 */
    uint32_t eh32[] = {1, paddr, 52};             /* e_version, e_entry, e_phoff */
    uint16_t ph16[] = {52, 32, 1};                /* e_ehsize, e_phentsize, e_phnum */
    uint32_t ph[8] = {1, 0x200, paddr, paddr, filesz, filesz, 7, 0x1000}; /* PT_LOAD */
    memcpy(img + 16, eh16, sizeof(eh16));
    memcpy(img + 20, eh32, sizeof(eh32));
    memcpy(img + 40, ph16, sizeof(ph16));
    memcpy(img + 52, ph, sizeof(ph));
    memcpy(img + 0x100, mb, sizeof(mb));
    for (unsigned i = 0x200; i < sizeof(img); i += 2)
        img[i] = 0xeb, img[i + 1] = 0xfe; /* jmp $ */
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(img, 1, len, f), len);
    fclose(f);
}

Test(cli, multiboot_elf_bad_placement_truncation_and_flags)
{
    char path[] = "/tmp/pcvm-elf-XXXXXX", args[512];
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    /* bounded, so a pcvm that wrongly accepts one stops (status 0, not 2) */
    snprintf(args, sizeof(args), "-nodefaults --max-insns 100000 -kernel %s", path);
    write_elf_kernel(path, 0, 0xa0000, 0x200, 0x400); /* the VGA window */
    expect_usage_error(args, "not in guest RAM");
    write_elf_kernel(path, 0, 0xf0000, 0x200, 0x400); /* the BIOS ROM */
    expect_usage_error(args, "not in guest RAM");
    write_elf_kernel(path, 0, 0x200000, 0x200, 0x300); /* segment data past the end of the file */
    expect_usage_error(args, "truncated");
    write_elf_kernel(path, 0x4, 0x200000, 0x200, 0x400); /* bit 2: video mode information */
    expect_usage_error(args, "Multiboot header requires");
    write_elf_kernel(path, 0x8000, 0x200000, 0x200, 0x400); /* an undefined required bit */
    expect_usage_error(args, "0x8000");
    /* the same kernel in RAM, with the flags pcvm implements, loads and runs */
    char err[2048];
    int lines;
    write_elf_kernel(path, 0x3, 0x200000, 0x200, 0x400);
    snprintf(args, sizeof(args), "-nodefaults --max-insns 100000 -kernel %s", path);
    int st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 0, "status %d: %s", st, err);
    cr_assert(strstr(err, "instruction limit"), "%s", err);
    unlink(path);
}

/* A kernel loaded where the loader's area would be (kvm-unit-tests'
 * realmode test is linked at 0x8000) moves the area after itself: the
 * kernel reports EBX >> 12 through isa-debug-exit, status 2n + 1. */
Test(cli, multiboot_info_moves_out_of_a_low_kernel)
{
    static const uint8_t code[] = {0x89, 0xd8, 0xc1, 0xe8, 0x0c, 0xe6, 0xf4, 0xeb, 0xfe}; /* ebx >> 12 to 0xf4 */
    static const struct {
        uint32_t paddr, info_page;
    } cases[] = {{0x200000, 0x9}, {0x8000, 0xa}, {0x9000, 0xb}, {0x20000, 0x22}};
    char path[] = "/tmp/pcvm-elf-XXXXXX", args[512], err[2048];
    int lines, fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(args, sizeof(args),
             "-nodefaults --max-insns 100000 -device isa-debug-exit,iobase=0xf4,iosize=0x4 -kernel %s", path);
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_elf_kernel(path, 0, cases[i].paddr, 0x200, 0x400);
        FILE *f = fopen(path, "r+b");
        cr_assert_not_null(f);
        cr_assert_eq(fseek(f, 0x200, SEEK_SET), 0);
        cr_assert_eq(fwrite(code, 1, sizeof(code), f), sizeof(code));
        fclose(f);
        int st = run(args, err, sizeof(err), &lines);
        cr_assert_eq(st, (int)(cases[i].info_page * 2 + 1), "kernel at 0x%x: status %d (info page 0x%x expected): %s",
                     cases[i].paddr, st, cases[i].info_page, err);
    }
    unlink(path);
}

/* VMCALL without VMX is #UD: silent by default (test runners fail on
 * stray stderr lines), named with -d unimp. */
Test(cli, unimplemented_instructions_logged_with_d_unimp)
{
    static const uint8_t code[] = {0x0f, 0x01, 0xc1, 0xeb, 0xfe}; /* vmcall; jmp $ */
    char path[] = "/tmp/pcvm-elf-XXXXXX", args[512], err[2048];
    int lines, fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    write_elf_kernel(path, 0, 0x200000, 0x200, 0x400);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, 0x200, SEEK_SET), 0);
    cr_assert_eq(fwrite(code, 1, sizeof(code), f), sizeof(code));
    fclose(f);
    snprintf(args, sizeof(args), "-nodefaults -no-reboot --max-insns 100000 -kernel %s", path);
    run(args, err, sizeof(err), &lines);
    cr_assert(!strstr(err, "unimplemented"), "%s", err);
    cr_assert(strstr(err, "triple fault"), "the #UD was not delivered: %s", err);
    snprintf(args, sizeof(args), "-nodefaults -no-reboot -d unimp --max-insns 100000 -kernel %s", path);
    run(args, err, sizeof(err), &lines);
    cr_assert(strstr(err, "unimplemented instruction at 0008:200000: vmcall"), "%s", err);
    unlink(path);
}

Test(cli, directories_are_named_as_such)
{
    char dir[] = "/tmp/pcvm-dir-XXXXXX", args[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(args, sizeof(args), "-kernel %s", dir);
    expect_usage_error(args, "is a directory");
    snprintf(args, sizeof(args), "-bios %s", dir);
    expect_usage_error(args, "is a directory");
    snprintf(args, sizeof(args), "-kernel %s -initrd %s", PCVM_DEMO, dir);
    expect_usage_error(args, "is a directory");
    snprintf(args, sizeof(args), "-kernel %s -device loader,file=%s,addr=0x200000", PCVM_DEMO, dir);
    expect_usage_error(args, "is a directory");
    snprintf(args, sizeof(args), "-kernel %s -hda %s", PCVM_DEMO, dir);
    expect_usage_error(args, "Is a directory");
    rmdir(dir);
}

Test(cli, numbers_and_smp_suboptions_are_checked)
{
    /* each run is bounded by a valid --max-insns given after the bad one, so a
     * pcvm that wrongly accepts the bad value stops (status 0, not 2) */
#define BOUNDED " --max-insns 100000 -nodefaults -kernel " PCVM_DEMO
    expect_usage_error("--max-insns -1" BOUNDED, "--max-insns");
    expect_usage_error("--max-insns 10x" BOUNDED, "--max-insns");
    expect_usage_error("--max-insns 99999999999999999999999" BOUNDED, "--max-insns");
    expect_usage_error("-m -1" BOUNDED, "memory size");
    expect_usage_error("-icount shift=-1" BOUNDED, "shift");
    expect_usage_error("-drive file=x,index=-1" BOUNDED, "index");
    expect_usage_error("-smp 2,zzz" BOUNDED, "zzz");
    expect_usage_error("-smp cpus=2,bogus=1" BOUNDED, "bogus");
    expect_usage_error("-smp -2" BOUNDED, "-smp");
    expect_usage_error("-smp 2,cores=x" BOUNDED, "cores");
    expect_usage_error("-smp 4,sockets=3" BOUNDED, "maxcpus");         /* 3 CPUs cannot hold 4 */
    expect_usage_error("-smp 4,maxcpus=6,cores=4" BOUNDED, "maxcpus"); /* 1 x 4 is not 6 */
#undef BOUNDED
    /* QEMU's spellings that are consistent run */
    static const char *const ok[] = {"-smp 2", "-smp cpus=2,sockets=1,cores=2,threads=1", "-smp sockets=2,cores=2",
                                     "-smp 2,maxcpus=4", "--debugcon 0x402:/dev/null"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char args[256], err[2048];
        int lines;
        snprintf(args, sizeof(args), "-nodefaults --max-insns 1000 %s -kernel %s", ok[i], PCVM_DEMO);
        int st = run(args, err, sizeof(err), &lines);
        cr_assert_eq(st, 0, "'%s': status %d: %s", ok[i], st, err);
    }
}

Test(cli, serial_input_reaches_the_guest)
{
    /* The echo guest copies COM1 input to COM1 output until 'q'. */
    char cmd[512], out[256];
    snprintf(cmd, sizeof(cmd),
             "printf 'pcvm 123q' | %s -nodefaults -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x4 "
             "-kernel %s 2>/dev/null",
             PCVM_BIN, PCVM_ECHO);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = 0;
    int st = pclose(f);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d, output '%s'", st, out);
    cr_assert_str_eq(out, "echo> pcvm 123");
}

/* Runs the timing guest and returns its serial output (malloc'd). */
static char *timing_output(const char *extra)
{
    char cmd[512], *out = calloc(1, 4096);
    snprintf(cmd, sizeof(cmd),
             "%s %s -nodefaults -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x4 -kernel %s "
             "</dev/null 2>/dev/null",
             PCVM_BIN, extra, PCVM_TIMING);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, 4095, f);
    out[n] = 0;
    int st = pclose(f);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d, output '%s'", st, out);
    return out;
}

Test(cli, icount_makes_runs_identical)
{
    /* TSC deltas, PIT readings and interrupt counts depend on virtual time
     * only; under --icount two runs must print the same bytes. */
    char *a = timing_output("--icount"), *b = timing_output("--icount");
    cr_assert_gt(strlen(a), 100, "output: %s", a);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    a = timing_output("-icount shift=3");
    b = timing_output("--icount=3");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

/* Outputs (issue 9): a device, FIFO or link to one at an output path is
 * written through, never replaced by a file; a write error is one line and
 * a non-zero status. */
#define DEBUG_EXIT "-device isa-debug-exit,iobase=0xf4,iosize=0x4 "

static void make_dir(char *dir)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* path is still a symbolic link to target. */
static void expect_link(const char *path, const char *target)
{
    char buf[256];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    cr_assert_gt(n, 0, "%s is no longer a symbolic link", path);
    buf[n] = 0;
    cr_assert_str_eq(buf, target);
}

/* Runs pcvm with args (%s: path) and expects status 2 and one line naming path. */
static void expect_write_error(const char *fmt, const char *path)
{
    char args[512], err[2048];
    int lines;
    snprintf(args, sizeof(args), fmt, path);
    int st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 2, "'%s' exited %d: %s", args, st, err);
    cr_assert_eq(lines, 1, "'%s' printed %d lines: %s", args, lines, err);
    cr_assert(strstr(err, path) && strstr(err, "No space left"), "'%s': %s", args, err);
}

Test(cli, dump_and_screenshot_write_through_devices)
{
    char dir[] = "/tmp/pcvm-out-XXXXXX", null_link[64], full_link[64], args[512], err[2048];
    int lines;
    struct stat st;
    make_dir(dir);
    snprintf(null_link, sizeof(null_link), "%s/null", dir);
    snprintf(full_link, sizeof(full_link), "%s/full", dir);
    cr_assert_eq(symlink("/dev/null", null_link), 0);
    cr_assert_eq(symlink("/dev/full", full_link), 0);

    snprintf(args, sizeof(args), "-nodefaults -serial null " DEBUG_EXIT "--dump-phys %s -kernel %s", null_link,
             PCVM_DEMO);
    int s = run(args, err, sizeof(err), &lines);
    cr_assert_eq(s, 1, "status %d: %s", s, err);
    expect_link(null_link, "/dev/null");

    expect_write_error("-nodefaults -serial null " DEBUG_EXIT "--dump-phys %s -kernel " PCVM_DEMO, full_link);
    expect_link(full_link, "/dev/full");
    expect_write_error("-nodefaults -vga std -serial null " DEBUG_EXIT "--screenshot %s -kernel " PCVM_DEMO,
                       full_link);
    expect_link(full_link, "/dev/full");

    /* a FIFO stays a FIFO and its reader gets all of RAM (128 MiB) */
    char fifo[64], cmd[1024], out[64];
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    snprintf(cmd, sizeof(cmd),
             "wc -c < %s > %s/count & %s -nodefaults -serial null " DEBUG_EXIT "--dump-phys %s -kernel %s "
             "</dev/null >/dev/null 2>&1; s=$?; wait; echo $s $(cat %s/count)",
             fifo, dir, PCVM_BIN, fifo, PCVM_DEMO, dir);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = 0;
    pclose(f);
    unsigned long status = 0, bytes = 0;
    cr_assert_eq(sscanf(out, "%lu %lu", &status, &bytes), 2, "%s", out);
    cr_assert_eq(status, 1, "%s", out);
    cr_assert_eq(bytes, 128ul << 20, "%s", out);
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode));

    /* a regular file is replaced whole, with no temporary file left beside it */
    char reg[64];
    snprintf(reg, sizeof(reg), "%s/ram.bin", dir);
    snprintf(args, sizeof(args), "-nodefaults -serial null " DEBUG_EXIT "--dump-phys %s -kernel %s", reg,
             PCVM_DEMO);
    s = run(args, err, sizeof(err), &lines);
    cr_assert_eq(s, 1, "status %d: %s", s, err);
    cr_assert_eq(stat(reg, &st), 0);
    cr_assert_eq(st.st_size, 128 << 20);
    snprintf(cmd, sizeof(cmd), "ls %s | grep -c tmp", dir);
    f = popen(cmd, "r");
    n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = 0;
    pclose(f);
    cr_assert_eq(atoi(out), 0, "temporary files left in %s", dir);
    remove_dir(dir);
}

Test(cli, serial_and_trace_write_errors_fail_the_run)
{
    expect_write_error("-nodefaults -serial file:%s " DEBUG_EXIT "-kernel " PCVM_DEMO, "/dev/full");
    expect_write_error("-nodefaults -serial null " DEBUG_EXIT "--trace=%s -kernel " PCVM_DEMO,
                       "/dev/full");
}

/* An image that another process writes (it holds the exclusive lock a
 * running pcvm takes) is refused, read-only use included. */
Test(cli, disk_in_use_by_another_process_is_refused)
{
    char img[] = "/tmp/pcvm-disk-XXXXXX", args[512], err[2048];
    int lines, fd = mkstemp(img);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, 1 << 20), 0);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    cr_assert_eq(fcntl(fd, F_OFD_SETLK, &fl), 0);
    const char *opts[] = {"-hda %s", "-snapshot -hda %s", "-drive file=%s,format=raw,readonly=on"};
    for (unsigned i = 0; i < 3; i++) {
        char drive[128];
        snprintf(drive, sizeof(drive), opts[i], img);
        snprintf(args, sizeof(args), "-nodefaults -serial null " DEBUG_EXIT "%s -kernel %s", drive, PCVM_DEMO);
        int st = run(args, err, sizeof(err), &lines);
        cr_assert_eq(st, 2, "'%s' exited %d: %s", args, st, err);
        cr_assert_eq(lines, 1, "%s", err);
        cr_assert(strstr(err, img) && strstr(err, "another process") && strstr(err, "-snapshot"), "%s", err);
    }
    /* a reader leaves room for other readers, not for a writer */
    fl.l_type = F_RDLCK;
    cr_assert_eq(fcntl(fd, F_OFD_SETLK, &fl), 0);
    snprintf(args, sizeof(args), "-nodefaults -serial null " DEBUG_EXIT "-snapshot -hda %s -kernel %s", img,
             PCVM_DEMO);
    int st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 1, "status %d: %s", st, err);
    snprintf(args, sizeof(args), "-nodefaults -serial null " DEBUG_EXIT "-hda %s -kernel %s", img, PCVM_DEMO);
    st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 2, "status %d: %s", st, err);
    close(fd);
    st = run(args, err, sizeof(err), &lines);
    cr_assert_eq(st, 1, "status %d after the lock went: %s", st, err);
    unlink(img);
}

Test(cli, conform_junit_writes_through_devices)
{
    char dir[] = "/tmp/pcvm-junit-XXXXXX", cfg[64], link[64], cmd[512];
    make_dir(dir);
    snprintf(cfg, sizeof(cfg), "%s/t.cfg", dir);
    FILE *f = fopen(cfg, "w");
    cr_assert_not_null(f);
    fputs("[demo]\nfile=demo.bin\ngroups=nodefault\n", f); /* skipped: nothing runs */
    fclose(f);
    snprintf(link, sizeof(link), "%s/null", dir);
    cr_assert_eq(symlink("/dev/null", link), 0);
    snprintf(cmd, sizeof(cmd), "%s-conform --testdir build/guest --junit %s %s >/dev/null 2>&1", PCVM_BIN, link,
             cfg);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
    expect_link(link, "/dev/null");
    snprintf(link, sizeof(link), "%s/full", dir);
    cr_assert_eq(symlink("/dev/full", link), 0);
    snprintf(cmd, sizeof(cmd), "%s-conform --testdir build/guest --junit %s %s >/dev/null 2>&1", PCVM_BIN, link,
             cfg);
    st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "a JUnit file on /dev/full: status %d", st);
    expect_link(link, "/dev/full");
    remove_dir(dir);
}

/* Runs pcvm; returns its exit status and what it wrote to stdout. */
static int run_stdout(const char *args, char *out, size_t outlen)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null </dev/null", PCVM_BIN, args);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = 0;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What kvm-unit-tests' scripts ask of a QEMU binary before they run a test:
 * `--help` mentions QEMU; `-h | head -1` read as "NAME emulator version
 * MAJOR.MINOR.MICRO ..." split at spaces and dots (arch-run.bash,
 * env_params); `-device '?'` lists "pc-testdev" and pci-testdev (x86/run,
 * grep -F); a missing kernel is reported as "could not load kernel" with
 * its name (runtime.bash, premature_failure). */
Test(cli, kvm_unit_tests_runner_probes)
{
    char out[16384], err[2048], first[256];
    int lines;

    cr_assert_eq(run_stdout("--help", out, sizeof(out)), 0);
    cr_assert(strstr(out, "QEMU"), "--help names QEMU");
    cr_assert_eq(run_stdout("-h", out, sizeof(out)), 0);
    size_t n = strcspn(out, "\n");
    cr_assert(n < sizeof(first));
    memcpy(first, out, n);
    first[n] = 0;
    /* IFS='[ .]' read -r _ _ _ QEMU_MAJOR QEMU_MINOR QEMU_MICRO rest */
    char *field[8] = {0}, *save = NULL, *p = first;
    unsigned nf = 0;
    for (char *t = strtok_r(p, " .", &save); t && nf < 8; t = strtok_r(NULL, " .", &save))
        field[nf++] = t;
    cr_assert_geq(nf, 6, "'%s'", out);
    cr_assert_str_eq(field[1], "emulator");
    cr_assert_str_eq(field[2], "version");
    for (unsigned i = 3; i < 6; i++) {
        char *end;
        strtoul(field[i], &end, 10);
        cr_assert(end != field[i] && !*end, "version field %u '%s' is a number", i, field[i]);
    }
    cr_assert_geq(atoi(field[3]), 4, "QEMU major version");
    char line[256];
    memcpy(line, out, n);
    line[n] = 0;
    cr_assert_eq(run_stdout("-version", out, sizeof(out)), 0);
    cr_assert(!strncmp(out, line, n) && out[n] == '\n', "-version prints the same line: %s", out);

    cr_assert_eq(run_stdout("-device '?'", out, sizeof(out)), 0);
    cr_assert(strstr(out, "\"pc-testdev\""), "%s", out);
    cr_assert(strstr(out, "\"pci-testdev\""), "%s", out);
    for (char *l = out; *l; l = strchr(l, '\n') + 1) {
        cr_assert(!strncmp(l, "name \"", 6), "QEMU's format: '%.*s'", (int)strcspn(l, "\n"), l);
        if (!strchr(l, '\n'))
            break;
    }
    cr_assert_eq(run_stdout("-device help", out, sizeof(out)), 0);
    cr_assert(strstr(out, "\"isa-debug-exit\""), "%s", out);

    cr_assert_eq(run("-nodefaults -kernel _NO_FILE_4Uhere_", err, sizeof(err), &lines), 2);
    cr_assert(strstr(err, "_NO_FILE_4Uhere_") && strstr(err, "could not load kernel"), "%s", err);
}

static void expect_runs(const char *args, const char *needle)
{
    char err[2048];
    int lines;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "-nodefaults -serial null -device isa-debug-exit,iobase=0xf4,iosize=0x4 %s -kernel %s",
             args, PCVM_DEMO);
    int st = run(cmd, err, sizeof(err), &lines);
    cr_assert_eq(st, 1, "'%s' exited %d: %s", args, st, err);
    if (needle)
        cr_assert(strstr(err, needle), "'%s': expected '%s' in: %s", args, needle, err);
    else
        cr_assert_eq(lines, 0, "'%s' printed: %s", args, err);
}

/* QEMU's -cpu: a flag QEMU knows that pcvm lacks is a warning (the runner
 * treats stderr lines with "warning" as harmless); a name QEMU does not
 * know is an error. Vendor and signature properties are accepted. */
Test(cli, cpu_options_as_qemu)
{
    expect_runs("-cpu max,+svm", "warning: pcvm does not support requested feature: svm");
    expect_runs("-cpu qemu64,+vmx", "requested feature: vmx");
    expect_runs("-cpu max,+vmx,avx512f=on", "requested feature: avx512f");
    expect_runs("-cpu Opteron_G1,vendor=AuthenticAMD", NULL);
    expect_runs("-cpu Haswell,family=6,model=63,stepping=2,level=13,xlevel=0x80000008,+x2apic,tsc_deadline=on", NULL);
    expect_runs("-cpu kvm64-v1,-svm,lahf-lm=off,sse4-1=on", NULL);
    expect_usage_error("-cpu max,+nosuchflag -kernel " PCVM_DEMO, "nosuchflag");
    expect_usage_error("-cpu max,vendor=Intel -kernel " PCVM_DEMO, "vendor");
    expect_usage_error("-cpu max,stepping=16 -kernel " PCVM_DEMO, "stepping");
}

/* -machine properties, -chardev ids, the debug console now that pc-testdev
 * no longer sits on port 0xE9, and --debugcon PORT:FILE. */
Test(cli, machine_chardev_and_debugcon)
{
    char path[64], arg[256];
    snprintf(path, sizeof(path), "/tmp/pcvm-cli-%d.txt", (int)getpid());

    expect_runs("-machine pit=off", NULL);
    expect_runs("-machine pc,accel=tcg,kernel_irqchip=split,smm=off,vmport=off", NULL);
    expect_usage_error("-machine nosuchprop=1 -kernel " PCVM_DEMO, "nosuchprop");
    expect_usage_error("-machine pit=maybe -kernel " PCVM_DEMO, "pit");
    expect_usage_error("-machine hpet=off -kernel " PCVM_DEMO, "hpet");

    snprintf(arg, sizeof(arg), "-debugcon file:%s", path);
    expect_runs(arg, NULL);
    cr_assert_eq(access(path, F_OK), 0, "-debugcon file: created %s", path);
    unlink(path);
    expect_runs("-debugcon null -device pc-testdev", NULL);
    snprintf(arg, sizeof(arg), "--debugcon 0x402:%s", path);
    expect_runs(arg, NULL);
    cr_assert_eq(access(path, F_OK), 0, "--debugcon PORT:FILE created %s", path);
    unlink(path);
    snprintf(arg, sizeof(arg), "-chardev file,id=log,path=%s -device isa-debugcon,iobase=0x402,chardev=log", path);
    expect_runs(arg, NULL);
    cr_assert_eq(access(path, F_OK), 0, "-chardev file created %s", path);
    unlink(path);
    expect_runs("-chardev null,id=c0 -serial chardev:c0 -chardev stdio,id=c1,signal=off -debugcon chardev:c1", NULL);
    expect_usage_error("--debugcon 0x402 -kernel " PCVM_DEMO, "PORT:FILE");
    expect_usage_error("--debugcon 0x10000:/tmp/x -kernel " PCVM_DEMO, "PORT:FILE");
    expect_usage_error("-chardev socket,id=s -kernel " PCVM_DEMO, "socket");
    expect_usage_error("-chardev file,id=f -kernel " PCVM_DEMO, "path=");
    expect_usage_error("-chardev null,id=a -chardev null,id=a -kernel " PCVM_DEMO, "duplicate");
    expect_usage_error("-serial chardev:nope -kernel " PCVM_DEMO, "nope");
    expect_usage_error("-device pci-testdev,addr=zz -kernel " PCVM_DEMO, "addr");
    expect_runs("-device pci-testdev,addr=5.0 -device pc-testdev", NULL);
}

/* REM's options: --rem-tier and --rem-hot are checked, and --trace-tb
 * writes each compiled block's guest and host disassembly. */
Test(cli, rem_options_and_trace_tb)
{
    char err[2048], path[] = "/tmp/pcvm-trace-tb-XXXXXX", args[512], buf[4096];
    int lines, fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    expect_usage_error("--rem-tier=3 -kernel " PCVM_DEMO, "--rem-tier");
    expect_usage_error("--rem-hot=0 -kernel " PCVM_DEMO, "--rem-hot");
    snprintf(args, sizeof(args),
             "-nodefaults -display none -serial none -device isa-debug-exit,iobase=0xf4,iosize=0x4 "
             "--rem-hot=1 --trace-tb %s -kernel %s",
             path, PCVM_DEMO);
    int st = run(args, err, sizeof(err), &lines);
    cr_assert(st == 1 || st == 0, "demo under --trace-tb exited %d: %s", st, err);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    unlink(path);
    cr_assert(strstr(buf, "TB cpu0 gpa ") && strstr(buf, "  guest:\n") && strstr(buf, "  host:\n") &&
                  strstr(buf, "push    rbx"),
              "no compiled block in the TB trace: %s", buf);
}

/* --cpu-cap: checked like every number, a capped guest still runs to its
 * end, and the monitor's info cpus shows the cap. (How close the use stays
 * to the cap is a measurement, not asserted here.) */
Test(cli, cpu_cap)
{
    char out[4096], cmd[1024];
    int lines;
    expect_usage_error("--cpu-cap 0 -kernel " PCVM_DEMO, "--cpu-cap");
    expect_usage_error("--cpu-cap 101 -kernel " PCVM_DEMO, "--cpu-cap");
    expect_usage_error("--cpu-cap=-5 -kernel " PCVM_DEMO, "--cpu-cap");
    int st = run("-nodefaults -display none -serial none -device isa-debug-exit,iobase=0xf4,iosize=0x4 "
                 "--cpu-cap 50 -kernel " PCVM_DEMO,
                 out, sizeof(out), &lines);
    cr_assert(st == 0 || st == 1, "a capped demo exited %d: %s", st, out);
    snprintf(cmd, sizeof(cmd),
             "printf 'info cpus\\nquit\\n' | %s -nodefaults -display none -serial null -monitor stdio -S "
             "--cpu-cap 40 -kernel %s 2>&1",
             PCVM_BIN, PCVM_DEMO);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = 0;
    pclose(f);
    cr_assert(strstr(out, "CPU #0") && strstr(out, "cap=40%"), "info cpus: %s", out);
}
