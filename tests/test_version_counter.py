"""The version counter: ``t._version`` and the error for saved values changed in place.

Every case runs on edunet and on torch; the exception type and the start of the
message (up to PyTorch's "Hint:") must agree, and where torch computes a
gradient, edunet must compute the same one.
"""

import numpy
import pytest

import edunet
import edunet.nn.functional as edunet_functional

torch = pytest.importorskip("torch")

MESSAGE_START = ("one of the variables needed for gradient computation has been modified by an "
                 "inplace operation: ")


def functional(library):
    return edunet_functional if library is edunet else torch.nn.functional


def outcome(case, library):
    """("ok", gradients) or ("error", type, message before the hint)."""
    try:
        gradients = case(library)
    except RuntimeError as error:
        return "error", type(error), str(error).split(" Hint:")[0].replace("torch.", "edunet.")
    return "ok", [numpy.asarray(gradient.tolist()) for gradient in gradients]


def optimizer_step_between_two_backward_calls(lib):
    parameter = lib.nn.Parameter(lib.tensor([1.0, 2.0, 3.0]))
    optimizer = lib.optim.SGD([parameter], lr=0.1)
    loss = (parameter * parameter).sum()
    loss.backward(retain_graph=True)
    optimizer.step()
    loss.backward()
    return [parameter.grad]


def mlp_step_between_two_backward_calls(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 1))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    loss = model(lib.ones(2, 3)).sum()
    loss.backward(retain_graph=True)
    optimizer.step()
    loss.backward()
    return [model[0].weight.grad]


def weight_changed_after_use(lib):
    weight = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    output = weight * weight
    with lib.no_grad():
        weight.mul_(2)
    output.sum().backward()
    return [weight.grad]


def relu_in_place_after_sigmoid(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    probabilities = x.sigmoid()  # sigmoid saves its output
    functional(lib).relu(probabilities, inplace=True)
    probabilities.sum().backward()
    return [x.grad]


def relu_in_place_after_a_linear_layer(lib):
    x = lib.tensor([[1.0, -2.0, 3.0]], requires_grad=True)
    weight = lib.tensor([[0.5, -1.0, 2.0], [1.0, 1.0, -1.0]], requires_grad=True)
    hidden = x @ weight.t()  # saves x and weight, not its output: relu_ may overwrite it
    functional(lib).relu(hidden, inplace=True)
    hidden.sum().backward()
    return [x.grad, weight.grad]


def shape_only_ops_do_not_watch(lib):
    weight = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    output = (weight + 1).sum() + (weight - 2).mean() + (weight * 3).sum() + weight.view(3, 1).sum()
    with lib.no_grad():
        weight.add_(1)
    output.backward()
    return [weight.grad]


def exp_then_add_in_place(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()
    return [x.grad]


def detach_shares_the_counter(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.detach().mul_(2)
    z.sum().backward()
    return [x.grad]


def data_does_not_share_the_counter(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * x
    x.data.mul_(2)
    y.sum().backward()
    return [x.grad]


def view_changed_after_a_base_was_saved(lib):
    x = lib.tensor([1.0, -2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    z = y.tanh()  # saves its output z
    z[1:].mul_(2)
    z.sum().backward()
    return [x.grad]


def in_place_op_needs_its_old_input(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 1
    y.pow_(3)  # d/dy y^3 uses the old y: kept by the op itself
    y.sum().backward()
    return [x.grad]


CASES = [optimizer_step_between_two_backward_calls, mlp_step_between_two_backward_calls,
         weight_changed_after_use, relu_in_place_after_sigmoid, relu_in_place_after_a_linear_layer,
         shape_only_ops_do_not_watch, exp_then_add_in_place, detach_shares_the_counter,
         data_does_not_share_the_counter, view_changed_after_a_base_was_saved,
         in_place_op_needs_its_old_input]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_matches_torch(case):
    ours, theirs = outcome(case, edunet), outcome(case, torch)
    assert ours[0] == theirs[0], (ours, theirs)
    if theirs[0] == "error":
        assert ours[1] is theirs[1]
        assert ours[2].startswith(MESSAGE_START)
        if case is not mlp_step_between_two_backward_calls:  # torch's Linear saves weight.t()
            assert ours[2] == theirs[2]
    else:
        for our_gradient, their_gradient in zip(ours[1], theirs[1]):
            numpy.testing.assert_allclose(our_gradient, their_gradient, rtol=1e-6)


def test_the_error_teaches_what_changed_and_the_fixes():
    with pytest.raises(RuntimeError) as caught:
        relu_in_place_after_sigmoid(edunet)
    message = str(caught.value)
    assert "which is output 0 of Sigmoid, is at version 1; expected version 0 instead" in message
    for lesson in ("SigmoidBackward0 saved this tensor", "relu_() changed it", ".clone()",
                   "out-of-place", "optimizer.step()"):
        assert lesson in message


def test_versions_count_like_torch():
    counts = []
    for lib in (edunet, torch):
        x = lib.zeros(2, 3)
        view = x[0]
        steps = [x._version]
        x.add_(1)
        steps.append((x._version, view._version))
        view.mul_(2)
        steps.append((x._version, view._version))
        x[1] = 5.0
        x += 1
        x.zero_()
        x.copy_(lib.ones(2, 3))
        x.clamp_(0, 1)
        steps.append((x._version, view._version, x.detach()._version, x.data._version))
        y = x + 1  # out of place: a new tensor at version 0
        steps.append(y._version)
        counts.append(steps)
    assert counts[0] == counts[1]


def test_no_grad_updates_take_the_fast_path_and_match_torch(monkeypatch):
    from edunet.kernels import inplace as fast_inplace
    taken = []
    original = fast_inplace.write_directly

    def counting(operation, tensor, *arguments, **options):
        done = original(operation, tensor, *arguments, **options)
        taken.append(done)
        return done
    monkeypatch.setattr(edunet.ops.inplace, "write_directly", counting)
    results = []
    for lib in (edunet, torch):
        lib.manual_seed(0)
        parameter = lib.nn.Parameter(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        optimizer = lib.optim.Adam([parameter], lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            (parameter * parameter).sum().backward()
            optimizer.step()
        results.append((parameter.detach().numpy().copy(), parameter.grad_fn is None))
    assert taken and all(taken)  # Adam's updates all wrote straight into the arrays
    numpy.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    assert results[0][1] and results[1][1]
