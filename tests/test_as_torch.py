"""edunet.as_torch(): PyTorch's import lines load edunet, and print under PyTorch's names.

Each test runs in a fresh interpreter: the pytest process has usually imported the
real PyTorch already (as the test oracle), and then as_torch() must refuse.
"""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import edunet

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(code):
    """Run ``code`` in a fresh interpreter; return (exit status, stdout, stderr)."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, env=environment, timeout=120)
    return result.returncode, result.stdout, result.stderr


def run_ok(code):
    status, output, errors = run(code)
    assert status == 0, errors[-3000:]
    return output


def test_the_tutorials_import_lines_load_edunets_modules():
    output = run_ok("""
        import edunet
        edunet.as_torch()
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import nn as nn2, optim
        from torch.utils.data import DataLoader
        from torch.utils.tensorboard import SummaryWriter
        from torchvision import datasets, transforms
        import torchvision
        from torchsummary import summary
        from torchinfo import summary as info_summary
        from torch.optim.lr_scheduler import StepLR
        import edunet.nn, edunet.nn.functional, edunet.optim, edunet.vision
        from edunet.utils.data import DataLoader as OurLoader
        from edunet.utils.tensorboard import SummaryWriter as OurWriter
        from edunet.optim.lr_scheduler import StepLR as OurStepLR
        assert torch is edunet and nn is edunet.nn and nn2 is edunet.nn
        assert F is edunet.nn.functional and optim is edunet.optim
        assert DataLoader is OurLoader and SummaryWriter is OurWriter and StepLR is OurStepLR
        assert torchvision is edunet.vision and datasets is edunet.vision.datasets
        assert transforms is edunet.vision.transforms
        assert torch.accelerator is edunet.accelerator
        assert nn.__spec__.name == "edunet.nn"      # the module keeps its own spec
        print(summary.__module__, info_summary.__module__)
        print("ok")
    """)
    assert output.splitlines()[0].startswith("edunet.as_torch(): `import torch`")
    assert output.splitlines()[-1] == "ok"


def test_it_prints_one_line_and_calling_it_again_changes_nothing():
    output = run_ok("""
        import sys, edunet
        edunet.as_torch()
        edunet.as_torch()
        finders = [f for f in sys.meta_path if type(f).__name__ == "TorchNameFinder"]
        print(len(finders))
    """)
    lines = output.splitlines()
    assert len(lines) == 3 and "already" in lines[1] and lines[2] == "1"


def test_sizes_and_dtypes_print_under_torchs_names_only_while_on():
    output = run_ok("""
        import edunet
        edunet.as_torch()
        import torch
        x = torch.ones(64, 10)
        print(x.shape, x.dtype, torch.float64, x.type())
        print(torch.tensor([1., 2.], dtype=torch.float64))
        print(torch.tensor([[1., 5.]]).max(dim=1))
        edunet.as_torch(False)
        print(x.shape, x.dtype)
    """)
    lines = output.splitlines()
    assert lines[1] == "torch.Size([64, 10]) torch.float32 torch.float64 torch.FloatTensor"
    assert lines[2] == "tensor([1., 2.], dtype=torch.float64)"
    assert lines[3] == "torch.return_types.max("
    assert lines[-1] == "edunet.Size([64, 10]) edunet.float32"
    assert lines[-2].startswith("edunet.as_torch(False):")


def test_outside_the_mode_edunet_prints_its_own_names():
    assert repr(edunet.ones(2, 3).shape) == "edunet.Size([2, 3])"
    assert repr(edunet.float32) == "edunet.float32"
    assert "dtype=edunet.float64" in repr(edunet.tensor([1.0], dtype=edunet.float64))


def test_a_torch_module_edunet_lacks_is_a_module_not_found_error_naming_it():
    output = run_ok("""
        import edunet
        edunet.as_torch()
        for name in ("torch.distributed", "torchvision.models", "torch.nn.parallel"):
            try:
                __import__(name)
            except ModuleNotFoundError as error:
                print(error.name, "|", error)
        for line in ("from torchvision import models", "from torch import distributed"):
            try:
                exec(line)
            except ModuleNotFoundError as error:   # not a bare "cannot import name"
                print(error.name, "|", error)
    """)
    lines = output.splitlines()[1:]
    assert len(lines) == 5
    assert lines[3].startswith("torchvision.models |") and "edunet.vision.models" in lines[3]
    assert lines[4].startswith("torch.distributed |")
    assert lines[0].startswith("torch.distributed | No module named 'torch.distributed'")
    assert "edunet.distributed" in lines[0] and "as_torch" in lines[0]
    assert lines[1].startswith("torchvision.models |") and "edunet.vision.models" in lines[1]


def test_it_refuses_when_the_real_torch_is_already_imported():
    status, output, errors = run("""
        import sys, types
        fake = types.ModuleType("torch")
        fake.__version__ = "2.13.0"
        sys.modules["torch"] = fake          # stands for an earlier `import torch`
        import edunet
        edunet.as_torch()
    """)
    assert status != 0
    assert "RuntimeError: edunet.as_torch(): the real PyTorch (torch 2.13.0) is already imported" in errors
    assert "Restart the kernel" in errors


def test_it_refuses_after_a_real_import_torch():
    pytest.importorskip("torch")
    status, _, errors = run("import torch, edunet; edunet.as_torch()")
    assert status != 0 and "RuntimeError" in errors and "already imported" in errors


def test_undo_then_the_real_torch_can_be_imported():
    pytest.importorskip("torch")
    output = run_ok("""
        import edunet
        edunet.as_torch()
        import torch
        assert torch is edunet
        edunet.as_torch(False)
        import torch
        print(torch is edunet, type(torch.ones(1)).__module__)
    """)
    assert output.splitlines()[-1] == "False torch"
