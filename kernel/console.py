# The console: the UART's input, with line editing, for kernel readers.
#
# Characters arrive by interrupt into a C ring buffer; intr() takes them at
# a safe point and runs the line discipline, the same one xv6's console.c
# has: echo, backspace, ^U to erase the line, ^D for end of file, and ^P
# to print the thread list.  Whole lines wake the threads in readline().
from kernel.compat import const
from kernel import kthread
import kern

BACKSPACE = const(0x08)
DELETE = const(0x7F)
CTRL_D = const(0x04)
CTRL_P = const(0x10)
CTRL_U = const(0x15)
MAX_LINE = const(1024)

editing = []      # characters of the line being typed
lines = []        # complete lines waiting for a reader (None = end of file)
procdump = None   # what ^P prints; set by whoever knows the process list


def write(text):
    print(text, end="")


def input_char(c):
    if c == CTRL_P:
        if procdump is not None:
            write("\n")
            procdump()
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
        finish_line(None if not editing else "".join(editing))
        return
    if c == 13:        # the terminal sends CR for Enter
        c = 10
    if c == 10:
        write("\n")
        finish_line("".join(editing))
        return
    if len(editing) < MAX_LINE and (c >= 32 or c == 9):
        ch = chr(c)
        editing.append(ch)
        write(ch)


def finish_line(line):
    del editing[:]
    lines.append(line)
    kthread.wakeup(readline)   # readers sleep on the readline function itself


def intr():
    c = kern.uart_getc()
    while c >= 0:
        input_char(c)
        c = kern.uart_getc()


def readline(prompt=""):
    """Print prompt, then block until a line is typed; None at end of file."""
    write(prompt)
    while not lines:
        kthread.sleep(readline)
    return lines.pop(0)


def init():
    kthread.on_event(kern.EV_UART, intr)
