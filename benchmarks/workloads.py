"""The work the benchmark times, written once for both frameworks.

edunet follows PyTorch's API, so every model and step below is plain PyTorch code that
runs unchanged on either library: ``lib`` is the module ``edunet`` or ``torch``.
All work is float32; batch 64 unless the name says otherwise.
"""

from dataclasses import dataclass
from typing import Callable

import numpy


def cifar_cnn(nn):
    """A: the course's CIFAR-10 CNN, (N, 3, 32, 32) -> (N, 10)."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))


def mlp(nn):
    """B: a three-layer MLP on flattened 28x28 images."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(),
                         nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def batchnorm_mlp(nn):
    """C: 784 -> 512 -> 256 -> 128 -> 10; BatchNorm, ReLU and Dropout after the first two."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(512, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def lenet(nn):
    """D: a LeNet-style CNN on 1x28x28 (Fashion-MNIST sized) images."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def tiny_mlp(nn):
    """E: a 2-16-16-1 MLP; its layers are so small that per-op overhead is all we time."""
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 1))


def lstm(nn):
    """F: one LSTM layer, input 32, hidden 64; input (sequence 35, batch 32, 32)."""
    return nn.LSTM(32, 64)


@dataclass(frozen=True)
class Workload:
    name: str                 # "<model><batch>-<train|infer>", e.g. "B256-infer"
    build: Callable           # build(nn) -> Module
    input_shape: tuple
    target_shape: tuple       # (N,) class indices for cross-entropy, else MSE targets
    train: bool               # a training step, or an inference pass under no_grad
    target_ratio: float       # the goal for edunet time / PyTorch time

    @property
    def uses_cross_entropy(self):
        return len(self.target_shape) == 1


def _pair(name, build, input_shape, target_shape, train_ratio, infer_ratio):
    return [Workload(f"{name}-train", build, input_shape, target_shape, True, train_ratio),
            Workload(f"{name}-infer", build, input_shape, target_shape, False, infer_ratio)]


WORKLOADS = [
    *_pair("A", cifar_cnn, (64, 3, 32, 32), (64,), 1.3, 1.0),
    *_pair("B64", mlp, (64, 1, 28, 28), (64,), 1.0, 1.0),
    *_pair("B256", mlp, (256, 1, 28, 28), (256,), 1.0, 1.0),
    *_pair("C", batchnorm_mlp, (64, 1, 28, 28), (64,), 1.0, 1.0),
    *_pair("D", lenet, (64, 1, 28, 28), (64,), 1.1, 1.1),
    Workload("E-train", tiny_mlp, (100, 2), (100, 1), True, 1.0),
    Workload("F-train", lstm, (35, 32, 32), (35, 32, 64), True, 1.6),
]
BY_NAME = {workload.name: workload for workload in WORKLOADS}


def select(spec):
    """Workloads named by a comma list: exact names ("A-train"), models ("B256") or letters ("B")."""
    chosen = []
    for token in spec.split(","):
        token = token.strip()
        matches = [workload for workload in WORKLOADS
                   if token in (workload.name, workload.name.split("-")[0],
                                workload.name.split("-")[0].rstrip("0123456789"))]
        if not matches:
            raise ValueError(f"no workload matches {token!r}; choose from "
                             + ", ".join(workload.name for workload in WORKLOADS))
        chosen += [workload for workload in matches if workload not in chosen]
    return chosen


def make_data(workload, seed=0):
    """Random inputs and targets (NumPy float32, class indices int64), the same every run."""
    random = numpy.random.default_rng(seed)
    inputs = random.standard_normal(workload.input_shape, dtype=numpy.float32)
    if workload.uses_cross_entropy:
        targets = random.integers(0, 10, size=workload.target_shape, dtype=numpy.int64)
    else:
        targets = random.standard_normal(workload.target_shape, dtype=numpy.float32)
    return inputs, targets


def _loss(lib, workload, model, inputs, targets):
    output = model(inputs)
    if isinstance(output, tuple):     # an LSTM returns (output, (hidden, cell))
        output = output[0]
    loss_function = lib.nn.CrossEntropyLoss() if workload.uses_cross_entropy else lib.nn.MSELoss()
    return loss_function(output, targets)


def starting_loss(lib, workload, model, inputs, targets):
    """The loss in eval mode before any step: equal in both frameworks if they start alike."""
    model.eval()
    with lib.no_grad():
        return float(_loss(lib, workload, model, inputs, targets))


def make_step(lib, workload, model, inputs, targets):
    """The function one timed step calls: a training step, or an inference pass."""
    if not workload.train:
        model.eval()

        def infer():
            with lib.no_grad():
                model(inputs)
        return infer

    model.train()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)

    def train_step():
        optimizer.zero_grad()
        _loss(lib, workload, model, inputs, targets).backward()
        optimizer.step()
    return train_step


def cifar_cnn_gemms(batch, train):
    """The matrix products (rows, inner, columns, left operand transposed) of A's step.

    A convolution as im2col is (N*H*W, C_in*k*k) @ (C_in*k*k, C_out); a Linear layer is
    (N, in) @ (in, out). Backward adds, per layer, the weight gradient (the transposed
    columns times grad_output) and, except for the first layer, whose input needs no
    gradient, grad_input = grad_output @ weight.
    """
    layers = [(batch * 32 * 32, 3 * 25, 32), (batch * 16 * 16, 32 * 25, 32),
              (batch * 8 * 8, 32 * 25, 64), (batch, 1024, 64), (batch, 64, 10)]
    gemms = [(rows, inner, columns, False) for rows, inner, columns in layers]
    if train:
        gemms += [(inner, rows, columns, True) for rows, inner, columns in layers]
        gemms += [(rows, columns, inner, False) for rows, inner, columns in layers[1:]]
    return gemms
