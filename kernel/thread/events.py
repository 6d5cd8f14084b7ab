# Interrupt events: what C recorded while the interpreter could not be
# interrupted, handed to Python handlers at safe points.
#
# The interpreter is not reentrant, so an interrupt handler in C only sets
# a bit in an event word (kern.EV_TIMER, kern.EV_UART, kern.EV_DISK).  The
# thread layer collects the word where it is safe to run Python -- in
# yield_(), between a process's traps, in the idle loop -- and calls the
# handler registered for each bit that is set.
import kern

handlers = []         # (event bit, function) pairs


def on_event(bit, handler):
    """Call handler() whenever event `bit` has happened."""
    handlers.append((bit, handler))


def dispatch(events):
    for bit, handler in handlers:
        if events & bit:
            handler()


def poll():
    """Handle whatever happened since the last look."""
    events = kern.events()
    if events:
        dispatch(events)
