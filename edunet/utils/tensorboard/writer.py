"""``SummaryWriter``: log scalars, images, histograms and graphs for TensorBoard.

The same class as ``torch.utils.tensorboard.SummaryWriter``, so the logging code of
PyTorch's tutorials runs unchanged:

    from edunet.utils.tensorboard import SummaryWriter
    writer = SummaryWriter()                         # writes into runs/<date>_<host>/
    for step in range(100):
        ...
        writer.add_scalar("training loss", loss.item(), step)
    writer.close()

then, in a terminal, ``tensorboard --logdir runs``. Writing needs no TensorFlow and
no ``tensorboard`` package: an event file is a series of records (record.py), each
an ``Event`` protobuf (proto.py) that carries a wall time, a step and a ``Summary``.
"""

import atexit
import datetime
import itertools
import os
import socket
import threading
import time

from edunet.utils.tensorboard import proto, record, summary
from edunet.utils.tensorboard.graph import graph_def

FILE_VERSION = "brain.Event:2"
_file_numbers = itertools.count()   # makes file names unique within one process
NOT_SUPPORTED = {"add_embedding", "add_pr_curve", "add_pr_curve_raw", "add_hparams",
                 "add_audio", "add_video", "add_mesh", "add_custom_scalars", "add_onnx_graph"}


class EventFileWriter:
    """One event file: events wait in a queue and are written ``max_queue`` at a time,
    at least every ``flush_secs`` seconds (by a background thread), and on ``flush``."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        os.makedirs(log_dir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
                f"{os.getpid()}.{next(_file_numbers)}{filename_suffix}")
        self.path = os.path.join(log_dir, name)
        self.max_queue, self.queue, self.lock = max_queue, [], threading.Lock()
        self.file = open(self.path, "wb")
        self.closed = threading.Event()
        self.add_event(proto.event(time.time(), file_version=FILE_VERSION))
        self.flush()
        self.flusher = threading.Thread(target=self._flush_every, args=(flush_secs,), daemon=True)
        self.flusher.start()
        atexit.register(self.close)          # a forgotten close() still saves the last events

    def add_event(self, encoded_event):
        with self.lock:
            if self.file.closed:
                raise RuntimeError(f"this SummaryWriter was closed; make a new one to "
                                   f"keep logging ({self.path})")
            self.queue.append(record.encode_record(encoded_event))
            if len(self.queue) >= self.max_queue:
                self._write_queue()

    def _write_queue(self):
        self.file.write(b"".join(self.queue))
        self.file.flush()
        self.queue.clear()

    def flush(self):
        with self.lock:
            if not self.file.closed:
                self._write_queue()

    def _flush_every(self, seconds):
        while not self.closed.wait(seconds):
            self.flush()

    def close(self):
        self.flush()
        self.closed.set()
        with self.lock:
            self.file.close()
        atexit.unregister(self.close)


class SummaryWriter:
    """Writes TensorBoard event files into ``log_dir`` (``torch.utils.tensorboard.SummaryWriter``).

    Args:
        log_dir: the folder of this run; default ``runs/<Mon01_12-00-00>_<hostname><comment>``.
        comment: appended to the default ``log_dir``.
        purge_step: after a crash at step 1000 and a restart from a checkpoint at 900,
            pass 900: TensorBoard then hides the old events from step 900 on.
        max_queue: how many events are kept in memory before they are written.
        flush_secs: write queued events at least this often.
        filename_suffix: appended to the event file names.

    Use it as a context manager (``with SummaryWriter() as writer:``) or call ``close()``.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            now = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{now}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        self.purge_step, self.max_queue, self.flush_secs = purge_step, max_queue, flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self._new_file_writer(self.log_dir)
        self.all_writers = {self.log_dir: self.file_writer}   # add_scalars adds more

    def _new_file_writer(self, log_dir):
        writer = EventFileWriter(log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
        if self.purge_step is not None:    # "the run restarts here": TensorBoard drops later steps
            writer.add_event(proto.event(time.time(), self.purge_step, file_version=FILE_VERSION))
            writer.add_event(proto.event(time.time(), self.purge_step,
                                         session_log=proto.session_log(proto.SESSION_START)))
        return writer

    def get_logdir(self):
        return self.log_dir

    def _add_summary(self, value, global_step, walltime, writer=None):
        event = proto.event(time.time() if walltime is None else walltime,
                            0 if global_step is None else int(global_step),
                            summary=proto.summary(value))
        (writer or self.file_writer).add_event(event)

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One number (a loss, an accuracy, a learning rate) at ``global_step``."""
        self._add_summary(summary.scalar(tag, scalar_value), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several numbers on one chart, e.g. ``{"train": 0.3, "validation": 0.4}``.

        As in PyTorch, each goes into its own sub-run ``log_dir/<main_tag>_<key>``.
        """
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            folder = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{tag}")
            if folder not in self.all_writers:
                self.all_writers[folder] = self._new_file_writer(folder)
            self._add_summary(summary.scalar(main_tag, value), global_step, walltime,
                              self.all_writers[folder])

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image: floats in [0, 1] or uint8 in [0, 255]; shape per ``dataformats``
        ("CHW", "HWC" or "HW" for grey)."""
        self._add_summary(summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images, shown as one grid (8 per row)."""
        self._add_summary(summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them), drawn to an image."""
        import numpy
        figures = figure if isinstance(figure, list) else [figure]
        images = []
        for one_figure in figures:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            canvas = FigureCanvasAgg(one_figure)
            canvas.draw()
            images.append(numpy.asarray(canvas.buffer_rgba())[:, :, :3].copy())
            if close:
                import matplotlib.pyplot
                matplotlib.pyplot.close(one_figure)
        if len(images) == 1:
            self.add_image(tag, images[0], global_step, walltime, dataformats="HWC")
        else:
            self.add_images(tag, numpy.stack(images), global_step, walltime, dataformats="NHWC")

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """The distribution of ``values`` (e.g. a layer's weights or gradients)."""
        self._add_summary(summary.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """A piece of text (Markdown) in TensorBoard's Text tab."""
        self._add_summary(summary.text(tag, text_string), global_step, walltime)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The model's graph, from one forward pass on ``input_to_model`` (see graph.py)."""
        if input_to_model is None:
            raise ValueError("add_graph needs an example input to run the model on, e.g. "
                             "writer.add_graph(model, images) with a batch from your loader.")
        inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
        self.file_writer.add_event(proto.event(time.time(), graph_def=graph_def(model, inputs)))

    def flush(self):
        """Write every queued event to disk now."""
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Write everything and close the files."""
        for writer in self.all_writers.values():
            writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __getattr__(self, name):
        if name in NOT_SUPPORTED:
            raise AttributeError(
                f"SummaryWriter.{name} is not supported by edunet's SummaryWriter, which writes "
                f"scalars, images, figures, histograms, text and graphs. Use PyTorch's "
                f"torch.utils.tensorboard for {name}.")
        raise AttributeError(f"'SummaryWriter' object has no attribute '{name}'")
