"""Views and in-place operations under autograd, checked against PyTorch.

Each scenario runs the same code on edunet and on torch: the forward values it
returns, and the gradients of every leaf, must agree (edunet/views.py explains
the mechanisms: CopySlices for in-place changes through a view, view replay for
views of a tensor changed in place).
"""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edunet
import edunet.nn.functional as edunet_functional

torch = pytest.importorskip("torch")
torch_functional = torch.nn.functional

VALUES = [1.0, -2.0, 3.0, -4.0]
MATRIX = [[0.5, -1.0, 2.0], [-3.0, 1.5, -0.25]]


def functional(library):
    return edunet_functional if library is edunet else torch_functional


def run(scenario, library, leaves):
    """Run ``scenario(library, *leaves)``; backward a weighted sum of what it returns.

    Returns the outputs' values and the leaves' gradients, as NumPy arrays.
    """
    leaves = [library.tensor(values, requires_grad=True) for values in leaves]
    outputs = scenario(library, *leaves)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    loss = 0
    for number, output in enumerate(outputs):
        weights = numpy.arange(1, output.numel() + 1, dtype=numpy.float32).reshape(tuple(output.shape))
        loss = loss + (output * library.tensor(weights * (number + 1))).sum()
    loss.backward()
    values = [output.detach().numpy().copy() for output in outputs]
    gradients = [None if leaf.grad is None else leaf.grad.numpy().copy() for leaf in leaves]
    return values, gradients


def assert_same_as_torch(scenario, *leaves):
    """Same values and gradients; or, where torch raises, the same error."""
    try:
        their_values, their_gradients = run(scenario, torch, leaves)
    except RuntimeError as error:
        with pytest.raises(RuntimeError) as ours:
            run(scenario, edunet, leaves)
        assert str(ours.value)[:80] == str(error)[:80].replace("torch.", "edunet.")
        return
    our_values, our_gradients = run(scenario, edunet, leaves)
    for ours, theirs in zip(our_values, their_values):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-6)
    for ours, theirs in zip(our_gradients, their_gradients):
        assert (ours is None) == (theirs is None)
        if ours is not None:
            numpy.testing.assert_allclose(ours, theirs, rtol=1e-6)


def in_place_through_a_slice(lib, x):
    y = x * 2
    y[1:3].mul_(10)
    return y


def old_view_after_the_base_changed(lib, x):
    y = x * 2
    view = y[1:3]
    y.mul_(10)
    return view


def view_of_a_view(lib, x):
    y = x * 2
    inner = y.view(2, 2)[1]
    innermost = inner[0:1]
    innermost.mul_(5)
    return y, inner


def setitem_with_a_value_that_requires_grad(lib, x, value):
    y = x * 2
    y[1:3] = value * 3
    return y


def setitem_into_a_view(lib, x, value):
    y = x * 2
    view = y[1:]
    view[0:2] = value.exp()
    return y, view


def setitem_on_a_base_with_views(lib, x):
    y = x * 2
    view = y[1:]
    y[0:2] = 7.0
    return view * view


def relu_in_place_on_a_slice(lib, x):
    y = x * 2
    functional(lib).relu(y[0:3], inplace=True)
    return y


def plus_equals_on_a_transposed_view(lib, x):
    y = x * 1
    view = y.t()
    view += lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    return y, view


def plus_equals_on_an_index(lib, x):
    y = x * 2
    y[1:3] += 1
    return y


def many_in_place_operations(lib, x):
    y = x * 2
    y.mul_(3)
    y[0:2].add_(x[0:2])
    y[2:].div_(2).neg_()
    y.relu_()  # last: relu saves its output, so a later in-place change would make backward raise
    return y


def views_of_two_overlapping_windows(lib, x):
    y = x * 2
    first, second = y[0:3], y[1:4]
    first.mul_(first)
    return second, first


def the_other_in_place_operations_on_views(lib, x):
    y = x.exp()
    y[0:1].zero_()
    y[1:2].fill_(3.0)
    y[2:].clamp_(0.1, 20.0)
    y[1:].masked_fill_(y[1:] > 10, -1.0)
    return y


def copy_into_a_view_of_a_plain_tensor(lib, x):
    plain = lib.zeros(6)
    window = plain[1:5]
    window.copy_(x * x)
    return plain, window


def setitem_into_a_plain_tensor(lib, x):
    plain = lib.zeros(2, 4)
    plain[1] = x.sin()
    return plain


def squeeze_unsqueeze_narrow_select_permute(lib, x):
    y = x * 1
    y.unsqueeze(0).squeeze(0).narrow(1, 1, 2).mul_(3)
    y.select(0, 1).add_(1.5)
    y.permute(1, 0)[0].sub_(y[0, 2])
    return y


def expanded_view_sees_the_base(lib, x):
    y = x * 2
    expanded = y[None].expand(3, 4)
    y.add_(1)
    return expanded


def split_chunk_unbind_read_after_a_view_change(lib, x):
    y = x * 2
    pieces = y.view(2, 2).unbind(0)
    halves = y.chunk(2)
    return pieces[0] * 1, halves[1] + 0


def detach_and_data_share_memory(lib, x):
    y = x * 2
    with lib.no_grad():
        y.detach()[0:1].mul_(0.0)
    return y + 0


@pytest.mark.parametrize("scenario, leaves", [
    (in_place_through_a_slice, [VALUES]),
    (old_view_after_the_base_changed, [VALUES]),
    (view_of_a_view, [VALUES]),
    (setitem_with_a_value_that_requires_grad, [VALUES, [0.5, -1.5]]),
    (setitem_into_a_view, [VALUES, [0.5, -1.5]]),
    (setitem_on_a_base_with_views, [VALUES]),
    (relu_in_place_on_a_slice, [VALUES]),
    (plus_equals_on_a_transposed_view, [MATRIX]),
    (plus_equals_on_an_index, [VALUES]),
    (many_in_place_operations, [VALUES]),
    (views_of_two_overlapping_windows, [VALUES]),
    (the_other_in_place_operations_on_views, [VALUES]),
    (copy_into_a_view_of_a_plain_tensor, [VALUES]),
    (setitem_into_a_plain_tensor, [VALUES]),
    (squeeze_unsqueeze_narrow_select_permute, [MATRIX]),
    (expanded_view_sees_the_base, [VALUES]),
    (split_chunk_unbind_read_after_a_view_change, [VALUES]),
    (detach_and_data_share_memory, [VALUES]),
], ids=lambda value: getattr(value, "__name__", ""))
def test_scenario_matches_torch(scenario, leaves):
    assert_same_as_torch(scenario, *leaves)


def test_the_issue_snippets_print_torch_values():
    for library in (edunet, torch):
        x = library.tensor(VALUES, requires_grad=True)
        y = x * 2
        y[1:3].mul_(10)
        assert y.tolist() == [2.0, -40.0, 60.0, -8.0]
        y = x * 2
        view = y[1:3]
        y.mul_(10)
        assert view.tolist() == [-40.0, 60.0]


@pytest.mark.parametrize("library", [edunet, torch])
def test_node_names_after_in_place_changes(library):
    x = library.tensor(VALUES, requires_grad=True)
    y = x * 2
    view = y[0:2]
    view.add_(1)
    def name(node):
        return type(node).__name__ if library is torch else node.name()
    assert name(y.grad_fn) == "CopySlices"
    assert name(view.grad_fn) == "AsStridedBackward0"
    assert view._base is y and y._base is None
    assert y._is_view() is False and view._is_view() is True


def test_views_share_memory_without_grad():
    results = []
    for library in (edunet, torch):
        base = library.zeros(2, 3)
        for number, view in enumerate((base[0], base.view(6), base.t(), base.unsqueeze(0),
                                       base.narrow(1, 0, 2), base.select(1, 2), base.reshape(3, 2),
                                       base.transpose(0, 1), base.detach(), base.T[1:])):
            view.add_(number)
        results.append((base.tolist(), base._version))
    assert results[0] == results[1]


# ---------------------------------------------------------------- random slices and ops
OPERATIONS = {
    "mul_": lambda tensor, lib: tensor.mul_(-1.5),
    "add_ tensor": lambda tensor, lib: tensor.add_(tensor * tensor),
    "relu_": lambda tensor, lib: tensor.relu_(),
    "clamp_": lambda tensor, lib: tensor.clamp_(-1.0, 2.0),
    "zero_": lambda tensor, lib: tensor.zero_(),
    "neg_": lambda tensor, lib: tensor.neg_(),
    "setitem": lambda tensor, lib: tensor.__setitem__(..., tensor.exp()),
    "div_": lambda tensor, lib: tensor.div_(4.0),
}


@given(data=st.data())
def test_random_views_and_in_place_operations_match_torch(data):
    rows, columns = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    values = numpy.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(
        (rows, columns)).astype(numpy.float32)
    keys = [data.draw(st.tuples(st.integers(0, size - 1), st.integers(1, size), st.integers(1, 3)))
            for size in (rows, columns)]
    index = tuple(slice(start, max(start + 1, stop), step) for start, stop, step in keys)
    transposed = data.draw(st.booleans())
    operations = data.draw(st.lists(st.sampled_from(sorted(OPERATIONS)), min_size=1, max_size=3))
    on_base = data.draw(st.lists(st.booleans(), min_size=len(operations), max_size=len(operations)))

    def scenario(lib, x):
        y = x * 1.5
        view = y[index]
        view = view.t() if transposed else view
        for name, base_first in zip(operations, on_base):
            OPERATIONS[name](y if base_first else view, lib)
        return y, view

    assert_same_as_torch(scenario, values)


# ---------------------------------------------------------------- PyTorch's in-place rules
def raises_like_torch(action, message_start, error=RuntimeError):
    for library in (edunet, torch):
        with pytest.raises(error) as caught:
            action(library)
        assert str(caught.value).startswith(message_start), (library.__name__, str(caught.value))


def test_in_place_on_a_leaf_or_a_view_of_a_leaf_raises():
    raises_like_torch(lambda lib: lib.ones(3, requires_grad=True).mul_(2),
                      "a leaf Variable that requires grad is being used in an in-place operation.")
    raises_like_torch(lambda lib: lib.ones(3, requires_grad=True)[1:].mul_(2),
                      "a view of a leaf Variable that requires grad is being used in an in-place "
                      "operation.")
    raises_like_torch(lambda lib: lib.ones(3, requires_grad=True)[0].__setitem__((), 5.0),
                      "a view of a leaf Variable that requires grad")


def test_in_place_on_a_view_made_under_no_grad_raises():
    def action(lib):
        y = lib.ones(3, requires_grad=True) * 2
        with lib.no_grad():
            view = y[1:]
        view.mul_(2)
    raises_like_torch(action, "A view was created in no_grad mode and is being modified inplace "
                              "with grad mode enabled.")

    def use_after_base_change(lib):
        y = lib.ones(3, requires_grad=True) * 2
        with lib.no_grad():
            view = y[1:]
        y.mul_(2)
        return view.grad_fn
    raises_like_torch(use_after_base_change, "A view was created in no_grad mode and its base or "
                                             "another view of its base has been modified inplace")


@pytest.mark.parametrize("cut, name", [(lambda y: y.unbind(), "Unbind"),
                                       (lambda y: y.split(2), "Split"),
                                       (lambda y: y.chunk(2), "Split"),
                                       (lambda y: y.split([1, 3]), "SplitWithSizes")])
def test_in_place_on_an_output_of_unbind_split_chunk_raises(cut, name):
    def action(lib):
        y = lib.tensor(VALUES, requires_grad=True) * 2
        cut(y)[1].mul_(2)
    raises_like_torch(action, f"Output 1 of {name} is a view and is being modified inplace. This "
                              f"view is the output of a function that returns multiple views.")

    def without_grad(lib):
        pieces = cut(lib.tensor(VALUES))
        pieces[0].mul_(2)
        return pieces[0].tolist()
    assert without_grad(edunet) == without_grad(torch)


def test_writing_into_an_expanded_tensor_raises():
    raises_like_torch(lambda lib: lib.zeros(1).expand(3).add_(1),
                      "unsupported operation: more than one element of the written-to tensor "
                      "refers to a single memory location. Please clone() the tensor")


def test_no_grad_updates_through_views_write_into_the_parameter():
    ours = edunet.nn.Parameter(edunet.tensor(MATRIX))
    theirs = torch.nn.Parameter(torch.tensor(MATRIX))
    for parameter in (ours, theirs):
        with type(parameter).__module__.startswith("edunet") and edunet.no_grad() or torch.no_grad():
            parameter[0].mul_(2)
            parameter.t()[1].add_(1.0)
            parameter[:, 2] = 0.0
    numpy.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    assert ours.grad_fn is None and ours.is_leaf and ours.requires_grad
    assert ours._version == theirs._version == 3
