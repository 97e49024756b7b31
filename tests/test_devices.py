"""Devices: parsing, moving tensors, clear errors without CUDA, and mixing devices."""

import numpy
import pytest

import edunet
from edunet import autograd, backend

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("spec", ["cpu", "cuda", "cuda:0", "cuda:1"])
def test_device_repr_and_str_match_torch(spec):
    assert repr(edunet.device(spec)) == repr(torch.device(spec))
    assert str(edunet.device(spec)) == str(torch.device(spec))
    assert edunet.device(spec) == spec


def test_device_parsing_errors_match_torch():
    for bad in ("gpu", "cuda:x"):
        with pytest.raises(RuntimeError):
            torch.device(bad)
        with pytest.raises(RuntimeError):
            edunet.device(bad)


def test_tensors_report_their_device_and_move(device):
    x = edunet.ones(2, 3, device=device)
    assert x.device.type == device and x.is_cuda == (device == "cuda")
    assert x.cpu().device == edunet.device("cpu")
    assert x.to(device) is x
    moved = edunet.tensor([1.0, 2.0], requires_grad=True).to(device)
    (moved * moved).sum().backward()


def test_gradients_flow_back_across_a_device_move(device):
    x = edunet.tensor([1.0, 2.0], requires_grad=True)
    y = (x.to(device) * 3).sum()
    y.backward()
    assert x.grad.device == edunet.device("cpu") and x.grad.tolist() == [3.0, 3.0]


@pytest.mark.skipif(edunet.cuda.is_available(), reason="checks the message shown when CUDA is missing")
def test_asking_for_cuda_without_it_says_why_and_how_to_fix():
    assert not edunet.cuda.is_available() and edunet.cuda.device_count() == 0
    assert not edunet.accelerator.is_available() and edunet.accelerator.current_accelerator() is None
    with pytest.raises(RuntimeError) as error:
        edunet.zeros(2, device="cuda")
    message = str(error.value)
    assert "CuPy" in message and "doctor()" in message and "device='cpu'" in message
    with pytest.raises(RuntimeError, match="CuPy"):
        edunet.ones(2).cuda()


def test_doctor_reports_versions_devices_and_the_reason(capsys):
    edunet.doctor()
    report = capsys.readouterr().out
    assert f"edunet  {edunet.__version__}" in report and numpy.__version__ in report
    if edunet.cuda.is_available():
        assert "cuda:0" in report
    else:
        assert "Why no GPU: " + backend.cuda_unavailable_reason() in report


class _FakeGpuArray(numpy.ndarray):
    """A NumPy array that claims to live on cuda:0, to test the mixed-device check on any machine."""


def test_mixing_devices_names_both_and_the_fix(monkeypatch):
    real_device_of = backend.device_of
    monkeypatch.setattr(autograd, "device_of", lambda array: edunet.device("cuda:0") if isinstance(
        array, _FakeGpuArray) else real_device_of(array))
    on_gpu = edunet.ones(3)
    on_gpu.array = on_gpu.array.view(_FakeGpuArray)
    with pytest.raises(RuntimeError) as error:
        on_gpu + edunet.ones(3)
    message = str(error.value)
    assert "Expected all tensors to be on the same device" in message
    assert "cuda:0" in message and "cpu" in message and ".to(" in message


def test_a_zero_dim_cpu_tensor_may_join_any_device(device):
    x = edunet.ones(3, device=device)
    assert (x * edunet.tensor(2.0)).device.type == device
