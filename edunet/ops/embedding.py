"""Embedding lookup and one-hot encoding: turning integer ids into vectors.

An embedding is a table ``weight`` of shape (num_embeddings, embedding_dim); id i
is represented by row i:

    embedding(indices, weight)[..., :] = weight[indices[...], :]
    indices (*)  ->  output (*, embedding_dim)

It equals ``one_hot(indices) @ weight``, without building the one-hot matrix.
So the gradient of a row is the sum of the output gradients at every position
that looked it up; rows nobody looked up get 0:

    dL/dweight[i] = sum over positions p with indices[p] == i of dL/doutput[p]

``padding_idx`` marks a row (e.g. the padding token) whose gradient stays 0, so it
is never trained.
"""

import numpy

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.grad_mode import no_grad
from edunet.ops.indexing import scatter_add
from edunet.tensor import Tensor


class Embedding(Function):
    """output = weight[indices];  dL/dweight[i] = sum of the output gradients where indices == i"""

    def forward(self, indices, weight, *, padding_idx, scale_grad_by_freq):
        self.save_for_backward(indices)
        self.weight_shape = weight.shape
        self.padding_idx = padding_idx
        self.scale_grad_by_freq = scale_grad_by_freq
        return weight[indices]

    def backward(self, grad_output):
        (indices,) = self.saved_arrays
        xp = get_array_module(grad_output)
        rows = indices.reshape(-1)
        grad_rows = grad_output.reshape(-1, self.weight_shape[1])
        if self.scale_grad_by_freq:  # divide by how often each id occurs in this batch
            counts = xp.bincount(rows, minlength=self.weight_shape[0])
            grad_rows = grad_rows / counts[rows][:, None]
        grad_weight = xp.zeros(self.weight_shape, dtype=grad_output.dtype)
        scatter_add(grad_weight, rows, grad_rows)  # += with repeated ids adding up
        if self.padding_idx is not None:
            grad_weight[self.padding_idx] = 0
        return None, grad_weight


def check_indices(input, num_embeddings, owner="embedding"):
    """Raise PyTorch's errors, with an explanation, for float or out-of-range ids."""
    if input.array.dtype not in (numpy.int64, numpy.int32):
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.dtype} instead (while checking arguments for "
            f"embedding). {owner} looks rows up by integer id: convert with x.long().")
    if input.numel() == 0:
        return
    smallest, largest = int(input.array.min()), int(input.array.max())
    if smallest < 0 or largest >= num_embeddings:
        bad = smallest if smallest < 0 else largest
        hint = ("Ids can't be negative." if smallest < 0 else
                f"Make num_embeddings larger than the largest id: {largest + 1} or more here "
                f"(e.g. the vocabulary size).")
        raise IndexError(f"index out of range in self: {owner} has {num_embeddings} rows, so ids "
                         f"must be in 0..{num_embeddings - 1}, but got {bad}. {hint}")


def _normalize_padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


def _renormalize_rows(indices, weight, max_norm, norm_type):
    """Shrink (in place, not recorded) each looked-up row whose norm exceeds ``max_norm``."""
    xp = get_array_module(weight.array)
    with no_grad():
        rows = xp.unique(indices.array.reshape(-1))
        norms = (xp.abs(weight.array[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.array[rows] *= scale[:, None].astype(weight.array.dtype)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) by the ids in ``input``.

    Args:
        input: an int64 (or int32) tensor of ids, any shape (*).
        weight: the table; the output is (*, embedding_dim).
        padding_idx: this row gets no gradient.
        max_norm: rows that are looked up and have a larger norm_type-norm are
            first scaled down to norm max_norm, changing ``weight`` in place.
        scale_grad_by_freq: divide each row's gradient by its id's count in the batch.
        sparse: sparse gradients are not supported (edunet has no sparse tensors).

    >>> weight = edunet.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> F.embedding(edunet.tensor([[1, 2], [2, 2]]), weight).shape
    edunet.Size([2, 2, 2])
    """
    if sparse:
        raise NotImplementedError(
            "sparse=True asks for a sparse gradient, which needs sparse tensors and optimizers "
            "like SparseAdam; edunet has neither. Use sparse=False: the gradient is then a "
            "dense tensor shaped like the weight, zero in the rows that were not looked up.")
    check_indices(input, weight.shape[0])
    padding_idx = _normalize_padding_idx(padding_idx, weight.shape[0])
    if max_norm is not None:
        _renormalize_rows(input, weight, max_norm, norm_type)
    return Embedding.apply(input, weight, padding_idx=padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq)


def one_hot(tensor, num_classes=-1):
    """Integer class ids (*) -> int64 one-hot vectors (*, num_classes).

    With ``num_classes=-1`` it is one more than the largest id.

    >>> F.one_hot(edunet.tensor([0, 2]), num_classes=3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    if tensor.array.dtype != numpy.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor. "
                           f"Got {tensor.dtype}: convert with x.long().")
    xp = get_array_module(tensor.array)
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(tensor.array.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(tensor.array.max()) + 1
        elif int(tensor.array.max()) >= num_classes:
            raise RuntimeError(f"Class values must be smaller than num_classes. (The largest class "
                               f"id is {int(tensor.array.max())}; num_classes={num_classes}.)")
    classes = xp.arange(num_classes, dtype=numpy.int64)
    return Tensor._make((tensor.array[..., None] == classes).astype(numpy.int64))
