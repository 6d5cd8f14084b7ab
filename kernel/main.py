# The boot sequence, in Python: banner, clock, console, monitor, idle.
#
# cstubs/main.c has set up the UART, the page allocator, the kernel's page
# table and the interpreter, then imported this module and called boot()
# on the boot stack.  boot() never returns: the boot thread becomes the
# idle thread.
import sys

import kern

from kernel import kthread, clock, console, monitor, proc, trap, disk, bio, fs, sysfile
from kernel import exec as exec_mod
from kernel.fslayout import ROOTINO

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
    disk may sleep, which the boot thread must never do), exec /init, and
    become an ordinary process."""
    fs.init()
    p.cwd = fs.iget(ROOTINO)
    image = sysfile.read_program(p, "/init")
    argc = -1 if image is None else exec_mod.exec_program(p, "/init", [b"init"], image)
    if argc < 0:
        raise RuntimeError("cannot exec /init from the file system")
    trap.user_loop(p, argc)


def start_init():
    """The first process: init, from the file system."""
    p = proc.alloc_proc("init")
    if p is None:
        raise RuntimeError("no memory for init")
    proc.init_proc = p
    p.parent = p                     # init is its own parent: orphans stop here
    p.state = proc.ALIVE
    p.thread = kthread.spawn("init", init_main, p)
    if p.thread is None:
        raise RuntimeError("no memory for init's thread")
    kern.thread_set_process(p.thread.handle, p.pid, p.trapframe)


def boot():
    monitor.boot_banner_time = clock.busy_time()
    banner()
    kthread.init()
    clock.start()
    disk.init()
    bio.init()
    # `-append monitor` (make qemu BOOTARGS=monitor) boots to the monitor
    # alone; otherwise init starts and the monitor waits behind Ctrl-].
    to_monitor = "monitor" in kern.bootargs().split() or not disk.present()
    console.init(console.MONITOR if to_monitor else console.USER)
    console.procdump = monitor.procdump
    console.on_escape = monitor.escaped
    if kthread.spawn("monitor", monitor.run) is None:
        raise RuntimeError("no memory for the monitor thread")
    if to_monitor:
        print("Kernel monitor: type Python, or help() for commands.")
    else:
        print("Ctrl-] switches between the shell and the kernel monitor.")
        start_init()
    kthread.idle_loop()
