"""In-place operations: the fast path (write straight into the array) agrees with the general one.

edunet/kernels/inplace.py writes unrecorded updates such as ``p.add_(g, alpha=-lr)``
straight into the tensor's array. These tests run every such operation both ways
and require the very same bits, the same dtype and the same memory, and check that
the cases the fast path must not take (conversions, errors, recording) still behave
as before.
"""

import numpy
import pytest

import edunet
import edunet.kernels
from edunet.kernels import inplace as fast_inplace

torch = pytest.importorskip("torch")


def general_path_only(monkeypatch):
    """Make every in-place operation take the general path (compute, then copy back).

    Through the switch ``edunet.kernels.use_reference`` that ``edunet.kernels.reference()``
    sets (made here if that switch does not exist yet).
    """
    monkeypatch.setattr(edunet.kernels, "use_reference", lambda: True, raising=False)
    assert fast_inplace.use_reference()


def operand_maker(dtype):
    """other(shape, seed, positive): a fixed random tensor of ``dtype`` for the operations."""
    def other(shape=(4, 5), seed=1, positive=False):
        values = numpy.random.default_rng(seed).standard_normal(shape).astype(dtype)
        return edunet.from_numpy(numpy.abs(values) + 0.5 if positive else values)
    return other


OPERATIONS = {
    "add_": lambda x, other: x.add_(other()),
    "add_ alpha": lambda x, other: x.add_(other(), alpha=-0.013),
    "add_ number": lambda x, other: x.add_(0.1),
    "add_ int": lambda x, other: x.add_(3),
    "add_ broadcast": lambda x, other: x.add_(other((5,)), alpha=0.3),
    "sub_": lambda x, other: x.sub_(other(), alpha=0.7),
    "sub_ number": lambda x, other: x.sub_(1.5),
    "mul_ number": lambda x, other: x.mul_(0.9),
    "mul_ broadcast": lambda x, other: x.mul_(other((4, 1))),
    "div_": lambda x, other: x.div_(other(positive=True)),
    "div_ number": lambda x, other: x.div_(3.0),
    "addcmul_": lambda x, other: x.addcmul_(other(), other(seed=2), value=0.001),
    "addcdiv_": lambda x, other: x.addcdiv_(other(), other((5,), positive=True), value=-0.01),
    "lerp_": lambda x, other: x.lerp_(other(), 0.1),
    "lerp_ tensor weight": lambda x, other: x.lerp_(other(), other((5,), positive=True) * 0.1),
    "sqrt_": lambda x, other: x.abs().sqrt_(),
    "exp_": lambda x, other: x.exp_(),
    "neg_": lambda x, other: x.neg_(),
    "relu_": lambda x, other: x.relu_(),
    "clamp_": lambda x, other: x.clamp_(-0.5, 0.25),
    "clamp_ min": lambda x, other: x.clamp_(min=0.1),
    "+=": lambda x, other: x.__iadd__(other()),
    "*=": lambda x, other: x.__imul__(2.5),
    "fill_": lambda x, other: x.fill_(0.3),
    "zero_": lambda x, other: x.zero_(),
    "fill_ tensor": lambda x, other: x.fill_(edunet.tensor(2.0, dtype=x.dtype)),
}


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_fast_path_gives_the_bits_of_the_general_path(name, dtype, monkeypatch):
    start = numpy.random.default_rng(0).standard_normal((4, 5)).astype(dtype)

    def run():
        memory = start.copy()
        tensor = edunet.from_numpy(memory)
        with edunet.no_grad():
            result = OPERATIONS[name](tensor, operand_maker(dtype))
        return memory, tensor, result

    fast_memory, fast_tensor, fast_result = run()
    with monkeypatch.context() as patch:
        general_path_only(patch)
        general_memory, general_tensor, general_result = run()
    assert fast_result.dtype == general_result.dtype
    numpy.testing.assert_array_equal(fast_result.numpy(), general_result.numpy())
    if fast_result is fast_tensor:  # written into the tensor's own memory
        assert general_result is general_tensor
        numpy.testing.assert_array_equal(fast_memory, general_memory)
        assert numpy.shares_memory(fast_tensor.numpy(), fast_memory)


def test_optimizer_updates_write_into_the_parameters_memory():
    memory = numpy.ones(3, dtype=numpy.float32)
    parameter = edunet.nn.Parameter(edunet.from_numpy(memory))
    parameter.grad = edunet.tensor([1.0, 2.0, 3.0])
    optimizer = edunet.optim.SGD([parameter], lr=0.5, momentum=0.9)
    for _ in range(2):
        optimizer.step()
    expected = torch.ones(3, requires_grad=True)
    expected.grad = torch.tensor([1.0, 2.0, 3.0])
    reference = torch.optim.SGD([expected], lr=0.5, momentum=0.9)
    for _ in range(2):
        reference.step()
    assert numpy.shares_memory(parameter.detach().numpy(), memory)
    numpy.testing.assert_array_equal(memory, expected.detach().numpy())


def test_numpy_float64_scalars_do_not_widen_float32_computation():
    # NumPy 2 computes float32 array + numpy.float64 scalar in float64; PyTorch treats the
    # scalar as a Python number. The result must be torch's, rounded as float32 arithmetic.
    ours, theirs = edunet.tensor([0.1, 0.2, 0.3]), torch.tensor([0.1, 0.2, 0.3])
    ours.add_(numpy.float64(1e-8)).mul_(numpy.float64(1.0000001))
    theirs.add_(float(numpy.float64(1e-8))).mul_(float(numpy.float64(1.0000001)))
    assert ours.dtype == edunet.float32
    numpy.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("library", [edunet, torch])
def test_conversions_and_shape_errors_still_raise_like_torch(library):
    with pytest.raises(RuntimeError, match="can't be cast"):
        library.tensor([1, 2]).add_(1.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        library.tensor([1, 2]).mul_(library.tensor([1.5, 2.0]))
    with pytest.raises(RuntimeError):
        library.ones(3).add_(library.ones(2, 3))
    with pytest.raises(RuntimeError):
        library.ones(3).mul_(library.ones(2))


def test_mixed_dtypes_take_the_general_path_with_torch_results():
    ours, theirs = edunet.ones(3), torch.ones(3)
    ours.add_(edunet.tensor([1, 2, 3]), alpha=2)
    theirs.add_(torch.tensor([1, 2, 3]), alpha=2)
    ours.mul_(edunet.tensor([0.5, 0.25, 2.0], dtype=edunet.float64))
    theirs.mul_(torch.tensor([0.5, 0.25, 2.0], dtype=torch.float64))
    assert ours.dtype == edunet.float32
    assert ours.tolist() == theirs.tolist()
    counter = edunet.tensor(0)
    counter.add_(1)
    counter += 2
    assert counter.item() == 3 and counter.dtype == edunet.int64


@pytest.mark.parametrize("library", [edunet, torch])
def test_changing_a_saved_value_in_place_makes_backward_raise_like_torch(library):
    x = library.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y's values
    y.add_(10.0)  # the saved y is overwritten: backward would be wrong, so it raises
    with pytest.raises(RuntimeError, match="^one of the variables needed for gradient "
                                           "computation has been modified by an inplace"):
        (z.sum() + y.sum()).backward()


def test_the_fast_path_counts_versions_and_obeys_the_reference_switch(monkeypatch):
    ours, theirs = edunet.ones(3), torch.ones(3)
    for tensor in (ours, theirs):
        tensor.add_(1.0).mul_(2.0)
    assert ours._version == theirs._version == 2
    assert fast_inplace.write_directly("add_", ours, 1.0)
    general_path_only(monkeypatch)
    assert not fast_inplace.write_directly("add_", ours, 1.0)
    ours.add_(1.0)
    assert ours._version == 4 and ours.tolist() == [6.0, 6.0, 6.0]  # (1 + 1) * 2 + 1 + 1


def test_the_leaf_rule_still_applies():
    weight = edunet.ones(3, requires_grad=True)
    for update in (lambda: weight.add_(1.0), lambda: weight.mul_(0.5), lambda: weight.sqrt_(),
                   lambda: weight.addcmul_(weight, weight)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            update()
    with edunet.no_grad():
        weight.mul_(0.5).add_(1.0)
    assert weight.tolist() == [1.5, 1.5, 1.5]


# ---------------------------------------------------------------- recorded changes: copy or take over
RECORDED = {
    "relu_": lambda h: edunet.nn.functional.relu(h, inplace=True),
    "mul_": lambda h: h.mul_(3.0),
    "clamp_": lambda h: h.clamp_(-0.5, 0.5),
    "pow_": lambda h: h.pow_(2),
    "setitem": lambda h: h.__setitem__(slice(1, 3), 0.0),
}


@pytest.mark.parametrize("name", sorted(RECORDED))
@pytest.mark.parametrize("alias", ["none", "data", "numpy", "view", "detach"])
def test_recorded_changes_reach_every_alias_on_both_paths(name, alias, monkeypatch):
    """The fast path may hand the tensor the result's array when nobody else sees its memory;
    every alias must still see the new values, and the gradients equal the reference's."""
    def run():
        x = edunet.tensor([1.0, -2.0, 0.25, 3.0], requires_grad=True)
        h = x * 1.5
        others = {"none": lambda: None, "data": lambda: h.data, "numpy": lambda: h.detach().numpy(),
                  "view": lambda: h[1:], "detach": lambda: h.detach()}[alias]()
        RECORDED[name](h)
        if others is not None:
            seen = others.tolist() if isinstance(others, edunet.Tensor) else others.tolist()
            assert seen == (h[1:] if alias == "view" else h).tolist()
        (h * edunet.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return h.tolist(), x.grad.tolist()

    fast = run()
    general_path_only(monkeypatch)
    assert run() == fast
    their_x = torch.tensor([1.0, -2.0, 0.25, 3.0], requires_grad=True)
    their_h = their_x * 1.5
    {"relu_": lambda h: torch.nn.functional.relu(h, inplace=True)}.get(name, RECORDED[name])(their_h)
    (their_h * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert fast == (their_h.tolist(), their_x.grad.tolist())
