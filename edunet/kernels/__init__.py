"""The hot inner loops of the ops, kept apart so the ops themselves stay short.

- ``im2col.py``: sliding windows as strided slices; ``im2col`` turns a convolution into
  one matrix product, ``col2im`` (its adjoint) adds windows back. The reference.
- ``conv_rows.py``: the fast path for stride-1 convolutions: kw shifted copies of the
  input and one matrix product per kernel row, instead of im2col's kh*kw copies.
- ``workspace.py``: big scratch arrays kept from one step to the next, so that memory
  is not handed back to the operating system and cleared again every step.
- ``pooling.py``: the windows of a pooling layer as views, where each maximum sits
  (PyTorch's tie rule and index layout), adaptive windows.

Each is written once with ``xp`` (NumPy or CuPy): the same readable code is the
reference on the CPU and runs on a GPU. tests/nn/test_conv.py checks that the fast path
and the reference agree.
"""
