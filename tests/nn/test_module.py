"""nn.Module: registration, traversal names, modes, state dicts, hooks, reprs and teaching warnings."""

import warnings
from collections import OrderedDict

import numpy
import pytest

import edunet
from edunet import nn

torch = pytest.importorskip("torch")


def build(library):
    """The same small model in edunet and PyTorch (the course's naming style)."""
    class Net(library.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = library.nn.Flatten()
            self.linear_relu_stack = library.nn.Sequential(
                library.nn.Linear(4, 8), library.nn.ReLU(), library.nn.Linear(8, 3))
            self.scale = library.nn.Parameter(library.ones(3))
            self.register_buffer("offset", library.zeros(3))
            self.register_buffer("scratch", library.zeros(1), persistent=False)

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x)) * self.scale + self.offset

    return Net()


def copy_weights(source, target):
    """Copy a torch model's state into an edunet model (or back)."""
    state = {key: value.detach().numpy() for key, value in source.state_dict().items()}
    if isinstance(target, torch.nn.Module):
        target.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    else:
        target.load_state_dict({k: edunet.tensor(v) for k, v in state.items()})


def test_names_of_parameters_buffers_and_modules_match_torch():
    ours, theirs = build(edunet), build(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters(recurse=False)] == ["scale"]
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())


def test_state_dict_moves_to_torch_and_back_with_the_same_outputs():
    ours, theirs = build(edunet), build(torch)
    copy_weights(theirs, ours)
    x = numpy.random.default_rng(0).standard_normal((5, 2, 2)).astype(numpy.float32)
    numpy.testing.assert_allclose(ours(edunet.tensor(x)).detach().numpy(),
                                  theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    fresh = build(torch)
    copy_weights(ours, fresh)
    numpy.testing.assert_allclose(fresh(torch.tensor(x)).detach().numpy(),
                                  theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)


def test_load_state_dict_errors_follow_torch():
    ours, theirs = build(edunet), build(torch)
    bad = {key: value for key, value in ours.state_dict().items() if key != "scale"}
    bad["linear_relu_stack.0.weight"] = edunet.zeros(2, 2)
    bad["extra"] = edunet.zeros(1)
    torch_bad = {key: torch.from_numpy(value.numpy().copy()) for key, value in bad.items()}
    with pytest.raises(RuntimeError) as our_error:
        ours.load_state_dict(bad)
    with pytest.raises(RuntimeError) as their_error:
        theirs.load_state_dict(torch_bad)
    assert str(our_error.value) == str(their_error.value).replace("torch.Size", "edunet.Size")
    result = ours.load_state_dict({k: v for k, v in ours.state_dict().items() if k != "scale"},
                                  strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == []


def test_state_dict_shares_memory_and_is_detached():
    model = nn.Linear(2, 2)
    state = model.state_dict()
    assert not state["weight"].requires_grad
    with edunet.no_grad():
        model.weight.fill_(3.0)
    assert state["weight"].tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_train_eval_zero_grad_requires_grad_and_apply():
    model = build(edunet)
    assert model.training and model.linear_relu_stack[0].training
    assert model.eval() is model and not model.linear_relu_stack[1].training
    model.train()
    assert all(m.training for m in model.modules())
    model(edunet.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Flatten", "Linear", "ReLU", "Linear", "Sequential", "Net"]


def test_to_dtype_keeps_the_same_parameter_objects():
    model = build(edunet)
    weight = model.linear_relu_stack[0].weight
    optimizer_view = list(model.parameters())
    model.double()
    assert model.linear_relu_stack[0].weight is weight and weight.dtype == edunet.float64
    assert optimizer_view[0] is next(model.parameters())
    assert model.offset.dtype == edunet.float64
    with pytest.raises(TypeError, match="floating point"):
        model.to(edunet.int64)


def test_assignment_rules_and_errors_match_torch():
    class Early(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign"):
        model.weight = edunet.ones(2, 2)
    model.weight = nn.Parameter(edunet.ones(2, 2))
    assert model.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
        model.wieght
    with pytest.raises(KeyError):
        model.register_buffer("a.b", edunet.ones(1))
    del model.bias
    assert [n for n, _ in model.named_parameters()] == ["weight"]


def test_plain_list_of_layers_warns_and_modulelist_registers():
    class Forgetful(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]

    with pytest.warns(UserWarning, match="nn.ModuleList"):
        model = Forgetful()
    assert list(model.parameters()) == []

    class Careful(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(Careful().parameters())) == 4


def test_forward_missing_is_explained():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        NoForward()(edunet.ones(1))


def test_forward_hooks_see_and_replace_outputs_and_pre_hooks_inputs():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seen = []
    handle = model[0].register_forward_hook(lambda module, args, output: seen.append(output.shape))
    model[1].register_forward_pre_hook(lambda module, args: (args[0] * 0,))
    result = model(edunet.ones(4, 2))
    assert seen == [(4, 3)] and result.tolist() == [[0.0] * 3] * 4
    handle.remove()
    model(edunet.ones(1, 2))
    assert seen == [(4, 3)]
    model[0].register_forward_hook(lambda module, args, output: output + 1)
    model[1]._forward_pre_hooks.clear()
    x = edunet.ones(1, 2)
    assert model(x).tolist() == (model[0].forward(x) + 1).relu().tolist()


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hooks_match_torch():
    def run(library):
        layer = library.nn.Linear(3, 2)
        with library.no_grad():
            layer.weight.copy_(library.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]]))
            layer.bias.fill_(0.1)
        captured = []
        layer.register_full_backward_hook(
            lambda module, grad_input, grad_output: captured.append(
                ([g.tolist() if g is not None else None for g in grad_input],
                 [g.tolist() for g in grad_output])))
        x = library.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        (layer(x) * library.tensor([[2.0, -1.0]])).sum().backward()
        no_grad_input = library.tensor([[1.0, 2.0, 3.0]])
        layer(no_grad_input).sum().backward()
        return captured, x.grad.tolist()
    assert run(edunet) == run(torch)


def test_teaching_warning_for_dropout_models_evaluated_in_training_mode():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with pytest.warns(UserWarning, match=r"model.eval\(\)"):
        with edunet.no_grad():
            model(edunet.ones(1, 2))
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with edunet.no_grad():
            model(edunet.ones(1, 2))


def test_get_submodule_and_parameter():
    model = build(edunet)
    assert model.get_submodule("linear_relu_stack.0") is model.linear_relu_stack[0]
    assert model.get_parameter("linear_relu_stack.2.bias") is model.linear_relu_stack[2].bias
    with pytest.raises(AttributeError):
        model.get_submodule("missing")


def test_parameter_repr_and_identity():
    parameter = nn.Parameter(edunet.tensor([1.0, 2.0]))
    theirs = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(parameter) == repr(theirs)
    assert parameter.is_leaf and parameter.requires_grad and isinstance(parameter, edunet.Tensor)
    assert not nn.Parameter(edunet.ones(1), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(edunet.tensor([1, 2]))
