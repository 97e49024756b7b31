"""Turn tensors into TensorBoard summaries: scalars, images (PNG), histograms, text, graphs.

Each function returns the bytes of one ``Summary.Value`` (see proto.py); the
writer wraps them in an Event. Images are encoded as PNG here, with the standard
library's ``zlib`` (no Pillow needed).
"""

import math
import struct
import zlib

import numpy

from edunet.utils.tensorboard import proto


def to_numpy(value):
    """A NumPy array from an edunet tensor (any device), a NumPy array or a number."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().numpy()
    return numpy.asarray(value)


def scalar(tag, value):
    return proto.summary_value(tag, simple_value=float(to_numpy(value)))


# ---------------------------------------------------------------------- images
def png(pixels):
    """PNG bytes of an (H, W, 3) or (H, W, 4) uint8 array.

    A PNG file is a signature and chunks (length, type, data, CRC-32): IHDR (size,
    8 bits per channel, colour type 2 = RGB or 6 = RGBA), IDAT (the rows, each
    prefixed by filter type 0 = "none", compressed with zlib) and IEND.
    """
    height, width, channels = pixels.shape

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 6, 0, 0, 0)
    rows = numpy.concatenate([numpy.zeros((height, 1), numpy.uint8),
                              pixels.reshape(height, width * channels)], axis=1)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))


def to_hwc(array, dataformats):
    """An image as (H, W, C) with 3 or 4 channels, from "CHW", "HWC", "HW" (grey) and so on;
    a batch ("NCHW", "NHWC") becomes a grid of 8 images per row."""
    dataformats = dataformats.upper()
    if len(set(dataformats)) != len(dataformats) or array.ndim != len(dataformats):
        raise ValueError(f"dataformats {dataformats!r} does not match an image of shape "
                         f"{list(array.shape)}: give one letter per dimension, e.g. 'CHW' for "
                         f"(3, 32, 32) or 'NCHW' for a batch (16, 3, 32, 32)")
    if "N" in dataformats:
        array = array.transpose([dataformats.index(letter) for letter in "NCHW"
                                 if letter in dataformats])
        return to_hwc(image_grid(array if array.ndim == 4 else array[:, None]), "CHW")
    if "C" not in dataformats:                           # grey: repeat it as R, G and B
        array = array.transpose([dataformats.index("H"), dataformats.index("W")])
        return numpy.stack([array] * 3, axis=2)
    array = array.transpose([dataformats.index(letter) for letter in "HWC"])
    return numpy.concatenate([array] * 3, axis=2) if array.shape[2] == 1 else array


def image_grid(batch, columns=8):
    """(N, C, H, W) images side by side: a (C, rows * H, columns * W) picture."""
    count, channels, height, width = batch.shape
    columns = min(columns, count)
    rows = math.ceil(count / columns)
    grid = numpy.zeros((channels, rows * height, columns * width), dtype=batch.dtype)
    for index in range(count):
        row, column = divmod(index, columns)
        grid[:, row * height:(row + 1) * height, column * width:(column + 1) * width] = batch[index]
    return grid


def image(tag, pixels, dataformats="CHW"):
    """An image summary. Floats are taken to lie in [0, 1]: scaled by 255 and cut to
    integers (as PyTorch does, without rounding); uint8 values are used as they are."""
    pixels = to_hwc(to_numpy(pixels), dataformats)
    if pixels.dtype != numpy.uint8:
        pixels = (pixels * 255).clip(0, 255).astype(numpy.uint8)
    height, width, channels = pixels.shape
    return proto.summary_value(tag, image=proto.image(height, width, channels, png(pixels)))


# ------------------------------------------------------------------ histograms
def tensorflow_bins():
    """TensorFlow's default bucket edges: 0, and +-1e-12 growing by 10% up to 1e20."""
    positive = [1e-12]
    while positive[-1] * 1.1 < 1e20:
        positive.append(positive[-1] * 1.1)
    return [-edge for edge in reversed(positive)] + [0.0] + positive


def histogram(tag, values, bins="tensorflow", max_bins=None):
    """A histogram summary. TensorBoard stores each bucket's right edge only, so the
    first kept bucket is preceded by an empty one whose right edge is its left edge;
    empty buckets before the first and after the last value are left out."""
    values = to_numpy(values).astype(numpy.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("add_histogram got no values: the histogram of an empty tensor is empty")
    if isinstance(bins, str) and bins == "tensorflow":
        bins = tensorflow_bins()
    counts, edges = numpy.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:  # merge neighbouring buckets
        group = len(counts) // max_bins
        padding = -len(counts) % group
        counts = numpy.concatenate([counts, numpy.zeros(padding, counts.dtype)])
        counts = counts.reshape(-1, group).sum(axis=1)
        edges = numpy.concatenate([edges[:-1:group], edges[-1:]])
    used = numpy.flatnonzero(counts)
    first, last = (used[0], used[-1]) if used.size else (0, len(counts) - 1)
    bucket_counts = [0.0] + counts[first:last + 1].astype(numpy.float64).tolist()
    bucket_limits = edges[first:last + 2].tolist()
    return proto.summary_value(tag, histogram=proto.histogram(
        values.min(), values.max(), values.size, values.sum(), values.dot(values),
        bucket_limits, bucket_counts))


def text(tag, text_string):
    """A text summary (TensorBoard's "text" plugin: a string tensor with plugin metadata),
    tagged ``<tag>/text_summary`` as PyTorch does."""
    return proto.summary_value(f"{tag}/text_summary", tensor=proto.string_tensor([text_string]),
                               metadata=proto.plugin_metadata("text"))
