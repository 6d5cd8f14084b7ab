"""Fixtures for the QEMU tests, and the hook that keeps failing tests' logs.

    kernel_elf    (session) `make kernel` once; the path of a copy of the
                  image, so the session boots one fixed kernel
    fs_image      (session) a disk image made fresh for the session by
                  tools.mkfs, as the Makefile makes build/fs.img; every
                  machine boots a private copy of it, never build/fs.img
                  (which `make qemu` boots and a person changes)
    cpus          how many harts the test's machines boot: PYRITE_CPUS
                  (default 1), or SMP_CPUS for the SMP_SUITE's second run
    machine       a Machine booted to its first `pyrite> ` prompt
    boot          a factory: boot(*extra_qemu_args, make_vars=None, ...)
                  -> another booted Machine (e.g. boot(cpus=2))
    shell         a Machine booted to the shell's first `$ `

PYRITE_KERNEL=path/to/kernel.elf tests that image instead of building one.
PYRITE_CPUS=4 boots every machine with 4 harts (the Makefile's CPUS).

The tests in SMP_SUITE run twice: on PYRITE_CPUS harts and on SMP_CPUS
harts, as test_name[cpus1] and test_name[cpus4].  They are the suites
whose programs make processes and LWPs wake each other, where a hart
missing a wake-up or two harts racing shows; the other tests look at
one machine's details (the monitor's thread list, the banner) and run
on PYRITE_CPUS harts only.

Every machine a test boots is closed (QEMU killed if still running) when the
test ends.  When a test fails, the console transcripts of its machines are
written to build/test-logs/<module>.<test>.log and the report says where.
Timeouts are scaled by PYRITE_TIMEOUT_SCALE (see tests/qemu/machine.py).
"""

import os
import re
from pathlib import Path

import pytest

from tests.qemu.machine import REPO, Machine, build_kernel, make_fs_image
from tests.qemu.shell import boot_shell
from tools import fsck

LOG_DIR = REPO / "build" / "test-logs"

# The second run's harts, and what runs on them too: {module: [test, ...]}.
SMP_CPUS = 4
SMP_SUITE = {
    "test_processes.py": ["test_usertests_pass_without_leaks",
                          "test_kill_from_the_shell_and_preemption"],
    # lwptests is not here yet: on 4 harts its suspend_continue still hangs
    # (after park_unpark) in about one run of lwptests in three.
    "test_lwp.py": ["test_lwptests_pass_without_leaks", "test_thread_programs"],
    "test_notes.py": ["test_notetests_pass"],
    "test_memory.py": ["test_torture"],
}


def default_cpus(environ=None):
    """PYRITE_CPUS (from environ, default os.environ) as a hart count; unset
    or empty is 1.  Raises ValueError for anything but a positive integer."""
    env = os.environ if environ is None else environ
    text = env.get("PYRITE_CPUS", "").strip()
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise ValueError("PYRITE_CPUS must be a positive integer, not %r" % text)
    return int(text)


def pytest_generate_tests(metafunc):
    # Every test whose machines come from `boot` has the cpus fixture;
    # those in SMP_SUITE get it twice, as a parameter.
    module = metafunc.definition.path.name
    if "cpus" in metafunc.fixturenames and \
            metafunc.definition.name in SMP_SUITE.get(module, ()):
        counts = sorted({default_cpus(), SMP_CPUS})
        metafunc.parametrize("cpus", counts, indirect=True, ids=["cpus%d" % n for n in counts])


@pytest.fixture
def cpus(request):
    return getattr(request, "param", default_cpus())


@pytest.fixture(scope="session")
def kernel_elf(tmp_path_factory):
    prebuilt = os.environ.get("PYRITE_KERNEL")
    if prebuilt:                  # test a given image; build nothing
        path = Path(prebuilt).resolve()
        if not path.is_file():
            pytest.fail("PYRITE_KERNEL=%s: no such file" % prebuilt, pytrace=False)
        return path
    try:
        return build_kernel(copy_to=tmp_path_factory.mktemp("kernel"))
    except RuntimeError as exc:
        failure = str(exc)
    pytest.fail(failure, pytrace=False)


@pytest.fixture(scope="session")
def fs_image(kernel_elf, tmp_path_factory):
    # kernel_elf ran `make kernel`, which builds the user programs the
    # image holds.  Nobody boots this file itself: only copies of it.
    path = tmp_path_factory.mktemp("disk") / "fs.img"
    try:
        make_fs_image(path)
        failure = None
    except RuntimeError as exc:
        failure = "cannot make the session's disk image: %s" % exc
    if failure:
        pytest.fail(failure, pytrace=False)
    problems = fsck.check(path)
    if problems:
        pytest.fail("the fresh disk image is not clean:\n" + "\n".join(problems), pytrace=False)
    # Tests compute what the guest prints from the image's README.
    assert fsck.Image(path).read("/README") == (REPO / "README.md").read_bytes()
    return path


def _machines(node):
    if not hasattr(node, "_pyrite_machines"):
        node._pyrite_machines = []
    return node._pyrite_machines


@pytest.fixture
def boot(request, kernel_elf, fs_image, cpus):
    """boot(*extra_args, make_vars=None, wait_prompt=True, cpus=N, ...) ->
    Machine, on a private copy of the session's fresh disk (unless
    make_vars names one), with the cpus fixture's harts unless told."""
    booted = []

    def factory(*extra_args, **kwargs):
        kwargs.setdefault("name", "qemu-%d" % (len(booted) + 1))
        kwargs.setdefault("disk", fs_image)
        kwargs.setdefault("cpus", cpus)
        m = Machine(kernel_elf, extra_args=extra_args, registry=_machines(request.node),
                    **kwargs)
        booted.append(m)
        return m

    yield factory
    for m in booted:
        m.close()


@pytest.fixture
def machine(boot):
    return boot()


@pytest.fixture
def shell(boot):
    return boot_shell(boot)


def _log_name(item):
    module = item.path.stem if hasattr(item, "path") else "tests"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "%s.%s" % (module, item.name)) + ".log"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    machines = getattr(item, "_pyrite_machines", None)
    if not machines:
        return
    path = LOG_DIR / _log_name(item)
    if report.failed:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        parts = []
        for m in machines:
            parts.append("===== %s: %s =====\n" % (m.name, " ".join(m.command)))
            parts.append(m.transcript)
            parts.append("\n")
        path.write_text("".join(parts), encoding="utf-8")
        last = machines[-1].transcript.replace("\r", "").splitlines()[-25:]
        report.sections.append((
            "pyrite console (%s)" % report.when,
            "console log saved to %s\nlast lines of %s:\n%s" % (
                path.relative_to(REPO), machines[-1].name, "\n".join(last))))
    elif report.when == "call" and path.exists():
        path.unlink()           # a stale log from an earlier failure
