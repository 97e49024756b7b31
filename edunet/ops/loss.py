"""Loss functions: one number that says how far the predictions are from the targets.

Every loss is computed in two steps:

1. a loss for each element (or each sample), e.g. ``(input - target)^2``;
2. a ``reduction``: ``'none'`` keeps them all, ``'sum'`` adds them up, ``'mean'``
   (the default) averages them.

Backward runs the two steps in reverse: the reduction's gradient is spread back
over the elements (:func:`spread_gradient`: 1 each for 'sum', 1/count each for 'mean'),
then multiplied by the derivative of the per-element loss.

Losses for regression (l1, mse, smooth_l1, huber) compare numbers; losses for
classification compare scores with classes: ``cross_entropy`` takes raw scores
(logits) and class indices; ``nll_loss`` takes log-probabilities (both in
cross_entropy.py); the binary
losses take one probability (or logit) per output. ``kl_div`` compares two
distributions.
"""

import math
import warnings

import numpy

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops import checks
from edunet.ops.arithmetic import as_tensors, broadcast_shapes, unbroadcast
from edunet.ops.elementwise import exp, logistic


# ---------------------------------------------------------------- reduction
def legacy_reduction(size_average, reduce, reduction):
    """The ``reduction`` meant by the old ``size_average``/``reduce`` flags, with a warning.

    reduce=False means 'none'; otherwise size_average=False means 'sum', else 'mean'.
    """
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning,
                  stacklevel=checks.user_stacklevel())
    return reduction


def reduction_name(reduction, size_average=None, reduce=None, allowed=("none", "mean", "sum")):
    """The reduction to use, checked: ValueError for an unknown name."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in allowed:
        choices = ", ".join(repr(name) for name in allowed)
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(use one of {choices})")
    return reduction


def reduce_losses(losses, reduction, count=None):
    """Step 2 of every loss. 'mean' divides by ``count``: the number of losses, unless given."""
    if reduction == "none":
        return losses
    xp = get_array_module(losses)
    total = losses.sum()
    if reduction == "mean":
        with numpy.errstate(invalid="ignore", divide="ignore"):  # nothing to average: nan
            total = total / (losses.size if count is None else count)
    return xp.asarray(total, dtype=losses.dtype)


def spread_gradient(grad_output, shape, reduction, count=None):
    """The backward of :func:`reduce_losses`: the gradient reaching each of the losses (``shape``)."""
    if reduction == "none":
        return grad_output
    xp = get_array_module(grad_output)
    if reduction == "mean":
        count = math.prod(shape) if count is None else count
        with numpy.errstate(invalid="ignore", divide="ignore"):
            # Nothing was counted (an empty batch, every target ignored): no gradient at all.
            grad_output = xp.where(count == 0, 0, grad_output / count).astype(grad_output.dtype)
    return xp.broadcast_to(grad_output, shape)


def _reduce_tensor(losses, reduction):
    """:func:`reduce_losses` for losses built from other ops (their nodes make the backward)."""
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def as_constant(tensor, argument, function_name, dtype=None):
    """The array of a weight-like tensor that the loss does not differentiate (as in PyTorch)."""
    if tensor.requires_grad:
        raise RuntimeError(f"The function '{function_name}' is not differentiable with respect "
                           f"to argument '{argument}'. This input cannot have requires_grad True. "
                           f"Pass {argument}.detach() if you meant a fixed {argument}.")
    return tensor.array if dtype is None else tensor.array.astype(dtype, copy=False)


# ---------------------------------------------------------------- regression: l1, mse, huber
class DifferenceLoss(Function):
    """A loss of the difference d = input - target, one per element, then reduced.

    Each subclass gives the per-element ``loss(d)`` and its ``derivative(d)`` side by
    side; forward and backward here are shared. Shapes: input and target broadcast.
    """

    def forward(self, input, target, *, reduction, **parameters):
        self.reduction, self.parameters = reduction, parameters
        self.shapes = input.shape, target.shape
        difference = input - target
        self.save_for_backward(difference)
        return reduce_losses(self.loss(difference, **parameters), reduction)

    def backward(self, grad_output):
        (difference,) = self.saved_arrays
        input_shape, target_shape = self.shapes
        grad_losses = spread_gradient(grad_output, difference.shape, self.reduction)
        grad = self.derivative(difference, **self.parameters) * grad_losses
        # d = input - target, so the target's gradient is the input's, negated.
        return unbroadcast(grad, input_shape), unbroadcast(-grad, target_shape)


class MseLoss(DifferenceLoss):
    """loss(d) = d^2;  d loss / dd = 2d"""

    def loss(self, difference):
        return difference * difference

    def derivative(self, difference):
        return 2 * difference


class HuberLoss(DifferenceLoss):
    """loss(d) = d^2 / 2 where |d| < delta, else delta (|d| - delta / 2): a parabola that
    continues as a straight line, so outliers pull with at most ``delta``;
    d loss / dd = d clipped to [-delta, delta]."""

    def loss(self, difference, delta):
        xp = get_array_module(difference)
        size = xp.abs(difference)
        return xp.where(size < delta, 0.5 * difference * difference, delta * (size - 0.5 * delta))

    def derivative(self, difference, delta):
        return get_array_module(difference).clip(difference, -delta, delta)


class SmoothL1Loss(DifferenceLoss):
    """loss(d) = huber(d, delta=beta) / beta: |d| - beta/2 far out, d^2 / (2 beta) near 0;
    d loss / dd = d / beta clipped to [-1, 1]."""

    def loss(self, difference, beta):
        xp = get_array_module(difference)
        size = xp.abs(difference)
        return xp.where(size < beta, 0.5 * difference * difference / beta, size - 0.5 * beta)

    def derivative(self, difference, beta):
        return get_array_module(difference).clip(difference / beta, -1, 1)


def _regression_operands(input, target):
    """One dtype for both; the warning PyTorch gives when their shapes differ (and why)."""
    if target.shape != input.shape:
        hint = ""
        if input.shape == target.shape + (1,):
            hint = (f" Here an output of shape {tuple(input.shape)} against a target of shape "
                    f"{tuple(target.shape)} broadcasts to "
                    f"{broadcast_shapes(input.shape, target.shape)}: every prediction is "
                    f"compared with every target. Use input.squeeze(-1) or target.unsqueeze(-1).")
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.{hint}",
                      UserWarning, stacklevel=checks.user_stacklevel())
    broadcast_shapes(input.shape, target.shape)  # RuntimeError when they cannot broadcast
    input, target = as_tensors(input, target)
    if not input.is_floating_point():
        raise NotImplementedError(f"this loss is not implemented for {input.dtype} tensors: "
                                  f"predictions and targets must be floats; use .float().")
    return input, target


def _weighted(losses, weight, input, reduction, mean_over_weights):
    """The losses times a weight per element, reduced. 'mean' divides by the summed weights
    (l1_loss, mse_loss) or by the number of losses (huber_loss), as PyTorch does."""
    if weight.shape != input.shape:
        raise ValueError(f"Weights and input must have the same size: weight "
                         f"{tuple(weight.shape)}, input {tuple(input.shape)}.")
    losses = losses * weight
    if reduction == "mean" and mean_over_weights:
        return losses.sum() / weight.sum()
    return _reduce_tensor(losses, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: mean(|input - target|).

    Shapes: input (*), target (*) the same shape -> () or (*) with reduction='none'.
    ``weight`` (the input's shape) weighs each element; 'mean' then divides by sum(weight).

    >>> F.l1_loss(edunet.tensor([1., 2., 3.]), edunet.tensor([1., 1., 1.]))
    tensor(1.)
    """
    reduction = reduction_name(reduction, size_average, reduce)
    input, target = _regression_operands(input, target)
    if weight is not None:
        return _weighted((input - target).abs(), weight, input, reduction, True)
    return _reduce_tensor((input - target).abs(), reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: mean((input - target)^2).

    Shapes: input (*), target (*) the same shape -> () or (*) with reduction='none'.
    ``weight`` (the input's shape) weighs each element; 'mean' then divides by sum(weight).

    >>> F.mse_loss(edunet.tensor([1., 2., 3.]), edunet.tensor([1., 1., 1.]))
    tensor(1.6667)
    """
    reduction = reduction_name(reduction, size_average, reduce)
    input, target = _regression_operands(input, target)
    if weight is not None:
        losses = MseLoss.apply(input, target, reduction="none")
        return _weighted(losses, weight, input, reduction, True)
    return MseLoss.apply(input, target, reduction=reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss: squared error for |input - target| < delta, absolute error (times delta) beyond.

    Less sensitive to outliers than mse_loss. Shapes as :func:`mse_loss`; with a
    ``weight`` per element, 'mean' is the plain mean of the weighted losses.
    """
    reduction = reduction_name(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta "
                           f"(got {delta}).")
    input, target = _regression_operands(input, target)
    if weight is not None:
        losses = HuberLoss.apply(input, target, reduction="none", delta=delta)
        return _weighted(losses, weight, input, reduction, False)
    return HuberLoss.apply(input, target, reduction=reduction, delta=delta)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1: absolute error, rounded into a parabola for |input - target| < beta.

    Equals ``huber_loss(input, target, delta=beta) / beta``; beta=0 is plain l1_loss.
    """
    reduction = reduction_name(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta "
                           f"(got {beta}).")
    input, target = _regression_operands(input, target)
    if beta == 0:  # no parabola left: plain l1_loss
        return _reduce_tensor((input - target).abs(), reduction)
    return SmoothL1Loss.apply(input, target, reduction=reduction, beta=beta)


# ---------------------------------------------------------------- binary classification
def _softplus_of_negative(x):
    """log(1 + e^-x) = -log sigmoid(x), stable for any x: max(-x, 0) + log(1 + e^-|x|)."""
    xp = get_array_module(x)
    return xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


class BinaryCrossEntropy(Function):
    """loss = -weight (t log p + (1 - t) log(1 - p)), p a probability, t in [0, 1].

    Each log is clamped at -100 so p = 0 or 1 gives a large but finite loss.
    dloss/dp = weight (p - t) / (p (1 - p)),  dloss/dt = weight (log(1 - p) - log p).
    """

    def forward(self, probabilities, target, *, weight, reduction):
        xp = get_array_module(probabilities)
        with numpy.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(probabilities), -100)
            log_one_minus_p = xp.maximum(xp.log1p(-probabilities), -100)
        losses = -(target * log_p + (1 - target) * log_one_minus_p)
        if weight is not None:
            losses = losses * weight
        self.weight, self.reduction = weight, reduction
        self.save_for_backward(probabilities, target, log_p, log_one_minus_p)
        return reduce_losses(losses, reduction)

    def backward(self, grad_output):
        probabilities, target, log_p, log_one_minus_p = self.saved_arrays
        xp = get_array_module(probabilities)
        grad_losses = spread_gradient(grad_output, probabilities.shape, self.reduction)
        if self.weight is not None:
            grad_losses = grad_losses * self.weight
        # p (1 - p) is kept >= 1e-12: at p = 0 or 1 the slope is huge, not infinite.
        slope = (probabilities - target) / xp.maximum(probabilities * (1 - probabilities), 1e-12)
        grad_target = (log_one_minus_p - log_p) * grad_losses if self.needs_input_grad[1] else None
        return slope * grad_losses, grad_target


class BinaryCrossEntropyWithLogits(Function):
    """binary_cross_entropy(sigmoid(x), t), computed from the logit x directly:

        loss = (1 - t) x + c log(1 + e^-x),  c = 1 + (pos_weight - 1) t

    (with pos_weight 1, c = 1). No sigmoid is rounded to 0 or 1, so x = +-1e4 is fine.
    dloss/dx = c sigmoid(x) - pos_weight t,  dloss/dt = -x + (pos_weight - 1) log(1 + e^-x).
    """

    def forward(self, logits, target, *, weight, pos_weight, reduction):
        softplus = _softplus_of_negative(logits)
        scale = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
        losses = (1 - target) * logits + scale * softplus
        if weight is not None:
            losses = losses * weight
        self.weight, self.pos_weight, self.reduction = weight, pos_weight, reduction
        self.save_for_backward(logits, target, softplus)
        return reduce_losses(losses.astype(logits.dtype, copy=False), reduction)

    def backward(self, grad_output):
        logits, target, softplus = self.saved_arrays
        grad_losses = spread_gradient(grad_output, logits.shape, self.reduction)
        if self.weight is not None:
            grad_losses = grad_losses * self.weight
        pos_weight = 1 if self.pos_weight is None else self.pos_weight
        scale = 1 + (pos_weight - 1) * target
        grad_logits = (scale * logistic(logits) - pos_weight * target) * grad_losses
        grad_target = None
        if self.needs_input_grad[1]:
            grad_target = (-logits + (pos_weight - 1) * softplus) * grad_losses
        return grad_logits.astype(logits.dtype, copy=False), grad_target


def _binary_weight(weight, argument, function, input):
    """A weight as an array broadcast to the input's shape (it may not grow the result)."""
    if weight is None:
        return None
    shape = broadcast_shapes(weight.shape, input.shape)
    if shape != tuple(input.shape):
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}: {function}'s {argument} {tuple(weight.shape)} "
                           f"must broadcast to the input's shape {tuple(input.shape)}.")
    array = as_constant(weight, argument, function, input.array.dtype)
    return get_array_module(array).broadcast_to(array, input.shape)


def _shape_hint(input, target):
    if input.shape == target.shape + (1,):
        return (f" The model outputs one value per sample with shape {tuple(input.shape)}: use "
                f"input.squeeze(-1), or target.unsqueeze(-1), to make both {tuple(target.shape)} "
                f"or {tuple(input.shape)}.")
    return ""


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross-entropy of probabilities (after a sigmoid) and targets in [0, 1].

        loss = -weight (t log p + (1 - t) log(1 - p))

    Shapes: input (*), target (*) the same shape, weight broadcastable to it.
    Prefer :func:`binary_cross_entropy_with_logits` on raw scores: it is more stable.
    """
    reduction = reduction_name(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         f"size.{_shape_hint(input, target)}")
    if not input.is_floating_point():
        raise NotImplementedError(f"binary_cross_entropy is not implemented for {input.dtype}: "
                                  f"it needs probabilities. Convert with input.float().")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype} but expected {input.dtype}: the target "
                           f"must have the input's dtype; use target.to({input.dtype}) "
                           f"(e.g. target.float()).")
    xp = get_array_module(input.array)
    if not bool(xp.all((input.array >= 0) & (input.array <= 1))):
        raise RuntimeError("all elements of input should be between 0 and 1. BCELoss expects "
                           "probabilities, e.g. the output of a sigmoid. If your model outputs "
                           "raw scores (logits), use BCEWithLogitsLoss: it applies the sigmoid "
                           "itself, more stably.")
    if not bool(xp.all((target.array >= 0) & (target.array <= 1))):
        raise RuntimeError("all elements of target should be between 0 and 1 (1 for the "
                           "positive class, 0 for the negative).")
    weight = _binary_weight(weight, "weight", "binary_cross_entropy", input)
    return BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits: ``binary_cross_entropy(sigmoid(input), target)``, stably.

    ``pos_weight`` (e.g. (C,) for input (N, C)) multiplies the loss of the positive
    examples: > 1 when positives are rare. Shapes: input (*), target (*) the same.
    """
    reduction = reduction_name(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape}).{_shape_hint(input, target)}")
    if not input.is_floating_point():
        raise NotImplementedError(f"binary_cross_entropy_with_logits is not implemented for "
                                  f"{input.dtype} input: it needs floating-point scores. "
                                  f"Convert with input.float().")
    if not target.is_floating_point():
        raise RuntimeError(f"result type {input.dtype} can't be cast to the desired output type "
                           f"{target.dtype}: the targets must be floats; use target.float().")
    input, target = as_tensors(input, target)
    weight = _binary_weight(weight, "weight", "binary_cross_entropy_with_logits", input)
    pos_weight = _binary_weight(pos_weight, "pos_weight", "binary_cross_entropy_with_logits",
                                input)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                              reduction=reduction)


# ---------------------------------------------------------------- KL divergence
class XLogX(Function):
    """y = x log x, taken as 0 at x = 0 (its limit);  dy/dx = log x + 1"""

    def forward(self, x):
        xp = get_array_module(x)
        self.save_for_backward(x)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            return xp.where(x == 0, 0, x * xp.log(x)).astype(x.dtype, copy=False)

    def backward(self, grad_output):
        (x,) = self.saved_arrays
        with numpy.errstate(divide="ignore"):
            return grad_output * (get_array_module(x).log(x) + 1)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence KL(target || q), with ``input`` = log q (log-probabilities).

        loss = target (log target - input)              (log_target=False)
        loss = e^target (target - input)                (log_target=True: target is log p)

    reduction='batchmean' (sum / batch size) is the true KL divergence per sample;
    'mean' averages over every element, which PyTorch warns about.
    Shapes: input (N, *), target broadcastable to it.
    """
    reduction = reduction_name(reduction, size_average, reduce,
                                allowed=("none", "batchmean", "sum", "mean"))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning,
                      stacklevel=checks.user_stacklevel())
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported. input holds log-probabilities "
                           "(e.g. F.log_softmax(x, dim=1)), target probabilities: use .float().")
    if log_target:
        losses = exp(target) * (target - input)
    else:
        losses = XLogX.apply(target) - target * input
    if reduction == "batchmean":
        return losses.sum() / input.shape[0] if input.ndim else losses.sum()
    return _reduce_tensor(losses, reduction)
