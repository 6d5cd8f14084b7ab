# Kernel threads: each has its own stack and interpreter state (C), and
# this package decides when each one runs.
#
#   kthread   threads, switching between them, sleep/wakeup, charging ticks
#   events    interrupts, collected at safe points and handed to handlers
#
# Offers the layers above: spawn/exit_thread/join, sleep/wakeup/wake,
# yield_, charge_tick, the running thread (kthread.current), and
# events.on_event.  Uses: kernel.sched (the policy), kernel.abi, kern.
