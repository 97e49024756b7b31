"""``edunet.accelerator``: the device-neutral view of recent PyTorch (``torch.accelerator``).

edunet knows one kind of accelerator, NVIDIA GPUs through CuPy, so this is
``cuda`` under a general name:

    device = edunet.accelerator.current_accelerator() or edunet.device("cpu")
"""

from edunet import backend, cuda


def is_available():
    """True when an accelerator (an NVIDIA GPU) can be used."""
    return cuda.is_available()


def current_accelerator(check_available=False):
    """``device(type='cuda')`` when a GPU can be used, else None."""
    return backend.Device("cuda") if cuda.is_available() else None


def device_count():
    return cuda.device_count()


def synchronize(device=None):
    cuda.synchronize(device)
