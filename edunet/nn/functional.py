"""``edunet.nn.functional`` (``F``): every layer and loss as a plain function.

    import edunet.nn.functional as F
    y = F.conv2d(x, weight, bias, stride=1, padding=1)
    loss = F.cross_entropy(logits, target)

The layers in ``edunet.nn`` hold parameters and call these; the functions
themselves (forward and backward) live in ``edunet/ops/``.
"""

from edunet.ops.activation import (elu, gelu, hardtanh, leaky_relu, log_softmax, relu6, silu,
                                   softmax, softplus)
from edunet.ops.conv import conv1d, conv2d, conv_transpose2d
from edunet.ops.conv3d import conv3d
from edunet.ops.dropout import dropout, dropout2d
from edunet.ops import elementwise
from edunet.ops.elementwise import sigmoid, tanh
from edunet.ops.embedding import embedding, one_hot
from edunet.ops.linalg import bilinear, linear
from edunet.ops.cross_entropy import cross_entropy, nll_loss
from edunet.ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss,
                             kl_div, l1_loss, mse_loss, smooth_l1_loss)
from edunet.ops.norm import batch_norm, group_norm, layer_norm
from edunet.ops.pool import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
                             max_pool1d, max_pool2d)
from edunet.ops.pool3d import avg_pool3d, max_pool3d
from edunet.ops.padding import pad


def relu(input, inplace=False):
    """max(x, 0) elementwise; ``inplace=True`` overwrites ``input`` (as ``nn.ReLU(inplace=True)``)."""
    return input.relu_() if inplace else elementwise.relu(input)


def relu_(input):
    """max(x, 0) elementwise, written into ``input``."""
    return input.relu_()
