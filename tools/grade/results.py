"""The score: one Result per grader test, the GOOD/BAD lines, and
build/grade/results.json in Gradescope's autograder format
(https://gradescope-autograders.readthedocs.io, "Output format"), which
course staff upload as is."""

import json
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str              # the test function
    title: str             # what the report calls it
    max_score: int
    status: str = "pending"  # then passed, failed or skipped
    seconds: float = 0.0
    output: str = ""         # why it failed (and the diagnosis)
    log: str = ""            # the saved console log, if any

    @property
    def score(self):
        return self.max_score if self.status == "passed" else 0


@dataclass
class Score:
    lab: str
    results: list = field(default_factory=list)
    output: str = ""        # what concerns the whole run (a failed build)

    @property
    def total(self):
        return sum(r.score for r in self.results)

    @property
    def possible(self):
        return sum(r.max_score for r in self.results)

    def full_marks(self):
        return bool(self.results) and self.total == self.possible


def verdict_line(r):
    """gradelib's line for one test: GOOD or BAD, the title, points, time."""
    word = "GOOD" if r.status == "passed" else "BAD "
    extra = " (skipped)" if r.status == "skipped" else ""
    return "%s %s%s  [%d/%d points, %.1fs]" % (word, r.title, extra, r.score, r.max_score, r.seconds)


def score_line(score):
    return "Score: %d/%d  (lab %s)" % (score.total, score.possible, score.lab)


def gradescope(score, seconds):
    """The dict Gradescope reads from /autograder/results/results.json."""
    tests = []
    for number, r in enumerate(score.results, 1):
        out = r.output
        if r.log:
            out = (out + "\n" if out else "") + "console log: " + r.log
        tests.append({
            "name": r.title,
            "number": str(number),
            "score": r.score,
            "max_score": r.max_score,
            "status": "passed" if r.status == "passed" else "failed",
            "output": out,
            "visibility": "visible",
        })
    return {
        "score": score.total,
        "max_score": score.possible,
        "execution_time": round(seconds, 1),
        "output": score.output or score_line(score),
        "stdout_visibility": "visible",
        "tests": tests,
    }


def write_results(path, score, seconds):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gradescope(score, seconds), indent=2) + "\n", encoding="utf-8")


def read_results(path):
    """(score, max_score) of a results.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["score"], data["max_score"]
