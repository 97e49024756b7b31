"""Fixtures that run a test module on every path of the ops: the reference code in
edunet/ops/ and the fast kernels of edunet/kernels/ (and, where numba is installed,
their compiled loops), so that the fast path can never drift from what learners read.

A module opts in with ``pytestmark = pytest.mark.usefixtures("kernel_path")`` after
``from tests.kernel_paths import kernel_path``. The fixture is module-scoped (Hypothesis
refuses function-scoped fixtures), so each module runs once per path.
"""

import pytest

from edunet import kernels
from edunet.kernels import compiled

PATHS = ["fast", "fast-numpy", "reference"]


@pytest.fixture(scope="module", params=PATHS)
def kernel_path(request):
    """``fast``: the kernels with compiled loops where numba is installed; ``fast-numpy``:
    the kernels on NumPy alone; ``reference``: inside ``edunet.kernels.reference()``."""
    if request.param == "fast" and not compiled.available():
        pytest.skip("numba is not installed: the compiled loops are not used ('fast-numpy' "
                    "covers the kernels)")
    enabled = compiled.ENABLED
    compiled.ENABLED = request.param != "fast-numpy"
    try:
        if request.param == "reference":
            with kernels.reference():
                yield request.param
        else:
            yield request.param
    finally:
        compiled.ENABLED = enabled
