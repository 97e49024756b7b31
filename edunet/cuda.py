"""``edunet.cuda``: is there a GPU, and how many (PyTorch's ``torch.cuda``)."""

from edunet import backend


def is_available():
    """True when CuPy is installed and sees at least one NVIDIA GPU.

    When False, ``edunet.doctor()`` says why and how to fix it.
    """
    return backend.load_cupy() is not None


def device_count():
    """The number of GPUs edunet can use (0 without CuPy or a GPU)."""
    return backend.cuda_device_count()


def current_device():
    """The index of the GPU new CUDA tensors go to."""
    return backend.array_module_for("cuda").cuda.runtime.getDevice()


def _index(device):
    """The GPU index of ``device``: an int, "cuda:N", a Device, or None (the current GPU)."""
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    return backend.to_device(device).index or 0


def set_device(device):
    """Make ``device`` (an index or "cuda:N") the GPU new CUDA tensors go to."""
    backend.array_module_for("cuda").cuda.runtime.setDevice(_index(device))


def get_device_name(device=None):
    """The GPU's product name, e.g. 'NVIDIA H100 80GB HBM3'."""
    cupy = backend.array_module_for("cuda")
    name = cupy.cuda.runtime.getDeviceProperties(_index(device))["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None):
    """Wait until the GPU has finished all queued work (needed for fair timing)."""
    if is_available():
        backend.array_module_for("cuda").cuda.Device(_index(device)).synchronize()


def manual_seed(seed):
    """Seeds edunet's generator; the same one serves every device."""
    from edunet.random import manual_seed as seed_all
    seed_all(seed)


manual_seed_all = manual_seed
