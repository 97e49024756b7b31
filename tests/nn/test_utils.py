"""nn.utils.clip_grad_norm_ / clip_grad_value_ against PyTorch."""

import math

import numpy
import pytest

import edunet
from edunet import nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("max_norm, norm_type", [(0.5, 2.0), (100.0, 2.0), (0.3, 1.0), (0.2, math.inf)])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    rng = numpy.random.default_rng(0)
    grads = [rng.standard_normal(shape).astype(numpy.float32) for shape in [(3, 4), (4,), (2, 2)]]
    ours = [nn.Parameter(edunet.zeros(*g.shape)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(*g.shape)) for g in grads]
    for our, their, gradient in zip(ours, theirs, grads):
        our.grad, their.grad = edunet.tensor(gradient), torch.tensor(gradient)
    our_total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert our_total.item() == pytest.approx(their_total.item(), rel=1e-5)
    for our, their in zip(ours, theirs):
        numpy.testing.assert_allclose(our.grad.numpy(), their.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_value_matches_torch():
    gradient = numpy.array([-3.0, -0.5, 0.2, 4.0], dtype=numpy.float32)
    ours, theirs = nn.Parameter(edunet.zeros(4)), torch.nn.Parameter(torch.zeros(4))
    ours.grad, theirs.grad = edunet.tensor(gradient), torch.tensor(gradient)
    nn.utils.clip_grad_value_([ours], 1.0)
    torch.nn.utils.clip_grad_value_([theirs], 1.0)
    assert ours.grad.tolist() == theirs.grad.tolist()
