"""The kernel monitor: a Python prompt inside the running kernel, and the
console's line discipline under it."""

import re
import time

from tests.qemu.machine import CONTINUE, PROMPT, parse_banner

THREADS_HEADER = re.compile(r"ID\s+STATE\s+NAME\s+SWITCHES\s+TICKS\s+STACK")


def thread_rows(text):
    """{name: (id, state)} from the output of threads() (its last column
    is the hart: "0", or "2w" when the thread is wired there)."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\d+)\s+(\w+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+w?\s*$", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), m.group(2))
    return rows


def test_expressions(machine):
    assert machine.run("6*7") == "42"
    assert machine.run("'py' + 'rite'") == "'pyrite'"
    assert machine.run("[i * i for i in range(5)]") == "[0, 1, 4, 9, 16]"
    assert machine.run("None") == ""                  # None is not shown
    assert machine.run("_") == "[0, 1, 4, 9, 16]"     # the last value shown


def test_statements_and_blocks(machine):
    assert machine.run("x = 5") == ""
    assert machine.run("x * 3") == "15"
    assert machine.run_block("def f(x):\n    y = x + 1\n    return y * 2") == ""
    assert machine.run("f(20)") == "42"
    out = machine.run_block("for i in range(3):\n    print('line', i)")
    assert out.splitlines() == ["line 0", "line 1", "line 2"]


def test_mistakes_print_a_traceback_and_the_monitor_goes_on(machine):
    out = machine.run("undefined_name + 1")
    assert "Traceback (most recent call last):" in out
    assert re.search(r"NameError: name 'undefined_name' is(n't| not) defined", out)
    out = machine.run("1 // 0")       # integer-only kernel: no float division
    assert "ZeroDivisionError" in out
    out = machine.run("def (")
    assert "SyntaxError" in out
    assert machine.run("6*7") == "42"
    assert "monitor" in thread_rows(machine.run("threads()"))


def gc_heap_bytes(heap):
    """The bytes MicroPython's GC can hand out of a heap area of `heap` bytes
    (py/gc.c, gc_setup_area, without finalisers): 32-byte blocks (4 words
    of 8 bytes), one allocation-table byte per 4 blocks, one gap byte."""
    atb_bytes = (heap - 1) // (1 + 8 // 2 * 32)
    return atb_bytes * 4 * 32


def test_mem(machine):
    out = machine.run("mem()")
    lines = out.splitlines()
    assert len(lines) == 4, out
    m = re.fullmatch(r"pages: (\d+) free of (\d+) \((\d+) KiB free\)", lines[0])
    assert m, out
    free, total, kib = map(int, m.groups())
    assert free == machine.value("kern.free_pages()")
    assert total == machine.value("kern.total_pages()")
    assert kib == free * 4
    # The pages cover the RAM QEMU has (QMP says how much) but for the
    # kernel image, the Python heap and the allocator's bitmap.
    ram = machine.qmp("query-memory-size-summary")["base-memory"]
    banner = parse_banner(machine.banner)
    assert ram == banner["ram_mib"] << 20
    rest = ram - (banner["image_kib"] + banner["heap_kib"]) * 1024
    assert rest - 64 * 1024 <= total * 4096 <= rest
    h = re.fullmatch(r"python heap: (\d+) bytes used, (\d+) free, largest free block (\d+)",
                     lines[1])
    assert h, out
    used, hfree, largest = map(int, h.groups())
    assert 0 < largest <= hfree
    w = re.fullmatch(r"  high-water mark (\d+); (\d+) collections; reserve 65536 bytes "
                     r"\(spent (\d+) times, (\d+) calls refused\)", lines[2])
    assert w, out
    assert int(w.group(1)) >= used
    live = re.fullmatch(r"  after a collection: (\d+) bytes live", lines[3])
    assert live and 0 < int(live.group(1)) <= used, out
    # The heap's size is fixed: what MicroPython makes of the banner's heap.
    heap = gc_heap_bytes(banner["heap_kib"] * 1024)
    assert used + hfree == heap
    assert machine.value("gc.mem_alloc() + gc.mem_free()") == heap
    # The GC's own count, read right after mem() on the same line: the
    # same, but for the little that printing mem()'s lines allocated.
    out = machine.run("mem(); print(gc.mem_alloc(), gc.mem_free())")
    h = re.search(r"^  after a collection: (\d+) bytes live\n(\d+) (\d+)$", out, re.M)
    assert h, out
    used, used2, free2 = map(int, h.groups())
    assert used2 + free2 == heap
    assert 0 <= used2 - used <= 1024, (used, used2)


def test_threads_lists_idle_and_monitor(machine):
    out = machine.run("threads()")
    assert THREADS_HEADER.search(out), out
    rows = thread_rows(out)
    assert set(rows) == {"idle", "monitor"}
    assert rows["monitor"][1] == "running"      # it is the one printing
    assert rows["idle"][1] in ("runnable", "running")


def test_uptime_increases(machine):
    # Read uptime() until it has gone 6 ticks on (0.6 s at 10 ticks a
    # second); meanwhile the host's clock: the kernel's may lag (QEMU
    # is a program), never run ahead of it.
    start = time.monotonic()
    t1 = machine.value("uptime()")
    t2 = t1
    while t2 < t1 + 6:
        assert time.monotonic() - start < machine.scaled(10), "uptime() stuck at %d" % t2
        t2 = machine.value("uptime()")
    elapsed = time.monotonic() - start
    assert t2 - t1 <= elapsed * 10 + 1, (t1, t2, elapsed)


def test_free_pages_match_the_banner(machine):
    b = parse_banner(machine.banner)
    assert machine.value("kern.total_pages()") == b["total_pages"]
    free = machine.value("kern.free_pages()")
    # The banner is printed before the buffer cache takes its pages and the
    # monitor thread starts; those, and the thread's stack (and at most a
    # few page-table pages for it), are the only difference.
    stack_pages = machine.value("kern.KSTACK_SIZE // kern.PGSIZE")
    cache_pages = machine.value("len(bio.pages)")
    assert cache_pages == machine.value("bio.NBUF * 1024 // kern.PGSIZE")
    assert cache_pages <= b["free_pages"] - free <= cache_pages + stack_pages + 3
    # and the count is stable while nothing happens
    assert machine.value("kern.free_pages()") == free


def test_backspace_erases_a_character(machine):
    for erase in (b"\x7f", b"\x08"):
        machine.send_raw(b"12" + erase + b"3\r")
        out = machine.prompt()
        assert out.startswith("12\b \b3\n"), repr(out)
        assert out.splitlines()[-1] == "13"
    # Backspace on an empty line does nothing.
    machine.send_raw(b"\x7f\x7f6*7\r")
    out = machine.prompt()
    assert out == "6*7\n42\n", repr(out)


def test_ctrl_u_erases_the_line(machine):
    machine.send_raw(b"999+1\x15")
    machine.expect_exact("\b \b" * 5)
    machine.send_raw(b"6*7\r")
    out = machine.prompt()
    assert out.splitlines()[-1] == "42", repr(out)
    assert "1000" not in out


def test_ctrl_p_prints_the_threads_and_keeps_the_line(machine):
    machine.send_raw(b"6*")
    machine.expect_exact("6*")
    machine.send_raw(b"\x10")
    machine.expect(THREADS_HEADER)
    machine.expect(r"monitor")
    machine.send_raw(b"7\r")
    out = machine.prompt()
    assert out.splitlines()[-1] == "42", repr(out)


def test_ctrl_d(machine):
    # On an empty line: end of file; the monitor prints a newline and prompts again.
    machine.send_raw(b"\x04")
    assert machine.prompt() == "\n"
    assert machine.run("6*7") == "42"
    # On a partial line: the line is delivered as it is.
    machine.send_raw(b"6*7\x04")
    out = machine.prompt()
    assert re.fullmatch(r"6\*7\n?42\n", out), repr(out)
    # Inside a block it ends the block.
    machine.send_line("if True:")
    machine.expect_exact(CONTINUE)
    machine.send_line("    print('in block')")
    machine.expect_exact(CONTINUE)
    machine.send_raw(b"\x04")
    out = machine.prompt()
    assert out.splitlines()[-1] == "in block", repr(out)
    assert PROMPT not in out


# ---- Ctrl-C, the soft-lockup check, help ----

CTRL_C = "\x03"


def interrupt(machine, loop):
    """Run `loop` (Python that never ends), announced by a line it prints
    first; press Ctrl-C once it runs; return what came before the prompt.
    (A Ctrl-C typed before the entry runs would only end the typed line.)"""
    entry = "print('running'); exec(%r)" % loop
    machine.send_line(entry)
    machine.expect_exact(entry + "\n")
    machine.expect_exact("running\n")
    machine.send_raw(CTRL_C)
    return machine.prompt()


def test_ctrl_c_interrupts_a_loop_and_the_monitor_goes_on(machine):
    assert interrupt(machine, "while True: pass") == "KeyboardInterrupt\n"
    # A loop that yields to the other threads stops as well.
    assert interrupt(machine, "while True: kthread.yield_()") == "KeyboardInterrupt\n"
    # The loop stopped where it was: what it did so far is kept.
    machine.run("n = 0")
    assert interrupt(machine, "while True: n += 1") == "KeyboardInterrupt\n"
    assert machine.value("n > 0") is True
    # A Ctrl-C typed after the entry ended is the prompt's: it drops a line.
    assert machine.run("6*7") == "42"
    machine.send_raw("1" + CTRL_C)
    assert machine.prompt() == "1^C\n"
    assert "monitor" in thread_rows(machine.run("threads()"))


def test_ctrl_c_at_the_prompt_abandons_the_line_or_block(machine):
    machine.send_raw("999+1" + CTRL_C)
    assert machine.prompt() == "999+1^C\n"
    machine.send_line("if True:")
    machine.expect_exact(CONTINUE)
    machine.send_line("    print('never')")
    machine.expect_exact(CONTINUE)
    machine.send_raw(CTRL_C)
    out = machine.prompt()
    assert out == "^C\n", repr(out)          # the block did not run
    assert machine.run("6*7") == "42"


def test_up_arrow_recalls_at_the_monitor(machine):
    assert machine.run("6*7") == "42"
    machine.send_raw("\x1b[A")
    machine.expect_exact("6*7")
    machine.send_raw("+1\x1b[D\x1b[3~\r")     # left and Delete: consumed
    out = machine.prompt()
    assert out == "+1\n43\n", repr(out)


def test_an_over_long_line_is_refused_at_the_monitor(machine):
    machine.send_raw("1" * 1500 + "\r")
    out = machine.prompt()
    assert out.endswith("\nconsole: line longer than 1023 characters refused\n"), repr(out[-100:])
    assert machine.run("6*7") == "42"


def test_ctrl_c_at_the_monitor_leaves_the_programs_running(boot):
    from tests.qemu.shell import SHELL, boot_shell, power_off, sh, to_monitor
    m = boot_shell(boot)
    m.send_line("cat")                   # a program waiting for the keyboard
    m.expect_exact("cat\n")
    to_monitor(m)
    # The shell's child becomes cat a moment later (exec reads the disk).
    deadline = time.monotonic() + m.scaled(10)
    while not re.search(r"\bcat\b", m.run("ps()")):
        assert time.monotonic() < deadline, "cat never started"
    assert interrupt(m, "while True: pass") == "KeyboardInterrupt\n"
    assert re.search(r"\bcat\b", m.run("ps()"))
    m.send_line("resume()")
    m.expect_exact("[back to the programs]\n")
    m.send_raw("still reading\r")
    m.expect_exact("still reading\nstill reading\n")   # the echo, then cat's copy
    m.send_raw("\x04")
    m.expect_exact(SHELL)
    assert sh(m, "echo ok") == "ok"
    power_off(m)


def test_soft_lockup_panics_with_the_traceback(machine):
    # A kernel thread that loops and never lets user mode or idle run: a
    # second later the VM's check panics, showing where it loops.
    from tests.qemu.test_panic import source_line
    machine.send_line('crash("lockup")')
    machine.expect(r"panic: uncaught Python exception in the kernel")
    machine.expect(r"Traceback \(most recent call last\):")
    m = machine.expect(r'File "kernel/debug/monitor.py", line (\d+), in _spin')
    # The loop's line or its body's (where the VM's backward jump is).
    loop = source_line("kernel/debug/monitor.py", "while True:       # the soft")
    assert int(m.group(1)) in (loop, loop + 1)
    machine.expect(r"SoftLockup: kernel Python ran for a second without going to user mode or idle")
    machine.expect(r"kernel thread: \d+ \(spinner\)")
    machine.expect(r"pyrite: machine halted \(power off, status 1\)")
    assert machine.wait_exit() == 1


def test_help(machine):
    out = machine.run("help()")
    assert "proc.kill(pid)" in out
    assert "integer-only" in out and "//" in out
    assert "Ctrl-C" in out


def test_help_shows_docstrings(machine):
    # mpy-cross drops docstrings; the build keeps them for help(obj).
    out = machine.run("help(console.read)").splitlines()
    assert out[0] == "kernel.dev.console.read: function read"
    assert out[1] == "Up to n bytes of input, blocking until a line (or end of file) is"
    out = machine.run("help(ps)").splitlines()
    assert out == ["kernel.debug.monitor.ps: function ps",
                   "Print the processes: pid, parent, state, size, ticks, user and system",
                   "time, scheduling, name."]
    # A module: its opening comment.
    out = machine.run("help(console)").splitlines()
    assert out[0].startswith("kernel.dev.console: module")
    assert out[1] == "The console: the UART's input, with line editing, for its readers."
    # Nothing written down: where to look.
    out = machine.run("help(console.write)").splitlines()
    assert out == ["kernel.dev.console.write: function write",
                   "(no documentation: see kernel/dev/console.py)"]
    assert machine.run("help(42)").splitlines() == ["42", "(no documentation)"]
