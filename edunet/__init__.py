"""edunet: a small deep-learning library to read, run and learn from.

It follows PyTorch's API, so what you learn here transfers directly:

    import edunet as torch
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    (x * x).sum().backward()
    x.grad                      # tensor([2., 4., 6.])

Layout (each layer only uses the ones above it):
    backend.py   NumPy on the CPU, CuPy on a GPU      dtypes.py  dtypes and promotion
    tensor.py    Tensor                               autograd.py  the graph and backward()
    ops/         every operation, forward and backward side by side
"""

__version__ = "0.1.0"

from edunet import dtypes
from edunet.backend import Device
from edunet.backend import Device as device
from edunet.dtypes import (bool_ as bool, float16, float32, float64, int8, int16, int32, int64,
                           uint8, dtype, get_default_dtype, set_default_dtype, promote_types)
from edunet.dtypes import float16 as half, float32 as float, float64 as double  # noqa: A001
from edunet.dtypes import int16 as short, int32 as int, int64 as long  # noqa: A001
from edunet.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                              set_grad_enabled)
from edunet.tensor import Size, Tensor
from edunet import autograd
from edunet.creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full,
                             full_like, linspace, logspace, normal, ones, ones_like, rand,
                             rand_like, randint, randint_like, randn, randn_like, randperm,
                             tensor, zeros, zeros_like)
from edunet.random import (Generator, default_generator, get_rng_state, initial_seed,
                           manual_seed, seed, set_rng_state)
from edunet.ops.activation import log_softmax, softmax
from edunet.ops.arithmetic import (add, broadcast_shapes, div, divide, floor_divide, mul,
                                   multiply, neg, negative, pow, reciprocal, remainder, rsub,
                                   square, sub, true_divide)
from edunet.ops.arithmetic import sub as subtract
from edunet.ops.conversion import clone
from edunet.ops.elementwise import (abs, absolute, allclose, ceil, clamp, clip, cos, eq, equal,
                                    exp, floor, ge, greater, greater_equal, gt, isclose,
                                    isfinite, isinf, isnan, le, less, less_equal, log, log1p,
                                    logical_and, logical_not, logical_or, logical_xor, lt,
                                    maximum, minimum, ne, nonzero, not_equal, relu, round, rsqrt,
                                    sigmoid, sign, sin, sqrt, tanh, where)
from edunet.ops.linalg import bmm, dot, matmul, mm, mv
from edunet.ops.extrema import amax, amin, argmax, argmin, max, min, return_types
from edunet.ops.reduction import all, any, logsumexp, mean, prod, sum
from edunet.ops.statistics import norm, std, var
from edunet.ops.indexing import gather, index_select, masked_fill
from edunet.ops.joining import (cat, chunk, concat, concatenate, narrow, select, split, stack,
                                 unbind)
from edunet.ops.shape import (broadcast_to, flatten, flip, permute, reshape, squeeze, t, transpose, unflatten, unsqueeze)
from edunet.gradcheck import GradcheckError, gradcheck
from edunet.printing import set_printoptions
from edunet import accelerator, cuda
from edunet.doctor import doctor
from edunet.serialization import load, save
from edunet.summary import summary
from edunet.source import show_source
from edunet.i18n import get_language, set_language
from edunet.progress import progress

# The PyTorch module paths (edunet.nn, edunet.optim, edunet.utils.data) load on first
# use, so `import edunet as torch; torch.nn.Linear(2, 2)` works and `import edunet`
# stays fast. Any other unknown name is an AttributeError, as usual.
_SUBMODULES = {"nn": "edunet.nn", "optim": "edunet.optim", "vision": "edunet.vision"}


def __getattr__(name):
    if name in _SUBMODULES:
        import importlib
        return importlib.import_module(_SUBMODULES[name])
    raise AttributeError(f"module 'edunet' has no attribute '{name}'")


def as_torch(enable=True):
    """Make ``import torch`` (torchvision, torchsummary, torchinfo) load edunet in this
    process, and print sizes and dtypes under PyTorch's names; ``as_torch(False)`` undoes
    it. See edunet/torch_names.py (loaded on first use, to keep ``import edunet`` light)."""
    from edunet import torch_names
    torch_names.as_torch(enable)


def is_tensor(obj):
    """True if ``obj`` is an edunet Tensor."""
    return isinstance(obj, Tensor)


def detach(input):
    """``input`` without its history (shares memory); same as ``input.detach()``."""
    return input.detach()


def numel(input):
    """The number of elements of a tensor."""
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype ``tensor1 + tensor2`` would have (PyTorch's promotion rules)."""
    return dtypes.result_type(tensor1, tensor2)


def is_floating_point(input):
    return input.is_floating_point()


# Every public function checks that its tensor arguments are tensors (edunet/ops/checks.py).
from edunet.ops.checks import check_public_functions as _check_public_functions  # noqa: E402
_check_public_functions(globals())

# Keep freed memory for reuse, so each step's arrays don't fault fresh pages in: a process-wide
# glibc setting, once, opt-out with EDUNET_KEEP_FREED_MEMORY=0 (edunet/kernels/workspace.py).
from edunet.kernels.workspace import tune_allocator as _tune_allocator  # noqa: E402
_tune_allocator()
