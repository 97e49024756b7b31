"""Helpers with PyTorch's module paths: ``edunet.utils.hooks``, ``edunet.utils.data``.

``edunet.utils.data`` (datasets and loaders) loads on first use, as ``torch.utils.data``.
"""


def __getattr__(name):
    if name == "data":
        import importlib
        return importlib.import_module("edunet.utils.data")
    raise AttributeError(f"module 'edunet.utils' has no attribute '{name}'")
