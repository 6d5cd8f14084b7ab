# The Pyrite kernel: Python policy on top of the C mechanism in cstubs/.
#
# The kernel is a stack of packages, each named for what it holds.  A
# package may import the packages below it in this list, never one above
# (tests/host/test_layers.py checks every import, and that no module
# imports inside a function to get round the rule).  Inside a package the
# modules import each other without cycles.  Bottom first:
#
#   compat    the few names that differ between MicroPython and CPython
#   abi       what user programs and host tools share with the kernel:
#             system call numbers, the disk layout, the limits
#   sched     scheduling policies: which runnable thread runs next
#   thread    kernel threads, switching, sleep/wakeup, interrupt events
#   dev       the clock, the console, the device switch
#   mm        a process's user address space: layout, growth, teardown
#   syscall   the system call table and fetching arguments from user memory
#   fs        the disk, buffer cache, log, inodes, directories, open files,
#             pipes, and the file system calls
#   proc      processes: fork, exit, wait, kill, exec, the user loop, and
#             the process system calls
#   debug     the kernel monitor and self-tests
#   main      boot: brings the layers up in order and starts init
#
# `kern` is the native module (cstubs/modkern*.c): any layer may use it.
LAYERS = ("compat", "abi", "sched", "thread", "dev", "mm", "syscall", "fs", "proc",
          "debug", "main")
