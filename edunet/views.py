"""Views, in-place changes and the version counter: autograd when memory is shared.

Two mechanisms keep gradients right when tensors share memory. They are where
PyTorch surprises people most, so here they are in plain words.

**1. Views share memory, in every mode, and in-place changes travel through them.**
``v = y[1:3]`` (and ``view``, ``reshape`` when it can, ``transpose``, ``permute``,
``t``, ``squeeze``, ``unsqueeze``, ``expand``, ``narrow``, ``select``, ``split``,
``chunk``, ``unbind``) makes no copy: ``v`` is a window onto ``y``'s memory, and
``y`` is its *base*. So ``v.mul_(10)`` changes ``y`` too, and ``y.mul_(10)``
changes what ``v`` shows. Autograd must then rewrite history:

- In-place on a view, ``v.mul_(10)``: ``y``'s values changed, so ``y``'s node
  (``grad_fn``) becomes a :class:`CopySlices` node. In backward it takes the
  gradient of ``y``, sends the part for the window ``[1:3]`` back through the
  in-place op's own backward (mul_'s: times 10), and passes the rest of ``y``'s
  gradient through unchanged to ``y``'s old history::

      grad of old y = grad of y, except at [1:3]:  grad of y[1:3] * 10

- A view of a tensor changed in place: ``v`` keeps its memory (it sees the new
  values at once), and the next time anyone asks for ``v.grad_fn``, it is
  rebuilt by replaying the view on the base's new history ("view replay";
  PyTorch calls the rebuilt node ``AsStridedBackward0``). A view remembers the
  steps that made it from its base (``ViewInfo.steps``) for exactly this.

Some views may not be changed in place while autograd records, with PyTorch's
errors: views of a leaf that requires grad (the leaf's values would change
behind autograd's back), views made under ``no_grad`` of a tensor that requires
grad, and the outputs of ``unbind``/``split``/``chunk`` (several views at once).
An ``expand``-ed tensor can't be written at all: one memory cell is many elements.

**2. The version counter: saved values must not change before backward.**
Many backward formulas need forward values: ``y = x * w`` saves ``x`` and ``w``;
``s = x.sigmoid()`` saves ``s`` itself (ds/dx = s * (1 - s)). Every tensor has a
counter ``t._version``, shared by a base and all its views (and ``detach()``, but
not ``.data``), which every in-place operation increments. A node records the
versions of the tensors it saved; in backward it compares, and if one changed it
raises PyTorch's RuntimeError "one of the variables needed for gradient
computation has been modified by an inplace operation" with the tensor, where it
came from, and the usual fixes: change a ``.clone()``, use the out-of-place form,
or call ``optimizer.step()`` only after every ``backward()`` that uses the graph.
Ops that save only shapes (``y = x + 1``) don't check, so changing ``x`` then is fine.
"""

import re

import numpy

from edunet.autograd import Function
from edunet.backend import get_array_module
from edunet.grad_mode import enable_grad, is_grad_enabled
from edunet.tensor import Tensor


# ---------------------------------------------------------------- the version counter
class VersionCounter:
    """How many in-place changes a piece of memory has seen; shared by its views."""

    __slots__ = ("value", "last_change")

    def __init__(self):
        self.value = 0
        self.last_change = None  # the name of the latest in-place operation, for the error


def version_counter(tensor):
    """``tensor``'s counter, made on first use (most tensors never need one)."""
    counter = tensor._version_counter
    if counter is None:
        counter = tensor._version_counter = VersionCounter()
    return counter


def bump_version(tensor, operation=None):
    """Count one in-place change of ``tensor`` (by ``operation``, e.g. ``"mul_"``)."""
    counter = version_counter(tensor)
    counter.value += 1
    counter.last_change = operation


def record_saved_versions(function, inputs, arrays, output):
    """Note the version of each input or output tensor whose array ``function`` saved.

    One entry per saved array that is a tensor's: (counter, version, shape, dtype,
    the node that made the tensor, which input it is (-1: function's own output),
    its position among the saved arrays).
    """
    entries, claimed = [], set()
    for position, saved in enumerate(function._saved):
        if saved is output.array:
            tensor, number = output, -1
        else:
            number = next((number for number, array in enumerate(arrays)
                           if saved is array and number not in claimed), None)
            if number is None:
                continue
            claimed.add(number)
            used_by = function.saved_input_used_by.get(number)
            if used_by is not None and not any(inputs[other]._requires_grad for other in used_by):
                continue  # no gradient that will be computed needs it
            tensor = inputs[number]
        counter = version_counter(tensor)
        entries.append((counter, counter.value, saved.shape, saved.dtype,
                        None if number == -1 else tensor._grad_fn, number, position))
    function._saved_versions = tuple(entries)


def check_saved_versions(function):
    """RuntimeError, PyTorch's and with a hint, if a tensor ``function`` saved changed since."""
    for counter, version, shape, dtype, producer, number, _ in function._saved_versions:
        if counter.value == version:
            continue
        type_name = Tensor._make(numpy.zeros(0, dtype)).type()  # edunet.FloatTensor, ...
        node_name = function.name()
        producer = function if number == -1 else producer
        where = "" if producer is None else f", which is output 0 of {_forward_name(producer)},"
        changed_by = f"{counter.last_change}()" if counter.last_change else "an in-place operation"
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{type_name} {list(shape)}]{where} is at version {counter.value}; "
            f"expected version {version} instead. Hint: {node_name} saved this tensor in the "
            f"forward pass because its gradient formula needs the value, and {changed_by} changed "
            f"it afterwards (the version counts in-place changes of it and of every view of it). "
            f"Fixes: change a copy (y = y.clone() before the in-place change) or use the "
            f"out-of-place form (y = y * 2 instead of y.mul_(2), relu(inplace=False)); if an "
            f"optimizer changed a parameter, call optimizer.step() only after every backward() "
            f"that uses this graph, or recompute the forward pass after the step.")


def _forward_name(node):
    """``Mul`` for a ``MulBackward0`` node, as PyTorch's message says it."""
    return re.sub(r"Backward\d*$", "", node.name())


# ---------------------------------------------------------------- views
class ViewInfo:
    """What a view knows about where it came from.

    ``base``: the tensor that owns the memory (never itself a view);
    ``steps``: ``((FunctionClass, options), ...)``, replayed to make the view from base;
    ``base_grad_fn``: base's node when this view's own node was made (if base's
    node changes, by an in-place op, the view's node is rebuilt);
    ``kind``: None, ``"no_grad"`` (made without recording) or ``(name, output_number)``
    for one output of unbind/split/chunk.
    """

    __slots__ = ("base", "steps", "base_grad_fn", "kind")

    def __init__(self, base, steps, kind):
        self.base, self.steps, self.base_grad_fn, self.kind = base, steps, base._grad_fn, kind


def make_view(output, source, function_type, options):
    """Mark ``output`` (just made by a view op from ``source``) as a view of source's base."""
    earlier = source._view
    if earlier is None:
        base, steps, kind = source, (), None
    else:
        base, steps, kind = earlier.base, earlier.steps, earlier.kind
    if kind is None and not is_grad_enabled() and base._requires_grad:
        kind = "no_grad"
    output._view = ViewInfo(base, steps + ((function_type, options),), kind)
    output._version_counter = version_counter(base)


def mark_multiple_outputs(views, name):
    """unbind/split/chunk: these views may not be changed in place while recording."""
    for number, view in enumerate(views):
        if view._view is not None and view._view.kind is None:
            view._view.kind = (name, number)
    return views


def replay(base, steps):
    """The view ``steps`` describe, made again from ``base`` (a tensor, recorded)."""
    tensor = base
    for function_type, options in steps:
        tensor = function_type.apply(tensor, **options)
    return tensor


def replay_on_array(array, steps):
    """The same view of a plain array (a window into it, for CopySlices)."""
    for function_type, options in steps:
        array = function_type().forward(array, **options)
    return array


def refresh_history(tensor, strict=True):
    """Rebuild a view's ``grad_fn`` if its base's history changed since it was made."""
    info = tensor._view
    base = info.base
    if base._grad_fn is info.base_grad_fn:
        return
    if info.kind is not None:
        if not strict:
            tensor._requires_grad = base._requires_grad
            return
        raise RuntimeError(_restricted_view_message(info.kind, "its base or another view of its "
                                                    "base has been modified inplace"))
    with enable_grad():
        replayed = replay(base, info.steps)
    info.base_grad_fn = base._grad_fn
    node = replayed._grad_fn
    if node is not None:
        node.grad_fn_name = "AsStridedBackward0"
    tensor._grad_fn, tensor._requires_grad = node, replayed._requires_grad


# ---------------------------------------------------------------- in-place rules
LEAF_MESSAGE = (
    "a leaf Variable that requires grad is being used in an in-place operation. "
    "Changing a parameter in place would hide its original value from autograd. "
    "Optimizers and init functions do it inside `with edunet.no_grad():`; do the same, "
    "or use an out-of-place operation (x = x + 1 instead of x += 1)."
)
VIEW_OF_LEAF_MESSAGE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation. "
    "The view shares memory with the leaf (a parameter or an input with requires_grad=True), "
    "so this would change the leaf behind autograd's back. Change it under "
    "`with edunet.no_grad():` (as optimizers do), or work on a copy: v = x[1:3].clone()."
)
OVERLAP_MESSAGE = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation. (It was made "
    "by expand() or broadcasting, which repeat one stored value instead of copying it.)"
)


def _restricted_view_message(kind, what):
    if kind == "no_grad":
        return (f"A view was created in no_grad mode and {what} with grad mode enabled. Given "
                f"that this use case is ambiguous and error-prone, it is forbidden. You can "
                f"clarify your code by moving both the view and the inplace either both inside "
                f"the no_grad block (if you don't want the inplace to be tracked) or both outside "
                f"(if you want the inplace to be tracked).")
    name, number = kind
    return (f"Output {number} of {name} is a view and {what}. This view is the output of a "
            f"function that returns multiple views. Such functions do not allow the output views "
            f"to be modified inplace. You should replace the inplace operation by an out-of-place "
            f"one (or .clone() the pieces first).")


def check_in_place(tensor):
    """PyTorch's rules for changing ``tensor`` in place (see the module docstring)."""
    array = tensor.array
    if not getattr(array.flags, "writeable", True) or 0 in array.strides:
        if array.size > 1 and any(stride == 0 and size > 1
                                  for stride, size in zip(array.strides, array.shape)):
            raise RuntimeError(OVERLAP_MESSAGE)
        if not getattr(array.flags, "writeable", True):
            raise RuntimeError("this tensor's memory is read-only (it came from a read-only "
                               "NumPy array), so it can't be changed in place: clone() it first.")
    if not is_grad_enabled():
        return
    info = tensor._view
    if info is None:
        if tensor._requires_grad and tensor._grad_fn is None:
            raise RuntimeError(LEAF_MESSAGE)
        return
    base = info.base
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
    if info.kind is not None and base._requires_grad:
        raise RuntimeError(_restricted_view_message(info.kind, "is being modified inplace"))


def check_recorded_change(tensor):
    """Before a recorded in-place change: the views whose history can't be rewritten."""
    info = tensor._view
    if info is not None and info.kind is not None:
        raise RuntimeError(_restricted_view_message(info.kind, "is being modified inplace"))


# ---------------------------------------------------------------- rewriting history
class CopySlices(Function):
    """The new node of a base after an in-place change of one of its views.

    ``fn`` is the in-place op's node (e.g. mul_'s Mul); its first input was the
    view. Backward: the gradient of the base, where the window (the view) gets
    ``fn``'s gradient for that first input instead; ``fn``'s other inputs (the
    ``10`` of ``v.mul_(w)``) get their gradients from ``fn`` as usual.
    """

    def __init__(self, base_edge, steps, fn, first_is_view):
        self.steps, self.fn, self.first_is_view = steps, fn, first_is_view
        others = fn.next_functions[1:] if first_is_view else fn.next_functions
        self.next_functions = (base_edge,) + tuple(others)
        self.needs_input_grad = tuple(node is not None for node, _ in self.next_functions)

    def backward(self, grad_output):
        grad_base = grad_output.copy()
        window = replay_on_array(grad_base, self.steps)
        gradients = self.fn.backward(window.copy())
        if type(gradients) is not tuple:
            gradients = (gradients,)
        if self.first_is_view:
            window[...] = 0 if gradients[0] is None else gradients[0]
            return (grad_base,) + gradients[1:]
        window[...] = 0  # the old values there were overwritten: no gradient reaches them
        return (grad_base,) + gradients

    def release(self):
        self.fn.release()


def rebase_history(tensor, result, view_node):
    """After ``tensor``'s values became ``result``'s (recorded): give it result's history.

    ``view_node``: tensor's node before the change (to see whether result's node
    took tensor as its first input).
    """
    node = result._grad_fn
    _adopt_saved_output(node, result, tensor)  # (after the version was counted)
    info = tensor._view
    if info is None:
        tensor._grad_fn, tensor._requires_grad = node, True
        return
    base = info.base
    first_is_view = (view_node is not None and len(node.next_functions) > 0
                     and node.next_functions[0][0] is view_node)
    base._grad_fn = CopySlices(base._gradient_edge(), info.steps, node, first_is_view)
    base._requires_grad = True
    # ``tensor`` (and every other view of base) gets its node rebuilt from base's when asked.


def keep_saved_values(result, tensor):
    """Before ``tensor``'s memory is overwritten with ``result``'s values.

    The in-place op's node may have saved ``tensor``'s array as its first input
    (``x.pow_(2)`` needs the old x): it gets a private copy of the old values, as
    PyTorch's in-place ops save the "original self". Any other saved use of
    ``tensor`` (``v.mul_(v)``'s second factor, a ``y = v * v`` from before) stays
    watched by the version counter, so backward raises instead of using new values.
    """
    node = result._grad_fn
    if not getattr(node, "_saved_versions", ()):
        return
    saved, kept = list(node._saved), []
    for entry in node._saved_versions:
        if entry[5] == 0 and saved[entry[6]] is tensor.array:
            saved[entry[6]] = tensor.array.copy()  # private now: nothing to watch
        else:
            kept.append(entry)
    node._saved, node._saved_versions = tuple(saved), tuple(kept)


def _adopt_saved_output(node, result, tensor):
    """If ``node`` saved its output, it now lives in ``tensor``: watch tensor's version instead."""
    if not getattr(node, "_saved_versions", ()):
        return
    counter = version_counter(tensor)
    saved = list(node._saved)
    entries = []
    for entry in node._saved_versions:
        if entry[5] == -1:
            saved[entry[6]] = tensor.array
            entry = (counter, counter.value) + entry[2:]
        entries.append(entry)
    node._saved, node._saved_versions = tuple(saved), tuple(entries)


def shares_memory(output, array):
    """Whether a view op's output really is a view of ``array`` (reshape may copy)."""
    return bool(get_array_module(array).may_share_memory(output, array))
