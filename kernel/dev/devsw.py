# The device switch: what read() and write() on a device file do, by major
# number (a device file is an inode of type T_DEVICE made by mknod).
#
# Each entry is (read(n, p), write(data, p)): read returns up to n bytes
# (b"" at end of file) or None for an error, such as p being killed while
# it waited; write returns the count written or -1.  p is the calling
# process.  Only the console exists today.
import kern

from kernel.abi.limits import CONSOLE_MAJOR
from kernel.dev import console


def console_read(n, p):
    return console.read(n, p)


def console_write(data, p):
    kern.console_write(data)
    return len(data)


devices = {CONSOLE_MAJOR: (console_read, console_write)}


def lookup(major):
    """The (read, write) pair for major, or None if there is no such device."""
    return devices.get(major)
