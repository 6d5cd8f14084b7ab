"""Panics: an uncaught Python exception or a C fault in the kernel prints
what happened and powers off with a non-zero status; an exception a kernel
thread catches itself disturbs nobody."""


from tests.qemu.machine import REPO


def source_line(path, text):
    """The 1-based line of kernel source `path` that contains `text`."""
    for number, line in enumerate((REPO / path).read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError("%r not found in %s" % (text, path))


def test_python_exception_panics(machine):
    assert machine.qmp("query-status")["status"] == "running"
    machine.send_line('crash("python")')
    machine.expect(r"panic: uncaught Python exception in the kernel")
    machine.expect(r"Traceback \(most recent call last\):")
    m = machine.expect(r'File "kernel/debug/monitor.py", line (\d+), in _raise_in_thread')
    assert int(m.group(1)) == source_line(
        "kernel/debug/monitor.py", 'raise RuntimeError("deliberate crash requested from the monitor")')
    machine.expect(r"RuntimeError: deliberate crash requested from the monitor")
    machine.expect(r"kernel thread: \d+ \(crasher\)")
    machine.expect(r"pyrite: machine halted \(power off, status 1\)")
    how, detail = machine.watch_qmp_stop()
    # What QEMU 7.2 really does: the SiFive test device calls exit(), no
    # SHUTDOWN event is sent, and QMP sees its connection closed.
    assert how in ("disconnected", "event"), (how, detail)
    assert machine.wait_exit() == 1


def test_c_fault_panics_with_symbolized_pc(machine, kernel_elf):
    from tools.symbolize import symbolize

    machine.send_line('crash("c")')
    machine.expect(r"panic: kernel fault: load page fault")
    m = machine.expect(r"scause=(0x[0-9a-f]+) sepc=(0x[0-9a-f]+) stval=(0x[0-9a-f]+)\s")
    scause, sepc, stval = (int(g, 16) for g in m.groups())
    assert scause == 0xD          # load page fault
    assert stval == 0x8           # crash("c") reads address 8
    machine.expect(r"\bra=0x[0-9a-f]+\s+sp=0x[0-9a-f]+")      # the registers
    m = machine.expect(r"symbolize: pc=(0x[0-9a-f]+) ra=(0x[0-9a-f]+)\s")
    pc, ra = (int(g, 16) for g in m.groups())
    assert pc == sepc
    where = symbolize(kernel_elf, sepc)
    assert where.startswith("kern_peek+"), where
    assert "cstubs/modkern.c" in where, where
    assert symbolize(kernel_elf, ra) != "??"
    machine.expect(r"kernel thread: \d+ \(monitor\)")
    machine.expect(r"pyrite: machine halted \(power off, status 1\)")
    assert machine.wait_exit() == 1


def test_stack_overflow_into_the_guard_page(machine):
    lo, hi = machine.value("kern.thread_stack(kern.thread_current())")
    assert hi - lo == machine.value("kern.KSTACK_SIZE") >= 16 * 1024
    machine.send_line('crash("guard")')
    machine.expect(r"panic: kernel fault")
    m = machine.expect(r"scause=(0x[0-9a-f]+) sepc=0x[0-9a-f]+ stval=(0x[0-9a-f]+)\s")
    assert int(m.group(2), 16) == lo - 8
    machine.expect(r"kernel stack overflow")
    machine.expect(r"pyrite: machine halted \(power off, status 1\)")
    assert machine.wait_exit() == 1


CATCHER = """\
def catcher(tag):
    try:
        kthread.yield_()
        deep(3, tag)
    except ValueError as e:
        results.append("caught " + str(e))
    kthread.yield_()
    return tag + " done"
"""

DEEP = """\
def deep(n, tag):
    if n == 0:
        raise ValueError(tag)
    kthread.yield_()
    return deep(n - 1, tag)
"""

OTHER = """\
def other():
    total = 0
    for i in range(6):
        results.append(i)
        total += i
        kthread.yield_()
    return total
"""


def test_exception_caught_inside_a_thread_disturbs_nobody(machine):
    machine.run("results = []")
    for block in (DEEP, CATCHER, OTHER):
        assert machine.run_block(block) == ""
    # Both on one line: the monitor does not switch between the two spawns.
    machine.run('a = kthread.spawn("catcher", catcher, "boom"); b = kthread.spawn("other", other)')
    assert machine.run("(kthread.join(a), kthread.join(b))") == "('boom done', 15)"
    results = machine.value("results")
    numbers = [r for r in results if isinstance(r, int)]
    assert numbers == [0, 1, 2, 3, 4, 5]
    assert "caught boom" in results
    # The catcher raised while the other thread was half way through: the
    # two really interleaved, and unwinding touched only the catcher's stack.
    i = results.index("caught boom")
    assert 0 < i < len(results) - 1, results
    assert machine.value("len(kthread.threads)") == 2     # both are gone
    assert machine.run("6*7") == "42"
    assert machine.alive()
