"""The autograd engine: accumulation, retain_graph, hooks, grad modes, freeing, deep graphs."""

import gc
import sys
import threading
import weakref

import numpy
import pytest

import edunet

torch = pytest.importorskip("torch")


def test_gradients_accumulate_across_backward_calls(device):
    x = edunet.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    numpy.testing.assert_allclose(x.grad.tolist(), [4.0, 8.0, 12.0])  # 2 * d(x^2)/dx


def test_reused_tensor_sums_its_gradients_and_leaf_hook_fires_once():
    calls = {"ours": 0, "theirs": 0}
    ours = edunet.tensor([1.5, -2.0], requires_grad=True)
    theirs = torch.tensor([1.5, -2.0], requires_grad=True)
    ours.register_hook(lambda g: calls.__setitem__("ours", calls["ours"] + 1))
    theirs.register_hook(lambda g: calls.__setitem__("theirs", calls["theirs"] + 1))
    (ours * ours + ours.exp() * ours).sum().backward()
    (theirs * theirs + theirs.exp() * theirs).sum().backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)
    assert calls["ours"] == calls["theirs"] == 1


def test_second_backward_through_freed_graph_explains_retain_graph():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_a_second_backward():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    loss.backward()
    numpy.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())


def test_ops_that_save_nothing_can_backward_twice_like_torch():
    ours = edunet.tensor([1.0, 2.0], requires_grad=True)
    theirs = torch.tensor([1.0, 2.0], requires_grad=True)
    our_sum, their_sum = (ours + 1).sum(), (theirs + 1).sum()
    for _ in range(2):
        our_sum.backward()
        their_sum.backward()
    assert ours.grad.tolist() == theirs.grad.tolist()


def test_backward_on_a_non_scalar_says_what_to_pass():
    y = edunet.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError) as error:
        y.backward()
    assert "only for scalar outputs" in str(error.value)
    assert "gradient=edunet.ones_like(y)" in str(error.value) and ".sum()" in str(error.value)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (torch.ones(3, requires_grad=True) * 2).backward()


def test_backward_with_a_gradient_argument_and_its_shape_check():
    ours = edunet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    theirs = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (ours * ours).backward(edunet.tensor([1.0, 0.5, 0.0]))
    (theirs * theirs).backward(torch.tensor([1.0, 0.5, 0.0]))
    assert ours.grad.tolist() == theirs.grad.tolist()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (ours * ours).backward(edunet.ones(2))


def test_backward_without_anything_requiring_grad_explains():
    with pytest.raises(RuntimeError, match="does not require grad") as error:
        (edunet.ones(2) * 2).sum().backward()
    assert "requires_grad=True" in str(error.value)


def test_leaf_and_grad_fn_structure_matches_torch():
    ours_w = edunet.ones(2, requires_grad=True)
    theirs_w = torch.ones(2, requires_grad=True)
    ours = (ours_w * edunet.ones(2)).sum()
    theirs = (theirs_w * torch.ones(2)).sum()
    assert ours.grad_fn.name() == theirs.grad_fn.name() == "SumBackward0"
    our_mul, _ = ours.grad_fn.next_functions[0]
    their_mul, _ = theirs.grad_fn.next_functions[0]
    assert our_mul.name() == their_mul.name() == "MulBackward0"
    def names(node):  # torch spells the leaf node torch::autograd::AccumulateGrad
        return [(n.name().split("::")[-1] if n else None, i) for n, i in node.next_functions]

    assert names(our_mul) == names(their_mul) == [("AccumulateGrad", 0), (None, 0)]
    assert our_mul.next_functions[0][0].variable is ours_w
    assert repr(our_mul).startswith("<MulBackward0 object at 0x")
    assert ours_w.is_leaf and not ours.is_leaf and edunet.ones(2).is_leaf


def test_non_leaf_grad_warns_and_retain_grad_keeps_it():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    kept = x * 2
    kept.retain_grad()
    (hidden * kept).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert hidden.grad is None
    assert kept.retains_grad
    assert kept.grad.tolist() == (x * 3).tolist()


def test_hooks_on_non_leaf_and_leaf_can_replace_gradients_and_be_removed():
    def run(lib):
        x = lib.tensor([1.0, -1.0, 2.0], requires_grad=True)
        y = x * x
        handle = y.register_hook(lambda grad: grad * 10)
        x.register_hook(lambda grad: grad + 1)
        y.sum().backward(retain_graph=True)
        first = x.grad.tolist()
        handle.remove()
        x.grad = None
        y.sum().backward()
        return first, x.grad.tolist()
    assert run(edunet) == run(torch)


def test_grad_mode_context_managers_and_decorators():
    x = edunet.ones(2, requires_grad=True)
    with edunet.no_grad():
        assert not (x * 2).requires_grad and not edunet.is_grad_enabled()
        with edunet.enable_grad():
            assert (x * 2).requires_grad
    assert edunet.is_grad_enabled()

    @edunet.no_grad()
    def called():
        return x * 2

    @edunet.no_grad
    def bare():
        return x * 2

    assert not called().requires_grad and not bare().requires_grad and edunet.is_grad_enabled()
    with edunet.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert edunet.is_grad_enabled()
    edunet.set_grad_enabled(False)
    try:
        assert not edunet.is_grad_enabled()
    finally:
        edunet.set_grad_enabled(True)
    with edunet.inference_mode():
        assert not (x * 2).requires_grad


def test_grad_mode_is_per_thread():
    seen = []
    with edunet.no_grad():
        thread = threading.Thread(target=lambda: seen.append(edunet.is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]


def test_autograd_grad_returns_gradients_without_touching_dot_grad():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    w = edunet.tensor([3.0, 4.0], requires_grad=True)
    unused = edunet.tensor([1.0], requires_grad=True)
    y = (x * w).sum()
    grad_x, grad_w = edunet.autograd.grad(y, [x, w], retain_graph=True)
    assert grad_x.tolist() == [3.0, 4.0] and grad_w.tolist() == [1.0, 2.0]
    assert x.grad is None and w.grad is None
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        edunet.autograd.grad(y, [x, unused], retain_graph=True)
    assert edunet.autograd.grad(y, [unused], allow_unused=True, retain_graph=True) == (None,)
    with pytest.raises(RuntimeError, match="does not require grad"):
        edunet.autograd.grad(y, [edunet.ones(1)])


def test_gradient_with_respect_to_an_intermediate_tensor():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2
    (grad_hidden,) = edunet.autograd.grad((hidden * hidden).sum(), hidden)
    assert grad_hidden.tolist() == [4.0, 8.0]


def test_backward_inputs_limits_accumulation():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    w = edunet.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.tolist() == [1.0, 2.0]


def test_create_graph_is_refused_with_an_explanation():
    x = edunet.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="higher-order"):
        (x * x).sum().backward(create_graph=True)


def test_a_chain_of_ten_thousand_ops_needs_no_recursion():
    x = edunet.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.item() == pytest.approx(1.0001 ** 10_000, rel=1e-3)


def test_graphs_hold_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = edunet.randn(4, 3, requires_grad=True)
        w = edunet.randn(3, 2, requires_grad=True)
        hidden = (x @ w).relu()
        loss = (hidden.softmax(dim=1) * hidden).sum()
        node = weakref.ref(loss.grad_fn)
        intermediate = weakref.ref(hidden)
        del hidden
        loss.backward()
        del loss
        assert node() is None and intermediate() is None, "the graph outlived its last reference"
        hidden = (x @ w).relu()
        node = weakref.ref(hidden.grad_fn)
        del hidden  # a graph nobody used for backward is freed too
        assert node() is None
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_detach_shares_memory_and_cuts_history():
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    detached = y.detach()
    assert not detached.requires_grad and detached.grad_fn is None
    with edunet.no_grad():
        detached.add_(1)
    assert y.tolist() == [3.0, 5.0]
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)


def test_requires_grad_on_integer_tensors_explains_why_not():
    with pytest.raises(RuntimeError, match="floating point") as error:
        edunet.tensor([1, 2], requires_grad=True)
    assert "x.float()" in str(error.value)
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1, 2], requires_grad=True)


# ---------------------------------------------------------------- leaves keep gradients without a copy
# A leaf's .grad must be its own memory, whatever else refers to the gradient array that
# reached it (another leaf, a hook, the caller of backward, a user function).
def _update_in_place(*tensors):
    with edunet.no_grad():
        for tensor in tensors:
            tensor.mul_(100.0)


def test_gradients_of_two_leaves_never_share_memory():
    a = edunet.tensor([1.0, 2.0], requires_grad=True)
    b = edunet.tensor([3.0, 4.0], requires_grad=True)
    ((a + b) * edunet.tensor([5.0, 6.0])).sum().backward()  # Add passes one array to both
    assert not numpy.shares_memory(a.grad.numpy(), b.grad.numpy())
    _update_in_place(a.grad)
    assert b.grad.tolist() == [5.0, 6.0]


def test_a_gradient_kept_by_a_hook_is_not_changed_by_later_accumulation():
    layer = edunet.nn.Linear(3, 2)
    kept = []
    layer.weight.register_hook(kept.append)
    x = edunet.ones(4, 3)
    layer(x).sum().backward()
    first = kept[0].numpy().copy()
    layer(x).sum().backward()  # adds into layer.weight.grad in place
    numpy.testing.assert_array_equal(kept[0].numpy(), first)
    numpy.testing.assert_array_equal(layer.weight.grad.numpy(), 2 * first)


def test_the_gradient_passed_to_backward_is_copied_into_a_leaf():
    weight = edunet.tensor([1.0, 2.0], requires_grad=True)
    seed = edunet.tensor([0.5, 0.5])
    weight.backward(seed)
    _update_in_place(weight.grad)
    assert seed.tolist() == [0.5, 0.5]


def test_a_gradient_returned_by_a_user_function_is_copied_into_a_leaf():
    class PassSavedTensor(edunet.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(scale)
            return x * scale

        @staticmethod
        def backward(ctx, grad_output):
            (scale,) = ctx.saved_tensors
            return scale, None  # a tensor the caller also holds

    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    scale = edunet.tensor([3.0, 4.0])
    PassSavedTensor.apply(x, scale).sum().backward()
    _update_in_place(x.grad)
    assert scale.tolist() == [3.0, 4.0]


def test_linear_gradients_match_torch_across_accumulation_and_retain_graph():
    edunet.manual_seed(0)
    ours = edunet.nn.Linear(5, 3)
    theirs = torch.nn.Linear(5, 3)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.detach().numpy()))
        theirs.bias.copy_(torch.from_numpy(ours.bias.detach().numpy()))
    data = numpy.random.default_rng(0).standard_normal((4, 5)).astype(numpy.float32)
    our_x = edunet.tensor(data, requires_grad=True)
    their_x = torch.tensor(data, requires_grad=True)
    our_loss, their_loss = ours(our_x).tanh().sum(), theirs(their_x).tanh().sum()
    our_loss.backward(retain_graph=True)
    their_loss.backward(retain_graph=True)
    first = ours.weight.grad.numpy().copy()
    our_loss.backward()
    their_loss.backward()
    numpy.testing.assert_allclose(ours.weight.grad.numpy(), 2 * first, rtol=1e-6)
    for our_tensor, their_tensor in ((ours.weight, theirs.weight), (ours.bias, theirs.bias),
                                     (our_x, their_x)):
        numpy.testing.assert_allclose(our_tensor.grad.numpy(), their_tensor.grad.numpy(),
                                      rtol=1e-5, atol=1e-6)
