"""PyTorch's error contract, checked call by call against torch itself.

Every case below is one call written once and run twice, with ``L = torch`` and
with ``L = edunet``. Where PyTorch raises, edunet must raise the same exception
class, from a deliberate ``raise`` in edunet (or from Python's own operator
machinery), never an AttributeError or a NumPy error from deep inside. Where
PyTorch returns, edunet must return a result of the same kind and dtype.
"""

import io
import os
import traceback

import numpy as np
import pytest

import edunet

torch = pytest.importorskip("torch")

EDUNET_DIR = os.path.dirname(edunet.__file__)


def _t(L, *shape, dtype=None, requires_grad=False):
    return L.ones(*shape, dtype=dtype, requires_grad=requires_grad)


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
}


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
    if isinstance(expected, AttributeError):
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
