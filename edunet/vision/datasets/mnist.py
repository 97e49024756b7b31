"""MNIST and Fashion-MNIST: 28x28 grey images in 10 classes, as torchvision's datasets.

    train_set = MNIST("data", train=True, download=True, transform=ToTensor())
    image, label = train_set[0]          # (1, 28, 28) float32 in [0, 1], and an int

The files are the official gzip-compressed IDX files, kept where torchvision
keeps them (``root/MNIST/raw/``, ``root/FashionMNIST/raw/``), so a folder made
by torchvision works here and the other way round. Every file is checked
against its official MD5 before it is read.

No network? ``MNIST.sample()`` and ``FashionMNIST.sample()`` load 2,000 real
test images (200 per class) bundled inside edunet: no download, no root folder.

IDX format: a big-endian header of 32-bit integers (a magic number, then the
sizes), then the uint8 values in row-major order. Images: magic 2051
(0x00000803), count, rows, columns. Labels: magic 2049 (0x00000801), count.
"""

import gzip
import math
import os
import struct
from pathlib import Path

import numpy

from edunet import creation
from edunet.vision.datasets.utils import calculate_md5, download_from_mirrors
from edunet.vision.datasets.vision import VisionDataset

SAMPLES_FOLDER = Path(__file__).resolve().parents[2] / "data" / "samples"
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801
MAX_IDX_VALUES = 2 ** 30  # MNIST's training images are 47 million values; EMNIST's 2**28


# ------------------------------------------------------------------ reading IDX files
def _open(path):
    return gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")


def _read_idx(path, magic, dimensions):
    """The uint8 array stored in an IDX file (.gz or not), checking its header first.

    The header says how many values follow, and a damaged or hostile file can claim
    billions: the claim is checked against a limit and against the file's real size
    before any memory is taken for the values.
    """
    with _open(path) as file:
        try:
            header = file.read(4 * (1 + dimensions))
        except (OSError, EOFError) as error:  # e.g. not gzip data at all
            raise RuntimeError(f"{path} can't be read as an IDX file: {error}.") from None
        if len(header) < 4 * (1 + dimensions):
            raise RuntimeError(f"{path} is too short to be an IDX file.")
        found_magic, *shape = struct.unpack(f">{1 + dimensions}I", header)
        if found_magic != magic:
            raise RuntimeError(f"{path} is not an IDX file of this kind: its magic number is "
                               f"{found_magic:#010x}, expected {magic:#010x}.")
        _check_idx_size(path, shape, len(header))
        array = numpy.empty(shape, dtype=numpy.uint8)
        try:
            complete = file.readinto(memoryview(array).cast("B")) == array.size
            complete = complete and not file.read(1)
        except (OSError, EOFError) as error:  # a truncated or damaged .gz
            raise RuntimeError(f"{path} is damaged: {error}.") from None
        if not complete:
            raise RuntimeError(f"{path} has a header for shape {tuple(shape)} but not as many "
                               f"values; the file is damaged.")
    return array


def _check_idx_size(path, shape, header_size):
    """Refuse a header that claims more values than the file can hold, before reading."""
    values = math.prod(shape)
    if values > MAX_IDX_VALUES:
        raise RuntimeError(f"{path} claims a shape of {tuple(shape)} ({values:,} values), more "
                           f"than any MNIST-style file (at most {MAX_IDX_VALUES:,}); the file "
                           f"is damaged or not what it claims to be.")
    if str(path).endswith(".gz"):
        # gzip ends with the uncompressed size modulo 2**32: compare before reading.
        with open(path, "rb") as raw:
            raw.seek(-4, os.SEEK_END)
            stored_size = struct.unpack("<I", raw.read(4))[0]
        if stored_size != (header_size + values) % 2 ** 32:
            raise RuntimeError(f"{path} claims a shape of {tuple(shape)} but holds "
                               f"{stored_size - header_size} values; the file is damaged.")
    elif os.path.getsize(path) != header_size + values:
        raise RuntimeError(f"{path} claims a shape of {tuple(shape)} but holds "
                           f"{os.path.getsize(path) - header_size} values; the file is damaged.")


def read_image_file(path):
    """Images (N, rows, columns) uint8 from an IDX file."""
    return _read_idx(path, IMAGES_MAGIC, 3)


def read_label_file(path):
    """Labels (N,) as int64 from an IDX file."""
    return _read_idx(path, LABELS_MAGIC, 1).astype(numpy.int64)


# ------------------------------------------------------------------ the datasets
class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ handwritten digits: 60,000 training
    and 10,000 test images, 28x28, labels 0-9.

    Args:
        root: folder holding ``MNIST/raw/`` (made for you with ``download=True``).
        train: the training split (True) or the test split (False).
        transform: applied to each image, e.g. ``transforms.ToTensor()``.
        target_transform: applied to each label.
        download: fetch the official files (checked against their MD5s) into
            ``root/MNIST/raw/`` unless verified copies are already there.

    Attributes: ``data`` (uint8 tensor N x 28 x 28), ``targets`` (int64 tensor N),
    ``classes`` and ``class_to_idx``.

    ``dataset[i]`` is ``(image, label)``. Without a transform the image is a
    28x28 uint8 NumPy array (torchvision gives a PIL image here; edunet doesn't
    need Pillow), which ``transforms.ToTensor()`` turns into a (1, 28, 28)
    float tensor, as it does a PIL image.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "https://storage.googleapis.com/cvdf-datasets/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]
    sample_files = ("mnist-t10k-sample-images-idx3-ubyte.gz",
                    "mnist-t10k-sample-labels-idx1-ubyte.gz")

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self.is_sample = False
        if download:
            self.download()
        images_file, labels_file = self.resources[:2] if train else self.resources[2:]
        images = read_image_file(self._verified_path(*images_file))
        labels = read_label_file(self._verified_path(*labels_file))
        self._keep(images, labels)

    @classmethod
    def sample(cls, transform=None, target_transform=None):
        """The small real sample bundled with edunet: no network, no files of your own.

        2,000 images of the official *test* split, the first 200 of each class in
        file order (see edunet/data/samples/README.md). It behaves like the full
        data set: ``data``, ``targets``, ``classes``, transforms and indexing.

        >>> test_sample = FashionMNIST.sample(transform=transforms.ToTensor())
        """
        dataset = cls.__new__(cls)
        VisionDataset.__init__(dataset, None, transform=transform,
                               target_transform=target_transform)
        dataset.train = False
        dataset.is_sample = True
        images_file, labels_file = (SAMPLES_FOLDER / name for name in cls.sample_files)
        dataset._keep(read_image_file(images_file), read_label_file(labels_file))
        return dataset

    def _keep(self, images, labels):
        if len(images) != len(labels):
            raise RuntimeError(f"{type(self).__name__} has {len(images)} images but {len(labels)} "
                               f"labels; the files don't belong together.")
        self.data = creation.from_numpy(images)
        self.targets = creation.from_numpy(labels)

    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self):
        return {name: index for index, name in enumerate(self.classes)}

    def _offline_advice(self):
        names = ", ".join(filename for filename, _ in self.resources)
        return (f"To work offline, copy the official files ({names}) into {self.raw_folder}/ "
                f"(they are checked against their MD5s), or use the 2,000-image sample bundled "
                f"with edunet, which needs neither network nor files: "
                f"edunet.vision.datasets.{type(self).__name__}.sample()")

    def _verified_path(self, filename, md5):
        """The path of a raw file we may read: the official .gz with a matching MD5, or
        (torchvision extracts the archives next to them) the uncompressed file."""
        path = os.path.join(self.raw_folder, filename)
        if os.path.isfile(path):
            actual = calculate_md5(path)
            if actual != md5:
                raise RuntimeError(f"{path} is corrupted: its MD5 is {actual}, the official file's "
                                   f"is {md5}. edunet won't read it. Delete it and use "
                                   f"download=True, or copy an intact file there.")
            return path
        uncompressed = path[:-len(".gz")]
        if os.path.isfile(uncompressed):
            return uncompressed  # no official checksum for these; _read_idx checks the header
        raise RuntimeError(f"Dataset not found. You can use download=True to download it. "
                           f"{filename} is not in {self.raw_folder}/.\n" + self._offline_advice())

    def download(self):
        """Fetch the four official files into ``raw_folder``, skipping verified copies."""
        for filename, md5 in self.resources:
            download_from_mirrors(filename, self.mirrors, self.raw_folder, md5,
                                  self._offline_advice())

    def __getitem__(self, index):
        image = self.data.array[index].copy()  # a copy, so a transform can't change the data set
        target = int(self.targets.array[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        split = "Train" if self.train is True else "Test"
        if self.is_sample:
            return f"Split: {split}\nSample: {len(self)} images bundled with edunet"
        return f"Split: {split}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: 28x28 grey
    photos of clothing in 10 classes (60,000 training, 10,000 test images), a
    drop-in replacement for MNIST that is harder to classify.

    Same arguments and attributes as :class:`MNIST`; the files live in
    ``root/FashionMNIST/raw/``. Fashion-MNIST is MIT licensed, (c) 2017 Zalando SE.
    """

    mirrors = [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    sample_files = ("fashion-mnist-t10k-sample-images-idx3-ubyte.gz",
                    "fashion-mnist-t10k-sample-labels-idx1-ubyte.gz")
