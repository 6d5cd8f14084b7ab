"""Processes on the booted kernel: init, the shell, programs, the user test
suite, faults, the process list, and the monitor reached while programs run."""

import re

import pytest

from tools import fsck
from tests.qemu.shell import SHELL, ESCAPE, boot_shell, sh, to_monitor, power_off


@pytest.fixture
def shell(boot):
    return boot_shell(boot)


def test_shell_runs_programs_with_arguments(shell):
    assert sh(shell, "hello") == "hello, world"
    assert sh(shell, "echo one  two three") == "one two three"
    assert "exec nosuchprogram failed" in sh(shell, "nosuchprogram")
    assert sh(shell, "argtest 5:a,bb,ccc a bb ccc") == ""   # argtest checks its own argv
    assert "argtest: argc is 3, expected 5" in sh(shell, "argtest 5:a,bb a")
    assert sh(shell, "hello") == "hello, world"       # the shell is still fine


def test_usertests_pass_without_leaks(shell):
    shell.send_line("usertests")
    m = shell.expect(r"usertests: (\d+) passed, (\d+) failed", 600)
    passed, failed = int(m.group(1)), int(m.group(2))
    out = shell.transcript
    assert failed == 0, "failing: %s" % re.findall(r"test (\S+): FAILED", out)
    assert passed >= 60
    assert "SKIPPED" not in out                       # the file tests ran too
    for what in ("pages", "blocks", "inodes"):
        start, end = map(int, re.search(r"free %s at start (\d+), at end (\d+)" % what,
                                        out).groups())
        assert start == end, what
    shell.expect_exact(SHELL, 20)
    # The kernel survived every bad input: the shell and the monitor still work,
    # and the disk is consistent.
    assert sh(shell, "hello") == "hello, world"
    to_monitor(shell)
    assert "init" in shell.run("ps()") and "sh" in shell.run("ps()")
    shell.send_line("poweroff()")
    assert shell.wait_exit(20) == 0
    assert fsck.check(shell.fsimg) == []


def test_out_of_blocks(shell):
    # Fill the disk until write() comes up short, then give it all back.
    shell.send_line("usertests outofblocks")
    m = shell.expect(r"usertests: (\d+) passed, (\d+) failed", 600)
    assert (m.group(1), m.group(2)) == ("2", "0")          # and the leak check
    shell.expect_exact(SHELL, 20)
    power_off(shell)
    assert fsck.check(shell.fsimg) == []


def test_user_fault_kills_only_that_process(shell):
    # usertests' fault test runs children that fault on purpose.
    shell.send_line("usertests faults")
    shell.expect(r"pid \d+ \(usertests\): killed by store page fault: scause=0xf "
                 r"sepc=0x[0-9a-f]+ stval=0x0\s", 60)
    shell.expect(r"usertests: 2 passed, 0 failed", 60)     # faults, and the leak check
    shell.expect_exact(SHELL, 20)
    assert sh(shell, "hello") == "hello, world"


def test_monitor_reachable_while_programs_run(shell):
    to_monitor(shell)
    table = shell.run("ps()")
    rows = [l.split() for l in table.splitlines()[1:]]
    names = {r[-1]: r for r in rows}
    assert names["init"][0] == "1" and names["sh"][1] == "1"   # sh's parent is init
    assert shell.value("len(proc.procs)") == 2
    assert shell.run("threads()").count("sleeping") >= 2
    # Back to the programs: the shell still answers.
    shell.send_raw(ESCAPE)
    shell.expect_exact("[back to the programs]", 10)
    shell.send_line("hello")
    shell.expect_exact("hello, world", 10)


def test_ctrl_p_prints_processes(shell):
    shell.send_raw("\x10")
    shell.expect(r"PID\s+PPID\s+STATE\s+SIZE\s+TICKS\s+NAME", 10)
    shell.expect(r"\s1\s+1\s+sleeping\s+\d+\s+\d+\s+init", 10)


def test_console_line_editing_and_eof(shell):
    shell.send_raw("helxx\x7f\x08lo")              # DEL and BS erase, then retype
    shell.send_raw("\r")
    shell.expect_exact("hello, world", 10)
    shell.expect_exact(SHELL, 10)
    shell.send_raw("garbage\x15hello\r")            # ^U erases the line
    shell.expect_exact("hello, world", 10)
    shell.expect_exact(SHELL, 10)
    # ^D at an empty line: the shell sees end of file and exits; init starts another.
    shell.send_raw("\x04")
    shell.expect_exact("init: starting sh\n", 10)
    shell.expect_exact(SHELL, 10)
    assert sh(shell, "hello") == "hello, world"


def test_kill_from_the_shell_and_preemption(shell):
    # A spinning program does not stop the shell's sibling from running:
    # the timer preempts it.  usertests' killspin covers kill of a spinner.
    out = sh(shell, "usertests killspin killsleep yield", 120)
    assert "usertests: 4 passed, 0 failed" in out     # and the leak check


def test_kernel_exception_in_a_process_is_a_panic_naming_it(shell):
    # Break the getpid system call from the monitor (the kernel is live
    # Python), then make a process call it: the exception escapes in that
    # process's kernel thread, and the panic names the pid, the program and
    # its trapframe.
    to_monitor(shell)
    shell.run("from kernel.syscall import table")
    shell.run("table.register(\"getpid\", lambda p: 1 // 0)")
    shell.send_raw(ESCAPE)
    shell.expect_exact("[back to the programs]", 10)
    shell.send_line("usertests getpid")
    shell.expect_exact("panic: uncaught Python exception in the kernel", 30)
    shell.expect_exact("ZeroDivisionError", 10)
    m = shell.expect(r"process: pid (\d+) \(usertests\); its last trap: ecall from U-mode", 10)
    assert int(m.group(1)) > 2
    shell.expect(r"trapframe: epc=0x[0-9a-f]+ scause=0x8 ", 10)
    shell.expect(r"a7=0x0+b\s", 10)                   # SYS_getpid
    assert shell.wait_exit(10) == 1
