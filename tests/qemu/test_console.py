"""The console as a person types at the shell: Ctrl-C (which interrupts the
foreground job: tests/qemu/test_notes.py has more), the terminal's
escape sequences (arrow keys, Home, End, Delete), the history the arrows
walk, and the one line limit (MAXLINE) the console and the shell share."""

import re

from kernel.abi.limits import MAXLINE
from tests.qemu.shell import SHELL, sh

CTRL_C = "\x03"
UP, DOWN, RIGHT, LEFT = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
# Home and End as xterm sends them in both its modes, Delete, PageUp, and
# a sequence with parameters (Ctrl+Right).
OTHER_KEYS = ["\x1b[H", "\x1b[F", "\x1bOH", "\x1bOF", "\x1b[3~", "\x1b[5~", "\x1b[1;5C"]
REFUSED = "console: line longer than %d characters refused" % (MAXLINE - 1)


def test_ctrl_c_echoes_and_abandons_the_line(shell):
    shell.send_raw("echo never shown" + CTRL_C)
    out = shell.expect_exact(SHELL)
    assert out == "echo never shown^C\n", repr(out)
    # Nothing of the abandoned line runs; the next line is a fresh one.
    assert sh(shell, "echo fresh") == "fresh"
    # On an empty line too: a new prompt.
    shell.send_raw(CTRL_C)
    assert shell.expect_exact(SHELL) == "^C\n"
    assert sh(shell, "echo still here") == "still here"


def test_escape_sequences_are_not_typed_into_the_line(shell):
    keys = LEFT + RIGHT + "".join(OTHER_KEYS)
    shell.send_raw("echo a" + keys + "b\r")
    out = shell.expect_exact(SHELL)
    # The echo shows only what is in the line, and the command ran as typed.
    assert out == "echo ab\nab\n", repr(out)
    # A lone ESC before an ordinary key is dropped, not typed.
    shell.send_raw("echo c\x1bd\r")
    assert shell.expect_exact(SHELL) == "echo cd\ncd\n"


def test_up_and_down_arrows_recall_lines(shell):
    assert sh(shell, "echo first") == "first"
    assert sh(shell, "echo second") == "second"
    # Up twice: the line before last, echoed in place of what was typed.
    shell.send_raw("partial" + UP)
    shell.expect_exact("partial" + "\b \b" * len("partial") + "echo second")
    shell.send_raw(UP)
    shell.expect_exact("\b \b" * len("echo second") + "echo first")
    shell.send_raw("\r")
    assert shell.expect_exact(SHELL) == "\nfirst\n"
    # Down past the newest line gives an empty line again.
    shell.send_raw(UP + UP + DOWN + DOWN)
    shell.expect_exact("\b \b" * len("echo second"))
    shell.send_raw("echo typed\r")
    assert shell.expect_exact(SHELL).endswith("echo typed\ntyped\n")


def test_an_over_long_line_is_refused_whole(shell):
    # Today's shell would have run this as pieces; now nothing of it runs.
    long_line = "echo " + "x" * 1495
    assert len(long_line) == 1500
    shell.send_raw(long_line + "\r")
    out = shell.expect_exact(SHELL)
    assert out.endswith("\n" + REFUSED + "\n"), repr(out[-200:])
    # The echo stopped at the limit; no command printed anything.
    assert out == long_line[:MAXLINE - 1] + "\n" + REFUSED + "\n"
    assert sh(shell, "echo ok") == "ok"


def test_lines_up_to_the_limit_work(shell):
    # MAXLINE bytes with the newline: the longest line the shell runs.
    word = "y" * (MAXLINE - 1 - len("echo "))
    line = "echo " + word
    assert len(line) + 1 == MAXLINE
    assert sh(shell, line) == word
    # One more character and it is refused.
    shell.send_raw(line + "z\r")
    out = shell.expect_exact(SHELL)
    assert out.endswith(REFUSED + "\n"), repr(out[-200:])
    assert sh(shell, "echo after") == "after"


def test_ctrl_c_interrupts_a_reading_program(shell):
    # The program reading is the shell's foreground job: ^C posts it the
    # note "interrupt", and cat, with no handler, dies of it.  The line
    # being typed is dropped, and no empty line is left for the shell.
    shell.send_line("cat")
    shell.expect_exact("cat\n")
    shell.send_raw("kept\r")
    shell.expect_exact("kept\nkept\n")                     # the echo, then cat's copy
    shell.send_raw("abandoned" + CTRL_C)
    out = shell.expect_exact(SHELL)
    assert re.fullmatch(r"abandoned\^C\npid \d+ \(cat\): interrupt\n", out), repr(out)
    assert sh(shell, "echo ok") == "ok"
