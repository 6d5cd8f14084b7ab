# Devices: the clock, the console, and the device switch.
#
#   clock     the timer tick (xv6's 1/10 s), uptime, busy time
#   console   the UART's input with line editing, shared by the programs
#             and the kernel monitor (Ctrl-] switches)
#   devsw     major number -> read/write functions, for device files
#
# The disk is the file system's, in kernel/fs/disk.py.
# Offers: clock.ticks, clock.busy_time(), console.read/readline/write,
# devsw.lookup().  Uses: kernel.thread, kernel.abi, kern.
