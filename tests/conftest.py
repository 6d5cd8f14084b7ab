"""Marks every test by the folder it lives in, so that one half runs alone,
and stretches the per-test timeout by PYRITE_TIMEOUT_SCALE:

    pytest -m host     kernel Python under CPython, C through cffi, the tools (seconds)
    pytest -m qemu     tests that boot the kernel under QEMU
"""

import os
from pathlib import Path

import pytest

from tests.qemu.machine import timeout_scale

TESTS_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # pytest-timeout fails a test that runs longer than `timeout` seconds
    # (pyproject.toml): a hang is a failure, not a wait forever.  Its
    # default there is for a machine at scale 1; a slow machine's
    # PYRITE_TIMEOUT_SCALE stretches it as it stretches every other
    # timeout.  An explicit --timeout or PYTEST_TIMEOUT is taken as given.
    if config.getoption("timeout", None) is None and not os.environ.get("PYTEST_TIMEOUT"):
        default = config.getini("timeout")
        if default:
            config.option.timeout = float(default) * timeout_scale()


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = item.path.resolve().relative_to(TESTS_DIR).parts[0]
        if folder in ("host", "qemu"):
            item.add_marker(getattr(pytest.mark, folder))
        else:
            raise pytest.UsageError("%s: a test lives in tests/host/ or tests/qemu/" % item.nodeid)
