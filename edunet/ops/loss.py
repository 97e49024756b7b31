"""Loss functions: one number that says how far the predictions are from the targets.

Every loss is computed in two steps:

1. a loss for each element (or each sample), e.g. ``(input - target)^2``;
2. a ``reduction``: ``'none'`` keeps them all, ``'sum'`` adds them up, ``'mean'``
   (the default) averages them.

Backward runs the two steps in reverse: the reduction's gradient is spread back
over the elements (:func:`_spread`: 1 each for 'sum', 1/count each for 'mean'),
then multiplied by the derivative of the per-element loss.

Losses for regression (l1, mse, smooth_l1, huber) compare numbers; losses for
classification compare scores with classes: ``cross_entropy`` takes raw scores
(logits) and class indices; ``nll_loss`` takes log-probabilities; the binary
losses take one probability (or logit) per output. ``kl_div`` compares two
distributions.
"""

import math
import warnings

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.activation import log_softmax
from edunet.ops.arithmetic import as_tensors, broadcast_shapes, unbroadcast
from edunet.ops.elementwise import exp


# ---------------------------------------------------------------- reduction
def legacy_reduction(size_average, reduce, reduction, stacklevel=3):
    """The ``reduction`` meant by the old ``size_average``/``reduce`` flags, with a warning.

    reduce=False means 'none'; otherwise size_average=False means 'sum', else 'mean'.
    """
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=stacklevel)
    return reduction


def _reduction_name(reduction, size_average=None, reduce=None, allowed=("none", "mean", "sum")):
    """The reduction to use, checked: ValueError for an unknown name."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    if reduction not in allowed:
        choices = ", ".join(repr(name) for name in allowed)
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(use one of {choices})")
    return reduction


def _reduce(losses, reduction, count=None):
    """Step 2 of every loss. 'mean' divides by ``count``: the number of losses, unless given."""
    if reduction == "none":
        return losses
    xp = get_array_module(losses)
    total = losses.sum()
    if reduction == "mean":
        with numpy.errstate(invalid="ignore", divide="ignore"):  # nothing to average: nan
            total = total / (losses.size if count is None else count)
    return xp.asarray(total, dtype=losses.dtype)


def _spread(grad_output, shape, reduction, count=None):
    """The backward of :func:`_reduce`: the gradient reaching each of the losses (``shape``)."""
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
    """:func:`_reduce` for losses built from other ops (their nodes make the backward)."""
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def _constant(tensor, argument, function_name, dtype=None):
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
        return _reduce(self.loss(difference, **parameters), reduction)

    def backward(self, grad_output):
        (difference,) = self.saved_arrays
        input_shape, target_shape = self.shapes
        grad_losses = _spread(grad_output, difference.shape, self.reduction)
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
                      UserWarning, stacklevel=3)
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
    reduction = _reduction_name(reduction, size_average, reduce)
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
    reduction = _reduction_name(reduction, size_average, reduce)
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
    reduction = _reduction_name(reduction)
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
    reduction = _reduction_name(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta "
                           f"(got {beta}).")
    input, target = _regression_operands(input, target)
    if beta == 0:  # no parabola left: plain l1_loss
        return _reduce_tensor((input - target).abs(), reduction)
    return SmoothL1Loss.apply(input, target, reduction=reduction, beta=beta)


# ---------------------------------------------------------------- classes: nll, cross entropy
def _target_weights(target, weight, ignore_index, dtype):
    """For class-index targets: usable indices and each target's weight.

    A target equal to ``ignore_index`` gets weight 0 (and index 0, so it can be
    looked up safely); every other target y gets ``weight[y]`` (1 without weights).
    """
    xp = get_array_module(target)
    kept = target != ignore_index
    safe_target = xp.where(kept, target, 0)
    weights = kept.astype(dtype) if weight is None else weight[safe_target] * kept
    return safe_target, weights


def _pick(array, target, class_dim):
    """array[n, target[n], ...]: the value at each sample's target class (class_dim removed)."""
    xp = get_array_module(array)
    indices = xp.expand_dims(target, class_dim)
    return xp.take_along_axis(array, indices, axis=class_dim).squeeze(class_dim)


def _one_hot(target, num_classes, class_dim, dtype):
    """(N, d1, ...) class indices -> (N, C, d1, ...) zeros with a 1 at each target class."""
    xp = get_array_module(target)
    classes_shape = [1] * (target.ndim + 1)
    classes_shape[class_dim] = num_classes
    classes = xp.arange(num_classes).reshape(classes_shape)
    return (xp.expand_dims(target, class_dim) == classes).astype(dtype)


def _torch_node_name(ndim, reduction):
    """PyTorch's name for the last node: NllLoss for (N, C), NllLoss2d for (N, C, H, W);
    other shapes go through (N, C, H, W) and back, so 'none' ends in a View."""
    if ndim <= 2:
        return "NllLossBackward0"
    return "ViewBackward0" if reduction == "none" and ndim != 4 else "NllLoss2DBackward0"


class NllLoss(Function):
    """Negative log-likelihood: loss_n = -weight[y_n] * input[n, y_n].

    ``input`` holds log-probabilities (N, C, d1, ...) or (C,); the target picks one per
    sample. 'mean' divides by the summed weights of the targets that are not ignored.
    d loss_n / d input[n, c] = -weight[y_n] if c == y_n else 0.
    """

    def forward(self, input, *, target, weight, ignore_index, reduction):
        self.grad_fn_name = _torch_node_name(input.ndim, reduction)
        self.class_dim = 0 if input.ndim == 1 else 1
        self.num_classes, self.reduction = input.shape[self.class_dim], reduction
        safe_target, weights = _target_weights(target, weight, ignore_index, input.dtype)
        self.total_weight = weights.sum()
        self.save_for_backward(safe_target, weights)
        losses = -weights * _pick(input, safe_target, self.class_dim)
        return _reduce(losses, reduction, self.total_weight)

    def backward(self, grad_output):
        safe_target, weights = self.saved_arrays
        xp = get_array_module(weights)
        grad_losses = _spread(grad_output, weights.shape, self.reduction, self.total_weight)
        one_hot = _one_hot(safe_target, self.num_classes, self.class_dim, weights.dtype)
        return -one_hot * xp.expand_dims(weights * grad_losses, self.class_dim)


class CrossEntropy(Function):
    """Cross-entropy of logits and class indices: log_softmax and nll_loss in one step.

        loss_n = -weight[y_n] * log softmax(x_n)[y_n]
        d loss_n / d x_n = weight[y_n] * (softmax(x_n) - one_hot(y_n))

    With label smoothing e the target is no longer one class but the distribution
    q = (1 - e) one_hot(y) + e / C (every class), each class c weighted by weight[c]:

        loss_n = -sum_c q_c log softmax(x_n)_c
        d loss_n / d x_n = softmax(x_n) * sum_c q_c - q

    log_softmax subtracts the largest logit first, so logits of 1e4 are no problem.
    Shapes: logits (N, C, d1, ...) or (C,); target (N, d1, ...) or ().
    """

    def forward(self, logits, *, target, weight, ignore_index, label_smoothing, reduction):
        xp = get_array_module(logits)
        class_dim = 0 if logits.ndim == 1 else 1
        num_classes = logits.shape[class_dim]
        smoothing = max(label_smoothing, 0.0)  # PyTorch ignores a negative one
        # The name PyTorch prints: its last step is nll_loss, or the Add of the smoothing term.
        self.grad_fn_name = "AddBackward0" if smoothing else _torch_node_name(logits.ndim,
                                                                              reduction)
        shifted = logits - logits.max(axis=class_dim, keepdims=True)  # so e^x cannot overflow
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=class_dim, keepdims=True))
        safe_target, weights = _target_weights(target, weight, ignore_index, logits.dtype)
        kept = target != ignore_index
        losses = -weights * _pick(log_probs, safe_target, class_dim)
        # weight[c] laid along the class dimension: (C,) -> (C, 1, ..., 1)
        class_weights = xp.ones(num_classes, logits.dtype) if weight is None else weight
        class_weights = class_weights.reshape((num_classes,) + (1,) * (logits.ndim - 1 - class_dim))
        if smoothing:
            smooth_losses = -(class_weights * log_probs).sum(axis=class_dim) * kept
            losses = (1 - smoothing) * losses + smoothing / num_classes * smooth_losses
        self.class_dim, self.class_weights, self.smoothing = class_dim, class_weights, smoothing
        self.total_weight, self.reduction = weights.sum(), reduction
        self.save_for_backward(log_probs, safe_target, weights, kept)
        return _reduce(losses.astype(logits.dtype, copy=False), reduction, self.total_weight)

    def backward(self, grad_output):
        log_probs, safe_target, weights, kept = self.saved_arrays
        xp = get_array_module(log_probs)
        class_dim, smoothing = self.class_dim, self.smoothing
        num_classes = log_probs.shape[class_dim]
        # q: the weighted (and smoothed) target distribution, one value per log-probability.
        one_hot = _one_hot(safe_target, num_classes, class_dim, log_probs.dtype)
        q = (1 - smoothing) * one_hot * xp.expand_dims(weights, class_dim)
        if smoothing:
            q = q + smoothing / num_classes * self.class_weights * xp.expand_dims(kept, class_dim)
        grad_losses = _spread(grad_output, weights.shape, self.reduction, self.total_weight)
        grad_logits = xp.exp(log_probs) * q.sum(axis=class_dim, keepdims=True) - q
        return (grad_logits * xp.expand_dims(grad_losses, class_dim)).astype(log_probs.dtype)


def _check_class_targets(function, input, target, weight):
    """Class-index targets: shape, dtype, range and weights, with the fix for the usual mistakes."""
    if input.ndim == 0:
        raise ValueError(f"Expected 1 or more dimensions (got 0). {function} expects scores "
                         f"of shape (N, C) for N samples and C classes, or (C,) for one sample.")
    if not input.is_floating_point():
        raise NotImplementedError(f"{function} is not implemented for {input.dtype} input: it "
                                  f"needs floating-point scores. Convert with input.float().")
    if input.ndim == 1:
        expected, layout = (), f"(C,) with C={input.shape[0]}, a single sample"
    else:
        expected = (input.shape[0],) + tuple(input.shape[2:])
        names = ", ".join(["N", "C"] + [f"d{i}" for i in range(1, input.ndim - 1)])
        layout = f"({names}) with N={input.shape[0]} samples and C={input.shape[1]} classes"
    explanation = (f"{function}: input of shape {tuple(input.shape)} is {layout}, so the target "
                   f"must hold one class index per sample, shape {expected}; got "
                   f"{tuple(target.shape)}.")
    if target.shape == input.shape and input.ndim >= 2:
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported. "
                           f"{explanation} A target shaped like the input looks like one-hot "
                           f"labels: turn them into class indices with target.argmax(dim=1).")
    target_batch = target.shape[0] if target.ndim else 0
    if input.ndim >= 2 and target_batch != input.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target_batch}). {explanation}")
    if target.is_floating_point() and target.ndim == input.ndim:
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported. "
                           f"{function}: class probabilities must have the input's shape "
                           f"{tuple(input.shape)}; got {tuple(target.shape)}.")
    if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.shape[0]}. {explanation}")
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype}. "
                           f"Class-index targets must be integers: use target.long().")
    if tuple(target.shape) != expected and not (input.ndim == 1 and target.shape == (1,)):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: "
                           f"{list(target.shape)}). {explanation}")
    num_classes = input.shape[1 if input.ndim >= 2 else 0]
    if weight is not None:
        if weight.shape != (num_classes,):
            raise RuntimeError(f"weight tensor should be defined either for all {num_classes} "
                               f"classes or no classes but got weight tensor of shape: "
                               f"{list(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {input.dtype} but found {weight.dtype}: "
                               f"the class weights must have the input's dtype "
                               f"(weight.to({input.dtype})).")


def _check_class_range(function, target, num_classes, ignore_index):
    """IndexError for a target outside [0, C) (one that is not ignore_index)."""
    kept = target[target != ignore_index]
    wrong = (kept < 0) | (kept >= num_classes)
    if bool(wrong.any()):  # (on a GPU this waits for the result: a check worth its time)
        raise IndexError(f"Target {int(kept[wrong][0])} is out of bounds. {function}: with "
                         f"C={num_classes} classes the targets must be class indices in "
                         f"[0, {num_classes - 1}] (got values from {int(kept.min())} to "
                         f"{int(kept.max())}). Does the last layer have one output per class? "
                         f"Labels counted from 1 need target - 1.")


def _class_targets(function, input, target, weight, ignore_index):
    """Checked arrays for nll_loss and cross_entropy: target, weight."""
    _check_class_targets(function, input, target, weight)
    target_array = target.array.reshape(()) if input.ndim == 1 else target.array
    target_array = target_array.astype(numpy.int64, copy=False)
    num_classes = input.shape[1 if input.ndim >= 2 else 0]
    _check_class_range(function, target_array, num_classes, ignore_index)
    weight_array = None if weight is None else _constant(weight, "weight", function)
    return target_array, weight_array


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of class-index targets, given log-probabilities.

        loss_n = -weight[y_n] * input[n, y_n];  'mean' divides by the sum of weight[y_n]

    Shapes: input (N, C) or (N, C, d1, ...) or (C,); target (N,) or (N, d1, ...) or ().
    ``F.nll_loss(F.log_softmax(x, dim=1), y)`` equals ``F.cross_entropy(x, y)``.
    """
    reduction = _reduction_name(reduction, size_average, reduce)
    target_array, weight_array = _class_targets("nll_loss", input, target, weight, ignore_index)
    return NllLoss.apply(input, target=target_array, weight=weight_array,
                         ignore_index=ignore_index, reduction=reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits and the true classes: the classification loss.

        loss_n = -log softmax(input_n)[y_n] = -input[n, y_n] + log sum_c e^input[n, c]

    ``target`` holds either class indices (int64): shape (N,) for input (N, C),
    (N, d1, ...) for input (N, C, d1, ...), () for one sample (C,); or class
    probabilities (floats, the input's shape):

        loss_n = -sum_c target[n, c] log softmax(input_n)_c

    ``weight`` (C,) scales each class; ``ignore_index`` marks targets to skip;
    ``label_smoothing`` e mixes the target with the uniform distribution e / C.

    >>> F.cross_entropy(edunet.tensor([[0.1, 0.2, 0.3]]), edunet.tensor([1]))
    tensor(1.1019)
    """
    reduction = _reduction_name(reduction, size_average, reduce)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.shape == input.shape and input.ndim >= 1:
        return _cross_entropy_with_probabilities(input, target, weight, ignore_index, reduction,
                                                 label_smoothing)
    target_array, weight_array = _class_targets("cross_entropy", input, target, weight,
                                                ignore_index)
    return CrossEntropy.apply(input, target=target_array, weight=weight_array,
                              ignore_index=ignore_index, label_smoothing=label_smoothing,
                              reduction=reduction)


def _cross_entropy_with_probabilities(input, target, weight, ignore_index, reduction, smoothing):
    """loss_n = -sum_c weight_c q_nc log softmax(input_n)_c, q = (1 - e) target + e / C.

    Built from existing ops, so autograd differentiates it (the target too).
    """
    if not target.is_floating_point():
        raise RuntimeError(
            f"Expected floating point type for target with class probabilities, got "
            f"{target.dtype}. The target has the input's shape {tuple(input.shape)}, so it is "
            f"read as class probabilities; if these are one-hot labels, pass class indices "
            f"instead: target.argmax(dim={1 if input.ndim > 1 else 0}) (or target.float() to "
            f"keep them as probabilities).")
    if ignore_index != -100:
        raise RuntimeError("ignore_index is not supported for floating point target")
    class_dim = 1 if input.ndim > 1 else 0
    num_classes = input.shape[class_dim]
    log_probs = log_softmax(input, dim=class_dim)
    if smoothing > 0:
        target = target * (1 - smoothing) + smoothing / num_classes
    if weight is not None:
        if weight.shape != (num_classes,):
            raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                               f"{num_classes} classes or no classes but got weight tensor of "
                               f"shape: {list(weight.shape)}")
        class_shape = (num_classes,) + (1,) * (input.ndim - 1 - class_dim)
        target = target * weight.reshape(class_shape)
    products = log_probs * target
    if reduction == "none":
        return -products.sum(dim=class_dim)
    if reduction == "sum":
        return -products.sum()
    return -products.sum() / (input.numel() // num_classes)  # the mean over samples


# ---------------------------------------------------------------- binary classification
def _sigmoid(x):
    """1 / (1 + e^-x), from e^-|x| so it never overflows."""
    xp = get_array_module(x)
    exp_minus_abs = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1, exp_minus_abs) / (1 + exp_minus_abs)


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
        return _reduce(losses, reduction)

    def backward(self, grad_output):
        probabilities, target, log_p, log_one_minus_p = self.saved_arrays
        xp = get_array_module(probabilities)
        grad_losses = _spread(grad_output, probabilities.shape, self.reduction)
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
        return _reduce(losses.astype(logits.dtype, copy=False), reduction)

    def backward(self, grad_output):
        logits, target, softplus = self.saved_arrays
        grad_losses = _spread(grad_output, logits.shape, self.reduction)
        if self.weight is not None:
            grad_losses = grad_losses * self.weight
        pos_weight = 1 if self.pos_weight is None else self.pos_weight
        scale = 1 + (pos_weight - 1) * target
        grad_logits = (scale * _sigmoid(logits) - pos_weight * target) * grad_losses
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
    array = _constant(weight, argument, function, input.array.dtype)
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
    reduction = _reduction_name(reduction, size_average, reduce)
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
    reduction = _reduction_name(reduction, size_average, reduce)
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

    grad_fn_name = "XlogyBackward0"

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
    reduction = _reduction_name(reduction, size_average, reduce,
                                allowed=("none", "batchmean", "sum", "mean"))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
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
