"""One switch runs every op on its reference code: ``edunet.kernels.reference()``; numba is
optional and never imported by ``import edunet``."""

import subprocess
import sys

import pytest

import edunet
from edunet import kernels
from edunet.kernels import compiled


def test_reference_switch_nests_and_restores():
    assert kernels.use_reference() is False
    with kernels.reference():
        assert kernels.use_reference() is True
        with kernels.reference():
            assert kernels.use_reference() is True
        assert kernels.use_reference() is True
    assert kernels.use_reference() is False
    with pytest.raises(ZeroDivisionError):
        with kernels.reference():
            1 / 0
    assert kernels.use_reference() is False


def test_edunet_kernels_is_reachable_from_edunet():
    assert edunet.kernels is kernels


def test_import_edunet_does_not_import_numba():
    code = "import sys, edunet, edunet.nn; print('numba' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert output == "False"


def test_compiled_loops_are_optional():
    """Switched off (as without numba), the kernels fall back to NumPy."""
    previous = compiled.ENABLED
    compiled.ENABLED = False
    try:
        assert not compiled.available()
        import numpy
        x = numpy.zeros((1, 1, 4, 4))
        assert compiled.max_pool2d_backward(x, x[..., ::2, ::2], x[..., ::2, ::2], (2, 2)) is None
    finally:
        compiled.ENABLED = previous
