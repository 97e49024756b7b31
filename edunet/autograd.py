"""Reverse-mode automatic differentiation: the graph and the engine that walks it.

Every differentiable operation is a :class:`Function`. Calling one records a node:

    y = x * w          # y.grad_fn is a Mul node; Mul.next_functions points at
                       # the nodes that produced x and w

``y.backward()`` then applies the chain rule from the output back to the leaves:

1. ``topological_sort``: order the nodes so each comes after every node it feeds;
2. walk that order backwards; each node turns the gradient of its output into
   gradients of its inputs (``Function.backward``), which are summed (``+``)
   where a tensor was used more than once;
3. at a leaf, :class:`AccumulateGrad` adds the result into ``leaf.grad``.

That walk, :func:`walk_backward`, is written once: the graph widget
(edunet/viz/graph.py) and TensorBoard's graph replay it too, each with a
:class:`BackwardObserver` that records what it shows instead of filling ``.grad``.

The walk is a loop, not recursion, so a chain of 10,000 ops is no problem. The
graph holds no reference cycles (a node never refers to its own output tensor),
so it is freed the moment nothing refers to it, without Python's cycle collector.
"""

import weakref

import numpy

from edunet.autograd_names import NODE_NAMES
from edunet.backend import device_of, get_array_module, move_array
from edunet.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                              set_grad_enabled)
from edunet.tensor import Tensor
from edunet.ops import checks

__all__ = ["Function", "AccumulateGrad", "topological_sort", "walk_backward", "BackwardObserver",
           "backward", "grad",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled"]

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward. (In a training loop this usually means a tensor computed before the "
    "loop is reused inside it: recompute it each step, or .detach() it.)"
)


class Function:
    """One differentiable operation, and the graph node that remembers it.

    A subclass writes ``forward`` and ``backward`` side by side, on raw arrays
    (NumPy or CuPy); the instance itself is the context that carries what
    backward needs from forward::

        class Mul(Function):
            def forward(self, x, y):
                self.save_for_backward(x, y)
                return x * y

            def backward(self, grad_output):
                x, y = self.saved_arrays
                return grad_output * y, grad_output * x

    ``Mul.apply(a, b)`` runs it on tensors: positional arguments are the input
    tensors, keyword arguments are options (``dim=1``) passed on to ``forward``.
    ``backward`` returns one gradient per input (or None where
    ``self.needs_input_grad`` says it is not needed), each shaped like its input.

    Functions written PyTorch's way, with ``@staticmethod forward(ctx, ...)`` and
    ``backward(ctx, grad_output)`` on tensors, work too (see edunet/user_function.py).
    """

    grad_fn_name = None  # set on a node whose PyTorch name depends on the call (autograd_names.py)
    written_pytorch_style = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        forward = next(klass.__dict__["forward"] for klass in cls.__mro__ if "forward" in klass.__dict__)
        cls.written_pytorch_style = isinstance(forward, staticmethod)

    # What a node holds before apply() records it. Class attributes serve as the defaults,
    # so making a node (once per operation) sets nothing; an instance sets what changes.
    next_functions = ()      # ((input node, 0), ...): where each input's gradient goes
    needs_input_grad = ()    # (True/False, ...): which inputs want a gradient
    tensor_hooks = None      # hooks registered on the output tensor: {id: hook}
    retained_output = None   # weakref to the output when it called retain_grad()
    _saved = ()
    _saved_versions = ()     # the versions of the saved tensors (edunet/views.py)
    # True for ops whose output is a view of their first input (shares its memory):
    # reshape, transpose, x[1:3], ... (edunet/views.py explains what follows from that).
    is_view = False
    # For the version check: {saved input: the inputs whose gradients need it}. Mul's x is
    # only needed for y's gradient (dz/dy = x), so ``w * 2`` doesn't watch w (as in PyTorch).
    # An input not listed is watched whenever it is saved.
    saved_input_used_by = {}

    def forward(self, *arrays, **options):
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    def save_for_backward(self, *arrays):
        """Keep arrays that ``backward`` will need; freed after the backward pass."""
        self._saved = arrays

    @property
    def saved_arrays(self):
        if self._saved is None:
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        if self._saved_versions:
            views.check_saved_versions(self)  # RuntimeError if one was changed in place since
        return self._saved

    def release(self):
        """Free the saved arrays (after backward, unless ``retain_graph=True``)."""
        if self._saved:
            self._saved = None

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the operation on tensors and, when gradients are needed, record it."""
        if cls.written_pytorch_style:
            return user_function.apply(cls, inputs, options)
        function = cls()
        arrays = _arrays_on_one_device(inputs, cls)
        output = function.forward(*arrays, **options)
        result = None
        if is_grad_enabled():
            for tensor in inputs:
                if tensor._view is not None:
                    views.refresh_history(tensor)  # its base may have been changed in place
            for tensor in inputs:
                if tensor._requires_grad:
                    function.needs_input_grad = tuple(t._requires_grad for t in inputs)
                    function.next_functions = tuple(t._gradient_edge() for t in inputs)
                    result = Tensor._make(output, function)
                    break
        if result is None:
            result = Tensor._make(output)
        if cls.is_view and views.shares_memory(result.array, arrays[0]):
            views.make_view(result, inputs[0], cls, options)
        if function._saved and result._grad_fn is not None:
            views.record_saved_versions(function, inputs, arrays, result)
        return result

    def name(self):
        """PyTorch's name for this node, e.g. ``MulBackward0`` (edunet/autograd_names.py)."""
        return self.__dict__.get("grad_fn_name") or node_name(type(self))

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad:
    """The node for a leaf tensor: adds the gradient that reaches it into ``leaf.grad``."""

    next_functions = ()
    retained_output = None

    def __init__(self, variable):
        self.variable = variable

    @property
    def tensor_hooks(self):
        return self.variable._hooks

    def accumulate(self, gradient):
        """Add ``gradient`` into the leaf's ``.grad`` (a copy the first time: the array
        may be shared with other nodes, or be the one passed to ``backward``)."""
        leaf = self.variable
        if gradient.shape != leaf.shape:
            raise RuntimeError(f"internal error: gradient of shape {tuple(gradient.shape)} "
                               f"reached a leaf of shape {tuple(leaf.shape)}")
        if leaf._grad is None:
            leaf._grad = Tensor._make(gradient.astype(leaf.array.dtype, copy=True))
        else:
            leaf._grad.array += gradient

    def release(self):
        pass

    def name(self):
        return NODE_NAMES["AccumulateGrad"]

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


def node_name(function_type):
    """PyTorch's name for the nodes of a Function class: the table, else ``ClassBackward0``.

    (A class attribute ``grad_fn_name`` is still honoured where an op file sets one.)
    """
    return (NODE_NAMES.get(function_type.__name__) or function_type.grad_fn_name
            or function_type.__name__ + "Backward0")


def _arrays_on_one_device(inputs, function_type):
    """The inputs' arrays, after checking they live on one device.

    A 0-d CPU tensor may join GPU tensors (it is moved), as in PyTorch.
    """
    arrays = [tensor.array for tensor in inputs]
    if all(type(array) is numpy.ndarray for array in arrays):
        return arrays
    devices = [device_of(array) for array in arrays]
    target = next((d for d, a in zip(devices, arrays) if d.type != "cpu" or a.ndim), devices[0])
    for index, (device, array) in enumerate(zip(devices, arrays)):
        if device == target:
            continue
        if device.type == "cpu" and array.ndim == 0:
            arrays[index] = move_array(array, target)
            continue
        raise RuntimeError(
            f"Expected all tensors to be on the same device, but found at least two devices, "
            f"{target} and {device}! ({function_type.__name__} got one input on each.) "
            f"Move them together first, e.g. x = x.to('{target}') for every input, "
            f"or model.to(device) and inputs.to(device) with one device variable."
        )
    return arrays


def topological_sort(root_nodes):
    """All nodes reachable from ``root_nodes``, each listed after every node it feeds.

    So ``reversed(order)`` visits the outputs first, and reaches a node only when
    every gradient flowing into it has been computed. Depth-first, with an explicit
    stack instead of recursion.
    """
    order = []
    visited = set()
    stack = [(node, False) for node in root_nodes]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for input_node, _ in node.next_functions:
            if input_node is not None and input_node not in visited:
                stack.append((input_node, False))
    return order


class BackwardObserver:
    """What :func:`walk_backward` tells whoever runs it; each method may be overridden.

    The engine (``backward``), the graph widget (edunet/viz/graph.py) and
    TensorBoard's graph (edunet/utils/tensorboard/graph.py) all walk the graph with
    the same loop and differ only in what they do at each step.
    """

    def arrived(self, node, grad_output):
        """Every gradient for ``node``'s output has come in (summed); return the one to use."""
        return grad_output

    def reached_leaf(self, node, gradient):
        """The gradient of a leaf tensor (``node`` is its AccumulateGrad)."""

    def apply_backward(self, node, grad_output):
        """The gradients of ``node``'s inputs; None to stop there."""
        return node.backward(grad_output)

    def passed(self, node, input_node, gradient):
        """``node`` sent ``gradient`` towards ``input_node``."""


def walk_backward(roots, observer, order=None):
    """The backward pass: the chain rule applied from the roots back to the leaves.

    Args:
        roots: ``(node, gradient)`` pairs to start from.
        observer: a :class:`BackwardObserver`, told what happens at each step.
        order: ``topological_sort`` of the roots' nodes, if already made.

    Each node is visited after every node its output feeds, so by then all the
    gradients of its output have arrived and been summed. Returns the order.
    """
    if order is None:
        order = topological_sort([node for node, _ in roots])
    gradients = {}
    for node, gradient in roots:
        _add_gradient(gradients, node, gradient)
    for node in reversed(order):
        grad_output = gradients.pop(node, None)
        if grad_output is None:
            continue  # no gradient flows through this node
        grad_output = observer.arrived(node, grad_output)
        if type(node) is AccumulateGrad:
            observer.reached_leaf(node, grad_output)
            continue
        input_gradients = observer.apply_backward(node, grad_output)
        if input_gradients is None:
            continue
        if type(input_gradients) is not tuple:
            input_gradients = (input_gradients,)
        for (input_node, _), gradient in zip(node.next_functions, input_gradients):
            if input_node is not None and gradient is not None:
                observer.passed(node, input_node, gradient)
                _add_gradient(gradients, input_node, gradient)
    return order


def _add_gradient(gradients, node, gradient):
    """Sum the gradients that reach one node (a tensor used twice gets two)."""
    if node in gradients:
        # A new array, never +=: an op may pass one array on to several inputs.
        gradients[node] = gradients[node] + gradient
    else:
        gradients[node] = gradient


class _Engine(BackwardObserver):
    """What ``backward()`` does along the walk: hooks, then ``.grad`` of the leaves."""

    def __init__(self, capture):
        self.capture = capture

    def arrived(self, node, grad_output):
        grad_output = _run_tensor_hooks(node, grad_output)
        if self.capture is not None and node in self.capture:
            self.capture[node] = grad_output
        return grad_output

    def reached_leaf(self, node, gradient):
        if self.capture is None:
            node.accumulate(gradient)


def _run_tensor_hooks(node, gradient):
    """Apply the hooks registered on the tensor this node produced (or the leaf)."""
    hooks = node.tensor_hooks
    if hooks:
        for hook in list(hooks.values()):
            replaced = hook(Tensor._make(gradient))
            if replaced is not None:
                checks.check_hook_result(hook, replaced, gradient)  # a Tensor of the same dtype
                if replaced.shape != gradient.shape:
                    raise RuntimeError(f"hook {hook!r} returned a gradient of shape "
                                       f"{tuple(replaced.shape)}, expected {tuple(gradient.shape)}")
                gradient = replaced.array
    retained = node.retained_output() if node.retained_output is not None else None
    if retained is not None:
        if retained._grad is None:
            retained._grad = Tensor._make(gradient.copy())
        else:
            retained._grad.array = retained._grad.array + gradient
    return gradient


def run_backward(roots, retain_graph=False, capture=None):
    """The engine: propagate gradients from ``roots`` to the leaves (:func:`walk_backward`).

    Args:
        roots: list of ``(node, gradient_array)`` pairs to start from.
        retain_graph: keep saved arrays so backward can run again.
        capture: for ``autograd.grad``: a dict whose keys are nodes; the gradient
            reaching each is stored as its value, and no ``.grad`` is touched.
    """
    order = topological_sort([node for node, _ in roots])
    try:
        walk_backward(roots, _Engine(capture), order)
    finally:
        if not retain_graph:
            for node in order:
                node.release()


def _root_gradient(output, gradient, position):
    """The starting gradient for one output of ``backward``/``grad``."""
    if not output.requires_grad:
        raise RuntimeError(
            f"element {position} of tensors does not require grad and does not have a grad_fn. "
            "Nothing that produced it requires grad: set requires_grad=True on the inputs you "
            "want gradients for, and don't compute it under edunet.no_grad() or after .detach()."
        )
    if gradient is None:
        if output.numel() != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs. This output has shape "
                f"{tuple(output.shape)}. Reduce it to one number first (e.g. loss = y.sum() or "
                f"y.mean()), or pass the gradient of the final result with respect to it: "
                f"y.backward(gradient=edunet.ones_like(y))."
            )
        xp = get_array_module(output.array)
        return xp.ones(output.array.shape, dtype=output.array.dtype)
    gradient = gradient if isinstance(gradient, Tensor) else Tensor._make(numpy.asarray(gradient))
    if gradient.shape != output.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{position}] has a shape of {gradient.shape} and "
            f"output[{position}] has a shape of {output.shape}. The gradient passed to backward "
            f"must have the same shape as the tensor it belongs to."
        )
    return gradient.array.astype(output.array.dtype, copy=False)


def _as_tuple(value):
    if value is None:
        return None
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into ``.grad`` of the leaves the gradients of ``tensors``.

    Same as ``tensors.backward(grad_tensors)`` for one tensor; for several, the
    sum of their gradients (``torch.autograd.backward``).
    """
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (gradients of gradients) is not supported: edunet's backward "
            "functions work on plain arrays, which keeps each one short enough to read. "
            "Use PyTorch for higher-order derivatives."
        )
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    roots = [(tensor._gradient_edge()[0], _root_gradient(tensor, gradient, position))
             for position, (tensor, gradient) in enumerate(zip(tensors, grad_tensors))]
    if inputs is None:
        run_backward(roots, retain_graph=bool(retain_graph))
        return
    inputs = _as_tuple(inputs)
    results = grad(tensors, inputs, [Tensor._make(g) for _, g in roots],
                   retain_graph=retain_graph, allow_unused=True)
    for tensor, result in zip(inputs, results):
        if result is None:
            continue
        if tensor._grad is None:
            tensor._grad = result
        else:
            tensor._grad.array += result.array


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not stored.

    Unlike ``backward()``, nothing is added to any ``.grad``::

        (dy_dx,) = edunet.autograd.grad(y, x)

    Returns a tuple with one tensor (or None, with ``allow_unused=True``) per input.
    """
    if create_graph:
        backward(None, create_graph=True)  # raises the explanation
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_outputs has {len(grad_outputs)} entries for {len(outputs)} outputs")
    edges = []
    for tensor in inputs:
        if not tensor.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        edges.append(tensor._gradient_edge()[0])
    capture = dict.fromkeys(edges)
    roots = [(tensor._gradient_edge()[0], _root_gradient(tensor, gradient, position))
             for position, (tensor, gradient) in enumerate(zip(outputs, grad_outputs))]
    run_backward(roots, retain_graph=bool(retain_graph), capture=capture)
    results = []
    for tensor, edge in zip(inputs, edges):
        gradient = capture[edge]
        if gradient is None:
            if materialize_grads:
                results.append(Tensor._make(tensor.array * 0))
                continue
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            results.append(None)
        else:
            results.append(Tensor._make(gradient.copy()))
    return tuple(results)


def _make_accumulator(tensor):
    """The AccumulateGrad node of a leaf, one per leaf while any graph uses it."""
    node = tensor._accumulator() if tensor._accumulator is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(node)
    return node


from edunet import user_function, views  # noqa: E402  (they build on Function)
from edunet.gradcheck import gradcheck  # noqa: E402  (edunet.autograd.gradcheck, as in PyTorch)
