"""Activation functions and layers: NumPy, finite differences, PyTorch; erf; in-place; reprs."""

import math

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ops.harness import OpCase, Sample, away_from, shapes, table_tests, values

import edunet
import edunet.nn
import edunet.nn.functional as F
from edunet.ops.activation import complementary_error_function, error_function, normal_cdf

torch = pytest.importorskip("torch")

numpy_erf = numpy.vectorize(math.erf, otypes=[float])


# ---------------------------------------------------------------- NumPy references
def numpy_leaky_relu(x, negative_slope):
    return numpy.where(x > 0, x, negative_slope * x)


def numpy_elu(x, alpha):
    return numpy.where(x > 0, x, alpha * numpy.expm1(x))


def numpy_gelu(x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + numpy.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + numpy_erf(x / math.sqrt(2)))


def numpy_softplus(x, beta, threshold):
    return numpy.where(beta * x > threshold, x, numpy.log1p(numpy.exp(beta * x)) / beta)


# ---------------------------------------------------------------- samples
def kinked(points, low=-2.0, high=2.0, **option_strategies):
    """One float input kept away from the kinks, plus options drawn from strategies."""
    return st.tuples(shapes(), st.fixed_dictionaries(option_strategies)).flatmap(
        lambda drawn: away_from(drawn[0], points, low=low, high=high).map(
            lambda array: Sample([array], drawn[1])))


def smooth(low=-4.0, high=4.0, **option_strategies):
    return st.tuples(shapes(), st.fixed_dictionaries(option_strategies)).flatmap(
        lambda drawn: values(drawn[0], low, high).map(lambda array: Sample([array], drawn[1])))


def hardtanh_sample():
    """Bounds min_val < max_val, and values kept away from both corners."""
    return st.tuples(shapes(), st.floats(-2, 0), st.floats(0.2, 2)).flatmap(
        lambda drawn: away_from(drawn[0], (drawn[1], drawn[2]), low=-3, high=3).map(
            lambda array: Sample([array], {"min_val": drawn[1], "max_val": drawn[2]})))


def functional(name):
    """``lib.nn.functional.<name>(x, **options)`` for lib = edunet or torch."""
    return lambda lib, x, **options: getattr(lib.nn.functional, name)(x, **options)


def layer(name):
    """``lib.nn.<name>(**options)(x)``: the layer form."""
    return lambda lib, x, **options: getattr(lib.nn, name)(**options)(x)


slopes = st.sampled_from([0.01, 0.2, -0.5])
alphas = st.sampled_from([1.0, 0.5, 2.0])
betas = st.sampled_from([1.0, 2.0, 0.5])
thresholds = st.sampled_from([20.0, 1.0, 3.0])

CASES = [
    OpCase("leaky_relu", functional("leaky_relu"), numpy_leaky_relu,
           kinked((0.0,), negative_slope=slopes)),
    OpCase("LeakyReLU", layer("LeakyReLU"), numpy_leaky_relu, kinked((0.0,), negative_slope=slopes)),
    OpCase("elu", functional("elu"), numpy_elu, kinked((0.0,), low=-4, high=3, alpha=alphas)),
    OpCase("ELU", layer("ELU"), numpy_elu, kinked((0.0,), alpha=alphas)),
    OpCase("gelu", functional("gelu"), numpy_gelu,
           smooth(-5, 5, approximate=st.sampled_from(["none", "tanh"]))),
    OpCase("GELU", layer("GELU"), numpy_gelu, smooth(approximate=st.sampled_from(["none", "tanh"]))),
    OpCase("silu", functional("silu"), lambda x: x / (1 + numpy.exp(-x)), smooth(-6, 6)),
    OpCase("SiLU", layer("SiLU"), lambda x: x / (1 + numpy.exp(-x)), smooth()),
    OpCase("softplus", functional("softplus"), numpy_softplus,
           smooth(-6, 6, beta=betas, threshold=thresholds)),
    OpCase("Softplus", layer("Softplus"), numpy_softplus, smooth(beta=betas, threshold=thresholds)),
    OpCase("relu6", functional("relu6"), lambda x: numpy.clip(x, 0, 6),
           kinked((0.0, 6.0), low=-3, high=9)),
    OpCase("ReLU6", layer("ReLU6"), lambda x: numpy.clip(x, 0, 6), kinked((0.0, 6.0), low=-3, high=9)),
    OpCase("hardtanh", functional("hardtanh"), lambda x, min_val, max_val: numpy.clip(x, min_val, max_val),
           hardtanh_sample()),
    OpCase("Hardtanh", layer("Hardtanh"), lambda x, min_val, max_val: numpy.clip(x, min_val, max_val),
           hardtanh_sample()),
    OpCase("ReLU", layer("ReLU"), lambda x: numpy.maximum(x, 0), kinked((0.0,))),
    OpCase("Sigmoid", layer("Sigmoid"), lambda x: 1 / (1 + numpy.exp(-x)), smooth()),
    OpCase("Tanh", layer("Tanh"), numpy.tanh, smooth()),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
@given(shape=shapes(min_dims=1), seed=st.integers(0, 2**16), data=st.data())
def test_softmax_layers_match_torch(name, shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    array = numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)
    ours, theirs = edunet.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    our_out, their_out = getattr(edunet.nn, name)(dim=dim)(ours), getattr(torch.nn, name)(dim=dim)(theirs)
    numpy.testing.assert_allclose(our_out.detach().numpy(), their_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    weight = numpy.random.default_rng(seed + 1).standard_normal(shape).astype(numpy.float32)
    (our_out * edunet.tensor(weight)).sum().backward()
    (their_out * torch.tensor(weight)).sum().backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_softmax_layer_without_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        edunet.nn.Softmax()(edunet.ones(2, 3))


# ---------------------------------------------------------------- extreme inputs
EXTREMES = [-1e4, -100.0, -30.0, -20.5, -10.0, -1e-3, 0.0, 1e-3, 10.0, 19.9, 20.1, 30.0, 100.0, 1e4]


@pytest.mark.parametrize("name, options", [
    ("softplus", {}), ("softplus", {"beta": 2.0}), ("softplus", {"threshold": 100.0}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("elu", {}), ("elu", {"alpha": 0.5}),
    ("silu", {}), ("leaky_relu", {}),
])
def test_extreme_inputs_stay_finite_and_match_torch(name, options):
    array = numpy.array(EXTREMES, dtype=numpy.float32)
    ours, theirs = edunet.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    our_out = getattr(F, name)(ours, **options)
    their_out = getattr(torch.nn.functional, name)(theirs, **options)
    our_values, their_values = our_out.detach().numpy(), their_out.detach().numpy()
    assert numpy.isfinite(our_values).all()
    # PyTorch's softplus overflows to inf (gradient nan) where e^(beta x) > 3e38 below a
    # raised threshold; ours is computed stably, so compare where PyTorch's is finite.
    finite = numpy.isfinite(their_values)
    assert finite.sum() >= len(EXTREMES) - 1
    numpy.testing.assert_allclose(our_values[finite], their_values[finite], rtol=1e-6, atol=1e-6)
    our_out.sum().backward()
    their_out.sum().backward()
    assert numpy.isfinite(ours.grad.numpy()).all()
    numpy.testing.assert_allclose(ours.grad.numpy()[finite], theirs.grad.numpy()[finite],
                                  rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, options", [
    ("hardtanh", {}), ("hardtanh", {"min_val": -2.0, "max_val": 0.0}), ("relu6", {}),
    ("leaky_relu", {"negative_slope": 0.1}), ("elu", {"alpha": 0.5}), ("relu", {}),
])
def test_gradients_at_the_kinks_follow_torch(name, options):
    """At a kink there is no derivative; PyTorch picks one (hardtanh: 0 at both corners)."""
    array = numpy.array([-2.0, -1.0, 0.0, 1.0, 6.0], dtype=numpy.float32)
    ours, theirs = edunet.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    getattr(F, name)(ours, **options).sum().backward()
    getattr(torch.nn.functional, name)(theirs, **options).sum().backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


def test_gelu_keeps_its_tiny_left_tail_in_float64():
    """x Phi(x) for x = -30 is -30 * erfc(30 / sqrt 2) / 2 ~ -1.5e-196, not 0 or NaN."""
    x = numpy.array([-30.0, -10.0, -5.0])
    expected = x * 0.5 * numpy.array([math.erfc(-value / math.sqrt(2)) for value in x])
    numpy.testing.assert_allclose(F.gelu(edunet.tensor(x)).numpy(), expected, rtol=1e-12)


def test_softplus_does_not_overflow_below_a_large_threshold():
    x = edunet.tensor([500.0, -500.0], dtype=edunet.float64, requires_grad=True)
    y = F.softplus(x, threshold=1e6)
    numpy.testing.assert_allclose(y.detach().numpy(), [500.0, math.exp(-500.0)], rtol=1e-12)
    y.sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), [1.0, math.exp(-500.0)], rtol=1e-12)


# ---------------------------------------------------------------- erf
def test_erf_matches_math_erf_over_a_wide_range():
    x = numpy.concatenate([numpy.linspace(-30, 30, 20001), numpy.geomspace(1e-300, 30, 2000),
                           -numpy.geomspace(1e-300, 30, 2000),
                           [0.0, 0.46875, numpy.nextafter(0.46875, 1), 4.0, numpy.nextafter(4.0, 5)]])
    expected = numpy_erf(x)
    relative = numpy.abs(error_function(x) - expected) / numpy.maximum(numpy.abs(expected), 1e-300)
    assert relative.max() < 1e-14, f"worst at x = {x[relative.argmax()]}"


def test_erfc_matches_math_erfc_including_its_tail():
    x = numpy.linspace(-26, 26, 20001)  # erfc(26) ~ 5.7e-296: still a normal float
    expected = numpy.vectorize(math.erfc, otypes=[float])(x)
    relative = numpy.abs(complementary_error_function(x) - expected) / expected
    assert relative.max() < 1e-12, f"worst at x = {x[relative.argmax()]}"


def test_erf_special_values_and_dtypes():
    special = numpy.array([numpy.inf, -numpy.inf, 1e300, -1e300, 0.0])
    numpy.testing.assert_array_equal(error_function(special), [1.0, -1.0, 1.0, -1.0, 0.0])
    numpy.testing.assert_array_equal(complementary_error_function(special), [0.0, 2.0, 0.0, 2.0, 1.0])
    assert numpy.isnan(error_function(numpy.array([numpy.nan]))).all()
    assert error_function(numpy.ones(3, dtype=numpy.float32)).dtype == numpy.float32
    numpy.testing.assert_allclose(normal_cdf(numpy.array([-1.0, 0.0, 1.96])),
                                  [0.15865525393145707, 0.5, 0.9750021048517795], rtol=1e-14)


# ---------------------------------------------------------------- in-place
INPLACE = [
    ("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {"alpha": 0.7}), ("SiLU", {}),
    ("ReLU6", {}), ("Hardtanh", {"min_val": -0.5, "max_val": 0.5}),
]


@pytest.mark.parametrize("name, options", INPLACE)
def test_inplace_layer_overwrites_its_input_and_gradients_match_torch(name, options):
    array = numpy.random.default_rng(1).uniform(-8, 8, (3, 4)).astype(numpy.float32)
    array[numpy.abs(array) < 0.1] = 0.3
    ours, theirs = edunet.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    our_hidden, their_hidden = ours * 1.5, theirs * 1.5  # non-leaf: in-place is allowed
    our_out = getattr(edunet.nn, name)(inplace=True, **options)(our_hidden)
    their_out = getattr(torch.nn, name)(inplace=True, **options)(their_hidden)
    assert our_out is our_hidden
    numpy.testing.assert_allclose(our_hidden.detach().numpy(), their_hidden.detach().numpy(), rtol=1e-6)
    (our_out * our_out).sum().backward()
    (their_out * their_out).sum().backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, options", INPLACE)
def test_inplace_on_a_leaf_that_requires_grad_raises_like_torch(name, options):
    for lib in (edunet, torch):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            getattr(lib.nn, name)(inplace=True, **options)(lib.ones(3, requires_grad=True))


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "silu", "relu6", "hardtanh"])
def test_inplace_without_autograd_writes_into_shared_memory(name):
    array = numpy.array([-2.0, 0.5, 7.0], dtype=numpy.float32)
    tensor = edunet.from_numpy(array)
    result = getattr(F, name)(tensor, inplace=True)
    assert result is tensor
    expected = getattr(torch.nn.functional, name)(torch.tensor([-2.0, 0.5, 7.0]))
    numpy.testing.assert_allclose(array, expected.numpy(), rtol=1e-6)  # the NumPy array changed


# ---------------------------------------------------------------- reprs, names, errors
LAYER_SPECS = [
    "ReLU()", "ReLU(inplace=True)", "LeakyReLU()", "LeakyReLU(0.2, True)", "ELU()",
    "ELU(alpha=2.0, inplace=True)", "GELU()", "GELU(approximate='tanh')", "SiLU()", "SiLU(True)",
    "Sigmoid()", "Tanh()", "Softmax()", "Softmax(dim=1)", "LogSoftmax(dim=-1)", "Softplus()",
    "Softplus(beta=2, threshold=10)", "ReLU6()", "ReLU6(inplace=True)", "Hardtanh()",
    "Hardtanh(-2, 2, True)", "Hardtanh(0.0, 6.0)",
]


@pytest.mark.parametrize("spec", LAYER_SPECS)
def test_repr_matches_torch(spec):
    ours = eval(f"edunet.nn.{spec}")
    theirs = eval(f"torch.nn.{spec}")
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


@pytest.mark.parametrize("name, options", [
    ("leaky_relu", {}), ("elu", {}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}),
    ("softplus", {}), ("relu6", {}), ("hardtanh", {}), ("relu", {}),
])
def test_grad_fn_names_match_torch(name, options):
    ours = getattr(F, name)(edunet.ones(2, requires_grad=True), **options)
    theirs = getattr(torch.nn.functional, name)(torch.ones(2, requires_grad=True), **options)
    assert ours.grad_fn.name() == theirs.grad_fn.name()


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "gelu", "silu", "softplus"])
def test_integer_input_raises_torchs_error_type_with_a_fix(name):
    with pytest.raises(NotImplementedError):
        getattr(torch.nn.functional, name)(torch.tensor([1, -2]))
    with pytest.raises(NotImplementedError, match=r"x\.float\(\)"):
        getattr(F, name)(edunet.tensor([1, -2]))


def test_relu6_and_hardtanh_keep_integer_dtypes_like_torch():
    for name in ("relu6", "hardtanh"):
        ours = getattr(F, name)(edunet.tensor([1, -2, 9]))
        theirs = getattr(torch.nn.functional, name)(torch.tensor([1, -2, 9]))
        assert ours.dtype == edunet.int64
        assert ours.tolist() == theirs.tolist()


def test_argument_errors_match_torch():
    for lib in (edunet, torch):
        with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
            lib.nn.functional.gelu(lib.ones(2), approximate="erf")
        with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
            lib.nn.functional.hardtanh(lib.ones(2), 1.0, 0.0)
        with pytest.raises(AssertionError, match=r"max_val \(0\) must be greater than min_val \(1\)"):
            lib.nn.Hardtanh(1, 0)
        with pytest.warns(FutureWarning, match="min_value"):
            assert lib.nn.Hardtanh(min_value=-2.0).min_val == -2.0
