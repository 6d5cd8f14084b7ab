# Devices: the clock, the console, and the device switch.
#
#   clock     xv6's 1/10 s ticks: uptime (from the time CSR), sleeping
#             until a tick, busy time
#   console   the UART's input with line editing, shared by the programs
#             and the kernel monitor (Ctrl-] switches)
#   devsw     major number -> read/write functions, for device files
#
# The disk is the file system's, in kernel/fs/disk.py.
# Offers: clock.uptime(), clock.sleep_until(), clock.busy_time(), console.read/readline/write,
# devsw.lookup().  Uses: kernel.thread, kernel.abi, kern.
