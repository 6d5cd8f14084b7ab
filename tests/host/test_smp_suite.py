"""The QEMU tests' hart counts: PYRITE_CPUS, and tests/qemu/conftest.py's
SMP_SUITE (the tests run again on several harts) names tests that exist."""

import ast
from pathlib import Path

import pytest

from tests.qemu import conftest

QEMU_TESTS = Path(conftest.__file__).resolve().parent


def test_default_cpus():
    assert conftest.default_cpus({}) == 1
    assert conftest.default_cpus({"PYRITE_CPUS": " "}) == 1
    assert conftest.default_cpus({"PYRITE_CPUS": "4"}) == 4
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(ValueError):
            conftest.default_cpus({"PYRITE_CPUS": bad})


def test_smp_suite_names_tests_that_boot_machines():
    # A renamed test would silently drop out of the run on several harts.
    assert conftest.SMP_CPUS > 1
    for module, names in conftest.SMP_SUITE.items():
        tree = ast.parse((QEMU_TESTS / module).read_text())
        functions = {f.name: [a.arg for a in f.args.args] for f in tree.body
                     if isinstance(f, ast.FunctionDef)}
        for name in names:
            assert name in functions, "%s::%s" % (module, name)
            # Its machines come from the boot fixture, which has cpus.
            assert {"shell", "boot", "machine"} & set(functions[name]), "%s::%s" % (module, name)
