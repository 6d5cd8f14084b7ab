"""What a failed grader test's console says went wrong: the kernel's own
panic report (its Python traceback, or a C fault with the addresses turned
into function and line by tools/symbolize.py), and hints for the common mistakes those messages point at (like
Pintos's panic backtraces, but with the answer's direction too).

    diagnose(transcript, kernel_elf, extra_hints=()) -> text, or "" if the
    console shows nothing unusual

A hint is (regular expression, text): it is shown when the expression
matches the console.  HINTS below are for every lab; a grader adds its own
as a module-level HINTS list.
"""

import re

from tools.symbolize import annotate

HINTS = [
    (r"unknown system call (\d+)",
     "A user program called a number with no handler.  A new call needs its number in "
     "kernel/abi/sysnum.py AND a function sys_NAME(p) in a kernel module imported at boot "
     "that ends with table.register_handlers(globals())."),
    (r"system calls without a handler",
     "kernel/abi/sysnum.py names a call that no module registers: write sys_NAME(p) "
     "(the name must match exactly) in a module that calls table.register_handlers(globals())."),
    (r"module 'kern' has no attribute|'module' object has no attribute",
     "kern.X does not exist: a C function must also be added to the kern module's table "
     "(cstubs/modkern*.c: MP_DEFINE_CONST_FUN_OBJ_* and the globals table), and the kernel rebuilt."),
    (r"NameError",
     "Kernel Python used a name that is not defined: a typo or a missing import at the top of "
     "the module (a module imports only the layers below it: LAYERS in kernel/__init__.py)."),
    (r"ImportError|can't import name",
     "An import failed: check the spelling, and that the module imports only packages below "
     "its own layer (kernel/__init__.py's LAYERS); an import cycle fails at boot."),
    (r"TypeError: .*(argument|positional)",
     "A function got the wrong number of arguments: a system call handler takes exactly the "
     "process, sys_NAME(p), and reads its arguments with kern.arg_int/kern.arg_addr."),
    (r"MemoryError|memory allocation failed",
     "The kernel's Python heap (8 MiB) ran out: never keep a Python object per page or per "
     "byte a user asks for; counts per page belong in C."),
    (r"kfree: 0x[0-9a-f]+ is not an allocated page",
     "A page was freed twice, or an address that kalloc never handed out was freed.  With "
     "shared pages, free only when the last reference goes (decrement, then free at zero)."),
    (r"kernel stack overflow",
     "A kernel thread ran off its 16 KiB stack: unbounded recursion in kernel Python or C."),
    (r"panic: kernel fault",
     "The C kernel touched a bad address.  The symbolized pc names the function and line; "
     "check pointers from page-table walks (NULL when unmapped) and copy lengths at page ends."),
    (r"killed by (store|load|instruction) page fault",
     "A user program touched memory it may not.  If your kernel should have handled that "
     "fault (copy-on-write, lazy allocation), the fault path in kernel/proc/userloop.py "
     "did not recognise it."),
    (r"timed out after",
     "The grader waited in vain.  Common causes: a pipe end left open, so a read never sees "
     "end of file (close every end a process does not use, in parent and child); a wait() for "
     "a child that never exits; an endless loop.  On a slow machine set PYRITE_TIMEOUT_SCALE=3."),
    (r"exec \S+ failed|: not found|exec failed",
     "The shell could not run a program: is it in user/Makefile's PROGS, and was the tree "
     "rebuilt (make grade does)?"),
]

PANIC_START = re.compile(r"^.*panic: .*$", re.M)
PANIC_END = "pyrite: machine halted"


def panic_report(transcript, kernel_elf=None):
    """The kernel's panic report from the console (from its `panic:` line to
    the halt), symbolized when it has kernel addresses; "" if none."""
    m = PANIC_START.search(transcript)
    if m is None:
        return ""
    end = transcript.find(PANIC_END, m.start())
    end = len(transcript) if end < 0 else end + len(PANIC_END)
    report = transcript[m.start():end].replace("\r", "")
    if kernel_elf is not None:
        try:
            report = annotate(kernel_elf, report)
        except Exception as exc:       # a missing or foreign ELF: show it raw
            report += "\n(could not symbolize: %s)" % exc
    return report


def hints_for(text, extra_hints=()):
    """The hints whose expression matches text, in table order, lab's first."""
    found = []
    for pattern, hint in list(extra_hints) + HINTS:
        if re.search(pattern, text, re.M) and hint not in found:
            found.append(hint)
    return found


def diagnose(transcript, kernel_elf=None, extra_hints=(), failure=""):
    """Why a test failed, beyond its message: the kernel's panic report
    from the console transcript, and the hints that the panic or the
    failure message call for; "" when there is nothing to add."""
    parts = []
    panic = panic_report(transcript, kernel_elf)
    if panic:
        parts.append("The kernel panicked:\n" + panic)
    # Hints come from what went wrong (the failure, the panic), not from the
    # whole console: usertests provokes kills and bad calls on purpose.
    hints = hints_for(panic + "\n" + failure, extra_hints)
    if hints:
        parts.append("Hints:\n" + "\n".join("  - " + h for h in hints))
    return "\n\n".join(parts)
