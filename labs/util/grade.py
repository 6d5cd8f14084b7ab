"""Grader of lab util (labs/util/README.md): pingpong, primes, find, xargs."""

import re

from tests.qemu.shell import processes
from tools.grade import graded

HINTS = [
    (r"(pingpong|primes|find|xargs): not found|exec (pingpong|primes|find|xargs) failed",
     "The program is not on the disk: add its name to PROGS in user/Makefile."),
]

PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31]


def idle(shell):
    """The process list shows only init and sh, both sleeping: every
    process the test made was reaped."""
    rows = processes(shell.machine)
    names = sorted(name for _, _, name in rows.values())
    assert names == ["init", "sh"], "processes left behind (zombies or still running): %s" % rows


@graded(points=10, timeout=60)
def test_pingpong(shell):
    """pingpong: a byte goes to the child and comes back"""
    out = shell.run("pingpong")
    m = re.fullmatch(r"(\d+): received ping\n(\d+): received pong", out)
    assert m, "expected `<pid>: received ping` then `<pid>: received pong`, got:\n%s" % out
    child, parent = int(m.group(1)), int(m.group(2))
    assert child != parent, "both lines came from pid %d: the child must print ping" % child
    idle(shell)


@graded(points=15, timeout=90)
def test_primes(shell):
    """primes: the primes up to 35 through a pipeline of processes"""
    out = shell.run("primes", 60)
    expected = "\n".join("prime %d" % p for p in PRIMES)
    assert out == expected, "expected:\n%s\ngot:\n%s" % (expected, out)


@graded(points=5, depends="test_primes", timeout=90)
def test_primes_reaps(shell):
    """primes: every process of the pipeline is reaped, twice in a row"""
    for _ in range(2):
        assert shell.run("primes", 60).splitlines()[-1] == "prime 31"
    idle(shell)


def make_tree(shell, token):
    """A tree whose matching files are named after the token:
    (directory, name, the paths find must print)."""
    top, name = "d" + token[:6], "f" + token[6:12]
    for line in ("mkdir %s" % top, "mkdir %s/b" % top, "mkdir %s/b/c" % top,
                 "echo %s > %s/%s" % (token, top, name), "echo %s > %s/b/%s" % (token, top, name),
                 "echo other > %s/b/x%s" % (top, name), "echo %s > %s/b/c/%s" % (token, top, name)):
        assert shell.run(line) == "", "`%s` failed" % line
    want = ["%s/%s" % (top, name), "%s/b/%s" % (top, name), "%s/b/c/%s" % (top, name)]
    return top, name, want


@graded(points=10, timeout=60)
def test_find_one_level(shell, token):
    """find: a file in the directory given"""
    top, name = "d" + token[:6], "f" + token[6:12]
    shell.run("mkdir %s" % top)
    shell.run("echo hi > %s/%s" % (top, name))
    out = shell.run("find %s %s" % (top, name))
    assert out == "%s/%s" % (top, name), "expected `%s/%s`, got:\n%s" % (top, name, out)


@graded(points=15, depends="test_find_one_level", timeout=60)
def test_find_recursive(shell, token):
    """find: files in subdirectories, and not `.` or `..`"""
    top, name, want = make_tree(shell, token)
    out = shell.run("find %s %s" % (top, name))
    assert sorted(out.splitlines()) == sorted(want), "expected %s, got:\n%s" % (want, out)
    out = shell.run("find . %s" % name)
    assert sorted(out.splitlines()) == sorted("./" + w for w in want), \
        "from `.`: expected %s, got:\n%s" % (["./" + w for w in want], out)


@graded(points=10, timeout=60)
def test_xargs(shell, token):
    """xargs: a line of input appended to the command's arguments"""
    out = shell.run("echo hello %s | xargs echo bye" % token)
    assert out == "bye hello %s" % token, "expected `bye hello %s`, got:\n%s" % (token, out)


@graded(points=10, depends="test_xargs", timeout=60)
def test_xargs_lines(shell, token):
    """xargs: the command runs once per line"""
    shell.run("echo one %s > lines" % token)
    shell.run("echo two >> lines")
    shell.run("echo three >> lines")
    out = shell.run("xargs echo line < lines")
    want = "line one %s\nline two\nline three" % token
    assert out == want, "expected:\n%s\ngot:\n%s" % (want, out)
    idle(shell)


@graded(points=10, depends=("test_xargs_lines", "test_find_recursive"), timeout=90)
def test_find_xargs(shell, token):
    """find | xargs grep: the pieces work together"""
    top, name, want = make_tree(shell, token)
    out = shell.run("find %s %s | xargs grep %s" % (top, name, token))
    assert out.splitlines() == [token] * 3, "expected the token three times, got:\n%s" % out
