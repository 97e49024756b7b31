"""Loss layers: ``criterion = nn.CrossEntropyLoss()`` then ``loss = criterion(output, target)``.

Each one stores its options (``reduction``, class ``weight``, ...) and calls the
function of the same name in ``edunet.nn.functional`` (the math and the gradients
are in edunet/ops/loss.py and edunet/ops/cross_entropy.py). Class weights are buffers: they move with
``criterion.to(device)`` and are saved in ``state_dict``, but nothing learns them.

    reduction='mean' (default): the average loss, one number
    reduction='sum':            the total
    reduction='none':           one loss per element (or per sample)
"""

from edunet.nn import functional as F
from edunet.nn.module import Module
from edunet.ops.loss import legacy_reduction


class _Loss(Module):
    """Base of the losses: holds ``reduction`` ('none', 'mean' or 'sum', checked when called)."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` tensor, registered as a buffer."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error: mean(|input - target|). See ``F.l1_loss``."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error: mean((input - target)^2), the usual regression loss."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy between logits (N, C) and class indices (N,): the classification loss.

    Applies log_softmax itself, so the model's last layer gives raw scores (no
    softmax). Targets may also be class probabilities of the input's shape.
    See ``F.cross_entropy`` for ``weight``, ``ignore_index`` and ``label_smoothing``.

    >>> criterion = nn.CrossEntropyLoss()
    >>> criterion(edunet.tensor([[0.1, 0.2, 0.3]]), edunet.tensor([1]))
    tensor(1.1019)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices, given log-probabilities (after LogSoftmax).

    ``nn.LogSoftmax(dim=1)`` followed by ``nn.NLLLoss()`` equals ``nn.CrossEntropyLoss()``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities (after a Sigmoid) and targets in [0, 1].

    Prefer ``BCEWithLogitsLoss`` on raw scores: it includes the sigmoid, stably.
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one stable step, on raw scores (logits).

    ``pos_weight`` (one per output, e.g. (C,)) weighs the positive examples.
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class SmoothL1Loss(_Loss):
    """Absolute error, rounded into a parabola where |input - target| < beta."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Squared error near 0, absolute error (times delta) beyond ``delta``. See ``F.huber_loss``."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence; input holds log-probabilities. See ``F.kl_div``.

    Use ``reduction='batchmean'`` for the true KL divergence per sample.
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
