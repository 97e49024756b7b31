"""The op table's machinery: every row is checked three ways.

A row (:class:`OpCase`) says how to call an op, what NumPy computes for it, and
how to draw inputs. Its ``call(lib, *tensors, **options)`` is written once and
run with ``lib = edunet`` and ``lib = torch``, which also proves the API matches.

1. forward against NumPy (float64, tight tolerance);
2. gradients against central differences (``edunet.gradcheck``, float64);
3. forward and backward against PyTorch (float32, same inputs and upstream gradient).

Inputs are drawn by Hypothesis: shapes and options from strategies, values from a
seeded NumPy generator (continuous values, so ties and kinks are vanishingly rare).
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import edunet


# ---------------------------------------------------------------- strategies
def shapes(min_dims=0, max_dims=4, min_side=1, max_side=4):
    """Array shapes, including 0-d and (with ``min_side=0``) size-0 dimensions."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(count=2, min_dims=0, max_dims=4, max_side=4):
    """``count`` shapes that broadcast together, e.g. (3, 1) and (4, 1, 5)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=min_dims,
                                             max_dims=max_dims, max_side=max_side).map(
        lambda result: result.input_shapes)


@st.composite
def values(draw, shape, low=-2.0, high=2.0, dtype=numpy.float64):
    """A float array of ``shape`` with values in [low, high), from a drawn seed."""
    seed = draw(st.integers(0, 2**32 - 1))
    array = numpy.random.default_rng(seed).uniform(low, high, size=shape)
    return array.astype(dtype)


@st.composite
def away_from(draw, shape, points=(0.0,), margin=0.1, low=-2.0, high=2.0):
    """Values that keep ``margin`` away from the kinks ``points`` (for relu, abs, ...)."""
    array = draw(values(shape, low, high))
    for point in points:
        near = numpy.abs(array - point) < margin
        array[near] = point + numpy.where(array[near] >= point, margin, -margin)
    return array


def dims(ndim, allow_none=False):
    """A valid dim for an ``ndim``-D tensor (negative too), or None."""
    ndim_for_range = max(ndim, 1)
    dim = st.integers(-ndim_for_range, ndim_for_range - 1)
    return st.one_of(st.none(), dim) if allow_none else dim


# ---------------------------------------------------------------- the table row
@dataclass
class Sample:
    arrays: list          # NumPy arrays: float ones become differentiable inputs
    options: dict = field(default_factory=dict)


@dataclass
class OpCase:
    """One row of the op table.

    Args:
        name: the row's test id.
        call: ``call(lib, *tensors, **options)`` with lib = edunet or torch.
        reference: ``reference(*arrays, **options)``: the NumPy answer.
        samples: a strategy drawing a :class:`Sample`.
        torch_call: only where PyTorch must be called differently.
        differentiable: False for ops with no gradient (comparisons, argmax).
        grad_inputs: indices of the inputs to differentiate (default: every float input).
    """

    name: str
    call: Callable
    reference: Callable
    samples: st.SearchStrategy
    torch_call: Callable = None
    differentiable: bool = True
    grad_inputs: tuple = None
    rtol: float = 1e-5
    atol: float = 1e-6

    def __repr__(self):
        return self.name


def _is_float(array):
    return numpy.asarray(array).dtype.kind == "f"


def _grad_indices(case, arrays):
    if case.grad_inputs is not None:
        return case.grad_inputs
    return tuple(i for i, a in enumerate(arrays) if _is_float(a))


def _outputs(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _to_numpy(tensor):
    array = tensor.detach().array
    return array.get() if hasattr(array, "get") else numpy.asarray(array)


def _edunet_inputs(case, sample, device, dtype=numpy.float64, requires_grad=False):
    grad_indices = _grad_indices(case, sample.arrays)
    tensors = []
    for index, array in enumerate(sample.arrays):
        array = numpy.asarray(array)
        if _is_float(array):
            array = array.astype(dtype)
        tensor = edunet.tensor(array, device=device)
        if requires_grad and index in grad_indices:
            tensor.requires_grad_(True)
        tensors.append(tensor)
    return tensors


# ---------------------------------------------------------------- the three checks
def check_forward(case, sample, device):
    """The op's values equal NumPy's reference (float64)."""
    inputs = _edunet_inputs(case, sample, device)
    got = _outputs(case.call(edunet, *inputs, **sample.options))
    expected = _outputs(case.reference(*[numpy.asarray(a) for a in sample.arrays], **sample.options))
    assert len(got) == len(expected), f"{case.name}: {len(got)} outputs, NumPy gives {len(expected)}"
    for got_tensor, expected_array in zip(got, expected):
        expected_array = numpy.asarray(expected_array)
        assert tuple(got_tensor.shape) == expected_array.shape, case.name
        assert got_tensor.device == edunet.device(device if device == "cpu" else "cuda:0")
        numpy.testing.assert_allclose(_to_numpy(got_tensor), expected_array, rtol=1e-9, atol=1e-12,
                                      err_msg=case.name)


def check_gradient(case, sample, device):
    """Autograd's gradient equals central differences (float64)."""
    if not case.differentiable or not _grad_indices(case, sample.arrays):
        return
    inputs = _edunet_inputs(case, sample, device, requires_grad=True)
    assert edunet.gradcheck(lambda *tensors: case.call(edunet, *tensors, **sample.options),
                            tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-4)


def check_torch(case, sample, device):
    """Forward values and input gradients equal PyTorch's (float32)."""
    torch = pytest.importorskip("torch")
    inputs = _edunet_inputs(case, sample, device, numpy.float32, requires_grad=case.differentiable)
    torch_inputs = []
    for tensor in inputs:
        torch_tensor = torch.from_numpy(_to_numpy(tensor).copy())
        torch_tensor.requires_grad_(tensor.requires_grad)
        torch_inputs.append(torch_tensor)
    ours = _outputs(case.call(edunet, *inputs, **sample.options))
    theirs = _outputs((case.torch_call or case.call)(torch, *torch_inputs, **sample.options))
    assert len(ours) == len(theirs), case.name
    for our, their in zip(ours, theirs):
        assert tuple(our.shape) == tuple(their.shape), f"{case.name}: shape {our.shape} vs {their.shape}"
        assert str(our.dtype).split(".")[-1] == str(their.dtype).split(".")[-1], (
            f"{case.name}: dtype {our.dtype} vs {their.dtype}")
        numpy.testing.assert_allclose(_to_numpy(our), their.detach().numpy(), rtol=case.rtol,
                                      atol=case.atol, err_msg=f"{case.name} forward")
    if not case.differentiable:
        return
    # The same random upstream gradient for every float output, in both libraries.
    random = numpy.random.default_rng(0)
    our_total, their_total = 0, 0
    for our, their in zip(ours, theirs):
        if our.requires_grad and their.requires_grad:
            weight = random.standard_normal(tuple(our.shape)).astype(numpy.float32)
            our_total = our_total + (our * edunet.tensor(weight, device=device)).sum()
            their_total = their_total + (their * torch.from_numpy(weight)).sum()
    if isinstance(our_total, int):
        return
    our_total.backward()
    their_total.backward()
    for index, (our, their) in enumerate(zip(inputs, torch_inputs)):
        if not our.requires_grad:
            continue
        if their.grad is None:
            assert our.grad is None or not _to_numpy(our.grad).any(), f"{case.name} input {index}"
            continue
        assert our.grad is not None, f"{case.name}: no gradient for input {index}"
        numpy.testing.assert_allclose(_to_numpy(our.grad), their.grad.numpy(), rtol=case.rtol,
                                      atol=case.atol * 10, err_msg=f"{case.name} grad of input {index}")


def table_tests(cases):
    """The three checks as pytest tests over ``cases``; bind them in a test module::

        test_forward, test_gradient, test_torch = table_tests(CASES)
    """
    parametrize = pytest.mark.parametrize("case", cases, ids=[case.name for case in cases])

    @parametrize
    @given(data=st.data())
    def test_forward_matches_numpy(case, device, data):
        check_forward(case, data.draw(case.samples, label="sample"), device)

    @parametrize
    @given(data=st.data())
    def test_gradient_matches_finite_differences(case, device, data):
        check_gradient(case, data.draw(case.samples, label="sample"), device)

    @parametrize
    @given(data=st.data())
    def test_forward_and_backward_match_torch(case, device, data):
        check_torch(case, data.draw(case.samples, label="sample"), device)

    return (test_forward_matches_numpy, test_gradient_matches_finite_differences,
            test_forward_and_backward_match_torch)


# ---------------------------------------------------------------- common sample builders
def unary(shape_strategy=None, **value_options):
    """Samples with one float input of any shape."""
    return (shape_strategy or shapes()).flatmap(
        lambda shape: values(shape, **value_options).map(lambda array: Sample([array])))


def binary(low=-2.0, high=2.0):
    """Samples with two float inputs of broadcastable shapes."""
    return broadcastable_shapes().flatmap(lambda pair: st.tuples(
        values(pair[0], low, high), values(pair[1], low, high)).map(lambda arrays: Sample(list(arrays))))
