"""Grader of lab traps (labs/traps/README.md): sigalarm and sigreturn.  The
tests share one machine (shared_shell) and one run of alarmtest while they
pass."""

import pytest

from tools.grade import graded

HINTS = [
    (r"implicit declaration of function '(sigalarm|sigreturn)'",
     "Add sigalarm and sigreturn to kernel/abi/sysnum.py (numbers 22-63) so that the user "
     "library gets their stubs and prototypes."),
    (r"killed by (instruction|load|store) page fault.*\n?.*alarmtest|alarmtest.*killed by",
     "alarmtest died after its handler ran: sigreturn must put back every register the "
     "alarm interrupted (the whole trapframe), and the handler's epc must be its address."),
    (r"entered again while it ran",
     "While the handler runs (until sigreturn) no new alarm may start it again."),
]


_outputs = {}          # id(machine) -> alarmtest's output on it


@pytest.fixture
def alarmtest(shared_shell):
    """alarmtest's output: run once on the shared machine (again on a
    fresh one, after a failed test retired it)."""
    key = id(shared_shell.machine)
    if key not in _outputs:
        _outputs.clear()
        _outputs[key] = shared_shell.run("alarmtest", 60)
    return _outputs[key]


def verdict(out, token, name):
    ok = "alarmtest: %s: OK token=%s" % (name, token)
    assert ok in out.splitlines(), "expected `%s`, got:\n%s" % (ok, out)


@graded(points=20, timeout=120)
def test_handler_runs(alarmtest, token):
    """alarmtest test0: the handler runs, again and again"""
    verdict(alarmtest, token, "test0")


@graded(points=25, depends="test_handler_runs", timeout=120)
def test_registers_kept(alarmtest, token):
    """alarmtest test1: the interrupted code goes on with its registers intact"""
    verdict(alarmtest, token, "test1")


@graded(points=15, depends="test_handler_runs", timeout=120)
def test_not_reentered(alarmtest, token):
    """alarmtest test2: the handler is not entered again while it runs"""
    verdict(alarmtest, token, "test2")


@graded(points=10, depends="test_handler_runs", timeout=120)
def test_turned_off(alarmtest, token):
    """alarmtest test3: sigalarm(0, 0) stops the alarm"""
    verdict(alarmtest, token, "test3")


@graded(points=10, depends="test_registers_kept", timeout=240)
def test_no_leaks(shared_shell):
    """every page comes back after alarmtest (its saved registers too)"""
    shell = shared_shell
    shell.run("echo warm > warm")
    before = shell.free_pages()
    out = shell.run("alarmtest", 60)
    assert out.splitlines()[-1] == "alarmtest: done", out
    after = shell.free_pages()
    assert after == before, "%d free pages before alarmtest, %d after" % (before, after)
