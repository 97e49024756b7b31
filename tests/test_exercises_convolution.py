"""Checks of "03 Convolution": right answers pass, typical wrong ones fail with a hint."""

import pytest

from edunet import nn
from edunet.exercises import convolution as check


def test_output_size_formula_agrees_with_conv2d():
    def conv_output_size(size, kernel_size, stride=1, padding=0):
        return (size + 2 * padding - kernel_size) // stride + 1

    assert check.output_size_function(conv_output_size)
    # The check's own cases agree with the layer itself.
    import edunet
    for size, kernel_size, stride, padding in check.CASES:
        layer = nn.Conv2d(1, 1, kernel_size, stride=stride, padding=padding)
        with edunet.no_grad():
            shape = layer(edunet.zeros(1, 1, size, size)).shape
        assert shape[-1] == conv_output_size(size, kernel_size, stride, padding)


@pytest.mark.parametrize("wrong, hint", [
    (lambda n, k, s, p: (n + 2 * p - k) / s + 1, "floor"),
    (lambda n, k, s, p: (n + 2 * p - k) // s, "+ 1"),
    (lambda n, k, s, p: (n + p - k) // s + 1, "both sides"),
    (lambda n, k, s, p: n - k + 1, "floor((size"),
    (lambda n, k, s, p: 1 / 0, "arguments"),
])
def test_output_size_formula_mistakes(wrong, hint):
    verdict = check.output_size_function(wrong)
    assert not verdict and hint in verdict.hint


def test_flattened_features():
    assert check.flattened_features(4096) and check.flattened_features(64 * 8 * 8)
    assert "32 x 32" in check.flattened_features(1024).hint
    assert "THREE" in check.flattened_features(16384).hint
    assert not check.flattened_features("4k")


def _cnn(in_channels=1, in_features=576):
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(in_features, 64), nn.Linear(64, 10))


def test_fashion_cnn():
    assert check.fashion_cnn(_cnn())
    # Hints come in tiers: a nudge first, the answer only in the last tier.
    colour = check.fashion_cnn(_cnn(in_channels=3))
    assert "channels" in colour.hint and "1 channel" not in colour.hint
    assert "grayscale" in colour.hints[-1]
    flatten = check.fashion_cnn(_cnn(in_features=1024))
    assert "28 x 28" in flatten.hint and "64 x 3 x 3" not in flatten.hint
    assert "64 x 3 x 3" in flatten.hints[-1] and len(flatten.hints) == 3
    short = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert "structure" in check.fashion_cnn(short).hint
    assert not check.fashion_cnn(None)
