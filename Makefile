# Pyrite: build, boot and test.  `make qemu` and `make test` set the machine
# up first (tools/setup.sh: Debian packages, .venv, the MicroPython source).
#
#   make qemu      build and boot to the shell (Ctrl-] monitor, Ctrl-A X quits QEMU)
#   make qemu-gdb  the same, halted, waiting for gdb-multiarch (see README)
#   make test      build and run the whole test suite
#   make bench     boot under -icount and report guest instructions per operation
#   make clean     remove the kernel build (keeps the downloaded MicroPython)
#   make distclean remove build/ and .venv/ too

KERNEL := build/kernel/kernel.elf
QEMU := qemu-system-riscv64
CPUS ?= 1
MEM ?= 128M
# BOOTARGS=monitor boots to the kernel monitor without starting init.
BOOTARGS ?=
QEMUOPTS = -machine virt -bios none -m $(MEM) -smp $(CPUS) -nographic \
	-global virtio-mmio.force-legacy=false -kernel $(KERNEL) \
	$(if $(BOOTARGS),-append "$(BOOTARGS)")
GDBPORT ?= 26000
PYTEST_ARGS ?=
VENV_PY := .venv/bin/python

.PHONY: all setup kernel qemu qemu-gdb test bench clean distclean print-qemu-cmd

all: kernel

setup:
	@tools/setup.sh

# User programs first: the kernel image embeds them (build/user/programs.S).
kernel: setup
	@$(MAKE) --no-print-directory -f user/Makefile
	@$(MAKE) --no-print-directory -C cstubs

qemu: kernel
	$(QEMU) $(QEMUOPTS)

# gdb-multiarch reads .gdbinit from this directory (it may need
# `add-auto-load-safe-path` once; the README says how).
qemu-gdb: kernel
	@sed -e "s/GDBPORT/$(GDBPORT)/" -e "s|KERNEL_ELF|$(KERNEL)|" tools/gdbinit.tmpl > .gdbinit
	@echo "*** Now run 'gdb-multiarch' in another window in this directory." 1>&2
	$(QEMU) $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)

# pytest exits 5 when it collected no tests: that is a failure here too.
test: kernel
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

bench: kernel
	$(VENV_PY) -m tools.bench

# The exact QEMU command line, for the tests and tools (one source of truth).
print-qemu-cmd:
	@echo $(QEMU) $(QEMUOPTS)

clean:
	rm -rf build/kernel .gdbinit

distclean:
	rm -rf build .venv .gdbinit
