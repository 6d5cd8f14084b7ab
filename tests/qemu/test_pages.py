"""The physical page allocator: run dry, refilled, and bogus frees refused."""

import re

from tests.qemu.test_threads import assert_threads_ok

SELFTEST = re.compile(r"selftest pages: (\w+): start (\d+), allocated (\d+) \((\d+) distinct\), "
                      r"free when empty (\d+), extra alloc (\d+), thread when empty (\w+), end (\d+)")


def test_allocate_everything_and_give_it_back(machine):
    before = machine.value("kern.free_pages()")
    out = machine.run("selftest.pages()", timeout=60)
    m = SELFTEST.search(out)
    assert m, out
    verdict, start, allocated, distinct, when_empty, extra, thread, end = m.groups()
    assert verdict == "ok"
    assert int(start) == before
    assert int(allocated) == int(distinct) == before   # every free page, each once
    assert int(when_empty) == 0
    assert int(extra) == 0                              # beyond RAM: refused cleanly
    assert thread == "refused"                          # no memory for a thread: None
    assert int(end) == before
    assert out.splitlines() == [m.group(0), "True"]
    assert machine.value("kern.free_pages()") == before
    # The kernel is fine after running dry: threads can start again.
    assert_threads_ok(machine.run("selftest.threads(nthreads=2, rounds=100)", timeout=30), 2, 100)


def test_kalloc_kfree_round_trip(machine):
    before = machine.value("kern.free_pages()")
    pa = machine.value("kern.kalloc()")
    assert pa != 0 and pa % 4096 == 0
    assert machine.value("kern.free_pages()") == before - 1
    assert machine.run("kern.kfree(%d)" % pa) == ""
    assert machine.value("kern.free_pages()") == before


def test_bogus_kfree_raises_value_error(machine):
    before = machine.value("kern.free_pages()")
    ram_base, ram_size = machine.value("kern.machine()[:2]")
    pa = machine.value("kern.kalloc()")
    bogus = [
        0x1234,                       # not RAM
        ram_base,                     # the kernel image
        pa + 8,                       # inside a page, not its start
        ram_base + ram_size,          # just past RAM
        ram_base + ram_size - 4096,   # RAM's last page: never handed out on a fresh boot
    ]
    for addr in bogus:
        out = machine.run("kern.kfree(0x%x)" % addr)
        assert "Traceback (most recent call last):" in out, (hex(addr), out)
        assert "ValueError" in out, (hex(addr), out)
    # Double free: the first is fine, the second refused.
    assert machine.run("kern.kfree(0x%x)" % pa) == ""
    out = machine.run("kern.kfree(0x%x)" % pa)
    assert "ValueError" in out, out
    # The kernel survived and no count moved.
    assert machine.value("kern.free_pages()") == before
    assert machine.run("6*7") == "42"
    out = machine.run("selftest.pages()", timeout=60)
    m = SELFTEST.fullmatch(out.splitlines()[0])
    assert m and m.group(1) == "ok" and int(m.group(2)) == int(m.group(8)) == before, out
    assert out.splitlines() == [m.group(0), "True"]
