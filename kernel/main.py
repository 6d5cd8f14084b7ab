# The boot sequence, in Python: banner, the layers brought up bottom first,
# the monitor, init, then idle.
#
# cstubs/main.c has set up the UART, the page allocator, the kernel's page
# table and the interpreter, then imported this module and called boot()
# on the boot stack.  boot() never returns: the boot thread becomes the
# idle thread.
import sys

import kern

from kernel.abi.fslayout import ROOTINO
from kernel.thread import kthread, harts
from kernel.dev import clock, console
from kernel.syscall import table
from kernel.fs import disk, bio, inode
from kernel.fs import sysfile      # registers the file system calls
from kernel.proc import proc, sysproc, syslwp, syshart  # ... the process, LWP and hart calls
from kernel.proc import sysnotes          # ... and the note calls; ^C posts "interrupt"
from kernel.proc import exec as exec_mod
from kernel.debug import monitor, faults    # faults registers the test calls

VERSION = "0.1.0"


def banner():
    ram_base, ram_size, heap_base, heap_size, image_end = kern.machine()
    v = sys.implementation.version
    print("Pyrite %s on MicroPython %d.%d.%d, RISC-V qemu-virt" % (VERSION, v[0], v[1], v[2]))
    print("RAM %d MiB at 0x%x; kernel image %d KiB; Python heap %d KiB" % (
        ram_size >> 20, ram_base, (image_end - ram_base) >> 10, heap_size >> 10))
    print("pages: %d free of %d (4 KiB each)" % (kern.free_pages(), kern.total_pages()))


def init_main(p):
    """The first process's kernel thread: mount the file system (reading the
    disk sleeps, which the boot thread must never do), exec /init, and
    become an ordinary process."""
    inode.init()
    p.cwd = inode.iget(ROOTINO)
    args = kern.kalloc()                  # the argument page (kernel/proc/exec.py)
    argc = kern.args_build(args, (b"init",)) if args else -1
    if argc >= 0:
        argc = exec_mod.exec_file(p, "/init", args, argc)
    if args:
        kern.kfree(args)
    if argc < 0:
        raise RuntimeError("cannot exec /init from the file system")
    proc.run(p, argc)


def boot():
    banner_time = clock.busy_time()
    banner()
    missing = table.missing()
    if missing:
        raise RuntimeError("system calls without a handler: %s" % ", ".join(missing))
    kthread.init()
    clock.start()
    disk.init()
    bio.init()
    # `-append monitor` (make qemu BOOTARGS=monitor) boots to the monitor
    # alone; otherwise init starts and the monitor waits behind Ctrl-].
    to_monitor = "monitor" in kern.bootargs().split() or not disk.present()
    console.init(console.MONITOR if to_monitor else console.USER,
                 procdump=monitor.procdump, on_escape=monitor.escaped)
    if kthread.spawn("monitor", monitor.run, banner_time) is None:
        raise RuntimeError("no memory for the monitor thread")
    if to_monitor:
        print("Kernel monitor: type Python, or help() for commands.  Ctrl-A X quits QEMU.")
    else:
        print("Ctrl-] switches between the shell and the kernel monitor; Ctrl-A X quits QEMU.")
        proc.start_init(init_main)
    harts.start()         # the other harts come online when this one first lets go
    kthread.idle_loop()
