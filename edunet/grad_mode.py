"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

While recording is off, operations build no graph: results have no ``grad_fn``
and save nothing for backward. That is what evaluation and optimizer updates
want. Each is a context manager and a decorator:

    with edunet.no_grad():
        prediction = model(x)

    @edunet.no_grad()
    def evaluate(model): ...

The flag is per thread, as in PyTorch.
"""

import functools
import threading


class _GradMode(threading.local):
    enabled = True


_mode = _GradMode()


def is_grad_enabled():
    """True when operations currently record the autograd graph."""
    return _mode.enabled


class _GradModeContext:
    """Base for the context managers: sets a mode on entry, restores it on exit.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.
    """

    mode = True

    def __new__(cls, function=None):
        instance = super().__new__(cls)
        if function is None:
            return instance
        return instance(function)  # used as a bare decorator: @no_grad

    def __init__(self, function=None):
        self.previous = None

    def __enter__(self):
        self.previous = _mode.enabled
        _mode.enabled = self.mode

    def __exit__(self, *exception):
        _mode.enabled = self.previous
        return False

    def __call__(self, function):
        context_type = type(self)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with context_type():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Turn off graph recording inside a ``with`` block or a decorated function."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn graph recording back on, e.g. inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (edunet has no separate inference tensors)."""

    mode = False

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        super().__init__()
        self.mode = not mode


class set_grad_enabled:
    """Set recording on or off. As a plain call it takes effect at once;
    as a context manager or decorator it restores the previous mode afterwards.

        edunet.set_grad_enabled(False)      # off from now on
        with edunet.set_grad_enabled(is_training):
            ...
    """

    def __init__(self, mode):
        self.previous = _mode.enabled
        self.mode = bool(mode)
        _mode.enabled = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exception):
        _mode.enabled = self.previous
        return False

    def __call__(self, function):
        _mode.enabled = self.previous  # the constructor's switch was only for the decorator
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper
