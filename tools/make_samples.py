"""Cut the small MNIST and Fashion-MNIST samples bundled in edunet/data/samples/.

    python tools/make_samples.py [--source ../shared/data] [--output edunet/data/samples]

From each official *test* file it keeps the first 200 images of every class, in
file order (2,000 images, 10 classes, balanced), and writes them in the
official format (gzip-compressed IDX) so edunet reads them with the same code
as the full files. The official files are checked against their MD5s first
(both the source folder's MD5SUMS and the checksums edunet knows), and the
output is byte-for-byte repeatable: gzip's timestamp and file name are left out.
"""

import argparse
import gzip
import hashlib
import struct
import sys
from pathlib import Path

import numpy

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))  # use this checkout's edunet, installed or not

from edunet.vision.datasets.mnist import (IMAGES_MAGIC, LABELS_MAGIC, MNIST,  # noqa: E402
                                          FashionMNIST, read_image_file, read_label_file)

PER_CLASS = 200
DATASETS = [("mnist", MNIST), ("fashion-mnist", FashionMNIST)]  # (source subfolder, class)


def md5_of(path):
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def check_source(source):
    """Every file listed in MD5SUMS, and every test file edunet uses, has the official MD5."""
    listed = {}
    for line in (source / "MD5SUMS").read_text().splitlines():
        md5, name = line.split()
        listed[name.lstrip("*")] = md5
    for name, md5 in listed.items():
        if md5_of(source / name) != md5:
            sys.exit(f"{source / name}: MD5 doesn't match MD5SUMS; not cutting a sample from it.")
    for folder, dataset in DATASETS:
        for filename, official_md5 in dataset.resources[2:]:
            if listed.get(f"{folder}/{filename}") != official_md5:
                sys.exit(f"{folder}/{filename}: not listed in MD5SUMS with the official MD5.")


def first_of_each_class(labels, per_class):
    """Indices of the first ``per_class`` samples of each class, in file order."""
    chosen = [numpy.flatnonzero(labels == label)[:per_class] for label in numpy.unique(labels)]
    return numpy.sort(numpy.concatenate(chosen))


def write_idx(path, magic, array):
    """An IDX file (big-endian header, then the uint8 values), gzip-compressed repeatably."""
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                compresslevel=9) as file:
        file.write(header + numpy.ascontiguousarray(array, dtype=numpy.uint8).tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPOSITORY.parent / "shared" / "data")
    parser.add_argument("--output", type=Path, default=REPOSITORY / "edunet" / "data" / "samples")
    arguments = parser.parse_args()
    check_source(arguments.source)
    arguments.output.mkdir(parents=True, exist_ok=True)
    for folder, dataset in DATASETS:
        (images_name, _), (labels_name, _) = dataset.resources[2:]
        images = read_image_file(arguments.source / folder / images_name)
        labels = read_label_file(arguments.source / folder / labels_name)
        keep = first_of_each_class(labels, PER_CLASS)
        images_path, labels_path = (arguments.output / name for name in dataset.sample_files)
        write_idx(images_path, IMAGES_MAGIC, images[keep])
        write_idx(labels_path, LABELS_MAGIC, labels[keep].astype(numpy.uint8))
        for path in (images_path, labels_path):
            print(f"{path}: {path.stat().st_size:,} bytes, md5 {md5_of(path)}")


if __name__ == "__main__":
    main()
