"""tools/gen_docs.py: the kernel's docstrings and modules' opening comments,
gathered into the one string the monitor's help(obj) searches."""

import importlib.util
import textwrap

from tools import gen_docs

SOURCE = textwrap.dedent('''\
    # The widget: what it is for.
    #
    # And why it is so.
    import kern


    def plain():
        return 1


    def documented(x):
        """Twice x."""
        return 2 * x


    class Thing:
        """A thing."""
        def method(self):
            """What a thing does."""
''')


def load(path):
    spec = importlib.util.spec_from_file_location("docstrings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_entries_of_a_module():
    entries = dict(gen_docs.module_docs("kernel.dev.widget", SOURCE))
    assert entries == {
        "kernel.dev.widget": "The widget: what it is for.\n\nAnd why it is so.",
        "kernel.dev.widget.documented": "Twice x.",
        "kernel.dev.widget.Thing": "A thing.",
        "kernel.dev.widget.Thing.method": "What a thing does.",
    }


def test_the_generated_module_holds_one_string(tmp_path):
    (tmp_path / "kernel" / "dev").mkdir(parents=True)
    (tmp_path / "kernel" / "__init__.py").write_text("# The kernel.\n")
    (tmp_path / "kernel" / "dev" / "widget.py").write_text(SOURCE)
    out = tmp_path / "gen" / "docstrings.py"
    assert gen_docs.main(["gen_docs.py", str(tmp_path), str(out)]) == 0
    text = load(out).TEXT
    entries = [e.split(gen_docs.SEP, 1) for e in text.split(gen_docs.START)[1:]]
    names = [name for name, _ in entries]
    assert names == ["kern", "kernel", "kernel.dev.widget", "kernel.dev.widget.documented",
                     "kernel.dev.widget.Thing", "kernel.dev.widget.Thing.method"]
    assert dict(entries)["kernel"] == "The kernel."


def test_the_real_kernel_is_documented():
    from tests.qemu.machine import REPO
    entries = dict(gen_docs.collect(REPO))
    assert entries["kernel.dev.console.read"].startswith("Up to n bytes of input")
    assert entries["kernel.dev.console"].startswith("The console: ")
    # The separators never occur inside what they separate.
    assert not any(gen_docs.START in d or gen_docs.SEP in d for d in entries.values())
