"""Kernel threads: thousands of switches with allocation churn and garbage
collections between them, the GC's scan of suspended stacks (and a check
that the test would catch its absence), and many threads at once."""

import re

SELFTEST = re.compile(r"selftest threads: (\w+): (\d+) threads, (\d+) rounds each, "
                      r"(\d+) corrupted checks, (\d+) switches")


def assert_threads_ok(out, nthreads, rounds):
    """selftest.threads() printed its one line, ok, and returned 0."""
    lines = out.splitlines()
    assert len(lines) == 2 and lines[1] == "0", out
    m = SELFTEST.fullmatch(lines[0])
    assert m and m.groups()[:4] == ("ok", str(nthreads), str(rounds), "0"), out
    assert int(m.group(5)) >= nthreads * rounds, out   # every round switches at least once


def test_switch_churn_and_gc(machine):
    before = machine.value("kern.free_pages()")
    out = machine.run("selftest.threads(nthreads=4, rounds=1500)", timeout=60)
    m = SELFTEST.search(out)
    assert m, out
    verdict, nthreads, rounds, corrupted, switches = m.groups()
    assert verdict == "ok"
    assert (int(nthreads), int(rounds)) == (4, 1500)
    assert int(corrupted) == 0
    assert int(switches) >= 4 * 1500           # every round switches at least once
    assert out.splitlines() == [m.group(0), "0"]   # and its return value: 0 corrupted
    # Every worker's stack went back to the allocator.
    assert machine.value("kern.free_pages()") == before
    assert machine.value("sorted(t.name for t in kthread.threads.values())") == ["idle", "monitor"]
    # The GC is back to scanning suspended stacks, and the kernel still works.
    assert_threads_ok(machine.run("selftest.threads(nthreads=2, rounds=200)", timeout=30), 2, 200)


def test_gc_skipping_suspended_stacks_is_detected(machine):
    # Fault injection: the GC ignores suspended stacks, so objects held only
    # by them are freed and reused.  The self-test must notice: CORRUPTED,
    # or the kernel dies of it (a panic, never a silent hang) -- never "ok".
    machine.send_line("selftest.threads(nthreads=4, rounds=300, scan_suspended=False)")
    m = machine.expect([SELFTEST, r"panic: [^\r\n]*"], timeout=60)
    if m.re is SELFTEST:
        assert m.group(1) == "CORRUPTED", m.group(0)
        assert int(m.group(4)) > 0
    else:
        machine.expect(r"pyrite: machine halted \(power off, status (\d+)\)")
        assert machine.wait_exit() != 0


SLEEPER = """\
def sleeper(i):
    while not bell:
        kthread.sleep("bell")
    woken.append(i)
    return i * 2
"""


def test_many_threads_sleep_and_wake(machine):
    n = 200
    before = machine.value("kern.free_pages()")
    stack_pages = machine.value("kern.KSTACK_SIZE // kern.PGSIZE")
    machine.run("bell = []; woken = []")
    assert machine.run_block(SLEEPER) == ""
    machine.run("ts = [kthread.spawn('s%%d' %% i, sleeper, i) for i in range(%d)]" % n)
    assert machine.value("None in ts") is False
    machine.run("kthread.yield_()")            # each runs once and goes to sleep
    assert machine.value("len(kthread.sleeping_on('bell'))") == n
    assert machine.value("all(t.state == kthread.SLEEPING for t in ts)") is True
    assert machine.value("len(kthread.threads)") == n + 2
    in_use = before - machine.value("kern.free_pages()")
    assert in_use >= n * stack_pages               # a real stack each
    assert "s199" in machine.run("threads()")
    # Nobody wakes up by accident.
    machine.run("kthread.yield_()")
    assert machine.value("woken") == []
    # One wakeup wakes them all, in the order they went to sleep.
    machine.run("bell.append(1); kthread.wakeup('bell')")
    assert machine.value("[kthread.join(t) for t in ts] == [2 * i for i in range(%d)]" % n) is True
    assert machine.value("woken == list(range(%d))" % n) is True
    assert machine.value("'bell' in kthread.sleepers") is False
    assert machine.value("len(kthread.threads)") == 2
    # Every stack went back.  The kernel keeps the page-table pages it made
    # to map the stack slots (one per 2 MiB of slots, for reuse), nothing more.
    after_one = machine.value("kern.free_pages()")
    slot_pages = stack_pages + 1                       # a stack and its guard page
    page_tables = (n + 1) * slot_pages // 512 + 2
    assert 0 <= before - after_one <= page_tables
    # A second round leaves exactly as much free: nothing leaks per thread.
    machine.run("bell.clear(); woken.clear()")
    machine.run("ts = [kthread.spawn('t%%d' %% i, sleeper, i) for i in range(%d)]" % n)
    machine.run("kthread.yield_()")
    assert machine.value("len(kthread.sleeping_on('bell'))") == n
    machine.run("bell.append(1); kthread.wakeup('bell')")
    assert machine.value("sum(kthread.join(t) for t in ts)") == n * (n - 1)
    assert machine.value("len(kthread.threads)") == 2
    assert machine.value("kern.free_pages()") == after_one
