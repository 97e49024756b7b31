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


# ---------------------------------------------------------------- torchsummary's call
def three_three_two_two():
    return nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.ReLU(),
                         nn.Linear(2, 2), nn.Softmax(dim=1))


def test_torchsummary_call_with_batch_size_counts_26_parameters():
    stats = edunet.summary(three_three_two_two(), input_size=(3,), batch_size=5)
    assert stats.total_params == 3 * 3 + 3 + 3 * 2 + 2 + 2 * 2 + 2 == 26
    assert [layer.output_shape for layer in stats.layers[1:]] == [[5, 3], [5, 3], [5, 2],
                                                                    [5, 2], [5, 2], [5, 2]]
    table = str(stats)
    assert "Linear-1" in table and "Softmax-6" in table and "Total params: 26" in table


def test_a_size_without_the_batch_shows_the_batch_as_minus_one():
    stats = edunet.summary(course_cnn(), (3, 32, 32))
    assert stats.layers[1].output_shape == [-1, 32, 32, 32]
    assert stats.layers[-1].output_shape == [-1, 10]
    assert "[-1, 1024]" in str(stats)
    # the third positional argument is torchsummary's batch_size
    assert edunet.summary(course_cnn(), (3, 32, 32), 16).layers[-1].output_shape == [16, 10]


def test_torchinfos_call_keeps_the_batch_in_the_size():
    stats = edunet.summary(course_cnn(), input_size=(4, 3, 32, 32))
    assert stats.layers[0].output_shape == [4, 10] and stats.batch_size is None
    assert "Layer (type:depth-idx)" in str(stats)


def test_when_neither_rule_runs_the_model_the_error_names_both():
    with pytest.raises(RuntimeError) as caught:
        edunet.summary(course_cnn(), input_size=(3, 31))
    message = str(caught.value)
    assert "torchinfo's rule" in message and "torchsummary's rule" in message
    assert "batch_size=" in message and "input_size=(1, 3, 31)" in message


def test_summary_table_matches_torchsummarys(capsys):
    torch = pytest.importorskip("torch")
    torchsummary = pytest.importorskip("torchsummary")
    ours = str(edunet.summary(course_cnn(), input_size=(3, 32, 32), batch_size=-1))
    torch_model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 5, padding=2), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 32, 5, padding=2), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 5, padding=2), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(1024, 64), torch.nn.Linear(64, 10))
    torchsummary.summary(torch_model, (3, 32, 32), device="cpu")
    theirs = capsys.readouterr().out
    assert ours.splitlines() == theirs.splitlines()
