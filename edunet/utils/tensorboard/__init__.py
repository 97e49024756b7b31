"""``edunet.utils.tensorboard``: write TensorBoard logs, as ``torch.utils.tensorboard``.

    from edunet.utils.tensorboard import SummaryWriter

The files: writer.py (SummaryWriter), summary.py (scalars, images, histograms, text),
graph.py (add_graph), proto.py (the protobuf messages, encoded by hand) and
record.py (the TFRecord framing with its CRC32C checksums). Reading the logs back
needs the ``tensorboard`` package (``pip install tensorboard``); writing does not.
"""

from edunet.utils.tensorboard.writer import SummaryWriter

__all__ = ["SummaryWriter"]
