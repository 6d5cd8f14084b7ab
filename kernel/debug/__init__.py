# Looking inside the running kernel.
#
#   monitor    a Python prompt in the live kernel, behind Ctrl-]: ps(),
#              threads(), mem(), any kernel object at hand
#   selftest   checks that can only run inside the kernel: threads and the
#              garbage collector, the page allocator run dry
#
# The top of the stack: it may use every layer below.
