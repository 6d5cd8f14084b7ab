# The kernel monitor: a Python prompt running inside the live kernel.
#
# Whatever is typed is compiled and run in the monitor's namespace, which
# holds the commands below and the kernel's modules, so a student can look
# at (and change) the running kernel: `threads()`, `kthread.threads`,
# `kern.free_pages()`, `gc.mem_free()`.  A mistake typed here prints its
# traceback and the monitor carries on; an exception anywhere else in the
# kernel is a panic.
#
# Ctrl-C stops what the monitor runs: while it runs an entry, kbd_intr(3)
# has the VM turn Ctrl-C into a KeyboardInterrupt in this thread
# (cstubs/mpport.c), so even `while True: pass` gives the prompt back.
# Ctrl-C at the prompt abandons the line or block being typed.
import gc
import sys

import kern

try:
    from micropython import kbd_intr
except ImportError:   # CPython (the host tests): there is no keyboard to arm
    def kbd_intr(char):
        pass

# help(obj)'s documentation: mpy-cross drops docstrings, so the build
# gathers them (and each module's opening comment) into this generated
# module (tools/gen_docs.py).  Under CPython objects keep their own.
try:
    from kernel.debug import docstrings
    DOCSTRINGS = docstrings.TEXT
except ImportError:
    DOCSTRINGS = ""

from kernel.compat import const, print_exception
from kernel.thread import kthread
from kernel.thread import harts as harts_mod
from kernel.dev import console, clock
from kernel.fs import disk, bio
from kernel.proc import proc
from kernel.debug import selftest, faults, schedmon, tracemon

CTRL_C = const(3)
PROMPT = "pyrite> "
CONTINUE = "...     "

first_prompt_time = 0     # clock.busy_time() when the monitor started


HELP = """Pyrite kernel monitor: type Python; these are at hand:
  ps()               the processes: pid, parent, state, size, ticks, user and
                     system time, hart (w: wired), scheduling (priority/base, F fixed;
                     edf misses), name;
                     under a process with several LWPs, each: lid, state, what it waits for
  threads()          the kernel threads: handle, state, name, switches, ticks, stack use, hart
  harts()            each hart: what it runs, its queue, idle time, time waiting for
                     the interpreter lock, IPIs, threads moved in and out
  proc.kill(pid)     kill a process (it dies when it next leaves the kernel)
  resume()           give the keyboard back to the programs (or press Ctrl-])
  mem()              physical pages and the Python heap
  uptime()           timer ticks since boot (10 per second)
  poweroff(status=0) stop the machine; QEMU exits with `status`
  crash(kind)        deliberately panic: "python" (an uncaught exception in a
                     kernel thread), "c" (a C fault), "guard" (a kernel stack
                     overflow), "lockup" (a kernel thread that never stops)
  bench()            kernel figures for `make bench`
  selftest.threads(), selftest.pages()   the kernel's own checks
  sched.show(), sched.use("plan9")       the scheduler: its queues; change policy
  trace.on(), trace.off(), trace.dump()  the scheduler trace
  faults.fail(pid, n)                    make the nth allocation of pid's next call fail
  help(obj)          what obj is, and its documentation
  modules: kern (the C side), kthread, proc, clock, console, disk, gc, sys
The kernel is integer-only: no floats; divide with // (7 // 2 is 3).
Ctrl-C stops what is running (even `while True: pass`) or drops the line
being typed; up and down arrows recall earlier lines."""


def help(obj=None):
    """help() lists what the monitor offers; help(obj) says what obj is and
    shows its documentation."""
    if obj is None:
        print(HELP)
        return
    print(describe(obj))
    text = docstring(obj)
    if text:
        print(text)
    else:
        print("(no documentation%s)" % source_hint(obj))


def qualified_name(obj):
    """kernel.proc.proc.kill for that function: the loaded kernel module
    (or class in it) that holds obj; a module's own name; else None."""
    name = getattr(obj, "__name__", None)
    if name is None:
        return None
    if type(obj) is type(sys):
        return name
    for modname, module in sorted(sys.modules.items()):
        if not modname.startswith("kernel"):
            continue
        if getattr(module, name, None) is obj:
            return modname + "." + name
        for cname in dir(module):
            holder = getattr(module, cname)
            if isinstance(holder, type) and getattr(holder, name, None) is obj:
                return "%s.%s.%s" % (modname, cname, name)
    return None


def source_hint(obj):
    # Where to read more: the file of the module that holds obj.
    name = qualified_name(obj if hasattr(obj, "__name__") else type(obj))
    while name:
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "__file__"):
            return ": see %s" % module.__file__
        name = name.rpartition(".")[0]
    return ""


def describe(obj):
    name = qualified_name(obj)
    if name is not None:
        return "%s: %s" % (name, repr(obj).split(" at ")[0].strip("<>"))
    return repr(obj)


def docstring(obj):
    """obj's documentation: its own __doc__ (CPython), else what the build
    gathered for its name; for an instance, its class's."""
    doc = getattr(obj, "__doc__", None)
    if doc:
        return doc
    if not hasattr(obj, "__name__"):
        obj = type(obj)
    name = qualified_name(obj)
    if name is None:
        return None
    key = "\x1e" + name + "\x1f"
    start = DOCSTRINGS.find(key)
    if start < 0:
        return None
    start += len(key)
    end = DOCSTRINGS.find("\x1e", start)
    return DOCSTRINGS[start:] if end < 0 else DOCSTRINGS[start:end]


def threads():
    """Print the kernel threads: handle, state, name, switches, ticks charged
    to it, and how much of its kernel stack it has used."""
    print("%4s  %-9s %-12s %8s %6s %6s %4s" % (
        "ID", "STATE", "NAME", "SWITCHES", "TICKS", "STACK", "HART"))
    for handle in sorted(kthread.threads):
        t = kthread.threads[handle]
        print("%4d  %-9s %-12s %8d %6d %6d %4s" % (
            handle, kthread.THREAD_STATE_NAMES[t.state], t.name, kthread.switches(t),
            kthread.cpu_time(t) // clock.tick_cycles, kern.thread_stack_used(handle),
            proc.hart_name(t)))


def harts():
    """Print each hart: what it runs, its queue and mail, how much of its
    time it was idle and waited for the interpreter lock (per mille of the
    time since boot), how often it took the lock, IPIs received, threads
    moved in and out, its policy."""
    print("%4s %-12s %6s %4s %6s %8s %8s %8s %6s %5s %5s  %s" % (
        "HART", "RUNNING", "QUEUED", "MAIL", "IDLE%o", "LOCK%o", "TAKEN", "WAITED", "IPIS",
        "IN", "OUT", "POLICY"))
    since = kern.time() - clock.start_time
    for c in kthread.online:
        st = harts_mod.stats(c)
        print("%4d %-12s %6d %4d %6d %8d %8d %8d %6d %5d %5d  %s" % (
            st["hart"], st["running"], st["queued"], st["mail"], st["idle"] * 1000 // since,
            st["lock_wait"] * 1000 // since, st["lock_taken"], st["lock_contended"], st["ipis"],
            st["moved_in"], st["moved_out"], st["policy"]))


def ps():
    """Print the processes: pid, parent, state, size, ticks, user and system
    time, scheduling, name."""
    proc.ps(True)


def procdump():
    # ^P: the processes once there are any, else the kernel threads.
    if proc.procs:
        proc.ps()
    else:
        threads()


def resume():
    """Give the keyboard back to the programs (as Ctrl-] does)."""
    if console.owner == console.MONITOR:
        console.input_char(console.ESCAPE)


def escaped(owner):
    # Called by the console when Ctrl-] moves the keyboard.  The programs'
    # Ctrl-C is theirs, even if the monitor is in the middle of an entry.
    if owner == console.USER:
        kbd_intr(-1)
    if owner == console.MONITOR:
        console.write("\n[kernel monitor; Ctrl-] or resume() returns to the programs]\n" + PROMPT)
    else:
        console.write("\n[back to the programs]\n")


def mem():
    """Print the free physical pages and the Python heap's use."""
    faults.mem()


def uptime():
    """Timer ticks since boot (10 a second)."""
    return clock.uptime()


def poweroff(status=0):
    """Stop the machine; QEMU exits with status."""
    print("pyrite: power off (status %d)" % status)
    kern.poweroff(status)


def _raise_in_thread():
    raise RuntimeError("deliberate crash requested from the monitor")


def _spin():
    while True:       # the soft-lockup check stops this after a second
        pass


def crash(kind="python"):
    """Deliberately panic, to see what a panic reports: kind is "python",
    "c", "guard" or "lockup"."""
    if kind == "python":
        # Raised at the top of a kernel thread, nothing catches it: panic.
        kthread.spawn("crasher", _raise_in_thread)
        kthread.yield_()
    elif kind == "c":
        kern.peek(8)                     # nothing is mapped at 8: a C fault
    elif kind == "guard":
        lo = kern.thread_stack(kern.thread_current())[0]
        kern.peek(lo - 8)                # just below the stack: its guard page
    elif kind == "lockup":
        # A thread that loops without a break: after a second the VM's
        # check (cstubs/mpport.c) raises SoftLockup in it, and that panics.
        kthread.spawn("spinner", _spin)
        kthread.yield_()
    else:
        print('crash(kind): kind is "python", "c", "guard" or "lockup"')


def bench():
    """Print the kernel's figures as one line: BENCH {json}."""
    roundtrip = selftest.switch_roundtrip_centiticks()
    figures = [
        ("boot_banner_ticks", boot_banner_time),
        ("boot_prompt_ticks", first_prompt_time),
        ("boot_shell_ticks", console.first_user_read),
        ("kthread_switch_roundtrip_centiticks", roundtrip),
    ]
    print("BENCH {" + ", ".join('"%s": %d' % kv for kv in figures) + "}")


boot_banner_time = 0


def namespace():
    env = {"__name__": "__monitor__", "kern": kern, "kthread": kthread, "clock": clock,
           "console": console, "selftest": selftest, "proc": proc, "disk": disk, "gc": gc, "sys": sys,
           "faults": faults, "bio": bio, "sched": schedmon, "trace": tracemon}
    for name in ("help", "ps", "threads", "harts", "resume", "mem", "uptime", "poweroff", "crash",
                 "bench"):
        env[name] = globals()[name]
    return env


def evaluate(source, env):
    """Run one entry: show an expression's value, run a statement.  Ctrl-C
    while it runs raises KeyboardInterrupt in it."""
    try:
        if console.owner == console.MONITOR:
            kbd_intr(CTRL_C)
        try:
            run_entry(source, env)
        finally:
            kbd_intr(-1)
    except KeyboardInterrupt:
        print("KeyboardInterrupt")
    except Exception as exc:   # a typo at the prompt is not a kernel panic
        print_exception(exc)


def run_entry(source, env):
    try:
        code = compile(source, "<monitor>", "eval")
    except SyntaxError:
        code = compile(source, "<monitor>", "exec")
        exec(code, env)
        return
    value = eval(code, env)
    if value is not None:
        print(repr(value))
        env["_"] = value


def read_entry():
    """A line, or a block: a line ending in ':' reads on to an empty line.
    Ctrl-C (or a line too long) abandons it: "" then."""
    try:
        line = console.readline(PROMPT)
        if line is None or not line.rstrip().endswith(":"):
            return line
        block = [line]
        while True:
            more = console.readline(CONTINUE)
            if not more:
                break
            block.append(more)
        return "\n".join(block) + "\n"
    except KeyboardInterrupt:
        return ""


def run(banner_time=0):
    """The monitor thread's body; banner_time is when boot printed its
    banner (clock.busy_time(), for bench())."""
    global first_prompt_time, boot_banner_time
    boot_banner_time = banner_time
    env = namespace()
    first_prompt_time = clock.busy_time()
    while True:
        entry = read_entry()
        if entry is None:          # ^D on an empty line: nothing to do
            console.write("\n")
            continue
        if entry.strip():
            evaluate(entry, env)
