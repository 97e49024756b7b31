"""repr(tensor) must read exactly as PyTorch's, with ``torch.`` spelled ``edunet.``.

Every check builds an edunet tensor and a torch tensor from the same NumPy array
and compares their text. Hypothesis draws the arrays: shapes from 0-d to 4-d
(size-0 dimensions too), six dtypes, and values in several "styles" that steer
the formatter into each of its modes (fixed, integer, scientific), plus nan,
inf and -0.0 sprinkled in. Print options are set to the same values in both
libraries and always restored afterwards.
"""

import contextlib
import math
import types

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import edunet
from edunet import printing
from edunet.backend import Device

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "int64", "uint8", "bool"]
FLOAT_STYLES = ["fixed", "whole", "large_whole", "wide", "tiny", "boundary"]
SPECIAL_VALUES = [math.nan, math.inf, -math.inf, -0.0, 0.0]
# Values at the edges of the mode rules: largest / smallest = 1000, largest = 1e8,
# smallest = 1e-4.
BOUNDARY_VALUES = [1e-4, 1.0001e-4, 9.999e-5, 0.1, 1.0, 100.0, 100.1, 1e3, 1e8, 1.00000001e8]


# ---------------------------------------------------------------- helpers
@contextlib.contextmanager
def print_options(**options):
    """Set the same print options in edunet and torch; restore the defaults after."""
    edunet.set_printoptions(**options)
    torch.set_printoptions(**options)
    try:
        yield
    finally:
        edunet.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


@pytest.fixture(autouse=True)
def restore_print_options():
    """Each test starts and ends with the default options, whatever it does."""
    yield
    edunet.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def torch_text(tensor):
    """PyTorch's repr of ``tensor`` with its dtype names spelled the edunet way."""
    return repr(tensor).replace("torch.", "edunet.")


def assert_same_repr(array, requires_grad=False):
    """repr of edunet and torch tensors made from ``array`` agree; with
    ``requires_grad``, for the leaf and for ``leaf * 2`` (a grad_fn) too."""
    ours = edunet.tensor(array, requires_grad=requires_grad)
    theirs = torch.tensor(array, requires_grad=requires_grad)
    assert repr(ours) == torch_text(theirs)
    assert str(ours) == repr(ours)
    if requires_grad:
        with numpy.errstate(over="ignore"):  # float16 values near 65504 double to inf
            doubled = ours * 2
        assert repr(doubled) == torch_text(theirs * 2)


@st.composite
def float_values(draw, shape):
    """A float64 array of ``shape`` in one drawn style, with special values mixed in."""
    style = draw(st.sampled_from(FLOAT_STYLES))
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if style == "fixed":
        array = rng.uniform(-10, 10, size=shape)
    elif style == "whole":
        array = rng.integers(-1000, 1000, size=shape).astype(numpy.float64)
    elif style == "large_whole":
        array = rng.integers(-10**12, 10**12, size=shape).astype(numpy.float64)
    elif style == "wide":
        exponents = rng.uniform(-15, 15, size=shape)
        array = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** exponents
    elif style == "tiny":
        array = rng.uniform(-1e-3, 1e-3, size=shape)
    else:
        array = rng.choice(BOUNDARY_VALUES, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    array = numpy.asarray(array, dtype=numpy.float64)
    if array.size and draw(st.booleans()):
        special_count = draw(st.integers(1, array.size))
        positions = rng.choice(array.size, size=special_count)
        array.reshape(-1)[positions] = rng.choice(SPECIAL_VALUES, size=special_count)
    return array


@st.composite
def arrays(draw, dtypes=DTYPES, shapes=None):
    """A NumPy array of a drawn dtype and shape (0-d and size-0 shapes included)."""
    dtype = draw(st.sampled_from(dtypes))
    if shapes is None:
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=7))
        if shape and draw(st.integers(0, 7)) == 0:  # now and then an empty tensor
            empty_axis = draw(st.integers(0, len(shape) - 1))
            shape = shape[:empty_axis] + (0,) + shape[empty_axis + 1:]
    else:
        shape = draw(shapes)
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype == "uint8":
        return rng.integers(0, 256, size=shape).astype(numpy.uint8)
    if dtype == "int64":
        largest = 10 ** draw(st.integers(0, 18))
        return rng.integers(-largest, largest, size=shape, dtype=numpy.int64)
    with numpy.errstate(over="ignore"):  # big values become inf in float16, as they should
        return draw(float_values(shape)).astype(dtype)


BIG_SHAPES = st.sampled_from([(1001,), (2000,), (40, 30), (3, 400), (400, 3), (11, 10, 10),
                              (2, 3, 13, 13), (1, 1, 1001)])


# ---------------------------------------------------------------- default options
@settings(max_examples=300)
@given(arrays())
def test_repr_matches_torch(array):
    assert_same_repr(array)


@settings(max_examples=100)
@given(arrays(dtypes=["float32", "float64", "float16"],
              shapes=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12)))
def test_repr_with_requires_grad_and_grad_fn_matches_torch(array):
    assert_same_repr(array, requires_grad=True)


@settings(max_examples=15)
@given(arrays(shapes=BIG_SHAPES))
def test_large_tensors_are_summarized_like_torch(array):
    assert_same_repr(array)


@pytest.mark.parametrize("values, dtype", [
    ([1e-5, 1.0], "float32"),                  # smallest < 1e-4: scientific
    ([1.0, 1000.0], "float32"),                # ratio exactly 1000: not scientific
    ([1.0, 1001.0], "float32"),                # ratio over 1000, whole numbers
    ([1e8, 2.0e8], "float64"),                 # whole numbers over 1e8
    ([1e20, -3.0], "float32"),
    ([0.0, -0.0], "float32"),                  # only zeros: integer mode
    ([-0.0, 1.5], "float64"),
    ([math.nan], "float32"),
    ([math.nan, math.inf, -math.inf], "float64"),
    ([math.nan, 1.5, -math.inf], "float32"),
    ([1e-10, math.nan, 3.0], "float64"),
    ([65504.0, 6e-8, -1.0], "float16"),        # float16's largest and smallest
    ([0.1, 0.2, 0.3], "float16"),
    ([255, 0, 7], "uint8"),
    ([-2**63, 2**63 - 1], "int64"),
    ([True, False, True], "bool"),
])
def test_tricky_values_match_torch(values, dtype):
    assert_same_repr(numpy.array(values, dtype=dtype))


@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, 1.5, 1e-7, 1e9, math.nan, -math.inf])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_zero_dimensional_floats_match_torch(value, dtype):
    with numpy.errstate(over="ignore"):  # 1e9 is inf in float16
        array = numpy.array(value, dtype=dtype)
    assert_same_repr(array)


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (2, 0, 1), (1, 1, 0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_tensors_match_torch(shape, dtype):
    assert_same_repr(numpy.zeros(shape, dtype=dtype))


def test_empty_tensor_texts():
    assert repr(edunet.tensor([])) == "tensor([])"
    assert repr(edunet.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(edunet.zeros(0, dtype=edunet.int64)) == "tensor([], dtype=edunet.int64)"


def test_nested_blocks_are_separated_by_blank_lines():
    text = repr(edunet.tensor(numpy.arange(8.0, dtype=numpy.float32).reshape(2, 2, 2)))
    assert text == ("tensor([[[0., 1.],\n"
                    "         [2., 3.]],\n"
                    "\n"
                    "        [[4., 5.],\n"
                    "         [6., 7.]]])")


@pytest.mark.parametrize("length", range(1, 40))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_suffixes_wrap_like_torch(length, dtype):
    """Rows of every length end at every column, so each place a suffix can go is tried."""
    array = numpy.linspace(-1.5, 2.5, length).astype(dtype)
    assert_same_repr(array, requires_grad=True)


def test_default_float_dtype_is_not_shown():
    try:
        edunet.set_default_dtype(edunet.float64)
        torch.set_default_dtype(torch.float64)
        for dtype in ("float32", "float64"):
            assert_same_repr(numpy.array([1.5, 2.0], dtype=dtype))
            assert_same_repr(numpy.zeros((0,), dtype=dtype))
    finally:
        edunet.set_default_dtype(edunet.float32)
        torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------- print options
OPTIONS = st.fixed_dictionaries({}, optional={
    "precision": st.integers(0, 8),
    "threshold": st.integers(0, 60),
    "edgeitems": st.integers(0, 4),
    "linewidth": st.integers(10, 120),
    "profile": st.sampled_from(["default", "short", "full"]),
    "sci_mode": st.sampled_from([None, True, False]),
})


@settings(max_examples=150)
@given(OPTIONS, arrays(shapes=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)),
       st.booleans())
def test_print_options_match_torch(options, array, requires_grad):
    requires_grad = requires_grad and array.dtype.kind == "f"
    with print_options(**options):
        assert_same_repr(array, requires_grad=requires_grad)


@pytest.mark.parametrize("options", [
    {"precision": 2}, {"precision": 0}, {"precision": 10},
    {"threshold": 5}, {"threshold": 5, "edgeitems": 1}, {"threshold": 0, "edgeitems": 0},
    {"linewidth": 20}, {"linewidth": 200},
    {"sci_mode": True}, {"sci_mode": False},
    {"profile": "short"}, {"profile": "full"}, {"profile": "short", "precision": 6},
])
def test_named_print_options_match_torch(options):
    arrays_to_print = [
        numpy.arange(1200.0).reshape(30, 40) / 7,
        numpy.array([1e-6, 1.0, 123456.0]),
        numpy.array([0.0, 1.0, 2.0], dtype=numpy.float32),
        numpy.arange(20),
        numpy.array(3.25),
    ]
    with print_options(**options):
        for array in arrays_to_print:
            assert_same_repr(array)


def test_every_call_resets_sci_mode_like_torch():
    """set_printoptions(precision=3) after sci_mode=True turns scientific mode off."""
    array = numpy.array([1.0, 2.5], dtype=numpy.float32)
    with print_options(sci_mode=True):
        assert repr(edunet.tensor(array)) == "tensor([1.0000e+00, 2.5000e+00])"
        edunet.set_printoptions(precision=3)
        torch.set_printoptions(precision=3)
        assert_same_repr(array)
        assert repr(edunet.tensor(array)) == "tensor([1.000, 2.500])"


def test_get_printoptions_and_printoptions_context():
    defaults = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
                "sci_mode": None}
    assert printing.get_printoptions() == defaults
    with printing.printoptions(precision=1, profile="full"):
        assert printing.get_printoptions() == dict(defaults, precision=1, threshold=math.inf)
        assert repr(edunet.tensor([1.25])) == "tensor([1.2])"
    assert printing.get_printoptions() == defaults


def test_unknown_profile_is_an_error():
    with pytest.raises(ValueError, match="short"):
        edunet.set_printoptions(profile="shrot")


# ---------------------------------------------------------------- devices
class Tensor(types.SimpleNamespace):
    """A stand-in with the attributes tensor_repr reads; its class name, like a
    real tensor's, makes the text start with "tensor("."""


def stand_in_gpu_tensor(array, requires_grad=False):
    """An object that looks like a tensor on cuda:0, to check the suffix without a GPU."""
    return Tensor(array=array, dtype=edunet.tensor(array).dtype, device=Device("cuda", 0),
                  grad_fn=None, requires_grad=requires_grad)


def test_device_suffix_comes_first():
    """Text as PyTorch prints these tensors on a GPU."""
    assert (printing.tensor_repr(stand_in_gpu_tensor(numpy.array([1.0, 2.0], numpy.float32)))
            == "tensor([1., 2.], device='cuda:0')")
    assert (printing.tensor_repr(stand_in_gpu_tensor(numpy.array([1.5]), requires_grad=True))
            == "tensor([1.5000], device='cuda:0', dtype=edunet.float64, requires_grad=True)")
    assert (printing.tensor_repr(stand_in_gpu_tensor(numpy.zeros((0, 2), numpy.int64)))
            == "tensor([], device='cuda:0', size=(0, 2), dtype=edunet.int64)")


@pytest.mark.parametrize("length", range(1, 30))
@pytest.mark.parametrize("requires_grad", [False, True])
def test_device_suffix_wraps_like_torch(length, requires_grad):
    """Checked against torch's own suffix routine (a private function: a CPU
    build of torch cannot make a GPU tensor to print)."""
    from torch import _tensor_str
    array = numpy.linspace(-0.5, 9.5, length)
    body = "tensor(" + _tensor_str._tensor_str(torch.tensor(array), len("tensor("))
    suffixes = ["device='cuda:0'", "dtype=torch.float64"]
    if requires_grad:
        suffixes.append("requires_grad=True")
    expected = _tensor_str._add_suffixes(body, suffixes, len("tensor("), False)
    ours = printing.tensor_repr(stand_in_gpu_tensor(array, requires_grad))
    assert ours == expected.replace("torch.", "edunet.")


@pytest.mark.skipif(not edunet.cuda.is_available(), reason="needs a GPU")
def test_gpu_tensor_repr():
    array = numpy.array([[1.0, 2.5], [math.nan, -0.0]], dtype=numpy.float32)
    expected = torch_text(torch.tensor(array))[:-1] + ", device='cuda:0')"
    assert repr(edunet.tensor(array, device="cuda")) == expected
