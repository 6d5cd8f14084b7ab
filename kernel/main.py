# The boot sequence, in Python: banner, clock, console, monitor, idle.
#
# cstubs/main.c has set up the UART, the page allocator, the kernel's page
# table and the interpreter, then imported this module and called boot()
# on the boot stack.  boot() never returns: the boot thread becomes the
# idle thread.
import sys

import kern

from kernel import kthread, clock, console, monitor

VERSION = "0.1.0"


def banner():
    ram_base, ram_size, heap_base, heap_size, image_end = kern.machine()
    v = sys.implementation.version
    print("Pyrite %s on MicroPython %d.%d.%d, RISC-V qemu-virt" % (VERSION, v[0], v[1], v[2]))
    print("RAM %d MiB at 0x%x; kernel image %d KiB; Python heap %d KiB" % (
        ram_size >> 20, ram_base, (image_end - ram_base) >> 10, heap_size >> 10))
    print("pages: %d free of %d (4 KiB each)" % (kern.free_pages(), kern.total_pages()))


def boot():
    monitor.boot_banner_time = kern.time()
    banner()
    kthread.init()
    clock.start()
    console.init()
    console.procdump = monitor.threads
    if kthread.spawn("monitor", monitor.run) is None:
        raise RuntimeError("no memory for the monitor thread")
    print("Kernel monitor: type Python, or help() for commands.")
    kthread.idle_loop()
