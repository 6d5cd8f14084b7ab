"""Host tests: the kernel's Python under CPython, with tests/host/fakekern.py in
place of the native `kern` module.  No QEMU: policy and bookkeeping only
(nothing here really switches stacks; the fake thread_switch() returns at
once, as if the caller had been resumed)."""

import importlib
import sys
from pathlib import Path

import pytest

from tests.host import fakekern

REPO = Path(__file__).resolve().parents[2]
# Imported by every test through the `kern` fixture; test_every_kernel_module_
# imports_under_cpython imports the rest of kernel/*.py too.
MODULES = ["kernel.compat", "kernel.sched", "kernel.thread.kthread", "kernel.dev.clock",
           "kernel.dev.console", "kernel.debug.monitor", "kernel.debug.selftest", "kernel.main"]


def forget_kernel_modules():
    for name in list(sys.modules):
        if name == "kernel" or name.startswith("kernel."):
            del sys.modules[name]


@pytest.fixture
def kern():
    """A fresh fake `kern`, and every kernel module imported anew against it
    (so module state -- run queue, sleepers, console input -- starts empty)."""
    fake = fakekern.install()
    forget_kernel_modules()
    for name in MODULES:
        importlib.import_module(name)
    yield fake
    forget_kernel_modules()
    sys.modules.pop("kern", None)


@pytest.fixture
def kthread(kern):
    from kernel.thread import kthread
    kthread.init()
    return kthread


def spawn_and_run(kthread, name):
    """Spawn a thread and make it the running one (as if switched to)."""
    t = kthread.spawn(name, lambda: None)
    kthread.policy.remove(t)
    kthread.current = t
    t.state = kthread.RUNNING
    return t


# ---- every module imports ----

def module_name(path):
    """kernel/fs/inode.py -> kernel.fs.inode; kernel/fs/__init__.py -> kernel.fs."""
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", sorted((REPO / "kernel").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(REPO / "kernel")))
def test_every_kernel_module_imports_under_cpython(kern, path):
    name = module_name(path)
    module = importlib.import_module(name)
    assert module.__name__ == name


def test_compat_const_is_identity(kern):
    from kernel.compat import const
    assert const(42) == 42


# (the scheduling policies have their own tests: tests/host/test_sched.py)


# ---- kernel threads: bookkeeping ----

def test_init_adopts_the_boot_thread_as_idle(kern, kthread):
    idle = kthread.idle_thread
    assert idle.name == "idle" and idle.handle == 0
    assert idle.state == kthread.RUNNING
    assert kthread.current is idle
    assert kthread.threads == {0: idle}
    assert kern.names[0] == "idle"


def test_spawn_queues_a_runnable_thread(kern, kthread):
    t = kthread.spawn("worker", print, "hello")
    assert t.state == kthread.RUNNABLE
    assert kthread.threads[t.handle] is t
    assert kern.names[t.handle] == "worker"
    assert t.args == ("hello",)
    assert len(kthread.policy) == 1 and kthread.policy.pick_next(0) is t
    assert repr(t) == "<Thread %d worker runnable>" % t.handle


def test_spawn_fails_cleanly(kern, kthread, monkeypatch):
    monkeypatch.setattr(kern, "thread_new", lambda entry, arg: -1)   # no memory
    assert kthread.spawn("x", print) is None
    assert len(kthread.threads) == 1 and len(kthread.policy) == 0
    monkeypatch.undo()
    monkeypatch.setattr(kthread, "MAX_THREADS", 3)
    assert kthread.spawn("a", print) is not None
    assert kthread.spawn("b", print) is not None
    assert kthread.spawn("c", print) is None                       # the limit
    assert len(kthread.threads) == 3


def test_sleep_records_the_sleeper_and_switches(kern, kthread):
    a = spawn_and_run(kthread, "a")
    b = kthread.spawn("b", print)
    kthread.sleep("chan")
    assert a.state == kthread.SLEEPING and a.chan == "chan"
    assert kthread.sleepers == {"chan": a}           # one sleeper: no list
    assert kthread.sleeping_on("chan") == [a]
    assert kern.switches == [b.handle]
    assert kthread.current is b and b.state == kthread.RUNNING and kthread.switches(b) == 1
    # b sleeps on the same channel: the queue is in order; idle runs next.
    kthread.sleep("chan")
    assert kthread.sleepers == {"chan": [a, b]}
    assert kthread.sleeping_on("chan") == [a, b]
    assert kern.switches == [b.handle, 0]
    assert kthread.current is kthread.idle_thread


def test_idle_never_sleeps(kern, kthread):
    with pytest.raises(RuntimeError):
        kthread.sleep("anything")


def test_wakeup_wakes_every_sleeper_on_the_channel_only(kern, kthread):
    a, b, c = (kthread.spawn(n, print) for n in "abc")
    while kthread.policy.pick_next(0):
        pass
    for t, chan in ((a, "x"), (b, "x"), (c, "y")):
        t.state, t.chan = kthread.SLEEPING, chan
        kthread.sleepers.setdefault(chan, []).append(t)
    kthread.wakeup("x")
    assert a.state == b.state == kthread.RUNNABLE and a.chan is None
    assert c.state == kthread.SLEEPING
    assert kthread.sleepers == {"y": [c]}
    assert [kthread.policy.pick_next(0) for _ in range(2)] == [a, b]
    kthread.wakeup("nobody sleeps here")          # harmless
    assert kthread.sleepers == {"y": [c]}
    # A lone sleeper is kept as the thread itself; wake() and wakeup() take it.
    kthread.sleepers["y"] = c
    kthread.wakeup("y")
    assert c.state == kthread.RUNNABLE and kthread.sleepers == {}


def test_run_next_skips_threads_no_longer_runnable(kern, kthread):
    a = kthread.spawn("a", print)
    b = kthread.spawn("b", print)
    a.state = kthread.SLEEPING              # queued, then went to sleep elsewhere
    kthread.run_next()
    assert kthread.current is b and kern.switches == [b.handle]
    kthread.run_next()                      # nothing left: the idle thread
    assert kthread.current is kthread.idle_thread and kern.switches[-1] == 0


def test_yield_alone_does_not_switch(kern, kthread):
    a = spawn_and_run(kthread, "a")
    kthread.yield_()
    assert kern.switches == [] and kthread.current is a


def test_yield_goes_to_the_back_of_the_queue(kern, kthread):
    a = spawn_and_run(kthread, "a")
    b = kthread.spawn("b", print)
    kthread.yield_()
    assert kthread.current is b and kern.switches == [b.handle]
    assert a.state == kthread.RUNNABLE and kthread.policy.pick_next(0) is a


def test_exit_leaves_an_exited_thread_that_the_next_thread_frees(kern, kthread):
    joiner = kthread.spawn("joiner", print)
    a = spawn_and_run(kthread, "a")
    kthread.policy.remove(joiner)
    joiner.state, joiner.chan = kthread.SLEEPING, a     # as join(a) leaves it
    kthread.sleepers[a] = [joiner]
    with pytest.raises(RuntimeError, match="an exited thread was switched to"):
        kthread.exit_thread()                 # the fake switch returns: that is the error
    assert a.state == kthread.EXITED and a.done
    assert a not in kthread.sleepers                   # the joiner was woken...
    assert kthread.current is joiner and kern.switches == [joiner.handle]   # ...and runs
    # The joiner's side of the switch (finish_switch) freed a's stack.
    assert kthread.exited == [] and a.handle not in kthread.threads
    assert kern.freed_threads == [a.handle]


def test_finish_switch_frees_exited_threads(kern, kthread):
    a = kthread.spawn("a", print)
    b = kthread.spawn("b", print)
    a.state = b.state = kthread.EXITED
    kthread.exited.extend([a, b])
    kthread.finish_switch()
    assert kthread.exited == [] and sorted(kern.freed_threads) == [a.handle, b.handle]
    assert list(kthread.threads) == [0]


def test_finish_switch_never_frees_the_running_stack(kern, kthread):
    a = spawn_and_run(kthread, "a")
    kthread.exited.append(a)
    kthread.finish_switch()
    assert kern.freed_threads == [] and kthread.exited == [a]


def test_thread_main_keeps_the_result_and_join_returns_it(kern, kthread):
    t = kthread.spawn("adder", lambda x, y: x + y, 2, 3)
    kthread.policy.pick_next(0)
    kthread.current = t
    with pytest.raises(RuntimeError, match="an exited thread was switched to"):
        kthread._thread_main(t)
    assert t.result == 5 and t.done
    assert kthread.join(t) == 5        # done: no sleeping


def test_events_dispatch_to_their_handlers(kern, kthread):
    from kernel.thread import events
    seen = []
    events.on_event(kern.EV_TIMER, lambda: seen.append("timer"))
    events.on_event(kern.EV_UART, lambda: seen.append("uart"))
    events.dispatch(kern.EV_UART)
    assert seen == ["uart"]
    kern.pending_events = kern.EV_TIMER | kern.EV_UART
    events.poll()
    assert seen == ["uart", "timer", "uart"]
    events.poll()              # nothing pending
    assert len(seen) == 3
    assert kthread.by_handle(0) is kthread.idle_thread and kthread.by_handle(99) is None


# ---- the clock ----

def test_clock_ticks(kern, kthread):
    from kernel.dev import clock
    from kernel.thread import events
    kern.now = 1000
    clock.start()
    per_tick = kern.TIMEBASE_HZ // clock.TICKS_PER_SECOND
    assert kern.timer is None                          # nobody sleeps: no interrupts
    kern.now = 1000 + 3 * per_tick - 1
    assert clock.uptime() == 2                         # exact, from the time CSR
    sleeper = spawn_and_run(kthread, "s")
    clock.sleep_until(5)                               # sleeps until tick 5
    assert sleeper.state == kthread.SLEEPING
    assert kern.timer == 1000 + 5 * per_tick           # one interrupt, at tick 5
    kern.now = 1000 + 5 * per_tick
    kern.pending_events = kern.EV_TIMER
    events.poll()
    assert clock.ticks == 5
    assert sleeper.state == kthread.RUNNABLE          # sleepers on the clock woken
    kern.now = 1000 + 50 * per_tick + 5               # very late: still exact
    assert clock.uptime() == 50


# ---- the console's line discipline ----

def type_keys(console, data):
    for c in data:
        console.input_char(c)


@pytest.fixture
def console(kern):
    from kernel.dev import console
    console.init(console.MONITOR)
    return console


def test_console_lines_and_echo(console, capsys):
    type_keys(console, b"6*7\r")
    assert console.queues[console.MONITOR] == [b"6*7\n"] and console.editing == []
    assert console.queues[console.USER] == []
    assert capsys.readouterr().out == "6*7\n"
    type_keys(console, b"abc\n")               # LF works as well as CR
    type_keys(console, b"\r")                  # an empty line is a line
    assert console.queues[console.MONITOR] == [b"6*7\n", b"abc\n", b"\n"]
    assert console.readline("> ") == "6*7"     # FIFO; the prompt is printed
    assert capsys.readouterr().out == "abc\n\n> "
    assert console.readline() == "abc"
    assert console.readline() == ""            # an empty line is not end of file


def test_console_read_takes_what_fits(console):
    console.owner = console.USER
    type_keys(console, b"hello\r")
    assert console.read(3) == b"hel"           # the rest stays for the next read
    assert console.read(100) == b"lo\n"


def test_console_backspace_and_delete(console, capsys):
    type_keys(console, b"12\x7f3")
    assert console.editing == ["1", "3"]
    type_keys(console, b"\x08\x08\x08\x7f")    # more erases than characters: harmless
    assert console.editing == []
    assert capsys.readouterr().out == "12\b \b3" + "\b \b" * 2


def test_console_ctrl_u(console, capsys):
    type_keys(console, b"999\x15")
    assert console.editing == []
    assert capsys.readouterr().out == "999" + "\b \b" * 3
    type_keys(console, b"\x15")                # empty line: nothing to erase
    assert capsys.readouterr().out == ""
    type_keys(console, b"42\r")
    assert console.queues[console.MONITOR] == [b"42\n"]


def test_console_ctrl_d(console, capsys):
    type_keys(console, b"\x04")                # empty line: end of file
    assert console.queues[console.MONITOR] == [b""]
    type_keys(console, b"ab\x04")              # partial line: delivered as is
    assert console.queues[console.MONITOR] == [b"", b"ab"]
    assert capsys.readouterr().out == "ab"
    assert console.readline() is None
    assert console.readline() == "ab"


def test_console_ctrl_p_prints_and_keeps_the_line(console, capsys):
    calls = []
    type_keys(console, b"6*")
    console.hooks[0] = None
    console.input_char(0x10)                   # no procdump: ignored
    console.hooks[0] = lambda: calls.append(1)
    console.input_char(0x10)
    assert calls == [1]
    assert console.editing == ["6", "*"]
    type_keys(console, b"7\r")
    assert console.queues[console.MONITOR] == [b"6*7\n"]
    assert capsys.readouterr().out == "6*\n7\n"


def test_console_escape_switches_the_reader(console, capsys):
    seen = []
    console.hooks[1] = seen.append
    type_keys(console, b"ab\x1d")               # Ctrl-]: the half line is dropped
    assert console.owner == console.USER and seen == [console.USER]
    assert console.editing == []
    type_keys(console, b"ls\r")
    assert console.queues[console.USER] == [b"ls\n"]
    assert console.queues[console.MONITOR] == []
    type_keys(console, b"\x1dx\r")
    assert console.owner == console.MONITOR and seen == [console.USER, console.MONITOR]
    assert console.queues[console.MONITOR] == [b"x\n"]


def test_console_ignores_control_characters(console, capsys):
    type_keys(console, b"a\x01\x1b\tb")      # ESC then a control character: both dropped
    assert console.editing == ["a", "\t", "b"]


def test_console_refuses_an_over_long_line_whole(console, capsys):
    assert console.MAX_LINE == console.MAXLINE - 1    # room for the newline
    type_keys(console, b"x" * (console.MAX_LINE + 10))
    assert len(console.editing) == console.MAX_LINE and console.too_long
    assert capsys.readouterr().out == "x" * console.MAX_LINE    # the rest is not echoed
    type_keys(console, b"\r")
    assert console.editing == [] and not console.too_long
    assert console.queues[console.MONITOR] == [console.CANCELLED]   # nothing of it
    assert capsys.readouterr().out == "\nconsole: line longer than %d characters refused\n" % (
        console.MAX_LINE)
    with pytest.raises(KeyboardInterrupt):
        console.readline()
    type_keys(console, b"x" * console.MAX_LINE + b"\r")   # the longest line is a line
    assert console.queues[console.MONITOR] == [b"x" * console.MAX_LINE + b"\n"]


def test_console_ctrl_c_abandons_the_line(console, capsys):
    seen = []
    console.interrupt_hooks.append(seen.append)
    try:
        type_keys(console, b"1\rabc\x03")
        assert console.editing == [] and seen == [console.MONITOR]
        assert capsys.readouterr().out == "1\nabc^C\n"
        # Lines entered before stay; the reader gets a fresh start in place
        # of the abandoned one: the monitor CANCELLED (its readline()
        # raises KeyboardInterrupt) ...
        assert console.queues[console.MONITOR] == [b"1\n", console.CANCELLED]
        assert console.readline() == "1"
        with pytest.raises(KeyboardInterrupt):
            console.readline()
        # ... the programs an empty line, so the shell prompts again; a
        # line half read stays whole.
        console.owner = console.USER
        type_keys(console, b"cat\r")
        assert console.read(1) == b"c"
        type_keys(console, b"ls\x03")
        assert console.queues[console.USER] == [b"at\n", b"\n"]
        assert seen == [console.MONITOR, console.USER]
    finally:
        console.interrupt_hooks.remove(seen.append)


def test_console_consumes_escape_sequences(console, capsys):
    keys = [b"\x1b[C", b"\x1b[D", b"\x1b[H", b"\x1b[F", b"\x1bOH", b"\x1b[3~", b"\x1b[1;5C"]
    type_keys(console, b"a" + b"".join(keys) + b"b\x1bc\r")
    assert console.queues[console.MONITOR] == [b"abc\n"]
    assert capsys.readouterr().out == "abc\n"


def test_console_arrows_walk_a_bounded_history(console, capsys):
    for i in range(console.HISTORY_LINES + 5):
        type_keys(console, b"line %d\r" % i)
    history = console.histories[console.MONITOR]
    assert len(history) == console.HISTORY_LINES and history[-1] == "line %d" % (
        console.HISTORY_LINES + 4)
    capsys.readouterr()
    type_keys(console, b"xy\x1b[A")
    assert "".join(console.editing) == history[-1]
    assert capsys.readouterr().out == "xy" + "\b \b" * 2 + history[-1]
    type_keys(console, b"\x1b[A\x1b[A\x1b[B")
    assert "".join(console.editing) == history[-2]
    type_keys(console, b"\x1b[B\x1b[B")        # past the newest: an empty line
    assert console.editing == []
    type_keys(console, b"\x1b[A\r")
    assert console.queues[console.MONITOR][-1] == (history[-1] + "\n").encode()
    assert len(history) == console.HISTORY_LINES       # a repeat is not kept twice
    assert console.histories[console.USER] == []      # each reader has its own


def test_console_wakes_readers(kern, kthread, console):
    reader = spawn_and_run(kthread, "reader")
    chan = console.channels[console.MONITOR]
    kthread.sleep(chan)                        # where readline() waits for a line
    assert kthread.sleeping_on(chan) == [reader]
    kern.input = list(b"hi\r")
    console.intr()                             # the UART interrupt, at a safe point
    assert console.queues[console.MONITOR] == [b"hi\n"]
    assert reader.state == kthread.RUNNABLE
    assert chan not in kthread.sleepers
    assert console.readline() == "hi"          # a line is there: no sleeping


# ---- the monitor ----

def test_monitor_evaluates_expressions(kern, capsys):
    from kernel.debug import monitor
    env = monitor.namespace()
    monitor.evaluate("6*7", env)
    assert capsys.readouterr().out == "42\n"
    assert env["_"] == 42
    monitor.evaluate("None", env)
    assert capsys.readouterr().out == ""
    monitor.evaluate("'a' + 'b'", env)
    assert capsys.readouterr().out == "'ab'\n"


def test_monitor_runs_statements_and_blocks(kern, capsys):
    from kernel.debug import monitor
    env = monitor.namespace()
    monitor.evaluate("x = 20", env)
    monitor.evaluate("def f(y):\n    return x + y\n", env)
    assert capsys.readouterr().out == ""
    monitor.evaluate("f(22)", env)
    assert capsys.readouterr().out == "42\n"
    monitor.evaluate("for i in range(2):\n    print(i)\n", env)
    assert capsys.readouterr().out == "0\n1\n"


def test_monitor_reports_mistakes_and_carries_on(kern, capsys):
    from kernel.debug import monitor
    env = monitor.namespace()
    monitor.evaluate("undefined_name", env)
    monitor.evaluate("1 // 0", env)
    monitor.evaluate("def (", env)
    captured = capsys.readouterr()
    text = captured.out + captured.err         # CPython's traceback goes to stderr
    assert "NameError" in text and "ZeroDivisionError" in text and "SyntaxError" in text
    assert text.count("Traceback (most recent call last)") >= 2
    monitor.evaluate("6*7", env)
    assert capsys.readouterr().out == "42\n"


def test_monitor_namespace_and_commands(kern, kthread, capsys):
    from kernel.debug import monitor
    from kernel.dev import clock
    env = monitor.namespace()
    for name in ("help", "ps", "threads", "harts", "resume", "mem", "uptime", "poweroff", "crash",
                 "bench", "kern", "kthread", "proc", "clock", "console", "selftest", "gc", "sys"):
        assert name in env, name
    kthread.spawn("worker", print)
    monitor.threads()
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "STATE", "NAME", "SWITCHES", "TICKS", "STACK", "HART"]
    assert [line.split()[2] for line in out[1:]] == ["idle", "worker"]
    kern.now = clock.start_time + 17 * clock.tick_cycles + 1
    assert monitor.uptime() == 17
    monitor.poweroff(3)
    assert kern.poweroff_status == 3
    assert "pyrite: power off (status 3)" in capsys.readouterr().out
    monitor.help()
    assert "poweroff" in capsys.readouterr().out


def test_monitor_reads_blocks(kern, console, capsys):
    from kernel.debug import monitor
    type_keys(console, b"def f():\r    return 1\r\r6*7\r\x04")
    assert monitor.read_entry() == "def f():\n    return 1\n"
    assert monitor.read_entry() == "6*7"
    assert monitor.read_entry() is None
    type_keys(console, b"if 1:\r    pass\r\x04")       # ^D ends a block too
    assert monitor.read_entry() == "if 1:\n    pass\n"
    out = capsys.readouterr().out
    assert out.count(monitor.PROMPT) == 4 and out.count(monitor.CONTINUE) == 4


def test_banner(kern, capsys):
    from kernel import main
    main.banner()
    out = capsys.readouterr().out
    assert out.startswith("Pyrite %s on MicroPython " % main.VERSION)
    assert "RAM 128 MiB at 0x80000000; kernel image 320 KiB; Python heap 8192 KiB" in out
    assert "pages: 64 free of 64 (4 KiB each)" in out
