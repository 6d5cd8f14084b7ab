# tests/ is a package so that the QEMU harness is `tests.qemu.machine`: a
# top-level module named `qemu` would hide the `qemu.qmp` package it uses.
