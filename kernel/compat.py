# The few names that differ between MicroPython and CPython, so every
# kernel module also imports on the host (tests/ run them under CPython).
try:
    from micropython import const
except ImportError:  # CPython
    def const(value):
        return value

try:
    from sys import print_exception
except ImportError:  # CPython
    def print_exception(exc):
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)
