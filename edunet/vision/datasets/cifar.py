"""CIFAR-10: 60,000 small colour photos (32x32x3) in 10 classes, as torchvision's dataset.

    train_set = CIFAR10("data", train=True, download=True, transform=ToTensor())
    image, label = train_set[0]        # (3, 32, 32) float32 in [0, 1], and an int

The official "python version" is one archive, ``cifar-10-python.tar.gz``
(170 MB), holding six batches of 10,000 images (``data_batch_1`` to
``data_batch_5`` for training, ``test_batch``) and ``batches.meta``, the
class names. Each batch is a dict ``{"data": uint8 array (10000, 3072),
"labels": [10000 ints], ...}`` saved with Python's pickle.

Pickle files can run code when loaded, so edunet reads them with a *restricted*
unpickler that builds only what these files contain (dicts, lists, strings,
numbers and NumPy uint8 arrays) and refuses anything else. The archive's MD5 is
checked before it is unpacked, and each batch's MD5 before it is read.
"""

import os
import pickle

import numpy

from edunet.vision.datasets.utils import check_integrity, download_and_extract_archive
from edunet.vision.datasets.vision import VisionDataset

# numpy's array-rebuilding function; its module is numpy.core.multiarray in NumPy 1
# (the name inside the official files) and numpy._core.multiarray in NumPy 2.
_RECONSTRUCT = numpy.ndarray((0,)).__reduce__()[0]
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): numpy.ndarray,
    ("numpy", "dtype"): numpy.dtype,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that may only create NumPy arrays, besides plain Python data.

    A pickle names the functions it wants called (``find_class``); a malicious
    one names ``os.system`` or ``builtins.eval``. We answer only the three
    names an array needs and refuse every other.
    """

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return _ALLOWED_GLOBALS[module, name]
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name}: a CIFAR file holds only lists, strings, numbers "
            f"and NumPy arrays, and this one asks for something that could run code. Don't use "
            f"it; download the official archive again.")


def load_pickle(path):
    """Read a CIFAR pickle safely (Python 2 strings are decoded as latin1, as they were saved)."""
    with open(path, "rb") as file:
        try:
            return RestrictedUnpickler(file, encoding="latin1").load()
        except pickle.UnpicklingError:
            raise  # including the refusals above, which say what was asked for
        except (EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
                OverflowError, MemoryError) as error:
            raise RuntimeError(f"{path} is not a readable CIFAR file ({type(error).__name__}: "
                               f"{error}); it is truncated or damaged. Download the official "
                               f"archive again.") from None


def _check_batch(entry, path):
    """A batch must be {"data": uint8 (N, 3072), "labels" or "fine_labels": N ints}."""
    data = entry.get("data") if isinstance(entry, dict) else None
    labels = entry.get("labels", entry.get("fine_labels")) if isinstance(entry, dict) else None
    if (not isinstance(data, numpy.ndarray) or data.dtype != numpy.uint8 or data.ndim != 2
            or data.shape[1] != 3 * 32 * 32 or not isinstance(labels, list)
            or len(labels) != len(data)):
        raise RuntimeError(f"{path} is not a CIFAR batch: expected a dict with 'data', a uint8 "
                           f"array (N, 3072), and N 'labels'.")
    return data, labels


class CIFAR10(VisionDataset):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: 50,000 training and
    10,000 test colour images, 32x32, in 10 classes (airplane ... truck).

    Args:
        root: the folder holding ``cifar-10-batches-py/`` (or the archive).
        train: the training batches (True) or the test batch (False).
        transform / target_transform: applied to each image / label.
        download: fetch and unpack the official archive into ``root`` unless the
            verified batches are already there; a verified archive already in
            ``root`` is unpacked without downloading.

    Attributes, as torchvision: ``data`` (a uint8 NumPy array N x 32 x 32 x 3,
    channels last), ``targets`` (a list of ints), ``classes``, ``class_to_idx``.
    ``dataset[i]`` is ``(image, label)`` where the image is a (32, 32, 3) uint8
    NumPy array (torchvision gives a PIL image) until a transform changes it.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        problems = self._integrity_problems()
        if problems:
            lines = ["Dataset not found or corrupted. You can use download=True to download it."]
            raise RuntimeError("\n".join(lines + problems + [self._offline_advice()]))
        images, self.targets = [], []
        for filename, _ in self.train_list if train else self.test_list:
            path = os.path.join(self.root, self.base_folder, filename)
            data, labels = _check_batch(load_pickle(path), path)
            images.append(data)
            self.targets.extend(int(label) for label in labels)
        # Each row is 1024 red, then 1024 green, then 1024 blue values: (N, 3, 32, 32).
        # Images are kept channels last (N, 32, 32, 3), like PIL and torchvision.
        channels_first = numpy.vstack(images).reshape(-1, 3, 32, 32)
        self.data = numpy.ascontiguousarray(channels_first.transpose(0, 2, 3, 1))
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use "
                               "download=True to download it")
        self.classes = list(load_pickle(path)[self.meta["key"]])
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}

    def _integrity_problems(self):
        """One line per batch file that is missing or whose MD5 isn't the official one."""
        problems = []
        for filename, md5 in self.train_list + self.test_list:
            path = os.path.join(self.root, self.base_folder, filename)
            if not os.path.isfile(path):
                problems.append(f"  {path} is missing")
            elif not check_integrity(path, md5):
                problems.append(f"  {path} is corrupted (its MD5 is not the official {md5})")
        return problems

    def _check_integrity(self):
        return not self._integrity_problems()

    def _offline_advice(self):
        return (f"To work offline, copy the official {self.filename} (MD5 {self.tgz_md5}) into "
                f"{self.root}/ and pass download=True (a verified archive there is unpacked, "
                f"nothing is downloaded), or copy its unpacked {self.base_folder}/ folder there.")

    def download(self):
        """Fetch and unpack the official archive, unless the verified batches are there."""
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5, offline_advice=self._offline_advice())

    def __getitem__(self, index):
        image, target = self.data[index].copy(), self.targets[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"
