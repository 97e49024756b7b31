"""edunet.summary: the table and the numbers behind it."""

import pytest

import edunet
from edunet import nn


def course_cnn():
    """The course's CIFAR-10 CNN (3 conv + 3 pool + Flatten + 2 Linear)."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))


def test_parameter_totals_equal_the_parameters_and_the_formulas():
    model = course_cnn()
    stats = edunet.summary(model, input_size=(1, 3, 32, 32))
    assert stats.total_params == sum(p.numel() for p in model.parameters())
    # Conv2d(3, 32, 5): 32 x 3 x 5 x 5 + 32; Linear(1024, 64): 1024 x 64 + 64
    counts = [layer.num_params for layer in stats.layers if layer.depth == 1]
    assert counts[0] == 32 * 3 * 5 * 5 + 32 == 2432 and counts[7] == 1024 * 64 + 64
    assert stats.total_params == 2432 + 25632 + 51264 + 65600 + 650 == 145578


def test_output_shapes_are_traced_layer_by_layer():
    stats = edunet.summary(course_cnn(), input_size=(2, 3, 32, 32))
    shapes = [layer.output_shape for layer in stats.layers]
    assert shapes == [[2, 10], [2, 32, 32, 32], [2, 32, 16, 16], [2, 32, 16, 16], [2, 32, 8, 8],
                      [2, 64, 8, 8], [2, 64, 4, 4], [2, 1024], [2, 64], [2, 10]]


def test_the_table_layout():
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 2)))
    table = str(edunet.summary(model, input_size=(1, 3)))
    lines = table.splitlines()
    assert lines[1].startswith("Layer (type:depth-idx)") and "Output Shape" in lines[1]
    assert lines[3].startswith("Sequential") and "[1, 2]" in lines[3]
    assert lines[4].startswith("├─Linear: 1-1") and lines[4].rstrip().endswith("12")
    assert lines[6].startswith("├─Sequential: 1-3")
    assert lines[7].startswith("│    └─Linear: 2-1")
    assert "Total params: 20" in table and "Trainable params: 20" in table
    assert "Non-trainable params: 0" in table


def test_frozen_parameters_count_as_non_trainable():
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))
    model[0].requires_grad_(False)
    stats = edunet.summary(model)
    assert stats.trainable_params == 4 and stats.non_trainable_params == 12
    assert all(layer.output_shape is None for layer in stats.layers)


def test_summary_leaves_the_model_and_its_batchnorm_statistics_unchanged():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    before = {key: value.clone() for key, value in model.state_dict().items()}
    edunet.summary(model, input_size=(8, 3))
    assert model.training and all(m.training for m in model.modules())
    for key, value in model.state_dict().items():
        assert value.tolist() == before[key].tolist(), key
