"""Dataset readers on hostile and broken files: refused with the file's name, before
any large allocation (IDX headers claiming absurd sizes, truncation, wrong magic
numbers, gzip that isn't), and CIFAR pickles that try to run code or are cut short."""

import gzip
import pickle
import struct
import tracemalloc

import numpy
import pytest

from edunet.vision.datasets import cifar, mnist


def write_idx(path, magic, shape, payload, compress=None):
    data = struct.pack(f">{1 + len(shape)}I", magic, *shape) + payload
    if compress if compress is not None else str(path).endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_a_well_formed_idx_file_reads(tmp_path, suffix):
    """The writer is right: an honest file gives its values back."""
    images = numpy.arange(2 * 3 * 4, dtype=numpy.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / f"images{suffix}", mnist.IMAGES_MAGIC, (2, 3, 4), images.tobytes())
    numpy.testing.assert_array_equal(mnist.read_image_file(path), images)
    labels = write_idx(tmp_path / f"labels{suffix}", mnist.LABELS_MAGIC, (3,), bytes([7, 8, 9]))
    assert mnist.read_label_file(labels).tolist() == [7, 8, 9]


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("shape", [(2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1), (60000, 28000, 28),
                                   (100, 28, 28)])
def test_an_absurd_or_false_header_is_refused_before_allocating(tmp_path, suffix, shape):
    path = write_idx(tmp_path / f"images{suffix}", mnist.IMAGES_MAGIC, shape, bytes(28 * 28))
    tracemalloc.start()
    try:
        with pytest.raises(RuntimeError, match=f"{path.name} claims a shape of"):
            mnist.read_image_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2 ** 20, f"{peak} bytes allocated for a file of {path.stat().st_size}"


def test_a_gzip_whose_stored_size_lies_is_still_refused_as_damaged(tmp_path):
    """The gzip trailer can be forged to match the header; the values then run out."""
    path = write_idx(tmp_path / "images.gz", mnist.IMAGES_MAGIC, (10, 28, 28), bytes(28 * 28))
    data = bytearray(path.read_bytes())
    data[-4:] = struct.pack("<I", 16 + 10 * 28 * 28)
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="images.gz"):
        mnist.read_image_file(path)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_truncated_files_are_refused(tmp_path, suffix):
    full = write_idx(tmp_path / "full", mnist.IMAGES_MAGIC, (4, 28, 28), bytes(4 * 28 * 28),
                     compress=False).read_bytes()
    path = tmp_path / f"cut{suffix}"
    for cut in (3, 10, len(full) - 1):
        data = full[:cut]
        path.write_bytes(gzip.compress(data) if suffix else data)
        with pytest.raises(RuntimeError, match=f"cut{suffix}"):
            mnist.read_image_file(path)
    if suffix:  # a .gz cut in the middle of its compressed stream
        path.write_bytes(gzip.compress(full)[:-20])
        with pytest.raises(RuntimeError, match="cut.gz"):
            mnist.read_image_file(path)


def test_wrong_magic_numbers_and_non_gzip_data_are_refused(tmp_path):
    labels = write_idx(tmp_path / "labels", mnist.LABELS_MAGIC, (30,), bytes(30))
    with pytest.raises(RuntimeError, match="labels is not an IDX file of this kind"):
        mnist.read_image_file(labels)
    not_gzip = tmp_path / "images.gz"
    not_gzip.write_bytes(b"this is not gzip data at all, only text" * 4)
    with pytest.raises(RuntimeError, match="images.gz"):
        mnist.read_image_file(not_gzip)


def test_extra_values_after_the_declared_shape_are_refused(tmp_path):
    path = write_idx(tmp_path / "labels", mnist.LABELS_MAGIC, (3,), bytes(4))
    with pytest.raises(RuntimeError, match="labels"):
        mnist.read_label_file(path)


class RunsCode:
    def __reduce__(self):
        return (numpy.load, ("somewhere.npy",))


@pytest.mark.parametrize("payload", [
    pickle.dumps({"data": RunsCode()}, protocol=2),
    # GLOBAL opcodes naming dangerous callables directly
    b"cbuiltins\nexec\n(S'import os'\ntR.",
    b"cos\nsystem\n(S'true'\ntR.",
    b"csubprocess\ncall\n(S'true'\ntR.",
    b"cnumpy\nload\n(S'x'\ntR.",
    b"cnumpy.core.multiarray\nscalar\n(tR.",
    b"c__builtin__\ngetattr\n(cbuiltins\nobject\nS'x'\ntR.",
])
def test_cifar_pickles_asking_for_any_other_callable_are_refused(tmp_path, payload):
    path = tmp_path / "evil_batch"
    path.write_bytes(payload)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        cifar.load_pickle(path)


@pytest.mark.parametrize("cut", [0, 1, 20, -5])
def test_truncated_cifar_pickles_give_one_clear_error(tmp_path, cut):
    batch = {"data": numpy.zeros((2, 3072), numpy.uint8), "labels": [0, 1]}
    path = tmp_path / "data_batch_1"
    data = pickle.dumps(batch, protocol=3)  # bytes as BINBYTES, as the official files hold str
    path.write_bytes(data[:cut])
    with pytest.raises((RuntimeError, pickle.UnpicklingError), match="data_batch_1|pickle"):
        cifar.load_pickle(path)


def test_a_cifar_array_claiming_more_bytes_than_it_holds_is_refused(tmp_path):
    """An array's pickled state names its shape and its bytes; a mismatch is an error."""
    array = numpy.zeros((2, 3072), numpy.uint8)
    data = pickle.dumps({"data": array, "labels": [0, 1]}, protocol=3)
    forged = data.replace(struct.pack("<H", 3072), struct.pack("<H", 9999), 1)
    assert forged != data
    path = tmp_path / "data_batch_1"
    path.write_bytes(forged)
    with pytest.raises(RuntimeError, match="data_batch_1"):
        cifar.load_pickle(path)
