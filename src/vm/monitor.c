/* The human monitor's commands (QEMU's HMP spelling): one line in, text
 * out on a descriptor. The servers (monitor_io.c) and QMP's
 * human-monitor-command share this one interpreter.
 *
 * Invariants:
 * - A malformed, unknown or too long line is one "Error: ..." reply; no
 *   line can end the connection except quit.
 * - Reading guest state never changes it: memory is read with the
 *   debugger's side-effect-free access (dbg.c), registers as they are
 *   (a running vCPU's are a snapshot, as with QEMU's TCG).
 */
#include "vm/monitor.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi.h"
#include "devices/vga.h"
#include "vm/dbg.h"
#include "vm/ss.h"

static const char help_text[] =
    "info registers|mem|tlb|mode|cr3|ram|cpus|engines|tb|status  show the VM's state\n"
    "x /fmt ADDR       virtual memory dump (fmt: count, format x d u o c i, size b h w g)\n"
    "xp /fmt ADDR      physical memory dump\n"
    "stop              stop every vCPU\n"
    "cont | c          resume\n"
    "system_reset      reset the machine\n"
    "system_powerdown  press the ACPI power button\n"
    "screendump FILE   write the display as a PNG\n"
    "sendkey KEYS      press keys, e.g. sendkey ctrl-alt-delete\n"
    "savevm FILE | loadvm FILE   save the VM's state to FILE, or load it\n"
    "quit | q          end pcvm\n"
    "help | ?          this list\n";

static void info_cpus(struct vm *vm, int fd)
{
    for (unsigned i = 0; i < vm->ncpus; i++) {
        const struct cpu *c = &vm->cpus[i].cpu;
        dprintf(fd, "%c CPU #%u: pc=0x%016llx%s", i == 0 ? '*' : ' ', i, (unsigned long long)dbg_pc(c),
                c->halted ? " (halted)" : "");
        if (vm->cfg.cpu_cap) /* --cpu-cap: the cap and the use over the last window */
            dprintf(fd, " cap=%u%% used=%u%%", vm->cfg.cpu_cap, atomic_load(&vm->cpus[i].cap.used_pct));
        dprintf(fd, "\n");
    }
}

static void info_registers(struct vm *vm, int fd)
{
    char buf[2048];
    for (unsigned i = 0; i < vm->ncpus; i++) {
        cpu_dump(&vm->cpus[i].cpu, buf, sizeof(buf));
        dprintf(fd, "CPU#%u\n%s", i, buf);
    }
}

static int cmd_info(struct vm *vm, const char *arg, int fd)
{
    if (!strcmp(arg, "registers"))
        info_registers(vm, fd);
    else if (!strcmp(arg, "cpus"))
        info_cpus(vm, fd);
    else if (!strcmp(arg, "status"))
        dprintf(fd, "VM status: %s\n", monitor_vm_paused(vm) ? "paused" : "running");
    else if (!strcmp(arg, "mem")) /* the page tables, as PGM walks them */
        vm_info(vm, "cr3", fd);
    else if (!*arg || vm_info(vm, arg, fd) < 0) {
        dprintf(fd, "Error: unknown info item '%s' (registers, mem, cpus, status, %s)\n", arg, vm_info_names);
        return -1;
    }
    return 0;
}

bool monitor_vm_paused(struct vm *vm)
{
    return (atomic_load(&vm->ff) & VM_FF_SUSPEND) != 0;
}

/* A number (0x hex, decimal) or $pc/$rip/$eip/$sp/$rsp/$esp of vCPU 0. */
static int parse_addr(struct vm *vm, const char *s, uint64_t *out)
{
    const struct cpu *c = &vm->cpus[0].cpu;
    char *end;
    if (*s == '$') {
        if (!strcmp(s, "$pc") || !strcmp(s, "$rip") || !strcmp(s, "$eip"))
            *out = dbg_pc(c);
        else if (!strcmp(s, "$sp") || !strcmp(s, "$rsp") || !strcmp(s, "$esp"))
            *out = c->seg[S_SS].base + c->gpr[R_SP];
        else
            return -1;
        return 0;
    }
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno || *end ? -1 : 0;
}

static int cmd_x(struct vm *vm, const char *arg, bool phys, int fd)
{
    struct mon_fmt f = {.count = 1, .format = 'x', .size = 4};
    uint64_t addr;
    if (*arg == '/') {
        size_t n = strcspn(arg, " ");
        if (monitor_parse_fmt(arg + 1, n - 1, &f) < 0) {
            dprintf(fd, "Error: bad format '%.*s' (/COUNT FORMAT SIZE, e.g. /4xw)\n", (int)n, arg);
            return -1;
        }
        arg += n;
        while (*arg == ' ')
            arg++;
    }
    if (parse_addr(vm, arg, &addr) < 0) {
        dprintf(fd, "Error: bad address '%s'\n", arg);
        return -1;
    }
    return monitor_dump(vm, &f, addr, phys, fd);
}

/* The keys of sendkey: QEMU's names, PS/2 set 2 codes (0xE0xx: extended). */
static const struct { const char *name; uint16_t code; } keys[] = {
    {"a", 0x1c}, {"b", 0x32}, {"c", 0x21}, {"d", 0x23}, {"e", 0x24}, {"f", 0x2b}, {"g", 0x34}, {"h", 0x33},
    {"i", 0x43}, {"j", 0x3b}, {"k", 0x42}, {"l", 0x4b}, {"m", 0x3a}, {"n", 0x31}, {"o", 0x44}, {"p", 0x4d},
    {"q", 0x15}, {"r", 0x2d}, {"s", 0x1b}, {"t", 0x2c}, {"u", 0x3c}, {"v", 0x2a}, {"w", 0x1d}, {"x", 0x22},
    {"y", 0x35}, {"z", 0x1a}, {"0", 0x45}, {"1", 0x16}, {"2", 0x1e}, {"3", 0x26}, {"4", 0x25}, {"5", 0x2e},
    {"6", 0x36}, {"7", 0x3d}, {"8", 0x3e}, {"9", 0x46}, {"ret", 0x5a}, {"spc", 0x29}, {"tab", 0x0d},
    {"esc", 0x76}, {"backspace", 0x66}, {"minus", 0x4e}, {"equal", 0x55}, {"shift", 0x12}, {"shift_r", 0x59},
    {"ctrl", 0x14}, {"ctrl_r", 0xe014}, {"alt", 0x11}, {"alt_r", 0xe011}, {"delete", 0xe071},
    {"insert", 0xe070}, {"home", 0xe06c}, {"end", 0xe069}, {"pgup", 0xe07d}, {"pgdn", 0xe07a},
    {"up", 0xe075}, {"down", 0xe072}, {"left", 0xe06b}, {"right", 0xe074}, {"f1", 0x05}, {"f2", 0x06},
    {"f3", 0x04}, {"f4", 0x0c}, {"f5", 0x03}, {"f6", 0x0b}, {"f7", 0x83}, {"f8", 0x0a}, {"f9", 0x01},
    {"f10", 0x09}, {"f11", 0x78}, {"f12", 0x07}, {"dot", 0x49}, {"comma", 0x41}, {"slash", 0x4a},
    {"semicolon", 0x4c}, {"apostrophe", 0x52}, {"backslash", 0x5d}, {"bracket_left", 0x54},
    {"bracket_right", 0x5b}, {"grave_accent", 0x0e}, {"caps_lock", 0x58}, {"kp_enter", 0xe05a},
};

static int cmd_sendkey(struct vm *vm, const char *arg, int fd)
{
    uint16_t codes[8];
    unsigned n = 0;
    size_t len = strcspn(arg, " ");
    struct dev_i8042 *kbc = pc_i8042(vm);
    for (const char *p = arg; p < arg + len;) {
        size_t k = strcspn(p, "-");
        if (k > (size_t)(arg + len - p))
            k = (size_t)(arg + len - p);
        size_t i;
        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            if (strlen(keys[i].name) == k && !strncmp(keys[i].name, p, k))
                break;
        if (!k || i == sizeof(keys) / sizeof(keys[0]) || n == 8) {
            dprintf(fd, "Error: unknown key '%.*s' (e.g. a, ret, ctrl-alt-delete)\n", (int)k, p);
            return -1;
        }
        codes[n++] = keys[i].code;
        p += k + (p[k] == '-');
    }
    if (!n || !kbc) {
        dprintf(fd, "Error: %s\n", kbc ? "sendkey needs keys, e.g. sendkey ctrl-alt-delete" : "no keyboard");
        return -1;
    }
    for (unsigned i = 0; i < 2 * n; i++) { /* makes in order, breaks in reverse */
        uint16_t c = i < n ? codes[i] : codes[2 * n - 1 - i];
        uint8_t b[3];
        size_t m = 0;
        if (c >> 8)
            b[m++] = 0xe0;
        if (i >= n)
            b[m++] = 0xf0;
        b[m++] = (uint8_t)c;
        i8042_key_event(kbc, b, m);
    }
    return 0;
}

int monitor_exec(struct vm *vm, const char *line, int fd)
{
    char cmd[32];
    const char *arg;
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strcspn(line, " \t");
    if (!n)
        return 0;
    if (n >= sizeof(cmd)) {
        dprintf(fd, "Error: unknown command '%.*s...'\n", 20, line);
        return -1;
    }
    memcpy(cmd, line, n);
    cmd[n] = 0;
    for (arg = line + n; *arg == ' ' || *arg == '\t'; arg++)
        ;
    for (const unsigned char *p = (const unsigned char *)line; *p; p++)
        if (*p < 0x20 && *p != '\t') {
            dprintf(fd, "Error: control characters in the command line\n");
            return -1;
        }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        dprintf(fd, "%s", help_text);
    } else if (!strcmp(cmd, "info")) {
        return cmd_info(vm, arg, fd);
    } else if (!strcmp(cmd, "x") || !strcmp(cmd, "xp")) {
        return cmd_x(vm, arg, cmd[1] == 'p', fd);
    } else if (!strcmp(cmd, "stop")) {
        dbg_stop(vm);
    } else if (!strcmp(cmd, "cont") || !strcmp(cmd, "c")) {
        if (dbg_ended(vm)) {
            dprintf(fd, "Error: the VM is not running any more\n");
            return -1;
        }
        dbg_resume(vm, -1);
    } else if (!strcmp(cmd, "system_reset")) {
        vm_request(vm, VM_FF_RESET);
    } else if (!strcmp(cmd, "system_powerdown")) {
        if (acpi_power_button(vm) < 0) {
            dprintf(fd, "Error: this machine has no ACPI power button\n");
            return -1;
        }
    } else if (!strcmp(cmd, "screendump")) {
        int rc = *arg ? vga_screenshot(vm, arg) : -EINVAL;
        if (rc < 0) {
            dprintf(fd, "Error: %s\n", !*arg ? "screendump needs a file name"
                                       : rc == -ENODEV ? "no display adapter (-vga none)" : strerror(-rc));
            return -1;
        }
    } else if (!strcmp(cmd, "sendkey")) {
        return cmd_sendkey(vm, arg, fd);
    } else if (!strcmp(cmd, "savevm") || !strcmp(cmd, "loadvm")) {
        char err[600];
        int rc = !*arg ? (snprintf(err, sizeof(err), "%s needs a file name", cmd), -1)
                 : cmd[0] == 's' ? vm_savevm(vm, arg, err, sizeof(err))
                                 : vm_loadvm(vm, arg, err, sizeof(err));
        if (rc < 0) {
            dprintf(fd, "Error: %s\n", err);
            return -1;
        }
    } else if (!strcmp(cmd, "quit") || !strcmp(cmd, "q")) {
        vm_request(vm, VM_FF_POWER_OFF);
        return 1;
    } else {
        dprintf(fd, "Error: unknown command '%s' (try help)\n", cmd);
        return -1;
    }
    return 0;
}
