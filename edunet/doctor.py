"""``edunet.doctor()``: a plain-language report on versions and devices."""

import os
import sys

import numpy

from edunet import backend


def _short_location(folder):
    """Where edunet is imported from, without this machine's own folder names: relative to
    the current folder when it is near (``../edunet`` from the notebooks), else from ``~``."""
    relative = os.path.relpath(folder)
    if not relative.startswith(os.path.join("..", "..")):
        return relative
    home = os.path.expanduser("~")
    return "~" + folder[len(home):] if folder.startswith(home + os.sep) else folder


def report():
    """The doctor's report as a string (``doctor()`` prints it)."""
    import platform

    import edunet

    lines = [
        f"edunet  {edunet.__version__}  ({_short_location(os.path.dirname(edunet.__file__))})",
        f"Python  {sys.version.split()[0]}  on {platform.system()} {platform.machine()}",
        f"NumPy   {numpy.__version__}",
    ]
    reason = backend.cuda_unavailable_reason()
    if reason is None:
        import edunet.cuda as cuda

        cupy = backend.load_cupy()
        lines.append(f"CuPy    {cupy.__version__}")
        for index in range(cuda.device_count()):
            lines.append(f"GPU     cuda:{index}  {cuda.get_device_name(index)}")
        lines.append("Devices: cpu and cuda. Use device = 'cuda' and x.to(device), model.to(device).")
    else:
        lines.append("CuPy    not in use")
        lines.append("Devices: cpu only. Everything in the course runs on the CPU.")
        lines.append(f"Why no GPU: {reason}")
    return "\n".join(lines)


def doctor():
    """Print versions, the devices found and, when no GPU is used, why and how to fix it."""
    print(report())
