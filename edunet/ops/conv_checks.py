"""Argument checks of the convolutions (edunet/ops/conv.py): ranks, dtypes, channels,
groups, stride/padding/dilation, and whether the kernel fits.

Each raises PyTorch's exception type with PyTorch's message where a learner would
search for it, followed by what to change. Kept apart from conv.py so that the
convolution's math reads without them.
"""

import operator

# PyTorch's C++ names for dtypes, which its error messages use.
SCALAR_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
                     "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                     "bool": "Bool"}
INTEGER_DTYPES = ("uint8", "int8", "int16", "int32", "int64")


def int_tuple(value, dims, name, op_name):
    """An int or a sequence of ints as a tuple of ``dims`` ints (a single value is repeated)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    try:
        values = tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{op_name}(): argument '{name}' must be tuple of ints, not "
                        f"{type(value).__name__}") from None
    if len(values) == 1:
        values = values * dims
    if len(values) != dims:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {dims} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(values)}")
    return values


def scalar_name(tensor):
    """The tensor's dtype as PyTorch's messages name it: float32 -> "Float"."""
    return SCALAR_TYPE_NAMES.get(tensor.dtype.name, tensor.dtype.name)


# Per number of spatial dimensions: the input's layout and the kernel's sizes, for messages.
LAYOUTS = {1: ("(N, C, L) or (C, L)", "kL"), 2: ("(N, C, H, W) or (C, H, W)", "kH, kW"),
           3: ("(N, C, D, H, W) or (C, D, H, W)", "kD, kH, kW")}


def check_tensors(input, weight, bias, dims, op_name, transposed=False):
    """Ranks and dtypes, with PyTorch's exception types and a hint at the likely fix."""
    layout, kernel = LAYOUTS[dims]
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {op_name}, but "
            f"got input of size: {list(input.shape)}. The layout is {layout}: add a missing "
            f"channel or batch dimension with x.unsqueeze(0), or remove extra ones with "
            f"x.squeeze(dim).")
    if weight.ndim != dims + 2:
        expected = "in_channels" if transposed else "out_channels"
        raise RuntimeError(f"{op_name} expects a {dims + 2}-D weight ({expected}, ..., "
                           f"{kernel}); got weight of size {list(weight.shape)}.")
    check_supported_dtype(input, op_name, ("int64",) if transposed else INTEGER_DTYPES)
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"expected scalar type {scalar_name(input)} but found {scalar_name(weight)}: "
            f"{op_name} needs input and weight of the same dtype, but got input {input.dtype} "
            f"and weight {weight.dtype}. Convert one of them, e.g. x = x.float() (a layer's "
            f"weights are float32).")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(
            f"Input type ({input.dtype.name}) and bias type ({bias.dtype.name}) should be "
            f"the same. Convert one of them, e.g. bias.to(x.dtype).")


def check_supported_dtype(tensor, op_name, integer_dtypes=INTEGER_DTYPES):
    """Raise PyTorch's NotImplementedError for a dtype its CPU version of ``op_name`` lacks.

    Every op takes floating-point tensors; ``integer_dtypes`` names the integer ones
    it takes too (PyTorch 2.13 on the CPU: conv2d all of them, avg_pool2d int64, ...).
    """
    if tensor.dtype.is_floating_point or tensor.dtype.name in integer_dtypes:
        return
    raise NotImplementedError(
        f'"{op_name}" not implemented for \'{scalar_name(tensor)}\' ({tensor.dtype} tensors). '
        f"Convert to floating point first: x = x.float().")


def check_positive(values, name, allow_zero=False):
    if any(v < 0 or (v == 0 and not allow_zero) for v in values):
        kind = "negative" if allow_zero else "non-positive"
        raise RuntimeError(f"{kind} {name} is not supported (got {name}={list(values)})")


def check_groups(groups, weight):
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported (got groups={groups})")
    if weight.shape[0] % groups != 0:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(weight.shape)}] instead")


def check_channels(input, weight, groups, batched, transposed):
    channels = input.shape[1] if batched else input.shape[0]
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if channels != expected:
        shown = list(input.shape) if batched else [1, *input.shape]
        raise RuntimeError(
            f"Given {'transposed=1' if transposed else f'groups={groups}'}, weight of size "
            f"{list(weight.shape)}, expected input{shown} to have {expected} channels, but got "
            f"{channels} channels instead. Channels are dimension {1 if batched else 0} of the "
            f"input; check the previous layer's out_channels, or whether the image is "
            f"channels-last (N, H, W, C): then use x.permute(0, 3, 1, 2).")


def check_bias(bias, size, weight):
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != size):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {size} elements, but got bias of size "
                           f"{list(bias.shape)} instead")


def padding_pairs(padding, kernel_size, stride, dilation, dims):
    """Padding as (before, after) pairs; 'valid' is none, 'same' keeps the size (stride 1)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}' (use 'same', 'valid' or "
                               f"numbers)")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        # The window spans d*(k-1) + 1 inputs; pad d*(k-1) in all, the extra one at the end.
        totals = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
        return tuple((total // 2, total - total // 2) for total in totals)
    return tuple((p, p) for p in padding)


def check_kernel_fits(spatial_shape, kernel_size, padding, dilation):
    padded = [size + before + after for size, (before, after) in zip(spatial_shape, padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation)]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
            f"actual input size. Use a smaller kernel, add padding, or remove a pooling layer "
            f"before this one: each one shrinks the feature maps.")
