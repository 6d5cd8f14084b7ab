# Kernel threads: each has its own stack and interpreter state (C), and
# this package decides when each one runs.
#
#   kthread   threads, switching between them, sleep/wakeup, asking the
#             scheduling policy, charging CPU time, changing policy (use);
#             each hart's scheduler (Cpu) and where threads go
#   harts     bringing the other harts online, their mail, wire()
#   events    interrupts, collected at safe points and handed to handlers
#   timer     one-shot deadlines on the one Sstc timer: the scheduler's, the clock's
#   trace     the scheduler trace: events into a ring buffer in C
#
# Offers the layers above: spawn/exit_thread/join, sleep/wakeup/wake,
# yield_, set_priority, use, cpu_time, the running thread (kthread.current),
# events.on_event, timer.arm, trace.record, harts.wire.  Uses: kernel.sched (the
# policy), kernel.abi, kern.
