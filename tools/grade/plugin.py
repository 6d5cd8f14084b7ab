"""The pytest plugin that turns a lab's grader into gradelib's report
(python -m tools.grade loads it with `-p tools.grade.plugin`).

Fixtures for graders:

    token       this run's random pass token (hex): the image holds it as
                /gradetoken; a lab's test programs print it back with their
                verdict (labs/common/grade.h), so output made up without
                running the code cannot pass
    lab_kernel  (session) the built kernel, copied so the run boots one image
    lab_disk    (session) a fresh disk: the README, the user programs (the
                lab's among them) and /gradetoken
    boot        boot(*qemu_args, **Machine options) -> a Machine on a private
                copy of lab_disk (tests/qemu/machine.py)
    shell       a LabShell (tools/grade/shell.py) booted to `$ `
    shared_shell  the same, but one machine for the grader's tests in turn
                (a boot saved per test); a test that fails retires it, and
                the next test boots a fresh one
    machine     a Machine at the kernel monitor's `pyrite> `

What it adds to pytest: tests run in dependency order, and a test whose
dependency did not pass is skipped with the reason (scoring 0); each test's
timeout is its @graded timeout times PYRITE_TIMEOUT_SCALE; when a test fails,
its console is saved under build/grade/logs/ and diagnosed
(tools/grade/diagnose.py); every test ends in a GOOD or BAD line; the end is
the score and build/grade/results.json (Gradescope's format).
"""

import re
import secrets
import shutil
import time
from pathlib import Path

import pytest

from tests.qemu.machine import REPO, Machine, timeout_scale
from tests.qemu.shell import boot_shell
from tools import mkfs
from tools.grade import results as res
from tools.grade.diagnose import diagnose
from tools.grade.marks import grading_of
from tools.grade.shell import LabShell

OUT = REPO / "build" / "grade"
KERNEL_ELF = REPO / "build" / "kernel" / "kernel.elf"
FSFILES = REPO / "build" / "user" / "fsfiles"


def pytest_addoption(parser):
    group = parser.getgroup("grade", "Pyrite lab grading")
    group.addoption("--lab", default=None, help="the lab being graded (its name)")
    group.addoption("--build-failed", default=None, metavar="LOG",
                    help="the tree did not build: fail every test, quoting LOG")
    group.addoption("--grade-out", default=str(OUT),
                    help="where results.json and logs/ go (default build/grade)")


class State:
    def __init__(self, lab, out):
        self.score = res.Score(lab)
        self.out = Path(out)
        self.by_name = {}          # test function name -> Result
        self.started = time.monotonic()
        self.token = secrets.token_hex(8)
        self.build_failed = False


def pytest_configure(config):
    config.addinivalue_line("markers", "graded(points, depends, timeout, title): a graded lab test")
    lab = config.getoption("--lab") or "?"
    config._grade = State(lab, config.getoption("--grade-out"))
    build_log = config.getoption("--build-failed")
    if build_log:
        config._grade.build_failed = True
        tail = Path(build_log).read_text(errors="replace").splitlines()[-30:]
        text = "\n".join(tail)
        why = diagnose(text, None, _grader_hints(config), "")
        config._grade.score.output = ("The tree does not build (`make kernel LAB=%s`); "
                                      "the end of the build's output:\n%s%s"
                                      % (lab, text, "\n\n" + why if why else ""))
    logs = config._grade.out / "logs"
    shutil.rmtree(logs, ignore_errors=True)


def _grader_hints(config):
    """The HINTS list of the grader module named on the command line."""
    import importlib.util
    for arg in config.args:
        path = Path(arg)
        if path.suffix == ".py" and path.exists():
            spec = importlib.util.spec_from_file_location("_grader_hints", path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except Exception:
                return ()
            return getattr(module, "HINTS", ())
    return ()


def pytest_sessionstart(session):
    state = session.config._grade
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if state.build_failed and reporter is not None:
        reporter.write_line(state.score.output, red=True)


def _order(items):
    """items with every test after the tests it depends on (file order
    otherwise); raises UsageError for an unknown name or a cycle."""
    by_name = {item.name: item for item in items}
    done, out, visiting = set(), [], set()

    def visit(item):
        if item.name in done:
            return
        if item.name in visiting:
            raise pytest.UsageError("grader dependency cycle through %s" % item.name)
        visiting.add(item.name)
        for dep in grading_of(item)[1]:
            if dep not in by_name:
                raise pytest.UsageError("%s depends on %s, which the grader lacks" % (item.name, dep))
            visit(by_name[dep])
        visiting.discard(item.name)
        done.add(item.name)
        out.append(item)

    for item in items:
        visit(item)
    return out


def pytest_collection_modifyitems(config, items):
    state = config._grade
    for item in items:
        grading = grading_of(item)
        if grading is None:
            raise pytest.UsageError("%s: every grader test needs @graded(points=...)" % item.nodeid)
        points, _, seconds, title = grading
        # pytest-timeout reads this marker: a hang fails this test alone.
        item.add_marker(pytest.mark.timeout(seconds * timeout_scale()))
        result = res.Result(item.name, title, points)
        state.by_name[item.name] = result
    items[:] = _order(items)
    state.score.results = [state.by_name[item.name] for item in items]


def pytest_runtest_setup(item):
    state = item.config._grade
    if state.build_failed:
        pytest.fail("the tree does not build: see above, or %s" % item.config.getoption("--build-failed"),
                    pytrace=False)
    for dep in grading_of(item)[1]:
        if state.by_name[dep].status != "passed":
            pytest.skip("it depends on %r, which did not pass" % state.by_name[dep].title)


# ---- fixtures ----

@pytest.fixture(scope="session")
def token(request):
    return request.config._grade.token


@pytest.fixture(scope="session")
def lab_kernel(tmp_path_factory):
    if not KERNEL_ELF.exists():
        pytest.fail("%s is missing: build first (make grade does)" % KERNEL_ELF, pytrace=False)
    dest = tmp_path_factory.mktemp("kernel") / "kernel.elf"
    shutil.copy2(KERNEL_ELF, dest)
    return dest


@pytest.fixture(scope="session")
def lab_disk(lab_kernel, token, tmp_path_factory):
    # The Makefile's image (README and the programs build/user/fsfiles
    # lists) plus /gradetoken; made here so the token never touches
    # build/fs.img, which the student boots.
    files = [("README", (REPO / "README.md").read_bytes())]
    for line in FSFILES.read_text().split():
        path = REPO / line
        files.append((path.name, path.read_bytes()))
    files.append(("gradetoken", token.encode() + b"\n"))
    dest = tmp_path_factory.mktemp("disk") / "fs.img"
    mkfs.make_image(str(dest), files, mkfs.fs.FSSIZE, mkfs.fs.NINODES)
    return dest


def _machines(item):
    if not hasattr(item, "_grade_machines"):
        item._grade_machines = []
    return item._grade_machines


@pytest.fixture
def boot(request, lab_kernel, lab_disk):
    booted = []

    def factory(*extra_args, **kwargs):
        kwargs.setdefault("name", "qemu-%d" % (len(booted) + 1))
        kwargs.setdefault("disk", lab_disk)
        m = Machine(lab_kernel, extra_args=extra_args, registry=_machines(request.node), **kwargs)
        booted.append(m)
        return m

    yield factory
    for m in booted:
        m.close()


@pytest.fixture
def shell(boot):
    return LabShell(boot_shell(boot))


@pytest.fixture
def machine(boot):
    return boot()


class _Shared:
    """The machine shared_shell hands out, while the tests using it pass."""

    def __init__(self, kernel, disk):
        self.kernel, self.disk = kernel, disk
        self.shell = None
        self.booted = 0

    def get(self, item):
        if self.shell is None:
            self.booted += 1
            name = "shared-%d" % self.booted
            m = boot_shell(lambda **kw: Machine(self.kernel, disk=self.disk, name=name,
                                                registry=_machines(item), **kw))
            self.shell = LabShell(m)
        else:
            # This test's part of the console starts here (logs, hints).
            item._grade_from = {id(self.shell.machine): len(self.shell.machine.transcript)}
            _machines(item).append(self.shell.machine)
        item._grade_shared = self
        return self.shell

    def retire(self):
        if self.shell is not None:
            self.shell.machine.close()
            self.shell = None


@pytest.fixture(scope="module")
def _shared_machine(lab_kernel, lab_disk):
    shared = _Shared(lab_kernel, lab_disk)
    yield shared
    shared.retire()


@pytest.fixture
def shared_shell(request, _shared_machine):
    return _shared_machine.get(request.node)


# ---- the report ----

def _failure_text(call):
    """The failure's message without pytest's traceback: a few lines."""
    text = call.excinfo.exconly() if call.excinfo is not None else ""
    text = re.sub(r"^(AssertionError|Failed|tests\.qemu\.machine\.\w+|\w+Error): ", "", text)
    lines = text.strip().splitlines()
    # pytest's rewritten `assert a == b` explanation repeats the message.
    for i, line in enumerate(lines):
        if i > 0 and line.startswith("assert "):
            del lines[i:]
            break
    if len(lines) > 30:
        lines = lines[:10] + ["..."] + lines[-19:]
    return "\n".join(lines)


def _shorten(failure, panicked):
    """A machine's timeout or exit message ends in the console's last 2000
    characters: keep a dozen lines of it, or none when the panic report
    follows anyway (the whole console is in the saved log)."""
    head, sep, tail = failure.partition("; last output:\n")
    if not sep:
        return failure
    if panicked:
        return head
    lines = [l for l in tail.replace("\r", "").splitlines() if not l.startswith("### ")]
    return head + "; the console's last lines:\n" + "\n".join(lines[-12:])


def _log_path(state, item):
    return state.out / "logs" / (re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name) + ".log")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    state = item.config._grade
    result = state.by_name[item.name]
    result.seconds += call.duration
    if report.skipped and call.when == "setup":
        result.status = "skipped"
        why = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        result.output = why.replace("Skipped: ", "", 1) or "skipped"
        return
    if report.failed:
        result.status = "failed"
        failure = _failure_text(call)
        machines = getattr(item, "_grade_machines", [])
        start = getattr(item, "_grade_from", {})       # a shared machine's earlier tests left out
        transcript = "".join(m.transcript[start.get(id(m), 0):] for m in machines)
        extra_hints = getattr(item.module, "HINTS", ())
        kernel = machines[0].kernel if machines else None
        why = diagnose(transcript, kernel, extra_hints, failure)
        result.output = _shorten(failure, "panicked" in why) + ("\n\n" + why if why else "")
        if machines:
            path = _log_path(state, item)
            path.parent.mkdir(parents=True, exist_ok=True)
            parts = []
            for m in machines:
                parts.append("===== %s: %s =====\n%s\n" % (m.name, " ".join(m.command),
                                                         m.transcript[start.get(id(m), 0):]))
            path.write_text("".join(parts), encoding="utf-8")
            result.log = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
        shared = getattr(item, "_grade_shared", None)
        if shared is not None:
            shared.retire()               # the next test boots afresh
    elif call.when == "call":
        result.status = "passed"


def pytest_report_teststatus(report, config):
    # No dots or letters: each test ends in its own GOOD/BAD line.
    if report.when == "call" or (report.when == "setup" and report.skipped):
        return report.outcome, "", ""
    if report.failed:
        return report.outcome, "", ""
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    yield
    state = item.config._grade
    result = state.by_name[item.name]
    reporter = item.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.ensure_newline()
    reporter.write_line(res.verdict_line(result), green=result.status == "passed",
                        red=result.status != "passed")
    if result.status != "passed":
        for line in result.output.splitlines():
            reporter.write_line("    " + line)
        if result.log:
            reporter.write_line("    console log: " + result.log)


def pytest_sessionfinish(session, exitstatus):
    state = session.config._grade
    seconds = time.monotonic() - state.started
    res.write_results(state.out / "results.json", state.score, seconds)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line(res.score_line(state.score), bold=True)
        reporter.write_line("results: %s" % (state.out / "results.json"))
    # Full marks or not is the exit status (python -m tools.grade).
    if state.score.results and not state.score.full_marks() and exitstatus == 0:
        session.exitstatus = 1
