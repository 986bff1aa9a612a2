# pcvm: one non-recursive makefile (check re-enters itself once for the
# sanitizer build). Targets: all, check, run, bench, fuzz, clean.
# MODE=debug (default) | release | asan

.DEFAULT_GOAL := all
MODE ?= debug
BUILD := build/$(MODE)
GUEST := build/guest

-include config.mk
config.mk: configure
	./configure

CC ?= gcc
CFLAGS_BASE := -std=gnu11 -Wall -Wextra -Werror -Isrc -I/usr/include/capstone -pthread -MMD -MP
ifeq ($(MODE),release)
  OPT := -O2 -DNDEBUG
else ifeq ($(MODE),asan)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else
  OPT := -O2 -g
endif
CFLAGS := $(CFLAGS_BASE) $(OPT) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT) -pthread
LIBS := -lZydis -lZycore -lcapstone -lz
# the display's screenshots (src/devices/vga_png.c)
CFLAGS += $(PNG_CFLAGS)
LIBS += $(PNG_LIBS)

SRC := $(wildcard src/*/*.c src/devices/bios/*.c)
# the built-in BIOS: bios.asm assembled, then linked in as data (bios_rom.asm)
BIOS_IMG := $(BUILD)/src/devices/bios/bios.bin
BIOS_OBJ := $(BUILD)/src/devices/bios/bios_rom.o
OBJ := $(SRC:%.c=$(BUILD)/%.o) $(BIOS_OBJ)
LIB := $(BUILD)/libpcvm.a

CONFORM_SRC := $(wildcard frontends/conform/*.c)
CONFORM_OBJ := $(CONFORM_SRC:%.c=$(BUILD)/%.o)
# the libc-only parts of pcvm-conform the unit tests link (cfg.h, gate.h, run.h's verdict.c)
CONFORM_PARSER_OBJ := $(addprefix $(BUILD)/frontends/conform/,cfg.o cfg_words.o gate.o verdict.o)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)

# Guest test programs: NAME.asm -> NAME.bin (Multiboot a.out kludge),
# NAME.elf.asm -> NAME.elf (Multiboot ELF32), NAME.rom.asm -> NAME.rom (-bios).
GUEST_ASM := $(wildcard tests/guest/*.asm)
GUEST_ROM := $(patsubst tests/guest/%.rom.asm,$(GUEST)/%.rom,$(filter %.rom.asm,$(GUEST_ASM)))
GUEST_ELF := $(patsubst tests/guest/%.elf.asm,$(GUEST)/%.elf,$(filter %.elf.asm,$(GUEST_ASM)))
GUEST_BIN := $(patsubst tests/guest/%.asm,$(GUEST)/%.bin,$(filter-out %.rom.asm %.elf.asm %.boot.asm,$(GUEST_ASM)))
GUEST_ALL := $(GUEST_BIN) $(GUEST_ELF) $(GUEST_ROM)
GUEST_INC := $(wildcard tests/guest/lib/*.inc tests/guest/gen/*.inc)

.PHONY: all check unit guest dbg-check ss-check conform-check run demo bench fuzz clean FORCE
all: $(BUILD)/pcvm $(BUILD)/pcvm-conform $(BUILD)/pcvm-sdl guest

$(BUILD)/%.o: %.c | config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c | config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ifrontends/conform -DPCVM_BIN='"$(BUILD)/pcvm"' -DPCVM_DEMO='"$(GUEST)/demo.bin"' -DPCVM_ECHO='"$(GUEST)/echo.bin"' -DPCVM_TIMING='"$(GUEST)/timing.bin"' -c -o $@ $<

$(BIOS_IMG): src/devices/bios/bios.asm
	@mkdir -p $(dir $@)
	nasm -f bin -o $@ $<
$(BIOS_OBJ): src/devices/bios/bios_rom.asm $(BIOS_IMG)
	nasm -f elf64 -DBIOS_IMAGE='"$(BIOS_IMG)"' -o $@ $<

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/pcvm: $(BUILD)/frontends/headless/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# pcvm-sdl: the desktop window (frontends/sdl)
SDL_SRC := $(wildcard frontends/sdl/*.c)
SDL_OBJ := $(SDL_SRC:%.c=$(BUILD)/%.o)
$(BUILD)/frontends/sdl/%.o: frontends/sdl/%.c | config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SDL_CFLAGS) -c -o $@ $<
$(BUILD)/pcvm-sdl: $(SDL_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(SDL_LIBS)
# the display tests (tests/unit/test_vga_display.c) run pcvm and pcvm-sdl:
# SeaBIOS boots the VGA guests from disk images (mbboot.asm + the kernel);
# pcvm-sdl's save and quit (tests/unit/test_sdl_savequit.c) runs vgakeys.bin
VGA_GUESTS := $(GUEST)/vgatext.bin $(GUEST)/vga13h.bin $(GUEST)/vgavbe.bin $(GUEST)/vgakeys.bin
unit: $(BUILD)/pcvm-sdl $(VGA_GUESTS:.bin=.img) $(GUEST)/vgakeys.bin $(GUEST)/seabios.rom
$(VGA_GUESTS): tests/guest/vgashow.inc
$(GUEST)/%.img: $(GUEST)/%.bin $(GUEST)/mbboot.bin tests/guest/mkboot.py
	python3 tests/guest/mkboot.py multiboot $(GUEST)/mbboot.bin $< $@
-include $(SDL_OBJ:.o=.d)

$(BUILD)/pcvm-conform: $(CONFORM_OBJ) $(BUILD)/src/vm/outfile.o
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/unit-tests: $(UNIT_OBJ) $(CONFORM_PARSER_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(UNICORN_LIBS) -lcriterion

guest: $(GUEST_ALL)
$(GUEST)/demo.bin $(GUEST)/echo.bin $(GUEST)/timing.bin: $(GUEST)/%.bin: tests/guest/demo/%.asm
	@mkdir -p $(GUEST)
	nasm -f bin -o $@ $<
$(GUEST)/%.bin: tests/guest/%.asm $(GUEST_INC)
	@mkdir -p $(GUEST)
	nasm -f bin -I tests/guest/ -o $@ $<
$(GUEST)/%.rom: tests/guest/%.rom.asm $(GUEST_INC)
	@mkdir -p $(GUEST)
	nasm -f bin -I tests/guest/ -o $@ $<
$(GUEST)/%.elf: tests/guest/%.elf.asm $(GUEST_INC)
	@mkdir -p $(GUEST)
	nasm -f elf32 -I tests/guest/ -o $(GUEST)/$*.o $<
	ld -m elf_i386 -N -Ttext 0x100000 -o $@ $(GUEST)/$*.o

# The failures are repeated after the run, next to the summary, so a log's
# tail names them.
unit: $(BUILD)/unit-tests $(BUILD)/pcvm $(BUILD)/pcvm-conform $(GUEST)/demo.bin $(GUEST)/echo.bin $(GUEST)/timing.bin
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/unit/lsan.supp $(BUILD)/unit-tests --jobs 2 \
	  >$(BUILD)/unit.log 2>&1; st=$$?; cat $(BUILD)/unit.log; \
	  grep -E '^\[(----|FAIL)\]' $(BUILD)/unit.log | grep -v '^\[----\] *$$' | sed 's/^/failed: /'; \
	  grep Synthesis $(BUILD)/unit.log; exit $$st

# Images for the IDE guest tests: a 1 MiB disk (dword j of sector s = s << 16 | j)
# and a 64-sector CD (dword j of 2048-byte sector s = CD000000h | s << 16 | j).
$(GUEST)/disk.img:
	@mkdir -p $(GUEST)
	python3 -c 'import struct,sys; sys.stdout.buffer.write(b"".join(struct.pack("<128I", *[s << 16 | j for j in range(128)]) for s in range(2048)))' > $@
$(GUEST)/cd.iso:
	@mkdir -p $(GUEST)
	python3 -c 'import struct,sys; sys.stdout.buffer.write(b"".join(struct.pack("<512I", *[0xcd000000 | s << 16 | j for j in range(512)]) for s in range(64)))' > $@

# The boot tests: SeaBIOS (Debian's, as seabios.rom) boots boot.boot.asm
# from a disk image (boot-H.img) or a CD (boot-C.iso); the boot-N media
# are the ones -boot must pass by (tests/guest/mkboot.py).
SEABIOS ?= /usr/share/seabios/bios-256k.bin
GUEST_BOOT := $(GUEST)/boot-H.img $(GUEST)/boot-N.img $(GUEST)/boot-C.iso $(GUEST)/boot-N.iso $(GUEST)/seabios.rom
$(GUEST)/boot.prog: tests/guest/boot.boot.asm $(GUEST_INC)
	@mkdir -p $(GUEST)
	nasm -f bin -I tests/guest/ -o $@ $<
$(GUEST)/boot-%.img: $(GUEST)/boot.prog tests/guest/mkboot.py
	python3 tests/guest/mkboot.py disk $< $@ $*
$(GUEST)/boot-%.iso: $(GUEST)/boot.prog tests/guest/mkboot.py
	python3 tests/guest/mkboot.py cd $< $@ $*
$(GUEST)/seabios.rom: $(SEABIOS)
	@mkdir -p $(GUEST)
	cp $< $@

# The debugger: Debian's gdb against the gdb stub, the monitor and QMP (tests/dbg).
dbg-check: $(BUILD)/pcvm $(GUEST)/gdbstub.elf
	sh tests/dbg/gdb.sh $(BUILD)/pcvm $(GUEST)/gdbstub.elf; s=$$?; [ $$s = 77 ] && s=0; \
	  python3 tests/dbg/monitor_qmp.py $(BUILD)/pcvm $(GUEST)/gdbstub.elf || s=1; \
	  python3 tests/dbg/gdb_robust.py $(BUILD)/pcvm $(GUEST)/gdbstub.elf || s=1; exit $$s

# Saved state: round trips at an instruction under --icount (REM, IEM and
# across), a live savevm through the monitor, the first version's fixture,
# a live savevm under HM of a kernel that echoes in 64-bit long mode, which
# KVM runs even on kvm-pvm (a SKIP line without a KVM that runs it) (tests/ss).
.PHONY: ss-check
ss-check: $(BUILD)/pcvm guest $(GUEST)/echo.bin $(GUEST)/timing.bin $(GUEST)/ss-lmecho.bin
	s=0; sh tests/ss/roundtrip.sh $(BUILD)/pcvm $(GUEST) || s=1; \
	  python3 tests/ss/live.py $(BUILD)/pcvm $(GUEST) || s=1; \
	  python3 tests/ss/hm_live.py $(BUILD)/pcvm $(GUEST)/ss-lmecho.bin || s=1; exit $$s
$(GUEST)/ss-lmecho.bin: tests/ss/lmecho.asm
	@mkdir -p $(GUEST)
	nasm -f bin -o $@ $<

# The guest programs on REM and on IEM, then both with --icount, whose serial
# output must match byte for byte (tests/guest/engines.sh).
conform-check: $(BUILD)/pcvm $(BUILD)/pcvm-conform build/release/pcvm guest $(GUEST)/disk.img $(GUEST)/cd.iso \
    $(GUEST_BOOT)
	sh tests/guest/engines.sh $(BUILD) build/release $(GUEST)

# The guest programs under HM (KVM) against IEM (tests/guest/hm.sh); every
# program is a SKIP where /dev/kvm is missing.
.PHONY: hm-check
hm-check: $(BUILD)/pcvm $(BUILD)/pcvm-conform guest $(GUEST)/disk.img $(GUEST)/cd.iso $(GUEST_BOOT)
	sh tests/guest/hm.sh $(BUILD) $(GUEST)

# Tests: unit tests (ASan+UBSan), the Debian guests booting on the release
# build (all three at once: each boot keeps one core busy, so three on two
# cores end sooner than two then one; amd64 with two vCPUs, then once more
# with four, and with one under --icount on IEM and both REM tiers), then
# the guest programs (ASan+UBSan).
# The last line counts the guest programs and the boots together, skipped
# boots included (tests/boot/summary.sh); any failure is the status.
check:
	@$(MAKE) --no-print-directory MODE=asan unit
	@rm -f $(BOOT_RESULTS) build/asan/engines.summary; s=0; \
	  $(MAKE) --no-print-directory MODE=asan dbg-check || s=1; \
	  $(MAKE) --no-print-directory MODE=asan ss-check || s=1; \
	  $(MAKE) --no-print-directory -k -j3 $(BOOT_GUESTS:%=boot-run-%) boot-run-amd64-smp4 $(BOOT_GUESTS:%=boot-icount-%) || s=1; \
	  $(MAKE) --no-print-directory MODE=asan conform-check || s=1; \
	  sh tests/boot/summary.sh build/asan/engines.summary $(BOOT_RESULTS) || s=1; exit $$s

# The main job: Debian's amd64 kernel and a busybox initramfs (built from
# Debian packages on first use) boot to a shell on this terminal. Ctrl-A x
# quits; `poweroff -f` in the guest powers off.
run: build/release/pcvm
	@sh tests/boot/build-guest.sh amd64 build/boot/amd64 > build/boot-amd64.log 2>&1 || \
	  { echo "make run: cannot build the guest from Debian packages (see build/boot-amd64.log)"; exit 2; }
	@echo "Booting Debian's amd64 kernel on REM (translation blocks): the shell appears after a few minutes."
	build/release/pcvm -m 512M -nodefaults -serial stdio -display none \
	  -kernel build/boot/amd64/vmlinuz -initrd build/boot/amd64/initrd.cpio -append "console=ttyS0"

# The small Multiboot demo guest (what make run showed before Linux booted).
demo: build/release/pcvm $(GUEST)/demo.bin
	build/release/pcvm -nodefaults -serial stdio -display none \
	  -device isa-debug-exit,iobase=0xf4,iosize=0x4 -kernel $(GUEST)/demo.bin; \
	  s=$$?; [ $$s -eq 1 ] || [ $$s -eq 0 ]

# The bootable CD (tests/boot/build-iso.sh): Debian's amd64 kernel and the
# busybox initramfs behind isolinux, made with xorriso from Debian packages.
# run-iso boots it on SeaBIOS in the pcvm-sdl window (a shell on the VGA
# console; Right Ctrl+Q quits); boot-iso-check boots it headless and checks
# the serial and VGA shells (tests/boot/iso_check.py, several minutes).
.PHONY: iso run-iso boot-iso-check
iso: build/boot/debian.iso
build/boot/debian.iso: tests/boot/build-iso.sh tests/boot/iso-init.sh tests/boot/mkcpio.py build/boot/amd64/initrd.cpio
	sh tests/boot/build-iso.sh build/boot/amd64 $@
run-iso: build/release/pcvm-sdl build/boot/debian.iso
	build/release/pcvm-sdl -bios $(SEABIOS) -cdrom build/boot/debian.iso -m 512M
boot-iso-check: build/release/pcvm build/boot/debian.iso
	python3 tests/boot/iso_check.py build/release/pcvm $(SEABIOS) build/boot/debian.iso

ifneq ($(MODE),release)
# The release binaries come from a release sub-make, which decides whether they are stale.
build/release/pcvm build/release/pcvm-sdl build/release/pcvm-conform build/release/unit-tests: FORCE
	@$(MAKE) --no-print-directory MODE=release $@
endif
FORCE:

# The guest programs (bench/run.sh), then Debian's amd64 guest booting
# (bench/boot.sh), each on pcvm and QEMU TCG; failing to run one is the
# status, the figures are never judged.
bench: build/release/pcvm guest
	@bench/run.sh; s=$$?; echo; bench/boot.sh || s=1; exit $$s

fuzz: build/release/unit-tests build/release/pcvm $(GUEST)/demo.bin
	PCVM_FUZZ_INSNS=5000000 build/release/unit-tests --filter 'unicorn/*'

clean:
	rm -rf build config.mk

-include $(SRC:%.c=$(BUILD)/%.d) $(UNIT_OBJ:.o=.d) $(CONFORM_OBJ:.o=.d) $(BUILD)/frontends/headless/main.d

# Real Linux guests (Debian kernel + busybox initramfs, tests/boot): the .debs
# are downloaded once into build/boot/ARCH/debs; each guest boots on pcvm and
# must print SELFCHECK: PASS. boot-check-qemu boots the same guests on QEMU.
BOOT_GUESTS := i386 i386-pae amd64
BOOT_RESULTS := $(BOOT_GUESTS:%=build/boot/%.result) build/boot/amd64-smp4.result \
    $(BOOT_GUESTS:%=build/boot/%-icount.result)
BOOT_DIRS := $(BOOT_GUESTS:%=build/boot/%)
.PHONY: boot-check boot-check-qemu boot-check-iem boot-icount-check boot-guests boot-build-test
boot-guests: $(BOOT_DIRS:%=%/initrd.cpio)
build/boot/%/initrd.cpio: tests/boot/build-guest.sh tests/boot/init.sh tests/boot/mkcpio.py \
    tests/boot/nxtest.asm
	sh tests/boot/build-guest.sh $* build/boot/$*
boot-check: build/release/pcvm boot-guests
	sh tests/boot/run.sh --emu pcvm --pcvm build/release/pcvm $(BOOT_DIRS)
boot-check-qemu: boot-guests
	sh tests/boot/run.sh --emu qemu $(BOOT_DIRS)
# The same boots on the interpreter (IEM), about 8 minutes each here.
boot-check-iem: build/release/pcvm boot-guests
	PCVM_ARGS=--engine=iem sh tests/boot/run.sh --emu pcvm --pcvm build/release/pcvm $(BOOT_DIRS)
# Each guest from reset to its power off under --icount on IEM, REM tier 1
# and REM tier 2 (tests/boot/icount.sh): the serial output byte for byte
# (7.5 minutes for i386 here, 7 of CPU).
boot-icount-check: build/release/pcvm boot-guests
	@s=0; for g in $(BOOT_GUESTS); do \
	  sh tests/boot/icount.sh build/release/pcvm build/boot/$$g build/boot/$$g-icount-full || s=1; \
	done; exit $$s

# How guest builds fail (tests/boot/test-build-guest.sh): concurrent and
# killed builds, damaged .debs, no registry (SKIP) and a missing package
# (FAIL), with the .debs of build/boot (a few MB of downloads).
boot-build-test:
	sh tests/boot/test-build-guest.sh build/boot

# One Debian guest in make check (tests/boot/boot-one.sh): a guest that
# cannot be built is FAIL, unless its packages are not cached and no package
# registry is reachable: then SKIP, counted in the summary line.
# The amd64 guest again with four vCPUs, once boot-run-amd64 has built it
# (and booted it with two): every CPU up, smpcount's totals exact.
.PHONY: boot-run-amd64-smp4
boot-run-amd64-smp4: boot-run-amd64
	@if [ -f build/boot/amd64/initrd.cpio ]; then \
	  sh tests/boot/run.sh --emu pcvm --pcvm build/release/pcvm --smp 4 build/boot/amd64 && r=PASS || r=FAIL; \
	else \
	  echo "FAIL: boot-amd64-smp4: no amd64 guest"; r=FAIL; \
	fi; echo $$r > build/boot/amd64-smp4.result; [ $$r = PASS ]

# The amd64 guest, once boot-run-amd64 has built it, with one vCPU under
# --icount (tests/boot/icount.sh): REM runs it past the kernel's
# decompressor (instruction 4.5e9) and saves it; from there IEM, REM tier 1
# and REM tier 2 each run it to instruction 5.5e9 (the states must be the
# same file) and on to its power off (the serial output, 340 lines, must be
# the same bytes with SELFCHECK: PASS). About 3 minutes of CPU.
.PHONY: boot-icount-amd64
boot-icount-amd64: boot-run-amd64
	@sh tests/boot/icount.sh --start 4500000000 --stop 5500000000 --result build/boot/amd64-icount.result \
	  build/release/pcvm build/boot/amd64 build/boot/amd64-icount
# The 32-bit guests the same way from instruction 2.5e9 (their kernels have
# printed 140-170 lines by then) to 3.5e9 and on to the power off: about
# 3.5 minutes of CPU each, most of it IEM's.
.PHONY: boot-icount-i386 boot-icount-i386-pae
boot-icount-i386 boot-icount-i386-pae: boot-icount-%: boot-run-%
	@sh tests/boot/icount.sh --start 2500000000 --stop 3500000000 --result build/boot/$*-icount.result \
	  build/release/pcvm build/boot/$* build/boot/$*-icount

boot-run-%: build/release/pcvm
	@sh tests/boot/boot-one.sh $* build/boot/$* build/release/pcvm
