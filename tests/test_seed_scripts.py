"""The seeds' scripts run pasted unchanged after ``edunet.as_torch()`` and print what PyTorch prints.

Each script in tests/seed_scripts/ runs in a fresh Python process with
``import edunet; edunet.as_torch()`` put in front of it. Its output must hold the
values the tutorials (and PyTorch) print; where PyTorch is installed, the same
script also runs under real PyTorch, and every printed line must be the same,
except the lines with random values that the script names in a
``# random lines: ...`` comment.
"""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "seed_scripts"
PREAMBLE = "import edunet; edunet.as_torch()\n"

# What the tutorials print (PyTorch's values, and the math of each example).
EXPECTED = {
    "module_basics.py": ["tensor([2.])", "AddOne()"],
    "conv2d_functional.py": [
        "torch.Size([1, 1, 5, 5])", "torch.Size([1, 1, 3, 3])",
        "tensor([[[[10, 12, 12],\n          [18, 16, 16],\n          [13,  9,  3]]]])",
        "tensor([[[[10, 12],\n          [13,  3]]]])",
        "tensor([[[[ 1,  3,  4, 10,  8],\n          [ 5, 10, 12, 12,  6],\n"
        "          [ 7, 18, 16, 16,  8],\n          [11, 13,  9,  3,  4],\n"
        "          [14, 13,  9,  7,  4]]]])",
        "torch.Size([1, 1, 5, 5]) torch.int64"],
    "maxpool_ceil_mode.py": ["tensor([[[[2., 3.],\n          [5., 1.]]]])", "tensor([[[[2.]]]])",
                             "MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, "
                             "ceil_mode=True)"],
    "activations.py": ["tensor([[[[1., 0.],\n          [0., 3.]]]])",
                       "tensor([[[[0.7311, 0.3775],\n          [0.2689, 0.9526]]]])",
                       "tensor([0., 2.])", "ReLU(inplace=True) Sigmoid()"],
    "cifar10_cnn.py": ["torch.Size([64, 10])", "145578", "graph written",
                       "(0): Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"],
    "losses.py": ["tensor(2.)", "tensor(1.3333)", "tensor(1.1019)"],
    "init_and_summary.py": ["tensor([0., 0., 0.], requires_grad=True) [0.0, 0.0]",
                            "torch.Size([5, 2])", "Linear-1                     [5, 3]              12",
                            "Total params: 26", "Trainable params: 26"],
    "digit_classifier.py": ["torch.Size([64, 10]) torch.float32", "torch.Size([3, 10])",
                            "(dropout): Dropout(p=0.3, inplace=False)", "parameters: 568,970"],
    "quickstart_model.py": ["Using cpu device", "torch.Size([3, 28, 28])", "torch.Size([3, 784])",
                            "torch.Size([3, 20])", "torch.Size([3, 10])",
                            "linear_relu_stack.0.weight torch.Size([512, 784]) torch.float32 True"],
    "sgd_steplr.py": ["lr 0.1000", "lr 0.0500", "lr 0.0250", "lr 0.0125", "SGD (",
                      "torch.Size([1, 2]) torch.Size([1])"],
}
# Packages a script needs under real PyTorch, besides torch itself.
NEEDS = {"init_and_summary.py": ["torchsummary"], "cifar10_cnn.py": ["tensorboard"]}


def script_names():
    return sorted(path.name for path in SCRIPTS.glob("*.py"))


def run(code, workdir):
    """Run ``code`` in a fresh interpreter in ``workdir``; return its stdout (fail on an error)."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), EDUNET_LANG="en")
    result = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def deterministic_lines(output, script_text):
    """The printed lines, without those the script's ``# random lines:`` comment names (and
    the rest of a tensor printed on several lines after them)."""
    found = re.search(r"^# random lines: (.*)$", script_text, re.MULTILINE)
    prefixes = [item.strip() for item in found.group(1).split(",")] if found else []
    kept, depth = [], 0
    for line in output.splitlines():
        if depth > 0 or any(line.startswith(prefix) for prefix in prefixes):
            depth = max(0, depth + line.count("(") + line.count("[") - line.count(")")
                        - line.count("]"))
            continue
        kept.append(line)
    return kept


def test_every_script_has_expected_output():
    assert script_names() == sorted(EXPECTED)


@pytest.mark.parametrize("name", script_names())
def test_script_runs_unchanged_on_edunet(name, tmp_path):
    text = (SCRIPTS / name).read_text()
    output = run(PREAMBLE + text, tmp_path)
    first, _, rest = output.partition("\n")
    assert first.startswith("edunet.as_torch():")
    for expected in EXPECTED[name]:
        assert expected in rest, f"{name}: missing {expected!r} in\n{rest}"
    assert "edunet." not in rest, "printed names must be PyTorch's after as_torch()"


@pytest.mark.parametrize("name", script_names())
def test_script_prints_what_pytorch_prints(name, tmp_path):
    pytest.importorskip("torch")
    for package in NEEDS.get(name, []):
        if importlib.util.find_spec(package) is None:
            pytest.skip(f"{package} is not installed, so PyTorch cannot run {name}")
    text = (SCRIPTS / name).read_text()
    (tmp_path / "edunet").mkdir()
    (tmp_path / "torch").mkdir()
    ours = run(PREAMBLE + text, tmp_path / "edunet").partition("\n")[2]
    # Without the preamble, `import torch` is the real PyTorch.
    theirs = run(text, tmp_path / "torch")
    assert deterministic_lines(ours, text) == deterministic_lines(theirs, text)
