"""Pooling functions (edunet/ops/pool.py): F.max_pool1d/2d, avg_pool1d/2d, adaptive pools,
on every kernel path (tests/kernel_paths.py).

Checked against PyTorch (values, indices, gradients, grad_fn names, dtypes, exception
types) and against finite differences (float64). Inputs for the max pools are small
integers stored as floats, so that ties (where the gradient must go to the *first*
maximum) are common.
"""

import numpy
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import edunet
import edunet.nn.functional as F
from edunet import nn
from tests.kernel_paths import kernel_path  # noqa: F401  (the fixture)
from tests.ops.torch_checks import (accepts_or_refuses_dtype_as_torch_does, as_numpy,
                                    raises_like_torch)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("kernel_path")


# ---------------------------------------------------------------- helpers
def tied_values(seed, shape):
    """Small integers as float32: many windows hold their maximum twice or more."""
    return numpy.random.default_rng(seed).integers(-3, 4, size=shape).astype(numpy.float32)


def check_against_torch(name, x, options, device="cpu", atol=1e-6):
    """Values (and indices), grad_fn name and input gradient equal PyTorch's."""
    ours_input = edunet.tensor(x, requires_grad=True, device=device)
    their_input = torch.tensor(x, requires_grad=True)
    ours = getattr(F, name)(ours_input, **options)
    theirs = getattr(torch.nn.functional, name)(their_input, **options)
    if isinstance(theirs, tuple):
        assert ours[1].dtype == edunet.int64
        numpy.testing.assert_array_equal(as_numpy(ours[1]), theirs[1].numpy())
        ours, theirs = ours[0], theirs[0]
    assert tuple(ours.shape) == tuple(theirs.shape)
    numpy.testing.assert_allclose(as_numpy(ours), theirs.detach().numpy(), rtol=1e-5, atol=atol)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    upstream = numpy.random.default_rng(2).standard_normal(tuple(theirs.shape)).astype(numpy.float32)
    (ours * edunet.tensor(upstream, device=device)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    numpy.testing.assert_allclose(as_numpy(ours_input.grad), their_input.grad.numpy(), rtol=1e-5,
                                  atol=atol * 10)


def torch_accepts(name, shape, options):
    """PyTorch computes it, and no window sees only padding.

    (With dilation a window can fall entirely on the padding; PyTorch then returns -inf
    and an index outside the plane, and its backward writes into a neighbouring plane.)
    """
    try:
        output = getattr(torch.nn.functional, name)(torch.zeros(shape), **options)
    except RuntimeError:
        return False
    return not torch.isinf(output).any()


# ---------------------------------------------------------------- strategies
@st.composite
def pool_cases(draw, dims=2, with_dilation=True):
    """Shape and options for a pool PyTorch accepts (padding at most half the kernel)."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * dims)))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims)) if with_dilation else None
    padding = tuple(draw(st.integers(0, ((dilation[d] if dilation else 1) * (k - 1) + 1) // 2))
                    for d, k in enumerate(kernel))
    sizes = tuple(draw(st.integers(1, 7)) for _ in range(dims))
    batch = draw(st.sampled_from([(), (1,), (2,)]))   # () means unbatched
    shape = batch + (draw(st.integers(1, 3)),) + sizes
    options = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=draw(st.booleans()))
    if dims == 1:
        options = {k: (v[0] if isinstance(v, tuple) else v) for k, v in options.items()}
    if with_dilation:
        options["dilation"] = dilation if dims == 2 else dilation[0]
    return shape, options


# ---------------------------------------------------------------- max pooling vs torch
@given(pool_cases(), st.booleans(), st.integers(0, 2**31))
def test_max_pool2d_matches_torch_including_ties_and_indices(case, return_indices, seed):
    shape, options = case
    assume(torch_accepts("max_pool2d", shape, options))
    check_against_torch("max_pool2d", tied_values(seed, shape),
                        dict(options, return_indices=return_indices))


@given(pool_cases(dims=1), st.booleans(), st.integers(0, 2**31))
def test_max_pool1d_matches_torch(case, return_indices, seed):
    shape, options = case
    assume(torch_accepts("max_pool1d", shape, options))
    check_against_torch("max_pool1d", tied_values(seed, shape),
                        dict(options, return_indices=return_indices))


def test_nan_propagates_and_minus_infinity_stays_off_the_padding_like_torch():
    x = numpy.full((1, 1, 4, 5), -numpy.inf, numpy.float32)
    x[0, 0, 1, 1] = numpy.nan
    x[0, 0, 2, 3] = numpy.nan
    for options in [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                    dict(kernel_size=2, stride=1, padding=1, ceil_mode=True)]:
        ours, our_indices = F.max_pool2d(edunet.tensor(x), return_indices=True, **options)
        theirs, their_indices = torch.nn.functional.max_pool2d(torch.tensor(x),
                                                               return_indices=True, **options)
        numpy.testing.assert_array_equal(as_numpy(ours), theirs.numpy())
        numpy.testing.assert_array_equal(as_numpy(our_indices), their_indices.numpy())
    for output_size in [1, 2, (3, 2)]:
        ours, our_indices = F.adaptive_max_pool2d(edunet.tensor(x), output_size, True)
        theirs, their_indices = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x),
                                                                        output_size, True)
        numpy.testing.assert_array_equal(as_numpy(ours), theirs.numpy())
        numpy.testing.assert_array_equal(as_numpy(our_indices), their_indices.numpy())


# ---------------------------------------------------------------- average pooling vs torch
@given(pool_cases(with_dilation=False), st.booleans(), st.sampled_from([None, 1, 3]),
       st.integers(0, 2**31))
def test_avg_pool2d_matches_torch(case, count_include_pad, divisor_override, seed):
    shape, options = case
    options = dict(options, count_include_pad=count_include_pad, divisor_override=divisor_override)
    assume(torch_accepts("avg_pool2d", shape, options))
    x = numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)
    check_against_torch("avg_pool2d", x, options)


@given(pool_cases(dims=1, with_dilation=False), st.booleans(), st.integers(0, 2**31))
def test_avg_pool1d_matches_torch(case, count_include_pad, seed):
    shape, options = case
    options = dict(options, count_include_pad=count_include_pad)
    assume(torch_accepts("avg_pool1d", shape, options))
    x = numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)
    check_against_torch("avg_pool1d", x, options)


# ---------------------------------------------------------------- adaptive pooling vs torch
@given(st.sampled_from([(2, 3, 7, 6), (3, 5, 5), (1, 1, 4, 9)]),
       st.one_of(st.integers(1, 8), st.tuples(st.one_of(st.none(), st.integers(1, 8)),
                                              st.integers(1, 8))),
       st.integers(0, 2**31))
def test_adaptive_pools_match_torch(shape, output_size, seed):
    check_against_torch("adaptive_avg_pool2d",
                        numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32),
                        dict(output_size=output_size))
    check_against_torch("adaptive_max_pool2d", tied_values(seed, shape),
                        dict(output_size=output_size, return_indices=True))


def test_global_average_pool_is_a_mean_like_torch():
    ours = F.adaptive_avg_pool2d(edunet.ones(2, 3, 4, 4, requires_grad=True), 1)
    assert ours.grad_fn.name() == "MeanBackward1" and tuple(ours.shape) == (2, 3, 1, 1)


# ---------------------------------------------------------------- finite differences
GRADCHECK_CASES = [
    ("max_pool2d", (2, 2, 5, 4), dict(kernel_size=2)),
    ("max_pool2d", (2, 5, 5), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool2d", (1, 1, 6, 6), dict(kernel_size=2, stride=1, dilation=2)),
    ("max_pool1d", (2, 7), dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d", (2, 2, 5, 4), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                      count_include_pad=False)),
    ("avg_pool2d", (2, 4, 4), dict(kernel_size=2, stride=1, divisor_override=3)),
    ("avg_pool1d", (1, 2, 7), dict(kernel_size=2, padding=1, ceil_mode=True)),
    ("adaptive_avg_pool2d", (2, 2, 5, 7), dict(output_size=(3, 4))),
    ("adaptive_max_pool2d", (2, 5, 7), dict(output_size=(3, 4))),
]


@pytest.mark.parametrize("name, shape, options", GRADCHECK_CASES)
def test_gradients_match_finite_differences(name, shape, options, device):
    # Distinct values, at least 1e-3 apart, so no nudge of 1e-6 changes which one is the maximum.
    random = numpy.random.default_rng(0)
    x = (random.permutation(int(numpy.prod(shape))).reshape(shape) * 1e-2
         + random.uniform(0, 1e-3, shape))
    tensor = edunet.tensor(x, dtype=edunet.float64, requires_grad=True, device=device)
    function = getattr(F, name)
    assert edunet.gradcheck(lambda t: function(t, **options), (tensor,), eps=1e-6, atol=1e-6,
                            rtol=1e-4)


# ---------------------------------------------------------------- integers (the course's 5x5 example)
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_pool_on_the_course_integer_image_gives_torchs_values(ceil_mode):
    ours = nn.MaxPool2d(2, ceil_mode=ceil_mode)(edunet.arange(25).reshape(1, 1, 5, 5))
    theirs = torch.nn.MaxPool2d(2, ceil_mode=ceil_mode)(torch.arange(25).reshape(1, 1, 5, 5))
    assert ours.dtype == edunet.int64 and theirs.dtype == torch.int64
    numpy.testing.assert_array_equal(as_numpy(ours), theirs.numpy())
    assert tuple(ours.shape) == ((1, 1, 3, 3) if ceil_mode else (1, 1, 2, 2))


@pytest.mark.parametrize("options", [dict(kernel_size=2), dict(kernel_size=3, padding=1),
                                     dict(kernel_size=2, ceil_mode=True, divisor_override=3),
                                     dict(kernel_size=3, padding=1, count_include_pad=False)])
def test_integer_average_rounds_toward_zero_like_torch(options):
    ours = F.avg_pool2d(-edunet.arange(25).reshape(1, 1, 5, 5), **options)
    theirs = torch.nn.functional.avg_pool2d(-torch.arange(25).reshape(1, 1, 5, 5), **options)
    assert ours.dtype == edunet.int64
    numpy.testing.assert_array_equal(as_numpy(ours), theirs.numpy())


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float64"]
CALLS = {
    "max_pool2d": lambda F_, x: F_.max_pool2d(x, 2),
    "max_pool2d_indices": lambda F_, x: F_.max_pool2d(x, 2, return_indices=True)[1],
    "max_pool1d": lambda F_, x: F_.max_pool1d(x[0], 2),
    "max_pool1d_indices": lambda F_, x: F_.max_pool1d(x[0], 2, return_indices=True)[0],
    "avg_pool2d": lambda F_, x: F_.avg_pool2d(x, 2),
    "avg_pool1d": lambda F_, x: F_.avg_pool1d(x[0], 2),
    "adaptive_avg_pool2d": lambda F_, x: F_.adaptive_avg_pool2d(x, 2),
    "adaptive_max_pool2d": lambda F_, x: F_.adaptive_max_pool2d(x, 2),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("call", CALLS)
def test_dtypes_are_accepted_or_refused_as_torch_does(call, dtype):
    values = numpy.arange(32).reshape(1, 2, 4, 4) % 7

    def run(library):
        return CALLS[call](library.nn.functional, library.tensor(values).to(getattr(library, dtype)))

    accepts_or_refuses_dtype_as_torch_does(run)


X = (1, 1, 5, 5)
FUNCTIONAL_ERRORS = [
    ("max_pool2d", X, dict(kernel_size=3, padding=2)),
    ("max_pool2d", X, dict(kernel_size=6)),
    ("max_pool2d", X, dict(kernel_size=0)),
    ("max_pool2d", X, dict(kernel_size=2, stride=0)),
    ("max_pool2d", X, dict(kernel_size=2, dilation=0)),
    ("max_pool2d", X, dict(kernel_size=(2, 3, 4))),
    ("max_pool2d", X, dict(kernel_size=2.0)),
    ("max_pool2d", (5, 5), dict(kernel_size=2)),
    ("max_pool2d", (2, 1, 1, 5, 5), dict(kernel_size=2)),
    ("max_pool2d", (1, 0, 5, 5), dict(kernel_size=2)),
    ("avg_pool2d", X, dict(kernel_size=3, padding=2)),
    ("avg_pool2d", X, dict(kernel_size=6)),
    ("avg_pool2d", X, dict(kernel_size=2, divisor_override=0)),
    ("avg_pool2d", X, dict(kernel_size=(2, 3, 4))),
    ("max_pool1d", (1, 5), dict(kernel_size=6)),
    ("max_pool1d", X, dict(kernel_size=2)),
    ("max_pool1d", (1, 5), dict(kernel_size=(2, 2))),
    ("avg_pool1d", X, dict(kernel_size=2)),
    ("adaptive_avg_pool2d", (5, 5), dict(output_size=2)),
    ("adaptive_avg_pool2d", X, dict(output_size=(2, 3, 4))),
    ("adaptive_avg_pool2d", X, dict(output_size=-1)),
    ("adaptive_max_pool2d", (2, 0, 5, 5), dict(output_size=2)),
]


@pytest.mark.parametrize("name, shape, options", FUNCTIONAL_ERRORS)
def test_bad_arguments_raise_torchs_exception_types(name, shape, options):
    raises_like_torch(lambda: getattr(F, name)(edunet.zeros(*shape), **options),
                      lambda: getattr(torch.nn.functional, name)(torch.zeros(*shape), **options))


def test_too_small_input_explains_the_output_size():
    message = raises_like_torch(lambda: nn.MaxPool2d(6)(edunet.zeros(1, 1, 5, 5)),
                                lambda: torch.nn.MaxPool2d(6)(torch.zeros(1, 1, 5, 5)))
    assert message.startswith("Given input size: (1x5x5). Calculated output size: (1x0x0). "
                              "Output size is too small")


def test_zero_batch_is_allowed_like_torch():
    for name in ("max_pool2d", "avg_pool2d"):
        assert tuple(getattr(F, name)(edunet.zeros(0, 1, 5, 5), 2).shape) == (0, 1, 2, 2)
    assert tuple(F.adaptive_max_pool2d(edunet.zeros(0, 2, 5, 5), 2).shape) == (0, 2, 2, 2)
    assert tuple(F.adaptive_avg_pool2d(edunet.zeros(1, 1, 5, 5), 0).shape) == (1, 1, 0, 0)


@pytest.mark.parametrize("kernel, padding, dilation", [(2, 2, 3), (3, 2, 2), (2, 1, 1), (3, 1, 1)])
def test_padding_limit_follows_torch(kernel, padding, dilation):
    x = numpy.ones((1, 1, 8, 8), dtype=numpy.float32)
    try:
        expected = torch.nn.functional.max_pool2d(torch.tensor(x), kernel, 1, padding, dilation)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="pad should be"):
            edunet.nn.functional.max_pool2d(edunet.tensor(x), kernel, 1, padding, dilation)
        return
    got = edunet.nn.functional.max_pool2d(edunet.tensor(x), kernel, 1, padding, dilation)
    assert tuple(got.shape) == tuple(expected.shape)
