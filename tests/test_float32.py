"""float32 training stays float32 all the way through: no float64 temporaries.

A float64 temporary costs twice the memory traffic and a conversion back, and
NumPy makes one silently: ``float32_array * numpy.float64(0.5)`` is float64 (a
NumPy scalar is not "weak" like a Python float). These tests run training steps
of the course's kinds of models on arrays that report every NumPy operation
whose inputs include float32 and whose result is float64, computed in edunet.
"""

import collections
import os
import traceback

import numpy
import pytest

import edunet
from edunet import nn
from edunet.tensor import Tensor


class _Recorder:
    def __init__(self):
        self.found = collections.Counter()

    def check(self, inputs, result, name):
        results = result if isinstance(result, tuple) else (result,)
        if (any(getattr(value, "dtype", None) == numpy.float32 for value in inputs)
                and any(getattr(value, "dtype", None) == numpy.float64 for value in results)):
            frames = [frame for frame in traceback.extract_stack()[:-2]
                      if frame.filename.startswith(PACKAGE_FOLDER)]
            if frames:
                where = frames[-1]
                self.found[f"{where.filename}:{where.lineno} {name}: {where.line}"] += 1


PACKAGE_FOLDER = os.path.dirname(edunet.__file__) + os.sep
recorder = _Recorder()


def _plain(value):
    if isinstance(value, (list, tuple)):  # e.g. numpy.concatenate's list of arrays
        return type(value)(_plain(item) for item in value)
    return value.view(numpy.ndarray) if isinstance(value, Watched) else value


class Watched(numpy.ndarray):
    """An ndarray that reports float32 -> float64 results to ``recorder``."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **options):
        inputs = [_plain(value) for value in inputs]
        if out is not None:
            options["out"] = tuple(_plain(value) for value in out)
        result = getattr(ufunc, method)(*inputs, **options)
        recorder.check(inputs, result, f"{ufunc.__name__}.{method}")
        if out is not None:
            return out[0] if len(out) == 1 else out
        return result.view(Watched) if isinstance(result, numpy.ndarray) else result

    def __array_function__(self, function, types, args, kwargs):
        args = [_plain(value) for value in args]
        kwargs = {name: _plain(value) for name, value in kwargs.items()}
        result = function(*args, **kwargs)
        recorder.check(list(args) + list(kwargs.values()), result, function.__name__)
        return result.view(Watched) if isinstance(result, numpy.ndarray) else result


@pytest.fixture
def watched(monkeypatch):
    """Every floating-point tensor made while the test runs holds a Watched array."""
    make = Tensor._make.__func__

    def watched_make(cls, array, grad_fn=None):
        tensor = make(cls, array, grad_fn)
        if type(tensor.array) is numpy.ndarray and tensor.array.dtype.kind == "f":
            tensor.array = tensor.array.view(Watched)
        return tensor

    monkeypatch.setattr(Tensor, "_make", classmethod(watched_make))
    recorder.found.clear()
    yield recorder
    recorder.found.clear()


def _watch_parameters(model):
    for parameter in model.parameters():
        parameter.array = parameter.array.view(Watched)
    for buffer in model.buffers():
        buffer.array = buffer.array.view(Watched)


MODELS = {
    "mlp": lambda: nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 3)),
    "mlp with batchnorm and dropout": lambda: nn.Sequential(
        nn.Linear(12, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3)),
    "sigmoid and tanh": lambda: nn.Sequential(nn.Linear(12, 8), nn.Tanh(), nn.Linear(8, 3),
                                              nn.Sigmoid()),
}
LOSSES = {
    "cross_entropy": (nn.CrossEntropyLoss, lambda: edunet.tensor([0, 2, 1, 1, 0, 2])),
    "mse": (nn.MSELoss, lambda: edunet.rand(6, 3)),
    "bce": (nn.BCELoss, lambda: (edunet.rand(6, 3) > 0.5).float()),
    "bce_with_logits": (nn.BCEWithLogitsLoss, lambda: (edunet.rand(6, 3) > 0.5).float()),
}
OPTIMIZERS = {
    "sgd": lambda parameters: edunet.optim.SGD(parameters, lr=0.1),
    "sgd momentum": lambda parameters: edunet.optim.SGD(parameters, lr=0.1, momentum=0.9,
                                                        weight_decay=1e-4, nesterov=True),
    "adam": lambda parameters: edunet.optim.Adam(parameters, lr=0.01, weight_decay=1e-4),
    "adamw amsgrad": lambda parameters: edunet.optim.AdamW(parameters, amsgrad=True),
}


# BCELoss needs probabilities: only the model that ends in a sigmoid.
CASES = [(model, loss) for model in sorted(MODELS) for loss in sorted(LOSSES)
         if loss != "bce" or model == "sigmoid and tanh"]


@pytest.mark.parametrize("model_name, loss_name", CASES)
def test_training_steps_make_no_float64_temporaries(model_name, loss_name, watched):
    edunet.manual_seed(0)
    model = MODELS[model_name]()
    _watch_parameters(model)
    loss_type, make_target = LOSSES[loss_name]
    loss_function = loss_type()
    x, target = edunet.randn(6, 12), make_target()
    for optimizer_name in sorted(OPTIMIZERS):
        optimizer = OPTIMIZERS[optimizer_name](model.parameters())
        for _ in range(2):
            optimizer.zero_grad()
            loss = loss_function(model(x), target)
            loss.backward()
            optimizer.step()
        assert loss.dtype == edunet.float32
        assert all(p.dtype == edunet.float32 and p.grad.dtype == edunet.float32
                   for p in model.parameters())
    model.eval()
    with edunet.no_grad():
        assert model(x).dtype == edunet.float32
    assert not watched.found, "float64 made from float32:\n" + "\n".join(watched.found)


def test_the_watch_sees_a_float64_temporary_made_in_edunet(watched):
    from edunet.ops import elementwise
    x = edunet.ones(3)
    assert isinstance(x.array, Watched)
    x.array * numpy.float64(2.0)
    assert not watched.found  # made here, in the test: not edunet's
    original = elementwise.Exp.forward

    def leaky_forward(self, array):
        return original(self, array * numpy.float64(2.0))

    elementwise.Exp.forward = leaky_forward
    try:
        x.exp()
    finally:
        elementwise.Exp.forward = original
    assert watched.found
