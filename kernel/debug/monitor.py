# The kernel monitor: a Python prompt running inside the live kernel.
#
# Whatever is typed is compiled and run in the monitor's namespace, which
# holds the commands below and the kernel's modules, so a student can look
# at (and change) the running kernel: `threads()`, `kthread.threads`,
# `kern.free_pages()`, `gc.mem_free()`.  A mistake typed here prints its
# traceback and the monitor carries on; an exception anywhere else in the
# kernel is a panic.
import gc
import sys

import kern

from kernel.compat import print_exception
from kernel.thread import kthread
from kernel.dev import console, clock
from kernel.fs import disk, bio
from kernel.proc import proc
from kernel.debug import selftest, faults

PROMPT = "pyrite> "
CONTINUE = "...     "

first_prompt_time = 0     # clock.busy_time() when the monitor started


def help():
    print("""Pyrite kernel monitor: type Python; these are at hand:
  ps()               the processes: pid, parent, state, size, ticks, name
  threads()          the kernel threads: handle, state, name, switches, ticks, stack use
  resume()           give the keyboard back to the programs (or press Ctrl-])
  mem()              physical pages and the Python heap
  uptime()           timer ticks since boot (10 per second)
  poweroff(status=0) stop the machine; QEMU exits with `status`
  crash(kind)        deliberately panic: "python" (an uncaught exception in a
                     kernel thread), "c" (a C fault), "guard" (a kernel stack overflow)
  bench()            kernel figures for `make bench`
  selftest.threads(), selftest.pages()   the kernel's own checks
  modules: kern (the C side), kthread, proc, clock, console, disk, gc, sys""")


def threads():
    print("%4s  %-9s %-12s %8s %6s %6s" % ("ID", "STATE", "NAME", "SWITCHES", "TICKS", "STACK"))
    for handle in sorted(kthread.threads):
        t = kthread.threads[handle]
        print("%4d  %-9s %-12s %8d %6d %6d" % (
            handle, kthread.THREAD_STATE_NAMES[t.state], t.name, t.switches, t.ticks,
            kern.thread_stack_used(handle)))


def ps():
    proc.ps()


def procdump():
    # ^P: the processes once there are any, else the kernel threads.
    if proc.procs:
        proc.ps()
    else:
        threads()


def resume():
    if console.owner == console.MONITOR:
        console.input_char(console.ESCAPE)


def escaped(owner):
    # Called by the console when Ctrl-] moves the keyboard.
    if owner == console.MONITOR:
        console.write("\n[kernel monitor; Ctrl-] or resume() returns to the programs]\n" + PROMPT)
    else:
        console.write("\n[back to the programs]\n")


def mem():
    faults.mem()


def uptime():
    return clock.ticks


def poweroff(status=0):
    print("pyrite: power off (status %d)" % status)
    kern.poweroff(status)


def _raise_in_thread():
    raise RuntimeError("deliberate crash requested from the monitor")


def crash(kind="python"):
    if kind == "python":
        # Raised at the top of a kernel thread, nothing catches it: panic.
        kthread.spawn("crasher", _raise_in_thread)
        kthread.yield_()
    elif kind == "c":
        kern.peek(8)                     # nothing is mapped at 8: a C fault
    elif kind == "guard":
        lo = kern.thread_stack(kern.thread_current())[0]
        kern.peek(lo - 8)                # just below the stack: its guard page
    else:
        print('crash(kind): kind is "python", "c" or "guard"')


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
           "faults": faults, "bio": bio}
    for name in ("help", "ps", "threads", "resume", "mem", "uptime", "poweroff", "crash", "bench"):
        env[name] = globals()[name]
    return env


def evaluate(source, env):
    """Run one entry: show an expression's value, run a statement."""
    try:
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
    except Exception as exc:   # a typo at the prompt is not a kernel panic
        print_exception(exc)


def read_entry():
    """A line, or a block: a line ending in ':' reads on to an empty line."""
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
