# The system call table: number, name and C prototype of every call.
#
# This is the one place a system call is numbered.  The kernel's dispatcher
# maps number -> name -> handler from it, and tools/gen_headers.py writes the user
# library's stubs (usys.S) and prototypes (usys.h) from it, so the two sides
# cannot disagree.  Data only, so it imports under MicroPython and CPython.
#
# 1-21 are xv6-riscv's calls with xv6's numbers (docs/abi.md), 22-63 are
# left free for course labs, and Pyrite's own calls start at 64.

SYSCALLS = (
    (1, "fork", "int fork(void)"),
    (2, "exit", "int exit(int) __attribute__((noreturn))"),
    (3, "wait", "int wait(int*)"),
    (4, "pipe", "int pipe(int*)"),
    (5, "read", "int read(int, void*, int)"),
    (6, "kill", "int kill(int)"),
    (7, "exec", "int exec(const char*, char**)"),
    (8, "fstat", "int fstat(int, struct stat*)"),
    (9, "chdir", "int chdir(const char*)"),
    (10, "dup", "int dup(int)"),
    (11, "getpid", "int getpid(void)"),
    (12, "sbrk", "char* sbrk(int)"),
    (13, "sleep", "int sleep(int)"),
    (14, "uptime", "int uptime(void)"),
    (15, "open", "int open(const char*, int)"),
    (16, "write", "int write(int, const void*, int)"),
    (17, "mknod", "int mknod(const char*, short, short)"),
    (18, "unlink", "int unlink(const char*)"),
    (19, "link", "int link(const char*, const char*)"),
    (20, "mkdir", "int mkdir(const char*)"),
    (21, "close", "int close(int)"),
    # Pyrite extensions.
    (64, "yield", "int yield(void)"),          # give up the CPU
    (65, "freepages", "int freepages(void)"),  # free physical pages (leak checks)
    (66, "getppid", "int getppid(void)"),      # the parent's pid
    (67, "freeblocks", "int freeblocks(void)"),  # free data blocks on the disk (leak checks)
    (68, "freeinodes", "int freeinodes(void)"),  # free inodes on the disk (leak checks)
    (69, "busytime", "uint64 busytime(void)"),  # `time` ticks not spent idle (benchmarks)
    # Scheduling and accounting (kernel/sched/, kernel/proc/sysproc.py).
    (70, "setpri", "int setpri(int, int, int)"),  # (pid, base or -1, fixed) -> old base
    (71, "rtset", "int rtset(int, int, int)"),    # (period, deadline, cost in us) -> 0 or -1
    (72, "rtwait", "int rtwait(void)"),           # this period's job is done -> misses so far
    (73, "times", "int times(uint64*)"),          # user, sys, children's user, sys (us)
    (74, "waitx", "int waitx(int*, uint64*)"),    # wait, and the child's user, sys (us)
    (75, "procinfo", "int procinfo(int, void*)"),  # the process after pid -> its pid, or 0
    (76, "schedtrace", "int schedtrace(int)"),    # scheduler trace on (1) / off (0) -> was on
    # Harts (kernel/proc/syshart.py).
    (77, "wire", "int wire(int, int)"),           # (pid or 0, hart, -1 unwires) -> 0 or -1
    (78, "hartid", "int hartid(void)"),           # the hart the caller runs on
    (79, "nharts", "int nharts(void)"),           # how many harts run the kernel
    (80, "failnext", "int failnext(int, int)"),  # make an allocation of the next call fail (tests)
    (81, "kstat", "int kstat(int)"),           # kernel memory counters (leak checks)
    # Threads inside a process, NetBSD's LWPs (kernel/proc/lwp.py, syslwp.py).
    (90, "lwp_create", "int lwp_create(void*, void*, void*, int)"),  # (entry, arg, stack top, flags) -> lid
    (91, "lwp_exit", "int lwp_exit(void) __attribute__((noreturn))"),  # the last one ends the process
    (92, "lwp_wait", "int lwp_wait(int, int*)"),   # (lid or 0 for any, &departed) -> 0 or -1
    (93, "lwp_self", "int lwp_self(void)"),        # the caller's lid
    (94, "lwp_park", "int lwp_park(int)"),         # (timeout ticks, 0: none) -> 0, or -1 timed out/killed
    (95, "lwp_unpark", "int lwp_unpark(int)"),     # (lid) -> 0 or -1
    (96, "lwp_suspend", "int lwp_suspend(int)"),   # (lid) -> 0 or -1
    (97, "lwp_continue", "int lwp_continue(int)"),  # (lid) -> 0 or -1
    # Notes, alarms, the console's foreground job (kernel/proc/sysnotes.py).
    (100, "notify", "int notify(void (*)(void*, char*))"),  # the note handler (0: none, die)
    (101, "noted", "int noted(int)"),           # end the handler: NCONT resume, NDFLT die
    (102, "postnote", "int postnote(int, const char*)"),  # (pid, or -group; text) -> 0 or -1
    (103, "alarm", "int alarm(int)"),           # post "alarm" in n ticks (0: off) -> ticks left
    (104, "setpgrp", "int setpgrp(int, int)"),  # (pid or 0, group; 0 its pid, -1 read) -> group
    (105, "setfg", "int setfg(int)"),           # the console's foreground group (0: none) -> old
)
