"""The hot inner loops of the ops, kept apart so the ops themselves stay short.

- ``im2col.py``: sliding windows as strided slices; ``im2col`` turns a convolution into
  one matrix product, ``col2im`` (its adjoint) adds windows back.
- ``pooling.py``: the windows of a pooling layer as views, where each maximum sits
  (PyTorch's tie rule and index layout), adaptive windows.

Each is written once with ``xp`` (NumPy or CuPy): the same readable code is the
reference on the CPU and runs on a GPU.
"""
