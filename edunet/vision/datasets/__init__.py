"""Image data sets with torchvision's names, arguments and folder layout.

mnist.py    MNIST, FashionMNIST (and a 2,000-image sample of each, bundled: ``.sample()``)
cifar.py    CIFAR10 (pickled batches, read with a restricted unpickler)
vision.py   VisionDataset, the base class: root, transforms, printing
utils.py    downloading: MD5 checks, progress bar, atomic writes, mirrors
"""

from edunet.vision.datasets.cifar import CIFAR10
from edunet.vision.datasets.mnist import MNIST, FashionMNIST
from edunet.vision.datasets.vision import VisionDataset

__all__ = ["CIFAR10", "FashionMNIST", "MNIST", "VisionDataset"]
