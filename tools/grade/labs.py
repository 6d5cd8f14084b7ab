"""Where the course labs are (labs/NAME/) and what each holds:

    README.md                the handout; its first `# ` line is the title
    grade.py                 the grader (pytest, tools.grade's @graded)
    user/*.c                 the lab's own test programs, built in with LAB=NAME
    solution/solution.patch  the reference solution, for instructors only
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LABS = REPO / "labs"


class Lab:
    def __init__(self, name, root=LABS):
        self.name = name
        self.dir = Path(root) / name

    @property
    def grader(self):
        return self.dir / "grade.py"

    @property
    def solution(self):
        return self.dir / "solution" / "solution.patch"

    @property
    def title(self):
        readme = self.dir / "README.md"
        if readme.exists():
            for line in readme.read_text(encoding="utf-8").splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
        return self.name

    def exists(self):
        return self.grader.is_file()

    def __repr__(self):
        return "<Lab %s>" % self.name


def all_labs(root=LABS):
    """Every lab with a grader, in the order labs/README.md teaches them
    (labs/ORDER, one name a line), then any others by name."""
    root = Path(root)
    found = {p.parent.name for p in root.glob("*/grade.py")}
    order = []
    listing = root / "ORDER"
    if listing.exists():
        order = [l.strip() for l in listing.read_text().splitlines()
                 if l.strip() and not l.startswith("#")]
    names = [n for n in order if n in found] + sorted(found - set(order))
    return [Lab(n, root) for n in names]


def find(name, root=LABS):
    lab = Lab(name, root)
    if not lab.exists():
        known = ", ".join(l.name for l in all_labs(root)) or "none"
        raise KeyError("no lab %r (labs: %s)" % (name, known))
    return lab
