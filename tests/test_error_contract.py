"""PyTorch's error contract, checked call by call against torch itself.

Every case below is one call written once and run twice, with ``L = torch`` and
with ``L = edunet``. Where PyTorch raises, edunet must raise the same exception
class, from a deliberate ``raise`` in edunet (or from Python's own operator
machinery), never an AttributeError or a NumPy error from deep inside. Where
PyTorch returns, edunet must return a result of the same kind and dtype.
"""

import io
import os
import re
import traceback
import types

import numpy as np
import pytest

import edunet

torch = pytest.importorskip("torch")

EDUNET_DIR = os.path.dirname(edunet.__file__)


def _t(L, *shape, dtype=None, requires_grad=False):
    return L.ones(*shape, dtype=dtype, requires_grad=requires_grad)


def _add_in_place(tensor, value):
    tensor += value
    return tensor


def _param(L, *shape):
    return L.nn.Parameter(L.ones(*shape))


def _set_grad(L, value):
    p = _param(L, 3)
    p.grad = value(L)


def _hook_backward(L, result):
    t = _t(L, 3, requires_grad=True)
    t.register_hook(lambda grad: result(L))
    (t * 2).sum().backward()
    return t.grad


def _load(L, state):
    return L.nn.Linear(2, 3).load_state_dict(state(L))


def _register(L, kind, name):
    module = L.nn.Linear(2, 3)
    if kind == "buffer":
        module.register_buffer(name, L.ones(2))
    elif kind == "parameter":
        module.register_parameter(name, L.nn.Parameter(L.ones(2)))
    else:
        module.add_module(name, L.nn.ReLU())


def _save_load(L, obj):
    buffer = io.BytesIO()
    L.save(obj, buffer)
    buffer.seek(0)
    return L.load(buffer)


class _Three(object):
    def __len__(self):
        return 3

    def __getitem__(self, index):
        return index


CASES = {
    # --- NumPy numbers and arrays beside tensors
    "np.float64 * tensor": lambda L: np.float64(0.5) * _t(L, 3),
    "np.float32 * tensor": lambda L: np.float32(0.5) * _t(L, 3),
    "np.int64 * tensor": lambda L: np.int64(2) * _t(L, 3),
    "np.float64 * int tensor": lambda L: np.float64(0.5) * _t(L, 3, dtype=L.int64),
    "np.int64 + uint8 tensor": lambda L: np.int64(2) + _t(L, 3, dtype=L.uint8),
    "np.float64 - tensor": lambda L: np.float64(2) - _t(L, 3),
    "np.float64 / tensor": lambda L: np.float64(2) / _t(L, 3),
    "np.float64 ** tensor": lambda L: np.float64(2) ** _t(L, 3),
    "np.float64 // tensor": lambda L: np.float64(2) // _t(L, 3),
    "np.float64 > tensor": lambda L: np.float64(2) > _t(L, 3),
    "np.float64 == tensor": lambda L: np.float32(2) == _t(L, 3),
    "np.float64 * loss with grad": lambda L: np.logspace(-2, 0, 2)[0] * _t(
        L, 3, requires_grad=True).sum(),
    "tensor * np.float64": lambda L: _t(L, 3) * np.float64(0.5),
    "tensor + np array": lambda L: _t(L, 3) + np.ones(3),
    "tensor + np float32 array": lambda L: _t(L, 3) + np.ones(3, dtype=np.float32),
    "tensor == np array": lambda L: _t(L, 3) == np.ones(3),
    "np array + tensor": lambda L: np.ones(3) + _t(L, 3),
    "np array - tensor": lambda L: np.ones(3) - _t(L, 3),
    "np array * tensor": lambda L: np.ones(3) * _t(L, 3),
    "np array @ tensor": lambda L: np.ones(3) @ _t(L, 3),
    "np float32 array + tensor": lambda L: np.ones(3, dtype=np.float32) + _t(L, 3),
    # --- None, lists, strings as operands
    "tensor == None": lambda L: _t(L, 3) == None,  # noqa: E711
    "tensor != None": lambda L: _t(L, 3) != None,  # noqa: E711
    "tensor == list": lambda L: _t(L, 3) == [1, 2, 3],
    "tensor == str": lambda L: _t(L, 3) == "a",
    "tensor + list": lambda L: _t(L, 3) + [1, 2, 3],
    "list + tensor": lambda L: [1, 2, 3] + _t(L, 3),
    "tensor + None": lambda L: _t(L, 3) + None,
    "tensor * str": lambda L: _t(L, 3) * "a",
    "tensor - tuple": lambda L: _t(L, 3) - (1, 2, 3),
    "tensor < None": lambda L: _t(L, 3) < None,
    "tensor / None": lambda L: _t(L, 3) / None,
    "tensor ** None": lambda L: _t(L, 3) ** None,
    "tensor @ None": lambda L: _t(L, 3) @ None,
    "tensor.add(list)": lambda L: _t(L, 3).add([1, 2, 3]),
    "tensor.mul(None)": lambda L: _t(L, 3).mul(None),
    "L.add(tensor, None)": lambda L: L.add(_t(L, 3), None),
    # --- conversions
    "float(3 elements)": lambda L: float(_t(L, 3)),
    "int(3 elements)": lambda L: int(_t(L, 3)),
    "float(0 elements)": lambda L: float(_t(L, 0)),
    "item(3 elements)": lambda L: _t(L, 3).item(),
    "bool(3 elements)": lambda L: bool(_t(L, 3)),
    "int(1x1)": lambda L: int(_t(L, 1, 1)),
    "len(0-d)": lambda L: len(L.tensor(1.0)),
    "iter(0-d)": lambda L: iter(L.tensor(1.0)),
    # --- integer arithmetic
    "int // 0": lambda L: L.tensor([1, 2]) // 0,
    "int % 0": lambda L: L.tensor([1, 2]) % 0,
    "int // tensor with a 0": lambda L: L.tensor([1, 2]) // L.tensor([0, 1]),
    "int div floor 0": lambda L: L.tensor([1, 2]).div(0, rounding_mode="floor"),
    "int div trunc 0": lambda L: L.tensor([1, 2]).div(0, rounding_mode="trunc"),
    "float // 0": lambda L: L.tensor([1.0, 2.0]) // 0,
    "uint8 * -1": lambda L: L.tensor([200], dtype=L.uint8) * -1,
    "uint8 + 1000": lambda L: L.tensor([200], dtype=L.uint8) + 1000,
    "int32 + 2**40": lambda L: L.tensor([1], dtype=L.int32) + 2 ** 40,
    "int8 * 3": lambda L: L.tensor([100], dtype=L.int8) * 3,
    "uint8 add_ -1": lambda L: L.tensor([1], dtype=L.uint8).add_(-1),
    "uint8 mul_ -1": lambda L: L.tensor([1], dtype=L.uint8).mul_(-1),
    "uint8 += 300": lambda L: _add_in_place(L.tensor([1], dtype=L.uint8), 300),
    "setitem None": lambda L: _t(L, 3).__setitem__(0, None),
    "setitem str": lambda L: _t(L, 3).__setitem__(0, "a"),
    "setitem dict": lambda L: _t(L, 3).__setitem__(0, {}),
    "setitem numpy scalar": lambda L: _t(L, 3).__setitem__(0, np.float64(2.0)),
    "tensor += list": lambda L: _add_in_place(_t(L, 3), [1, 2, 3]),
    "tensor *= None": lambda L: _add_in_place(_t(L, 3), None),
    "-bool": lambda L: -L.tensor([True]),
    "int ** -1": lambda L: L.tensor([2]) ** -1,
    # --- gradients and hooks
    "hook returns float": lambda L: _hook_backward(L, lambda L: 1.0),
    "hook returns list": lambda L: _hook_backward(L, lambda L: [1.0, 2.0, 3.0]),
    "hook returns other shape": lambda L: _hook_backward(L, lambda L: L.ones(4)),
    "hook returns other dtype": lambda L: _hook_backward(L, lambda L: L.ones(3, dtype=L.float64)),
    "grad of other dtype": lambda L: _set_grad(L, lambda L: L.ones(3, dtype=L.float64)),
    "grad of int dtype": lambda L: _set_grad(L, lambda L: L.ones(3, dtype=L.int64)),
    "grad of other shape": lambda L: _set_grad(L, lambda L: L.ones(4)),
    "grad as numpy": lambda L: _set_grad(L, lambda L: np.ones(3)),
    "int requires_grad": lambda L: L.ones(3, dtype=L.int64).requires_grad_(),
    "backward of non-scalar": lambda L: _t(L, 3, requires_grad=True).backward(),
    "backward without grad": lambda L: _t(L, 3).sum().backward(),
    # --- modules
    "register_buffer over a parameter": lambda L: _register(L, "buffer", "weight"),
    "register_parameter over a parameter": lambda L: _register(L, "parameter", "bias"),
    "add_module over a parameter": lambda L: _register(L, "module", "weight"),
    "register_buffer with a dot": lambda L: _register(L, "buffer", "a.b"),
    "register_buffer of numpy": lambda L: L.nn.Linear(2, 3).register_buffer("x", np.ones(2)),
    "parameter set to a tensor": lambda L: setattr(L.nn.Linear(2, 3), "weight", L.ones(3, 2)),
    "add_module of an int": lambda L: L.nn.Linear(2, 3).add_module("x", 3),
    "load_state_dict of a list": lambda L: _load(L, lambda L: [1, 2]),
    "load_state_dict of None": lambda L: _load(L, lambda L: None),
    "load_state_dict of numpy values": lambda L: _load(L, lambda L: {
        "weight": np.ones((3, 2), np.float32), "bias": np.ones(3, np.float32)}),
    "load_state_dict of lists": lambda L: _load(L, lambda L: {
        "weight": [[1.0, 2.0]] * 3, "bias": [1.0, 2.0, 3.0]}),
    "load_state_dict wrong shape": lambda L: _load(L, lambda L: {
        "weight": L.ones(2, 3), "bias": L.ones(3)}),
    "load_state_dict missing key": lambda L: _load(L, lambda L: {"weight": L.ones(3, 2)}),
    "Linear on a list": lambda L: L.nn.Linear(3, 4)([1.0, 2.0, 3.0]),
    "Linear on numpy": lambda L: L.nn.Linear(3, 4)(np.ones(3)),
    "Linear on float64": lambda L: L.nn.Linear(3, 4)(_t(L, 2, 3, dtype=L.float64)),
    "Linear on int64": lambda L: L.nn.Linear(3, 4)(_t(L, 2, 3, dtype=L.int64)),
    "Linear on wrong features": lambda L: L.nn.Linear(3, 4)(_t(L, 2, 5)),
    "Conv2d on a list": lambda L: L.nn.Conv2d(1, 1, 3)([[1.0]]),
    "ReLU on a list": lambda L: L.nn.ReLU()([1.0, -1.0]),
    "Flatten on numpy": lambda L: L.nn.Flatten()(np.ones((2, 3))),
    "MSELoss on lists": lambda L: L.nn.MSELoss()([1.0], [2.0]),
    "CrossEntropyLoss on numpy": lambda L: L.nn.CrossEntropyLoss()(np.ones((2, 3)), L.tensor([0, 1])),
    "BatchNorm2d on float64": lambda L: L.nn.BatchNorm2d(2)(_t(L, 2, 2, 3, 3, dtype=L.float64)),
    "BatchNorm2d on int64": lambda L: L.nn.BatchNorm2d(2)(_t(L, 2, 2, 3, 3, dtype=L.int64)),
    "BatchNorm1d on bool": lambda L: L.nn.BatchNorm1d(2)(_t(L, 2, 2, dtype=L.bool)),
    "BatchNorm1d eval float64": lambda L: L.nn.BatchNorm1d(2).eval()(_t(L, 2, 2, dtype=L.float64)),
    "BatchNorm1d no stats float64": lambda L: L.nn.BatchNorm1d(
        2, affine=False, track_running_stats=False)(_t(L, 2, 2, dtype=L.float64)),
    "LayerNorm on float64": lambda L: L.nn.LayerNorm(3)(_t(L, 2, 3, dtype=L.float64)),
    "LayerNorm on int64": lambda L: L.nn.LayerNorm(3)(_t(L, 2, 3, dtype=L.int64)),
    "Embedding on float": lambda L: L.nn.Embedding(4, 2)(_t(L, 3)),
    # --- functional
    "F.linear wrong bias shape": lambda L: L.nn.functional.linear(_t(L, 2, 3), _t(L, 4, 3), _t(L, 3)),
    "F.linear 2-d bias wrong": lambda L: L.nn.functional.linear(_t(L, 2, 3), _t(L, 4, 3), _t(L, 3, 4)),
    "F.linear (1, 4) bias": lambda L: L.nn.functional.linear(_t(L, 2, 3), _t(L, 4, 3), _t(L, 1, 4)),
    "F.linear int bias": lambda L: L.nn.functional.linear(_t(L, 2, 3), _t(L, 4, 3), 5),
    "F.linear float64 bias": lambda L: L.nn.functional.linear(
        _t(L, 2, 3), _t(L, 4, 3), _t(L, 4, dtype=L.float64)),
    "F.linear list input": lambda L: L.nn.functional.linear([1.0, 2.0, 3.0], _t(L, 4, 3)),
    "F.layer_norm wrong weight": lambda L: L.nn.functional.layer_norm(_t(L, 2, 3), (3,), _t(L, 4)),
    "F.layer_norm wrong bias": lambda L: L.nn.functional.layer_norm(
        _t(L, 2, 3), (3,), None, _t(L, 4)),
    "F.layer_norm (1, 3) weight": lambda L: L.nn.functional.layer_norm(
        _t(L, 2, 3), (3,), _t(L, 1, 3)),
    "F.layer_norm int shape": lambda L: L.nn.functional.layer_norm(_t(L, 2, 3), 3),
    "F.layer_norm float64 weight": lambda L: L.nn.functional.layer_norm(
        _t(L, 2, 3), (3,), _t(L, 3, dtype=L.float64)),
    "F.layer_norm int input": lambda L: L.nn.functional.layer_norm(_t(L, 2, 3, dtype=L.int64), (3,)),
    "F.batch_norm float64 input": lambda L: L.nn.functional.batch_norm(
        _t(L, 2, 2, dtype=L.float64), L.zeros(2), L.ones(2), training=True),
    "F.batch_norm int input": lambda L: L.nn.functional.batch_norm(
        _t(L, 2, 2, dtype=L.int64), None, None, training=True),
    "F.batch_norm float64 weight": lambda L: L.nn.functional.batch_norm(
        _t(L, 2, 2), L.zeros(2), L.ones(2), _t(L, 2, dtype=L.float64)),
    "F.relu on a list": lambda L: L.nn.functional.relu([1.0, -1.0]),
    "F.mse_loss on lists": lambda L: L.nn.functional.mse_loss([1.0], [2.0]),
    "F.cross_entropy float target shape": lambda L: L.nn.functional.cross_entropy(
        _t(L, 2, 3), L.tensor([0, 5])),
    "F.softmax on a list": lambda L: L.nn.functional.softmax([1.0, 2.0], dim=0),
    # --- tensor functions
    "L.exp of a list": lambda L: L.exp([1.0, 2.0]),
    "L.sum of a list": lambda L: L.sum([1.0, 2.0]),
    "L.cat of tensors and None": lambda L: L.cat([_t(L, 2), None]),
    "L.cat of a tensor": lambda L: L.cat(_t(L, 2)),
    "L.stack of lists": lambda L: L.stack([[1.0], [2.0]]),
    "L.matmul of lists": lambda L: L.matmul([1.0], [2.0]),
    "reshape bad size": lambda L: _t(L, 6).reshape(4, 2),
    "reshape with None": lambda L: _t(L, 6).reshape(None),
    "sum bad dim": lambda L: _t(L, 2, 3).sum(dim=5),
    "index out of range": lambda L: _t(L, 3)[5],
    "index with a float": lambda L: _t(L, 3)[1.5],
    "index with a string": lambda L: _t(L, 3)["a"],
    "view bad shape": lambda L: _t(L, 6).view(4, -1),
    # --- creation
    "tensor of None": lambda L: L.tensor(None),
    "tensor of ragged list": lambda L: L.tensor([[1, 2], [3]]),
    "tensor of strings": lambda L: L.tensor(["a", "b"]),
    "zeros of negative size": lambda L: L.zeros(-1),
    "zeros of a float size": lambda L: L.zeros(2.5),
    "zeros of None": lambda L: L.zeros(None),
    "ones with a bad dtype": lambda L: L.ones(2, dtype="no such type"),
    "arange step 0": lambda L: L.arange(0, 5, 0),
    "randn negative": lambda L: L.randn(-2),
    "full with a list value": lambda L: L.full((2,), [1, 2]),
    "eye negative": lambda L: L.eye(-1),
    "from_numpy of a list": lambda L: L.from_numpy([1, 2]),
    "from_numpy of object array": lambda L: L.from_numpy(np.array(["a"], dtype=object)),
    # --- optimizers
    "SGD negative lr": lambda L: L.optim.SGD([_param(L, 2)], lr=-1),
    "SGD no params": lambda L: L.optim.SGD([], lr=0.1),
    "SGD a tensor as params": lambda L: L.optim.SGD(_param(L, 2), lr=0.1),
    "SGD negative momentum": lambda L: L.optim.SGD([_param(L, 2)], lr=0.1, momentum=-1),
    "SGD nesterov without momentum": lambda L: L.optim.SGD([_param(L, 2)], lr=0.1, nesterov=True),
    "SGD lr string": lambda L: L.optim.SGD([_param(L, 2)], lr="0.1"),
    "SGD params None": lambda L: L.optim.SGD(None, lr=0.1),
    "SGD param group without params": lambda L: L.optim.SGD([{"lr": 0.1}], lr=0.1),
    "Adam bad beta": lambda L: L.optim.Adam([_param(L, 2)], betas=(1.5, 0.9)),
    "Adam negative eps": lambda L: L.optim.Adam([_param(L, 2)], eps=-1),
    "Adam negative weight_decay": lambda L: L.optim.Adam([_param(L, 2)], weight_decay=-1),
    "RMSprop negative alpha": lambda L: L.optim.RMSprop([_param(L, 2)], alpha=-1),
    "Adagrad negative lr": lambda L: L.optim.Adagrad([_param(L, 2)], lr=-1),
    "StepLR on a list": lambda L: L.optim.lr_scheduler.StepLR([1, 2], step_size=1),
    # --- data
    "DataLoader batch_size 0": lambda L: L.utils.data.DataLoader(_Three(), batch_size=0),
    "DataLoader batch_size -1": lambda L: L.utils.data.DataLoader(_Three(), batch_size=-1),
    "DataLoader batch_size float": lambda L: L.utils.data.DataLoader(_Three(), batch_size=2.5),
    "DataLoader num_workers -1": lambda L: L.utils.data.DataLoader(_Three(), num_workers=-1),
    "DataLoader shuffle and sampler": lambda L: L.utils.data.DataLoader(
        _Three(), shuffle=True, sampler=[0, 1, 2]),
    "DataLoader batch_sampler and batch_size": lambda L: L.utils.data.DataLoader(
        _Three(), batch_size=2, batch_sampler=[[0, 1]]),
    "random_split bad lengths": lambda L: L.utils.data.random_split(_Three(), [2, 2]),
    "TensorDataset size mismatch": lambda L: L.utils.data.TensorDataset(_t(L, 3), _t(L, 4)),
    # --- save and load
    "save to a missing folder": lambda L: L.save({"a": 1}, "/nonexistent/folder/x.pt"),
    "load of a missing file": lambda L: L.load("/nonexistent/file.pt"),
    "load of a non-file": lambda L: L.load(io.BytesIO(b"PK\x03\x04 not a checkpoint at all")),

    # --- tensor methods with wrong arguments
    "sum dim str": lambda L: _t(L, 2, 3).sum(dim="a"),
    "view str": lambda L: _t(L, 6).view("a"),
    "permute too few": lambda L: _t(L, 2, 3).permute(0),
    "permute repeated": lambda L: _t(L, 2, 3).permute(0, 0),
    "transpose bad dim": lambda L: _t(L, 2, 3).transpose(0, 5),
    "expand negative": lambda L: _t(L, 1, 3).expand(-2, 3),
    "expand wrong": lambda L: _t(L, 2, 3).expand(4, 3),
    "squeeze bad dim": lambda L: _t(L, 2, 3).squeeze(5),
    "unsqueeze bad dim": lambda L: _t(L, 2, 3).unsqueeze(5),
    "to bogus device": lambda L: _t(L, 2).to("bogus"),
    "to int": lambda L: _t(L, 2).to(5),
    "repeat too few": lambda L: _t(L, 2, 3).repeat(2),
    "split 0": lambda L: _t(L, 4).split(0),
    "chunk 0": lambda L: _t(L, 4).chunk(0),
    "index_select list": lambda L: _t(L, 4).index_select(0, [0]),
    "index_select float index": lambda L: _t(L, 4).index_select(0, L.tensor([0.0])),
    "gather list": lambda L: _t(L, 4).gather(0, [0]),
    "gather out of range": lambda L: _t(L, 4).gather(0, L.tensor([9])),
    "masked_fill None": lambda L: _t(L, 4).masked_fill(None, 0),
    "masked_fill float mask": lambda L: _t(L, 4).masked_fill(_t(L, 4), 0),
    "clamp str": lambda L: _t(L, 4).clamp(min="a"),
    "clamp nothing": lambda L: _t(L, 4).clamp(),
    "pow str": lambda L: _t(L, 4).pow("a"),
    "max bad dim": lambda L: _t(L, 4).max(dim=5),
    "argmax bad dim": lambda L: _t(L, 4).argmax(5),
    "softmax bad dim": lambda L: _t(L, 4).softmax(5),
    "mean of int": lambda L: L.tensor([1, 2]).mean(),
    "var of int": lambda L: L.tensor([1, 2]).var(),
    "exp of int": lambda L: L.tensor([1, 2]).exp(),
    "flatten bad dim": lambda L: _t(L, 2, 3).flatten(5),
    "flatten start after end": lambda L: _t(L, 2, 3, 4).flatten(2, 1),
    "unflatten wrong sizes": lambda L: _t(L, 6).unflatten(0, (4, 2)),
    "narrow out of range": lambda L: _t(L, 4).narrow(0, 3, 2),
    "flip bad dim": lambda L: _t(L, 4).flip(5),
    "mm of None": lambda L: _t(L, 2, 2).mm(None),
    "mm of 1-d": lambda L: _t(L, 2, 2).mm(_t(L, 2)),
    "dot of int and float": lambda L: _t(L, 2).dot(L.tensor([1, 2])),
    "bmm of 2-d": lambda L: _t(L, 2, 2).bmm(_t(L, 2, 2)),
    "matmul shapes": lambda L: _t(L, 2, 3) @ _t(L, 2, 3),
    "matmul int and float": lambda L: _t(L, 2, 2) @ L.tensor([[1, 2], [3, 4]]),
    "add alpha with bool": lambda L: L.tensor([True]).sub(L.tensor([True])),
    "where with list": lambda L: L.where(_t(L, 2) > 0, [1.0, 2.0], _t(L, 2)),
    "where float condition": lambda L: L.where(_t(L, 2), _t(L, 2), _t(L, 2)),
    "item of empty": lambda L: _t(L, 0).item(),
    "numpy with grad": lambda L: _t(L, 2, requires_grad=True).numpy(),
    "backward twice": lambda L: [(lambda y: (y.backward(retain_graph=False), y.backward()))(
        (_t(L, 2, requires_grad=True) * 2).sum())],
    "requires_grad on non-leaf False": lambda L: (_t(L, 2, requires_grad=True) * 2).requires_grad_(False),
    "retain_grad without grad": lambda L: _t(L, 2).retain_grad(),
    "register_hook without grad": lambda L: _t(L, 2).register_hook(lambda g: g),
    "in-place on a leaf with grad": lambda L: _t(L, 2, requires_grad=True).add_(1),
    "size bad dim": lambda L: _t(L, 2).size(3),
    "cat of mismatched shapes": lambda L: L.cat([_t(L, 2, 3), _t(L, 2, 4)]),
    "cat empty list": lambda L: L.cat([]),
    "stack empty list": lambda L: L.stack([]),
    "stack of mismatched shapes": lambda L: L.stack([_t(L, 2), _t(L, 3)]),
    "cat of int and float": lambda L: L.cat([_t(L, 2), L.tensor([1, 2])]),
    "zeros_like of a list": lambda L: L.zeros_like([1, 2]),
    "ones_like of numpy": lambda L: L.ones_like(np.ones(2)),
    "arange with None": lambda L: L.arange(None),
    "arange wrong direction": lambda L: L.arange(5, 0, 1),
    "linspace negative steps": lambda L: L.linspace(0, 1, -1),
    "randint low >= high": lambda L: L.randint(5, 2, (3,)),
    "randint size missing": lambda L: L.randint(5),
    "rand of str": lambda L: L.rand("a"),
    "tensor bogus dtype": lambda L: L.tensor([1.0], dtype="bogus"),
    "manual_seed str": lambda L: L.manual_seed("a"),
    "manual_seed negative": lambda L: L.manual_seed(-1),
    # --- layers: construction and input
    "Linear negative size": lambda L: L.nn.Linear(-1, 2),
    "Linear float size": lambda L: L.nn.Linear(2.5, 2),
    "Conv2d kernel 0": lambda L: L.nn.Conv2d(1, 1, 0),
    "Conv2d groups not dividing": lambda L: L.nn.Conv2d(3, 4, 3, groups=2),
    "Conv2d negative padding": lambda L: L.nn.Conv2d(1, 1, 3, padding=-1),
    "Conv2d bad padding string": lambda L: L.nn.Conv2d(1, 1, 3, padding="full"),
    "Conv2d same with stride": lambda L: L.nn.Conv2d(1, 1, 3, padding="same", stride=2),
    "Conv2d bad padding_mode": lambda L: L.nn.Conv2d(1, 1, 3, padding_mode="mirror"),
    "Conv2d wrong channels": lambda L: L.nn.Conv2d(3, 4, 3)(_t(L, 1, 2, 8, 8)),
    "Conv2d 2-d input": lambda L: L.nn.Conv2d(1, 4, 3)(_t(L, 8, 8)),
    "Conv2d 5-d input": lambda L: L.nn.Conv2d(1, 4, 3)(_t(L, 1, 1, 1, 8, 8)),
    "Conv2d kernel too big": lambda L: L.nn.Conv2d(1, 4, 5)(_t(L, 1, 1, 3, 3)),
    "Conv2d float64 input": lambda L: L.nn.Conv2d(1, 4, 3)(_t(L, 1, 1, 8, 8, dtype=L.float64)),
    "Conv2d int input": lambda L: L.nn.Conv2d(1, 4, 3)(_t(L, 1, 1, 8, 8, dtype=L.int64)),
    "Conv1d 4-d input": lambda L: L.nn.Conv1d(1, 4, 3)(_t(L, 1, 1, 8, 8)),
    "MaxPool2d kernel 0": lambda L: L.nn.MaxPool2d(0)(_t(L, 1, 1, 4, 4)),
    "MaxPool2d padding too big": lambda L: L.nn.MaxPool2d(2, padding=2)(_t(L, 1, 1, 4, 4)),
    "MaxPool2d kernel too big": lambda L: L.nn.MaxPool2d(5)(_t(L, 1, 1, 4, 4)),
    "Dropout p 1.5": lambda L: L.nn.Dropout(1.5),
    "Dropout p negative": lambda L: L.nn.Dropout(-0.1),
    "F.dropout p 2": lambda L: L.nn.functional.dropout(_t(L, 3), p=2.0),
    "Embedding index out of range": lambda L: L.nn.Embedding(4, 2)(L.tensor([5])),
    "Embedding negative index": lambda L: L.nn.Embedding(4, 2)(L.tensor([-1])),
    "Embedding padding_idx too big": lambda L: L.nn.Embedding(4, 2, padding_idx=9),
    "BatchNorm1d wrong features": lambda L: L.nn.BatchNorm1d(3)(_t(L, 4, 2)),
    "BatchNorm1d one sample": lambda L: L.nn.BatchNorm1d(3)(_t(L, 1, 3)),
    "BatchNorm2d 3-d input": lambda L: L.nn.BatchNorm2d(3)(_t(L, 3, 4, 4)),
    "LayerNorm wrong shape": lambda L: L.nn.LayerNorm(4)(_t(L, 2, 3)),
    "Flatten bad dim": lambda L: L.nn.Flatten(5)(_t(L, 2, 3)),
    "Unflatten wrong sizes": lambda L: L.nn.Unflatten(1, (2, 2))(_t(L, 2, 3)),
    "RNN 4-d input": lambda L: L.nn.RNN(3, 4)(_t(L, 1, 2, 5, 3)),
    "RNN wrong features": lambda L: L.nn.RNN(3, 4)(_t(L, 5, 2, 6)),
    "LSTM wrong hidden shape": lambda L: L.nn.LSTM(3, 4)(_t(L, 5, 2, 3), (_t(L, 1, 2, 5), _t(L, 1, 2, 4))),
    "GRU float64 input": lambda L: L.nn.GRU(3, 4)(_t(L, 5, 2, 3, dtype=L.float64)),
    "Softmax bad dim": lambda L: L.nn.Softmax(dim=3)(_t(L, 2, 3)),
    "LeakyReLU on int": lambda L: L.nn.LeakyReLU()(L.tensor([1, -1])),
    "Sigmoid on int": lambda L: L.nn.Sigmoid()(L.tensor([1, -1])),
    "Tanh on a list": lambda L: L.nn.Tanh()([1.0]),
    "Sequential index out of range": lambda L: L.nn.Sequential(L.nn.ReLU())[3],
    "Sequential of an int": lambda L: L.nn.Sequential(3),
    "ModuleList append int": lambda L: L.nn.ModuleList().append(3),
    "ModuleList index out of range": lambda L: L.nn.ModuleList([L.nn.ReLU()])[2],
    "ModuleDict int key": lambda L: L.nn.ModuleDict({1: L.nn.ReLU()}),
    "ModuleDict missing key": lambda L: L.nn.ModuleDict({"a": L.nn.ReLU()})["b"],
    "Module missing attribute": lambda L: L.nn.Linear(2, 3).no_such_thing,
    "Module to bogus": lambda L: L.nn.Linear(2, 3).to("bogus"),
    "Module forward not defined": lambda L: L.nn.Module()(_t(L, 2)),
    "get_submodule missing": lambda L: L.nn.Sequential(L.nn.ReLU()).get_submodule("5"),
    "get_parameter missing": lambda L: L.nn.Linear(2, 3).get_parameter("nope"),
    "Parameter of a list": lambda L: L.nn.Parameter([1.0, 2.0]),
    "init on int tensor": lambda L: L.nn.init.kaiming_normal_(L.tensor([[1, 2]])),
    "init xavier on 1-d": lambda L: L.nn.init.xavier_uniform_(_t(L, 3)),
    "init bad nonlinearity": lambda L: L.nn.init.kaiming_normal_(_t(L, 3, 3), nonlinearity="foo"),
    "clip_grad_norm_ of ints": lambda L: L.nn.utils.clip_grad_norm_([_param(L, 2)], "a"),
    # --- losses
    "CrossEntropyLoss float target wrong shape": lambda L: L.nn.CrossEntropyLoss()(
        _t(L, 2, 3), _t(L, 2)),
    "CrossEntropyLoss class out of range": lambda L: L.nn.CrossEntropyLoss()(
        _t(L, 2, 3), L.tensor([0, 3])),
    "CrossEntropyLoss int32 target": lambda L: L.nn.CrossEntropyLoss()(
        _t(L, 2, 3), L.tensor([0, 1], dtype=L.int32)),
    "CrossEntropyLoss batch mismatch": lambda L: L.nn.CrossEntropyLoss()(_t(L, 2, 3), L.tensor([0])),
    "CrossEntropyLoss 1-d input 2 targets": lambda L: L.nn.CrossEntropyLoss()(_t(L, 3), L.tensor([0, 1])),
    "CrossEntropyLoss bad reduction": lambda L: L.nn.CrossEntropyLoss(reduction="avg")(
        _t(L, 2, 3), L.tensor([0, 1])),
    "NLLLoss class out of range": lambda L: L.nn.NLLLoss()(_t(L, 2, 3), L.tensor([0, 5])),
    "NLLLoss float target": lambda L: L.nn.NLLLoss()(_t(L, 2, 3), L.tensor([0.0, 1.0])),
    "BCELoss out of range": lambda L: L.nn.BCELoss()(L.tensor([1.5]), L.tensor([1.0])),
    "BCELoss shape mismatch": lambda L: L.nn.BCELoss()(L.tensor([0.5, 0.5]), L.tensor([[1.0, 0.0]])),
    "BCELoss int target": lambda L: L.nn.BCELoss()(L.tensor([0.5]), L.tensor([1])),
    "BCEWithLogitsLoss shape mismatch": lambda L: L.nn.BCEWithLogitsLoss()(_t(L, 2), _t(L, 3)),
    "MSELoss bad reduction": lambda L: L.nn.MSELoss(reduction="bogus")(_t(L, 2), _t(L, 2)),
    "MSELoss non-broadcastable": lambda L: L.nn.functional.mse_loss(_t(L, 2), _t(L, 3)),
    "L1Loss int": lambda L: L.nn.L1Loss()(L.tensor([1]), L.tensor([2])),
    "MSELoss int": lambda L: L.nn.MSELoss()(L.tensor([1]), L.tensor([2])),
    "MSELoss float64 and float32": lambda L: L.nn.MSELoss()(_t(L, 2), _t(L, 2, dtype=L.float64)),
    "SmoothL1Loss negative beta": lambda L: L.nn.SmoothL1Loss(beta=-1)(_t(L, 2), _t(L, 2)),
    "KLDivLoss bad reduction": lambda L: L.nn.KLDivLoss(reduction="x")(_t(L, 2), _t(L, 2)),
    # --- optimizer use
    "SGD weight_decay negative": lambda L: L.optim.SGD([_param(L, 2)], lr=0.1, weight_decay=-1),
    "SGD dict without lr": lambda L: L.optim.SGD([{"params": [_param(L, 2)]}]),
    "SGD load_state_dict of list": lambda L: L.optim.SGD([_param(L, 2)], lr=0.1).load_state_dict([]),
    "SGD load_state_dict wrong groups": lambda L: L.optim.SGD([_param(L, 2)], lr=0.1).load_state_dict(
        {"state": {}, "param_groups": []}),
    "add_param_group of a list": lambda L: L.optim.SGD([_param(L, 2)], lr=0.1).add_param_group([1]),
    "add_param_group duplicate": lambda L: (lambda p: L.optim.SGD([p], lr=0.1).add_param_group(
        {"params": [p]}))(_param(L, 2)),
    "StepLR step_size str": lambda L: L.optim.lr_scheduler.StepLR(
        L.optim.SGD([_param(L, 2)], lr=0.1), step_size="a").step(),
    "MultiStepLR of None": lambda L: L.optim.lr_scheduler.MultiStepLR(
        L.optim.SGD([_param(L, 2)], lr=0.1), milestones=None),
    "LambdaLR wrong count": lambda L: L.optim.lr_scheduler.LambdaLR(
        L.optim.SGD([_param(L, 2)], lr=0.1), [lambda e: 1.0, lambda e: 1.0]),
    "OneCycleLR without steps": lambda L: L.optim.lr_scheduler.OneCycleLR(
        L.optim.SGD([_param(L, 2)], lr=0.1), max_lr=0.1),
    "ReduceLROnPlateau bad mode": lambda L: L.optim.lr_scheduler.ReduceLROnPlateau(
        L.optim.SGD([_param(L, 2)], lr=0.1), mode="up"),
    "ReduceLROnPlateau factor 1": lambda L: L.optim.lr_scheduler.ReduceLROnPlateau(
        L.optim.SGD([_param(L, 2)], lr=0.1), factor=1.0),
    # --- data
    "DataLoader of None": lambda L: list(L.utils.data.DataLoader(None)),
    "DataLoader of an int": lambda L: list(L.utils.data.DataLoader(5)),
    "DataLoader sampler and batch_sampler": lambda L: L.utils.data.DataLoader(
        _Three(), sampler=[0], batch_sampler=[[0]]),
    "DataLoader drop_last with batch_sampler": lambda L: L.utils.data.DataLoader(
        _Three(), drop_last=True, batch_sampler=[[0]]),
    "DataLoader collate of mixed types": lambda L: list(L.utils.data.DataLoader(
        [1, "a"], batch_size=2)),
    "DataLoader collate of mismatched shapes": lambda L: list(L.utils.data.DataLoader(
        [L.ones(2), L.ones(3)], batch_size=2)),
    "TensorDataset of a list": lambda L: L.utils.data.TensorDataset([1, 2]),
    "Subset index out of range": lambda L: L.utils.data.Subset(_Three(), [5])[0],
    "random_split fractions": lambda L: L.utils.data.random_split(_Three(), [0.5, 0.6]),
    "ConcatDataset empty": lambda L: L.utils.data.ConcatDataset([]),
    "RandomSampler num_samples 0": lambda L: L.utils.data.RandomSampler(_Three(), num_samples=0),
    "BatchSampler batch_size 0": lambda L: L.utils.data.BatchSampler([0, 1], batch_size=0, drop_last=False),
    # --- save and load (more)
    "load of None": lambda L: L.load(None),
}


# "'list' object has no attribute 'size'": PyTorch tripping over a plain value.
_PLAIN_VALUE = re.compile(r"'(list|tuple|int|float|str|NoneType|dict|numpy\.ndarray)' object "
                          r"has no attribute")


def _outcome(library, case):
    try:
        return case(library)
    except Exception as error:  # noqa: BLE001 - the error is the outcome under test
        return error


def _dtype_name(dtype):
    return str(dtype).rsplit(".", 1)[-1]


def _raised_on_purpose(error):
    """The error came from a ``raise`` in edunet, or from Python's own operator
    machinery (an operator that returned NotImplemented): not from inside NumPy, and
    not an accident such as ``None.ndim`` inside edunet."""
    frames = traceback.extract_tb(error.__traceback__)
    last = frames[-1]
    inside_edunet = os.path.abspath(last.filename).startswith(EDUNET_DIR)
    if inside_edunet:
        return "raise" in (last.line or "")
    return "numpy" not in last.filename and "site-packages" not in last.filename


@pytest.mark.parametrize("name", list(CASES))
def test_same_outcome_as_torch(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    case = CASES[name]
    expected = _outcome(torch, case)
    got = _outcome(edunet, case)
    if isinstance(expected, AttributeError) and _PLAIN_VALUE.match(str(expected)):
        # PyTorch itself leaks an internal AttributeError here (e.g. F.mse_loss([1.0], [2.0])
        # reads list.size); edunet owes a TypeError that names the argument.
        expected = TypeError(str(expected))
    if isinstance(expected, Exception):
        assert isinstance(got, Exception), f"PyTorch raises {expected!r}; edunet returned {got!r}"
        assert type(got) is type(expected) or isinstance(got, type(expected)), (
            f"PyTorch raises {type(expected).__name__}: {expected}\n"
            f"edunet raises {type(got).__name__}: {got}")
        assert _raised_on_purpose(got), "".join(traceback.format_exception(got))
        assert str(got), "an error without a message"
        return
    assert not isinstance(got, Exception), (
        f"PyTorch returns {expected!r}; edunet raises "
        + "".join(traceback.format_exception(got)))
    if isinstance(expected, torch.Tensor):
        assert isinstance(got, edunet.Tensor), type(got)
        assert _dtype_name(got.dtype) == _dtype_name(expected.dtype)
        assert got.grad_fn is None or expected.grad_fn is not None
        assert (expected.grad_fn is None) == (got.grad_fn is None)
        np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), rtol=1e-6)
    else:
        assert type(got) is type(expected) or not isinstance(expected, (bool, int, float)), (
            f"PyTorch returns {expected!r}; edunet {got!r}")
        if isinstance(expected, (bool, int, float)):
            assert got == expected


# Every public function edunet shares with torch (edunet.* and nn.functional.*), fed a
# list, None or a string as its first argument. Left out: functions whose first argument
# is not data (seeds, settings, files) and broadcast_shapes (which takes shapes).
_NOT_DATA_FIRST = {"save", "load", "manual_seed", "set_printoptions", "set_default_dtype",
                   "use_deterministic_algorithms", "compile", "is_tensor", "is_storage",
                   "set_grad_enabled", "inference_mode", "no_grad", "enable_grad", "typename",
                   "get_default_dtype", "is_grad_enabled", "seed", "initial_seed",
                   "get_rng_state", "set_rng_state", "summary", "doctor", "broadcast_shapes"}


def _shared_functions():
    for prefix, ours, theirs in (("", edunet, torch), ("nn.functional.", edunet.nn.functional,
                                                       torch.nn.functional)):
        for name in sorted(dir(ours)):
            value = getattr(ours, name)
            if (not name.startswith("_") and name not in _NOT_DATA_FIRST
                    and isinstance(value, types.FunctionType) and hasattr(theirs, name)):
                yield prefix + name


@pytest.mark.parametrize("argument", [[1.0, 2.0], None, "a"], ids=["list", "None", "str"])
@pytest.mark.parametrize("name", list(_shared_functions()))
def test_every_shared_function_refuses_a_non_tensor_as_torch(name, argument):
    def call(library):
        function = library
        for part in name.split("."):
            function = getattr(function, part)
        return function(argument)

    expected, got = _outcome(torch, call), _outcome(edunet, call)
    if isinstance(expected, AttributeError) and _PLAIN_VALUE.match(str(expected)):
        expected = TypeError(str(expected))
    if not isinstance(expected, Exception):
        assert not isinstance(got, Exception), "".join(traceback.format_exception(got))
        return
    assert isinstance(got, type(expected)), (
        f"PyTorch raises {type(expected).__name__}: {expected}; edunet gives {got!r}")
    assert _raised_on_purpose(got), "".join(traceback.format_exception(got))


def _shared_layers():
    """(name, constructor arguments) of every nn layer both libraries build from the first
    of (), (3,), (3, 3), (3, 3, 3) that works in both."""
    for name in sorted(dir(edunet.nn)):
        ours, theirs = getattr(edunet.nn, name), getattr(torch.nn, name, None)
        if not (isinstance(ours, type) and issubclass(ours, edunet.nn.Module) and theirs):
            continue
        for arguments in [(), (3,), (3, 3), (3, 3, 3)]:
            try:
                ours(*arguments), theirs(*arguments)
            except Exception:  # noqa: BLE001 - these arguments don't suit this layer
                continue
            yield name, arguments
            break


@pytest.mark.parametrize("argument", [[1.0, 2.0], None, "a"], ids=["list", "None", "str"])
@pytest.mark.parametrize("name, arguments", list(_shared_layers()))
def test_every_shared_layer_refuses_a_non_tensor_as_torch(name, arguments, argument):
    expected = _outcome(torch, lambda L: getattr(L.nn, name)(*arguments)(argument))
    got = _outcome(edunet, lambda L: getattr(L.nn, name)(*arguments)(argument))
    if isinstance(expected, AttributeError) and _PLAIN_VALUE.match(str(expected)):
        expected = TypeError(str(expected))
    if not isinstance(expected, Exception):
        assert not isinstance(got, Exception), "".join(traceback.format_exception(got))
        return
    assert isinstance(got, type(expected)), (
        f"PyTorch raises {type(expected).__name__}: {expected}; edunet gives {got!r}")
    assert _raised_on_purpose(got), "".join(traceback.format_exception(got))


# Tensor methods shared with torch.Tensor, given a list, None or a string as first
# argument. Left out: methods whose first argument is a size, dtype or device (checked by
# the cases above) and those that take no argument. Where edunet is deliberately more
# lenient than PyTorch (x.max(None) means "no dim"; x.copy_([1.0, 2.0]) copies the values)
# the case is listed in _LENIENT.
_NOT_DATA_METHODS = {"register_hook", "requires_grad_", "to", "type", "new_tensor", "new_zeros",
                     "new_ones", "new_empty", "new_full", "cuda", "backward", "numpy", "tolist",
                     "item", "size", "stride", "dim", "element_size", "uniform_", "normal_",
                     "bernoulli_", "fill_", "zero_", "view", "reshape", "expand", "repeat",
                     "permute", "flip", "detach_", "retain_grad", "contiguous", "clone", "float",
                     "double", "half", "long", "int", "short", "byte", "bool", "cpu",
                     "is_floating_point", "numel", "nelement", "ndimension", "is_contiguous", "t",
                     "abs", "neg", "exp"}
_LENIENT = {("copy_", "list"), ("softmax", "None"), ("log_softmax", "None"), ("max", "None"),
            ("min", "None"), ("prod", "None"), ("squeeze", "None")}


def _shared_methods():
    for name in sorted(dir(edunet.Tensor)):
        value = getattr(edunet.Tensor, name, None)
        if (not name.startswith("_") and name not in _NOT_DATA_METHODS and callable(value)
                and not isinstance(value, property) and hasattr(torch.Tensor, name)):
            yield name


@pytest.mark.parametrize("argument", [[1.0, 2.0], None, "a"], ids=["list", "None", "str"])
@pytest.mark.parametrize("name", list(_shared_methods()))
def test_every_shared_method_refuses_a_non_tensor_as_torch(name, argument, request):
    if (name, request.node.callspec.id.rsplit("-", 1)[-1]) in _LENIENT:
        return
    expected = _outcome(torch, lambda L: getattr(L.ones(2), name)(argument))
    got = _outcome(edunet, lambda L: getattr(L.ones(2), name)(argument))
    if isinstance(expected, AttributeError) and _PLAIN_VALUE.match(str(expected)):
        expected = TypeError(str(expected))
    if not isinstance(expected, Exception):
        assert not isinstance(got, Exception), "".join(traceback.format_exception(got))
        return
    assert isinstance(got, type(expected)), (
        f"PyTorch raises {type(expected).__name__}: {expected}; edunet gives {got!r}")
    # operator.index's own TypeError ("'list' object cannot be interpreted as an integer")
    # is how a dimension argument is checked: deliberate, and it names the wrong type.
    assert (_raised_on_purpose(got) or "cannot be interpreted as an integer" in str(got)), (
        "".join(traceback.format_exception(got)))


def test_batch_norm_state_dict_without_num_batches_tracked_loads_as_torch():
    """Old checkpoints lack num_batches_tracked; PyTorch's BatchNorm keeps its own count."""
    for library in (torch, edunet):
        source = library.nn.BatchNorm1d(2)
        source(library.randn(4, 2))
        state = dict(source.state_dict())
        del state["num_batches_tracked"]
        target = library.nn.BatchNorm1d(2)
        result = target.load_state_dict(state)
        assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
        assert int(target.num_batches_tracked) == 0
        np.testing.assert_allclose(np.asarray(target.running_mean.detach()),
                                   np.asarray(source.running_mean.detach()))
        assert "num_batches_tracked" not in state  # the caller's dict is not changed


def test_numpy_scalar_times_loss_backpropagates_as_torch():
    values = np.logspace(-2, 0, 2)
    grads = []
    for library in (torch, edunet):
        x = library.ones(3, requires_grad=True)
        loss = values[0] * (x * x).sum()
        loss.backward()
        grads.append(np.asarray(x.grad))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


def test_hook_error_names_the_hook():
    x = edunet.ones(3, requires_grad=True)

    def my_hook(grad):
        return grad.numpy()

    x.register_hook(my_hook)
    with pytest.raises(TypeError, match="my_hook.*ndarray"):
        (x * 2).sum().backward()
