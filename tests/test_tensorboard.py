"""edunet.utils.tensorboard: the event files it writes are real TensorBoard event files.

Three independent checks: (1) the TFRecord framing and CRC32C against published test
vectors, read back with a small protobuf decoder written here (no extra packages);
(2) TensorBoard's own reader (EventAccumulator), when ``tensorboard`` is installed;
(3) byte-for-byte against PyTorch's SummaryWriter, when torch and tensorboard are.
"""

import glob
import io
import os
import struct
import time

import numpy
import pytest

import edunet
from edunet import nn
from edunet.utils.tensorboard import SummaryWriter
from edunet.utils.tensorboard.record import crc32c, encode_record, masked_crc32c, read_records


# ----------------------------------------------------------- a tiny protobuf decoder
def read_varint(data, offset):
    value, shift = 0, 0
    while True:
        byte = data[offset]
        value |= (byte & 0x7F) << shift
        offset, shift = offset + 1, shift + 7
        if not byte & 0x80:
            return value, offset


def decode(data):
    """A protobuf message as {field number: [raw values]} (bytes for length-delimited)."""
    fields, offset = {}, 0
    while offset < len(data):
        key, offset = read_varint(data, offset)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, offset = read_varint(data, offset)
        elif wire_type == 1:
            value, offset = struct.unpack("<d", data[offset:offset + 8])[0], offset + 8
        elif wire_type == 5:
            value, offset = struct.unpack("<f", data[offset:offset + 4])[0], offset + 4
        elif wire_type == 2:
            length, offset = read_varint(data, offset)
            value, offset = data[offset:offset + length], offset + length
        else:
            raise AssertionError(f"unexpected wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def events(log_dir):
    (path,) = glob.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))
    return [decode(data) for data in read_records(path)]


# ------------------------------------------------------------------ framing and CRC
def test_crc32c_matches_the_published_test_vectors():
    # RFC 3720 (iSCSI), appendix B.4, and the classic check value.
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc32c(bytes(range(32))) == 0x46DD794E
    assert crc32c(bytes(range(31, -1, -1))) == 0x113FDB5C
    assert crc32c(b"123456789") == 0xE3069283


def test_masking_rotates_and_adds_the_constant():
    crc = crc32c(b"edunet")
    rotated = ((crc >> 15) | (crc << 17)) & 0xFFFFFFFF
    assert masked_crc32c(b"edunet") == (rotated + 0xA282EAD8) & 0xFFFFFFFF


def test_record_framing_and_corruption_is_detected(tmp_path):
    payload = b"hello event"
    framed = encode_record(payload)
    assert framed[:8] == struct.pack("<Q", len(payload))
    assert framed[12:-4] == payload
    assert struct.unpack("<I", framed[-4:])[0] == masked_crc32c(payload)
    path = tmp_path / "records"
    path.write_bytes(framed + encode_record(b""))
    assert read_records(path) == [payload, b""]
    path.write_bytes(framed[:14] + b"X" + framed[15:])
    with pytest.raises(ValueError, match="data CRC mismatch"):
        read_records(path)
    path.write_bytes(framed[:-2])
    with pytest.raises(ValueError, match="truncated"):
        read_records(path)


def test_events_decode_to_what_was_logged(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.add_scalar("loss", 0.25, 7, walltime=1000.5)
        writer.add_scalar("loss", 0.0, 8, walltime=1001.0)
        writer.add_histogram("weights", edunet.tensor([1.0, 2.0, 2.0, 8.0]), 3, bins=3)
    first, *logged = events(tmp_path)
    assert first[3] == [b"brain.Event:2"] and abs(first[1][0] - time.time()) < 60
    assert logged[0][1] == [1000.5] and logged[0][2] == [7]
    value = decode(decode(logged[0][5][0])[1][0])             # Event.summary.value[0]
    assert value == {1: [b"loss"], 2: [0.25]}
    assert decode(decode(logged[1][5][0])[1][0]) == {1: [b"loss"], 2: [0.0]}
    histogram = decode(decode(decode(logged[2][5][0])[1][0])[5][0])
    assert histogram[1] == [1.0] and histogram[2] == [8.0] and histogram[3] == [4.0]
    assert histogram[4] == [13.0] and histogram[5] == [1 + 4 + 4 + 64.0]
    limits = struct.unpack("<4d", histogram[6][0])
    counts = struct.unpack("<4d", histogram[7][0])
    assert limits == (1.0, 1 + 7 / 3, 1 + 14 / 3, 8.0) and counts == (0.0, 3.0, 0.0, 1.0)


def test_queue_flush_and_close(tmp_path):
    writer = SummaryWriter(tmp_path, max_queue=3, flush_secs=3600)
    writer.add_scalar("a", 1.0, 0)
    writer.add_scalar("a", 2.0, 1)
    assert len(events(tmp_path)) == 1                   # only the file_version event so far
    writer.add_scalar("a", 3.0, 2)                      # the queue is full: written
    assert len(events(tmp_path)) == 4
    writer.add_scalar("a", 4.0, 3)
    writer.flush()
    assert len(events(tmp_path)) == 5
    writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.add_scalar("a", 5.0, 4)


def test_the_background_thread_flushes_every_flush_secs(tmp_path):
    writer = SummaryWriter(tmp_path, flush_secs=0.05)
    writer.add_scalar("a", 1.0, 0)
    deadline = time.monotonic() + 10
    while len(events(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(events(tmp_path)) == 2
    writer.close()


def test_default_log_dir_comment_and_suffix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="-lr0.1", filename_suffix=".edunet") as writer:
        log_dir = writer.get_logdir()
    assert log_dir.startswith("runs" + os.sep) and log_dir.endswith("-lr0.1")
    (name,) = os.listdir(tmp_path / log_dir)
    assert name.startswith("events.out.tfevents.") and name.endswith(".edunet")


def test_unsupported_methods_say_so(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(AttributeError, match="add_embedding is not supported"):
            writer.add_embedding(edunet.zeros(3, 2))
        with pytest.raises(AttributeError, match="has no attribute 'add_scaler'"):
            writer.add_scaler("typo", 1.0)
        with pytest.raises(ValueError, match="example input"):
            writer.add_graph(nn.Linear(2, 2))
        with pytest.raises(ValueError, match="dataformats"):
            writer.add_image("bad", edunet.zeros(3, 4, 4), dataformats="HWC" + "C")


# ------------------------------------------------------------- TensorBoard's reader
def accumulator(log_dir):
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    loaded = event_accumulator.EventAccumulator(
        str(log_dir), size_guidance={"scalars": 0, "images": 0, "histograms": 0, "tensors": 0})
    return loaded.Reload()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(self.body(x)) * 2


def test_tensorboard_reads_scalars_images_histograms_text_and_graph(tmp_path):
    edunet.manual_seed(0)
    model = Net()
    images = edunet.rand(5, 1, 6, 7)
    with SummaryWriter(tmp_path) as writer:
        for step in range(4):
            writer.add_scalar("training loss", 1.0 / (step + 1), step)
        writer.add_scalars("loss", {"train": 0.5, "validation": 0.75}, 2)
        writer.add_image("one image", images[0], 1)
        writer.add_images("a batch", images, 2)
        writer.add_histogram("head.weight", model.head.weight, 3)
        writer.add_text("notes", "learning rate **0.1**", 0)
        writer.add_graph(model, edunet.randn(2, 4))
    loaded = accumulator(tmp_path)
    assert [(s.step, s.value) for s in loaded.Scalars("training loss")] == [
        (0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3)), (3, 0.25)]
    one = loaded.Images("one image")[0]
    assert (one.step, one.width, one.height) == (1, 7, 6)
    batch = loaded.Images("a batch")[0]
    assert (batch.width, batch.height) == (5 * 7, 6)        # 5 images side by side
    histogram = loaded.Histograms("head.weight")[0].histogram_value
    weights = model.head.weight.detach().numpy().astype(numpy.float64)
    assert histogram.num == 24 and sum(histogram.bucket) == 24
    assert histogram.min == pytest.approx(weights.min())
    assert histogram.max == pytest.approx(weights.max())
    assert histogram.sum_squares == pytest.approx((weights ** 2).sum())
    text = loaded.Tensors("notes/text_summary")[0].tensor_proto
    assert text.string_val == [b"learning rate **0.1**"]
    for sub_run, value in [("loss_train", 0.5), ("loss_validation", 0.75)]:
        (scalar,) = accumulator(tmp_path / sub_run).Scalars("loss")
        assert (scalar.step, scalar.value) == (2, value)
    nodes = {node.name: node for node in loaded.Graph().node}
    assert {"input/input.0", "output/output.0", "Net/Sequential[body]/Linear[0]/weight",
            "Net/Linear[head]/bias", "Net/Sequential[body]/ReLU[1]/Relu"} <= set(nodes)
    head = nodes["Net/Linear[head]/Addmm"]
    assert list(head.input) == ["Net/Sequential[body]/ReLU[1]/Relu", "Net/Linear[head]/weight",
                                "Net/Linear[head]/bias"]
    shape = [d.size for d in head.attr["_output_shapes"].list.shape[0].dim]
    assert shape == [2, 3]
    assert list(nodes["output/output.0"].input) == ["Net/Mul"]   # the * 2 in Net.forward


def test_purge_step_hides_the_old_run_from_that_step(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        for step in range(10):
            writer.add_scalar("loss", float(step), step)
    time.sleep(0.01)
    with SummaryWriter(tmp_path, purge_step=5) as writer:    # restarted from step 5
        for step in range(5, 8):
            writer.add_scalar("loss", 100.0 + step, step)
    steps = [(s.step, s.value) for s in accumulator(tmp_path).Scalars("loss")]
    assert steps == [(s, float(s)) for s in range(5)] + [(s, 100.0 + s) for s in range(5, 8)]


def test_our_crc_is_tensorboards():
    stub = pytest.importorskip("tensorboard.compat.tensorflow_stub.pywrap_tensorflow")
    for data in [b"", b"a", bytes(range(256)) * 3]:
        assert masked_crc32c(data) == stub.masked_crc32c(data)


# ---------------------------------------------------------------- PyTorch's writer
def test_same_bytes_and_pixels_as_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("tensorboard")
    Image = pytest.importorskip("PIL.Image")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter
    rng = numpy.random.default_rng(0)
    values = rng.normal(size=500).astype(numpy.float32)
    pictures = [("chw", rng.random((3, 5, 6)).astype(numpy.float32), "CHW", False),
                ("grey", rng.random((5, 6)).astype(numpy.float32), "HW", False),
                ("rgba", rng.integers(0, 256, (5, 6, 4)).astype(numpy.uint8), "HWC", False),
                ("batch", rng.random((10, 1, 3, 4)).astype(numpy.float32), "NCHW", True)]
    for name, Writer, convert in [("torch", TorchWriter, torch.from_numpy),
                                  ("edunet", SummaryWriter, edunet.from_numpy)]:
        with Writer(tmp_path / name) as writer:
            writer.add_scalar("loss", 0.125, 3, walltime=100.0)
            writer.add_scalar("negative step", -2.5, -1, walltime=100.0)
            writer.add_histogram("values", convert(values), 4, walltime=101.0)
            writer.add_histogram("ten bins", convert(values), 4, bins=10, walltime=101.0)
            writer.add_histogram("at most 40", convert(values), 4, max_bins=40, walltime=101.0)
            writer.add_text("text", "some *markdown*", 5, walltime=102.0)
            for tag, picture, dataformats, batch in pictures:
                add = writer.add_images if batch else writer.add_image
                add(tag, convert(picture), 6, walltime=103.0, dataformats=dataformats)
    ours, theirs = events_raw(tmp_path / "edunet"), events_raw(tmp_path / "torch")
    assert len(ours) == len(theirs) == 11
    assert ours[1:7] == theirs[1:7]            # every event but the first (its wall time)
    ours, theirs = accumulator(tmp_path / "edunet"), accumulator(tmp_path / "torch")
    for tag, *_ in pictures:
        mine, reference = ours.Images(tag)[0], theirs.Images(tag)[0]
        assert (mine.width, mine.height) == (reference.width, reference.height)
        numpy.testing.assert_array_equal(
            numpy.asarray(Image.open(io.BytesIO(mine.encoded_image_string))),
            numpy.asarray(Image.open(io.BytesIO(reference.encoded_image_string))))


def events_raw(log_dir):
    (path,) = glob.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))
    return read_records(path)


def test_add_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    figure = Figure(figsize=(2, 1), dpi=50)
    figure.add_subplot().plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as writer:
        writer.add_figure("a plot", figure, 0, close=False)
    image = accumulator(tmp_path).Images("a plot")[0]
    assert (image.width, image.height) == (100, 50)
