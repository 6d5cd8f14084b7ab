"""Grader of lab cow (labs/cow/README.md): copy-on-write fork.  The tests
share one machine (shared_shell) while they pass."""

import re

from tests.qemu.machine import REPO
from tools.grade import graded

HINTS = [
    (r"cowtest: simple: FAILED",
     "fork still copies every page: uvm_copy (cstubs/uvm.c) must map the parent's pages into "
     "the child, read-only and marked copy-on-write in both, with one more reference each."),
    (r"killed by store page fault",
     "A store to a shared page killed the process: the fault policy (kernel/proc/userloop.py's "
     "fault(), through kernel/mm/uvm.py) must recognise a store page fault (scause 15) on a "
     "copy-on-write page below p.size and have C copy it (or take it over if it is the last sharer)."),
    (r"cowtest: file: FAILED",
     "The kernel itself writes into user pages (read, pipes, wait's status): copyout goes through "
     "user_pa() in cstubs/uvm.c, which must break copy-on-write as a user store does."),
    (r"free pages before cowtest",
     "Pages leaked: every reference taken in fork must be dropped by kfree when a process exits "
     "or gives memory back, and a copy made on a fault drops the reference to the original."),
]


def cowtest(shell, token, name):
    return shell.run_part("cowtest", name, token, 120)


@graded(points=20, timeout=180)
def test_simple(shared_shell, token):
    """cowtest simple: fork of a process holding 2/3 of free memory"""
    cowtest(shared_shell, token, "simple")


@graded(points=15, timeout=180)
def test_cost(shared_shell, token):
    """cowtest cost: fork takes a few pages, not a copy of the memory"""
    cowtest(shared_shell, token, "cost")


@graded(points=20, depends="test_simple", timeout=180)
def test_three(shared_shell, token):
    """cowtest three: three processes write to shared pages, each sees its own"""
    cowtest(shared_shell, token, "three")


@graded(points=15, depends="test_simple", timeout=180)
def test_file(shared_shell, token):
    """cowtest file: the kernel's writes into shared pages copy them too"""
    cowtest(shared_shell, token, "file")


@graded(points=10, depends=("test_three", "test_file"), timeout=240)
def test_no_leaks(shared_shell, token):
    """every page comes back: cowtest's own count, and the kernel's from the monitor"""
    shell = shared_shell
    shell.run("echo warm > warm")            # the shell's own first allocations
    before = shell.free_pages()
    out = shell.run("cowtest", 180)
    assert out.splitlines()[-1] == "cowtest: done", out
    after = shell.free_pages()
    assert after == before, "%d free pages before cowtest, %d after" % (before, after)


# killpipewrite counts free pages while a forked test process lives: with
# copy-on-write that process legitimately holds one more page (its stack,
# copied on its first write while the pages were shared three ways), so it
# is left out.  The slow tests are left out as usertests leaves them out.
LEFT_OUT = {"killpipewrite"}


def usertests_names():
    src = (REPO / "user" / "usertests.c").read_text()
    table = re.search(r"^static struct test tests\[\] = \{\n(.*?)^\};", src, re.M | re.S).group(1)
    names = []
    for name, rest in re.findall(r'\{ \w+, "(\w+)"(.*) \},', table):
        if "SLOW" not in rest and name not in LEFT_OUT:
            names.append(name)
    return names


@graded(points=20, depends="test_simple", timeout=600)
def test_usertests(shared_shell):
    """usertests still pass (fork, exec, sbrk, pipes, the file system)"""
    names = usertests_names()
    assert len(names) > 40, "usertests' table not found in user/usertests.c"
    for i in range(0, len(names), 24):
        batch = names[i:i + 24]
        out = shared_shell.run("usertests " + " ".join(batch), 300)
        last = out.splitlines()[-1] if out else ""
        assert last == "usertests: %d passed, 0 failed" % (len(batch) + 1), \
            "usertests %s ...:\n%s" % (" ".join(batch[:3]), "\n".join(
                l for l in out.splitlines() if "FAIL" in l or l.startswith("usertests:")))
