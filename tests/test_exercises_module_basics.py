"""Checks of "02 Module basics": right answers pass, typical wrong ones fail with a hint."""

import pytest

import edunet
from edunet import nn
from edunet.exercises import module_basics as check


def test_linear_parameters():
    assert check.linear_parameters(55) and check.linear_parameters(55.0)
    assert "bias" in check.linear_parameters(50).hint
    assert "OUTPUT" in check.linear_parameters(60).hint
    assert not check.linear_parameters("many")


def test_parameter_count_by_hand():
    model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.ReLU(),
                          nn.Linear(2, 2), nn.Softmax(dim=1))
    assert check.parameter_count(26, model)
    verdict = check.parameter_count(3 * 3 + 3 * 2 + 2 * 2, model)
    assert not verdict and "biases" in verdict.hint
    assert not check.parameter_count(27, model)


def test_binary_classifier():
    right = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                          nn.Linear(32, 1), nn.Sigmoid())
    assert check.binary_classifier(right)
    no_sigmoid = nn.Sequential(*list(right)[:-1])
    assert "Sigmoid" in check.binary_classifier(no_sigmoid).hint
    too_big = nn.Sequential(nn.Linear(20, 64), nn.Linear(64, 32), nn.Linear(32, 2), nn.Sigmoid())
    assert "3,490" in check.binary_classifier(too_big).message
    assert not check.binary_classifier("model")


@pytest.mark.parametrize("seed", range(5))
def test_binary_classifier_needs_a_nonlinearity_between_the_layers(seed):
    edunet.manual_seed(seed)
    no_bend = nn.Sequential(nn.Linear(20, 64), nn.Linear(64, 32), nn.Linear(32, 1), nn.Sigmoid())
    verdict = check.binary_classifier(no_bend)
    assert not verdict and "activation" in verdict.hint and "nn.ReLU()" in verdict.hints[1]
    one_relu = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.Linear(32, 1),
                             nn.Sigmoid())
    assert check.binary_classifier(one_relu)          # it bends: a working network
    tanh = nn.Sequential(nn.Linear(20, 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(),
                         nn.Linear(32, 1), nn.Sigmoid())
    assert check.binary_classifier(tanh)


class GoodMLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class PlainListMLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class FirstLayerOnlyMLP(GoodMLP):
    def forward(self, x):
        return self.layers[0](x)


def test_mlp_class(recwarn):
    assert check.mlp_class(GoodMLP)
    assert "ModuleList" in check.mlp_class(PlainListMLP).hint
    assert "last layer" in check.mlp_class(FirstLayerOnlyMLP).hint
    assert not check.mlp_class(lambda sizes: 1 / 0)


class EmptyMLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()

    def forward(self, x):
        return x


def test_mlp_class_template_gets_a_hint_about_the_pairs():
    verdict = check.mlp_class(EmptyMLP)
    assert not verdict and "EmptyMLP([4, 8, 3])" in verdict.message and "zip" in verdict.hint
