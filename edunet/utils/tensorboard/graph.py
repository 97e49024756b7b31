"""``add_graph``: a model's autograd graph as a TensorBoard GraphDef.

PyTorch traces the model with TorchScript; edunet runs it once and reads the
graph autograd recorded (``output.grad_fn`` and its ``next_functions``):

- every operation becomes a node (``Addmm``, ``Relu``, ...) inside the name scope of
  the module that ran it (``Net/Linear[fc1]/Addmm``); TensorBoard folds each scope
  into one box you can open;
- every parameter becomes a node named after it (``Net/Linear[fc1]/weight``), every
  input ``input/input.0``, every output ``output/output.0``;
- each node records its output shape (attribute ``_output_shapes``).

The inputs are copied with ``requires_grad=True`` so that they appear in the graph.
Only what autograd records shows up: work done under ``no_grad``, or on tensors
that need no gradient, is not in the graph.
"""

import re

from edunet.autograd import AccumulateGrad, BackwardObserver, topological_sort, walk_backward
from edunet.backend import get_array_module
from edunet.grad_mode import enable_grad
from edunet.nn.backward_hooks import Watch
from edunet.tensor import Tensor
from edunet.utils.tensorboard import proto


def _scopes(model):
    """Module -> TensorBoard scope, as PyTorch writes it: ``Net/Sequential[body]/Linear[0]``."""
    scopes = {}
    for name, module in model.named_modules():
        if not name:
            scopes[module] = type(module).__name__
            continue
        parent_name, _, own_name = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        scopes[module] = f"{scopes[parent]}/{type(module).__name__}[{own_name}]"
    return scopes


def _record_scopes(model, scopes, node_scopes):
    """Forward hooks: after each module, claim the new graph nodes it created.

    Hooks fire innermost first, so a node belongs to the innermost module that made it.
    The walk stops at the module's inputs (made before it ran) and at leaves.
    """
    def hook(module, inputs, output):
        outputs = output if isinstance(output, (tuple, list)) else (output,)
        boundary = {t.grad_fn for t in inputs if isinstance(t, Tensor) and t.grad_fn is not None}
        stack = [t.grad_fn for t in outputs if isinstance(t, Tensor) and t.grad_fn is not None]
        seen = set()
        while stack:
            node = stack.pop()
            if node is None or node in seen or node in boundary or type(node) is AccumulateGrad:
                continue
            seen.add(node)
            node_scopes.setdefault(node, scopes[module])
            stack.extend(input_node for input_node, _ in node.next_functions)
    return [module.register_forward_hook(hook) for module in scopes]


class _ShapeRecorder(BackwardObserver):
    """Each node's output shape: the gradient that reaches a node has the shape of the
    tensor it produced. Runs no hooks and fills no ``.grad``."""

    def __init__(self):
        self.shapes = {}

    def arrived(self, node, grad_output):
        self.shapes[node] = tuple(grad_output.shape)
        return grad_output

    def apply_backward(self, node, grad_output):
        if isinstance(node, Watch):
            return (grad_output,)  # the identity; don't call the module's hooks
        return node.backward(grad_output)


def _output_shapes(outputs, order):
    """Replay backward with gradients of ones (the engine's walk), recording shapes."""
    recorder = _ShapeRecorder()
    roots = [(output.grad_fn, get_array_module(output.array).ones_like(output.array))
             for output in outputs]
    walk_backward(roots, recorder, order)
    return recorder.shapes


def graph_def(model, inputs):
    """The serialized GraphDef of ``model(*inputs)``."""
    inputs = tuple(t.detach().requires_grad_() if isinstance(t, Tensor) and t.is_floating_point()
                   else t for t in inputs)
    scopes, node_scopes = _scopes(model), {}
    modes = [(module, module.training) for module in model.modules()]
    model.eval()                                   # as PyTorch traces: no dropout, fixed BatchNorm
    handles = _record_scopes(model, scopes, node_scopes)
    try:
        with enable_grad():
            result = model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            module.training = training
    outputs = [t for t in (result if isinstance(result, (tuple, list)) else (result,))
               if isinstance(t, Tensor) and t.grad_fn is not None]
    if not outputs:
        raise ValueError("add_graph: the model's output does not depend on any parameter or "
                         "input that requires grad, so autograd recorded no graph to show.")
    order = topological_sort([output.grad_fn for output in outputs])
    shapes = _output_shapes(outputs, order)
    leaf_names = {id(t): f"input/input.{i}" for i, t in enumerate(inputs) if isinstance(t, Tensor)}
    for name, parameter in model.named_parameters():
        module_name, _, own_name = name.rpartition(".")
        owner = model.get_submodule(module_name) if module_name else model
        leaf_names[id(parameter)] = f"{scopes[owner]}/{own_name}"
    names, used = {}, {}
    for node in order:                             # inputs before the ops that use them
        if type(node) is AccumulateGrad:
            name = leaf_names.get(id(node.variable), "leaf")
        else:
            operation = re.sub(r"Backward\d*$", "", node.name())
            name = f"{node_scopes.get(node, scopes[model])}/{operation}"
        used[name] = used.get(name, -1) + 1
        names[node] = name if used[name] == 0 else f"{name}.{used[name]}"
    nodes = []
    for node in order:
        is_leaf = type(node) is AccumulateGrad
        operation = ("IO Node" if names[node].startswith("input/") else "Parameter") if is_leaf \
            else re.sub(r"Backward\d*$", "", node.name())
        attributes = {"_output_shapes": proto.attr_shapes([shapes[node]])} if node in shapes else {}
        inputs_of_node = [names[input_node] for input_node, _ in node.next_functions
                          if input_node is not None]
        nodes.append(proto.node_def(names[node], operation, inputs_of_node, attributes))
    for index, output in enumerate(outputs):
        nodes.append(proto.node_def(f"output/output.{index}", "IO Node", [names[output.grad_fn]],
                                    {"_output_shapes": proto.attr_shapes([tuple(output.shape)])}))
    return proto.graph_def(nodes)
