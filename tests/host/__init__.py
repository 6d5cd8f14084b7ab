# Host tests: kernel Python under CPython (against tests/host/fakekern.py),
# C pieces through cffi, and the host tools.  Seconds, no QEMU: `pytest -m host`.
