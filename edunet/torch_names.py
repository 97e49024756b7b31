"""Run PyTorch code unchanged: ``edunet.as_torch()``.

Tutorials start with ``import torch``, ``from torch import nn``, ``from torchvision
import datasets, transforms``, ``from torchsummary import summary``. After

    import edunet
    edunet.as_torch()

those lines load edunet in this Python process (this kernel), so a tutorial's code
can be pasted as it is:

    ==============================  =====================================
    import torch                    edunet
    torch.nn, torch.optim, ...      edunet.nn, edunet.optim, ...
    torchvision(.datasets, ...)     edunet.vision(.datasets, ...)
    torchsummary, torchinfo         a module whose ``summary`` is edunet's
    ==============================  =====================================

and tensors print as PyTorch prints them: ``torch.Size([64, 10])``,
``torch.float32`` (``edunet.Size`` and ``edunet.float32`` otherwise).

How: Python asks each *finder* in ``sys.meta_path`` in turn where a module is.
``as_torch`` puts one in front (:class:`TorchNameFinder`) that answers for the
names above with edunet's module. A PyTorch module that edunet does not have
(``torch.distributed``, ``torchvision.models``) raises ModuleNotFoundError naming
what is missing.

``edunet.as_torch(False)`` undoes it: the names no longer load edunet, and sizes
print as ``edunet.Size`` again. (Names that were already imported keep pointing at
edunet's modules: Python cannot take back an ``import``.)

The real PyTorch and edunet cannot share the name ``torch`` in one process: if
PyTorch is already imported, ``as_torch`` refuses. Restart the kernel first.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

from edunet import dtypes

# A top-level name in PyTorch code -> the edunet module that stands for it.
PACKAGES = {"torch": "edunet", "torchvision": "edunet.vision"}
# Model-summary packages: each becomes a small module with a ``summary`` function.
SUMMARY_PACKAGES = ("torchsummary", "torchinfo")

ON_MESSAGE = ("edunet.as_torch(): `import torch`, torchvision, torchsummary and torchinfo now "
              "load edunet in this process.")
ALREADY_ON_MESSAGE = "edunet.as_torch(): already on; `import torch` loads edunet in this process."
OFF_MESSAGE = ("edunet.as_torch(False): `import torch` no longer loads edunet; names imported "
               "before keep pointing at edunet's modules.")


class TorchNameFinder(importlib.abc.MetaPathFinder):
    """Answers ``import torch...``, ``import torchvision...``, ``import torchsummary``."""

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top == "edunet":
            return self._check_edunet_module(fullname, path, target)
        if top in SUMMARY_PACKAGES:
            if fullname != top:
                raise _missing(fullname, top, f"{top}.summary only")
            return importlib.machinery.ModuleSpec(fullname, SummaryModuleLoader())
        if top not in PACKAGES:
            return None            # not ours: the next finder looks for it
        edunet_name = PACKAGES[top] + fullname[len(top):]
        try:
            found = importlib.util.find_spec(edunet_name)
        except ModuleNotFoundError:  # the parent is a module, not a package
            found = None
        if found is None:
            raise _missing(fullname, top, f"no {edunet_name}")
        return importlib.machinery.ModuleSpec(fullname, AliasLoader(edunet_name),
                                              is_package=found.submodule_search_locations
                                              is not None)

    def _check_edunet_module(self, fullname, path, target):
        """``from torchvision import models`` asks Python for ``edunet.vision.models``
        (``torchvision`` *is* edunet.vision now), and a missing one would end as a bare
        "cannot import name". So an edunet module that no other finder finds raises the
        same ModuleNotFoundError as ``import torchvision.models``."""
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is not self and find is not None and find(fullname, path, target):
                return None          # it exists: the usual finders load it
        for top, edunet_name in sorted(PACKAGES.items(), key=lambda item: -len(item[1])):
            if fullname.startswith(edunet_name + "."):
                raise _missing(top + fullname[len(edunet_name):], top, f"no {fullname}")
        return None


def _missing(fullname, top, what_edunet_has):
    return ModuleNotFoundError(
        f"No module named '{fullname}': after edunet.as_torch(), edunet stands in for {top} "
        f"in this process, and it has {what_edunet_has}. edunet covers PyTorch's teaching "
        f"subset; for the rest, restart the kernel and use the real {top} (without "
        f"edunet.as_torch()).", name=fullname)


class AliasLoader(importlib.abc.Loader):
    """Loads ``torch.X`` as the already existing module ``edunet.X`` (the same object)."""

    def __init__(self, edunet_name):
        self.edunet_name = edunet_name
        self.edunet_spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.edunet_name)
        self.edunet_spec = module.__spec__
        return module

    def exec_module(self, module):
        # The import system has just labelled the module with the alias's spec; the
        # module is still edunet's, so give it its own spec back (importlib.reload needs it).
        module.__spec__ = self.edunet_spec


class SummaryModuleLoader(importlib.abc.Loader):
    """Makes the ``torchsummary`` or ``torchinfo`` module: just a ``summary`` function."""

    def create_module(self, spec):
        return types.ModuleType(spec.name)

    def exec_module(self, module):
        module.__doc__ = (f"edunet standing in for {module.__name__} (edunet.as_torch()): "
                          f"summary() is edunet.summary.")
        module.summary = torchsummary_summary if module.__name__ == "torchsummary" \
            else torchinfo_summary


def torchsummary_summary(model, input_size, batch_size=-1, device="cuda"):
    """torchsummary's ``summary``: ``input_size`` is one sample's shape, without the batch;
    prints the table (the batch shown as ``batch_size``) and returns None, as torchsummary does.
    ``device="cuda"`` (its default) falls back to the CPU when there is no GPU."""
    from edunet import cuda
    from edunet.summary import summary
    device = "cuda" if str(device).lower() == "cuda" and cuda.is_available() else "cpu"
    print(summary(model, input_size=input_size, batch_size=batch_size, device=device))


def torchinfo_summary(model, input_size=None, input_data=None, *, depth=3, device=None,
                      dtypes=None, verbose=0, **ignored_options):
    """torchinfo's ``summary``: ``input_size`` includes the batch; returns the statistics,
    which display as the table. Options edunet does not have (col_names, ...) are ignored."""
    from edunet.summary import summary
    return summary(model, input_size=input_size, input_data=input_data, depth=depth,
                   device=device, dtypes=dtypes, verbose=verbose)


def _finder():
    """Our finder in ``sys.meta_path``, or None."""
    return next((finder for finder in sys.meta_path if isinstance(finder, TorchNameFinder)), None)


def _alias_names():
    """The names in ``sys.modules`` that we made: torch, torch.nn, torchvision, ..."""
    ours = (*PACKAGES, *SUMMARY_PACKAGES)
    return [name for name, module in list(sys.modules.items())
            if name.partition(".")[0] in ours
            and (getattr(module, "__name__", "").startswith("edunet")
                 or isinstance(getattr(module, "__spec__", None), importlib.machinery.ModuleSpec)
                 and isinstance(module.__spec__.loader, SummaryModuleLoader))]


def is_active():
    """True while ``import torch`` loads edunet (between as_torch() and as_torch(False))."""
    return _finder() is not None


def as_torch(enable=True):
    """Make ``import torch`` (torchvision, torchsummary, torchinfo) load edunet in this process.

    Call it once, before any ``import torch``; then paste PyTorch code unchanged.
    Tensors, sizes and dtypes print under PyTorch's names (``torch.Size([64, 10])``).
    Calling it again does nothing; ``edunet.as_torch(False)`` undoes it. Prints one
    line saying what it did.

    Raises RuntimeError if the real PyTorch is already imported in this process.

    >>> import edunet
    >>> edunet.as_torch()
    >>> import torch
    >>> torch.zeros(2, 3).shape
    torch.Size([2, 3])
    """
    if not enable:
        finder = _finder()
        if finder is not None:
            sys.meta_path.remove(finder)
        for name in _alias_names():
            del sys.modules[name]
        dtypes.set_printed_library_name("edunet")
        print(OFF_MESSAGE)
        return
    if _finder() is not None:
        print(ALREADY_ON_MESSAGE)
        return
    real_torch = sys.modules.get("torch")
    if real_torch is not None and not getattr(real_torch, "__name__", "").startswith("edunet"):
        version = getattr(real_torch, "__version__", "?")
        raise RuntimeError(
            f"edunet.as_torch(): the real PyTorch (torch {version}) is already imported in this "
            f"process, so `import torch` cannot mean edunet here. Restart the kernel (or "
            f"Python) and call edunet.as_torch() before any `import torch`, or keep PyTorch and "
            f"write `import edunet` where you want edunet.")
    sys.meta_path.insert(0, TorchNameFinder())
    dtypes.set_printed_library_name("torch")
    print(ON_MESSAGE)
