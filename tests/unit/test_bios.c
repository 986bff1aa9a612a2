/* The built-in BIOS: POST run in the interpreter from the reset vector
 * (what it leaves in the IVT, BDA and EBDA, and how little it costs), and
 * the handoff block the C side writes into its ROM. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/bios/bios.h"
#include "vm/vm.h"

#define MiB (1ull << 20)

static struct vm *create(uint64_t ram)
{
    struct vm_config cfg = {.ram_size = ram, .ncpus = 1, .nodefaults = true};
    char err[256] = "";
    struct vm *vm;
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    return vm;
}

Test(bios, post_without_a_kernel_sets_up_the_pc_and_halts)
{
    struct vm *vm = create(32 * MiB);
    struct vcpu *v = &vm->cpus[0];
    int rc = IEM_OK;
    unsigned n;

    cr_assert_eq(v->cpu.seg[S_CS].sel, 0xf000);
    cr_assert_eq(v->cpu.rip, 0xfff0);
    for (n = 0; n < 100000 && rc == IEM_OK; n++)
        rc = iem_exec(v, 1);
    cr_assert_eq(rc, IEM_HALT, "POST ends in HLT with nothing to boot (rc %d after %u)", rc, n);
    cr_assert_lt(n, 20000, "POST is short: %u instructions", n);
    cr_assert(cpu_get_flags(&v->cpu) & F_IF, "halted with interrupts on (the timer ticks)");
    cr_assert_eq(pgm_read_u(&vm->pgm, 8 * 4, 4), 0xf000fea5u, "INT 08h at its PC address");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x15 * 4, 4), 0xf000f859u, "INT 15h at its PC address");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x80 * 4, 4), 0xf000ff53u, "an unused vector: the IRET");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0xff53 + 0xf0000, 1), 0xcf);
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x60 * 4, 4), 0, "user vectors are free");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x400, 2), 0, "no serial port with -nodefaults");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x40e, 2), 0x9fc0, "EBDA segment");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x413, 2), 639, "base memory KiB");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x9fc00, 1), 1, "EBDA size KiB");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0x41a, 2), 0x1e, "keyboard buffer head");
    cr_assert_eq(pgm_read_u(&vm->pgm, 0xffff0, 1), 0xea, "the reset vector is a far jump");
    vm_destroy(vm);
}

Test(bios, handoff_block_holds_the_e820_map_and_memory_sizes)
{
    struct vm *vm = create(64 * MiB);
    struct e820_map m;
    uint8_t e[20];

    e820_build(vm, &m);
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_LOW, 4), 0x4d564350u, "magic 'PCVM'");
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_KIND, 4), BIOS_KIND_NONE, "no kernel");
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_E820_N, 2), m.n);
    for (unsigned i = 0; i < m.n; i++) {
        pgm_read(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_E820 + 20 * i, e, sizeof(e));
        cr_assert_eq(memcmp(e, &m.addr[i], 8), 0, "entry %u address", i);
        cr_assert_eq(memcmp(e + 8, &m.size[i], 8), 0, "entry %u size", i);
        cr_assert_eq(memcmp(e + 16, &m.type[i], 4), 0, "entry %u type", i);
    }
    /* the copy below 4 GiB says the same */
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_HIGH + BIOS_HO_E820_N, 2), m.n);
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_EXT_KB, 2), 0xfc00, "88h: 63 MiB at most");
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_E801_AX, 2), 15 * 1024);
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_E801_BX, 2), (64 - 16) * 16);
    /* the guest cannot change it */
    pgm_write_u(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_KIND, 1, 4);
    cr_assert_eq(pgm_read_u(&vm->pgm, BIOS_ROM_LOW + BIOS_HO_KIND, 4), BIOS_KIND_NONE, "ROM");
    vm_destroy(vm);
}

Test(bios, e820_map_is_sorted_and_covers_ram)
{
    struct vm *vm = create(64 * MiB);
    struct e820_map m;
    uint64_t ram = 0;

    e820_build(vm, &m);
    for (unsigned i = 0; i < m.n; i++) {
        if (i)
            cr_assert_geq(m.addr[i], m.addr[i - 1] + m.size[i - 1], "entry %u overlaps", i);
        if (m.type[i] == E820_RAM)
            ram += m.size[i];
    }
    /* all RAM but the EBDA and the 384 KiB hidden behind A0000-FFFFF */
    cr_assert_eq(ram, 64 * MiB - 0x60400);
    cr_assert_eq(e820_ram_top_from_1m(vm), 64 * MiB);
    vm_destroy(vm);
}
