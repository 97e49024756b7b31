"""Tensor creation, dtypes and promotion, properties, conversion and in-place rules, vs PyTorch."""

import copy
import pickle

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet

torch = pytest.importorskip("torch")


def same_dtype(ours, theirs):
    return ours.dtype.name == str(theirs.dtype).split(".")[1]


def assert_same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert same_dtype(ours, theirs), (ours.dtype, theirs.dtype)
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- creation
@pytest.mark.parametrize("data", [1, 2.5, True, [1, 2], [1.0, 2], [[1, 2], [3, 4]], [True, False],
                                  [], [[]], numpy.arange(3.0), numpy.arange(3, dtype=numpy.int32),
                                  numpy.float64(2.0), [numpy.float32(1.0)]])
def test_tensor_infers_dtypes_like_torch(data):
    assert_same(edunet.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, 3), lambda lib: lib.zeros((2, 3), dtype=lib.float64),
    lambda lib: lib.ones([4]), lambda lib: lib.full((2, 2), 7), lambda lib: lib.full((2,), 1.5),
    lambda lib: lib.full((2,), True), lambda lib: lib.arange(5), lambda lib: lib.arange(1, 4, 0.5),
    lambda lib: lib.arange(0.0, 1.0, 0.1), lambda lib: lib.arange(10, 0, -3),
    lambda lib: lib.linspace(0, 1, 7), lambda lib: lib.linspace(-2, 2, 5, dtype=lib.float64),
    lambda lib: lib.logspace(0, 2, 3), lambda lib: lib.eye(3), lambda lib: lib.eye(2, 4),
    lambda lib: lib.zeros_like(lib.ones(2, dtype=lib.int64)), lambda lib: lib.ones_like(lib.zeros(3)),
    lambda lib: lib.full_like(lib.zeros(2), 3), lambda lib: lib.empty(2, 0).zero_(),
    lambda lib: lib.tensor([[1.0, 2.0]]).new_zeros(3), lambda lib: lib.tensor([1, 2]).new_ones((2, 2)),
])
def test_filled_and_range_creation_match_torch(make):
    assert_same(make(edunet), make(torch))


def test_random_creation_has_the_right_shape_dtype_and_range():
    edunet.manual_seed(0)
    uniform = edunet.rand(1000)
    normal = edunet.randn(10_000, dtype=edunet.float64)
    integers = edunet.randint(3, 7, (500,))
    permutation = edunet.randperm(10)
    assert uniform.dtype == edunet.float32 and 0 <= uniform.min().item() and uniform.max().item() < 1
    assert normal.dtype == edunet.float64 and abs(normal.mean().item()) < 0.05
    assert abs(normal.std().item() - 1) < 0.05
    assert integers.dtype == edunet.int64 and set(integers.tolist()) == {3, 4, 5, 6}
    assert sorted(permutation.tolist()) == list(range(10))
    assert edunet.randint(5, (2, 2)).shape == (2, 2)
    assert edunet.randn_like(uniform).shape == uniform.shape


def test_manual_seed_makes_every_random_source_repeatable():
    def draw():
        values = [edunet.rand(3), edunet.randn(2, 2), edunet.randint(0, 100, (4,)), edunet.randperm(5),
                  edunet.empty(3).uniform_(-1, 1), edunet.empty(3).normal_(2, 0.5)]
        return [v.tolist() for v in values]
    edunet.manual_seed(123)
    first = draw()
    edunet.manual_seed(123)
    assert draw() == first
    assert draw() != first
    generator = edunet.Generator().manual_seed(5)
    assert edunet.rand(3, generator=generator).tolist() == edunet.rand(
        3, generator=edunet.Generator().manual_seed(5)).tolist()


def test_from_numpy_shares_memory_and_tensor_copies():
    array = numpy.zeros(3, dtype=numpy.float32)
    shared, copied = edunet.from_numpy(array), edunet.tensor(array)
    array[0] = 5
    assert shared.tolist() == [5.0, 0.0, 0.0] and copied.tolist() == [0.0, 0.0, 0.0]
    assert edunet.as_tensor(array).numpy() is array
    with pytest.raises(TypeError):
        edunet.from_numpy(numpy.array(["a"]))


def test_legacy_tensor_constructor():
    assert edunet.Tensor([1, 2]).dtype == edunet.float32
    assert edunet.Tensor(2, 3).shape == (2, 3)


def test_bad_data_gives_clear_errors():
    with pytest.raises(ValueError, match="ragged"):
        edunet.tensor([[1, 2], [3]])
    with pytest.raises(ValueError, match="only numbers and bools"):  # torch: ValueError too
        edunet.tensor(["a", "b"])
    with pytest.raises(RuntimeError, match="negative dimension"):
        edunet.zeros(-1)


# ---------------------------------------------------------------- dtypes and promotion
DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def operand(library, kind, dtype_name):
    """A tensor with dimensions, a 0-d tensor, or a Python number of the dtype's kind."""
    if kind == "number":
        return {"bool": True, "float": 2.5}.get(dtype_name.rstrip("0123456789"), 3)
    dtype = getattr(library, dtype_name)
    values = library.ones(2, dtype=dtype) if kind == "tensor" else library.ones((), dtype=dtype)
    return values


@given(kinds=st.tuples(st.sampled_from(["tensor", "zero_dim", "number"]),
                       st.sampled_from(["tensor", "zero_dim", "number"])),
       names=st.tuples(st.sampled_from(DTYPE_NAMES), st.sampled_from(DTYPE_NAMES)))
def test_type_promotion_matches_torch(kinds, names):
    if kinds == ("number", "number"):
        return
    ours = [operand(edunet, kind, name) for kind, name in zip(kinds, names)]
    theirs = [operand(torch, kind, name) for kind, name in zip(kinds, names)]
    for operation in (lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a / b):
        try:
            expected = operation(*theirs)
        except RuntimeError:
            continue
        got = operation(*ours)
        assert same_dtype(got, expected), (kinds, names, got.dtype, expected.dtype)


def test_promote_types_and_result_type_match_torch():
    for first in DTYPE_NAMES:
        for second in DTYPE_NAMES:
            ours = edunet.promote_types(getattr(edunet, first), getattr(edunet, second))
            theirs = torch.promote_types(getattr(torch, first), getattr(torch, second))
            assert ours.name == str(theirs).split(".")[1]


def test_dtype_conversions_and_aliases():
    x = edunet.tensor([1.7, -2.2])
    assert x.double().dtype == edunet.float64 == edunet.double
    assert x.long().tolist() == torch.tensor([1.7, -2.2]).long().tolist()
    assert x.to(edunet.int32).dtype == edunet.int32 == edunet.int
    assert x.half().dtype == edunet.float16 and x.bool().dtype == edunet.bool
    assert x.to(dtype=edunet.float32) is x
    assert edunet.float is edunet.float32 and edunet.long is edunet.int64
    assert repr(edunet.float64) == "edunet.float64"
    assert x.to(edunet.tensor([1], dtype=edunet.float64)).dtype == edunet.float64
    assert edunet.get_default_dtype() == edunet.float32


def test_to_dtype_is_differentiable():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    assert y.dtype == edunet.float64 and y.grad_fn.next_functions[0][0].name() == "ToCopyBackward0"
    y.sum().backward()
    assert x.grad.dtype == edunet.float32 and x.grad.tolist() == [3.0, 3.0]


# ---------------------------------------------------------------- properties and conversion
def test_properties_match_torch():
    array = numpy.arange(24, dtype=numpy.float32).reshape(2, 3, 4)
    ours, theirs = edunet.tensor(array), torch.tensor(array)
    assert ours.shape == theirs.shape and ours.size() == tuple(theirs.size())
    assert ours.size(-1) == theirs.size(-1) == 4
    assert ours.dim() == ours.ndim == 3 and ours.numel() == 24 and len(ours) == 2
    assert ours.stride() == theirs.stride() and ours.T.stride() == theirs.permute(2, 1, 0).stride()
    assert ours.is_contiguous() and not ours.transpose(0, 1).is_contiguous()
    assert ours.transpose(0, 1).contiguous().is_contiguous()
    assert repr(ours.shape) == "edunet.Size([2, 3, 4])"
    assert ours.tolist() == theirs.tolist()
    assert edunet.tensor(2.5).item() == 2.5 and isinstance(edunet.tensor(3).item(), int)
    assert float(edunet.tensor([2.0])) == 2.0 and int(edunet.tensor(3)) == 3
    assert edunet.tensor([[1.0, 2.0]]).T.shape == (2, 1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ours.size(3)


def test_item_and_bool_explain_multi_element_tensors():
    with pytest.raises(RuntimeError, match="6 elements cannot be converted to Scalar"):
        edunet.ones(2, 3).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(edunet.ones(2))


def test_numpy_conversion_rules():
    x = edunet.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]
    assert numpy.asarray(edunet.ones(2)).dtype == numpy.float32


def test_clone_is_a_differentiable_copy():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.grad_fn.name() == "CloneBackward0"
    with edunet.no_grad():
        y.mul_(10)
    assert x.tolist() == [1.0, 2.0]


def test_pickle_and_deepcopy_keep_values_and_requires_grad():
    x = edunet.tensor([[1.0, 2.0]], requires_grad=True)
    for copied in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert copied.tolist() == x.tolist() and copied.requires_grad and copied is not x


def test_typo_attributes_are_errors_not_silent():
    x = edunet.ones(2)
    with pytest.raises(AttributeError):
        x.requries_grad = True


# ---------------------------------------------------------------- in place
@pytest.mark.parametrize("operation", [
    lambda x: x.add_(2), lambda x: x.add_(x, alpha=0.5), lambda x: x.sub_(1.5), lambda x: x.mul_(3),
    lambda x: x.div_(4), lambda x: x.zero_(), lambda x: x.fill_(7), lambda x: x.clamp_(-0.5, 0.5),
    lambda x: x.copy_(x * 0 + 2), lambda x: x.pow_(2), lambda x: x.neg_(),
    lambda x: x.masked_fill_(x > 0, 0.0), lambda x: x.addcmul_(x, x, value=2),
    lambda x: x.addcdiv_(x, x + 5, value=0.5), lambda x: x.lerp_(x * 0, 0.25),
])
def test_in_place_results_match_torch(operation):
    data = [[-1.0, 0.25, 2.0], [0.5, -3.0, 1.0]]
    ours, theirs = edunet.tensor(data), torch.tensor(data)
    returned = operation(ours)
    operation(theirs)
    assert returned is ours
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_copy_broadcasts_and_converts():
    target = edunet.zeros(2, 3)
    target.copy_(edunet.tensor([1, 2, 3]))
    assert target.tolist() == [[1.0, 2.0, 3.0]] * 2 and target.dtype == edunet.float32


def test_in_place_on_a_leaf_that_requires_grad_needs_no_grad():
    weight = edunet.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad") as error:
        weight.add_(1)
    assert "no_grad" in str(error.value)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        torch.ones(3, requires_grad=True).add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        weight[0] = 5.0
    view = weight.data
    with edunet.no_grad():
        weight.sub_(0.5)
        weight.uniform_(0, 1)
        weight.normal_()
    view.add_(1)  # .data is outside the graph: allowed, and shares memory
    assert weight.tolist() == view.tolist()


def test_recorded_in_place_operations_give_torch_gradients():
    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(x)
        y.mul_(x)
        y[1] = 0.0
        y.relu_()
        y.sum().backward()
        return y.tolist(), x.grad.tolist()
    assert run(edunet) == run(torch)


def test_in_place_cannot_change_dtype_or_shape():
    with pytest.raises(RuntimeError, match="can't be cast"):
        edunet.tensor([1, 2]).add_(1.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.tensor([1, 2]).add_(1.5)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        edunet.ones(3).add_(edunet.ones(2, 3))


def test_setitem_without_graph_writes_into_memory():
    array = numpy.zeros((2, 3), dtype=numpy.float32)
    x = edunet.from_numpy(array)
    x[0] = 1.0
    x[1, edunet.tensor([0, 2])] = edunet.tensor([5.0, 6.0])
    x[x > 5] = -1.0
    assert array.tolist() == [[1.0, 1.0, 1.0], [5.0, 0.0, -1.0]]


def test_setitem_shape_mismatch_raises_runtime_error_like_torch():
    for library in (edunet, torch):
        with pytest.raises(RuntimeError):
            library.zeros(3, 4)[0] = library.ones(3)


def test_legacy_type_names_match_torch():
    for name in ("float32", "float64", "int64", "int32", "uint8", "bool", "float16", "int8", "int16"):
        ours = edunet.zeros(1, dtype=getattr(edunet, name)).type()
        theirs = torch.zeros(1, dtype=getattr(torch, name)).type()
        assert ours == theirs.replace("torch.", "edunet.")
    assert edunet.ones(2).type(edunet.float64).dtype == edunet.float64
