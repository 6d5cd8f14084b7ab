# The console: the UART's input, with line editing, for its readers.
#
# Characters arrive by interrupt into a C ring buffer; intr() takes them at
# a safe point and runs the line discipline, the one xv6's console.c has:
# echo, backspace, ^U to erase the line, ^D for end of file, ^P to print
# the process list.  Completed lines wake the reader.
#
# The console has two readers: user programs (the shell) and the kernel
# monitor.  Ctrl-] switches the keyboard between them, like telnet's
# escape key, so the monitor can be reached while programs run.
import kern

from kernel.compat import const
from kernel.thread import kthread, events
from kernel.dev import clock

BACKSPACE = const(0x08)
DELETE = const(0x7F)
CTRL_D = const(0x04)
CTRL_P = const(0x10)
CTRL_U = const(0x15)
ESCAPE = const(0x1D)       # Ctrl-]
MAX_LINE = const(1024)

USER = const(0)
MONITOR = const(1)

editing = []               # characters of the line being typed
queues = ([], [])          # completed input per reader: bytes (b"" = end of file)
channels = ("console input: user", "console input: monitor")   # what readers sleep on
owner = USER               # who gets the keyboard
hooks = [None, None]       # what ^P prints, what Ctrl-] calls (init() sets them)
first_user_read = 0        # clock.busy_time() of the first read by a program: boot to the shell


def write(text):
    print(text, end="")


def input_char(c):
    global owner
    if c == ESCAPE:
        owner = MONITOR if owner == USER else USER
        del editing[:]
        if hooks[1] is not None:
            hooks[1](owner)
        return
    if c == CTRL_P:
        if hooks[0] is not None:
            write("\n")
            hooks[0]()
        return
    if c == CTRL_U:
        while editing:
            editing.pop()
            write("\b \b")
        return
    if c == BACKSPACE or c == DELETE:
        if editing:
            editing.pop()
            write("\b \b")
        return
    if c == CTRL_D:
        # End of file: a partial line is delivered as it is, and an empty
        # one tells the reader there is no more input.
        commit("".join(editing).encode())
        return
    if c == 13:            # the terminal sends CR for Enter
        c = 10
    if c == 10:
        write("\n")
        editing.append("\n")
        commit("".join(editing).encode())
        return
    if len(editing) < MAX_LINE and (c >= 32 or c == 9):
        ch = chr(c)
        editing.append(ch)
        write(ch)


def commit(data):
    del editing[:]
    queues[owner].append(data)
    kthread.wakeup(channels[owner])


def intr():
    c = kern.uart_getc()
    while c >= 0:
        input_char(c)
        c = kern.uart_getc()


def read(n, p=None, reader=USER):
    """Up to n bytes of input, blocking until a line (or end of file) is
    there; b"" at end of file; None if process p is killed meanwhile."""
    global first_user_read
    queue = queues[reader]
    if first_user_read == 0 and reader == USER:
        first_user_read = clock.busy_time()
    while not queue:
        if p is not None and p.killed:
            return None
        kthread.sleep(channels[reader])
    data = queue[0]
    if len(data) <= n:
        queue.pop(0)
        return data
    queue[0] = data[n:]
    return data[:n]


def readline(prompt=""):
    """The monitor's input: print prompt, block for a line; None at end of file.
    (While the programs have the keyboard the prompt waits: Ctrl-] prints it.)"""
    if owner == MONITOR:
        write(prompt)
    data = read(MAX_LINE + 1, None, MONITOR)
    if not data:
        return None
    return data.decode().rstrip("\n")


def init(first_owner, procdump=None, on_escape=None):
    """Take the UART's input; first_owner gets the keyboard.  procdump()
    is what ^P prints; on_escape(owner) is called after Ctrl-] moved the
    keyboard."""
    global owner
    owner = first_owner
    hooks[0] = procdump
    hooks[1] = on_escape
    events.on_event(kern.EV_UART, intr)
