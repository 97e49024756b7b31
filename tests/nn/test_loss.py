"""Loss functions and loss layers: forward and backward against PyTorch, gradients against
central differences, reprs, and the errors a learner meets."""

import math
import warnings

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import edunet
import edunet.nn.functional as F
from edunet import nn

torch = pytest.importorskip("torch")
torch_F = torch.nn.functional

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


# ---------------------------------------------------------------- running both libraries
def _numpy(tensor):
    """A tensor's values as a NumPy array: edunet (on any device) or torch."""
    if isinstance(tensor, edunet.Tensor):
        array = tensor.detach().array
        return array.get() if hasattr(array, "get") else numpy.asarray(array)
    return tensor.detach().numpy()


def run(lib, name, arrays, grad_inputs, options, device="cpu"):
    """``F.name(*arrays, **options)`` in ``lib`` (edunet or torch), then backward.

    ``grad_inputs`` lists the positions of the arrays (and the names of the array
    options, e.g. "weight") that require grad; array options become tensors.
    Returns the loss, the gradients and the loss's grad_fn name.
    """
    functional = F if lib is edunet else torch_F
    place = {"device": device} if lib is edunet else {}
    arrays = [numpy.asarray(array) for array in arrays]  # 0-d draws may be NumPy scalars
    leaves = {key: lib.tensor(value, requires_grad=key in grad_inputs, **place)
              for key, value in list(enumerate(arrays)) + list(options.items())
              if isinstance(value, numpy.ndarray)}
    options = {key: leaves.get(key, value) for key, value in options.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'mean' in kl_div, broadcasting: tested on their own
        loss = getattr(functional, name)(*[leaves[i] for i in range(len(arrays))], **options)
    upstream = numpy.random.default_rng(1).uniform(0.5, 1.5, tuple(loss.shape))
    loss.backward(lib.tensor(upstream.astype(arrays[0].dtype), **place))
    gradients = [None if leaves[key].grad is None else _numpy(leaves[key].grad)
                 for key in grad_inputs]
    return _numpy(loss), gradients, loss.grad_fn.name()


def check_against_torch(name, arrays, grad_inputs=(0,), device="cpu", rtol=1e-5, atol=1e-5,
                        same_node_name=True, **options):
    """Forward values, every requested gradient and the grad_fn name equal PyTorch's."""
    our_loss, our_grads, our_name = run(edunet, name, arrays, grad_inputs, options, device)
    their_loss, their_grads, their_name = run(torch, name, arrays, grad_inputs, options)
    assert our_loss.shape == their_loss.shape, f"{name}: {our_loss.shape} vs {their_loss.shape}"
    assert our_loss.dtype == their_loss.dtype
    numpy.testing.assert_allclose(our_loss, their_loss, rtol=rtol, atol=atol, equal_nan=True,
                                  err_msg=f"{name} forward, {options}")
    for key, ours, theirs in zip(grad_inputs, our_grads, their_grads):
        assert ours is not None, f"{name}: no gradient for input {key}"
        theirs = numpy.zeros_like(ours) if theirs is None else theirs  # torch: None for zeros
        numpy.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True,
                                      err_msg=f"{name} gradient of input {key}, {options}")
    if same_node_name:
        assert our_name == their_name, f"{name}: grad_fn {our_name}, torch {their_name}"


def check_gradient(function, *inputs):
    """Central differences in float64 agree with backward for every input requiring grad."""
    tensors = [edunet.tensor(array, requires_grad=array.dtype.kind == "f")
               if isinstance(array, numpy.ndarray) else array for array in inputs]
    assert edunet.gradcheck(function, tuple(tensors), eps=1e-6, atol=1e-5, rtol=1e-4)


def seeded(draw):
    return numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))


# ---------------------------------------------------------------- the course's examples
def test_course_example_cross_entropy():
    logits = [[0.1, 0.2, 0.3]]
    ours = edunet.tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    our_loss = nn.CrossEntropyLoss()(ours, edunet.tensor([1]))
    their_loss = torch.nn.CrossEntropyLoss()(theirs, torch.tensor([1]))
    assert repr(our_loss) == repr(their_loss) == "tensor(1.1019, grad_fn=<NllLossBackward0>)"
    # -log(e^0.2 / (e^0.1 + e^0.2 + e^0.3)), by hand
    assert math.isclose(our_loss.item(), -0.2 + math.log(sum(math.exp(v) for v in logits[0])),
                        rel_tol=1e-6)
    our_loss.backward()
    their_loss.backward()
    numpy.testing.assert_allclose(_numpy(ours.grad), theirs.grad.numpy(), rtol=1e-6)


def test_course_example_l1_and_mse():
    prediction, target = [1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.0, 6.0]
    for our_layer, their_layer, by_hand in [
        (nn.L1Loss(), torch.nn.L1Loss(), (0.5 + 0 + 1 + 2) / 4),
        (nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum"), 0.5 + 0 + 1 + 2),
        (nn.MSELoss(), torch.nn.MSELoss(), (0.25 + 0 + 1 + 4) / 4),
        (nn.MSELoss(reduction="sum"), torch.nn.MSELoss(reduction="sum"), 0.25 + 0 + 1 + 4),
    ]:
        ours = edunet.tensor(prediction, requires_grad=True)
        theirs = torch.tensor(prediction, requires_grad=True)
        our_loss = our_layer(ours, edunet.tensor(target))
        their_loss = their_layer(theirs, torch.tensor(target))
        assert repr(our_loss) == repr(their_loss)
        assert math.isclose(our_loss.item(), by_hand, rel_tol=1e-6)
        our_loss.backward()
        their_loss.backward()
        numpy.testing.assert_allclose(_numpy(ours.grad), theirs.grad.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- regression losses
REGRESSION = [("l1_loss", {}), ("mse_loss", {}), ("smooth_l1_loss", {"beta": 0.0}),
              ("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {}),
              ("huber_loss", {"delta": 0.3}), ("huber_loss", {})]
REGRESSION_IDS = [name + "".join(f"-{key}={value}" for key, value in parameters.items())
                  for name, parameters in REGRESSION]


@pytest.mark.parametrize("name, parameters", REGRESSION, ids=REGRESSION_IDS)
@given(data=st.data())
def test_regression_losses_match_torch(name, parameters, device, data):
    same_shape = data.draw(st.booleans())
    if same_shape:
        shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
        shapes = (shape, shape)
    else:
        shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3,
                                                             max_side=3)).input_shapes
    random = seeded(data.draw)
    arrays = [random.uniform(-3, 3, shape).astype(numpy.float32) for shape in shapes]
    check_against_torch(name, arrays, grad_inputs=(0, 1), device=device,
                        reduction=data.draw(REDUCTIONS), **parameters)


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
@given(data=st.data())
def test_element_weights_match_torch(name, data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    random = seeded(data.draw)
    input, target = (random.uniform(-3, 3, shape).astype(numpy.float32) for _ in range(2))
    weight = random.uniform(0.5, 2, shape).astype(numpy.float32)
    # With 'mean', dloss/dw_i = (l_i - loss) / sum(w): a difference of float32 numbers up
    # to 36 / 0.5 that cancels (exactly to 0 for one element), so both libraries only agree
    # to about float32 epsilon * 72 ~ 1e-5 in absolute terms there.
    check_against_torch(name, [input, target], grad_inputs=(0, 1, "weight"), rtol=1e-4,
                        atol=1e-4, weight=weight, reduction=data.draw(REDUCTIONS))


@pytest.mark.parametrize("name, parameters", REGRESSION, ids=REGRESSION_IDS)
@pytest.mark.filterwarnings("ignore:Using a target size")  # broadcasting on purpose
def test_regression_gradients(name, parameters):
    random = numpy.random.default_rng(0)
    input, target = random.uniform(-3, 3, (2, 3)), random.uniform(-3, 3, (3,))
    for reduction in ["none", "mean", "sum"]:
        check_gradient(lambda x, y: getattr(F, name)(x, y, reduction=reduction, **parameters),
                       input, target)


def test_broadcasting_target_warns_like_torch():
    output, target = edunet.ones(4, 1), edunet.zeros(4)
    for function in [F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss]:
        with pytest.warns(UserWarning, match=r"different to the input size.*squeeze") as record:
            loss = function(output, target, reduction="none")
        assert record[0].filename == __file__  # points at the caller's line
        assert loss.shape == (4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(output, edunet.zeros(4, 1))  # same shapes: no warning
    with pytest.warns(UserWarning):
        torch_F.mse_loss(torch.ones(4, 1), torch.zeros(4))


def test_mixed_dtypes_promote_like_torch():
    check_against_torch("mse_loss", [numpy.ones(3, numpy.float32), numpy.arange(3.0)])
    check_against_torch("l1_loss", [numpy.ones(3, numpy.float32), numpy.arange(3)])


# ---------------------------------------------------------------- cross_entropy and nll_loss
@st.composite
def class_problems(draw, probabilities=False):
    """Logits (N, C, d1, ...) or (C,), targets, and cross_entropy/nll_loss options."""
    random = seeded(draw)
    classes = draw(st.integers(1, 5))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    unbatched = not spatial and draw(st.booleans())
    batch = draw(st.integers(1, 4))
    input_shape = (classes,) if unbatched else (batch, classes) + spatial
    scale = draw(st.sampled_from([1.0, 1.0, 1e4]))
    logits = (random.standard_normal(input_shape) * scale).astype(numpy.float32)
    options = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        options["weight"] = random.uniform(0.2, 2.0, classes).astype(numpy.float32)
    if probabilities:
        target = random.uniform(0, 1, input_shape).astype(numpy.float32)
        return logits, target, options
    target_shape = () if unbatched else (batch,) + spatial
    target = numpy.asarray(random.integers(0, classes, target_shape), dtype=numpy.int64)
    ignore_index = draw(st.sampled_from([-100, -100, 0, classes - 1, 7]))
    ignored = random.uniform(size=target_shape) < draw(st.sampled_from([0.0, 0.3, 1.0]))
    options["ignore_index"] = ignore_index
    return logits, numpy.where(ignored, ignore_index, target), options


@given(problem=class_problems(), smoothing=st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0]))
def test_cross_entropy_with_class_indices_matches_torch(problem, smoothing, device):
    logits, target, options = problem
    if (target == options["ignore_index"]).all() and smoothing > 0:
        options["reduction"] = "sum"  # see test_all_ignored_targets for mean
    check_against_torch("cross_entropy", [logits, target], device=device,
                        label_smoothing=smoothing, **options)


@given(problem=class_problems(probabilities=True), smoothing=st.sampled_from([0.0, 0.2, 1.0]))
def test_cross_entropy_with_probabilities_matches_torch(problem, smoothing, device):
    logits, target, options = problem
    # PyTorch's 'mean' ends in DivBackward1 (an internal overload); edunet's Div says DivBackward0.
    check_against_torch("cross_entropy", [logits, target], grad_inputs=(0, 1), device=device,
                        label_smoothing=smoothing, same_node_name=options["reduction"] != "mean",
                        rtol=1e-4, **options)


def test_probability_targets_differentiate_the_weight_like_torch():
    random = numpy.random.default_rng(0)
    logits, target = random.standard_normal((3, 4, 2)), random.uniform(size=(3, 4, 2))
    weights = []
    for lib, functional in ((edunet, F), (torch, torch_F)):
        weight = lib.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True)
        functional.cross_entropy(lib.tensor(logits), lib.tensor(target), weight=weight).backward()
        weights.append(_numpy(weight.grad))
    numpy.testing.assert_allclose(*weights, rtol=1e-6)


@given(problem=class_problems())
def test_nll_loss_matches_torch(problem, device):
    logits, target, options = problem
    log_probabilities = torch.log_softmax(torch.from_numpy(logits), -1 if logits.ndim == 1 else 1)
    check_against_torch("nll_loss", [log_probabilities.numpy(), target], device=device, **options)
    # Any numbers, up to +-1e4: a float32 sum of n such values is only good to about
    # n * max|value| * eps, whichever library computes it.
    rounding = 4 * numpy.finfo(numpy.float32).eps * float(numpy.abs(logits).max(initial=0)) * logits.size
    check_against_torch("nll_loss", [logits, target], device=device, atol=max(1e-5, rounding),
                        **options)


def test_all_ignored_targets():
    logits = numpy.random.default_rng(0).standard_normal((3, 4)).astype(numpy.float32)
    target = numpy.full(3, -100)
    for options in [{}, {"weight": numpy.arange(1, 5, dtype=numpy.float32)},
                    {"label_smoothing": 0.2}]:
        for reduction in ["mean", "sum", "none"]:
            check_against_torch("cross_entropy", [logits, target], reduction=reduction, **options)
    loss, (gradient,), _ = run(edunet, "cross_entropy", [logits, target], (0,), {})
    assert math.isnan(loss) and (gradient == 0).all()  # nan loss (0/0), zero gradient, as torch


def test_extreme_logits_stay_finite():
    logits = numpy.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [0.0, 0.0, 0.0]], numpy.float32)
    target = numpy.array([1, 2, 0])
    for options in [{}, {"label_smoothing": 0.1}, {"reduction": "none"}]:
        check_against_torch("cross_entropy", [logits, target], **options)
    loss, (gradient,), _ = run(edunet, "cross_entropy", [logits, target], (0,), {})
    assert numpy.isfinite(loss) and numpy.isfinite(gradient).all()
    bce_logits = numpy.array([1e4, -1e4, 1e4, -1e4, 0.0, 30.0], numpy.float32)
    labels = numpy.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.2], numpy.float32)
    for options in [{}, {"pos_weight": numpy.array(3.0, numpy.float32)}, {"reduction": "none"}]:
        check_against_torch("binary_cross_entropy_with_logits", [bce_logits, labels],
                            grad_inputs=(0, 1), **options)


def test_unbatched_input_with_a_size_one_target():
    logits = [0.5, -1.0, 2.0]
    for name in ["cross_entropy", "nll_loss"]:  # forward only: PyTorch's backward fails here
        ours = getattr(F, name)(edunet.tensor(logits), edunet.tensor([2]), reduction="none")
        theirs = getattr(torch_F, name)(torch.tensor(logits), torch.tensor([2]), reduction="none")
        assert repr(ours) == repr(theirs)


def test_classification_gradients():
    random = numpy.random.default_rng(0)
    logits = random.standard_normal((3, 4, 2))
    target = edunet.tensor([[0, 3], [-100, 1], [2, 2]])
    probabilities = random.uniform(size=(3, 4, 2))
    weight = edunet.tensor(random.uniform(0.5, 2, 4))
    for reduction in ["none", "mean", "sum"]:
        for smoothing in [0.0, 0.3]:
            check_gradient(lambda x: F.cross_entropy(x, target, weight=weight, reduction=reduction,
                                                     label_smoothing=smoothing), logits)
            check_gradient(lambda x, p: F.cross_entropy(x, p, weight=weight, reduction=reduction,
                                                        label_smoothing=smoothing),
                           logits, probabilities)
        check_gradient(lambda x: F.nll_loss(x, target, weight=weight, reduction=reduction), logits)


# ---------------------------------------------------------------- binary cross-entropy
@st.composite
def binary_problems(draw, logits):
    random = seeded(draw)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    if logits:
        input = random.standard_normal(shape) * draw(st.sampled_from([1.0, 20.0]))
    else:
        input = random.uniform(0.02, 0.98, shape)
    target = random.uniform(0, 1, shape)
    if draw(st.booleans()):
        target = numpy.round(target)  # hard labels
    options = {"reduction": draw(REDUCTIONS)}
    for name in ["weight", "pos_weight"] if logits else ["weight"]:
        if draw(st.booleans()):
            weight_shape = shape[draw(st.integers(0, len(shape))):]  # broadcastable
            options[name] = random.uniform(0.2, 3, weight_shape).astype(numpy.float32)
    return input.astype(numpy.float32), target.astype(numpy.float32), options


@given(problem=binary_problems(logits=False))
def test_binary_cross_entropy_matches_torch(problem, device):
    input, target, options = problem
    check_against_torch("binary_cross_entropy", [input, target], grad_inputs=(0, 1),
                        device=device, rtol=1e-4, **options)


@given(problem=binary_problems(logits=True))
def test_binary_cross_entropy_with_logits_matches_torch(problem, device):
    input, target, options = problem
    check_against_torch("binary_cross_entropy_with_logits", [input, target], grad_inputs=(0, 1),
                        device=device, rtol=1e-4, **options)


def test_binary_cross_entropy_clamps_its_logarithms():
    input = numpy.array([0.0, 1.0, 0.0, 1.0, 0.5], numpy.float32)
    target = numpy.array([0.0, 1.0, 1.0, 0.0, 0.5], numpy.float32)
    check_against_torch("binary_cross_entropy", [input, target], reduction="none")
    loss, _, _ = run(edunet, "binary_cross_entropy", [input, target], (0,), {"reduction": "none"})
    assert loss[2] == loss[3] == 100  # log clamped at -100


def test_binary_gradients():
    random = numpy.random.default_rng(0)
    probabilities, logits = random.uniform(0.1, 0.9, (2, 3)), random.standard_normal((2, 3))
    target = random.uniform(0, 1, (2, 3))
    weight, pos_weight = edunet.tensor(random.uniform(0.5, 2, 3)), edunet.tensor([0.5, 1.0, 3.0])
    for reduction in ["none", "mean", "sum"]:
        check_gradient(lambda p, t: F.binary_cross_entropy(
            p, t, weight=weight, reduction=reduction), probabilities, target)
        check_gradient(lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, weight=weight, pos_weight=pos_weight, reduction=reduction), logits, target)


# ---------------------------------------------------------------- KL divergence
@given(data=st.data(), log_target=st.booleans(),
       reduction=st.sampled_from(["none", "mean", "sum", "batchmean"]))
def test_kl_div_matches_torch(data, log_target, reduction, device):
    random = seeded(data.draw)
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    log_q = torch.log_softmax(torch.from_numpy(random.standard_normal(shape)), -1).float().numpy()
    p = random.uniform(0, 1, shape).astype(numpy.float32)
    p[random.uniform(size=shape) < 0.2] = 0  # p log p is 0 where p = 0
    target = numpy.log(p + 0.1).astype(numpy.float32) if log_target else p
    check_against_torch("kl_div", [log_q, target], grad_inputs=(0, 1) if log_target else (0,),
                        device=device, reduction=reduction, log_target=log_target)


def test_kl_div_gradients_and_mean_warning():
    random = numpy.random.default_rng(0)
    log_q, p = random.standard_normal((2, 3)), random.uniform(0.1, 1, (2, 3))
    for reduction in ["none", "sum", "batchmean"]:
        for log_target in [False, True]:
            check_gradient(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
                           log_q, p)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(edunet.tensor(log_q), edunet.tensor(p))


# ---------------------------------------------------------------- layers
LAYERS = ["L1Loss", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
          "SmoothL1Loss", "HuberLoss", "KLDivLoss"]


@pytest.mark.parametrize("name", LAYERS)
def test_layer_reprs_and_buffers_match_torch(name):
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)()) == f"{name}()"
    ours, theirs = getattr(nn, name)(reduction="sum"), getattr(torch.nn, name)(reduction="sum")
    assert repr(ours) == repr(theirs)
    assert ours.reduction == theirs.reduction == "sum"
    if name in ["CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss"]:
        ours = getattr(nn, name)(weight=edunet.ones(3))
        theirs = getattr(torch.nn, name)(weight=torch.ones(3))
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
        assert list(dict(ours.named_buffers())) == list(dict(theirs.named_buffers()))
        assert list(ours.parameters()) == []
    assert list(getattr(nn, name)().state_dict()) == list(getattr(torch.nn, name)().state_dict())


def test_layer_options_reach_the_function():
    random = numpy.random.default_rng(0)
    logits = random.standard_normal((4, 3)).astype(numpy.float32)
    classes = numpy.array([0, 2, 1, 2])
    numbers = random.uniform(size=(4, 3)).astype(numpy.float32)
    weight = numpy.array([1.0, 2.0, 0.5], numpy.float32)
    layers = [  # name, options, weight-like options, target
        ("CrossEntropyLoss", dict(ignore_index=1, label_smoothing=0.1, reduction="sum"),
         dict(weight=weight), classes),
        ("NLLLoss", dict(ignore_index=2, reduction="none"), dict(weight=weight), classes),
        ("BCEWithLogitsLoss", dict(reduction="none"), dict(weight=weight, pos_weight=weight * 2),
         numbers),
        ("BCELoss", dict(reduction="sum"), dict(weight=weight), numbers),
        ("SmoothL1Loss", dict(beta=0.3), {}, numbers),
        ("HuberLoss", dict(delta=0.4, reduction="sum"), {}, numbers),
        ("KLDivLoss", dict(reduction="batchmean", log_target=True), {}, numbers),
    ]
    for name, options, weights, target in layers:
        input = 1 / (1 + numpy.exp(-logits)) if name == "BCELoss" else logits
        results = []
        for lib in (edunet, torch):
            layer = getattr(lib.nn, name)(**{k: lib.tensor(v) for k, v in weights.items()},
                                          **options)
            x = lib.tensor(input, requires_grad=True)
            loss = layer(x, lib.tensor(target))
            loss.backward(lib.ones_like(loss))
            results.append((_numpy(loss), _numpy(x.grad)))
        (our_loss, our_grad), (their_loss, their_grad) = results
        numpy.testing.assert_allclose(our_loss, their_loss, rtol=1e-5, atol=1e-6, err_msg=name)
        numpy.testing.assert_allclose(our_grad, their_grad, rtol=1e-5, atol=1e-6, err_msg=name)


def test_legacy_size_average_and_reduce():
    for size_average, reduce, expected in [(False, None, "sum"), (None, False, "none"),
                                           (True, True, "mean")]:
        with pytest.warns(UserWarning, match=f"reduction='{expected}'"):
            assert nn.MSELoss(size_average, reduce).reduction == expected
        with pytest.warns(UserWarning):
            loss = F.l1_loss(edunet.ones(2), edunet.zeros(2), size_average, reduce)
        assert loss.shape == ((2,) if expected == "none" else ())


# ---------------------------------------------------------------- errors that teach
def both(call):
    """The exception ``call(lib, F)`` raises in edunet and in PyTorch (each must raise)."""
    raised = []
    for lib, functional in ((edunet, F), (torch, torch_F)):
        with pytest.raises(Exception) as info:
            call(lib, functional)
        raised.append(info)
    return raised


def assert_error(call, message_parts):
    ours, theirs = both(call)
    assert ours.type is theirs.type, (f"edunet raised {ours.type.__name__}, "
                                      f"torch {theirs.type.__name__}")
    for part in message_parts:
        assert part in str(ours.value), f"{part!r} not in: {ours.value}"


def logits_and(target_maker, shape=(3, 4)):
    def call(lib, functional):
        logits = lib.zeros(*shape)
        return functional.cross_entropy(logits, target_maker(lib))
    return call


def test_float_class_indices():
    assert_error(logits_and(lambda lib: lib.tensor([0.0, 1.0, 3.0])), [".long()", "float32"])
    assert_error(logits_and(lambda lib: lib.tensor([0, 1, 3], dtype=lib.int32)), [".long()"])
    assert_error(lambda lib, functional: lib.nn.CrossEntropyLoss()(
        lib.zeros(3, 4), lib.tensor([0.0, 1, 3])), [".long()"])


def test_target_shape_mismatch_names_both_shapes():
    assert_error(logits_and(lambda lib: lib.tensor([0, 1])), ["(3, 4)", "(N, C)", "(3,)", "(2,)"])
    assert_error(logits_and(lambda lib: lib.zeros(2, 4, dtype=lib.int64), shape=(2, 3, 5, 4)),
                 ["(2, 3, 5, 4)", "(N, C, d1, d2)", "(2, 5, 4)", "(2, 4)"])
    assert_error(logits_and(lambda lib: lib.zeros(3, 4, 5, dtype=lib.int64), shape=(2, 3, 4, 5)),
                 ["batch_size", "(2, 4, 5)", "(3, 4, 5)"])
    assert_error(logits_and(lambda lib: lib.tensor([0, 1, 2]), shape=(4,)), ["(C,)", "(3,)"])


def test_targets_out_of_range():
    assert_error(logits_and(lambda lib: lib.tensor([0, 1, 4])), ["Target 4", "[0, 3]", "- 1"])
    assert_error(logits_and(lambda lib: lib.tensor([0, -1, 2])), ["Target -1", "[0, 3]"])
    assert_error(logits_and(lambda lib: lib.full((2, 5), 3, dtype=lib.int64), shape=(2, 3, 5)),
                 ["Target 3"])
    assert_error(lambda lib, functional: functional.nll_loss(
        lib.zeros(3, 4), lib.tensor([0, 9, 1])), ["Target 9"])
    # ignore_index is allowed even though it is no class
    F.cross_entropy(edunet.zeros(3, 4), edunet.tensor([0, 7, 1]), ignore_index=7)


def test_one_hot_targets_where_indices_are_expected():
    one_hot = lambda lib: lib.tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]])  # noqa: E731
    assert_error(logits_and(one_hot), ["argmax(dim=1)"])
    assert_error(lambda lib, functional: functional.nll_loss(lib.zeros(3, 4), one_hot(lib)),
                 ["argmax(dim=1)"])
    # float one-hot targets are class probabilities: allowed, and equal to the indices' loss
    logits = edunet.tensor([[0.1, 0.2, 0.3]])
    assert math.isclose(F.cross_entropy(logits, edunet.tensor([[0.0, 1.0, 0.0]])).item(),
                        F.cross_entropy(logits, edunet.tensor([1])).item(), rel_tol=1e-6)


def test_class_option_errors():
    assert_error(lambda lib, functional: functional.cross_entropy(
        lib.zeros(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(3)), ["all 4 classes", "[3]"])
    assert_error(lambda lib, functional: functional.cross_entropy(
        lib.zeros(3, 4), lib.zeros(3, 4), weight=lib.ones(3)), ["all 4 classes"])
    assert_error(lambda lib, functional: functional.cross_entropy(
        lib.zeros(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(4, dtype=lib.float64)), [])
    assert_error(lambda lib, functional: functional.cross_entropy(
        lib.zeros(3, 4), lib.tensor([0, 1, 2]), label_smoothing=1.5), ["1.5"])
    assert_error(lambda lib, functional: functional.cross_entropy(
        lib.zeros(3, 4), lib.zeros(3, 4), ignore_index=1), ["ignore_index"])
    assert_error(lambda lib, functional: functional.cross_entropy(
        lib.zeros(3, 4, dtype=lib.int64), lib.tensor([0, 1, 2])), ["float()"])
    assert_error(lambda lib, functional: functional.nll_loss(lib.tensor(1.0), lib.tensor(0)), [])
    assert_error(lambda lib, functional: functional.nll_loss(
        lib.zeros(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(4, requires_grad=True)), ["detach"])


def test_binary_cross_entropy_errors():
    assert_error(lambda lib, functional: functional.binary_cross_entropy(
        lib.tensor([0.5, 2.0]), lib.tensor([0.0, 1.0])), ["BCEWithLogitsLoss"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy(
        lib.tensor([0.5, float("nan")]), lib.tensor([0.0, 1.0])), ["between 0 and 1"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy(
        lib.tensor([0.5, 0.2]), lib.tensor([0.0, 3.0])), ["target should be between 0 and 1"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy(
        lib.tensor([[0.5], [0.2]]), lib.tensor([0.0, 1.0])), ["squeeze"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy(
        lib.tensor([0.5, 0.2]), lib.tensor([0, 1])), ["float()"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy_with_logits(
        lib.zeros(4, 1), lib.zeros(4)), ["squeeze"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy_with_logits(
        lib.zeros(4), lib.tensor([0, 1, 1, 0])), ["float()"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy_with_logits(
        lib.zeros(2, 3), lib.zeros(2, 3), pos_weight=lib.ones(4, 2, 3)), ["broadcast"])
    assert_error(lambda lib, functional: functional.binary_cross_entropy_with_logits(
        lib.zeros(2, 3), lib.zeros(2, 3), weight=lib.ones(2)), [])


@pytest.mark.filterwarnings("ignore:Using a target size")
def test_regression_and_kl_errors():
    assert_error(lambda lib, functional: functional.mse_loss(lib.zeros(3), lib.zeros(2)), ["3"])
    assert_error(lambda lib, functional: functional.mse_loss(
        lib.tensor([1, 2]), lib.tensor([1, 3])), ["float()"])
    assert_error(lambda lib, functional: functional.smooth_l1_loss(
        lib.zeros(3), lib.zeros(3), beta=-1.0), ["beta"])
    assert_error(lambda lib, functional: functional.huber_loss(
        lib.zeros(3), lib.zeros(3), delta=0.0), ["delta"])
    assert_error(lambda lib, functional: functional.kl_div(
        lib.zeros(3), lib.ones(3, dtype=lib.int64), reduction="sum"), ["Integral"])


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "cross_entropy", "nll_loss",
                                  "binary_cross_entropy", "binary_cross_entropy_with_logits",
                                  "smooth_l1_loss", "huber_loss", "kl_div"])
def test_invalid_reduction(name):
    target = (lambda lib: lib.tensor([0, 1])) if name in ["cross_entropy", "nll_loss"] else (
        lambda lib: lib.full((2, 2), 0.5))
    assert_error(lambda lib, functional: getattr(functional, name)(
        lib.full((2, 2), 0.5), target(lib), reduction="average"),
        ["average is not a valid value for reduction", "'mean'"])


@pytest.mark.parametrize("name", LAYERS)
def test_invalid_reduction_in_a_layer_raises_when_called(name):
    layer = getattr(nn, name)(reduction="average")  # accepted here, as in PyTorch
    classes = name in ["CrossEntropyLoss", "NLLLoss"]
    target = edunet.tensor([0, 1]) if classes else edunet.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        layer(edunet.full((2, 2), 0.5), target)
