"""Helpers with PyTorch's module paths (``edunet.utils.hooks``, later ``edunet.utils.data``)."""
