"""Batch, layer and group normalization: functions and layers against PyTorch and finite differences."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet
import edunet.nn
import edunet.nn.functional as F

torch = pytest.importorskip("torch")


def random(seed, shape, dtype=numpy.float32):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(dtype)


def pair(array, requires_grad=True):
    """The same values as an edunet and a torch tensor."""
    return (edunet.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def assert_close(ours, theirs, rtol=1e-5, atol=1e-5, message=""):
    ours = ours.detach().numpy() if hasattr(ours, "detach") else numpy.asarray(ours)
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else numpy.asarray(theirs)
    numpy.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=message)


def backward_both(our_out, their_out, seed):
    weight = random(seed, tuple(our_out.shape))
    (our_out * edunet.tensor(weight)).sum().backward()
    (their_out * torch.tensor(weight)).sum().backward()


# ---------------------------------------------------------------- shapes
# Each mean and variance is taken over at least 3 values. Over 2 values x_hat is +-1 and
# the input gradient is almost entirely cancellation (it is exactly 0 for eps = 0), which
# float32 resolves only to about 1e-3, in PyTorch as in edunet.
MIN_VALUES = 3


@st.composite
def channel_shapes(draw):
    """(N, C, *) with 0 to 2 spatial dimensions and at least MIN_VALUES values per channel."""
    shape = (draw(st.integers(1, 4)), draw(st.integers(1, 4))) + tuple(
        draw(st.lists(st.integers(1, 4), max_size=2)))
    if numpy.prod(shape) // shape[1] < MIN_VALUES:
        shape = (shape[0] + MIN_VALUES,) + shape[1:]
    return shape


# ---------------------------------------------------------------- functional batch_norm
@given(shape=channel_shapes(), seed=st.integers(0, 2**16), training=st.booleans(),
       momentum=st.sampled_from([0.1, 0.5]), affine=st.booleans())
def test_batch_norm_matches_torch_including_running_statistics(shape, seed, training, momentum, affine):
    channels = shape[1]
    our_x, their_x = pair(random(seed, shape) * 3 + 1)
    our_mean, their_mean = pair(random(seed + 1, channels), requires_grad=False)
    variance = numpy.abs(random(seed + 2, channels)) + 0.5
    our_var, their_var = pair(variance, requires_grad=False)
    weights, biases = pair(random(seed + 3, channels)), pair(random(seed + 4, channels))
    our_affine, their_affine = ((weights[0], biases[0]), (weights[1], biases[1])) if affine \
        else ((None, None), (None, None))
    our_out = F.batch_norm(our_x, our_mean, our_var, our_affine[0], our_affine[1], training, momentum)
    their_out = torch.nn.functional.batch_norm(their_x, their_mean, their_var, their_affine[0],
                                               their_affine[1], training, momentum)
    assert our_out.shape == their_out.shape and our_out.dtype == edunet.float32
    assert_close(our_out, their_out, message="forward")
    assert_close(our_mean, their_mean, message="running_mean")
    assert_close(our_var, their_var, message="running_var")
    backward_both(our_out, their_out, seed + 5)
    assert_close(our_x.grad, their_x.grad, rtol=1e-4, atol=1e-4, message="input gradient")
    if affine:
        for ours, theirs in zip(our_affine, their_affine):
            assert_close(ours.grad, theirs.grad, rtol=1e-4, atol=1e-4, message="affine gradient")


@given(shape=channel_shapes(), seed=st.integers(0, 2**16), training=st.booleans())
def test_batch_norm_gradients_match_finite_differences(shape, seed, training):
    channels = shape[1]
    x = edunet.tensor(random(seed, shape, numpy.float64), requires_grad=True)
    weight = edunet.tensor(random(seed + 1, channels, numpy.float64), requires_grad=True)
    bias = edunet.tensor(random(seed + 2, channels, numpy.float64), requires_grad=True)
    running_mean = edunet.tensor(random(seed + 3, channels, numpy.float64))
    running_var = edunet.tensor(numpy.abs(random(seed + 4, channels, numpy.float64)) + 0.5)

    def function(x, weight, bias):
        # Fresh copies: training mode updates the running statistics on every call.
        return F.batch_norm(x, running_mean.clone(), running_var.clone(), weight, bias, training)

    assert edunet.gradcheck(function, (x, weight, bias), atol=1e-5, rtol=1e-4)


def test_batch_norm_training_without_running_statistics_and_unbiased_running_variance():
    x = numpy.array([[1.0, 10.0], [3.0, 20.0], [8.0, 60.0]])
    running_mean, running_var = edunet.zeros(2, dtype=edunet.float64), edunet.ones(2, dtype=edunet.float64)
    out = F.batch_norm(edunet.tensor(x), running_mean, running_var, training=True, momentum=1.0, eps=0.0)
    numpy.testing.assert_allclose(out.numpy(), (x - x.mean(0)) / x.std(0), rtol=1e-12)
    numpy.testing.assert_allclose(running_mean.numpy(), x.mean(0), rtol=1e-12)
    numpy.testing.assert_allclose(running_var.numpy(), x.var(0, ddof=1), rtol=1e-12)  # n - 1
    out = F.batch_norm(edunet.tensor(x), None, None, training=True)
    numpy.testing.assert_allclose(out.numpy().mean(0), [0.0, 0.0], atol=1e-12)


# ---------------------------------------------------------------- layer_norm and group_norm
@st.composite
def layer_norm_arguments(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    normalized_ndim = draw(st.integers(1, len(shape)))
    normalized_shape = shape[len(shape) - normalized_ndim:]
    if numpy.prod(normalized_shape) < MIN_VALUES:
        shape = shape[:-1] + (shape[-1] + MIN_VALUES,)
        normalized_shape = normalized_shape[:-1] + (normalized_shape[-1] + MIN_VALUES,)
    return shape, normalized_shape, draw(st.booleans()), draw(st.booleans())


@given(arguments=layer_norm_arguments(), seed=st.integers(0, 2**16))
def test_layer_norm_matches_torch(arguments, seed):
    shape, normalized_shape, with_weight, with_bias = arguments
    our_x, their_x = pair(random(seed, shape) * 2 - 1)
    our_weight, their_weight = pair(random(seed + 1, normalized_shape)) if with_weight else (None, None)
    our_bias, their_bias = pair(random(seed + 2, normalized_shape)) if with_bias else (None, None)
    our_out = F.layer_norm(our_x, normalized_shape, our_weight, our_bias, eps=1e-5)
    their_out = torch.nn.functional.layer_norm(their_x, normalized_shape, their_weight, their_bias, eps=1e-5)
    assert_close(our_out, their_out, message="forward")
    backward_both(our_out, their_out, seed + 3)
    assert_close(our_x.grad, their_x.grad, rtol=1e-4, atol=1e-4, message="input gradient")
    for ours, theirs in ((our_weight, their_weight), (our_bias, their_bias)):
        if ours is not None:
            assert_close(ours.grad, theirs.grad, rtol=1e-4, atol=1e-4, message="affine gradient")


@given(arguments=layer_norm_arguments(), seed=st.integers(0, 2**16))
def test_layer_norm_gradients_match_finite_differences(arguments, seed):
    shape, normalized_shape, _, _ = arguments
    inputs = (edunet.tensor(random(seed, shape, numpy.float64), requires_grad=True),
              edunet.tensor(random(seed + 1, normalized_shape, numpy.float64), requires_grad=True),
              edunet.tensor(random(seed + 2, normalized_shape, numpy.float64), requires_grad=True))
    assert edunet.gradcheck(lambda x, w, b: F.layer_norm(x, normalized_shape, w, b), inputs,
                            atol=1e-5, rtol=1e-4)


@st.composite
def group_norm_arguments(draw):
    groups = draw(st.integers(1, 3))
    channels = groups * draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    if channels // groups * int(numpy.prod(spatial)) < MIN_VALUES:
        spatial = (MIN_VALUES,) + spatial[1:]
    return (draw(st.integers(1, 3)), channels) + spatial, groups, draw(st.booleans())


@given(arguments=group_norm_arguments(), seed=st.integers(0, 2**16))
def test_group_norm_matches_torch(arguments, seed):
    shape, groups, affine = arguments
    our_x, their_x = pair(random(seed, shape) + 0.5)
    our_weight, their_weight = pair(random(seed + 1, shape[1])) if affine else (None, None)
    our_bias, their_bias = pair(random(seed + 2, shape[1])) if affine else (None, None)
    our_out = F.group_norm(our_x, groups, our_weight, our_bias)
    their_out = torch.nn.functional.group_norm(their_x, groups, their_weight, their_bias)
    assert_close(our_out, their_out, message="forward")
    backward_both(our_out, their_out, seed + 3)
    # A group of nearly equal values has a tiny variance, and its input gradient is
    # mostly cancellation: both float32 results then stray from the exact one. So
    # compare with float64 and ask for no more error than PyTorch's own float32 has.
    exact_x = torch.tensor((random(seed, shape) + 0.5).astype(numpy.float64), requires_grad=True)
    exact_parameters = ([torch.tensor(random(seed + i, shape[1]).astype(numpy.float64)) for i in (1, 2)]
                        if affine else [None, None])
    exact_out = torch.nn.functional.group_norm(exact_x, groups, *exact_parameters)
    (exact_out * torch.tensor(random(seed + 3, shape).astype(numpy.float64))).sum().backward()
    exact = exact_x.grad.numpy()
    our_error = numpy.abs(our_x.grad.numpy() - exact)
    their_error = numpy.abs(their_x.grad.numpy() - exact)
    assert (our_error <= 2 * their_error + 1e-5 * (1 + numpy.abs(exact))).all(), "input gradient"
    if affine:
        assert_close(our_weight.grad, their_weight.grad, rtol=1e-4, atol=1e-4)
        assert_close(our_bias.grad, their_bias.grad, rtol=1e-4, atol=1e-4)


@given(arguments=group_norm_arguments(), seed=st.integers(0, 2**16))
def test_group_norm_gradients_match_finite_differences(arguments, seed):
    shape, groups, _ = arguments
    inputs = (edunet.tensor(random(seed, shape, numpy.float64), requires_grad=True),
              edunet.tensor(random(seed + 1, shape[1], numpy.float64), requires_grad=True),
              edunet.tensor(random(seed + 2, shape[1], numpy.float64), requires_grad=True))
    assert edunet.gradcheck(lambda x, w, b: F.group_norm(x, groups, w, b), inputs, atol=1e-5, rtol=1e-4)


# ---------------------------------------------------------------- layers: train and eval vs torch
def copy_parameters(ours, theirs, seed):
    """Give both layers the same random parameters (not the 1/0 defaults, to test them)."""
    for index, (name, parameter) in enumerate(theirs.named_parameters()):
        values = random(seed + index, tuple(parameter.shape))
        with torch.no_grad():
            parameter.copy_(torch.tensor(values))
        with edunet.no_grad():
            getattr(ours, name).copy_(edunet.tensor(values))


def assert_same_state(ours, theirs, message):
    our_state, their_state = ours.state_dict(), theirs.state_dict()
    assert list(our_state) == list(their_state), message
    for key in their_state:
        assert_close(our_state[key], their_state[key], rtol=1e-5, atol=1e-6, message=f"{message}: {key}")
        assert str(our_state[key].dtype).split(".")[-1] == str(their_state[key].dtype).split(".")[-1]


BATCH_NORM_LAYERS = [
    ("BatchNorm1d", (6, 3), {}),
    ("BatchNorm1d", (5, 3, 4), {"momentum": 0.3}),
    ("BatchNorm1d", (4, 3), {"momentum": None}),
    ("BatchNorm2d", (4, 3, 5, 5), {}),
    ("BatchNorm2d", (2, 3, 4, 4), {"momentum": None, "eps": 1e-3}),
    ("BatchNorm2d", (3, 3, 2, 2), {"affine": False}),
    ("BatchNorm2d", (3, 3, 2, 2), {"bias": False}),
    ("BatchNorm1d", (4, 3), {"track_running_stats": False}),
    ("BatchNorm2d", (3, 3, 2, 2), {"affine": False, "track_running_stats": False}),
]


@pytest.mark.parametrize("name, shape, options", BATCH_NORM_LAYERS)
def test_batch_norm_layer_trains_and_evaluates_like_torch(name, shape, options):
    ours, theirs = getattr(edunet.nn, name)(3, **options), getattr(torch.nn, name)(3, **options)
    copy_parameters(ours, theirs, seed=10)
    for step in range(4):  # several steps: the running statistics accumulate
        our_x, their_x = pair(random(step, shape) * (step + 1) + step)
        our_out, their_out = ours(our_x), theirs(their_x)
        assert_close(our_out, their_out, message=f"training output, step {step}")
        backward_both(our_out, their_out, seed=100 + step)
        assert_close(our_x.grad, their_x.grad, rtol=1e-4, atol=1e-4, message=f"input gradient {step}")
        for (key, our_parameter), their_parameter in zip(ours.named_parameters(), theirs.parameters()):
            assert_close(our_parameter.grad, their_parameter.grad, rtol=1e-4, atol=1e-4, message=key)
            our_parameter.grad = None
            their_parameter.grad = None
        assert_same_state(ours, theirs, f"after training step {step}")
    ours.eval()
    theirs.eval()
    our_x, their_x = pair(random(50, shape) * 2 + 1)
    our_out, their_out = ours(our_x), theirs(their_x)
    assert_close(our_out, their_out, message="evaluation output")
    backward_both(our_out, their_out, seed=200)
    assert_close(our_x.grad, their_x.grad, rtol=1e-4, atol=1e-4, message="evaluation input gradient")
    assert_same_state(ours, theirs, "evaluation leaves the state alone")


def test_momentum_none_keeps_the_plain_average_of_all_batches():
    layer = edunet.nn.BatchNorm1d(2, momentum=None)
    batches = [random(seed, (5, 2), numpy.float64) + seed for seed in range(3)]
    for batch in batches:
        layer(edunet.tensor(batch, dtype=edunet.float32))
    numpy.testing.assert_allclose(layer.running_mean.numpy(), numpy.mean([b.mean(0) for b in batches], 0),
                                  rtol=1e-5)
    numpy.testing.assert_allclose(layer.running_var.numpy(),
                                  numpy.mean([b.var(0, ddof=1) for b in batches], 0), rtol=1e-5)
    assert layer.num_batches_tracked.item() == 3 and layer.num_batches_tracked.dtype == edunet.int64


@pytest.mark.parametrize("name, options, shape", [
    ("LayerNorm", {"normalized_shape": 5}, (2, 3, 5)),
    ("LayerNorm", {"normalized_shape": (3, 5), "eps": 1e-3}, (2, 3, 5)),
    ("LayerNorm", {"normalized_shape": [5], "bias": False}, (4, 5)),
    ("LayerNorm", {"normalized_shape": (5,), "elementwise_affine": False}, (4, 5)),
    ("GroupNorm", {"num_groups": 2, "num_channels": 4}, (3, 4, 3, 3)),
    ("GroupNorm", {"num_groups": 4, "num_channels": 4, "affine": False}, (3, 4, 5)),
    ("GroupNorm", {"num_groups": 1, "num_channels": 4, "bias": False}, (2, 4)),
])
def test_layer_and_group_norm_layers_match_torch_in_both_modes(name, options, shape):
    ours, theirs = getattr(edunet.nn, name)(**options), getattr(torch.nn, name)(**options)
    copy_parameters(ours, theirs, seed=20)
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        our_x, their_x = pair(random(30, shape) * 2 + 1)
        our_out, their_out = ours(our_x), theirs(their_x)
        assert_close(our_out, their_out, message=f"{mode} output")
        backward_both(our_out, their_out, seed=31)
        assert_close(our_x.grad, their_x.grad, rtol=1e-4, atol=1e-4, message=f"{mode} input gradient")
        for our_parameter, their_parameter in zip(ours.parameters(), theirs.parameters()):
            assert_close(our_parameter.grad, their_parameter.grad, rtol=1e-4, atol=1e-4)
            our_parameter.grad = None
            their_parameter.grad = None
        assert_same_state(ours, theirs, mode)


# ---------------------------------------------------------------- construction and reprs
LAYER_SPECS = [
    "BatchNorm1d(3)", "BatchNorm1d(16, eps=1e-3, momentum=None)", "BatchNorm2d(8, affine=False)",
    "BatchNorm2d(4, track_running_stats=False)", "BatchNorm2d(4, bias=False)",
    "LayerNorm(10)", "LayerNorm((2, 3), elementwise_affine=False)", "LayerNorm([4, 5], eps=1e-6)",
    "LayerNorm(5, bias=False)", "GroupNorm(2, 6)", "GroupNorm(3, 6, eps=0.001, affine=False)",
    "GroupNorm(1, 4, bias=False)",
]


@pytest.mark.parametrize("spec", LAYER_SPECS)
def test_repr_state_dict_and_defaults_match_torch(spec):
    ours, theirs = eval(f"edunet.nn.{spec}"), eval(f"torch.nn.{spec}")
    assert repr(ours) == repr(theirs)
    assert_same_state(ours, theirs, spec)  # keys, initial values (1, 0, running 0 and 1) and dtypes
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]


def test_state_dict_loads_from_torch():
    theirs = torch.nn.BatchNorm2d(3)
    theirs(torch.randn(4, 3, 2, 2) * 3 + 1)
    ours = edunet.nn.BatchNorm2d(3)
    ours.load_state_dict({key: edunet.tensor(value.numpy()) for key, value in theirs.state_dict().items()})
    assert_same_state(ours, theirs, "loaded")


def test_only_batch_norm_behaves_differently_in_training():
    assert edunet.nn.BatchNorm1d.behaves_differently_in_training
    assert edunet.nn.BatchNorm2d.behaves_differently_in_training
    assert not edunet.nn.LayerNorm.behaves_differently_in_training
    assert not edunet.nn.GroupNorm.behaves_differently_in_training


def test_evaluating_a_training_batch_norm_under_no_grad_warns():
    model = edunet.nn.Sequential(edunet.nn.Linear(3, 3), edunet.nn.BatchNorm1d(3))
    with edunet.no_grad(), pytest.warns(UserWarning, match="BatchNorm1d"):
        model(edunet.randn(4, 3))


# ---------------------------------------------------------------- errors that teach
def test_batch_norm_1d_with_wrong_channels_names_expected_and_got():
    layer = edunet.nn.BatchNorm1d(3)
    with pytest.raises(RuntimeError, match=r"expects input \(N, C\) or \(N, C, L\) with C = 3 .*got \(4, 5\)"):
        layer(edunet.randn(4, 5))
    with pytest.raises(RuntimeError, match=r"got \(4, 7, 3\).*x\.transpose\(1, 2\)"):
        layer(edunet.randn(4, 7, 3))  # features last, as (N, L, C)
    with pytest.raises(RuntimeError):
        torch.nn.BatchNorm1d(3)(torch.randn(4, 5))


def test_batch_norm_wrong_number_of_dimensions_raises_value_error_like_torch():
    for lib in (edunet, torch):
        with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
            lib.nn.BatchNorm1d(3)(lib.randn(2, 3, 4, 4))
        with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
            lib.nn.BatchNorm2d(3)(lib.randn(3, 4, 4))
    with pytest.raises(ValueError, match=r"unsqueeze\(0\)"):
        edunet.nn.BatchNorm2d(3)(edunet.randn(3, 4, 4))
    with pytest.raises(ValueError, match=r"unsqueeze\(0\)"):
        edunet.nn.BatchNorm1d(3)(edunet.randn(3))


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1)])
def test_batch_norm_training_with_one_value_per_channel_raises_torchs_value_error(shape):
    for lib in (edunet, torch):
        layer = lib.nn.BatchNorm1d(3)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            layer(lib.randn(*shape))
        layer.eval()
        assert tuple(layer(lib.randn(*shape)).shape) == shape  # evaluation uses running statistics


def test_functional_errors_match_torch():
    for lib in (edunet, torch):
        functional = lib.nn.functional
        with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
            functional.batch_norm(lib.randn(4, 3), None, None, training=False)
        with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 2"):
            functional.batch_norm(lib.randn(4, 3), lib.zeros(2), lib.ones(2), training=True)
        with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[3\], expected input with shape \[\*, 3\]"):
            functional.layer_norm(lib.randn(2, 4), (3,))
        with pytest.raises(RuntimeError, match="Expected number of channels in input to be divisible by num_groups"):
            functional.group_norm(lib.randn(2, 6, 3), 4)
        with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
            lib.nn.GroupNorm(4, 6)
        with pytest.raises(RuntimeError):
            lib.nn.GroupNorm(2, 6)(lib.randn(2, 4, 3))
        with pytest.raises(RuntimeError):
            lib.nn.LayerNorm(3)(lib.randn(2, 4))


def test_layer_errors_name_the_layer_and_the_shapes():
    with pytest.raises(RuntimeError, match=r"LayerNorm\(\(3,\), .*\) expects input \(\*, 3\).*got \(2, 4\)"):
        edunet.nn.LayerNorm(3)(edunet.randn(2, 4))
    with pytest.raises(RuntimeError, match=r"GroupNorm\(2, 6, \.\.\.\) expects input \(N, 6, \*\).*got \(2, 4, 3\)"):
        edunet.nn.GroupNorm(2, 6)(edunet.randn(2, 4, 3))
