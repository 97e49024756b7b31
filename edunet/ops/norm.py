"""Normalization: batch norm, layer norm and group norm.

All three standardize x, then scale and shift it with learned per-feature
weight (gamma) and bias (beta):

    x_hat = (x - mean) / sqrt(var + eps)        y = gamma * x_hat + beta

They differ only in which values share one mean and variance:

    batch_norm  (N, C, *):  per channel, over the batch and all positions
    layer_norm  (*, D...):  per sample, over the last dimensions (normalized_shape)
    group_norm  (N, C, *):  per sample and group of C / num_groups channels

The variance is the biased one (divide by n): it describes the values at hand.
Batch norm also keeps running averages of mean and (unbiased, n - 1) variance
for evaluation, updated in place while training:

    running = (1 - momentum) * running + momentum * batch_statistic

Backward uses the fused formula (the mean and the variance depend on every x,
and their contributions collapse into two averages):

    dL/dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps),  g = gamma * dL/dy

with both means over the same values as the statistics. See :func:`_input_gradient`.
"""

from edunet import creation
from edunet.autograd import Function
from edunet.backend import get_array_module


def _input_gradient(grad_normalized, normalized, inverse_std, axes):
    """dL/dx, given dL/dx_hat, for x_hat = (x - mean) * inverse_std with statistics over ``axes``.

    Differentiating mean and variance too, and simplifying:

        dL/dx = inverse_std * (g - mean(g) - x_hat * mean(g * x_hat)),   g = dL/dx_hat
    """
    mean_grad = grad_normalized.mean(axis=axes, keepdims=True)
    mean_grad_times_normalized = (grad_normalized * normalized).mean(axis=axes, keepdims=True)
    return inverse_std * (grad_normalized - mean_grad - normalized * mean_grad_times_normalized)


def _standardize(x, axes, eps):
    """(x_hat, 1 / sqrt(var + eps), mean, var): statistics over ``axes``, kept broadcastable."""
    xp = get_array_module(x)
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    variance = (centered * centered).mean(axis=axes, keepdims=True)
    inverse_std = 1 / xp.sqrt(variance + eps)
    return centered * inverse_std, inverse_std, mean, variance


class BatchNorm(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, with statistics per channel (dim 1).

    Training: the batch's statistics over (N, *), and the running averages (arrays,
    or None) are updated in place. Evaluation: the running averages, which are
    constants, so y = x * scale + shift with per-channel
    scale = gamma / sqrt(running_var + eps) and shift = beta - running_mean * scale
    (two passes over x; PyTorch computes it this way too), and dL/dx = g * scale.
    """

    grad_fn_name = "NativeBatchNormBackward0"
    returns_new_gradients = True  # computed in backward (see Function)

    def forward(self, x, weight, bias, *, running_mean, running_var, training, momentum, eps):
        self.axes = (0,) + tuple(range(2, x.ndim))          # everything but the channels
        self.channel_shape = (1, -1) + (1,) * (x.ndim - 2)  # (C,) -> broadcastable against x
        self.training = training
        xp = get_array_module(x)
        if not training:
            inverse_std = (1 / xp.sqrt(running_var + eps)).astype(x.dtype, copy=False)
            scale = weight * inverse_std
            shift = bias - running_mean.astype(x.dtype, copy=False) * scale
            self.save_for_backward(x, running_mean, inverse_std, scale)
            output = x * scale.reshape(self.channel_shape)
            output += shift.reshape(self.channel_shape)     # in place: one array less
            return output
        normalized, inverse_std, mean, variance = _standardize(x, self.axes, eps)
        if running_mean is not None:
            count = x.size // x.shape[1]
            running_mean *= 1 - momentum
            running_mean += momentum * mean.reshape(-1)
            running_var *= 1 - momentum
            running_var += momentum * variance.reshape(-1) * (count / (count - 1))
        self.save_for_backward(normalized, weight, inverse_std)
        output = normalized * weight.reshape(self.channel_shape)
        output += bias.reshape(self.channel_shape)
        return output

    def backward(self, grad_output):
        if not self.training:
            return self._evaluation_backward(grad_output)
        normalized, weight, inverse_std = self.saved_arrays
        grad_normalized = grad_output * weight.reshape(self.channel_shape)
        grad_input = _input_gradient(grad_normalized, normalized, inverse_std, self.axes)
        grad_weight = ((grad_output * normalized).sum(axis=self.axes)
                       if self.needs_input_grad[1] else None)
        grad_bias = grad_output.sum(axis=self.axes) if self.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias

    def _evaluation_backward(self, grad_output):
        """The running statistics are constants: y = x * scale + shift, an affine map."""
        x, running_mean, inverse_std, scale = self.saved_arrays
        grad_input = grad_output * scale.reshape(self.channel_shape)
        grad_weight = grad_bias = None
        if self.needs_input_grad[1]:
            normalized = ((x - running_mean.reshape(self.channel_shape))
                          * inverse_std.reshape(self.channel_shape)).astype(x.dtype, copy=False)
            grad_weight = (grad_output * normalized).sum(axis=self.axes)
        if self.needs_input_grad[2]:
            grad_bias = grad_output.sum(axis=self.axes)
        return grad_input, grad_weight, grad_bias


class LayerNorm(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, statistics over the last ``ndim`` dims."""

    grad_fn_name = "NativeLayerNormBackward0"
    returns_new_gradients = True  # computed in backward (see Function)

    def forward(self, x, weight, bias, *, normalized_ndim, eps):
        self.axes = tuple(range(x.ndim - normalized_ndim, x.ndim))  # normalized together
        self.batch_axes = tuple(range(x.ndim - normalized_ndim))    # the samples
        normalized, inverse_std, _, _ = _standardize(x, self.axes, eps)
        self.save_for_backward(normalized, weight, inverse_std)
        return normalized * weight + bias

    def backward(self, grad_output):
        normalized, weight, inverse_std = self.saved_arrays
        grad_input = _input_gradient(grad_output * weight, normalized, inverse_std, self.axes)
        grad_weight = ((grad_output * normalized).sum(axis=self.batch_axes)
                       if self.needs_input_grad[1] else None)
        grad_bias = grad_output.sum(axis=self.batch_axes) if self.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias


class GroupNorm(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, statistics per sample and channel group.

    x (N, C, *) is viewed as (N, num_groups, C / num_groups * positions); gamma and
    beta are per channel.
    """

    grad_fn_name = "NativeGroupNormBackward0"
    returns_new_gradients = True  # computed in backward (see Function)

    def forward(self, x, weight, bias, *, num_groups, eps):
        self.channel_shape = (1, -1) + (1,) * (x.ndim - 2)
        self.axes = (0,) + tuple(range(2, x.ndim))
        grouped = x.reshape(x.shape[0], num_groups, -1)
        normalized, inverse_std, _, _ = _standardize(grouped, 2, eps)
        normalized = normalized.reshape(x.shape)
        self.save_for_backward(normalized, weight, inverse_std)
        output = normalized * weight.reshape(self.channel_shape)
        output += bias.reshape(self.channel_shape)
        return output

    def backward(self, grad_output):
        normalized, weight, inverse_std = self.saved_arrays
        grouped_shape = inverse_std.shape[:2] + (-1,)
        grad_normalized = (grad_output * weight.reshape(self.channel_shape)).reshape(grouped_shape)
        grad_input = _input_gradient(grad_normalized, normalized.reshape(grouped_shape),
                                     inverse_std, 2).reshape(grad_output.shape)
        grad_weight = ((grad_output * normalized).sum(axis=self.axes)
                       if self.needs_input_grad[1] else None)
        grad_bias = grad_output.sum(axis=self.axes) if self.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias


# ---------------------------------------------------------------- functions
def _weight_and_bias(weight, bias, shape, input):
    """Missing weight means gamma = 1 and missing bias beta = 0 (constants, no gradient)."""
    factory = {"dtype": input.dtype, "device": input.device}
    return (creation.ones(shape, **factory) if weight is None else weight,
            creation.zeros(shape, **factory) if bias is None else bias)


def _check_batch_size(input):
    values_per_channel = input.numel() // input.shape[1] if input.shape[1] else 0
    if values_per_channel == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {input.shape}. "
            f"Batch norm needs the mean and variance of each channel over the batch, and one "
            f"value has no variance. Use batches of 2 or more (e.g. drop_last=True in the "
            f"DataLoader), or call model.eval() to use the running statistics.")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalize each channel of ``input`` (N, C, *) with its mean and variance.

    training=True: the batch's statistics, and ``running_mean``/``running_var``
    (tensors of shape (C,), or None) are updated in place with ``momentum``.
    training=False: ``running_mean``/``running_var`` are used.

    >>> x = edunet.randn(8, 3)
    >>> F.batch_norm(x, None, None, training=True).mean(0)   # ~ 0 per channel
    """
    if input.ndim < 2:
        raise IndexError(f"batch_norm expects input of shape (N, C, *) with channels in dimension "
                         f"1; got shape {tuple(input.shape)}. For one sample, add the batch "
                         f"dimension: x.unsqueeze(0).")
    channels = input.shape[1]
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var),
                         ("weight", weight), ("bias", bias)):
        if tensor is not None and tensor.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {tensor.numel()}")
    if training:
        _check_batch_size(input)
    weight, bias = _weight_and_bias(weight, bias, (channels,), input)
    return BatchNorm.apply(
        input, weight, bias, training=training, momentum=momentum, eps=eps,
        running_mean=None if running_mean is None else running_mean.array,
        running_var=None if running_var is None else running_var.array)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalize over the last dimensions, the ones given by ``normalized_shape``.

    Each sample (each token, in a transformer) gets its own mean and variance.

    >>> x = edunet.randn(2, 5, 16)
    >>> F.layer_norm(x, (16,)).std(-1, unbiased=False)   # ~ 1 everywhere
    """
    normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                        else tuple(normalized_shape))
    count = len(normalized_shape)
    if tuple(input.shape)[-count:] != normalized_shape:
        shape_text = ", ".join(str(size) for size in normalized_shape)
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {shape_text}], but got input of size{list(input.shape)}. normalized_shape must "
            f"equal the input's last {count} dimension(s), here {tuple(input.shape)[-count:]}.")
    weight, bias = _weight_and_bias(weight, bias, normalized_shape, input)
    return LayerNorm.apply(input, weight, bias, normalized_ndim=count, eps=eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalize each sample's channels in ``num_groups`` groups (input (N, C, *)).

    Independent of the batch size, so it behaves the same in training and evaluation.
    """
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}. group_norm expects (N, C, *); for one sample use "
                           f"x.unsqueeze(0).")
    channels = input.shape[1]
    if channels % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tensor.numel() != channels:
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(tensor.shape)} and input of shape "
                f"{list(input.shape)}")
    weight, bias = _weight_and_bias(weight, bias, (channels,), input)
    return GroupNorm.apply(input, weight, bias, num_groups=num_groups, eps=eps)
