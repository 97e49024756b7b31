"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict: behaviour and reprs vs PyTorch."""

from collections import OrderedDict

import pytest

import edunet
from edunet import nn

torch = pytest.importorskip("torch")


def same_repr(make):
    ours, theirs = make(edunet), make(torch)
    assert repr(ours) == repr(theirs).replace("torch.", "edunet.")
    return ours, theirs


def test_sequential_indexing_slicing_and_editing_match_torch():
    def make(library):
        return library.nn.Sequential(library.nn.Linear(2, 3), library.nn.Identity(),
                                     library.nn.Linear(3, 1))
    ours, theirs = same_repr(make)
    assert len(ours) == 3 and type(ours[-1]).__name__ == "Linear"
    assert repr(ours[1:]) == repr(theirs[1:])
    for model in (ours, theirs):
        model.append(type(model[1])())
        model.insert(0, type(model[1])())
        del model[1]
    assert repr(ours) == repr(theirs)
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]


def test_sequential_from_an_ordered_dict_runs_in_order():
    def make(library):
        return library.nn.Sequential(OrderedDict(first=library.nn.Linear(2, 2),
                                                 second=library.nn.Identity()))
    ours, _ = same_repr(make)
    assert [n for n, _ in ours.named_parameters()] == ["first.weight", "first.bias"]
    assert ours(edunet.ones(1, 2)).shape == (1, 2)


def test_module_list_built_from_layer_sizes_and_its_compact_repr():
    sizes = [4, 8, 8, 8, 2]

    def make(library):
        return library.nn.ModuleList(
            [library.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])] + [library.nn.Identity()])
    ours, theirs = same_repr(make)
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 8
    assert repr(ours[1:3]) == repr(theirs[1:3])
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_module_dict_and_parameter_containers():
    def make_dict(library):
        return library.nn.ModuleDict({"encoder": library.nn.Linear(3, 2), "act": library.nn.Identity()})
    ours, theirs = same_repr(make_dict)
    assert list(ours.keys()) == list(theirs.keys()) and "encoder" in ours

    def make_list(library):
        return library.nn.ParameterList([library.nn.Parameter(library.ones(2, 3)),
                                         library.nn.Parameter(library.ones(2, dtype=library.float64))])
    ours, theirs = same_repr(make_list)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    parameters = nn.ParameterDict({"scale": edunet.ones(2)})
    assert isinstance(parameters["scale"], nn.Parameter)
    assert [n for n, _ in parameters.named_parameters()] == ["scale"]


def test_a_network_built_from_a_list_of_sizes_trains():
    class Net(nn.Module):
        def __init__(self, sizes):
            super().__init__()
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).tanh()
            return x

    model = Net([3, 5, 1])
    model(edunet.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
