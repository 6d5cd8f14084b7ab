"""LabShell: a machine booted to the shell, as a grader drives it.  The
same console driver as the test suite (tests/qemu/machine.py and shell.py);
every timeout is in seconds at PYRITE_TIMEOUT_SCALE=1."""

from tests.qemu import shell as qshell


class LabShell:
    def __init__(self, machine):
        self.machine = machine

    def run(self, line, timeout=30):
        """Type a command line at `$ ` and return its output up to the next
        prompt (\\r removed, no final newline)."""
        return qshell.sh(self.machine, line, timeout)

    def run_part(self, program, args, token, timeout=60):
        """Run `program args`, a lab test program's part, and check its
        verdict: the line `program: PART: OK token=TOKEN` (PART the first
        word of args; the token proves the program ran), and no FAILED
        anywhere.  The output."""
        out = self.run("%s %s" % (program, args), timeout)
        ok = "%s: %s: OK token=%s" % (program, args.split()[0], token)
        assert ok in out.splitlines(), "expected `%s`, got:\n%s" % (ok, out)
        assert "FAILED" not in out, out
        return out

    def start(self, line, timeout=30):
        """Type a command line and wait only for its echo: the caller then
        expects its output (a program that prints before it finishes)."""
        self.machine.send_line(line)
        self.machine.expect_exact(line + "\n", timeout)

    def expect(self, pattern, timeout=30):
        """Wait for a regular expression in the output; its match."""
        return self.machine.expect(pattern, timeout)

    def expect_exact(self, text, timeout=30):
        """Wait for literal text; the output before it."""
        return self.machine.expect_exact(text, timeout)

    def prompt(self, timeout=30):
        """Wait for the shell's prompt; the output before it."""
        return self.machine.expect_exact(qshell.SHELL, timeout).rstrip("\n")

    def monitor(self, expr, timeout=30):
        """Switch to the kernel monitor (Ctrl-]), evaluate a Python expression
        there and return its value parsed as a literal, switch back."""
        qshell.to_monitor(self.machine)
        value = self.machine.value(expr, timeout)
        self._back(timeout)
        return value

    def at_monitor(self, line, timeout=30):
        """Switch to the kernel monitor, run a line there and return what it
        printed, switch back (sched.use("lottery"), say)."""
        qshell.to_monitor(self.machine)
        out = self.machine.run(line, timeout)
        self._back(timeout)
        return out

    def _back(self, timeout):
        self.machine.send_raw(qshell.ESCAPE)
        self.machine.expect_exact("[back to the programs]\n", timeout)

    def free_pages(self):
        return self.monitor("kern.free_pages()")

    def power_off(self):
        qshell.power_off(self.machine)

    @property
    def transcript(self):
        return self.machine.transcript
