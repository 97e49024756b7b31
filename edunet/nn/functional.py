"""``edunet.nn.functional`` (``F``): every layer and loss as a plain function.

    import edunet.nn.functional as F
    y = F.conv2d(x, weight, bias, stride=1, padding=1)
    loss = F.cross_entropy(logits, target)

The layers in ``edunet.nn`` hold parameters and call these; the functions
themselves (forward and backward) live in ``edunet/ops/``.
"""

from edunet.ops.activation import (elu, gelu, hardtanh, leaky_relu, log_softmax, relu6, silu,
                                   softmax, softplus)
from edunet.ops.conv import conv1d, conv2d, conv_transpose2d
from edunet.ops.conv3d import conv3d
from edunet.ops.dropout import dropout, dropout2d
from edunet.ops import elementwise
from edunet.ops.elementwise import sigmoid, tanh
from edunet.ops.embedding import embedding, one_hot
from edunet.ops import linalg, norm
from edunet.ops.linalg import bilinear
from edunet.ops.cross_entropy import cross_entropy, nll_loss
from edunet.ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss,
                             kl_div, l1_loss, mse_loss, smooth_l1_loss)
from edunet.ops.checks import check_public_functions, check_tensor_argument
from edunet.ops.norm import group_norm
from edunet.ops.pool import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
                             max_pool1d, max_pool2d)
from edunet.ops.pool3d import avg_pool3d, max_pool3d
from edunet.ops.padding import pad


def relu(input, inplace=False):
    """max(x, 0) elementwise; ``inplace=True`` overwrites ``input`` (as ``nn.ReLU(inplace=True)``)."""
    return input.relu_() if inplace else elementwise.relu(input)


def relu_(input):
    """max(x, 0) elementwise, written into ``input``."""
    return input.relu_()


# ---------------------------------------------------------------- checked layers
# These three check their arguments here, where the user called them, then run the op.
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: input (*, in_features), weight (out_features,
    in_features), bias (out_features,) -> (*, out_features)."""
    check_tensor_argument("linear", "input", 1, input)
    check_tensor_argument("linear", "weight", 2, weight)
    check_tensor_argument("linear", "bias", 3, bias, optional=True)
    if bias is not None and weight.ndim == 2:
        output_shape = tuple(input.shape[:-1]) + (weight.shape[0],)
        _check_expands("linear", "bias", bias, output_shape)
    if input.dtype == weight.dtype:  # (input vs weight: the matrix product explains it)
        _check_same_dtype("linear", input, bias=bias)
    return linalg.linear(input, weight, bias)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalize over the last dimensions, those of ``normalized_shape``; weight and
    bias (if given) have exactly that shape."""
    check_tensor_argument("layer_norm", "input", 1, input)
    if isinstance(normalized_shape, int) or not all(isinstance(size, int) for size in
                                                     normalized_shape):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}: write "
                        f"({normalized_shape},) for one dimension")
    for name, position, tensor in (("weight", 3, weight), ("bias", 4, bias)):
        check_tensor_argument("layer_norm", name, position, tensor, optional=True)
        if tensor is not None and tuple(tensor.shape) != tuple(normalized_shape):
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(tensor.shape)} and normalized_shape = {list(normalized_shape)}. "
                f"The {name} holds one value per normalized element.")
    _check_same_dtype("layer_norm", input, weight=weight, bias=bias)
    _check_floating("layer_norm", input)
    return norm.layer_norm(input, normalized_shape, weight, bias, eps)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalize each channel of ``input`` (N, C, *); see ``edunet.ops.norm.batch_norm``."""
    check_tensor_argument("batch_norm", "input", 1, input)
    for name, position, tensor in (("running_mean", 2, running_mean),
                                   ("running_var", 3, running_var), ("weight", 4, weight),
                                   ("bias", 5, bias)):
        check_tensor_argument("batch_norm", name, position, tensor, optional=True)
    _check_floating("batch_norm", input)
    _check_same_dtype("batch_norm", input, running_mean=running_mean, running_var=running_var,
                     weight=weight, bias=bias)
    return norm.batch_norm(input, running_mean, running_var, weight, bias, training,
                           momentum, eps)


def _check_floating(call, input):
    """Normalization computes means and variances: NotImplementedError for integer
    or bool input, as PyTorch ("batch_norm" not implemented for 'Long')."""
    if not input.is_floating_point():
        raise NotImplementedError(
            f'"{call}" not implemented for {input.dtype}: it computes means and variances, '
            f"which need a floating-point input. Convert first: x.float().")


def _check_same_dtype(call, input, **others):
    """The parameters must have the input's dtype (RuntimeError, as PyTorch's "mixed
    dtype"); float16 input with float32 parameters is allowed, as on PyTorch's CPU."""
    for name, tensor in others.items():
        if tensor is None or tensor.dtype == input.dtype:
            continue
        if input.dtype.itemsize < tensor.dtype.itemsize == 4 and input.is_floating_point():
            continue
        raise RuntimeError(
            f"mixed dtype: {call} got input of dtype {input.dtype} but {name} of dtype "
            f"{tensor.dtype}; all inputs must share the same dtype. Convert the input "
            f"(x.to({tensor.dtype})) or the model (model.to({input.dtype})).")


def _check_expands(call, name, tensor, shape):
    """``tensor`` must broadcast to ``shape`` without changing it (RuntimeError)."""
    sizes = tuple(tensor.shape)
    fits = len(sizes) <= len(shape) and all(
        size in (1, target) for size, target in zip(reversed(sizes), reversed(shape)))
    if not fits:
        raise RuntimeError(
            f"{call}: the expanded size of {name} must match the output: {name} of shape "
            f"{list(sizes)} can't expand to the output shape {list(shape)}. For "
            f"weight (out_features, in_features) the bias has shape (out_features,), here "
            f"({shape[-1]},).")


check_public_functions(globals())  # F.relu([1.0]) -> TypeError naming relu() and 'input'
