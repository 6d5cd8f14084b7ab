"""Fixtures for the QEMU tests, and the hook that keeps failing tests' logs.

    kernel_elf    (session) `make kernel` once; the path of a copy of the
                  image, so the session boots one fixed kernel
    machine       a Machine booted to its first `pyrite> ` prompt
    boot          a factory: boot(*extra_qemu_args, make_vars=None, ...)
                  -> another booted Machine (e.g. boot("-smp", "2"))

PYRITE_KERNEL=path/to/kernel.elf tests that image instead of building one.

Every machine a test boots is closed (QEMU killed if still running) when the
test ends.  When a test fails, the console transcripts of its machines are
written to build/test-logs/<module>.<test>.log and the report says where.
Timeouts are scaled by PYRITE_TIMEOUT_SCALE (see tests/qemu/machine.py).
"""

import os
import re
from pathlib import Path

import pytest

from tests.qemu.machine import REPO, Machine, build_kernel

LOG_DIR = REPO / "build" / "test-logs"


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


def _machines(node):
    if not hasattr(node, "_pyrite_machines"):
        node._pyrite_machines = []
    return node._pyrite_machines


@pytest.fixture
def boot(request, kernel_elf):
    """boot(*extra_args, make_vars=None, wait_prompt=True, ...) -> Machine."""
    booted = []

    def factory(*extra_args, **kwargs):
        kwargs.setdefault("name", "qemu-%d" % (len(booted) + 1))
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
