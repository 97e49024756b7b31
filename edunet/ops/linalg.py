"""Matrix multiplication: ``a @ b`` for vectors, matrices and batches of matrices.

For matrices, (n, k) @ (k, m) -> (n, m) and the gradients are

    dL/da = dL/dz @ b^T          dL/db = a^T @ dL/dz

A 1-D first operand acts as a row (1, k) and a 1-D second operand as a column
(k, 1); the added dimension is removed from the result. Leading dimensions are
batch dimensions and broadcast: (10, 1, n, k) @ (5, k, m) -> (10, 5, n, m).
"""

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.ops.arithmetic import broadcast_shapes, unbroadcast
from edunet.ops.checks import check_tensor_argument


class Matmul(Function):
    """z = a @ b (see the module docstring for the shapes)."""

    saved_input_used_by = {0: (1,), 1: (0,)}  # (for the version check: edunet/views.py)

    def forward(self, a, b):
        self.save_for_backward(a, b)
        self.grad_fn_name = _grad_fn_name(a.ndim, b.ndim)
        return get_array_module(a).matmul(a, b)

    def backward(self, grad_output):
        a, b = self.saved_arrays
        xp = get_array_module(a)
        # Give 1-D operands their row/column dimension back, as forward did.
        a_matrix = a[None, :] if a.ndim == 1 else a
        b_matrix = b[:, None] if b.ndim == 1 else b
        grad = grad_output
        if b.ndim == 1:
            grad = xp.expand_dims(grad, -1)
        if a.ndim == 1:
            grad = xp.expand_dims(grad, -2)
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = xp.matmul(grad, xp.swapaxes(b_matrix, -1, -2))
            grad_a = unbroadcast(grad_a, a_matrix.shape).reshape(a.shape)
        if self.needs_input_grad[1]:
            grad_b = xp.matmul(xp.swapaxes(a_matrix, -1, -2), grad)
            grad_b = unbroadcast(grad_b, b_matrix.shape).reshape(b.shape)
        return grad_a, grad_b


def _grad_fn_name(a_ndim, b_ndim):
    """PyTorch's node name for each kind of product (it dispatches to dot, mv, mm, bmm)."""
    if a_ndim == 1 and b_ndim == 1:
        return "DotBackward0"
    if a_ndim == 2 and b_ndim == 1:
        return "MvBackward0"
    if a_ndim == 2 and b_ndim == 2:
        return "MmBackward0"
    if a_ndim == 1:
        return "SqueezeBackward4"
    return "UnsafeViewBackward0" if b_ndim != 1 else "ViewBackward0"


def _check_matmul(a, b, name="matmul"):
    check_tensor_argument(name, "input", 1, a)
    check_tensor_argument(name, "other", 2, b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to {name} need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D. For a product with a number use * instead.")
    if a.array.dtype != b.array.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}. "
            f"Unlike +, matrix products don't mix dtypes: convert one, e.g. b.to(a.dtype) "
            f"(a model's weights are float32, so inputs usually need .float()).")
    inner_a = a.shape[-1]
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        a_text = "x".join(map(str, a.shape))
        b_text = "x".join(map(str, b.shape))
        raise RuntimeError(
            f"{a_text} and {b_text} shapes cannot be multiplied: in a @ b the last dimension of a "
            f"({inner_a}) must equal the {'first' if b.ndim == 1 else 'second-to-last'} dimension "
            f"of b ({inner_b}). Check the order of the operands, or whether one needs .T "
            f"(a Linear layer's input must end in in_features).")
    if a.ndim > 2 and b.ndim > 2:
        broadcast_shapes(a.shape[:-2], b.shape[:-2])


def matmul(input, other):
    """Matrix product ``input @ other`` with PyTorch's rules for 1-D and batched operands.

    Shapes: (k,) @ (k,) -> (); (n, k) @ (k,) -> (n,); (k,) @ (k, m) -> (m,);
    (*batch, n, k) @ (*batch, k, m) -> (*batch, n, m) with batch dims broadcast.
    """
    _check_matmul(input, other)
    return Matmul.apply(input, other)


def mm(input, mat2):
    """Product of two matrices (both 2-D)."""
    check_tensor_argument("mm", "mat2", 2, mat2)
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm expects two matrices (2-D), got {input.ndim}-D and {mat2.ndim}-D "
                           f"tensors of shapes {tuple(input.shape)} and {tuple(mat2.shape)}.")
    return matmul(input, mat2)


def bmm(input, mat2):
    """Batched product: (b, n, k) @ (b, k, m) -> (b, n, m); no broadcasting."""
    check_tensor_argument("bmm", "mat2", 2, mat2)
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm expects two 3-D tensors with the same batch size, got shapes "
                           f"{tuple(input.shape)} and {tuple(mat2.shape)}.")
    result = matmul(input, mat2)
    if result.grad_fn is not None:
        result.grad_fn.grad_fn_name = "BmmBackward0"
    return result


def mv(input, vec):
    """Matrix-vector product: (n, k) @ (k,) -> (n,)."""
    check_tensor_argument("mv", "vec", 2, vec)
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv expects a matrix and a vector, got shapes "
                           f"{tuple(input.shape)} and {tuple(vec.shape)}.")
    return matmul(input, vec)


def dot(input, other):
    """Dot product of two vectors of the same length."""
    check_tensor_argument("dot", "tensor", 2, other)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    return matmul(input, other)


class Linear(Function):
    """y = x W^T + b, the fully connected layer, as one node.

    x: (*, in), W: (out, in), b: (out,) -> y: (*, out)
    dL/dx = g W,   dL/dW = g^T x (summed over the leading dimensions),   dL/db = sum of g
    """

    saved_input_used_by = {0: (1,), 1: (0,)}  # (for the version check: edunet/views.py)

    def forward(self, x, weight, *bias):
        self.save_for_backward(x, weight)
        self.has_bias = bool(bias)
        self.grad_fn_name = _linear_grad_fn_name(x.ndim, self.has_bias)
        output = get_array_module(x).matmul(x, weight.T)
        if bias:
            output += bias[0]
        return output

    def backward(self, grad_output):
        x, weight = self.saved_arrays
        xp = get_array_module(x)
        grad_x = xp.matmul(grad_output, weight) if self.needs_input_grad[0] else None
        grad_weight = grad_bias = None
        if self.needs_input_grad[1]:
            # Fold every leading dimension into one batch: W's gradient sums over all of them.
            rows = grad_output.reshape(-1, grad_output.shape[-1])
            grad_weight = xp.matmul(rows.T, x.reshape(-1, x.shape[-1]))
        if self.has_bias and self.needs_input_grad[2]:
            grad_bias = grad_output.reshape(-1, grad_output.shape[-1]).sum(axis=0)
        return (grad_x, grad_weight, grad_bias) if self.has_bias else (grad_x, grad_weight)


def _linear_grad_fn_name(x_ndim, has_bias):
    if x_ndim == 2:
        return "AddmmBackward0" if has_bias else "MmBackward0"
    if x_ndim == 1 and not has_bias:
        return "SqueezeBackward4"
    return "ViewBackward0" if has_bias else "UnsafeViewBackward0"


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (``torch.nn.functional.linear``).

    Shapes: input (*, in_features), weight (out_features, in_features),
    bias (out_features,) -> (*, out_features).
    """
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        _check_matmul(input, weight.mT if weight.ndim == 2 else weight)
    if input.array.dtype != weight.array.dtype:
        _check_matmul(input, weight.mT)
    tensors = (input, weight) if bias is None else (input, weight, bias)
    return Linear.apply(*tensors)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T A_k x2 + b_k (``torch.nn.functional.bilinear``).

    input1 (*, in1), input2 (*, in2), weight (out, in1, in2), bias (out,) -> (*, out)
    """
    # (*, 1, 1, in1) @ (out, in1, in2) -> (*, out, 1, in2);  then @ (*, 1, in2, 1) -> (*, out, 1, 1)
    left = matmul(input1.unsqueeze(-2).unsqueeze(-3), weight)
    result = matmul(left, input2.unsqueeze(-1).unsqueeze(-3)).squeeze(-1).squeeze(-1)
    return result if bias is None else result + bias
