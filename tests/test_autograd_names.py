"""PyTorch's node names live in one table, edunet/autograd_names.py."""

import importlib
import pkgutil

import pytest

import edunet
from edunet.autograd import Function, node_name
from edunet.autograd_names import NODE_NAMES

torch = pytest.importorskip("torch")


def all_function_classes():
    for module in pkgutil.walk_packages(edunet.__path__, "edunet."):
        if not module.name.startswith("edunet.viz"):
            importlib.import_module(module.name)
    pending, found = list(Function.__subclasses__()), []
    while pending:
        function_type = pending.pop()
        pending.extend(function_type.__subclasses__())
        if function_type.__module__.startswith("edunet.") and not function_type.written_pytorch_style:
            found.append(function_type)
    return found


def test_every_op_has_its_row():
    missing = [function_type.__name__ for function_type in all_function_classes()
               if function_type.__name__ not in NODE_NAMES
               and function_type.__name__ != "UserFunctionNode"]  # named after the user's class
    assert missing == []


def test_the_table_wins_and_a_class_attribute_is_the_fallback():
    class Mul(Function):  # the same class name as a row of the table
        grad_fn_name = "SomethingElse"
    assert node_name(Mul) == "MulBackward0"

    class Unlisted(Function):
        grad_fn_name = "UnlistedBackward3"
    assert node_name(Unlisted) == "UnlistedBackward3"

    class Plain(Function):
        pass
    assert node_name(Plain) == "PlainBackward0"


def test_names_match_torch():
    def names(library):
        x = library.ones(2, 3, requires_grad=True)
        w = library.ones(4, 3, requires_grad=True)
        y = library.nn.functional.linear(x, w)
        results = [y * 2, y + 1, y.sum(), y.sum(1), y.mean(), y.exp(), y.relu(), y.sigmoid(),
                   y.t(), y.view(8), y.reshape(4, 2), y[0], y[:, 1:], y.unsqueeze(0), y.max(),
                   y.transpose(0, 1).reshape(8), library.cat([y, y]), y.tanh()]
        named = [type(r.grad_fn).__name__ if library is torch else r.grad_fn.name() for r in results]
        leaf = y.grad_fn.next_functions[-1][0] if library is edunet else None
        return named, None if leaf is None else leaf.name()
    ours, leaf_name = names(edunet)
    theirs, _ = names(torch)
    assert ours == theirs
    assert leaf_name == "AccumulateGrad"
