# Processes: a kernel thread plus a user address space, a trapframe, open
# files and a current directory.
#
#   proc      the process table, fork, exit, wait, kill, sbrk, ps
#   userloop  the body of every process's kernel thread: run user code,
#             dispatch its system calls, interrupts and faults
#   exec      load a program from the file system into a fresh space
#   lwp       the LWPs (threads) inside a process: create, exit, wait, park,
#             suspend, and how exit, kill and exec reach all of them
#   sysproc   the process system calls, registered in the system call table
#   syslwp    the LWP system calls (NetBSD's _lwp_*)
#   syshart   the hart calls: hartid, nharts, wire
#   notes     Plan 9's notes: posting, delivery to a handler, alarms
#   sysnotes  the note calls, process groups, and ^C to the foreground job
#
# Offers: proc.alloc_proc/start/procs/ps, exec.exec_file.
# Uses: kernel.fs, kernel.syscall, kernel.mm, kernel.dev, kernel.thread,
# kernel.abi, kern.
