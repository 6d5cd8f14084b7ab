"""The @graded decorator: a grader test's points, the tests it depends on
(by function name, in the same grader), and its timeout in seconds (before
PYRITE_TIMEOUT_SCALE), as test161 gives each test its own."""

import pytest

DEFAULT_TIMEOUT = 120


def graded(points, depends=(), timeout=DEFAULT_TIMEOUT, title=None):
    """Mark a grader test: worth `points`, skipped (scoring 0, with the
    reason) unless every test named in `depends` passed, failed by
    pytest-timeout after `timeout` scaled seconds.  title: what the report
    calls it (default: the docstring's first line, else the name)."""
    if points < 0:
        raise ValueError("points must be >= 0")
    if isinstance(depends, str):
        depends = (depends,)

    def mark(fn):
        name = title
        if name is None and fn.__doc__:
            name = fn.__doc__.strip().splitlines()[0].rstrip(".")
        fn = pytest.mark.graded(points=points, depends=tuple(depends), timeout=timeout,
                                title=name or fn.__name__)(fn)
        return fn

    return mark


def grading_of(item):
    """(points, depends, timeout, title) of a collected test, or None if it
    is not @graded."""
    m = item.get_closest_marker("graded")
    if m is None:
        return None
    kw = m.kwargs
    return kw["points"], kw["depends"], kw["timeout"], kw["title"]
