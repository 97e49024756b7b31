"""Embedding: a learned vector for each integer id (word, token, category).

    embedding = nn.Embedding(num_embeddings=10000, embedding_dim=64)
    vectors = embedding(token_ids)        # (N, L) int64 -> (N, L, 64)

The layer holds one Parameter, ``weight`` (num_embeddings, embedding_dim), and
the lookup is ``weight[token_ids]`` (see edunet/ops/embedding.py for the gradient).
"""

from edunet import creation
from edunet.grad_mode import no_grad
from edunet.nn import init
from edunet.nn.module import Module
from edunet.nn.parameter import Parameter
from edunet.ops import embedding as embedding_ops


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``.

    Args:
        num_embeddings: how many ids (rows); ids run from 0 to num_embeddings - 1.
        embedding_dim: the size of each vector.
        padding_idx: this row starts at zeros and is never trained (its gradient
            is 0): use it for the padding token of variable-length sequences.
        max_norm, norm_type: rows looked up with a norm above max_norm are scaled
            down to it first (changing the weight in place).
        scale_grad_by_freq: divide each row's gradient by its id's count in the batch.
        sparse: not supported (edunet has no sparse gradients).

    The weight starts as N(0, 1) samples, PyTorch's default.

    >>> embedding = nn.Embedding(10, 3, padding_idx=0)
    >>> embedding(edunet.tensor([[0, 2], [4, 9]])).shape
    edunet.Size([2, 2, 3])
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = padding_idx % num_embeddings  # -1 means the last row
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if sparse:
            raise NotImplementedError(
                "Embedding(sparse=True) needs sparse gradients and optimizers like SparseAdam, "
                "which edunet does not have. Leave sparse=False: the gradient is a dense tensor "
                "shaped like the weight, zero in the rows that were not looked up.")
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(creation.empty(num_embeddings, embedding_dim, device=device,
                                                   dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        """N(0, 1) for every row, then zeros in the padding row."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        embedding_ops.check_indices(input, self.num_embeddings, owner=repr(self))
        return embedding_ops.embedding(input, self.weight, self.padding_idx, self.max_norm,
                                       self.norm_type, self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is ``embeddings`` (2-D; shared, not copied).

        ``freeze=True`` (the default) keeps it fixed: weight.requires_grad is False.
        """
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, columns = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=columns, _weight=embeddings,
                   _freeze=freeze, padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
