"""Scratch memory (edunet/kernels/workspace.py): reuse by size, a bounded amount, the
kept zeros, and the allocator setting."""

import os
import sys

import numpy
import pytest

import edunet
import edunet.nn.functional as F
from edunet import nn
from edunet.kernels import workspace
from tests.ops.test_conv import random_arrays

torch = pytest.importorskip("torch")


def test_workspace_hands_back_memory_by_size_and_keeps_a_bounded_amount(monkeypatch):
    monkeypatch.setattr(workspace, "_spares", type(workspace._spares)())
    monkeypatch.setattr(workspace, "_spare_bytes", 0)
    first = workspace.empty((4, 6), numpy.float32, numpy)
    workspace.give_back(first)
    again = workspace.empty((2, 12), numpy.float32, numpy)        # same size, other shape
    assert again.shape == (2, 12) and numpy.shares_memory(again, first)
    assert not numpy.shares_memory(workspace.empty((2, 12), numpy.float32, numpy), first)
    assert workspace.empty((24,), numpy.float64, numpy).dtype == numpy.float64
    with pytest.raises(ValueError):
        workspace.give_back(numpy.zeros((4, 6)).T[::2])
    monkeypatch.setattr(workspace, "MAX_SPARE_BYTES", 1000)
    workspace.give_back(numpy.zeros(100, numpy.float32), numpy.zeros(200, numpy.float32))
    assert workspace._spare_bytes <= 1000                         # the older one was dropped
    assert workspace.empty((200,), numpy.float32, numpy) is not None


def test_workspace_zeros_are_one_kept_read_only_array(monkeypatch):
    """ReLU's zeros: views of one array per dtype, grown to the largest request, never
    writeable; past MAX_ZEROS_BYTES a 0-d zero (broadcasts the same)."""
    workspace.clear()
    small = workspace.zeros((2, 3), numpy.float32, numpy)
    large = workspace.zeros((4, 5), numpy.float32, numpy)
    again = workspace.zeros((3, 2), numpy.float32, numpy)
    assert small.shape == (2, 3) and large.shape == (4, 5) and again.shape == (3, 2)
    assert not large.any() and large.dtype == numpy.float32
    assert numpy.shares_memory(large, again)          # the grown array serves smaller requests
    assert workspace.zeros((), numpy.int64, numpy).dtype == numpy.int64
    with pytest.raises(ValueError, match="read-only"):
        again[0, 0] = 1
    monkeypatch.setattr(workspace, "MAX_ZEROS_BYTES", 16)
    assert workspace.zeros((5,), numpy.float32, numpy).shape == ()
    x = edunet.tensor([[-1.0, 2.0], [float("nan"), -0.0]])
    numpy.testing.assert_array_equal(F.relu(x).numpy(), torch.relu(torch.tensor(x.numpy())).numpy())
    workspace.clear()


def test_keeping_freed_memory_applies_on_glibc_and_can_be_switched_off():
    """The allocator setting is on by default and applies on Linux/glibc;
    EDUNET_KEEP_FREED_MEMORY=0 turns it off (fresh interpreters: the variable is read at import)."""
    import platform
    import subprocess
    code = ("from edunet.kernels import workspace; "
            "print(workspace.KEEP_FREED_MEMORY, workspace.keep_freed_memory_for_reuse())")
    results = {}
    for value in ("1", "0"):
        environment = dict(os.environ, EDUNET_KEEP_FREED_MEMORY=value)
        output = subprocess.run([sys.executable, "-c", code], env=environment, check=True,
                                capture_output=True, text=True).stdout.split()
        results[value] = output
    assert results["1"][0] == "True" and results["0"][0] == "False"
    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert results["1"][1] == str(bool(on_glibc))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a glibc setting")
def test_import_keeps_freed_memory_so_a_training_step_faults_no_pages_in():
    """``import edunet`` applies the setting (an MLP never asks for scratch memory, and used
    to fault thousands of pages in per step); EDUNET_KEEP_FREED_MEMORY=0 leaves glibc as it
    was. Measured as page faults over 20 steps of a 784-512-512-10 MLP, batch 256."""
    import platform
    import subprocess
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("the setting is for glibc's allocator")
    code = """if True:
        import resource, numpy, edunet
        from edunet import nn
        edunet.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 10))
        x = edunet.randn(256, 784)
        target = edunet.randint(0, 10, (256,))
        optimizer = edunet.optim.SGD(model.parameters(), lr=0.01)
        def step():
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), target).backward()
            optimizer.step()
        for _ in range(3):
            step()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(20):
            step()
        print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
    """
    faults = {}
    for value in ("1", "0"):
        environment = dict(os.environ, EDUNET_KEEP_FREED_MEMORY=value, OMP_NUM_THREADS="1",
                           OPENBLAS_NUM_THREADS="1")
        output = subprocess.run([sys.executable, "-c", code], env=environment, check=True,
                                capture_output=True, text=True).stdout
        faults[value] = float(output)
    # Without the setting every step maps its weight gradients and outputs afresh (about
    # 2,000 pages); with it, the same memory is reused.
    assert faults["1"] < 20, faults
    assert faults["0"] > 500, faults


def test_training_steps_reuse_the_workspace_and_inference_leaves_nothing_behind(monkeypatch):
    """Every scratch array goes back after backward (or at once under no_grad): the spares
    stop growing after the first step, and repeated steps give the same result."""
    monkeypatch.setattr(workspace, "_spares", type(workspace._spares)())
    monkeypatch.setattr(workspace, "_spare_bytes", 0)
    edunet.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.Conv2d(32, 16, 3, padding=1),
                          nn.Conv2d(16, 4, 3))
    (x,) = random_arrays(3, (2, 3, 8, 8))
    x = edunet.tensor(x)

    def spare_count():
        return sum(len(spares) for spares in workspace._spares.values())

    gradients = []
    for _ in range(3):
        model.zero_grad()
        model(x).square().sum().backward()
        gradients.append([p.grad.array.copy() for p in model.parameters()])
        if len(gradients) == 2:
            count = spare_count()
    assert spare_count() == count > 0
    for first, last in zip(gradients[0], gradients[-1]):
        numpy.testing.assert_array_equal(first, last)
    with edunet.no_grad():
        output = model(x).array.copy()
        assert spare_count() == count
        numpy.testing.assert_array_equal(model(x).array, output)
