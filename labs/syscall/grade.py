"""Grader of lab syscall (labs/syscall/README.md): trace and sysinfo."""

import re

from tools.grade import graded

HINTS = [
    (r"implicit declaration of function '(trace|sysinfo)'|undefined reference to `(trace|sysinfo)'",
     "The user library has no stub for the call yet: add it to kernel/abi/sysnum.py (number "
     "22-63, name, C prototype); tools/gen_headers.py makes the stub and the prototype."),
]

TRACE_LINE = re.compile(r"^(\d+): syscall (\w+) -> (-?\d+)$", re.M)
READ = 1 << 5
FORK = 1 << 1
EVERYTHING = (1 << 31) - 1


def traced(out):
    """(pid, call, result) of every trace line in out."""
    return [(int(p), c, int(r)) for p, c, r in TRACE_LINE.findall(out)]


@graded(points=10, timeout=60)
def test_trace_read(shell, token):
    """trace 32 grep: every read is logged with its result"""
    out = shell.run("trace %d grep %s gradetoken" % (READ, token))
    lines = traced(out)
    assert lines, "no `PID: syscall read -> N` lines in:\n%s" % out
    assert {c for _, c, _ in lines} == {"read"}, "only read was asked for:\n%s" % out
    assert lines[-1][2] == 0, "grep's last read returns 0 (end of file):\n%s" % out
    assert sum(r for _, _, r in lines) == len(token) + 1, \
        "the reads' results add up to the file's %d bytes:\n%s" % (len(token) + 1, out)
    assert token in out.splitlines(), "grep's own output (the token) is missing:\n%s" % out
    assert len({p for p, _, _ in lines}) == 1, "one process did the reads:\n%s" % out


@graded(points=10, depends="test_trace_read", timeout=60)
def test_trace_all(shell, token):
    """trace of every call: open, read, write and close are all named"""
    out = shell.run("trace %d grep %s gradetoken" % (EVERYTHING, token))
    calls = [c for _, c, _ in traced(out)]
    for name in ("open", "read", "close"):
        assert name in calls, "no %s in the trace:\n%s" % (name, out)
    # grep's write of the matching line is traced after the line itself.
    assert "write" in calls, "no write in the trace:\n%s" % out
    assert "trace" not in calls[1:], "trace ran once, before exec:\n%s" % out


@graded(points=10, depends="test_trace_read", timeout=60)
def test_trace_not_global(shell, token):
    """an untraced program prints no trace lines, after a traced one ran"""
    shell.run("trace %d grep %s gradetoken" % (EVERYTHING, token))
    out = shell.run("grep %s gradetoken" % token)
    assert out == token, "expected only grep's output %r, got:\n%s" % (token, out)


@graded(points=15, depends="test_trace_read", timeout=60)
def test_trace_children(shell):
    """the mask is inherited across fork: every process of a chain logs its fork"""
    out = shell.run("trace %d forkchain 4" % FORK)
    forks = [(p, r) for p, c, r in traced(out) if c == "fork"]
    assert len(forks) == 4, "expected 4 traced forks (one per process of the chain), got:\n%s" % out
    pids = [p for p, _ in forks]
    assert len(set(pids)) == 4, "each fork comes from another process:\n%s" % out
    # Each fork's result is the pid of the process that forks next (but
    # the last one's child, which does not fork).
    children = [r for _, r in forks]
    assert len(set(children) & set(pids)) == 3, "fork returned the wrong pids:\n%s" % out


@graded(points=25, timeout=90)
def test_sysinfo(shell, token):
    """sysinfotest: free memory and the process count, and bad pointers"""
    out = shell.run("sysinfotest", 60)
    assert "sysinfotest: OK token=%s" % token in out.splitlines(), \
        "sysinfotest did not pass with this run's token:\n%s" % out
