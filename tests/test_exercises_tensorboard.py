"""Exercise checks of "11 Watching training with TensorBoard": right answers pass, typical
mistakes fail with a hint."""

import math

import pytest

import edunet
from edunet.exercises import tensorboard
from edunet.utils.tensorboard import SummaryWriter


def passes(result):
    return bool(result) and result.hint is None


def fails_with(result, *words):
    """The check failed, its hints are there, and together they mention each of ``words``."""
    assert not result, repr(result)
    assert result.hint, f"no hint: {result!r}"
    hints = " ".join(result.hints)
    for word in words:
        assert word in hints, f"{word!r} not in the hints: {hints}"
    return True


def right_log_losses(writer, losses):
    for step, loss in enumerate(losses):
        writer.add_scalar("loss", loss, step)


def test_log_losses_accepts_right_functions():
    assert passes(tensorboard.log_losses(right_log_losses))
    assert passes(tensorboard.log_losses(       # tensors and keyword arguments are fine too
        lambda writer, losses: [writer.add_scalar(tag="loss", scalar_value=edunet.tensor(loss),
                                                  global_step=step)
                                for step, loss in enumerate(losses)]))


def test_the_right_function_writes_what_tensorboard_reads(tmp_path):
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    with SummaryWriter(tmp_path) as writer:
        right_log_losses(writer, [2.3, 1.7, 1.2, 0.9])
    loaded = event_accumulator.EventAccumulator(str(tmp_path)).Reload()
    assert [(event.step, round(event.value, 5)) for event in loaded.Scalars("loss")] == [
        (0, 2.3), (1, 1.7), (2, 1.2), (3, 0.9)]


def test_log_losses_typical_slips():
    check = tensorboard.log_losses
    assert fails_with(check(lambda writer, losses: None), "Nothing was logged")
    assert fails_with(check(lambda writer, losses: [writer.add_scalar("loss", loss)
                                                    for loss in losses]), "global_step")
    assert fails_with(check(lambda writer, losses: [writer.add_scalar("loss", loss, step + 1)
                                                    for step, loss in enumerate(losses)]),
                      "Steps start at 0")
    assert fails_with(check(lambda writer, losses: [writer.add_scalar("train", loss, step)
                                                    for step, loss in enumerate(losses)]), "tag")
    assert fails_with(check(lambda writer, losses: writer.add_scalar("loss", losses[-1], 0)),
                      "one add_scalar per loss")
    assert fails_with(check(lambda writer, losses: [writer.add_scalar("loss", loss, step)
                                                    for step, loss in enumerate(sorted(losses))]),
                      "in their order")
    assert fails_with(check(lambda writer, losses: writer.add_images("loss", losses)),
                      "add_scalar")
    assert fails_with(check(None), "Define")


def test_scalar_events():
    assert tensorboard.EPOCHS * tensorboard.BATCHES_PER_EPOCH == 50 == 2 * math.ceil(800 / 32)
    assert passes(tensorboard.scalar_events(50))
    assert passes(tensorboard.scalar_events(50.0))
    assert fails_with(tensorboard.scalar_events(2), "one per epoch")
    assert fails_with(tensorboard.scalar_events(25), "2 epochs")
    assert fails_with(tensorboard.scalar_events(52), "test_accuracy")
    assert fails_with(tensorboard.scalar_events(100), "25 batches")
    assert fails_with(tensorboard.scalar_events(None), "None")
    assert fails_with(tensorboard.scalar_events("50"), "add_scalar")


def test_images_dataformats():
    assert passes(tensorboard.images_dataformats("NHWC"))
    assert fails_with(tensorboard.images_dataformats("nhwc"), "Upper-case")
    assert fails_with(tensorboard.images_dataformats("NCHW"), "default")
    assert fails_with(tensorboard.images_dataformats("HWC"), "one image")
    assert fails_with(tensorboard.images_dataformats("NWHC"), "in that order")
    assert fails_with(tensorboard.images_dataformats(None), "NCHW")
    assert fails_with(tensorboard.images_dataformats(4), "NCHW")


def test_nhwc_is_what_the_writer_accepts_for_channels_last(tmp_path):
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    with SummaryWriter(tmp_path) as writer:
        writer.add_images("channels last", edunet.rand(4, 6, 5, 3), 0, dataformats="NHWC")
    (grid,) = event_accumulator.EventAccumulator(str(tmp_path)).Reload().Images("channels last")
    assert (grid.width, grid.height) == (4 * 5, 6)


def tensorboard_javascript_smoothing(values, weight):
    """TensorBoard's resmoothDataset (tensorboard/webfiles.zip, vz_line_chart), transcribed."""
    last, count, result = 0.0, 0, []
    constant = all(value == values[0] for value in values)
    for value in values:
        if constant or not math.isfinite(value):
            result.append(value)
            continue
        last = last * weight + (1 - weight) * value
        count += 1
        debias = 1 - weight ** count if weight != 1 else 1
        result.append(last / debias)
    return result


def test_smoothing_reference_is_tensorboard_s():
    for values, weight in [([1.0, 0.0, 1.0, 0.0, 1.0], 0.6), ([2.0, 2.0, 2.0], 0.9),
                           ([5.0, 3.0, 4.0, 1.0], 0.0), ([0.3, 0.9, 0.1], 0.99)]:
        assert tensorboard.reference_smoothing(values, weight) == pytest.approx(
            tensorboard_javascript_smoothing(values, weight))


def test_smoothing_function():
    check = tensorboard.smoothing_function
    assert passes(check(tensorboard_javascript_smoothing))

    def no_debias(values, weight):
        last, result = 0.0, []
        for value in values:
            last = last * weight + (1 - weight) * value
            result.append(last)
        return result

    def swapped(values, weight):
        return tensorboard.reference_smoothing(values, 1 - weight)

    def moving_window(values, weight):
        return [sum(values[max(0, i - 2):i + 1]) / len(values[max(0, i - 2):i + 1])
                for i in range(len(values))]

    assert fails_with(check(no_debias), "debiasing")
    assert fails_with(check(swapped), "share of the old average")
    assert fails_with(check(moving_window), "running value")
    assert fails_with(check(lambda values, weight: None), "list")
    assert fails_with(check(lambda values, weight: values[99]), "list")
    assert fails_with(check(None), "Define")
