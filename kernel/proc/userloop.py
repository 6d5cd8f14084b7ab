# The life of a process's kernel thread: run user code, handle its traps.
#
# kern.run_user() enters user mode and returns at the process's next trap
# (cstubs/trampoline.S) with what happened: a system call number, an
# interrupt, or a fault.  Everything after that is decided here.  A system
# call is one turn of the loop: the handler's result goes back to user
# mode in a0 with the next run_user().
import kern

from kernel.thread import kthread, events
from kernel.syscall import table
from kernel.fs import bio, inode

TRAP_INTERRUPT = kern.TRAP_INTERRUPT
TRAP_FAULT = kern.TRAP_FAULT
SCAUSE_ECALL_FROM_USER = 8

# deliver_note(p, a0) -> False if p must die: kernel/proc/notes.py puts its
# deliver() here.  Called when a note is pending on the way to user mode.
deliver_note = None


def user_loop(p, a0):
    """Run process p's user code until it must exit: returns the exit
    status when p was killed or faulted.  (The exit() system call ends the
    thread inside its handler and never comes back here.)

    If the kernel runs out of memory serving a call (MemoryError), the
    call fails with -1 and the process carries on.  By then the call has
    let go of what it held: the file system's operations roll back
    (kernel/fs/file.py, operation), fork and exec undo their half-built
    process or image.  The try is out here, around the whole loop, so
    that it costs nothing per system call."""
    while True:
        try:
            return serve(p, a0)
        except MemoryError:
            if not kern.fail_fired():     # a real shortage, not a test's
                print("pid %d (%s): the kernel is out of memory: system call fails" % (
                    p.pid, p.name))
            # A safety net under the handlers' own clean-up: no buffer or
            # inode stays locked by a call that failed (a lock left held
            # would stop everyone who next needs that block or file).
            bio.release_held(kthread.current)
            inode.release_held(kthread.current)
            scause = kern.tf_get(p.trapframe, kern.FIELD_SCAUSE)
            a0 = -1 if scause == SCAUSE_ECALL_FROM_USER else None


def serve(p, a0):
    handlers = table.handlers
    run_user = kern.run_user
    while True:
        if p.killed or p.note_pending:
            if p.killed or not deliver_note(p, a0):
                return -1
            a0 = None                     # deliver() put it in the trapframe
        code = run_user(p.trapframe, p.pagetable, a0)
        if code >= 0:
            handler = handlers[code]
            a0 = handler(p) if handler is not None else table.unknown(p)
        elif code == TRAP_INTERRUPT:
            a0 = None
            interrupt()
        else:
            a0 = None
            fault(p)
            return -1


def interrupt():
    events.poll()
    kthread.yield_if_asked()


def fault(p):
    """A user exception (bad access, illegal instruction): say why p dies."""
    tf = p.trapframe
    scause = kern.tf_get(tf, kern.FIELD_SCAUSE)
    print("pid %d (%s): killed by %s: scause=0x%x sepc=0x%x stval=0x%x" % (
        p.pid, p.name, kern.cause_name(scause), scause,
        kern.tf_get(tf, kern.FIELD_EPC), kern.tf_get(tf, kern.FIELD_STVAL)))
