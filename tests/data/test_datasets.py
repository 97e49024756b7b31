"""edunet.vision.datasets: official files, checksums, safe downloads, CIFAR pickles, bundled samples.

The tests never touch the network: ``_open_url`` is replaced by a function that
refuses (or by a fake server serving the real files from ../shared/data).
"""

import gzip
import io
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tarfile
import urllib.error
from pathlib import Path

import numpy
import pytest

import edunet
from edunet.utils.data import DataLoader
from edunet.vision import datasets, transforms
from edunet.vision.datasets import cifar, utils

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
SAMPLES = REPOSITORY / "edunet" / "data" / "samples"
KINDS = {"MNIST": (datasets.MNIST, "mnist"), "FashionMNIST": (datasets.FashionMNIST, "fashion-mnist")}
FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz"]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every test runs offline: any attempt to open a URL fails as it would without a network."""
    def refuse(url, timeout=30):
        raise urllib.error.URLError(OSError("network disabled in the tests"))
    monkeypatch.setattr(utils, "_open_url", refuse)


@pytest.fixture(scope="module")
def shared_data():
    if not (SHARED_DATA / "MD5SUMS").is_file():
        pytest.skip(f"the reference data sets are not at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="module")
def official_root(shared_data, tmp_path_factory):
    """A root folder laid out as torchvision expects: root/MNIST/raw/*.gz, root/FashionMNIST/raw/*.gz."""
    root = tmp_path_factory.mktemp("official")
    for name, (_, folder) in KINDS.items():
        (root / name / "raw").mkdir(parents=True)
        for filename in FILES:
            shutil.copy(shared_data / folder / filename, root / name / "raw" / filename)
    return root


def reference_arrays(path_images, path_labels):
    """Images and labels read directly from the IDX bytes (header 16 and 8 bytes)."""
    images = numpy.frombuffer(gzip.decompress(Path(path_images).read_bytes()), numpy.uint8, offset=16)
    labels = numpy.frombuffer(gzip.decompress(Path(path_labels).read_bytes()), numpy.uint8, offset=8)
    return images.reshape(-1, 28, 28), labels


# ---------------------------------------------------------------- the full data sets
@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
@pytest.mark.parametrize("name", list(KINDS))
def test_loads_the_official_files(official_root, shared_data, name, train):
    cls, folder = KINDS[name]
    dataset = cls(str(official_root), train=train)
    prefix = "train" if train else "t10k"
    images, labels = reference_arrays(shared_data / folder / f"{prefix}-images-idx3-ubyte.gz",
                                      shared_data / folder / f"{prefix}-labels-idx1-ubyte.gz")
    assert len(dataset) == len(images) == (60000 if train else 10000)
    assert dataset.data.dtype == edunet.uint8 and tuple(dataset.data.shape) == images.shape
    assert dataset.targets.dtype == edunet.int64
    numpy.testing.assert_array_equal(dataset.data.numpy(), images)
    numpy.testing.assert_array_equal(dataset.targets.numpy(), labels)
    image, label = dataset[123]
    assert isinstance(image, numpy.ndarray) and image.dtype == numpy.uint8 and image.shape == (28, 28)
    numpy.testing.assert_array_equal(image, images[123])
    assert type(label) is int and label == labels[123]
    assert len(dataset.classes) == 10 and dataset.class_to_idx[dataset.classes[3]] == 3
    if name == "FashionMNIST":  # the README: every class equally often
        assert numpy.bincount(labels).tolist() == [len(images) // 10] * 10


def test_transforms_repr_and_dataloader(official_root):
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    dataset = datasets.MNIST(str(official_root), train=False, transform=transform,
                             target_transform=lambda label: label + 100)
    assert repr(dataset) == (
        "Dataset MNIST\n"
        "    Number of datapoints: 10000\n"
        f"    Root location: {official_root}\n"
        "    Split: Test\n"
        "    StandardTransform\n"
        "Transform: Compose(\n"
        "               ToTensor()\n"
        "               Normalize(mean=(0.1307,), std=(0.3081,))\n"
        "           )\n"
        "Target transform: <lambda>".replace("<lambda>", repr(dataset.target_transform)))
    image, label = dataset[0]
    expected = (dataset.data.numpy()[0].astype(numpy.float32) / 255 - numpy.float32(0.1307)) \
        / numpy.float32(0.3081)
    assert tuple(image.shape) == (1, 28, 28)
    numpy.testing.assert_allclose(image.numpy()[0], expected, rtol=1e-6)
    assert label == int(dataset.targets[0]) + 100
    images, labels = next(iter(DataLoader(datasets.MNIST(str(official_root), train=False,
                                                         transform=transforms.ToTensor()),
                                          batch_size=100)))
    assert tuple(images.shape) == (100, 1, 28, 28) and images.dtype == edunet.float32
    assert labels.dtype == edunet.int64 and labels.tolist() == dataset.targets.tolist()[:100]


def test_a_torchvision_root_with_extracted_files_also_works(tmp_path, shared_data):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for filename in FILES[2:]:
        (raw / filename[:-3]).write_bytes(gzip.decompress((shared_data / "mnist" / filename).read_bytes()))
    assert len(datasets.MNIST(str(tmp_path), train=False)) == 10000


def copy_test_files(shared_data, root, name="MNIST", folder="mnist"):
    raw = root / name / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for filename in FILES[2:]:
        shutil.copy(shared_data / folder / filename, raw / filename)
    return raw


def test_a_corrupted_file_is_detected_and_not_read(tmp_path, shared_data):
    raw = copy_test_files(shared_data, tmp_path)
    path = raw / "t10k-images-idx3-ubyte.gz"
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # flip one byte
    path.write_bytes(bytes(damaged))
    with pytest.raises(RuntimeError, match=r"t10k-images-idx3-ubyte.gz is corrupted: its MD5 is "
                                           r"[0-9a-f]{32}, the official file's is "
                                           r"9fb629c4189551a2d022fa330f9573f3"):
        datasets.MNIST(str(tmp_path), train=False)
    # download=True tries to replace it; offline, the damaged file is still refused.
    with pytest.raises(RuntimeError, match="offline"):
        datasets.MNIST(str(tmp_path), train=False, download=True)
    assert path.read_bytes() == bytes(damaged)


def test_missing_files_say_what_to_do(tmp_path):
    with pytest.raises(RuntimeError) as error:
        datasets.FashionMNIST(str(tmp_path), train=False)
    message = str(error.value)
    assert "Dataset not found. You can use download=True to download it" in message
    assert os.path.join(str(tmp_path), "FashionMNIST", "raw") in message
    assert "edunet.vision.datasets.FashionMNIST.sample()" in message


# ---------------------------------------------------------------- downloading (a fake server)
class FakeResponse:
    """What urlopen returns: ``read(size)`` and headers; can fail after some bytes."""

    def __init__(self, payload, fail_after=None, error=None):
        self.stream, self.sent = io.BytesIO(payload), 0
        self.headers = {"Content-Length": str(len(payload))}
        self.fail_after, self.error = fail_after, error or ConnectionResetError("connection reset")

    def read(self, size):
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise self.error
        chunk = self.stream.read(size)
        self.sent += len(chunk)
        return chunk

    def close(self):
        pass


def fake_server(monkeypatch, files, **response_options):
    """Serve ``files`` ({url: bytes}); unknown URLs are a 404. Returns the list of requests."""
    requests = []

    def open_url(url, timeout=30):
        requests.append(url)
        if url not in files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        payload = files[url]
        if isinstance(payload, Exception):
            raise payload
        return FakeResponse(payload, **response_options)
    monkeypatch.setattr(utils, "_open_url", open_url)
    return requests


def official_files(shared_data, mirror, folder="mnist"):
    return {mirror + name: (shared_data / folder / name).read_bytes() for name in FILES}


def test_download_fetches_verifies_and_keeps_verified_files(tmp_path, shared_data, monkeypatch):
    mirror = datasets.FashionMNIST.mirrors[0]
    requests = fake_server(monkeypatch, official_files(shared_data, mirror, "fashion-mnist"))
    dataset = datasets.FashionMNIST(str(tmp_path), train=False, download=True)
    assert requests == [mirror + name for name in FILES]
    raw = tmp_path / "FashionMNIST" / "raw"
    assert sorted(os.listdir(raw)) == sorted(FILES)  # and no temporary files left
    for filename, md5 in datasets.FashionMNIST.resources:
        assert utils.calculate_md5(raw / filename) == md5
    assert len(dataset) == 10000
    requests.clear()
    datasets.FashionMNIST(str(tmp_path), train=False, download=True)
    assert requests == []  # verified copies are not downloaded again


def test_mirrors_are_tried_in_turn(tmp_path, shared_data, monkeypatch):
    first, second, third = datasets.MNIST.mirrors
    files = official_files(shared_data, third)
    files.update({first + name: urllib.error.URLError("unreachable") for name in FILES})
    files.update({second + name: b"not the official bytes" for name in FILES})  # wrong MD5
    requests = fake_server(monkeypatch, files)
    datasets.MNIST(str(tmp_path), train=False, download=True)
    assert requests[:3] == [first + FILES[0], second + FILES[0], third + FILES[0]]
    assert sorted(os.listdir(tmp_path / "MNIST" / "raw")) == sorted(FILES)


@pytest.mark.parametrize("error", [ConnectionResetError("connection reset"), KeyboardInterrupt()],
                         ids=["network drop", "ctrl-c"])
def test_an_interrupted_download_leaves_no_complete_looking_file(tmp_path, shared_data,
                                                                 monkeypatch, error):
    files = {}
    for mirror in datasets.MNIST.mirrors:
        files.update(official_files(shared_data, mirror))
    fake_server(monkeypatch, files, fail_after=3 * utils.CHUNK_SIZE, error=error)
    with pytest.raises(type(error) if isinstance(error, KeyboardInterrupt) else RuntimeError):
        datasets.MNIST(str(tmp_path), train=False, download=True)
    raw = tmp_path / "MNIST" / "raw"
    assert os.listdir(raw) == []  # neither the file nor its partial temporary copy


def test_offline_message_tells_what_to_copy_where(tmp_path):
    with pytest.raises(RuntimeError) as error:
        datasets.MNIST(str(tmp_path), download=True)
    message = str(error.value)
    assert "Could not download train-images-idx3-ubyte.gz" in message
    for mirror in datasets.MNIST.mirrors:
        assert mirror + "train-images-idx3-ubyte.gz" in message
    assert "You seem to be offline" in message
    assert f"into {os.path.join(str(tmp_path), 'MNIST', 'raw')}/" in message
    assert all(filename in message for filename in FILES)
    assert "edunet.vision.datasets.MNIST.sample()" in message
    assert os.listdir(tmp_path / "MNIST" / "raw") == []


def test_plain_text_progress_bar_without_tqdm(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    payload = bytes(range(256)) * 1000
    fake_server(monkeypatch, {"https://example.org/data.bin": payload})
    path = utils.download_url("https://example.org/data.bin", str(tmp_path),
                              md5=utils.hashlib.md5(payload).hexdigest())
    assert Path(path).read_bytes() == payload
    progress = capsys.readouterr().err
    assert "Downloading data.bin" in progress and "100% (0.3 MB of 0.3 MB)" in progress


# ---------------------------------------------------------------- CIFAR-10 (a fake archive)
def python2_pickle(value):
    """A protocol-2 pickle written as Python 2's cPickle writes CIFAR's files: byte strings
    (SHORT_BINSTRING / BINSTRING) and NumPy arrays rebuilt by numpy.core.multiarray._reconstruct."""
    out = bytearray(b"\x80\x02")

    def string(raw):
        out.extend(b"U" + bytes([len(raw)]) + raw if len(raw) < 256
                   else b"T" + struct.pack("<I", len(raw)) + raw)

    def integer(number):
        out.extend(b"K" + bytes([number]) if 0 <= number < 256 else b"J" + struct.pack("<i", number))

    def write(item):
        if isinstance(item, dict):
            out.extend(b"}(")
            for key, entry in item.items():
                write(key)
                write(entry)
            out.extend(b"u")
        elif isinstance(item, list):
            out.extend(b"](")
            for entry in item:
                write(entry)
            out.extend(b"e")
        elif isinstance(item, str):
            string(item.encode("latin1"))
        elif isinstance(item, int):
            integer(item)
        else:  # a uint8 array: _reconstruct(ndarray, (0,), 'b'), then its state
            out.extend(b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n")
            integer(0)
            out.extend(b"\x85")
            string(b"b")
            out.extend(b"\x87R(")
            integer(1)
            out.extend(b"(")
            for size in item.shape:
                integer(size)
            out.extend(b"tcnumpy\ndtype\n")
            string(b"u1")
            integer(0)
            integer(1)
            out.extend(b"\x87R(")
            integer(3)
            string(b"|")
            out.extend(b"NNN")
            for number in (-1, -1, 0):
                integer(number)
            out.extend(b"tb\x89")
            string(item.tobytes())
            out.extend(b"tb")

    write(value)
    return bytes(out + b".")


CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


@pytest.fixture
def fake_cifar(tmp_path, monkeypatch):
    """A tiny cifar-10-python.tar.gz in the official layout (4 images per batch), with its
    MD5s patched into CIFAR10 in place of the official ones. Returns (root, batches)."""
    rng = numpy.random.default_rng(0)
    staging = tmp_path / "staging" / "cifar-10-batches-py"
    staging.mkdir(parents=True)
    batches, checksums = {}, {}
    for name in [f"data_batch_{number}" for number in range(1, 6)] + ["test_batch"]:
        batch = {"batch_label": f"{name} of 6", "labels": rng.integers(0, 10, 4).tolist(),
                 "data": rng.integers(0, 256, (4, 3072), dtype=numpy.uint8),
                 "filenames": [f"image_{index}.png" for index in range(4)]}
        (staging / name).write_bytes(python2_pickle(batch))
        batches[name], checksums[name] = batch, utils.calculate_md5(staging / name)
    (staging / "batches.meta").write_bytes(python2_pickle(
        {"num_cases_per_batch": 4, "label_names": CLASSES, "num_vis": 3072}))
    root = tmp_path / "root"
    root.mkdir()
    archive = root / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staging, arcname="cifar-10-batches-py")
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", utils.calculate_md5(archive))
    monkeypatch.setattr(datasets.CIFAR10, "train_list",
                        [[f"data_batch_{n}", checksums[f"data_batch_{n}"]] for n in range(1, 6)])
    monkeypatch.setattr(datasets.CIFAR10, "test_list", [["test_batch", checksums["test_batch"]]])
    monkeypatch.setattr(datasets.CIFAR10, "meta", {
        "filename": "batches.meta", "key": "label_names",
        "md5": utils.calculate_md5(staging / "batches.meta")})
    return root, batches


def test_python2_pickle_helper_writes_what_pickle_reads():
    batch = {"labels": [1, 300], "data": numpy.arange(6, dtype=numpy.uint8).reshape(2, 3)}
    loaded = pickle.loads(python2_pickle(batch), encoding="latin1")
    assert loaded["labels"] == [1, 300] and loaded["data"].tolist() == batch["data"].tolist()


def test_cifar10_from_a_verified_archive(fake_cifar):
    root, batches = fake_cifar
    train = datasets.CIFAR10(str(root), train=True, download=True)  # offline: the archive is there
    rows = numpy.vstack([batches[f"data_batch_{n}"]["data"] for n in range(1, 6)])
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == numpy.uint8
    # A row is 1024 red, 1024 green, 1024 blue values: pixel (i, j) of channel c is row[c*1024 + 32*i + j].
    assert train.data[5, 2, 7, 1] == rows[5, 1 * 1024 + 32 * 2 + 7]
    numpy.testing.assert_array_equal(train.data, rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert train.targets == sum((batches[f"data_batch_{n}"]["labels"] for n in range(1, 6)), [])
    assert train.classes == CLASSES and train.class_to_idx["cat"] == 3
    image, label = train[5]
    assert image.shape == (32, 32, 3) and type(label) is int and label == train.targets[5]
    tensor = transforms.ToTensor()(image)
    numpy.testing.assert_array_equal(tensor.numpy(), rows[5].reshape(3, 32, 32) / numpy.float32(255))
    test = datasets.CIFAR10(str(root), train=False)
    assert len(test) == 4 and test.targets == batches["test_batch"]["labels"]
    assert repr(test) == f"Dataset CIFAR10\n    Number of datapoints: 4\n    Root location: {root}\n    Split: Test"


def test_cifar10_missing_or_corrupted(fake_cifar):
    root, _ = fake_cifar
    archive = root / "cifar-10-python.tar.gz"
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted") as error:
        datasets.CIFAR10(str(root), train=True)
    assert "cifar-10-python.tar.gz" in str(error.value) and "download=True" in str(error.value)
    # A damaged archive is never unpacked: its MD5 is checked first (and offline, no new copy).
    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    archive.write_bytes(bytes(damaged))
    with pytest.raises(RuntimeError, match="offline"):
        datasets.CIFAR10(str(root), download=True)
    assert not (root / "cifar-10-batches-py").exists()


def test_cifar10_refuses_a_damaged_batch(fake_cifar):
    root, _ = fake_cifar
    datasets.CIFAR10(str(root), download=True)
    batch = root / "cifar-10-batches-py" / "data_batch_3"
    batch.write_bytes(batch.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match="data_batch_3 is corrupted"):
        datasets.CIFAR10(str(root))


class Malicious:
    """Unpickling this would run a shell command (creating the marker file)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_the_restricted_unpickler_refuses_code(tmp_path, fake_cifar, monkeypatch):
    marker = tmp_path / "marker"
    evil = tmp_path / "evil.pickle"
    evil.write_bytes(pickle.dumps({"data": Malicious(marker)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load (posix|nt).system"):
        cifar.load_pickle(evil)
    evil.write_bytes(pickle.dumps(eval, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load (builtins|__builtin__).eval"):
        cifar.load_pickle(evil)
    # ... also inside a data set whose checksums say the file is "official".
    root, _ = fake_cifar
    datasets.CIFAR10(str(root), download=True)
    batch = root / "cifar-10-batches-py" / "test_batch"
    batch.write_bytes(pickle.dumps({"data": Malicious(marker), "labels": []}, protocol=2))
    monkeypatch.setattr(datasets.CIFAR10, "test_list", [["test_batch", utils.calculate_md5(batch)]])
    with pytest.raises(pickle.UnpicklingError):
        datasets.CIFAR10(str(root), train=False)
    assert not marker.exists()


def test_the_restricted_unpickler_reads_the_official_metadata(shared_data):
    path = shared_data / "cifar-10-batches-py" / "batches.meta"
    with open(path, "rb") as file:
        expected = pickle.load(file, encoding="latin1")
    assert cifar.load_pickle(path) == expected
    assert expected["label_names"] == CLASSES


def test_archives_cannot_write_outside_their_folder(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    (tmp_path / "inside").mkdir()
    with pytest.raises(RuntimeError, match="refusing to extract"):
        utils.extract_archive(str(archive), str(tmp_path / "inside"))
    assert not (tmp_path / "outside.txt").exists()


# ---------------------------------------------------------------- the bundled samples
def first_of_each_class(labels, per_class=200):
    return sorted(index for label in range(10) for index in numpy.flatnonzero(labels == label)[:per_class])


@pytest.mark.parametrize("name", list(KINDS))
def test_the_bundled_sample_loads_offline_with_official_pixels(name, shared_data, tmp_path,
                                                               monkeypatch):
    cls, folder = KINDS[name]
    monkeypatch.chdir(tmp_path)  # no data folder anywhere near
    sample = cls.sample(transform=transforms.ToTensor())
    assert len(sample) == 2000 and sample.root is None and sample.train is False
    assert numpy.bincount(sample.targets.numpy()).tolist() == [200] * 10
    images, labels = reference_arrays(shared_data / folder / "t10k-images-idx3-ubyte.gz",
                                      shared_data / folder / "t10k-labels-idx1-ubyte.gz")
    chosen = first_of_each_class(labels)
    numpy.testing.assert_array_equal(sample.data.numpy(), images[chosen])
    numpy.testing.assert_array_equal(sample.targets.numpy(), labels[chosen])
    image, label = sample[1999]
    numpy.testing.assert_array_equal(image.numpy()[0], images[chosen[-1]] / numpy.float32(255))
    assert label == labels[chosen[-1]]
    assert repr(sample).splitlines()[:4] == [
        f"Dataset {name}", "    Number of datapoints: 2000", "    Split: Test",
        "    Sample: 2000 images bundled with edunet"]


def test_the_samples_are_small_and_documented():
    files = sorted(SAMPLES.glob("*.gz"))
    assert len(files) == 4 and sum(path.stat().st_size for path in files) < 2_000_000
    readme = (SAMPLES / "README.md").read_text()
    assert "Copyright (c)\n2017 Zalando SE" in readme and "LeCun" in readme


def test_make_samples_reproduces_the_bundled_files(shared_data, tmp_path):
    result = subprocess.run([sys.executable, str(REPOSITORY / "tools" / "make_samples.py"),
                             "--source", str(shared_data), "--output", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for bundled in SAMPLES.glob("*.gz"):
        assert gzip.decompress((tmp_path / bundled.name).read_bytes()) == \
            gzip.decompress(bundled.read_bytes())
