# The console: the UART's input, with line editing, for its readers.
#
# Characters arrive by interrupt into a C ring buffer; intr() takes them at
# a safe point and runs the line discipline, the one xv6's console.c has:
# echo, backspace, ^U to erase the line, ^D for end of file, ^P to print
# the process list.  Completed lines wake the reader.  Besides, what a
# person at a terminal expects:
#
#   ^C        echoes "^C" and abandons the line being typed, then calls
#             interrupt_hooks: the layer that knows the foreground job
#             registers there (kernel/proc/sysnotes.py posts it the note
#             "interrupt").  If no hook interrupted anyone, the reader
#             gets a fresh line in its place (the programs an empty one,
#             so the shell prompts again; the monitor's readline() raises
#             KeyboardInterrupt).  Lines already entered stay: a reader
#             may be half way through one.  (^C while the monitor runs an
#             expression never gets here: cstubs/mpport.c turns it into a
#             KeyboardInterrupt in that expression.)
#   ESC ...   the terminal's escape sequences (arrow keys, Home, End,
#             Delete: ESC [ A, ESC [ 3 ~, ESC O H ...) are consumed, never
#             typed into the line; the up and down arrows walk a short
#             history of each reader's last lines.
#   MAXLINE   a line holds at most MAXLINE bytes with its newline; a longer
#             one is refused whole, with a message, when it ends (the
#             reader gets a fresh line, as for ^C): never cut, never
#             passed on in pieces.
#
# The console has two readers: user programs (the shell) and the kernel
# monitor.  Ctrl-] switches the keyboard between them, like telnet's
# escape key, so the monitor can be reached while programs run.
import kern

from kernel.compat import const
from kernel.abi.limits import MAXLINE
from kernel.thread import kthread, events
from kernel.dev import clock

CTRL_C = const(0x03)
CTRL_D = const(0x04)
BACKSPACE = const(0x08)
CTRL_P = const(0x10)
CTRL_U = const(0x15)
ESC = const(0x1B)          # the first byte of the terminal's escape sequences
ESCAPE = const(0x1D)       # Ctrl-]: switch readers
DELETE = const(0x7F)
MAX_LINE = MAXLINE - 1          # characters before the newline
HISTORY_LINES = const(16)       # lines the arrow keys recall, per reader

USER = const(0)
MONITOR = const(1)

# Where an escape sequence is: PLAIN (none), after ESC, inside ESC [ (a
# CSI: parameter bytes 0x20-0x3F, then a final byte 0x40-0x7E), or after
# ESC O (one final byte).
PLAIN = const(0)
AFTER_ESC = const(1)
CSI = const(2)
SS3 = const(3)

# What the monitor reads for an abandoned line (^C, too long).
# No typed line can be this: the line discipline keeps control characters out.
CANCELLED = b"\x03"

editing = []               # characters of the line being typed
too_long = False           # the line went past MAX_LINE: it will be refused
escape_state = PLAIN
histories = ([], [])       # per reader: its last HISTORY_LINES lines (str, no newline)
recalled = 0               # which history line the arrows are at (len(history): none)
queues = ([], [])          # completed input per reader: bytes (b"" = end of file)
channels = ("console input: user", "console input: monitor")   # what readers sleep on
owner = USER               # who gets the keyboard
hooks = [None, None]       # what ^P prints, what Ctrl-] calls (init() sets them)
interrupt_hooks = []       # hook(reader) after ^C, reader USER or MONITOR -> True if it interrupted a job
first_user_read = 0        # clock.busy_time() of the first read by a program: boot to the shell


def write(text):
    print(text, end="")


def input_char(c):
    global owner, too_long
    if escape_state != PLAIN and in_escape(c):
        return
    if c == ESC:
        start_escape()
        return
    if c == ESCAPE:
        owner = MONITOR if owner == USER else USER
        reset_line()
        if hooks[1] is not None:
            hooks[1](owner)
        return
    if c == CTRL_C:
        write("^C\n")
        # A hook that interrupted a job (True) has said what ^C did: the
        # line just goes.  Else the reader gets a fresh line in its place.
        interrupted = False
        for hook in interrupt_hooks:
            if hook(owner):
                interrupted = True
        if interrupted:
            reset_line()
        else:
            cancel()
        return
    if c == CTRL_P:
        if hooks[0] is not None:
            write("\n")
            hooks[0]()
        return
    if c == CTRL_U:
        erase_line()
        too_long = False
        return
    if c == BACKSPACE or c == DELETE:
        if editing:
            editing.pop()
            write("\b \b")
        return
    if c == CTRL_D:
        # End of file: a partial line is delivered as it is, and an empty
        # one tells the reader there is no more input.
        if too_long:
            refuse()
        else:
            commit("".join(editing).encode())
        return
    if c == 13:            # the terminal sends CR for Enter
        c = 10
    if c == 10:
        if too_long:
            refuse()
            return
        write("\n")
        remember()
        editing.append("\n")
        commit("".join(editing).encode())
        return
    if c >= 32 or c == 9:
        if len(editing) < MAX_LINE:
            ch = chr(c)
            editing.append(ch)
            write(ch)
        else:
            too_long = True    # nothing more is echoed; Enter refuses the line


def start_escape():
    global escape_state
    escape_state = AFTER_ESC


def in_escape(c):
    """Take byte c if it continues an escape sequence; True if it did.
    Nothing is stored: a sequence of any length costs nothing."""
    global escape_state
    state = escape_state
    escape_state = PLAIN
    if state == AFTER_ESC:
        if c == 0x5B:                  # ESC [
            escape_state = CSI
            return True
        if c == 0x4F:                  # ESC O
            escape_state = SS3
            return True
        return False                   # a lone ESC: dropped, c counts as itself
    if state == SS3:
        escape_key(c)
        return True
    if 0x20 <= c <= 0x3F:              # CSI parameters (digits, ';') go on
        escape_state = CSI
        return True
    if 0x40 <= c <= 0x7E:              # the final byte
        escape_key(c)
        return True
    return False                       # a control character cuts it short


def escape_key(final):
    # Up and down walk the history; right, left, Home, End, Delete and the
    # rest have nothing to do on a line that is only ever edited at its end.
    if final == 0x41:                  # A: up
        recall(-1)
    elif final == 0x42:                # B: down
        recall(1)


def recall(step):
    """Replace the line being typed with the history line step away."""
    global recalled, too_long
    history = histories[owner]
    pos = min(max(recalled + step, 0), len(history))
    if pos == recalled:
        return
    recalled = pos
    erase_line()
    too_long = False
    if pos < len(history):
        editing.extend(history[pos])
        write(history[pos])


def remember():
    # The line being entered becomes the newest history line.
    history = histories[owner]
    line = "".join(editing)
    if line.strip() and (not history or history[-1] != line):
        history.append(line)
        if len(history) > HISTORY_LINES:
            history.pop(0)


def erase_line():
    while editing:
        editing.pop()
        write("\b \b")


def reset_line():
    global too_long, escape_state, recalled
    del editing[:]
    too_long = False
    escape_state = PLAIN
    recalled = len(histories[owner])


def refuse():
    write("\nconsole: line longer than %d characters refused\n" % MAX_LINE)
    cancel()


def cancel():
    """Abandon the line being typed; the reader gets a fresh start in its
    place: the programs an empty line, the monitor CANCELLED."""
    reset_line()
    commit(b"\n" if owner == USER else CANCELLED)


def commit(data):
    reset_line()
    queues[owner].append(data)
    kthread.wakeup(channels[owner])


def intr():
    c = kern.uart_getc()
    while c >= 0:
        input_char(c)
        c = kern.uart_getc()


def read(n, p=None, reader=USER):
    """Up to n bytes of input, blocking until a line (or end of file) is
    there; b"" at end of file; None if process p is killed or gets a note
    meanwhile."""
    global first_user_read
    queue = queues[reader]
    if first_user_read == 0 and reader == USER:
        first_user_read = clock.busy_time()
    while not queue:
        if p is not None and (p.killed or p.note_pending):
            return None
        kthread.sleep(channels[reader])
    data = queue[0]
    if len(data) <= n:
        queue.pop(0)
        return data
    queue[0] = data[n:]
    return data[:n]


def readline(prompt=""):
    """The monitor's input: print prompt, block for a line; None at end of
    file; KeyboardInterrupt if the line was abandoned (^C, too long).
    (While the programs have the keyboard the prompt waits: Ctrl-] prints it.)"""
    if owner == MONITOR:
        write(prompt)
    data = read(MAXLINE, None, MONITOR)
    if not data:
        return None
    if data == CANCELLED:
        raise KeyboardInterrupt
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
