"""``edunet.show_source(obj)``: read edunet's own code from a notebook.

    edunet.show_source(edunet.nn.Linear)
    edunet.show_source(edunet.ops.arithmetic.Mul)   # forward and backward side by side

In Jupyter the code is shown with syntax highlighting; elsewhere it is printed.
"""

import inspect


def show_source(obj):
    """Show the source code of a class, function or module of edunet, and where it lives."""
    try:
        lines, first_line = inspect.getsourcelines(obj)
        path = inspect.getsourcefile(obj)
    except (TypeError, OSError) as error:
        raise TypeError(f"can't show the source of {obj!r}: {error}. Pass a class, a function or "
                        f"a module, e.g. edunet.show_source(edunet.nn.Linear).") from None
    location = f"{_short_path(path)}, line {first_line}" if first_line else _short_path(path)
    code = "".join(lines)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(f"`{location}`\n\n```python\n{code}```"))
    else:
        print(f"# {location}\n{code}")


def _short_path(path):
    """The path from the edunet folder on (``edunet/nn/linear.py``), else the full path."""
    marker = "edunet/"
    position = path.replace("\\", "/").rfind(marker) if path else -1
    return path[position:] if position >= 0 else str(path)
