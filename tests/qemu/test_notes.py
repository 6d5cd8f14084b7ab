"""Notes on the booted kernel: notetests (every call, and no leaks after),
sigalarm as user code (alarmnotes), and ^C at the console, which posts
"interrupt" to the shell's foreground job and never to the shell."""

import re
import time

from tests.qemu.machine import MachineError
from tests.qemu.shell import SHELL, ESCAPE, sh, to_monitor

CTRL_C = "\x03"


def await_foreground_sleeper(m, name, count=1, timeout=20):
    """At the monitor, poll until `count` processes called name sleep in the
    console's foreground group; back to the programs.  The first one's pid."""
    to_monitor(m)
    m.run("from kernel.proc import sysnotes")
    expr = ("[p.pid for p in proc.procs.values() if p.name == %r and proc.state_name(p) == "
            "'sleeping' and p.pgrp == sysnotes.foreground]" % name)
    deadline = time.monotonic() + m.scaled(timeout)
    while True:
        pids = m.value(expr)
        if len(pids) >= count:
            break
        if time.monotonic() > deadline:
            raise MachineError("no %s asleep in front after %gs" % (name, m.scaled(timeout)))
    m.send_raw(ESCAPE)
    m.expect_exact("[back to the programs]\n", 10)
    return pids[0]


def test_notetests_pass(shell):
    out = sh(shell, "notetests", timeout=180)
    assert out.splitlines()[-1] == "notetests: PASSED", out[-2000:]
    assert "FAILED" not in out
    # Each death by a note says the note's text, in both rounds.
    for text in ("notetests: default action", "notetests: noted(NDFLT)"):
        assert len(re.findall(r"^pid \d+ \(notetests\): %s$" % re.escape(text), out, re.M)) == 2
    assert len(re.findall(r"^pid \d+ \(sleep\): notetests: exec drops the handler$",
                          out, re.M)) == 2
    assert len(re.findall(r"^pid \d+ \(notetests\): too many notes: killed$", out, re.M)) == 2
    # The shell is still there.
    assert sh(shell, "echo ok") == "ok"


def test_sigalarm_as_user_code(shell):
    out = sh(shell, "alarmnotes", timeout=60)
    assert out.splitlines() == ["alarm %d" % i for i in range(1, 6)] + [
        "alarmnotes: 5 alarms, PASSED"]


def free_pages(m):
    """kern.free_pages(), asked at the monitor; back to the programs."""
    to_monitor(m)
    pages = m.value("kern.free_pages()")
    m.send_raw(ESCAPE)
    m.expect_exact("[back to the programs]\n", 10)
    return pages


def test_ctrl_c_interrupts_the_foreground_job(shell):
    pages = free_pages(shell)
    shell.send_line("sleep 100")
    shell.expect_exact("sleep 100\n")
    pid = await_foreground_sleeper(shell, "sleep")
    shell.send_raw(CTRL_C)
    # At once, not after 10 seconds: the note ends the sleep, and sleep,
    # with no handler, dies saying why; the shell prompts once.
    out = shell.expect_exact(SHELL, 5)
    assert out == "^C\npid %d (sleep): interrupt\n" % pid, repr(out)
    assert sh(shell, "echo the shell survives") == "the shell survives"
    # At the prompt nobody is in front: ^C only drops the line.
    shell.send_raw("echo never" + CTRL_C)
    assert shell.expect_exact(SHELL) == "echo never^C\n"
    assert sh(shell, "echo still here") == "still here"
    assert free_pages(shell) == pages                   # the interrupted job left nothing


def test_ctrl_c_reaches_every_process_of_the_job(shell):
    # A pipeline is one job: both sides die; the background job does not.
    shell.send_line("sleep 200 &")
    back = int(shell.expect(r"\[(\d+)\]\s").group(1))
    shell.expect_exact(SHELL)
    shell.send_line("sleep 100 | sleep 100")
    shell.expect_exact("sleep 100 | sleep 100\n")
    await_foreground_sleeper(shell, "sleep", count=2)
    shell.send_raw(CTRL_C)
    # Each side says it died, and the shell prompts: in whatever order they
    # run (the job's own sh, waiting for them, dies of the note too).
    said = r"pid \d+ \(sleep\): interrupt\r*\n"
    seen = []
    while len(seen) < 3:
        match = shell.expect([said, re.escape(SHELL)], 10)
        seen.append("prompt" if match.group(0) == SHELL else "sleep")
    assert sorted(seen) == ["prompt", "sleep", "sleep"], seen
    to_monitor(shell)
    assert shell.value("proc.state_name(proc.procs[%d])" % back) == "sleeping"
    shell.send_raw(ESCAPE)
    shell.expect_exact("[back to the programs]\n", 10)
    assert sh(shell, "kill %d" % back) == ""


def test_a_program_catches_interrupt(shell):
    shell.send_line("notetests catch")
    shell.expect_exact("notetests: waiting for ^C\n", 20)
    shell.send_raw(CTRL_C)
    out = shell.expect_exact(SHELL, 10)
    assert out == "^C\nnotetests: caught interrupt\n", repr(out)
    assert sh(shell, "echo ok") == "ok"


def test_note_posts_from_the_shell(shell):
    shell.send_line("sleep 100 &")
    pid = int(shell.expect(r"\[(\d+)\]\s").group(1))
    shell.expect_exact(SHELL)
    # sleep says it, before or after the shell's next prompt: wait for both.
    shell.send_line("note %d 'good night'" % pid)
    said = re.escape("pid %d (sleep): good night" % pid) + r"\r*\n"
    shell.expect([said + r".*\$ ", r"\$ .*" + said])
    assert sh(shell, "note 99999 hello") == "note: nobody took it: 99999"
    assert sh(shell, "note 1 hello") == "note: nobody took it: 1"        # not init


def test_monitor_ps_lists_pending_notes(shell):
    # notetests hold's handler sleeps 10 s: the first note runs it, the
    # next two wait in the queue, and the monitor's ps() shows them.
    m = shell
    sh(m, "notetests hold &")
    m.expect_exact("notetests: holding notes", 20)
    to_monitor(m)
    m.run("from kernel.proc import notes")
    m.run("p = [q for q in proc.procs.values() if q.name == 'notetests'][0]")
    m.run("notes.post(p, b'first')")
    deadline = time.monotonic() + m.scaled(20)
    while m.run("p.notified") != "True":      # the handler runs (and sleeps)
        assert time.monotonic() < deadline, "the handler never ran"
        time.sleep(0.2)
    m.run("notes.post(p, b'second')")
    m.run("notes.post(p, b'third')")
    out = m.run("ps()")
    assert re.search(r"notes pending: b'first' b'second' b'third'", out), out
    m.run("proc.kill(p.pid)")
