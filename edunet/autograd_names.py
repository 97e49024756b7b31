"""PyTorch's names for the autograd nodes, in one table: ``Mul`` -> ``"MulBackward0"``.

``y.grad_fn`` prints as ``<MulBackward0 object at ...>``, the graph widget and
TensorBoard label their boxes with these names, and the error messages quote them,
exactly as PyTorch does, so a learner can compare the two graphs line by line.

The key is our Function class's name. PyTorch's name is usually the operation plus
``Backward0``; the number tells apart overloads of one operation (``sum(x)`` is
``SumBackward0``, ``sum(x, dim)`` ``SumBackward1``), and some ops are built from
others in PyTorch (dropout multiplies by a mask: ``MulBackward0``).

A few ops pick one of several names per call, from their arguments (``reshape``
gives ``ViewBackward0`` or ``UnsafeViewBackward0``, ``x[0]`` ``SelectBackward0``,
``x @ w`` ``MmBackward0``/``MvBackward0``/...): they set ``node.grad_fn_name`` on
the node they made, which wins over this table (see ``Function.name``).
"""

NODE_NAMES = {
    # edunet/autograd.py
    "AccumulateGrad": "AccumulateGrad",
    # edunet/nn/backward_hooks.py
    "Watch": "BackwardHookFunctionBackward",
    # edunet/ops/activation.py
    "Elu": "EluBackward0",
    "Gelu": "GeluBackward0",
    "Hardtanh": "HardtanhBackward0",
    "LeakyRelu": "LeakyReluBackward0",
    "LogSoftmax": "LogSoftmaxBackward0",
    "Silu": "SiluBackward0",
    "Softmax": "SoftmaxBackward0",
    "Softplus": "SoftplusBackward0",
    # edunet/ops/arithmetic.py
    "Add": "AddBackward0",
    "Div": "DivBackward0",
    "Mul": "MulBackward0",
    "Neg": "NegBackward0",
    "Pow": "PowBackward0",
    "PowTensor": "PowBackward1",
    "Sub": "SubBackward0",
    # edunet/ops/conv.py
    "Convolution": "ConvolutionBackward0",
    "TransposedConvolution": "ConvolutionBackward0",
    "Convolution3D": "ConvolutionBackward0",
    # edunet/ops/conversion.py
    "Clone": "CloneBackward0",
    "ToCopy": "ToCopyBackward0",
    # edunet/ops/cross_entropy.py
    "CrossEntropy": "CrossEntropyBackward0",
    "NllLoss": "NllLossBackward0",
    # edunet/ops/dropout.py
    "Dropout": "MulBackward0",  # PyTorch's dropout multiplies by the mask, too
    # edunet/ops/elementwise.py
    "Abs": "AbsBackward0",
    "Clamp": "ClampBackward0",
    "Cos": "CosBackward0",
    "Exp": "ExpBackward0",
    "Log": "LogBackward0",
    "Log1p": "Log1pBackward0",
    "Maximum": "MaximumBackward0",
    "Minimum": "MinimumBackward0",
    "Relu": "ReluBackward0",
    "Rsqrt": "RsqrtBackward0",
    "Sigmoid": "SigmoidBackward0",
    "Sin": "SinBackward0",
    "Sqrt": "SqrtBackward0",
    "Tanh": "TanhBackward0",
    "Where": "WhereBackward0",
    "ZeroGradient": "ZeroGradientBackward0",
    # edunet/ops/embedding.py
    "Embedding": "EmbeddingBackward0",
    # edunet/ops/extrema.py
    "Amax": "AmaxBackward0",
    "Amin": "AminBackward0",
    "Max": "MaxBackward0",
    "MaxAll": "MaxBackward1",  # max(x): the largest element
    "Min": "MinBackward0",
    "MinAll": "MinBackward1",
    # edunet/ops/indexing.py
    "AdvancedIndex": "IndexBackward0",
    "BasicIndex": "BasicIndexBackward0",
    "Gather": "GatherBackward0",
    "IndexPut": "IndexPutBackward0",
    "IndexSelect": "IndexSelectBackward0",
    "MaskedFill": "MaskedFillBackward0",
    # edunet/ops/inplace.py
    "Copy": "CopyBackwards",
    "Fill": "FillBackward2",
    # edunet/ops/joining.py
    "Cat": "CatBackward0",
    "Stack": "StackBackward0",
    # edunet/ops/linalg.py
    "Linear": "LinearBackward0",
    "Matmul": "MatmulBackward0",
    # edunet/ops/loss.py
    "BinaryCrossEntropy": "BinaryCrossEntropyBackward0",
    "BinaryCrossEntropyWithLogits": "BinaryCrossEntropyWithLogitsBackward0",
    "DifferenceLoss": "DifferenceLossBackward0",
    "HuberLoss": "HuberLossBackward0",
    "MseLoss": "MseLossBackward0",
    "SmoothL1Loss": "SmoothL1LossBackward0",
    "XLogX": "XlogyBackward0",
    # edunet/ops/norm.py
    "BatchNorm": "NativeBatchNormBackward0",
    "GroupNorm": "NativeGroupNormBackward0",
    "LayerNorm": "NativeLayerNormBackward0",
    # edunet/ops/padding.py
    "ConstantPadNd": "ConstantPadNdBackward0",
    # edunet/ops/pool.py
    "AdaptiveAvgPool2D": "AdaptiveAvgPool2DBackward0",
    "AdaptiveMaxPool2D": "AdaptiveMaxPool2DBackward0",
    "AvgPool2D": "AvgPool2DBackward0",
    "MaxPool2DWithIndices": "MaxPool2DWithIndicesBackward0",
    "AvgPool3D": "AvgPool3DBackward0",
    "MaxPool3D": "MaxPool3DWithIndicesBackward0",
    # edunet/ops/recurrent.py
    "GRULayer": "GRULayerBackward0",
    "LSTMLayer": "LSTMLayerBackward0",
    "RNNLayer": "RNNLayerBackward0",
    # edunet/ops/reduction.py
    "Logsumexp": "LogsumexpBackward0",
    "Mean": "MeanBackward1",
    "MeanAll": "MeanBackward0",
    "Prod": "ProdBackward1",
    "ProdAll": "ProdBackward0",
    "Sum": "SumBackward1",  # sum(x, dim); sum(x) is SumAll
    "SumAll": "SumBackward0",
    # edunet/ops/shape.py
    "Expand": "ExpandBackward0",
    "Flip": "FlipBackward0",
    "Permute": "PermuteBackward0",
    "Repeat": "RepeatBackward0",
    "Squeeze": "SqueezeBackward0",
    "Transpose": "TransposeBackward0",
    "Unsqueeze": "UnsqueezeBackward0",
    "View": "ViewBackward0",
    # edunet/ops/statistics.py
    "Norm": "LinalgVectorNormBackward0",  # torch.norm computes torch.linalg.vector_norm
    "Std": "StdBackward0",
    "Var": "VarBackward0",
    # edunet/views.py
    "CopySlices": "CopySlices",
}
