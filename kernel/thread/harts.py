# Several harts: starting them, their mail, wiring, and what they report.
#
# kthread.py keeps each hart's scheduler (its Cpu, and the swap of the
# per-hart globals when the interpreter lock changes hands); this module
# brings the other harts online and handles what harts send each other:
# threads to run, requests for work, wirings, policy changes.
import kern

from kernel.sched.base import NEW, YIELDED
from kernel.thread import kthread, events


def start():
    """Bring every other hart QEMU gave us online (-smp N): each runs
    hart_main() on its own idle thread.  Returns how many harts run."""
    events.on_event(kern.EV_IPI, deliver_mail)
    if kern.harts_present() < 2:
        return 1
    return kern.start_harts(hart_main)


def hart_main():
    """A hart's first Python, on its idle thread, with the interpreter
    lock held: make its scheduler, then idle (and so run threads)."""
    join(kern.hart())
    kthread.idle_loop()


def join(hart):
    """Make the running hart's scheduler -- its idle thread (the one C
    made of its boot stack), its own policy objects -- and count it
    online.  Its per-hart state becomes the globals: it runs Python now."""
    kthread.save_hart(kthread.here)        # whoever ran Python last
    idle = kthread.Thread("idle%d" % hart, None, ())
    idle.handle = kern.thread_current()
    idle.state = kthread.RUNNING
    c = kthread.Cpu(hart, idle)
    idle.cpu = c
    kthread.load_hart(c)
    kthread.threads[idle.handle] = idle
    kern.thread_set_name(idle.handle, idle.name)
    # Its policy: the one hart 0 uses, in objects of its own.
    kthread.install_policy(policy_name(kthread.cpus[0].policy))
    kthread.cpus[hart] = c
    kthread.online.append(c)
    kthread.several = True
    return c


def policy_name(policy):
    """The name use() takes for policy: "rr", "plan9", "edf+rr", ..."""
    inner = getattr(policy, "inner", None)
    return policy.name if inner is None else policy.name + "+" + inner.name


def deliver_mail():
    """EV_IPI: read this hart's mailbox, oldest first."""
    here = kthread.here
    mail = here.mail
    if not mail:
        return
    now = kern.time()
    i = 0
    while i < len(mail):
        kind = mail[i]
        payload = mail[i + 1]
        i += 2
        if kind <= YIELDED:                # a thread to run here
            if (payload.state == kthread.RUNNABLE and payload.cpu is here
                    and not payload.sched.queued):
                if kthread._enqueue(payload, kind, now):
                    kthread.need_resched = True
        elif kind == kthread.MAIL_STEAL:
            kthread.give_work(payload)
        elif kind == kthread.MAIL_WIRE:
            move_wired(payload)
        elif kind == kthread.MAIL_REQUEUE:
            if payload.cpu is here and payload.sched.queued:
                kthread.policy.remove(payload)
                kthread._enqueue(payload, NEW, now)
        elif kind == kthread.MAIL_POLICY:
            kthread.use_here(payload)
    del mail[:]
    if kthread.policy.rearm:
        kthread.rearm()


def move_wired(thread):
    """One of this hart's threads was wired to another hart: send it."""
    here = kthread.here
    if thread.cpu is not here or thread.wired < 0:
        return
    to = kthread.cpus[thread.wired]
    if to is here or to is None:
        return
    if thread is kthread.current:
        kthread.need_resched = True        # it leaves at its next preemption point
                                           # (kthread.yield_if_asked)
    elif thread.sched.queued:
        kthread.policy.remove(thread)
        kthread.migrate(thread, to)
        kthread.send(to, NEW, thread)
    else:                                  # asleep: it wakes over there
        kthread.migrate(thread, to)


def wire(thread, hart):
    """Tie thread to one hart (-1: let it run on any), as Plan 9's
    procwired: every policy keeps a wired thread on its hart, and no
    balancing moves it.  Moving it is its own hart's business."""
    thread.wired = hart
    if hart < 0 or thread.cpu is kthread.cpus[hart]:
        return
    if thread is kthread.current:
        kthread.move_to(thread, kthread.cpus[hart])   # now: it returns over there
    elif thread.cpu is kthread.here:
        move_wired(thread)
    else:
        kthread.send(thread.cpu, kthread.MAIL_WIRE, thread)


def stats(c):
    """What hart c has done: a dict for the monitor's harts()."""
    idle, lock_wait, taken, contended, ipis = kern.hart_stats(c.hart)
    here = c is kthread.here
    return {
        "hart": c.hart,
        "running": (kthread.current if here else c.current).name,
        "queued": len(c.policy),
        "mail": len(c.mail) // 2,
        "idle": idle,
        "lock_wait": lock_wait,
        "lock_taken": taken,
        "lock_contended": contended,
        "ipis": ipis,
        "moved_in": c.moved_in,
        "moved_out": c.moved_out,
        "policy": policy_name(c.policy),
    }
