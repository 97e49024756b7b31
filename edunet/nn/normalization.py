"""Normalization layers: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm.

Each standardizes its input (mean 0, variance 1 over some set of values) and then
applies a learned per-feature scale ``weight`` (gamma, starts at 1) and shift
``bias`` (beta, starts at 0). The math, forward and backward, is in
edunet/ops/norm.py.

BatchNorm's statistics come from the batch, so it behaves differently in training
and in evaluation:

    model.train()   normalize with this batch's mean and variance, and update the
                    buffers running_mean / running_var (a moving average)
    model.eval()    normalize with running_mean / running_var: the output of one
                    sample no longer depends on the rest of its batch

LayerNorm and GroupNorm use each sample's own statistics and behave the same in
both modes.
"""

from edunet import creation, dtypes
from edunet.nn import init
from edunet.nn.module import Module
from edunet.nn.parameter import Parameter
from edunet.nn import functional
from edunet.ops import norm


def _factory(device, dtype):
    return {"device": device, "dtype": dtype}


def _register_scale_and_shift(module, shape, affine, bias, factory):
    """The learned ``weight`` (gamma) and ``bias`` (beta) of ``shape``, registered as None
    where ``affine`` (or ``bias``) leaves them out. Their values come from reset_parameters."""
    weight = Parameter(creation.empty(shape, **factory)) if affine else None
    shift = Parameter(creation.empty(shape, **factory)) if affine and bias else None
    module.register_parameter("weight", weight)
    module.register_parameter("bias", shift)


def _reset_scale_and_shift(module):
    """Weight 1, bias 0: at first the layer only standardizes."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ only in the input shapes they accept.

    Args:
        num_features: C, the number of channels (dimension 1 of the input).
        eps: added to the variance before the square root.
        momentum: weight of the newest batch in the running averages; None means
            a plain average over all batches seen so far (1 / num_batches_tracked).
        affine: learn weight and bias.
        track_running_stats: keep running_mean / running_var for evaluation; if
            False, batch statistics are used in evaluation too.
        bias: with affine=True, False leaves out the shift (keyword only).
    """

    behaves_differently_in_training = True
    input_shapes = ""  # the accepted shapes, for error messages

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        factory = _factory(device, dtype)
        _register_scale_and_shift(self, num_features, affine, bias, factory)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, **factory))
            self.register_buffer("running_var", creation.ones(num_features, **factory))
            self.register_buffer("num_batches_tracked",
                                 creation.tensor(0, dtype=dtypes.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        """Running statistics reset; weight 1 and bias 0: at first the layer only standardizes."""
        self.reset_running_stats()
        _reset_scale_and_shift(self)

    def _check_input(self, input):
        raise NotImplementedError

    def _upgrade_state_dict(self, state_dict, prefix):
        """Checkpoints from before ``num_batches_tracked`` existed lack it: keep this
        layer's own count, as PyTorch's BatchNorm does when loading them."""
        key = prefix + "num_batches_tracked"
        if self.num_batches_tracked is not None and key not in state_dict:
            state_dict[key] = self.num_batches_tracked

    def _check_channels(self, input):
        # Without weight or running statistics any number of channels works (as in PyTorch).
        if not (self.affine or self.track_running_stats) or input.shape[1] == self.num_features:
            return
        hint = f"Set num_features to {input.shape[1]} if that is your channel count"
        if input.ndim == 3 and input.shape[2] == self.num_features:
            hint = (f"Your features seem to be in the last dimension: {type(self).__name__} wants "
                    f"channels in dimension 1, so try x.transpose(1, 2)")
        raise RuntimeError(
            f"{type(self).__name__}({self.num_features}, ...) expects input {self.input_shapes} "
            f"with C = {self.num_features} channels in dimension 1; got {tuple(input.shape)}, "
            f"which has {input.shape[1]}. {hint}. (running_mean should contain "
            f"{input.shape[1]} elements not {self.num_features}.)")

    def forward(self, input):
        self._check_input(input)
        self._check_channels(input)
        average_factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a plain average of every batch so far
                average_factor = 1.0 / float(self.num_batches_tracked)
        # Without running statistics, evaluation normalizes with the batch's statistics too.
        use_batch_statistics = self.training or (self.running_mean is None
                                                 and self.running_var is None)
        keep_running = not self.training or self.track_running_stats
        return functional.batch_norm(input,
                                     self.running_mean if keep_running else None,
                                     self.running_var if keep_running else None,
                                     self.weight, self.bias, use_batch_statistics,
                                     average_factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) sequences, per channel C.

    >>> layer = nn.BatchNorm1d(16)
    >>> layer(edunet.randn(32, 16)).shape
    edunet.Size([32, 16])
    """

    input_shapes = "(N, C) or (N, C, L)"

    def _check_input(self, input):
        if input.ndim not in (2, 3):
            if input.ndim == 1:
                hint = "Did you forget the batch dimension? Try x.unsqueeze(0)."
            elif input.ndim == 4:
                hint = "For images (N, C, H, W) use nn.BatchNorm2d."
            else:
                hint = "Reshape the input so that the channels are in dimension 1."
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input). "
                             f"BatchNorm1d({self.num_features}, ...) expects input "
                             f"{self.input_shapes}; got {tuple(input.shape)}. {hint}")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of images (N, C, H, W), per channel C over N, H and W.

    >>> layer = nn.BatchNorm2d(3)
    >>> layer(edunet.randn(8, 3, 32, 32)).shape
    edunet.Size([8, 3, 32, 32])
    """

    input_shapes = "(N, C, H, W)"

    def _check_input(self, input):
        if input.ndim != 4:
            if input.ndim == 3:
                hint = "Did you forget the batch dimension? For one image try x.unsqueeze(0)."
            elif input.ndim == 2:
                hint = "For (N, C) features use nn.BatchNorm1d."
            else:
                hint = "Reshape the input to (N, C, H, W)."
            raise ValueError(f"expected 4D input (got {input.ndim}D input). "
                             f"BatchNorm2d({self.num_features}, ...) expects input "
                             f"{self.input_shapes}; got {tuple(input.shape)}. {hint}")


class LayerNorm(Module):
    """Normalize each sample over its last dimensions, ``normalized_shape``.

    Args:
        normalized_shape: an int (the size of the last dimension) or a shape
            (the sizes of the last few dimensions).
        eps: added to the variance before the square root.
        elementwise_affine: learn a weight and bias of shape ``normalized_shape``.
        bias: with elementwise_affine, False leaves out the shift.

    >>> layer = nn.LayerNorm(16)
    >>> layer(edunet.randn(2, 5, 16)).shape
    edunet.Size([2, 5, 16])
    """

    def __init__(self, normalized_shape, eps=1e-05, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        factory = _factory(device, dtype)
        _register_scale_and_shift(self, self.normalized_shape, elementwise_affine, bias, factory)
        self.reset_parameters()

    def reset_parameters(self):
        """Weight 1, bias 0."""
        _reset_scale_and_shift(self)

    def forward(self, input):
        count = len(self.normalized_shape)
        if tuple(input.shape)[-count:] != self.normalized_shape:
            raise RuntimeError(
                f"{self!r} expects input (*, {', '.join(map(str, self.normalized_shape))}): its "
                f"last {count} dimension(s) must be {self.normalized_shape}; got "
                f"{tuple(input.shape)}. Set normalized_shape to the size of your feature "
                f"dimension(s), e.g. LayerNorm({input.shape[-1] if input.ndim else 1}) for "
                f"features in the last dimension.")
        return functional.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalize each sample's channels in groups: (N, C, *) with C split into num_groups.

    Args:
        num_groups: how many groups the C channels form (must divide C).
        num_channels: C.
        eps: added to the variance before the square root.
        affine: learn a per-channel weight and bias.
        bias: with affine, False leaves out the shift (keyword only).

    >>> layer = nn.GroupNorm(2, 6)
    >>> layer(edunet.randn(4, 6, 8, 8)).shape
    edunet.Size([4, 6, 8, 8])
    """

    def __init__(self, num_groups, num_channels, eps=1e-05, affine=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        factory = _factory(device, dtype)
        _register_scale_and_shift(self, num_channels, affine, bias, factory)
        self.reset_parameters()

    def reset_parameters(self):
        """Weight 1, bias 0."""
        _reset_scale_and_shift(self)

    def forward(self, input):
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise RuntimeError(
                f"{type(self).__name__}({self.num_groups}, {self.num_channels}, ...) expects input "
                f"(N, {self.num_channels}, *) with {self.num_channels} channels in dimension 1; "
                f"got {tuple(input.shape)}. Make num_channels match the layer before it"
                + (", and add the batch dimension with x.unsqueeze(0) for one sample."
                   if input.ndim >= 1 and input.shape[0] == self.num_channels else "."))
        return norm.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
