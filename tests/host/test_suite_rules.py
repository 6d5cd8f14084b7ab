"""Rules the test suite keeps about itself: no test may skip or expect to
fail.  Set-up installs every tool the tests use, so a missing one is a
failure that says what to run; a test that quietly skips would let a
broken machine look green."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FORBIDDEN = {"skip", "skipif", "importorskip", "xfail"}


def forbidden_uses(path):
    """(line, name) of every pytest.skip/skipif/importorskip/xfail in path."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN:
            found.append((node.lineno, node.attr))
    return found


def test_the_checker_sees_a_skip(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("import pytest\n\n@pytest.mark.skipif(True, reason='x')\n"
                      "def test_a():\n    pytest.skip('no')\n")
    assert forbidden_uses(sample) == [(3, "skipif"), (5, "skip")]


def test_no_test_skips_or_expects_to_fail():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == Path(__file__).name:
            continue
        found += ["%s:%d: pytest %s" % (path.relative_to(TESTS.parent), line, name)
                  for line, name in forbidden_uses(path)]
    assert found == [], "\n".join(found)
