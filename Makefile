# Pyrite: build, boot and test.  `make qemu` and `make test` set the machine
# up first (tools/setup.sh: Debian packages, .venv, the MicroPython source).
#
#   make qemu      build and boot to the shell (Ctrl-] monitor, Ctrl-A X quits QEMU)
#   make qemu-gdb  the same, halted, waiting for gdb-multiarch (see README)
#   make test      build and run the whole test suite
#   make bench     boot under -icount and report guest instructions per operation
#   make trace     trace the scheduler while CMD="..." runs: build/trace.json, .svg
#   make grade LAB=name   build with a course lab's programs and grade the tree
#                  (labs/README.md); `make grade` alone lists the labs
#   make handin LAB=name  the lab's work in one file, build/handin/name-handin.tar.gz
#   make torture   the kernel-memory torture test, 10 rounds (TORTURE_ROUNDS=, TORTURE_EXECS=)
#   make test-labs every lab's grader against its reference solution and the
#                  unmodified tree
#   make clean     remove the kernel build and fs.img (keeps the downloaded MicroPython)
#   make distclean remove build/ and .venv/ too

KERNEL := build/kernel/kernel.elf
QEMU := qemu-system-riscv64
# Harts: 3, as xv6 boots (`make qemu CPUS=1` for one).  The tests, benchmarks
# and graders boot one unless they ask (tests/qemu/machine.py).
CPUS ?= 3
MEM ?= 128M
# BOOTARGS=monitor boots to the kernel monitor without starting init.
BOOTARGS ?=
# SCHED=plan9 (or rr, edf, edf+plan9) boots with that scheduling policy;
# QUANTUM=5000 sets the time-sharing quantum in microseconds (10000).
SCHED ?=
QUANTUM ?=
ALL_BOOTARGS = $(strip $(BOOTARGS) $(if $(SCHED),sched=$(SCHED)) $(if $(QUANTUM),quantum=$(QUANTUM)))
# The disk.  The build makes build/fs.img; a test boots a private copy
# (FSIMG=/tmp/.../fs.img) so that no machine ever writes the shared image.
# FSIMG= (empty) boots without a disk.  FSDRIVE is QEMU's description of
# the drive: override it to add options (cache=unsafe) or an error injector.
FSIMG ?= build/fs.img
FSDRIVE ?= file=$(FSIMG),format=raw
DISK = -drive $(FSDRIVE),if=none,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
# The console is the terminal, as -nographic makes it, but with signal=off:
# Ctrl-C goes to the guest (the shell, the kernel monitor) instead of
# killing QEMU.  Ctrl-A X still quits, Ctrl-A C reaches QEMU's monitor.
CONSOLE = -display none -chardev stdio,id=console,mux=on,signal=off \
	-serial chardev:console -mon chardev=console
# aclint=on gives each hart a supervisor software-interrupt register (ACLINT
# SSWI): how one hart interrupts another (cstubs/ipi.c).
QEMUOPTS = -machine virt,aclint=on -bios none -m $(MEM) -smp $(CPUS) $(CONSOLE) \
	-global virtio-mmio.force-legacy=false -kernel $(KERNEL) $(if $(FSIMG),$(DISK)) \
	$(if $(ALL_BOOTARGS),-append "$(ALL_BOOTARGS)")
GDBPORT ?= 26000
PYTEST_ARGS ?=
VENV_PY := .venv/bin/python

.PHONY: all setup kernel qemu qemu-gdb test bench trace torture clean distclean print-qemu-cmd \
	grade handin test-labs

all: kernel

setup:
	@tools/setup.sh

# User programs first: the kernel image embeds them (build/user/programs.S),
# and the file-system image holds them too.
kernel: setup
	@$(MAKE) --no-print-directory -f user/Makefile
	@$(MAKE) --no-print-directory -C cstubs
	@$(MAKE) --no-print-directory build/fs.img

# The file-system image: README.md and the user programs (build/user/fsfiles,
# written by user/Makefile, lists them; it changes whenever one of them does).
build/fs.img: build/user/fsfiles README.md tools/mkfs.py kernel/abi/fslayout.py
	$(VENV_PY) -m tools.mkfs $@.tmp README=README.md $$(cat build/user/fsfiles)
	mv $@.tmp $@

qemu: kernel
	$(QEMU) $(QEMUOPTS)

# .gdbinit (written here from tools/gdbinit.tmpl) loads the kernel's symbols
# and connects to QEMU.  `-x .gdbinit` runs it explicitly: gdb declines to
# auto-load a .gdbinit it finds in the current directory.
qemu-gdb: kernel
	@sed -e "s/GDBPORT/$(GDBPORT)/" -e "s|KERNEL_ELF|$(KERNEL)|" tools/gdbinit.tmpl > .gdbinit
	@echo "*** QEMU waits for gdb.  In another terminal, in $(CURDIR), run:" 1>&2
	@echo "***     gdb-multiarch -x .gdbinit" 1>&2
	$(QEMU) $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)

# pytest exits 5 when it collected no tests: that is a failure here too.
# The suites where processes wake each other (tests/qemu/conftest.py's
# SMP_SUITE) run a second time on 4 harts.  CPUS=n on the command line
# boots every test's machines with n harts (PYRITE_CPUS).
test: kernel
	$(if $(filter command line,$(origin CPUS)),PYRITE_CPUS=$(CPUS)) $(VENV_PY) -m pytest $(PYTEST_ARGS)

# The figures go to build/bench.json and into README.md's tables (the
# scheduler's: one boot per policy, tools/bench.py --sched; several harts':
# -smp 1 and 4 with an instruction-counting QEMU plugin, --smp).
bench: kernel
	$(VENV_PY) -m tools.bench --sched --smp --readme README.md

# A picture of who ran when: boot (SCHED= chooses the policy), run SETUP
# untraced, trace CMD at the shell, write build/trace.json (Perfetto,
# chrome://tracing) and build/trace.svg (tools/trace.py).
CMD ?= hog 5 a & hog 5 b & interactive 5
SETUP ?=
trace: kernel
	$(VENV_PY) -m tools.trace --cmd "$(CMD)" --sched "$(SCHED)" $(if $(SETUP),--setup "$(SETUP)")

# Course labs (labs/README.md, tools/grade/).  LAB=name also makes `make
# qemu` put the lab's test programs on the disk (user/Makefile).
LAB ?=
grade: setup
	@$(if $(LAB),$(VENV_PY) -m tools.grade $(LAB),$(VENV_PY) -m tools.grade)

handin: setup
	@$(if $(LAB),$(VENV_PY) -m tools.grade handin $(LAB) $(BASE),echo "usage: make handin LAB=name" >&2; exit 2)

test-labs: kernel
	$(VENV_PY) -m tools.grade prove

# The kernel-memory torture test, longer than make test's one round.
TORTURE_ROUNDS ?= 10
TORTURE_EXECS ?= 250
torture: kernel
	$(if $(filter command line,$(origin CPUS)),PYRITE_CPUS=$(CPUS)) \
	PYRITE_TORTURE_ROUNDS=$(TORTURE_ROUNDS) PYRITE_TORTURE_EXECS=$(TORTURE_EXECS) \
		$(VENV_PY) -m pytest tests/qemu/test_memory.py -k torture

# The exact QEMU command line, for the tests and tools (one source of truth).
print-qemu-cmd:
	@echo $(QEMU) $(QEMUOPTS)

clean:
	rm -rf build/kernel build/fs.img .gdbinit

distclean:
	rm -rf build .venv .gdbinit
