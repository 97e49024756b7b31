"""viz.feature_maps: every captured map equals the PyTorch layer's output on the same weights."""

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
torch = pytest.importorskip("torch")

import edunet  # noqa: E402
from edunet import nn  # noqa: E402
from edunet.viz.feature_maps import feature_maps  # noqa: E402


def cnn(library):
    """Conv, activations, pooling, BatchNorm (not captured) and a Linear head."""
    layers = library.nn
    return layers.Sequential(
        layers.Conv2d(3, 6, 3), layers.BatchNorm2d(6), layers.ReLU(), layers.MaxPool2d(2),
        layers.Conv2d(6, 20, 3, padding=1), layers.Tanh(), layers.AvgPool2d(2),
        layers.Flatten(), layers.Linear(20 * 7 * 7, 10), layers.Sigmoid())


@pytest.fixture
def models():
    edunet.manual_seed(0)
    model = cnn(edunet)
    reference = cnn(torch)
    reference.load_state_dict({key: torch.tensor(value.numpy())
                               for key, value in model.state_dict().items()})
    for modules in (model, reference):           # non-trivial BatchNorm statistics
        modules[1].running_mean.data[:] = modules[1].running_mean.data + 0.3
    return model, reference.eval()


@pytest.fixture
def images():
    return numpy.random.default_rng(0).standard_normal((5, 3, 32, 32)).astype(numpy.float32)


def reference_outputs(reference, images):
    outputs = {}
    for name, module in reference.named_children():
        module.register_forward_hook(
            lambda module, args, output, name=name: outputs.__setitem__(name, output.numpy()))
    with torch.no_grad():
        reference(torch.tensor(images))
    return outputs


def test_captures_conv_pool_and_activation_outputs_like_pytorch(models, images):
    model, reference = models
    widget = feature_maps(model, edunet.tensor(images))
    expected = reference_outputs(reference, images)
    captured = ["0", "2", "3", "4", "5", "6", "9"]     # not BatchNorm, Flatten or Linear
    assert list(widget.outputs) == ["input"] + captured
    assert [widget.outputs[name][0] for name in captured] == [
        "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "Tanh", "AvgPool2d", "Sigmoid"]
    numpy.testing.assert_array_equal(widget.outputs["input"][1], images)
    for name in captured:
        numpy.testing.assert_allclose(widget.outputs[name][1], expected[name], rtol=1e-4,
                                      atol=1e-5)
        assert widget.shapes[name] == list(expected[name].shape)
    assert widget.shapes["0"] == [5, 6, 30, 30]


def test_controls_choose_layer_image_and_page(models, images):
    model, reference = models
    widget = feature_maps(model, images)
    expected = reference_outputs(reference, images)
    widget.layer.value = "4"
    widget.image.value = 3
    widget.page.value = 2                                # pages count from 1, as the caption
    assert (widget.page.min, widget.page.max) == (1, 2)  # 20 channels, 16 per page
    assert widget.current_channels == [16, 17, 18, 19]
    numpy.testing.assert_allclose(widget.current_maps, expected["4"][3, 16:20], rtol=1e-4,
                                  atol=1e-5)
    assert ("4 (Conv2d), output [5, 20, 15, 15]: image 3 of the batch of 5, channels 16-19 of "
            "20") in widget.caption.value
    assert "page 2 of 2" in widget.caption.value
    assert "the input image on the left" in widget.figure.tooltip
    widget.per_page.value = 4
    assert widget.page.max == 5 and widget.current_channels == [4, 5, 6, 7]
    widget.layer.value = "0"                             # 6 channels: page 1 of 2 fits
    assert widget.current_channels == [4, 5]
    widget.per_page.value = 16
    assert widget.page.value == 1 and widget.current_channels == list(range(6))
    numpy.testing.assert_allclose(widget.current_maps, expected["0"][3], rtol=1e-4, atol=1e-5)
    assert "<b>0 [5, 6, 30, 30]</b>" in widget.shapes_list.value


def test_the_shape_at_each_layer_is_listed(models, images):
    widget = feature_maps(models[0], images)
    widget.layer.value = "3"
    text = widget.shapes_list.value
    assert "input [5, 3, 32, 32]" in text and "<b>3 [5, 6, 15, 15]</b>" in text
    assert "9 [5, 10]" in text


def test_shared_and_per_channel_colour_scales(models, images):
    model, reference = models
    widget = feature_maps(model, images)
    widget.layer.value = "5"
    widget.image.value = 2
    every_channel = reference_outputs(reference, images)["5"][2]
    assert widget.color_range == pytest.approx((every_channel.min(), every_channel.max()),
                                               rel=1e-4)
    assert "shared colour scale" in widget.caption.value
    before = widget.figure.value
    widget.scale.value = "per channel"
    assert "each channel scaled to its own" in widget.caption.value
    assert widget.figure.value != before


def test_image_and_caption_change_with_the_image_slider(models, images):
    widget = feature_maps(models[0], images)
    widget.layer.value = "2"
    before = (widget.figure.value, widget.caption.value)
    widget.image.value = 1
    assert widget.figure.value != before[0] and widget.caption.value != before[1]


def test_one_image_and_flat_outputs():
    model = nn.Sequential(nn.Conv1d(2, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8, 3),
                          nn.Softmax(dim=1))
    widget = feature_maps(model, edunet.randn(6, 2, 10))  # a batch of 6 sequences (N, C, L)
    assert widget.shapes["1"] == [6, 4, 8] and widget.shapes["4"] == [6, 3]
    widget.layer.value = "4"                             # (N, 3) shows as one strip of 3
    assert widget.current_maps.shape == (1, 1, 3) and widget.image.max == 5
    conv = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    widget = feature_maps(conv, edunet.randn(1, 8, 8))  # one image (C, H, W) -> batch of one
    assert widget.shapes["0"] == [1, 2, 6, 6] and widget.image.max == 0


def test_the_model_is_left_as_it_was(models, images):
    model = models[0]
    running_mean = model[1].running_mean.numpy().copy()
    feature_maps(model, images)
    assert model.training and model[1].training
    numpy.testing.assert_array_equal(model[1].running_mean.numpy(), running_mean)
    assert all(not module._forward_hooks for module in model.modules())


def test_a_model_without_hookable_layers_is_explained():
    with pytest.raises(ValueError, match="nn.ReLU"):
        feature_maps(nn.Linear(4, 2), edunet.randn(3, 4))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        feature_maps(nn.ReLU(), edunet.randn(4))


def test_a_module_called_twice_gets_two_entries():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(self.conv(self.act(x)))

    x = edunet.randn(2, 1, 6, 6)
    widget = feature_maps(Twice(), x)
    assert list(widget.outputs) == ["input", "act", "conv", "act#2"]
    numpy.testing.assert_array_equal(widget.outputs["act"][1], numpy.maximum(x.numpy(), 0))
    assert widget.shapes["act#2"] == [2, 2, 4, 4]
