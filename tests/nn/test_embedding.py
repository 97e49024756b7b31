"""Embedding and one_hot: lookups and their gradients against PyTorch, init, padding, errors."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ops.harness import shapes

import edunet
import edunet.nn
import edunet.nn.functional as F

torch = pytest.importorskip("torch")


def table(rows, columns, seed=0, dtype=numpy.float32):
    return numpy.random.default_rng(seed).standard_normal((rows, columns)).astype(dtype)


def ids(shape, rows, seed=0):
    """Random ids; small tables make repeated ids (whose gradients add up) likely."""
    return numpy.random.default_rng(seed).integers(0, rows, shape).astype(numpy.int64)


@given(index_shape=shapes(max_dims=3), rows=st.integers(1, 6), columns=st.integers(1, 4),
       seed=st.integers(0, 2**16), padding_idx=st.one_of(st.none(), st.integers(-1, 0)),
       scale_grad_by_freq=st.booleans())
def test_embedding_and_its_gradient_match_torch(index_shape, rows, columns, seed, padding_idx,
                                                scale_grad_by_freq):
    weight, indices = table(rows, columns, seed), ids(index_shape, rows, seed + 1)
    ours, theirs = edunet.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    options = {"padding_idx": padding_idx, "scale_grad_by_freq": scale_grad_by_freq}
    our_out = F.embedding(edunet.tensor(indices), ours, **options)
    their_out = torch.nn.functional.embedding(torch.tensor(indices), theirs, **options)
    assert our_out.shape == their_out.shape
    numpy.testing.assert_array_equal(our_out.detach().numpy(), their_out.detach().numpy())
    upstream = numpy.random.default_rng(seed + 2).standard_normal(tuple(our_out.shape)).astype(numpy.float32)
    (our_out * edunet.tensor(upstream)).sum().backward()
    (their_out * torch.tensor(upstream)).sum().backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert our_out.grad_fn.name() == their_out.grad_fn.name()


def test_gradient_matches_finite_differences_with_repeated_ids():
    weight = edunet.tensor(table(5, 3, dtype=numpy.float64), requires_grad=True)
    indices = edunet.tensor([[0, 2, 2], [4, 2, 0]])
    assert edunet.gradcheck(lambda w: F.embedding(indices, w), weight)
    # padding_idx and scale_grad_by_freq change the gradient on purpose, so it is no longer
    # the true derivative: they are checked against PyTorch above instead.


def test_int32_ids_work_like_torch():
    weight = table(4, 2)
    ours = F.embedding(edunet.tensor([3, 1], dtype=edunet.int32), edunet.tensor(weight))
    theirs = torch.nn.functional.embedding(torch.tensor([3, 1], dtype=torch.int32), torch.tensor(weight))
    numpy.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_max_norm_renormalizes_looked_up_rows_in_place_like_torch(norm_type):
    weight = table(6, 4) * 3
    indices = numpy.array([[0, 1, 1], [4, 0, 2]])
    ours, theirs = edunet.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    our_out = F.embedding(edunet.tensor(indices), ours, max_norm=1.5, norm_type=norm_type)
    their_out = torch.nn.functional.embedding(torch.tensor(indices), theirs, max_norm=1.5, norm_type=norm_type)
    numpy.testing.assert_allclose(our_out.detach().numpy(), their_out.detach().numpy(), rtol=1e-6)
    numpy.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)
    assert not numpy.allclose(ours.detach().numpy(), weight)  # rows 0, 1, 2, 4 did shrink
    numpy.testing.assert_array_equal(ours.detach().numpy()[[3, 5]], weight[[3, 5]])  # unused rows kept


# ---------------------------------------------------------------- the layer
def test_layer_matches_torch_with_copied_weights():
    ours, theirs = edunet.nn.Embedding(7, 3, padding_idx=1), torch.nn.Embedding(7, 3, padding_idx=1)
    with edunet.no_grad():
        ours.weight.copy_(edunet.tensor(theirs.weight.detach().numpy()))
    indices = ids((4, 5), 7, seed=3)
    our_out, their_out = ours(edunet.tensor(indices)), theirs(torch.tensor(indices))
    numpy.testing.assert_array_equal(our_out.detach().numpy(), their_out.detach().numpy())
    our_out.pow(2).sum().backward()
    their_out.pow(2).sum().backward()
    numpy.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-5)


def test_init_is_standard_normal_with_the_padding_row_zeroed():
    edunet.manual_seed(0)
    layer = edunet.nn.Embedding(2000, 50, padding_idx=-1)
    assert layer.padding_idx == 1999
    weight = layer.weight.detach().numpy()
    assert weight.dtype == numpy.float32 and layer.weight.requires_grad
    assert not weight[1999].any()
    assert abs(weight[:1999].mean()) < 0.01 and abs(weight[:1999].std() - 1) < 0.01
    edunet.manual_seed(0)
    numpy.testing.assert_array_equal(edunet.nn.Embedding(2000, 50, padding_idx=-1).weight.detach().numpy(),
                                  weight)


def test_padding_row_gets_no_gradient():
    layer = edunet.nn.Embedding(5, 2, padding_idx=0)
    layer(edunet.tensor([[0, 3, 0], [1, 0, 4]])).sum().backward()
    gradient = layer.weight.grad.numpy()
    assert not gradient[0].any()
    numpy.testing.assert_array_equal(gradient[[1, 3, 4]], numpy.ones((3, 2)))
    assert not gradient[2].any()  # never looked up


@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained_uses_the_given_weights(freeze):
    weights = table(4, 3)
    ours = edunet.nn.Embedding.from_pretrained(edunet.tensor(weights), freeze=freeze, padding_idx=2)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(weights), freeze=freeze, padding_idx=2)
    assert repr(ours) == repr(theirs)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    numpy.testing.assert_array_equal(ours.weight.detach().numpy(), weights)  # padding row kept as given
    numpy.testing.assert_array_equal(ours(edunet.tensor([2, 0])).detach().numpy(), weights[[2, 0]])
    with pytest.raises(AssertionError, match="2-dimensional"):
        edunet.nn.Embedding.from_pretrained(edunet.ones(3))


@pytest.mark.parametrize("spec", [
    "Embedding(10, 3)", "Embedding(10, 3, padding_idx=0)", "Embedding(10, 3, padding_idx=-2)",
    "Embedding(10, 3, max_norm=1.0)", "Embedding(5, 2, max_norm=2, norm_type=1.0, scale_grad_by_freq=True)",
])
def test_repr_and_state_dict_match_torch(spec):
    ours, theirs = eval(f"edunet.nn.{spec}"), eval(f"torch.nn.{spec}")
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert ours.weight.shape == tuple(theirs.weight.shape)


def test_errors_match_torch_and_explain():
    for lib in (edunet, torch):
        layer = lib.nn.Embedding(3, 2)
        with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
            layer(lib.tensor([1.0]))
        with pytest.raises(IndexError, match="index out of range in self"):
            layer(lib.tensor([3]))
        with pytest.raises(IndexError, match="index out of range in self"):
            lib.nn.functional.embedding(lib.tensor([-1]), lib.ones(3, 2))
        with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
            lib.nn.Embedding(3, 2, padding_idx=3)
        with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
            lib.nn.Embedding(3, 2, padding_idx=-4)
    with pytest.raises(IndexError, match=r"Embedding\(3, 2\) has 3 rows, so ids must be in 0\.\.2, but got 3"):
        edunet.nn.Embedding(3, 2)(edunet.tensor([0, 3]))
    with pytest.raises(RuntimeError, match=r"x\.long\(\)"):
        edunet.nn.Embedding(3, 2)(edunet.tensor([1.0]))


def test_sparse_gradients_are_refused_with_an_explanation():
    with pytest.raises(NotImplementedError, match="sparse=False"):
        edunet.nn.Embedding(3, 2, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse=False"):
        F.embedding(edunet.tensor([0]), edunet.ones(3, 2), sparse=True)


# ---------------------------------------------------------------- one_hot
@given(shape=shapes(max_dims=3), classes=st.integers(1, 6), extra=st.sampled_from([None, 0, 2]),
       seed=st.integers(0, 2**16))
def test_one_hot_matches_torch(shape, classes, extra, seed):
    labels = ids(shape, classes, seed)
    num_classes = -1 if extra is None else classes + extra
    ours = F.one_hot(edunet.tensor(labels), num_classes)
    if labels.size == 0 and num_classes == -1:
        return
    theirs = torch.nn.functional.one_hot(torch.tensor(labels), num_classes)
    assert ours.dtype == edunet.int64 and ours.shape == theirs.shape
    numpy.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_one_hot_of_empty_and_0d_tensors():
    assert F.one_hot(edunet.tensor([], dtype=edunet.int64), 3).shape == (0, 3)
    assert F.one_hot(edunet.tensor(2), 4).tolist() == [0, 0, 1, 0]


@pytest.mark.parametrize("make, message", [
    (lambda lib: lib.nn.functional.one_hot(lib.tensor([1.0])), "only applicable to index tensor"),
    (lambda lib: lib.nn.functional.one_hot(lib.tensor([1], dtype=lib.int32)), "only applicable to index tensor"),
    (lambda lib: lib.nn.functional.one_hot(lib.tensor([-1])), "Class values must be non-negative"),
    (lambda lib: lib.nn.functional.one_hot(lib.tensor([3]), 3), "Class values must be smaller than num_classes"),
    (lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.int64)), "Can not infer total number"),
])
def test_one_hot_errors_match_torch(make, message):
    for lib in (edunet, torch):
        with pytest.raises(RuntimeError, match=message):
            make(lib)
