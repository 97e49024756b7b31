"""edunet.load on hostile and broken files: one clear RuntimeError naming the file.

Each file here is built by hand, as an attacker or a broken disk would make it:
zip bombs, sizes out of proportion, wrong JSON types, deep nesting, bad dtype
names, shapes that don't match the bytes, path-traversal and duplicate names.
"""

import io
import json
import os
import struct
import tracemalloc
import warnings
import zipfile

import numpy
import pytest

import edunet
from edunet import serialization

HEADER = {"format": "edunet-checkpoint", "version": 1}
ONE_TENSOR = {"tensor": 0, "requires_grad": False, "parameter": False}


def npy_bytes(array=None, descr=None, shape=None, payload=None):
    """A .npy member: from ``array``, or a hand-made header with ``payload`` bytes."""
    buffer = io.BytesIO()
    if array is not None:
        numpy.save(buffer, array, allow_pickle=False)
        return buffer.getvalue()
    numpy.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + payload


def write_checkpoint(path, obj=ONE_TENSOR, members=None, structure=None,
                     compression=zipfile.ZIP_STORED):
    """A checkpoint with edunet.json holding ``obj`` (or raw ``structure`` bytes) and
    ``members`` (name -> bytes; by default one float32 tensor)."""
    if members is None:
        members = {"tensors/0.npy": npy_bytes(numpy.ones(3, numpy.float32))}
    if structure is None:
        structure = json.dumps(dict(HEADER, object=obj)).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", compression=compression) as archive:
            archive.writestr("edunet.json", structure)
            for name, data in (members.items() if isinstance(members, dict) else members):
                archive.writestr(name, data)
    return path


def assert_refused(path, reason):
    with pytest.raises(RuntimeError) as caught:
        edunet.load(path)
    message = str(caught.value)
    assert str(path) in message and "not a valid edunet checkpoint" in message, message
    assert reason in message, message
    assert caught.value.__cause__ is None or isinstance(caught.value.__cause__, RuntimeError)


def test_a_hand_made_valid_file_loads(tmp_path):
    """The builder itself is right: with nothing wrong, the tensor comes back."""
    loaded = edunet.load(write_checkpoint(tmp_path / "ok.edunet"))
    assert loaded.tolist() == [1.0, 1.0, 1.0] and loaded.dtype == edunet.float32


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path):
    """64 MB of zeros deflate to about 64 KB; loading must not expand them."""
    path = tmp_path / "bomb.edunet"
    header = npy_bytes(descr="<f4", shape=(16 * 2 ** 20,), payload=b"")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("edunet.json", json.dumps(dict(HEADER, object=ONE_TENSOR)))
        with archive.open("tensors/0.npy", "w") as member:
            member.write(header)
            chunk = bytes(2 ** 20)
            for _ in range(64):
                member.write(chunk)
    assert os.path.getsize(path) < 2 ** 20
    tracemalloc.start()
    try:
        assert_refused(path, "compressed")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2 ** 20, f"loading allocated {peak} bytes"


def test_a_member_declaring_a_size_beyond_the_file_is_refused(tmp_path):
    path = write_checkpoint(tmp_path / "huge.edunet")
    data = bytearray(path.read_bytes())
    # Central directory entry of tensors/0.npy: sizes at offsets 20 and 24 after "PK\1\2".
    entry = data.rindex(b"PK\x01\x02")
    data[entry + 20:entry + 28] = struct.pack("<II", 2 ** 31, 2 ** 31)
    path.write_bytes(bytes(data))
    assert_refused(path, "out of proportion")


@pytest.mark.parametrize("obj, reason", [
    ({"tensor": "0", "requires_grad": False, "parameter": False}, "index '0'"),
    ({"tensor": -1, "requires_grad": False, "parameter": False}, "index -1"),
    ({"tensor": 0, "requires_grad": "yes", "parameter": False}, "requires_grad"),
    ({"tensor": 0}, "requires_grad"),
    ({"tensor": 7, "requires_grad": False, "parameter": False}, "tensor 7, which it lacks"),
    ({"dict": 5, "ordered": True}, "unknown keys"),
    ({"dict": [[1, 2, 3]], "ordered": False}, "[key, value] pair"),
    ({"dict": [[[1], 2]], "ordered": False}, "dict key is a list"),
    ({"dict": [], "ordered": "yes"}, "unknown keys"),
    ({"tuple": 3}, "tuple entry"),
    ({"float": "1e999x"}, "float entry"),
    ({"weird": 1}, "unknown keys"),
], ids=lambda value: json.dumps(value)[:30])
def test_wrong_json_types_are_refused(tmp_path, obj, reason):
    assert_refused(write_checkpoint(tmp_path / "types.edunet", obj=obj), reason)


@pytest.mark.parametrize("structure, reason", [
    (b"[1, 2]", "edunet header"),
    (b'"edunet-checkpoint"', "edunet header"),
    (json.dumps({"format": "edunet-checkpoint", "version": "1", "object": 1}).encode(),
     "version '1'"),
    (json.dumps({"format": "edunet-checkpoint", "version": 99, "object": 1}).encode(),
     "version 99"),
    (json.dumps({"format": "edunet-checkpoint", "version": 1}).encode(), "no object"),
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not valid JSON"),
])
def test_a_malformed_header_is_refused(tmp_path, structure, reason):
    assert_refused(write_checkpoint(tmp_path / "header.edunet", structure=structure), reason)


def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path):
    deep_json = b'{"format": "edunet-checkpoint", "version": 1, "object": ' + (
        b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert_refused(write_checkpoint(tmp_path / "deep.edunet", structure=deep_json),
                   "nested too deeply")
    nested = 0
    for _ in range(150):  # valid JSON nesting, deeper than any state dict
        nested = {"tuple": [nested]}
    assert_refused(write_checkpoint(tmp_path / "deep2.edunet", obj=nested), "nested more than")


@pytest.mark.parametrize("descr", ["<U5", "|O", "<c16", "nonsense", "<f2x", "|V4"])
def test_bad_dtype_names_are_refused(tmp_path, descr):
    members = {"tensors/0.npy": npy_bytes(descr=descr, shape=(1,), payload=bytes(16))}
    path = write_checkpoint(tmp_path / "dtype.edunet", members=members)
    with pytest.raises(RuntimeError, match="not a valid edunet checkpoint.*tensor 0"):
        edunet.load(path)


@pytest.mark.parametrize("shape, payload", [
    ((2 ** 40,), bytes(8)),          # claims 4 TB, holds 8 bytes: no allocation
    ((3,), bytes(8)),                # too few bytes
    ((1,), bytes(8)),                # too many bytes
    ((-1,), bytes(4)),               # a negative size
])
def test_shape_and_size_mismatches_are_refused(tmp_path, shape, payload):
    members = {"tensors/0.npy": npy_bytes(descr="<f4", shape=shape, payload=payload)}
    path = write_checkpoint(tmp_path / "shape.edunet", members=members)
    with pytest.raises(RuntimeError, match="not a valid edunet checkpoint.*tensor 0"):
        edunet.load(path)


@pytest.mark.parametrize("name", ["../evil.npy", "/etc/passwd", "tensors/../../x.npy",
                                  "tensors/0.npy/../../x", "tensors/01.npy", "other.txt"])
def test_unexpected_and_path_traversal_member_names_are_refused(tmp_path, name):
    members = {"tensors/0.npy": npy_bytes(numpy.ones(1, numpy.float32)), name: b"x"}
    assert_refused(write_checkpoint(tmp_path / "names.edunet", members=members),
                   "member named")


def test_duplicate_members_are_refused(tmp_path):
    members = [("tensors/0.npy", npy_bytes(numpy.ones(1, numpy.float32))),
               ("tensors/0.npy", npy_bytes(numpy.zeros(1, numpy.float32)))]
    assert_refused(write_checkpoint(tmp_path / "twice.edunet", members=members), "twice")


def test_a_file_without_edunet_json_is_refused(tmp_path):
    path = tmp_path / "empty.edunet"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tensors/0.npy", npy_bytes(numpy.ones(1)))
    assert_refused(path, "no edunet.json")


@pytest.mark.parametrize("cut", [10, 100, 300])
def test_truncated_files_are_refused(tmp_path, cut):
    path = tmp_path / "cut.edunet"
    edunet.save({"w": edunet.ones(50)}, path)
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(RuntimeError, match="cut.edunet is not a valid edunet checkpoint"):
        edunet.load(path)


def test_save_writes_a_temporary_file_in_the_same_folder_and_renames_it(tmp_path, monkeypatch):
    renames = []
    real_replace = os.replace

    def watching_replace(source, target):
        renames.append((source, target, os.path.getsize(source)))
        real_replace(source, target)

    monkeypatch.setattr(serialization.os, "replace", watching_replace)
    target = tmp_path / "model.edunet"
    edunet.save({"w": edunet.ones(3)}, target)
    [(source, renamed_to, size)] = renames
    assert os.path.dirname(source) == str(tmp_path) and source != str(target)
    assert renamed_to == target and size == os.path.getsize(target)
    assert edunet.load(target)["w"].tolist() == [1.0, 1.0, 1.0]


def test_save_into_a_missing_folder_raises_runtime_error_as_torch(tmp_path):
    torch = pytest.importorskip("torch")
    target = tmp_path / "no" / "such" / "model.pt"
    with pytest.raises(RuntimeError, match="Parent directory"):
        torch.save({"a": 1}, target)
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        edunet.save({"a": 1}, target)
