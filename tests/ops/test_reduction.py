"""The op table for reductions (sum, mean, max, var, norm, ...): NumPy, finite differences, PyTorch."""

import math
import warnings

import numpy
import pytest
from hypothesis import strategies as st

from tests.ops.harness import OpCase, Sample, binary, shapes, table_tests, values

import edunet

INF = math.inf


# ---------------------------------------------------------------- strategies
def dim_choices(ndim, tuples=True, none=True, empty_tuple=True):
    """A dim for an ``ndim``-D tensor: an int (negative too), a tuple of distinct dims, or None."""
    size = max(ndim, 1)
    one = st.integers(-size, size - 1)
    choices = [one]
    if tuples:
        min_size = 0 if empty_tuple else 1
        choices.append(st.lists(one, min_size=min_size, max_size=size, unique_by=lambda d: d % size)
                       .map(tuple))
    if none:
        choices.append(st.none())
    return st.one_of(choices)


@st.composite
def away_from_zero(draw, shape, low=0.2, high=2.0):
    """Values with |x| in [low, high) and either sign: clear of the kink at 0, and no ties."""
    magnitudes = draw(values(shape, low, high))
    return numpy.where(draw(values(shape)) < 0, -magnitudes, magnitudes)


@st.composite
def reductions(draw, tuples=True, none=True, empty_tuple=True, min_dims=0, max_side=4, low=-2.0,
               high=2.0, nonzero=False, options=None):
    """One float input with ``dim`` and ``keepdim`` options (and any ``options`` drawn too)."""
    shape = draw(shapes(min_dims=min_dims, max_side=max_side))
    array = draw(away_from_zero(shape) if nonzero else values(shape, low, high))
    drawn = {"dim": draw(dim_choices(len(shape), tuples, none, empty_tuple)),
             "keepdim": draw(st.booleans())}
    drawn.update({name: draw(strategy) for name, strategy in (options or {}).items()})
    return Sample([array], drawn)


def whole(**value_options):
    """One float input with no options (a reduction over every element)."""
    return shapes().flatmap(lambda shape: values(shape, **value_options).map(lambda a: Sample([a])))


@st.composite
def with_zeros(draw, dtype=numpy.float64):
    """Inputs for all/any: about a third of the elements are 0; dims as for sum."""
    sample = draw(reductions())
    array = sample.arrays[0]
    array = numpy.where(numpy.abs(array) < 0.7, 0, array).astype(dtype)
    return Sample([array], sample.options)


def spread_samples():
    """Inputs for var/std: at least 2 elements in each reduced slice, correction 0 or 1.

    Not ``dim=()``: PyTorch 2.13 reads it as "all dims" in the forward but its backward
    then divides by the wrong count (twice our gradient for two elements).
    """
    def enough(sample):
        x, dim = sample.arrays[0], sample.options["dim"]
        return math.prod(x.shape[axis] for axis in axes(dim, x.ndim)) >= 2
    return reductions(empty_tuple=False,
                      options={"correction": st.sampled_from([0, 1])}).filter(enough)


def integers(sample, dtype=numpy.int32):
    return Sample([numpy.round(sample.arrays[0] * 3).astype(dtype)], sample.options)


# ---------------------------------------------------------------- NumPy references
def axes(dim, ndim, empty_means_all=True):
    """``dim`` as NumPy's axis tuple (a 0-d array has no axes)."""
    if dim is None or (dim == () and empty_means_all):
        return tuple(range(ndim))
    dims = dim if isinstance(dim, tuple) else (dim,)
    return tuple(d % ndim for d in dims) if ndim else ()


def reducer(numpy_function, **fixed):
    def reference(x, dim, keepdim, **options):
        return numpy_function(x, axis=axes(dim, x.ndim), keepdims=keepdim, **fixed, **options)
    return reference


def variance_reference(x, dim, keepdim, correction):
    return numpy.var(x, axis=axes(dim, x.ndim), keepdims=keepdim, ddof=correction)


def std_reference(x, dim, keepdim, correction):
    return numpy.sqrt(variance_reference(x, dim, keepdim, correction))


def logsumexp_reference(x, dim, keepdim):
    axis = axes(dim, x.ndim)
    shift = x.max(axis=axis, keepdims=True)
    result = shift + numpy.log(numpy.exp(x - shift).sum(axis=axis, keepdims=True))
    return result if keepdim else result.squeeze(axis)


def norm_reference(x, p, dim, keepdim):
    axis = axes(dim, x.ndim)
    magnitude = numpy.abs(x)
    if p in ("fro", 2):
        return numpy.sqrt((x * x).sum(axis=axis, keepdims=keepdim))
    if p == INF:
        return magnitude.max(axis=axis, keepdims=keepdim)
    if p == -INF:
        return magnitude.min(axis=axis, keepdims=keepdim)
    if p == 0:
        return (magnitude != 0).sum(axis=axis, keepdims=keepdim).astype(x.dtype)
    return (magnitude ** p).sum(axis=axis, keepdims=keepdim) ** (1 / p)


def values_and_indices(numpy_reduce, numpy_arg):
    def reference(x, dim, keepdim):
        flat = x.reshape(x.shape or (1,))
        axis = dim % flat.ndim
        indices = numpy.expand_dims(numpy_arg(flat, axis=axis), axis)
        values = numpy_reduce(flat, axis=axis, keepdims=True)
        shape = (tuple(1 if a == axis else s for a, s in enumerate(x.shape)) if keepdim
                 else tuple(s for a, s in enumerate(x.shape) if a != axis))
        return values.reshape(shape), indices.reshape(shape)
    return reference


def arg_reference(numpy_arg):
    def reference(x, dim, keepdim):
        if dim is None:
            return numpy.asarray(numpy_arg(x)).reshape((1,) * x.ndim if keepdim else ())
        return values_and_indices(numpy.max, numpy_arg)(x, dim, keepdim)[1]
    return reference


def prod_reference(x, dim, keepdim):
    if dim is None:
        return numpy.prod(x, keepdims=keepdim)
    return numpy.prod(x, axis=axes(dim, x.ndim), keepdims=keepdim)


def logical_reference(numpy_function):
    def reference(x, dim, keepdim):
        result = numpy_function(x != 0, axis=axes(dim, x.ndim, empty_means_all=False),
                                keepdims=keepdim)
        return result.astype(numpy.uint8) if x.dtype == numpy.uint8 else result
    return reference


# ---------------------------------------------------------------- the table
def keyword_call(name):
    """``lib.name(x, **options)``: most reductions take the same keywords in both libraries."""
    return lambda lib, x, **options: getattr(lib, name)(x, **options)


single_dim = reductions(tuples=False, none=False)
norm_orders = st.sampled_from(["fro", 2, 1, INF, -INF, 3, 0.5, 0])

CASES = [
    OpCase("sum", keyword_call("sum"), reducer(numpy.sum), reductions(), atol=1e-5),
    OpCase("sum_method", lambda lib, x: x.sum(), numpy.sum, whole(), atol=1e-5),
    OpCase("sum_int", keyword_call("sum"), reducer(numpy.sum, dtype=numpy.int64),
           reductions().map(integers), differentiable=False),
    OpCase("sum_bool", keyword_call("sum"), reducer(numpy.sum, dtype=numpy.int64),
           reductions().map(lambda s: Sample([s.arrays[0] > 0], s.options)), differentiable=False),
    OpCase("sum_dtype_float64", lambda lib, x, **o: x.sum(**o, dtype=lib.float64),
           reducer(numpy.sum), reductions(), atol=1e-5),
    OpCase("mean", keyword_call("mean"), reducer(numpy.mean), reductions()),
    OpCase("mean_method", lambda lib, x: x.mean(), numpy.mean, whole()),
    OpCase("max", lambda lib, x: lib.max(x), numpy.max, whole()),
    OpCase("min_method", lambda lib, x: x.min(), numpy.min, whole()),
    OpCase("max_dim", lambda lib, x, dim, keepdim: lib.max(x, dim, keepdim),
           values_and_indices(numpy.max, numpy.argmax), single_dim),
    OpCase("min_dim", lambda lib, x, dim, keepdim: x.min(dim=dim, keepdim=keepdim),
           values_and_indices(numpy.min, numpy.argmin), single_dim),
    OpCase("max_dim_int", lambda lib, x, dim, keepdim: tuple(x.max(dim, keepdim)),
           values_and_indices(numpy.max, numpy.argmax), single_dim.map(integers),
           differentiable=False),
    OpCase("max_other", lambda lib, x, y: lib.max(x, y), numpy.maximum, binary()),
    OpCase("amax", keyword_call("amax"), reducer(numpy.max), reductions(none=False)),
    OpCase("amin", lambda lib, x, dim, keepdim: x.amin(dim, keepdim), reducer(numpy.min),
           reductions(none=False)),
    OpCase("argmax", keyword_call("argmax"), arg_reference(numpy.argmax),
           reductions(tuples=False), differentiable=False),
    OpCase("argmin_int", lambda lib, x, dim, keepdim: x.argmin(dim, keepdim),
           arg_reference(numpy.argmin), reductions(tuples=False).map(integers),
           differentiable=False),
    OpCase("prod", keyword_call("prod"), prod_reference,
           reductions(tuples=False, none=False, max_side=3, low=0.3, high=1.7), rtol=1e-4),
    OpCase("prod_all", lambda lib, x: x.prod(), numpy.prod,
           whole(low=-1.7, high=1.7), rtol=1e-4, atol=1e-5),
    OpCase("prod_int", keyword_call("prod"), prod_reference,
           reductions(tuples=False, none=False, max_side=3).map(
               lambda s: integers(s, numpy.int16)), differentiable=False),
    OpCase("var", keyword_call("var"), variance_reference, spread_samples()),
    OpCase("std", keyword_call("std"), std_reference, spread_samples()),
    OpCase("logsumexp", keyword_call("logsumexp"), logsumexp_reference,
           reductions(none=False, empty_tuple=False, low=-5, high=5)),
    OpCase("norm", keyword_call("norm"), norm_reference,
           reductions(nonzero=True, options={"p": norm_orders}).filter(
               lambda s: not (s.options["p"] == "fro" and isinstance(s.options["dim"], tuple)
                              and len(s.options["dim"]) > 2))),
    OpCase("norm_method_default", lambda lib, x: x.norm(), lambda x: numpy.sqrt((x * x).sum()),
           whole()),
    OpCase("all", keyword_call("all"), logical_reference(numpy.all), with_zeros(),
           differentiable=False),
    OpCase("any_bool", lambda lib, x, dim, keepdim: x.any(dim, keepdim),
           logical_reference(numpy.any), with_zeros(dtype=numpy.bool_), differentiable=False),
    OpCase("all_uint8", keyword_call("all"), logical_reference(numpy.all),
           with_zeros(dtype=numpy.uint8), differentiable=False),
]

test_forward_matches_numpy, test_gradient_matches_finite_differences, test_forward_and_backward_match_torch = (
    table_tests(CASES))


# ---------------------------------------------------------------- targeted checks
def run_both(function, data, dtype="float32", grad=True):
    """``function(lib, x)`` in edunet and in PyTorch on the same values.

    Returns ``(ours, theirs)``: lists of (output arrays..., input gradient) as NumPy,
    the gradient of ``sum(output * weight)`` for a fixed random weight.
    """
    torch = pytest.importorskip("torch")
    results = []
    for lib in (edunet, torch):
        x = lib.tensor(data, dtype=getattr(lib, dtype), requires_grad=grad)
        output = function(lib, x)
        outputs = list(output) if isinstance(output, tuple) else [output]
        arrays = [o.detach().numpy() for o in outputs]
        if grad:
            weight = numpy.random.default_rng(0).standard_normal(outputs[0].shape).astype(dtype)
            (outputs[0] * lib.tensor(weight)).sum().backward()
            arrays.append(x.grad.numpy())
        results.append(arrays)
    return results


def assert_same(function, data, **options):
    ours, theirs = run_both(function, data, **options)
    for our, their in zip(ours, theirs):
        assert our.dtype == their.dtype and our.shape == their.shape
        numpy.testing.assert_allclose(our, their, rtol=1e-6, atol=1e-6)


TIES = [[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, -1.0], [0.0, -2.0, 0.0, -2.0]]


@pytest.mark.parametrize("function", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: lib.max(x, 1),
    lambda lib, x: lib.min(x, 0, keepdim=True), lambda lib, x: x.amax(1), lambda lib, x: x.amin(0),
    lambda lib, x: x.amax((0, 1)), lambda lib, x: x.norm(INF, dim=1), lambda lib, x: x.norm(-INF),
], ids=["max", "min", "max_dim", "min_dim", "amax", "amin", "amax_all", "norm_inf", "norm_minus_inf"])
def test_ties_share_or_pick_the_gradient_as_torch(function):
    assert_same(function, TIES)


@pytest.mark.parametrize("data", [[2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0],
                                  [[1.0, 0.0, 2.0], [0.0, 0.0, 3.0], [4.0, 5.0, 6.0]]])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_prod_gradient_is_exact_at_zeros(data, dim):
    ours, theirs = run_both(lambda lib, x: x.prod() if dim is None else x.prod(dim), data)
    assert numpy.isfinite(ours[-1]).all()
    numpy.testing.assert_array_equal(ours[-1], theirs[-1])


@pytest.mark.parametrize("function", [
    lambda lib, x: x.var(correction=0), lambda lib, x: x.var(1, correction=1),
    lambda lib, x: lib.var(x, (0, 1), correction=2), lambda lib, x: x.var(unbiased=False),
    lambda lib, x: x.var(0, True, True), lambda lib, x: lib.var(x, False),
    lambda lib, x: x.std(dim=1, correction=0), lambda lib, x: lib.std(x, -1, unbiased=False),
    lambda lib, x: x.std(correction=2), lambda lib, x: x.var(dim=[0, -1], keepdim=True),
])
def test_var_and_std_corrections_match_torch(function):
    assert_same(function, [[1.0, 2.0, 4.0, 8.0], [0.5, -1.0, 3.0, 2.0], [1.0, 1.0, 1.0, 1.5]])


def test_std_of_constant_has_zero_gradient_and_dof_warning():
    assert_same(lambda lib, x: x.std(1), [[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="degrees of freedom"):
        ours = edunet.tensor([3.0]).var()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert numpy.isnan(ours.item()) and numpy.isnan(torch.tensor([3.0]).var().item())


@pytest.mark.parametrize("data", [
    [1e4, 1e4, 0.0], [-1e4, -1e4 + 1.0, -1e4], [-INF, 1.0, 2.0], [[1e4, -INF], [-5.0, 88.0]],
    [[-INF, -INF], [0.0, 0.0]], [INF, 1.0],
])
def test_logsumexp_is_stable_at_extremes(data):
    ours, theirs = run_both(lambda lib, x: lib.logsumexp(x, -1), data)
    for our, their in zip(ours, theirs):
        numpy.testing.assert_allclose(our, their, rtol=1e-6, atol=1e-6)  # nan where torch has nan
    finite_rows = numpy.isfinite(numpy.asarray(data)).any(axis=-1) & ~numpy.isposinf(data).any(axis=-1)
    assert numpy.isfinite(ours[0][finite_rows]).all() and numpy.isfinite(ours[1][finite_rows]).all()


def test_softmax_built_from_logsumexp_is_finite_for_huge_logits():
    x = edunet.tensor([[1e4, 0.0, -1e4], [-INF, 0.0, 1.0]], requires_grad=True)
    probabilities = (x - x.logsumexp(1, keepdim=True)).exp()
    assert numpy.isfinite(probabilities.detach().numpy()).all()
    numpy.testing.assert_allclose(probabilities.sum(1).detach().numpy(), [1.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("p", ["fro", 2, 1, INF, -INF, 3, 0.5, -1])
@pytest.mark.parametrize("data", [[0.0, 0.0, 0.0], [0.0, 1.0, -2.0], [1.0, -2.0, 2.0]])
def test_norm_gradient_at_zero_matches_torch(p, data):
    ours, theirs = run_both(lambda lib, x: x.norm(p), data)
    for our, their in zip(ours, theirs):
        numpy.testing.assert_allclose(our, their, rtol=1e-6, atol=1e-6)


def test_max_along_dim_returns_a_named_tuple():
    x = edunet.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    result = x.max(dim=1)
    assert type(result).__name__ == "max" and isinstance(result, tuple) and len(result) == 2
    values, indices = result
    assert result.values is values and result.indices is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype == edunet.int64 and not indices.requires_grad
    assert repr(result).startswith("edunet.return_types.max(\nvalues=tensor([5., 7.])")
    low = edunet.min(x, 0, keepdim=True)
    assert type(low).__name__ == "min" and low.indices.shape == (1, 3)
    zero_d = edunet.tensor(2.5).max(0)
    assert zero_d.values.shape == () and zero_d.indices.item() == 0


@pytest.mark.parametrize("function", [
    lambda lib: lib.tensor([1, 2]).mean(),
    lambda lib: lib.tensor([True]).mean(),
    lambda lib: lib.tensor([1.0]).mean(dtype=lib.int64),
    lambda lib: lib.ones(2, 3).sum(5),
    lambda lib: lib.ones(2, 3).mean((0, 0)),
    lambda lib: lib.tensor(1.0).sum(1),
    lambda lib: lib.zeros(0, 3).max(),
    lambda lib: lib.zeros(0, 3).min(0),
    lambda lib: lib.zeros(0, 3).amax(),
    lambda lib: lib.zeros(0, 3).amin(0),
    lambda lib: lib.zeros(0, 3).argmax(),
    lambda lib: lib.zeros(0, 3).argmin(0),
    lambda lib: lib.ones(2, 3).max((0, 1)),
    lambda lib: lib.ones(2, 3).argmax((0, 1)),
    lambda lib: lib.ones(2, 3).prod((0, 1)),
    lambda lib: lib.ones(2, 3).sum(1.0),
    lambda lib: lib.tensor([True, False]).argmax(),
    lambda lib: lib.tensor([1, 2]).var(),
    lambda lib: lib.tensor([1, 2]).std(),
    lambda lib: lib.ones(2, 3).var(1, unbiased=True, correction=1),
    lambda lib: lib.logsumexp(lib.ones(2), None),
    lambda lib: lib.tensor([1, 2]).norm(),
    lambda lib: lib.zeros(0).norm(float("inf")),
    lambda lib: lib.ones(2, 2, 2).norm("fro", dim=(0, 1, 2)),
    lambda lib: lib.ones(2, 2).norm("abc"),
])
def test_errors_have_torch_types(function):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        function(torch)
    with pytest.raises(Exception) as ours:
        function(edunet)
    assert isinstance(ours.value, type(theirs.value)), (ours.value, theirs.value)


def test_error_messages_explain():
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype.*\.float\(\)"):
        edunet.tensor([1, 2, 3]).mean()
    with pytest.raises(IndexError, match=r"^Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 5\)$"):
        edunet.ones(2, 3).sum(5)
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        edunet.zeros(0, 3).max()
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        edunet.zeros(0, 3).max(0)


@pytest.mark.parametrize("function", [
    lambda lib, x: x.sum(), lambda lib, x: x.sum(1), lambda lib, x: x.sum(dtype=lib.float32),
    lambda lib, x: x.bool().sum(0), lambda lib, x: x.max(), lambda lib, x: x.max(1),
    lambda lib, x: x.argmax(), lambda lib, x: x.argmin(0, keepdim=True), lambda lib, x: x.amax(0),
    lambda lib, x: x.prod(), lambda lib, x: x.prod(1, dtype=lib.float64),
    lambda lib, x: x.mean(dtype=lib.float64), lambda lib, x: x.all(1), lambda lib, x: x.any(),
    lambda lib, x: x.byte().any(0), lambda lib, x: lib.logsumexp(x, 1),
    lambda lib, x: x.bool().max(), lambda lib, x: x.short().sum(),
])
def test_integer_inputs_follow_torch(function):
    data = [[3, -1, 4], [1, 5, 0]]
    ours, theirs = run_both(function, data, dtype="int32", grad=False)
    for our, their in zip(ours, theirs):
        assert our.dtype == their.dtype and our.shape == their.shape
        numpy.testing.assert_allclose(our, their, rtol=1e-6)


@pytest.mark.parametrize("function", [
    lambda lib, x: x.sum(0), lambda lib, x: x.mean(0), lambda lib, x: x.prod(0),
    lambda lib, x: x.var(0), lambda lib, x: x.logsumexp(0), lambda lib, x: x.logsumexp(1),
    lambda lib, x: x.norm(dim=0), lambda lib, x: x.all(0), lambda lib, x: x.any(),
    lambda lib, x: x.amax(1), lambda lib, x: x.max(1), lambda lib, x: x.argmin(1),
    lambda lib, x: x.sum(), lambda lib, x: x.mean(),
])
def test_empty_inputs_follow_torch(function):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # var's degrees-of-freedom warning
        ours, theirs = run_both(function, numpy.zeros((0, 3)), grad=False)
    for our, their in zip(ours, theirs):
        assert our.dtype == their.dtype and our.shape == their.shape
        numpy.testing.assert_allclose(our, their)


GRAD_FUNCTIONS = {
    "sum": lambda lib, x: x.sum(), "sum_dim": lambda lib, x: x.sum(1),
    "sum_tuple": lambda lib, x: lib.sum(x, (0, 1)), "mean": lambda lib, x: x.mean(),
    "mean_dim": lambda lib, x: x.mean(-1), "max": lambda lib, x: x.max(),
    "max_dim": lambda lib, x: x.max(1)[0], "min": lambda lib, x: x.min(),
    "min_dim": lambda lib, x: x.min(0).values, "amax": lambda lib, x: x.amax(1),
    "amin": lambda lib, x: x.amin(), "prod": lambda lib, x: x.prod(),
    "prod_dim": lambda lib, x: x.prod(0), "var": lambda lib, x: x.var(1),
    "std": lambda lib, x: x.std(), "logsumexp": lambda lib, x: x.logsumexp(1),
    "norm": lambda lib, x: x.norm(), "norm_1_dim": lambda lib, x: x.norm(1, dim=0),
}


@pytest.mark.parametrize("name", GRAD_FUNCTIONS)
def test_grad_fn_names_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = GRAD_FUNCTIONS[name](edunet, edunet.ones(2, 3, requires_grad=True))
    theirs = GRAD_FUNCTIONS[name](torch, torch.ones(2, 3, requires_grad=True))
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__


def backward_of(output, dtype=numpy.float32):
    """The array ``output.grad_fn.backward`` returns for an upstream gradient of ones."""
    gradient = output.grad_fn.backward(numpy.ones(output.shape, dtype=dtype))
    return gradient[0] if isinstance(gradient, tuple) else gradient


@pytest.mark.parametrize("name", GRAD_FUNCTIONS)
@pytest.mark.parametrize("shape", [(2, 3), (1, 3)])
def test_backward_returns_float32_arrays_of_the_input_shape(name, shape):
    x = edunet.rand(*shape, requires_grad=True)
    gradient = backward_of(GRAD_FUNCTIONS[name](edunet, x))
    assert type(gradient) is numpy.ndarray and gradient.dtype == numpy.float32
    assert gradient.shape == shape


@pytest.mark.parametrize("function", [
    lambda x: x.sum(), lambda x: x.mean(0), lambda x: x.max(), lambda x: x.max(0).values,
    lambda x: x.amin(-1), lambda x: x.prod(), lambda x: x.prod(0), lambda x: x.var(correction=0),
    lambda x: x.std(0, correction=0), lambda x: x.logsumexp(0), lambda x: x.norm(),
    lambda x: x.norm(3, dim=0), lambda x: x.norm(INF),
])
def test_zero_dimensional_inputs_give_zero_dimensional_gradient_arrays(function):
    x = edunet.tensor(1.5, requires_grad=True)
    output = function(x)
    assert output.shape == () and output.dtype == edunet.float32
    gradient = backward_of(output)
    assert type(gradient) is numpy.ndarray and gradient.shape == () and gradient.dtype == numpy.float32
