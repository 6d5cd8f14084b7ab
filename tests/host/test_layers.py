"""The kernel's layering: each package imports only packages below it, in
the order kernel/__init__.py declares (LAYERS), with no import cycles and no
imports tucked inside functions to get round the rule.

The checker reads the source with `ast` (nothing is imported), so it also
sees imports that a run would never reach.  It is tested on small made-up
trees first, so that a checker that finds nothing cannot pass unnoticed.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def declared_layers(kernel_dir):
    """LAYERS from kernel/__init__.py, read as a literal."""
    tree = ast.parse((kernel_dir / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "LAYERS" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("kernel/__init__.py declares no LAYERS")


def module_name(kernel_dir, path):
    """kernel/fs/inode.py -> "kernel.fs.inode"; a package's __init__.py -> the package."""
    parts = ("kernel",) + path.relative_to(kernel_dir).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(name):
    """The layer a kernel module belongs to: kernel.fs.inode -> "fs",
    kernel.main -> "main"; None for the kernel package itself."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def kernel_imports(tree, modules):
    """(target module, line, top_level) for every import of a kernel module.
    `from kernel.fs import inode` names kernel.fs.inode when that is a module,
    else kernel.fs; `from kernel import main` names kernel.main."""
    found = []

    def visit(node, top_level):
        for child in ast.iter_child_nodes(node):
            inside = top_level and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name == "kernel" or alias.name.startswith("kernel."):
                        found.append((alias.name, child.lineno, top_level))
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0 and (
                    child.module == "kernel" or child.module.startswith("kernel.")):
                for alias in child.names:
                    full = child.module + "." + alias.name
                    found.append((full if full in modules else child.module, child.lineno,
                                  top_level))
            visit(child, inside)

    visit(tree, True)
    return found


def check_layers(kernel_dir):
    """Every violation of the layering rules in the tree at kernel_dir, as
    readable strings (an empty list: all is well)."""
    layers = declared_layers(kernel_dir)
    rank = {name: i for i, name in enumerate(layers)}
    paths = sorted(kernel_dir.rglob("*.py"))
    modules = {module_name(kernel_dir, p): p for p in paths}
    problems = []
    edges = {}
    for name, path in modules.items():
        where = path.relative_to(kernel_dir.parent)
        layer = layer_of(name)
        if layer is not None and layer not in rank:
            problems.append("%s: in %r, which kernel/__init__.py's LAYERS does not list"
                            % (where, layer))
            continue
        edges[name] = set()
        tree = ast.parse(path.read_text(), filename=str(path))
        for target, line, top_level in kernel_imports(tree, modules):
            if target not in modules:
                problems.append("%s:%d: imports %s, which does not exist" % (where, line, target))
                continue
            if not top_level:
                problems.append("%s:%d: imports %s inside a function or class: imports "
                                "go at the top of the module" % (where, line, target))
            target_layer = layer_of(target)
            if layer is None or target_layer is None:
                continue               # kernel/__init__.py, or `import kernel`
            if rank[target_layer] > rank[layer]:
                problems.append("%s:%d: %s (layer %r) imports %s (layer %r, above it)"
                                % (where, line, name, layer, target, target_layer))
            edges[name].add(target)
    problems.extend(find_cycles(edges))
    return problems


def find_cycles(edges):
    """One message per import cycle among modules (depth-first search)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {name: WHITE for name in edges}
    cycles = []

    def walk(name, stack):
        colour[name] = GREY
        stack.append(name)
        for nxt in sorted(edges.get(name, ())):
            if nxt == name or colour.get(nxt) is None:
                continue               # a package importing its own module; not a module here
            if colour[nxt] == GREY:
                cycle = stack[stack.index(nxt):] + [nxt]
                cycles.append("import cycle: " + " -> ".join(cycle))
            elif colour[nxt] == WHITE:
                walk(nxt, stack)
        stack.pop()
        colour[name] = BLACK

    for name in sorted(edges):
        if colour[name] == WHITE:
            walk(name, [])
    return cycles


# ---- the checker itself, on made-up trees ----

def make_tree(root, files):
    kernel_dir = root / "kernel"
    for rel, text in files.items():
        path = kernel_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return kernel_dir


BASE = {
    "__init__.py": 'LAYERS = ("compat", "low", "high", "main")\n',
    "compat.py": "",
    "low/__init__.py": "",
    "low/a.py": "from kernel.compat import const\n",
    "low/b.py": "from kernel.low import a\n",
    "high/__init__.py": "",
    "high/c.py": "from kernel.low import a, b\nimport kern\n",
    "main.py": "from kernel.high import c\nfrom kernel.low import b\n",
}


def test_checker_passes_a_well_layered_tree(tmp_path):
    assert check_layers(make_tree(tmp_path, BASE)) == []


def test_checker_finds_an_upward_import(tmp_path):
    tree = dict(BASE, **{"low/b.py": "from kernel.low import a\nfrom kernel.high import c\n"})
    problems = check_layers(make_tree(tmp_path, tree))
    assert any("kernel/low/b.py:2" in p and "above it" in p for p in problems), problems


def test_checker_finds_a_late_import(tmp_path):
    tree = dict(BASE, **{"low/b.py": "def f():\n    from kernel.low import a\n    return a\n"})
    problems = check_layers(make_tree(tmp_path, tree))
    assert problems == ["kernel/low/b.py:2: imports kernel.low.a inside a function or class: "
                        "imports go at the top of the module"]


def test_checker_finds_a_cycle_inside_a_package(tmp_path):
    tree = dict(BASE, **{"low/a.py": "from kernel.low import b\n"})
    problems = check_layers(make_tree(tmp_path, tree))
    assert problems == ["import cycle: kernel.low.a -> kernel.low.b -> kernel.low.a"]


def test_checker_finds_an_undeclared_package(tmp_path):
    tree = dict(BASE, **{"extra/__init__.py": "", "extra/d.py": ""})
    problems = check_layers(make_tree(tmp_path, tree))
    assert len(problems) == 2 and all("does not list" in p for p in problems)


# ---- the real kernel ----

def test_every_package_is_a_declared_layer():
    kernel_dir = REPO / "kernel"
    layers = declared_layers(kernel_dir)
    on_disk = {p.name for p in kernel_dir.iterdir() if (p / "__init__.py").exists()}
    on_disk |= {p.stem for p in kernel_dir.glob("*.py") if p.stem != "__init__"}
    assert sorted(on_disk) == sorted(layers)


def test_the_kernel_is_layered():
    problems = check_layers(REPO / "kernel")
    assert problems == [], "\n".join(problems)
