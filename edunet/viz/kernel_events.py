"""Hearing a button while a cell runs, and ending a training cell in one line.

A Jupyter kernel runs one cell at a time on its main thread. A click on a widget
button arrives as a message, and the main thread reads it only when the running
cell ends: in a plain training loop a Stop button would be heard after the last
step. Two small pieces make Stop and the interrupt square work in the loop a
learner writes:

``listen_for_clicks(button, callback)``
    ipykernel 7 receives every message on a thread of its own (the "shell channel"
    thread) and asks each widget's comm where a message should go
    (``comm._reply_subshell_for(data, subshell)``). We answer that question for one
    button: the answer is unchanged (the click still reaches the button as usual,
    later), but on the way we call ``callback`` at once, on that thread. The
    callback only sets a flag; the training loop reads it at its next step.
    Returns False where the kernel cannot do this (ipykernel < 7, or no kernel): the
    interrupt square still works there.

``end_cells_quietly_on_interrupt(describe)``
    A KeyboardInterrupt (the square, or Stop) normally prints a long traceback that
    ends wherever the loop happened to be, e.g. inside a convolution. IPython lets
    a program handle chosen exception types itself (``set_custom_exc``): when
    ``describe(exception)`` returns a line, that line is all the learner sees; when it returns
    None (the interrupt had nothing to do with training), the usual traceback shows.
"""

import sys


def current_shell():
    """The running IPython shell, or None outside IPython."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython
    return get_ipython()


def execution_count():
    """The number of the cell that is running now (None outside IPython)."""
    shell = current_shell()
    return None if shell is None else shell.execution_count


def listen_for_clicks(button, callback):
    """Call ``callback()`` the moment a click on ``button`` reaches the kernel (see above)."""
    shell = current_shell()
    kernel = getattr(shell, "kernel", None)
    if kernel is None or getattr(kernel, "shell_channel_thread", None) is None:
        return False
    comm = getattr(button, "comm", None)
    if comm is None:
        return False

    def route(data, subshell_id):
        content = (data or {}).get("content") or {}
        if (data or {}).get("method") == "custom" and content.get("event") == "click":
            callback()
        return subshell_id                     # the message itself goes where it always went

    comm._reply_subshell_for = route
    return True


def end_cells_quietly_on_interrupt(describe):
    """Show ``describe()``'s one line instead of a KeyboardInterrupt traceback, when it has one.

    ``describe(exception)`` is called when a cell is interrupted; it returns the line to
    print, or None for the usual traceback. Returns False outside IPython.
    """
    shell = current_shell()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False

    def handler(shell, exception_type, value, traceback, tb_offset=None):
        line = describe(value)
        if line:
            print(line)
        else:
            shell.showtraceback((exception_type, value, traceback), tb_offset=tb_offset)

    shell.set_custom_exc((KeyboardInterrupt,), handler)
    return True
