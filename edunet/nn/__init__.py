"""``edunet.nn``: layers, containers, losses and initialisation, as ``torch.nn``.

    from edunet import nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
"""

from edunet.nn import functional, init, utils
from edunet.nn.activation import (ELU, GELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid,
                                  SiLU, Softmax, Softplus, Tanh)
from edunet.nn.containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from edunet.nn.conv import Conv1d, Conv2d, Conv3d, ConvTranspose2d
from edunet.nn.dropout import Dropout, Dropout2d
from edunet.nn.embedding import Embedding
from edunet.nn.linear import Bilinear, Flatten, Identity, Linear, Unflatten
from edunet.nn.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss,
                            L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from edunet.nn.module import Module
from edunet.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from edunet.nn.parameter import Buffer, Parameter
from edunet.nn.pooling import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d,
                               AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d)
from edunet.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
