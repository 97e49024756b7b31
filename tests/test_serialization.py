"""edunet.save / edunet.load: no pickle, atomic writes, corruption detected."""

import io
import os
import zipfile
from collections import OrderedDict

import numpy
import pytest

import edunet
from edunet import nn, serialization


def test_round_trip_of_tensors_and_nested_structures(tmp_path):
    path = tmp_path / "state.edunet"
    value = {
        "weights": OrderedDict(a=edunet.randn(2, 3), b=edunet.arange(4)),
        "state": {0: {"step": edunet.tensor(3.0), "exp_avg": edunet.zeros(2, dtype=edunet.float64)}},
        "groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "nesterov": False,
                    "name": None, "eps": float("inf")}],
        "mask": edunet.tensor([True, False]),
        "leaf": edunet.ones(2, requires_grad=True),
        "parameter": nn.Parameter(edunet.ones(1)),
    }
    edunet.save(value, path)
    loaded = edunet.load(path)
    assert isinstance(loaded["weights"], OrderedDict) and list(loaded["weights"]) == ["a", "b"]
    assert loaded["weights"]["a"].tolist() == value["weights"]["a"].tolist()
    assert loaded["weights"]["b"].dtype == edunet.int64
    assert loaded["state"][0]["step"].shape == () and loaded["state"][0]["step"].item() == 3.0
    assert list(loaded["state"]) == [0] and loaded["state"][0]["exp_avg"].dtype == edunet.float64
    assert loaded["groups"][0]["betas"] == (0.9, 0.999) and loaded["groups"][0]["eps"] == float("inf")
    assert loaded["mask"].dtype == edunet.bool and loaded["leaf"].requires_grad
    assert isinstance(loaded["parameter"], nn.Parameter)


def test_a_model_state_dict_round_trips_into_a_fresh_model(tmp_path):
    model, fresh = nn.Linear(3, 2), nn.Linear(3, 2)
    edunet.save(model.state_dict(), tmp_path / "model.edunet")
    fresh.load_state_dict(edunet.load(tmp_path / "model.edunet"))
    x = edunet.randn(4, 3)
    assert fresh(x).tolist() == model(x).tolist()


def test_the_file_holds_no_pickle_and_loading_runs_no_code(tmp_path):
    path = tmp_path / "t.edunet"
    edunet.save({"x": edunet.ones(2)}, path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["edunet.json", "tensors/0.npy"]
        header = numpy.lib.format.read_magic(io.BytesIO(archive.read("tensors/0.npy")))
        assert header[0] >= 1
    # A .npy member that needs pickle (an object array) is refused, not executed.
    with zipfile.ZipFile(path, "a") as archive:
        buffer = io.BytesIO()
        numpy.save(buffer, numpy.array([object()], dtype=object), allow_pickle=True)
        archive.writestr("tensors/1.npy", buffer.getvalue())
    evil = tmp_path / "evil.edunet"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(evil, "w") as target:
        target.writestr("edunet.json", source.read("edunet.json").replace(b'"tensor": 0', b'"tensor": 1'))
        target.writestr("tensors/1.npy", source.read("tensors/1.npy"))
    with pytest.raises(RuntimeError, match="not a valid edunet checkpoint"):
        edunet.load(evil)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_truncated_or_corrupted_files_raise_a_clear_error(tmp_path, damage):
    path = tmp_path / "model.edunet"
    edunet.save(nn.Linear(20, 20).state_dict(), path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0xFF  # inside the weight values: the CRC-32 catches it
    else:
        data = b"not a checkpoint at all"
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="truncated, corrupted"):
        edunet.load(path)


def test_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.edunet"
    edunet.save({"v": edunet.ones(3)}, path)
    original = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut while writing")

    monkeypatch.setattr(serialization, "_write", crash)
    with pytest.raises(KeyboardInterrupt):
        edunet.save({"v": edunet.zeros(3)}, path)
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["model.edunet"]  # no temporary file left behind


def test_file_objects_and_unsupported_values():
    buffer = io.BytesIO()
    edunet.save(edunet.tensor([1.5, 2.5]), buffer)
    buffer.seek(0)
    assert edunet.load(buffer).tolist() == [1.5, 2.5]
    with pytest.raises(TypeError, match="state_dict"):
        edunet.save(nn.Linear(1, 1), io.BytesIO())
