"""Classification losses: ``cross_entropy`` and ``nll_loss``.

With scores (logits) z for C classes and the true class t:

    log p_c = z_c - log(sum_j e^(z_j))          (log_softmax, stable: shift by max z)
    nll_loss(log p, t)      = -log p_t
    cross_entropy(z, t)     = nll_loss(log_softmax(z), t)

Cross-entropy is one fused op: its gradient is simply softmax(z) - one_hot(t)
(times the class weights, smoothed labels and ignore mask), which is both faster
and more accurate than going through log_softmax and nll separately.
"""

import numpy

from edunet import dtypes
from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.activation import log_softmax

from edunet.ops.loss import as_constant, reduce_losses, reduction_name, spread_gradient


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
        return reduce_losses(losses, reduction, self.total_weight)

    def backward(self, grad_output):
        safe_target, weights = self.saved_arrays
        xp = get_array_module(weights)
        grad_losses = spread_gradient(grad_output, weights.shape, self.reduction, self.total_weight)
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
        return reduce_losses(losses.astype(logits.dtype, copy=False), reduction, self.total_weight)

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
        grad_losses = spread_gradient(grad_output, weights.shape, self.reduction, self.total_weight)
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
    weight_array = None if weight is None else as_constant(weight, "weight", function)
    return target_array, weight_array


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of class-index targets, given log-probabilities.

        loss_n = -weight[y_n] * input[n, y_n];  'mean' divides by the sum of weight[y_n]

    Shapes: input (N, C) or (N, C, d1, ...) or (C,); target (N,) or (N, d1, ...) or ().
    ``F.nll_loss(F.log_softmax(x, dim=1), y)`` equals ``F.cross_entropy(x, y)``.
    """
    reduction = reduction_name(reduction, size_average, reduce)
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
    reduction = reduction_name(reduction, size_average, reduce)
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
