"""LWPs (threads inside a process) on the booted kernel: lwptests (every
LWP call, and exit, kill, fork, exec, sbrk and faults with several LWPs),
the thread library's programs, the monitor's view of a process's LWPs,
and no pages or kernel heap left behind."""

import re

from kernel.abi.limits import MAXVA, NCPU, PGSIZE
from tools import fsck
from tests.qemu.shell import boot_shell, sh, to_monitor, power_off, poweroff, processes, ESCAPE, SHELL

LWPTESTS = ["create_wait", "wait_any", "wait_errors", "wait_deadlock", "park_unpark",
            "suspend_continue", "library", "hundred", "too_many", "exit_all", "exit_fs", "kill_all",
            "last_exit", "fork", "exec", "sbrk", "fault", "slot", "harts", "nomem"]


# Kernel heap bytes one run of lwptests may leave behind: the heap's own
# bookkeeping (dicts that grew, the wait queues), not per-LWP state.
HEAP_SLACK = 2048
# exit_fs makes files, and the inode cache keeps (up to 200) unused
# inodes: the heap grows with it, by design, so the heap is compared
# over runs of the other tests.
HEAP_TESTS = [n for n in LWPTESTS if n != "exit_fs"]
# Each hart's trapframe slot (cstubs/memlayout.h), hart 0's first.
TRAPFRAME_SLOTS = [MAXVA - (2 + hart) * PGSIZE for hart in range(NCPU)]


def run_lwptests(shell, names=LWPTESTS):
    """lwptests' output, checked: every test named ran and passed; the
    kernel heap's live bytes at its start."""
    line = "lwptests" if names == LWPTESTS else "lwptests " + " ".join(names)
    out = sh(shell, line, 600)
    assert re.findall(r"^test (\S+): (\S+)$", out, re.M) == [(n, "OK") for n in names], out
    assert "lwptests: %d passed, 0 failed" % len(names) in out
    assert out.splitlines()[-1] == "ALL LWP TESTS PASSED"
    # The fault in an LWP was reported naming the LWP.
    assert re.search(r"^pid \d+ \(lwptests\) lwp 3: killed by store page fault", out, re.M), out
    # And the read of its own trapframe slot: one of the NCPU pages between
    # USER_TOP and the trampoline (hart 0's, the highest, on one hart).
    slot = re.search(r"^pid \d+ \(lwptests\) lwp 3: killed by load page fault: "
                     r"scause=0xd sepc=0x[0-9a-f]+ stval=(0x[0-9a-f]+)$", out, re.M)
    assert slot, out
    assert int(slot.group(1), 16) in TRAPFRAME_SLOTS, slot.group(0)
    return int(re.search(r"^lwptests: kernel heap live (\d+) bytes before", out, re.M).group(1))


def test_lwptests_pass_without_leaks(shell):
    # Each test checks that its process gave back every page (and
    # exit_fs every disk block and inode).  The kernel heap: the first run
    # leaves the kernel's tables (threads, wait queues) at their
    # high-water mark; after that, a whole run of lwptests -- hundreds of
    # LWPs made and ended -- leaves the live heap where it found it, give
    # or take the heap's own bookkeeping: a leak of even 10 bytes an LWP
    # would be several KiB a run.
    run_lwptests(shell)
    second = run_lwptests(shell, HEAP_TESTS)
    third = run_lwptests(shell, HEAP_TESTS)
    assert abs(third - second) <= HEAP_SLACK, (second, third)
    assert sh(shell, "hello") == "hello, world"
    power_off(shell)
    # exit_fs ended processes whose LWPs were inside file system calls.
    assert fsck.check(shell.fsimg) == []


def test_thread_programs(shell):
    assert sh(shell, "psum 4 1000000") == "psum: 4 threads: sum 1..1000000 = 500000500000 (correct)"
    assert sh(shell, "psum 7 99991") == "psum: 7 threads: sum 1..99991 = 4999150036 (correct)"
    assert sh(shell, "prodcons 3 4 300", 120) == \
        "prodcons: 3 producers, 4 consumers: 900 items consumed (correct)"
    assert sh(shell, "prodcons 1 8 200", 120) == \
        "prodcons: 1 producers, 8 consumers: 200 items consumed (correct)"
    assert sh(shell, "lwpmany", 120) == "lwpmany: 100 of 100 LWPs ran and were joined"
    power_off(shell)


def test_lwps_of_one_process_on_several_harts(boot):
    # Four LWPs of one process in user mode on four harts at once: each
    # hart traps through its own trapframe slot, so every LWP's registers
    # stay its own (lwptests harts: register arithmetic across system
    # calls and timer interrupts), and an LWP still cannot read its slot.
    m = boot_shell(boot, "-smp", "4")
    out = sh(m, "lwptests harts slot", 300)
    assert re.findall(r"^test (\S+): (\S+)$", out, re.M) == [("slot", "OK"), ("harts", "OK")], out
    used = re.search(r"^lwptests: harts: 4 LWPs ran on (\d) of 4 harts$", out, re.M)
    assert used and int(used.group(1)) >= 2, out
    slot = re.search(r"^pid \d+ \(lwptests\) lwp 3: killed by load page fault: "
                     r"scause=0xd sepc=0x[0-9a-f]+ stval=(0x[0-9a-f]+)$", out, re.M)
    assert slot and int(slot.group(1), 16) in TRAPFRAME_SLOTS[:4], out
    power_off(m)


def test_monitor_shows_each_lwp(shell):
    # lwptests show: a process whose LWPs wait in each way; the monitor's
    # ps() lists them under it.  Then kill ends them all.
    shell.send_line("lwptests show &")
    pid = int(shell.expect(r"lwptests: showing pid (\d+)\r*\n", 20).group(1))
    to_monitor(shell)
    table = shell.run("ps()")
    rows = table[table.index("lwptests"):].splitlines()[1:6]
    # Each row: lwp LID hart HART STATE [WHAT IT WAITS FOR].
    parts = [row.split() for row in rows]
    assert all(p[0] == "lwp" and p[2] == "hart" and p[3].isdigit() for p in parts), table
    lwps = [[p[1]] + p[4:] for p in parts]
    assert [l[0] for l in lwps] == ["1", "2", "3", "4", "5"], table
    assert lwps[0][1:] == ["sleeping", "lwp_wait"], table
    assert lwps[1][1:] == ["sleeping", "lwp_park"], table
    assert lwps[2][1:] == ["suspended", "lwp_continue"], table
    assert lwps[3][1:] == ["sleeping", "Channel"], table     # a pipe's readers
    assert lwps[4][1:] == ["runnable"], table
    shell.send_raw(ESCAPE)                # back to the shell
    assert sh(shell, "kill %d" % pid) == ""
    assert sh(shell, "echo done") == "done"
    to_monitor(shell)
    assert "lwp " not in shell.run("ps()")
    poweroff(shell)


def test_ctrl_c_ends_a_process_whose_lwps_all_sleep(shell):
    # lwp 1 waits in lwp_wait, lwp 2 is parked: the ^C note wakes lwp 1,
    # which takes it on its way to user mode (no handler: the process dies,
    # every LWP with it).
    shell.send_line("lwptests block")
    shell.expect_exact("lwptests: blocking\n", 20)
    shell.send_raw("\x03")
    shell.expect_exact(SHELL, 20)
    assert "lwptests" not in [row[2] for row in processes(shell).values()]
    assert sh(shell, "echo alive") == "alive"
    power_off(shell)
