"""viz.parameter_counts: formulas, totals and output shapes, checked against PyTorch."""

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")
torch = pytest.importorskip("torch")

import edunet  # noqa: E402
from edunet import nn  # noqa: E402
from edunet.viz.parameter_counts import parameter_counts, parameter_formula  # noqa: E402


def small_cnn(library):
    return library.nn.Sequential(
        library.nn.Conv2d(3, 32, 5), library.nn.BatchNorm2d(32), library.nn.ReLU(),
        library.nn.MaxPool2d(2), library.nn.Flatten(), library.nn.Linear(32 * 14 * 14, 10))


def test_formulas_with_the_numbers_filled_in():
    # the examples written in the issue
    assert parameter_formula(nn.Linear(3, 3)) == "3 x 3 + 3 = 12"
    assert parameter_formula(nn.Conv2d(3, 32, 5)) == "32 x 3 x 5 x 5 + 32 = 2,432"
    assert parameter_formula(nn.BatchNorm2d(32)) == "2 x 32 = 64"
    assert parameter_formula(nn.Linear(4, 3, bias=False)) == "3 x 4 = 12"
    assert parameter_formula(nn.ReLU()) == "no parameters"


def test_rows_and_totals_match_pytorch():
    widget = parameter_counts(small_cnn(edunet), input_size=(1, 3, 32, 32))
    reference = small_cnn(torch)
    expected_rows = [(name, sum(p.numel() for p in module.parameters(recurse=False)))
                     for name, module in reference.named_children()]
    assert [(row["name"], row["count"]) for row in widget.rows] == expected_rows
    assert widget.total_params == sum(p.numel() for p in reference.parameters()) == 65226
    assert widget.trainable_params == widget.total_params and widget.non_trainable_params == 0
    assert "Total parameters: 65,226" in widget.caption.value
    assert "Linear" in widget.caption.value and "96.2%" in widget.caption.value
    assert "2,432" in widget.table.value and "10 x 6272 + 10 = 62,730" in widget.table.value


def test_output_shapes_match_pytorch_hooks():
    widget = parameter_counts(small_cnn(edunet), input_size=(2, 3, 32, 32))
    reference, shapes = small_cnn(torch), {}
    for name, module in reference.named_children():
        module.register_forward_hook(
            lambda module, args, output, name=name: shapes.__setitem__(name, list(output.shape)))
    reference(torch.randn(2, 3, 32, 32))
    assert {row["name"]: row["output_shape"] for row in widget.rows} == shapes
    assert "[2, 32, 28, 28]" in widget.table.value


def test_without_input_size_there_are_no_shapes():
    widget = parameter_counts(small_cnn(edunet))
    assert all(row["output_shape"] is None for row in widget.rows)
    assert "Output shape" not in widget.table.value


def test_frozen_parameters_are_non_trainable():
    model = small_cnn(edunet)
    model[0].requires_grad_(False)
    widget = parameter_counts(model)
    assert widget.non_trainable_params == 2432
    assert widget.trainable_params == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert widget.rows[0]["trainable"] == 0
    assert "62,794 trainable + 2,432 non-trainable" in widget.caption.value


def test_generic_layers_list_their_parameter_shapes():
    widget = parameter_counts(nn.Sequential(nn.Embedding(100, 8), nn.LSTM(8, 16)))
    lstm = widget.rows[1]
    assert lstm["count"] == sum(p.numel() for p in torch.nn.LSTM(8, 16).parameters()) == 1664
    assert lstm["formula"] == "64 x 8 + 64 x 16 + 64 + 64 = 1,664"
    assert "weight_ih_l0 [64, 8]" in lstm["meaning"]
    assert widget.rows[0]["formula"] == "100 x 8 = 800"


def test_a_single_layer_and_a_custom_parameter():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.gain = nn.Parameter(edunet.ones(5))
            self.inner = nn.Linear(5, 2)

        def forward(self, x):
            return self.inner(x * self.gain)

    rows = parameter_counts(nn.Linear(3, 3)).rows
    assert [(row["name"], row["formula"]) for row in rows] == [("(model)", "3 x 3 + 3 = 12")]
    widget = parameter_counts(Scale(), input_size=(4, 5))
    assert [(row["name"], row["count"]) for row in widget.rows] == [("(model)", 5), ("inner", 12)]
    assert widget.rows[0]["output_shape"] == [4, 2]


def test_the_model_is_left_as_it_was():
    model = small_cnn(edunet)
    model[1].running_mean.array[:] = 0.5
    parameter_counts(model, input_size=(2, 3, 32, 32))
    assert model.training and model[1].training           # the forward pass ran in eval mode
    assert (model[1].running_mean.numpy() == 0.5).all()   # and did not update BatchNorm
    assert model[1].num_batches_tracked.item() == 0
    assert all(not module._forward_hooks for module in model.modules())


def test_scale_toggle_redraws():
    widget = parameter_counts(small_cnn(edunet))
    before = widget.chart.value
    widget.scale.value = "log"
    assert widget.chart.value != before and "log scale" in widget.caption.value
    assert widget.scale.description == "Bar scale"


def test_viz_name_stays_the_function():
    """``viz.parameter_counts`` is the function on every call, also after its module loaded
    (a package attribute named like a submodule is replaced by the submodule on import)."""
    from edunet import viz
    first = viz.parameter_counts(nn.Linear(3, 3))
    second = viz.parameter_counts(nn.Linear(3, 3))
    assert first.total_params == second.total_params == 12
