"""Marks every test by the folder it lives in, so that one half runs alone:

    pytest -m host     kernel Python under CPython, C through cffi, the tools (seconds)
    pytest -m qemu     tests that boot the kernel under QEMU
"""

from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = item.path.resolve().relative_to(TESTS_DIR).parts[0]
        if folder in ("host", "qemu"):
            item.add_marker(getattr(pytest.mark, folder))
        else:
            raise pytest.UsageError("%s: a test lives in tests/host/ or tests/qemu/" % item.nodeid)
