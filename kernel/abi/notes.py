# Notes, Plan 9's software interrupts: the constants user programs share.
#
# A note is a short text (at most ERRMAX bytes with its NUL) posted to a
# process: "interrupt" from the console's ^C, "alarm" from alarm(), or
# whatever another process sends with postnote().  A handler registered
# with notify() runs with it on the user stack and ends with noted(NCONT),
# which resumes the process where the note found it, or noted(NDFLT),
# which takes the default action: the process dies with the note's text.
# Data only: it imports under MicroPython and CPython (tools/gen_headers.py
# writes HEADER_NAMES into abi.h).
from kernel.compat import const

NCONT = const(0)          # noted(): carry on where the note interrupted
NDFLT = const(1)          # noted(): the default action, die
ERRMAX = const(128)       # a note's longest text, its NUL included (Plan 9's)
NNOTE = const(5)          # notes a process may have waiting; one more kills it

HEADER_NAMES = ("NCONT", "NDFLT", "ERRMAX", "NNOTE")
