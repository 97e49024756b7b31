"""viz.conv_explorer: its output equals F.conv2d / F.max_pool2d / F.avg_pool2d (edunet and
PyTorch), its output-size formula equals the real output size, its steps walk the window."""

import itertools

import numpy
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
torch = pytest.importorskip("torch")

import edunet  # noqa: E402
from edunet.nn import functional as F  # noqa: E402
from edunet.viz.conv_explorer import (compute_cell, conv_explorer, output_size,  # noqa: E402
                                      windows)

SETTINGS = list(itertools.product([1, 2, 3], [0, 1, 2], [1, 2, 3]))   # stride, padding, dilation


def as_4d(array):
    return array.reshape(1, 1, *array.shape).astype(numpy.float32)


def torch_reference(mode, values, weights, stride, padding, dilation, ceil_mode):
    x = torch.tensor(as_4d(values))
    if mode == "convolution":
        return torch.nn.functional.conv2d(x, torch.tensor(as_4d(weights)), stride=stride,
                                          padding=padding, dilation=dilation)[0, 0].numpy()
    if mode == "max pool":
        return torch.nn.functional.max_pool2d(x, weights.shape, stride, padding, dilation,
                                              ceil_mode)[0, 0].numpy()
    return torch.nn.functional.avg_pool2d(x, weights.shape, stride, padding,
                                          ceil_mode)[0, 0].numpy()


def by_hand(mode, values, weights, stride, padding, dilation, ceil_mode):
    """The explorer's loops (windows + compute_cell), gathered into an output array."""
    cells = list(windows(*values.shape, weights.shape, stride, padding, dilation, ceil_mode))
    shape = (cells[-1][0][0] + 1, cells[-1][0][1] + 1) if cells else (0, 0)
    output = numpy.zeros(shape)
    for (i, j), window in cells:
        output[i, j] = compute_cell(values, weights, window, mode)[0]
    return output


@pytest.mark.parametrize("stride, padding, dilation", SETTINGS)
def test_loops_equal_pytorch_for_every_setting(stride, padding, dilation):
    rng = numpy.random.default_rng(stride * 100 + padding * 10 + dilation)
    values = rng.integers(-5, 6, size=(6, 7)).astype(float)
    weights = rng.integers(-2, 3, size=(2, 3)).astype(float)
    for mode, ceil_mode in [("convolution", False), ("max pool", False), ("max pool", True),
                            ("average pool", False), ("average pool", True)]:
        d = 1 if mode == "average pool" else dilation
        if mode != "convolution" and padding > min(weights.shape) // 2:
            with pytest.raises(RuntimeError, match="pad should be"):   # the widget refuses too
                torch_reference(mode, values, weights, stride, padding, d, ceil_mode)
            continue
        try:
            expected = torch_reference(mode, values, weights, stride, padding, d, ceil_mode)
        except RuntimeError:                       # the dilated kernel does not fit
            assert by_hand(mode, values, weights, stride, padding, d, ceil_mode).size == 0
            continue
        for axis in (0, 1):
            assert output_size(values.shape[axis], weights.shape[axis], stride, padding, d,
                               ceil_mode) == expected.shape[axis]
        numpy.testing.assert_allclose(by_hand(mode, values, weights, stride, padding, d,
                                              ceil_mode), expected, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2),
                                                       (3, 1, 2), (2, 2, 1)])
def test_widget_output_equals_edunet_conv2d(stride, padding, dilation):
    widget = conv_explorer()
    widget.stride.value, widget.padding.value, widget.dilation.value = stride, padding, dilation
    x = edunet.tensor(as_4d(widget.input_array))
    kernel = edunet.tensor(as_4d(widget.kernel_array))
    expected = F.conv2d(x, kernel, stride=stride, padding=padding, dilation=dilation)[0, 0]
    numpy.testing.assert_allclose(widget.output_array, expected.numpy(), rtol=1e-6, atol=1e-5)
    assert widget.output_size == tuple(expected.shape)
    assert f"F.conv2d(input, kernel, stride={stride}, padding={padding}, dilation={dilation})" in (
        widget.caption.value)


def test_widget_pooling_equals_edunet_pooling():
    widget = conv_explorer(edunet.arange(36.).reshape(6, 6) % 7, [[0, 0, 0]] * 3)
    widget.mode.value = "max pool"
    widget.stride.value, widget.padding.value, widget.ceil_mode.value = 2, 1, True
    x = edunet.tensor(as_4d(widget.input_array))
    expected = F.max_pool2d(x, 3, 2, 1, 1, ceil_mode=True)[0, 0]
    numpy.testing.assert_allclose(widget.output_array, expected.numpy())
    assert widget.output_size == (4, 4)                  # ceil((6 + 2 - 2 - 1)/2) + 1
    assert all(cell.disabled for row in widget.kernel_cells for cell in row)
    widget.mode.value = "average pool"
    assert widget.dilation.disabled
    expected = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)[0, 0]
    numpy.testing.assert_allclose(widget.output_array, expected.numpy(), rtol=1e-6)
    assert "F.avg_pool2d(input, kernel_size=(3, 3), stride=2, padding=1, ceil_mode=True)" in (
        widget.caption.value)


def test_editing_a_number_recomputes():
    widget = conv_explorer()
    widget.input_cells[2][3].value = 10.0
    widget.kernel_cells[0][0].value = -3.0
    values = numpy.array(widget.input_array)
    assert values[2, 3] == 10.0 and widget.kernel_array[0, 0] == -3.0
    expected = torch_reference("convolution", values, widget.kernel_array, 1, 0, 1, False)
    numpy.testing.assert_allclose(widget.output_array, expected, rtol=1e-6)


def test_steps_walk_the_window_and_show_the_multiply_adds():
    widget = conv_explorer()
    widget.stride.value, widget.padding.value = 2, 1
    assert widget.step.max == 9                          # a 3 x 3 output: 9 steps
    widget.step.value = 6
    assert widget.current_cell == (1, 2)
    # output[1, 2] reads input rows 1..3 and columns 3..5, column 5 being padding
    assert widget.window == [(r, c) for r in (1, 2, 3) for c in (3, 4, 5)]
    value = widget.output_array[1, 2]
    assert widget.arithmetic.startswith("4*1 + 4*0 + 0*(-1) + 4*2")
    assert widget.arithmetic.endswith(f"= {value:g}")
    assert f"step 6 of 9: output[1, 2] = {widget.arithmetic}" in widget.caption.value
    before = widget.figure.value
    widget.step.value = 7
    assert widget.figure.value != before


def test_the_output_size_formula_shows_the_numbers():
    widget = conv_explorer()
    widget.stride.value, widget.padding.value = 2, 1
    height, width = widget.formula.value.split("<br>")
    assert height == ("OH = floor((H + 2p - d(k-1) - 1)/s) + 1 = floor((5 + 2*1 - 1*(3-1) - 1)/2)"
                      " + 1 = floor(4/2) + 1 = 3")
    assert width.startswith("OW = floor((W + 2p") and width.endswith("= 3")
    widget = conv_explorer(numpy.ones((4, 6)), numpy.ones((2, 3)))
    height, width = widget.formula.value.split("<br>")
    assert height.endswith("= floor(2/1) + 1 = 3") and width.endswith("= floor(3/1) + 1 = 4")
    widget = conv_explorer(numpy.ones((4, 5)), numpy.ones((2, 2)))
    widget.mode.value = "max pool"
    widget.stride.value, widget.padding.value, widget.ceil_mode.value = 2, 1, True
    height, width = widget.formula.value.split("<br>")
    assert height == ("OH = ceil((H + 2p - d(k-1) - 1)/s) + 1 = ceil((4 + 2*1 - 1*(2-1) - 1)/2) + 1"
                      " = ceil(4/2) + 1 = 3")
    assert width.endswith("= ceil(5/2) + 1 = 3 (the last window would start in the padding, so "
                          "it is dropped)")
    assert widget.output_size == tuple(torch.nn.functional.max_pool2d(
        torch.ones(1, 1, 4, 5), 2, 2, 1, ceil_mode=True).shape[-2:]) == (3, 3)


def test_ceil_mode_drops_a_window_that_would_start_in_the_padding():
    assert output_size(5, 2, 2, 1, 1, ceil_mode=True) == torch.nn.functional.max_pool2d(
        torch.zeros(1, 1, 5, 5), 2, 2, 1, ceil_mode=True).shape[-1] == 3
    assert output_size(4, 2, 2, 1, 1, ceil_mode=True) == torch.nn.functional.max_pool2d(
        torch.zeros(1, 1, 4, 4), 2, 2, 1, ceil_mode=True).shape[-1] == 3


def test_settings_pytorch_refuses_show_no_output():
    widget = conv_explorer()
    widget.step.value = 9
    widget.dilation.value = 3                            # span 7 > 5: no output
    assert widget.output_size == (0, 0) and widget.step.disabled
    assert "no output" in widget.caption.value and "RuntimeError" in widget.caption.value
    with pytest.raises(RuntimeError):
        torch_reference("convolution", widget.input_array, widget.kernel_array, 1, 0, 3, False)
    widget.dilation.value = 1
    assert widget.output_size == (3, 3) and widget.step.value == 1 and not widget.step.disabled
    widget.mode.value = "max pool"
    widget.padding.value = 2
    assert widget.output_size == (0, 0) and "pad should be at most half" in widget.caption.value


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="2-D"):
        conv_explorer(numpy.ones((2, 3, 4, 4)))
    widget = conv_explorer(edunet.ones(1, 1, 4, 4), edunet.ones(2, 2))
    assert widget.output_size == (3, 3) and len(widget.input_cells) == 4


def test_pooling_takes_pytorchs_default_stride_so_ceil_mode_shows():
    """MaxPool2d(3) has stride 3 (its kernel size); on the course's 5 x 5 input ceil_mode
    then turns a 1 x 1 output into 2 x 2, as PyTorch computes it."""
    torch = pytest.importorskip("torch")
    course_input = [[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1],
                    [2, 1, 0, 1, 1]]
    widget = conv_explorer(course_input, [[1, 2, 1], [0, 1, 0], [2, 1, 0]])
    assert widget.stride.value == 1
    widget.mode.value = "max pool"
    assert widget.stride.value == 3 and "default for pooling" in widget.caption.value
    batch = torch.tensor(course_input, dtype=torch.float32)[None, None]
    for ceil_mode in (False, True):
        widget.ceil_mode.value = ceil_mode
        expected = torch.nn.MaxPool2d(3, ceil_mode=ceil_mode)(batch)[0, 0].numpy()
        assert widget.output_size == expected.shape == ((2, 2) if ceil_mode else (1, 1))
        numpy.testing.assert_array_equal(widget.output_array, expected)
    widget.mode.value = "convolution"
    assert widget.stride.value == 1


def test_the_input_and_kernel_grids_are_two_framed_boxes():
    widget = conv_explorer()
    grids = widget.children[0].children
    assert len(grids) == 2 and all(box.layout.border for box in grids)
    assert grids[0].layout.margin                     # a gap between them
    assert "the window in orange" in widget.figure.tooltip
