"""Grader of lab traps (labs/traps/README.md): sigalarm and sigreturn."""

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


@pytest.fixture
def alarmtest(shell):
    """alarmtest's output, run once per test on a fresh machine."""
    return shell.run("alarmtest", 60)


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
def test_no_leaks(shell):
    """every page comes back after alarmtest (its saved registers too)"""
    shell.run("echo warm > warm")
    before = shell.free_pages()
    out = shell.run("alarmtest", 60)
    assert out.splitlines()[-1] == "alarmtest: done", out
    after = shell.free_pages()
    assert after == before, "%d free pages before alarmtest, %d after" % (before, after)
