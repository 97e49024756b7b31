"""Image transforms with torchvision's names: prepare and augment images for a network.

    transform = transforms.Compose([
        transforms.RandomCrop(28, padding=2),        # augmentation, on the image
        transforms.ToTensor(),                       # uint8 (H, W) -> float32 (1, H, W) in [0, 1]
        transforms.Normalize((0.1307,), (0.3081,)),  # (x - mean) / std, per channel
    ])
    dataset = MNIST(root, transform=transform)

Images come in two layouts:

- *before* ``ToTensor``: an (H, W) or (H, W, C) uint8 NumPy array (what edunet's
  datasets return; torchvision gives a PIL image there, and PIL images work
  here too when Pillow is installed);
- *after* ``ToTensor``: a tensor (..., C, H, W), channels first.

Flips and crops accept both layouts and return the same kind they were given.
Random choices come from ``edunet.random.default_generator``, so
``edunet.manual_seed(0)`` makes an augmented epoch repeatable. Transforms
prepare data before it reaches a model: flips, crops and padding record no
gradients.
"""

import numbers
from collections.abc import Sequence

import numpy

from edunet import creation, dtypes
from edunet.backend import get_array_module
from edunet.random import default_generator
from edunet.tensor import Tensor

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")
_PIL_MODE_DTYPES = {"I": numpy.int32, "I;16": numpy.int16, "F": numpy.float32}


def _is_pil_image(image):
    return type(image).__module__.startswith("PIL.")  # no need to import Pillow to ask


# ------------------------------------------------------------------ one helper per image layout
def _image_array(image):
    """(array, height_axis) of an image: tensors are (..., H, W), arrays and PIL (H, W, ...)."""
    if isinstance(image, Tensor):
        if image.ndim < 2:
            raise TypeError(f"a tensor image needs at least 2 dimensions (..., H, W); got shape "
                            f"{tuple(image.shape)}")
        return image.array, image.ndim - 2
    if isinstance(image, numpy.ndarray) and image.ndim in (2, 3):
        return image, 0
    if _is_pil_image(image):
        return numpy.asarray(image), 0
    raise TypeError(f"img should be a tensor (..., H, W), an (H, W) or (H, W, C) NumPy array or a "
                    f"PIL Image. Got {type(image)}")


def _same_kind(image, array):
    """``array`` as the kind of image we were given (a tensor, an array or a PIL image)."""
    if isinstance(image, Tensor):
        return Tensor._make(array)
    if _is_pil_image(image):
        from PIL import Image
        return Image.fromarray(array)
    return array


def _get_dimensions(image):
    """[channels, height, width] of an image in either layout."""
    array, height_axis = _image_array(image)
    height, width = array.shape[height_axis], array.shape[height_axis + 1]
    if height_axis == 0:
        channels = array.shape[2] if array.ndim == 3 else 1
    else:
        channels = array.shape[-3] if array.ndim >= 3 else 1
    return [channels, height, width]


def _flip(image, flip_width):
    array, height_axis = _image_array(image)
    xp = get_array_module(array)
    axis = height_axis + 1 if flip_width else height_axis
    return _same_kind(image, xp.ascontiguousarray(xp.flip(array, axis)))


def _crop(image, top, left, height, width):
    array, height_axis = _image_array(image)
    window = [slice(None)] * array.ndim
    window[height_axis] = slice(top, top + height)
    window[height_axis + 1] = slice(left, left + width)
    return _same_kind(image, array[tuple(window)].copy())


def _pad(image, padding, fill, padding_mode):
    """Add ``padding`` = (left, top, right, bottom) pixels around the image.

    constant: the new pixels are ``fill`` (one number, or one per channel);
    edge: copies of the border pixel; reflect: the mirror image without the
    border (``3 2 | 1 2 3 4 | 3 2``); symmetric: with it (``2 1 | 1 2 3 4 | 4 3``).
    """
    array, height_axis = _image_array(image)
    xp = get_array_module(array)
    left, top, right, bottom = padding
    widths = [(0, 0)] * array.ndim
    widths[height_axis], widths[height_axis + 1] = (top, bottom), (left, right)
    if padding_mode != "constant":
        return _same_kind(image, xp.pad(array, widths, mode=padding_mode))
    new_shape = [size + before + after for size, (before, after) in zip(array.shape, widths)]
    padded = xp.empty(new_shape, dtype=array.dtype)
    fill = xp.asarray(fill, dtype=array.dtype)
    if fill.ndim == 1 and height_axis != 0:  # one fill per channel of a (C, H, W) tensor
        fill = fill.reshape(-1, 1, 1)
    padded[...] = fill
    inside = tuple(slice(before, before + size) for size, (before, _) in zip(array.shape, widths))
    padded[inside] = array
    return _same_kind(image, padded)


def _padding_left_top_right_bottom(padding):
    """torchvision's padding argument: p (all sides), (left/right, top/bottom) or 4 sides."""
    if isinstance(padding, numbers.Number):
        return (int(padding),) * 4
    if len(padding) == 1:
        return (int(padding[0]),) * 4
    if len(padding) == 2:
        return (int(padding[0]), int(padding[1])) * 2
    return tuple(int(side) for side in padding)


def _check_padding(padding, fill, padding_mode):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if padding_mode not in PADDING_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")


def _size_pair(size):
    """An int size means a square: 32 -> (32, 32)."""
    if isinstance(size, numbers.Number):
        return (int(size), int(size))
    if isinstance(size, Sequence) and len(size) == 1:
        return (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    return tuple(size)


# ------------------------------------------------------------------ the transforms
class Compose:
    """Apply several transforms one after another: ``Compose([t1, t2])(x)`` is ``t2(t1(x))``."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, image):
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self):
        lines = [f"{type(self).__name__}("] + [f"    {transform}" for transform in self.transforms]
        return "\n".join(lines) + "\n)"


class ToTensor:
    """An image (H, W) or (H, W, C) -> a tensor (C, H, W), uint8 values scaled to [0, 1].

    For uint8 pixels p in 0..255 the result is the float32 value p / 255. Other
    dtypes (a float image, say) only change layout, not values, as in torchvision.
    Accepts NumPy arrays and, when Pillow is installed, PIL images.

    >>> ToTensor()(numpy.full((28, 28), 255, numpy.uint8)).shape   # (1, 28, 28), all 1.0
    """

    def __call__(self, pic):
        if _is_pil_image(pic):
            array = numpy.array(pic, dtype=_PIL_MODE_DTYPES.get(pic.mode, numpy.uint8), copy=True)
            if pic.mode == "1":  # black and white pixels arrive as 0/1
                array = 255 * array
        elif isinstance(pic, numpy.ndarray):
            array = pic
        else:
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}. (A tensor "
                            f"needs no ToTensor.)")
        if array.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
        if array.ndim == 2:
            array = array[:, :, None]  # a grey image has one channel
        channels_first = numpy.ascontiguousarray(array.transpose(2, 0, 1))
        if channels_first.dtype == numpy.uint8:
            float_type = dtypes.get_default_dtype().numpy_type
            channels_first = channels_first.astype(float_type) / 255
        return creation.from_numpy(channels_first)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Normalize:
    """(x - mean[c]) / std[c] for each channel c of a float tensor (..., C, H, W).

    With the mean and standard deviation of the training set, the inputs have
    mean 0 and std 1 per channel, which makes training faster and steadier.
    ``inplace=True`` overwrites the input instead of making a new tensor.
    """

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}. Put ToTensor() "
                            f"before Normalize.")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {tensor.size()}. ToTensor() adds the channel "
                             f"dimension; x.unsqueeze(0) does too.")
        array = tensor.array
        xp = get_array_module(array)
        mean = xp.asarray(self.mean, dtype=array.dtype)
        std = xp.asarray(self.std, dtype=array.dtype)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading "
                             f"to division by zero.")
        channels = array.shape[-3]
        for name, values in (("mean", mean), ("std", std)):
            if values.ndim == 1 and values.shape[0] not in (1, channels):
                raise RuntimeError(f"{self} has {values.shape[0]} values of {name} for an image "
                                   f"with {channels} channels; give one per channel.")
        if mean.ndim == 1:  # one value per channel, lined up with the C of (..., C, H, W)
            mean = mean.reshape(-1, 1, 1)
        if std.ndim == 1:
            std = std.reshape(-1, 1, 1)
        if self.inplace:
            xp.subtract(array, mean, out=array)
            xp.divide(array, std, out=array)
            return tensor
        return Tensor._make((array - mean) / std)

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Use your own function as a transform: ``Lambda(lambda x: x * 2)``."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, image):
        return self.lambd(image)

    def __repr__(self):
        return f"{type(self).__name__}()"


class RandomHorizontalFlip:
    """Mirror the image left to right with probability ``p``.

    A flipped cat is still a cat: the network sees more varied examples for free.
    """

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, image):
        if default_generator.uniform((1,))[0] < self.p:
            return _flip(image, flip_width=True)
        return image

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror the image top to bottom with probability ``p``."""

    def __call__(self, image):
        if default_generator.uniform((1,))[0] < self.p:
            return _flip(image, flip_width=False)
        return image


class Pad:
    """Add a border: ``padding`` is p (all sides), (left/right, top/bottom) or
    (left, top, right, bottom); ``padding_mode`` is constant (``fill``), edge,
    reflect or symmetric."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        _check_padding(padding, fill, padding_mode)
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, image):
        return _pad(image, _padding_left_top_right_bottom(self.padding), self.fill,
                    self.padding_mode)

    def __repr__(self):
        return (f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, "
                f"padding_mode={self.padding_mode})")


class CenterCrop:
    """The (height, width) window in the middle of the image (zero-padded if it is smaller)."""

    def __init__(self, size):
        self.size = _size_pair(size)

    def __call__(self, image):
        crop_height, crop_width = self.size
        _, height, width = _get_dimensions(image)
        if crop_height > height or crop_width > width:
            padding = ((crop_width - width) // 2 if crop_width > width else 0,
                       (crop_height - height) // 2 if crop_height > height else 0,
                       (crop_width - width + 1) // 2 if crop_width > width else 0,
                       (crop_height - height + 1) // 2 if crop_height > height else 0)
            image = _pad(image, padding, 0, "constant")
            _, height, width = _get_dimensions(image)
        top = int(round((height - crop_height) / 2.0))
        left = int(round((width - crop_width) / 2.0))
        return _crop(image, top, left, crop_height, crop_width)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size})"


class RandomCrop:
    """A (height, width) window at a random place, after optional padding.

    ``RandomCrop(32, padding=4)`` pads a 32x32 image to 40x40, then keeps a
    32x32 window whose top-left corner (i, j) is uniform in {0..8} x {0..8}:
    the picture shifts by up to 4 pixels each way. ``pad_if_needed`` pads
    images smaller than ``size`` on both sides first.
    """

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _size_pair(size)
        if padding is not None:
            _check_padding(padding, fill, padding_mode)
        elif padding_mode not in PADDING_MODES:
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(image, output_size):
        """(top, left, height, width) of a random window of ``output_size`` inside ``image``."""
        _, height, width = _get_dimensions(image)
        crop_height, crop_width = output_size
        if height < crop_height or width < crop_width:
            raise ValueError(f"Required crop size {(crop_height, crop_width)} is larger than input "
                             f"image size {(height, width)}")
        if height == crop_height and width == crop_width:
            return 0, 0, height, width
        top = int(default_generator.integers(0, height - crop_height + 1, (1,))[0])
        left = int(default_generator.integers(0, width - crop_width + 1, (1,))[0])
        return top, left, crop_height, crop_width

    def __call__(self, image):
        if self.padding is not None:
            image = _pad(image, _padding_left_top_right_bottom(self.padding), self.fill,
                         self.padding_mode)
        _, height, width = _get_dimensions(image)
        if self.pad_if_needed and width < self.size[1]:
            extra = self.size[1] - width  # added on the left *and* on the right, as torchvision
            image = _pad(image, (extra, 0, extra, 0), self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            extra = self.size[0] - height
            image = _pad(image, (0, extra, 0, extra), self.fill, self.padding_mode)
        top, left, height, width = self.get_params(image, self.size)
        return _crop(image, top, left, height, width)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"
