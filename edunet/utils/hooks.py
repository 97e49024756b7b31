"""Handles returned by ``register_hook`` and friends, as ``torch.utils.hooks``."""

import itertools

_next_id = itertools.count()


class RemovableHandle:
    """Returned when a hook is registered; ``handle.remove()`` unregisters it.

    Also a context manager: the hook is removed when the ``with`` block ends.
    """

    def __init__(self, hooks):
        self.hooks = hooks  # the dict the hook was stored in: {id: hook}
        self.id = next(_next_id)

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.remove()


def add_hook(hooks, hook):
    """Store ``hook`` in the dict ``hooks`` and return its handle."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle
