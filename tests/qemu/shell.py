"""Helpers for tests that drive the shell: boot to `$ `, run a command line,
switch to the kernel monitor with Ctrl-]."""

SHELL = "$ "
ESCAPE = "\x1d"          # Ctrl-]


def boot_shell(boot, *extra, **kwargs):
    m = boot(*extra, bootargs=None, wait_prompt=False, **kwargs)
    m.expect_exact("init: starting sh\n", 20)
    m.expect_exact(SHELL, 20)
    return m


def sh(m, line, timeout=20):
    """Run a command line at the shell; its output up to the next prompt."""
    m.send_line(line)
    m.expect_exact(line + "\n", timeout)
    return m.expect_exact(SHELL, timeout).rstrip("\n")


def to_monitor(m):
    m.send_raw(ESCAPE)
    m.expect_exact("[kernel monitor", 10)
    m.prompt(10)


def power_off(m):
    """Ctrl-] to the monitor, poweroff(): QEMU must exit with status 0."""
    to_monitor(m)
    m.send_line("poweroff()")
    assert m.wait_exit(20) == 0
