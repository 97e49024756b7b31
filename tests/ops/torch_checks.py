"""Helpers the op tests share for comparing with PyTorch (tests/ops/test_conv.py,
tests/ops/test_pool.py and the nn tests that import from them)."""

import numpy
import pytest

import edunet

torch = pytest.importorskip("torch")


def as_numpy(tensor):
    array = tensor.detach().array
    return array.get() if hasattr(array, "get") else numpy.asarray(array)


def raises_like_torch(our_call, torch_call):
    """Both raise, and ours is an instance of the type PyTorch raises. Returns our message."""
    with pytest.raises(Exception) as theirs:
        torch_call()
    with pytest.raises(Exception) as ours:
        our_call()
    assert isinstance(ours.value, theirs.type), (ours.value, theirs.value)
    return str(ours.value)


def accepts_or_refuses_dtype_as_torch_does(run):
    """``run(library)`` once with each library: where PyTorch refuses the dtype (its CPU
    kernel lacks it: NotImplementedError) we raise the same type; else the result has
    PyTorch's dtype and its values (rtol 1e-3, for float16)."""
    try:
        theirs = run(torch)
    except Exception as error:
        assert isinstance(error, NotImplementedError), error
        raises_like_torch(lambda: run(edunet), lambda: run(torch))
        return
    ours = run(edunet)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    numpy.testing.assert_allclose(as_numpy(ours).astype(float), theirs.numpy().astype(float),
                                  rtol=1e-3)
