"""Processes on the booted kernel: init, the shell, programs, the user test
suite, faults, the process list, kill of a process reading the console, and
the monitor reached while programs run."""

import re
import time

import pytest

from kernel.abi.limits import NCPU, PGSIZE
from tools import fsck
from tests.qemu.machine import REPO, MachineError, scaled
from tests.qemu.shell import SHELL, ESCAPE, boot_shell, sh, to_monitor, power_off

CTRL_P = "\x10"

# The processes of a freshly booted system waiting at the prompt, as
# (pid, ppid, state, name).  init is its own parent in the table.
IDLE_SYSTEM = [(1, 1, "sleeping", "init"), (2, 1, "sleeping", "sh")]
# ^P is answered the moment it is typed, and may catch the shell between
# printing its prompt and reading the next line: still running.
IDLE_AT_CTRL_P = (IDLE_SYSTEM, [(1, 1, "sleeping", "init"), (2, 1, "running", "sh")])


def usertests_table():
    """The names in usertests' test table, read from its source, and which
    of them are slow (run only when named)."""
    src = (REPO / "user" / "usertests.c").read_text()
    table = re.search(r"^static struct test tests\[\] = \{\n(.*?)^\};", src, re.M | re.S).group(1)
    lines = [l.strip() for l in table.splitlines() if l.strip()]
    assert lines[-1] == "{ 0, 0 },"                  # the end marker
    entries = [re.fullmatch(r'\{ \w+, "(\w+)"(.*) \},', l) for l in lines[:-1]]
    assert all(entries), [l for l, e in zip(lines, entries) if not e]
    names = [e.group(1) for e in entries]
    slow = [e.group(1) for e in entries if "SLOW" in e.group(2)]
    return names, slow


def verdicts(out):
    """The (name, verdict) of each `test NAME: VERDICT` line of usertests' output."""
    return re.findall(r"^test (\S+): (\S+)$", out, re.M)


def assert_passed(out, names):
    """usertests' output says that exactly these tests ran and passed, in
    this order, then its leak check, and that nothing failed."""
    expected = list(names) + ["leaks"]
    assert verdicts(out) == [(n, "OK") for n in expected], \
        "why: %s" % re.findall(r"^usertests: .*$", out, re.M)
    assert out.splitlines()[-1] == "usertests: %d passed, 0 failed" % len(expected)


def ps_rows(table):
    """(pid, ppid, state, name) of each row of a process table (ps() or ^P),
    the text from its header on."""
    lines = table[table.index("  PID  PPID"):].strip().splitlines()
    rows = []
    for line in lines[1:]:
        fields = line.split()        # ps() has more columns than ^P
        pid, ppid, state, name = fields[0], fields[1], fields[2], fields[-1]
        rows.append((int(pid), int(ppid), state, name))
    return rows


def process_list_then_monitor(shell):
    """The console's ^P process list.  Ctrl-] after it marks where it ends
    without typing a line some program could read; the keyboard is left
    with the monitor."""
    shell.send_raw(CTRL_P + ESCAPE)
    table = shell.expect_exact("[kernel monitor", 10)
    shell.prompt(10)
    return ps_rows(table)


def test_shell_runs_programs_with_arguments(shell):
    assert sh(shell, "hello") == "hello, world"
    assert sh(shell, "echo one  two three") == "one two three"
    assert sh(shell, "nosuchprogram") == "exec nosuchprogram failed"
    assert sh(shell, "argtest 5:a,bb,ccc a bb ccc") == ""   # argtest checks its own argv
    assert sh(shell, "argtest 5:a,bb a") == "argtest: argc is 3, expected 5"
    assert sh(shell, "hello") == "hello, world"       # the shell is still fine


def test_usertests_pass_without_leaks(shell):
    # Every test in usertests' table but the slow ones runs and passes, and
    # its leak check: the count comes from the source, not from usertests.
    names, slow = usertests_table()
    out = sh(shell, "usertests", 600)
    assert_passed(out, [n for n in names if n not in slow])
    assert re.findall(r"^usertests: not running the slow test (\S+): run it by name$",
                      out, re.M) == slow
    assert "SKIPPED" not in out                       # the file tests ran too
    for what in ("pages", "blocks", "inodes"):
        start, end = map(int, re.search(r"^usertests: free %s at start (\d+), at end (\d+)$"
                                        % what, out, re.M).groups())
        assert start == end, what
    # The kernel survived every bad input: the shell and the monitor still work,
    # and the disk is consistent.
    assert sh(shell, "hello") == "hello, world"
    to_monitor(shell)
    assert ps_rows(shell.run("ps()")) == IDLE_SYSTEM
    shell.send_line("poweroff()")
    assert shell.wait_exit(20) == 0
    assert fsck.check(shell.fsimg) == []


def test_out_of_blocks(shell):
    # Fill the disk until write() comes up short, then give it all back.
    assert_passed(sh(shell, "usertests outofblocks", 600), ["outofblocks"])
    power_off(shell)
    assert fsck.check(shell.fsimg) == []


# The faults usertests' fault test makes, in order: the kernel's message
# for each (None where the address depends on the build).
FAULTS = [
    ("store page fault", 0xf, 0x0),                   # program text at 0
    ("store page fault", 0xf, None),                  # this function's code
    ("load page fault", 0xd, 0x3000000000),           # unmapped
    ("load page fault", 0xd, 0x80000000),             # the kernel's RAM
    ("load page fault", 0xd, 0x3ffffff000),           # the trampoline
] + [fault for hart in range(NCPU)                    # each hart's trapframe slot
     for fault in (("load page fault", 0xd, 0x3fffffe000 - hart * PGSIZE),
                   ("store page fault", 0xf, 0x3fffffe000 - hart * PGSIZE))] + [
    ("load page fault", 0xd, None),                   # the stack's guard page
    ("load page fault", 0xd, None),                   # the break
    ("instruction page fault", 0xc, 0x3000000000),    # a jump to unmapped memory
    ("illegal instruction", 0x2, 0x0),                # 0x0000
    ("illegal instruction", 0x2, None),               # csrr sstatus (the instruction's bits)
]


def test_user_fault_kills_only_that_process(shell):
    # usertests' fault test runs children that fault on purpose.
    out = sh(shell, "usertests faults", 60)
    kills = re.findall(r"^pid \d+ \(usertests\): killed by (.+): scause=(0x[0-9a-f]+) "
                       r"sepc=0x[0-9a-f]+ stval=(0x[0-9a-f]+)$", out, re.M)
    assert len(kills) == len(FAULTS), kills
    for (why, scause, stval), (want_why, want_scause, want_stval) in zip(kills, FAULTS):
        assert (why, int(scause, 16)) == (want_why, want_scause)
        assert want_stval is None or int(stval, 16) == want_stval, (why, stval)
    assert_passed(out, ["faults"])
    assert sh(shell, "hello") == "hello, world"


def test_monitor_reachable_while_programs_run(shell):
    to_monitor(shell)
    assert ps_rows(shell.run("ps()")) == IDLE_SYSTEM
    assert shell.value("len(proc.procs)") == 2
    # The kernel threads: the idle one, the monitor's (running: it runs
    # threads()), and one per process, asleep.
    threads = [l.split()[1:3] for l in shell.run("threads()").splitlines()[1:]]
    assert threads == [["runnable", "idle"], ["running", "monitor"],
                       ["sleeping", "init"], ["sleeping", "sh"]]
    # Back to the programs: the shell still answers.
    shell.send_raw(ESCAPE)
    shell.expect_exact("[back to the programs]", 10)
    shell.send_line("hello")
    shell.expect_exact("hello, world", 10)


def test_ctrl_p_prints_processes(shell):
    assert process_list_then_monitor(shell) in IDLE_AT_CTRL_P
    shell.send_raw(ESCAPE)
    shell.expect_exact("[back to the programs]", 10)
    assert sh(shell, "hello") == "hello, world"


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
    assert_passed(out, ["killspin", "killsleep", "yield"])


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
    # usertests (pid 3: the first process the shell starts) calls getpid first.
    shell.expect_exact("process: pid 3 (usertests); its last trap: ecall from U-mode", 10)
    shell.expect(r"trapframe: epc=0x[0-9a-f]+ scause=0x8 ", 10)
    shell.expect(r"a7=0x0+b\s", 10)                   # SYS_getpid
    assert shell.wait_exit(10) == 1


def test_kill_of_a_process_reading_the_console(shell):
    # readin waits in a read of the console until the kill ends it.  The
    # whole scenario is one command line, so that while readin waits the
    # shell runs the rest of the line and does not read the console: no
    # typed line can reach readin, and the shell reads nothing until readin
    # is gone.  On a fresh boot readin is the shell's first child: pid 3.
    to_monitor(shell)
    pages = shell.value("kern.free_pages()")
    shell.send_raw(ESCAPE)
    shell.expect_exact("[back to the programs]", 10)
    wait_ticks = int(scaled(20))                      # time to see readin blocked
    line = "readin & sleep %d; kill 3; sleep 2" % wait_ticks
    shell.send_line(line)
    shell.expect_exact(line + "\n", 10)
    shell.expect_exact("[3]\n", 10)
    # ^P until readin shows asleep: its read is the only place it can sleep.
    deadline = time.monotonic() + wait_ticks / 10
    while True:
        shell.send_raw(CTRL_P)
        state, name = shell.expect(r"\n +3 +2 +(\w+) +\d+ +\d+ +(\S+)\r*\n", 10).groups()
        if (state, name) == ("sleeping", "readin"):
            break
        if time.monotonic() > deadline:
            raise MachineError("pid 3 never seen asleep in readin's read: %s %s" % (state, name))
        time.sleep(scaled(0.05))
    # kill 3 is followed by sleep 2, and the shell reaps readin while it
    # waits for that sleep: so readin died within 2 ticks of the kill, and
    # never returned from its read.
    shell.expect_exact(SHELL, wait_ticks / 10 + 10)
    assert "readin: read returned" not in shell.transcript
    assert process_list_then_monitor(shell) in IDLE_AT_CTRL_P
    assert shell.value("kern.free_pages()") == pages
