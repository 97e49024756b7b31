"""Dropout and Dropout2d: statistics, exact scaling, evaluation, seeds, gradients, errors."""

import warnings

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ops.harness import shapes

import edunet
import edunet.nn
import edunet.nn.functional as F

torch = pytest.importorskip("torch")


def nonzero_values(shape, seed=0):
    """float32 values kept away from 0, so a zero in the output always means "dropped"."""
    array = numpy.random.default_rng(seed).uniform(0.5, 2.0, shape)
    return (array * numpy.random.default_rng(seed + 1).choice([-1, 1], shape)).astype(numpy.float32)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_fraction_zeroed_is_p_and_survivors_are_scaled_exactly(p):
    x = nonzero_values(200_000)
    edunet.manual_seed(0)
    y = F.dropout(edunet.tensor(x), p).numpy()
    dropped = y == 0
    # 200,000 draws: the standard deviation of the fraction is below 0.0012.
    assert abs(dropped.mean() - p) < 0.006
    scale = numpy.float32(1 / (1 - p))
    numpy.testing.assert_array_equal(y[~dropped], x[~dropped] * scale)
    # PyTorch scales its survivors the same way (its mask differs: another generator).
    theirs = torch.nn.functional.dropout(torch.tensor(x), p).numpy()
    kept_by_both = ~dropped & (theirs != 0)
    numpy.testing.assert_allclose(y[kept_by_both], theirs[kept_by_both], rtol=1e-6)


@given(shape=shapes(min_dims=1, max_side=5), p=st.floats(0.05, 0.95), seed=st.integers(0, 2**16))
def test_gradient_is_the_same_mask_and_scale(shape, p, seed):
    x = edunet.tensor(nonzero_values(shape, seed), requires_grad=True)
    edunet.manual_seed(seed)
    y = F.dropout(x, p)
    assert y.shape == x.shape and y.dtype == x.dtype and y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    kept = (y.detach().numpy() != 0)
    numpy.testing.assert_allclose(x.grad.numpy(), kept * numpy.float32(1 / (1 - p)), rtol=1e-6)
    numpy.testing.assert_allclose(y.detach().numpy(), x.detach().numpy() * x.grad.numpy(), rtol=1e-6)


def test_gradient_matches_finite_differences_with_a_fixed_mask():
    x = edunet.randn(4, 5, dtype=edunet.float64, requires_grad=True)

    def fixed_mask_dropout(tensor):
        edunet.manual_seed(7)  # the same mask on every call
        return F.dropout(tensor, 0.4)

    assert edunet.gradcheck(fixed_mask_dropout, x)


def test_same_seed_same_mask_and_fresh_masks_otherwise():
    x = edunet.ones(1000)
    edunet.manual_seed(3)
    first = F.dropout(x, 0.5).numpy()
    second = F.dropout(x, 0.5).numpy()
    edunet.manual_seed(3)
    again = F.dropout(x, 0.5).numpy()
    numpy.testing.assert_array_equal(first, again)
    assert (first != second).any()


def test_evaluation_and_p_zero_return_the_input_unchanged_like_torch():
    for lib in (edunet, torch):
        x = lib.randn(3, 4, requires_grad=True)
        assert lib.nn.functional.dropout(x, 0.5, training=False) is x
        assert lib.nn.functional.dropout(x, 0.0) is x
        layer = lib.nn.Dropout(0.9).eval()
        assert lib.equal(layer(x), x)


def test_p_one_drops_everything_with_zero_gradient():
    x = edunet.randn(5, requires_grad=True)
    y = F.dropout(x, 1.0)
    assert not y.detach().numpy().any()
    y.sum().backward()
    assert not x.grad.numpy().any()


def test_layer_follows_train_and_eval_mode():
    layer = edunet.nn.Dropout(0.5)
    assert layer.behaves_differently_in_training and edunet.nn.Dropout2d.behaves_differently_in_training
    x = edunet.ones(1000)
    assert (layer(x).numpy() == 0).any()
    layer.eval()
    numpy.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    layer.train()
    assert (layer(x).numpy() == 0).any()


def test_inplace_overwrites_a_non_leaf_and_keeps_gradients_right():
    x = edunet.tensor(nonzero_values((4, 6)), requires_grad=True)
    hidden = x * 2
    edunet.manual_seed(1)
    out = edunet.nn.Dropout(0.5, inplace=True)(hidden)
    assert out is hidden
    out.sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), (out.detach().numpy() != 0) * 4.0)
    for lib in (edunet, torch):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            lib.nn.functional.dropout(lib.ones(3, requires_grad=True), 0.5, inplace=True)


def test_inplace_without_autograd_writes_into_shared_memory():
    array = numpy.ones(100, dtype=numpy.float32)
    result = F.dropout(edunet.from_numpy(array), 0.5, inplace=True)
    numpy.testing.assert_array_equal(array, result.numpy())
    assert set(numpy.unique(array)) == {0.0, 2.0}


# ---------------------------------------------------------------- dropout2d
def test_dropout2d_drops_whole_channels():
    x = nonzero_values((200, 50, 3, 4))
    edunet.manual_seed(0)
    y = F.dropout2d(edunet.tensor(x), 0.3).numpy()
    dropped = (y == 0).all(axis=(2, 3))
    kept = (y != 0).all(axis=(2, 3))
    assert (dropped | kept).all()  # every channel entirely dropped or entirely kept
    assert abs(dropped.mean() - 0.3) < 0.02  # 10,000 channels
    numpy.testing.assert_array_equal(y[kept], x[kept] * numpy.float32(1 / 0.7))


def test_dropout2d_layer_gradient_and_evaluation():
    x = edunet.tensor(nonzero_values((2, 8, 3, 3)), requires_grad=True)
    layer = edunet.nn.Dropout2d(0.5)
    y = layer(x)
    y.sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), (y.detach().numpy() != 0) * 2.0)
    assert edunet.equal(layer.eval()(x), x)


def messages(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        function()
    return [str(warning.message) for warning in caught]


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3), (2, 3, 2, 2, 2)])
def test_dropout2d_warns_like_torch_for_unusual_shapes(shape):
    ours = messages(lambda: F.dropout2d(edunet.ones(*shape), 0.5))
    theirs = messages(lambda: torch.nn.functional.dropout2d(torch.ones(*shape), 0.5))
    assert ours == theirs and ours


def test_dropout2d_of_3d_input_drops_rows_of_n_c_l():
    edunet.manual_seed(0)
    with pytest.warns(UserWarning):
        y = F.dropout2d(edunet.ones(20, 30, 5), 0.5).numpy()
    assert ((y == 0).all(axis=2) | (y != 0).all(axis=2)).all()


def test_dropout2d_of_1d_input_raises_like_torch():
    for lib in (edunet, torch):
        with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            lib.nn.functional.dropout2d(lib.ones(3), 0.5)


# ---------------------------------------------------------------- reprs and errors
@pytest.mark.parametrize("spec", ["Dropout()", "Dropout(0.2)", "Dropout(p=0.1, inplace=True)",
                                  "Dropout2d()", "Dropout2d(0.25, True)"])
def test_repr_matches_torch(spec):
    assert repr(eval(f"edunet.nn.{spec}")) == repr(eval(f"torch.nn.{spec}"))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_probability_outside_zero_one_raises_torchs_value_error(p):
    for lib in (edunet, torch):
        message = f"dropout probability has to be between 0 and 1, but got {p}"
        for make in (lambda: lib.nn.Dropout(p), lambda: lib.nn.Dropout2d(p),
                     lambda: lib.nn.functional.dropout(lib.ones(3), p),
                     lambda: lib.nn.functional.dropout2d(lib.ones(2, 3, 4, 4), p)):
            with pytest.raises(ValueError, match=message):
                make()


def test_integer_input_raises_a_runtime_error_like_torch():
    for lib in (edunet, torch):
        with pytest.raises(RuntimeError):
            lib.nn.functional.dropout(lib.tensor([1, 2, 3]), 0.5)
    with pytest.raises(RuntimeError, match=r"x\.float\(\)"):
        F.dropout(edunet.tensor([1, 2, 3]), 0.5)
