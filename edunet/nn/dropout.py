"""Dropout layers: Dropout (single elements) and Dropout2d (whole channels).

In training mode they zero random elements (probability ``p``) and scale the rest
by 1 / (1 - p); in evaluation mode (``model.eval()``) they pass the input through
unchanged. The function doing the work is in edunet/ops/dropout.py.

    model.train()    # dropout active: every forward pass drops different units
    model.eval()     # dropout off: deterministic outputs for validation and inference
"""

from edunet.nn.module import Module
from edunet.ops import dropout as dropout_ops


class _DropoutNd(Module):
    behaves_differently_in_training = True

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` while training; scale the rest by 1 / (1 - p).

    >>> layer = nn.Dropout(p=0.5)
    >>> layer(edunet.ones(8))             # training: about half 0., the rest 2.
    >>> layer.eval()(edunet.ones(8))      # evaluation: all 1.
    """

    def forward(self, input):
        return dropout_ops.dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) feature maps with probability ``p`` while training."""

    def forward(self, input):
        return dropout_ops.dropout2d(input, self.p, self.training, self.inplace)
