# tests/ is a package so that its QEMU helper is `tests.qemu`: a top-level
# module named `qemu` would hide the `qemu.qmp` package it is built on.
