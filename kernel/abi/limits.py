# The limits and flags of the user ABI, and the machine facts user code sees.
#
# tools/gen_headers.py writes each name below into build/include/abi.h, a
# C header that both the user library (user/user.h) and the C kernel
# (cstubs/memlayout.h) include: a limit is changed here and nowhere else.
# Every value is an integer, so the header can be used from assembly too.
from kernel.compat import const

# Memory.  Pages are Sv39's 4 KiB.  User memory is [0, USER_TOP): above it
# sit NCPU trapframe slots (one page per hart, hart 0's highest) and, at the
# very top of the 2^38-byte Sv39 space, the trampoline page, all mapped
# without PTE_U.
PGSIZE = const(4096)
MAXVA = const(1 << 38)
USER_TOP = const((1 << 38) - (8 + 1) * 4096)   # MAXVA - (NCPU + 1) * PGSIZE: the lowest slot

# exec and paths.
MAXARG = const(32)           # most arguments exec accepts
MAXPATH = const(128)         # longest path, with its NUL

# The console.  A line typed at the console holds at most MAXLINE bytes,
# its newline included; the console refuses a longer one whole, and the
# shell reads lines into a buffer of this size.
MAXLINE = const(1024)

# Descriptors and open files.
NOFILE = const(16)           # descriptors per process
NFILE = const(1000)          # open files in the whole system

# Processes and threads.  These are configuration, not array sizes: going
# past one is an error return (fork and spawn fail), never a crash.  Each
# thread needs a kernel stack slot, so MAX_THREADS is also how many slots
# the C side reserves; NPROC leaves room for the kernel's own threads.
NPROC = const(1000)          # processes that may exist at once (zombies too)
MAX_THREADS = const(1024)    # kernel threads that may exist at once
MAX_LWPS = const(128)        # LWPs of one process, the exited but unjoined too
NCPU = const(8)              # most harts the kernel runs; any beyond stay parked

# lwp_create() flags (NetBSD's values).
LWP_DETACHED = const(0x40)   # nobody lwp_wait()s for it: gone as soon as it exits
LWP_SUSPENDED = const(0x80)  # starts suspended, until lwp_continue()

# open() flags.
O_RDONLY = const(0x000)
O_WRONLY = const(0x001)
O_RDWR = const(0x002)
O_CREATE = const(0x200)
O_TRUNC = const(0x400)

# Device numbers: major 1 is the console.
CONSOLE_MAJOR = const(1)

# struct stat as fstat() fills it in: dev (int), ino (uint), type (short),
# nlink (short), 4 bytes of padding, size (uint64): 24 bytes.
STAT_FORMAT = "<iIhhIQ"
STAT_SIZE = const(24)

# The names tools/gen_headers.py writes into abi.h, in this order.
HEADER_NAMES = ("PGSIZE", "MAXVA", "USER_TOP", "MAXARG", "MAXPATH", "MAXLINE", "NOFILE", "NFILE",
                "NPROC", "MAX_THREADS", "MAX_LWPS", "NCPU", "LWP_DETACHED", "LWP_SUSPENDED",
                "O_RDONLY", "O_WRONLY", "O_RDWR", "O_CREATE",
                "O_TRUNC", "CONSOLE_MAJOR", "STAT_SIZE")
