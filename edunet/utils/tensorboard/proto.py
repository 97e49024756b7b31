"""Just enough protocol buffers to write TensorBoard's Event messages by hand.

A protobuf message is a sequence of fields; each field is a key (field number and
wire type) followed by its value:

    key     varint(field_number << 3 | wire_type)
    value   wire type 0: a varint (ints, bools, enums)
            wire type 1: 8 bytes little-endian (double)
            wire type 2: varint length, then that many bytes (strings, bytes,
                         nested messages, packed repeated numbers)
            wire type 5: 4 bytes little-endian (float)

A varint stores 7 bits per byte, least significant first; the high bit says
"more bytes follow". Fields that hold their default value (0, "", empty) are
left out, as protobuf itself does, so the bytes match what TensorFlow writes.
The message layouts come from TensorFlow's event.proto, summary.proto,
histogram.proto, graph.proto, node_def.proto, attr_value.proto and tensor.proto.
"""

import struct

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


def varint(value):
    """``value`` as a varint; a negative int is written as its 64-bit two's complement."""
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        low_bits, value = value & 0x7F, value >> 7
        if value:
            out.append(low_bits | 0x80)
        else:
            out.append(low_bits)
            return bytes(out)


def _key(field_number, wire_type):
    return varint(field_number << 3 | wire_type)


def int_field(field_number, value):
    """int32, int64, bool or enum: left out when 0."""
    return _key(field_number, VARINT) + varint(int(value)) if value else b""


def double_field(field_number, value):
    return _key(field_number, FIXED64) + struct.pack("<d", value) if value else b""


def float_field(field_number, value):
    return _key(field_number, FIXED32) + struct.pack("<f", value) if value else b""


def bytes_field(field_number, value):
    """string, bytes or an encoded message: length-delimited; left out when empty."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return _key(field_number, LENGTH_DELIMITED) + varint(len(value)) + value if value else b""


def message_field(field_number, encoded_message):
    """A nested message; unlike a string it is written even when empty (it is 'set')."""
    return _key(field_number, LENGTH_DELIMITED) + varint(len(encoded_message)) + encoded_message


def packed_doubles(field_number, values):
    return bytes_field(field_number, struct.pack(f"<{len(values)}d", *values))


# ---------------------------------------------------------------- TensorBoard messages
def event(wall_time, step=0, file_version=None, graph_def=None, summary=None, session_log=None):
    """Event: wall_time = 1 (double), step = 2, then one of file_version = 3,
    graph_def = 4 (bytes), summary = 5 (Summary), session_log = 7 (SessionLog)."""
    encoded = double_field(1, wall_time) + int_field(2, step)
    if file_version is not None:
        encoded += bytes_field(3, file_version)
    if graph_def is not None:
        encoded += bytes_field(4, graph_def)
    if summary is not None:
        encoded += message_field(5, summary)
    if session_log is not None:
        encoded += message_field(7, session_log)
    return encoded


SESSION_START = 1


def session_log(status):
    """SessionLog: status = 1 (START = 1: 'a run (re)starts here')."""
    return int_field(1, status)


def summary(*values):
    """Summary: repeated Value value = 1."""
    return b"".join(message_field(1, value) for value in values)


def summary_value(tag, simple_value=None, image=None, histogram=None, tensor=None, metadata=None):
    """Summary.Value: tag = 1, then one of simple_value = 2 (float), image = 4,
    histo = 5, tensor = 8; metadata = 9 (SummaryMetadata)."""
    encoded = bytes_field(1, tag)
    if simple_value is not None:    # written even when 0.0: it is the value of a oneof
        encoded += _key(2, FIXED32) + struct.pack("<f", simple_value)
    if image is not None:
        encoded += message_field(4, image)
    if histogram is not None:
        encoded += message_field(5, histogram)
    if tensor is not None:
        encoded += message_field(8, tensor)
    if metadata is not None:
        encoded += message_field(9, metadata)
    return encoded


def image(height, width, colorspace, encoded_image):
    """Summary.Image: height = 1, width = 2, colorspace = 3 (channels), encoded_image_string = 4."""
    return (int_field(1, height) + int_field(2, width) + int_field(3, colorspace)
            + bytes_field(4, encoded_image))


def histogram(minimum, maximum, count, total, sum_squares, bucket_limits, bucket_counts):
    """HistogramProto: min = 1, max = 2, num = 3, sum = 4, sum_squares = 5 (doubles),
    bucket_limit = 6, bucket = 7 (packed doubles)."""
    return (double_field(1, minimum) + double_field(2, maximum) + double_field(3, count)
            + double_field(4, total) + double_field(5, sum_squares)
            + packed_doubles(6, bucket_limits) + packed_doubles(7, bucket_counts))


DT_STRING = 7


def string_tensor(strings):
    """TensorProto of strings, shape [len(strings)]: dtype = 1, tensor_shape = 2
    (TensorShapeProto: dim = 2, each Dim: size = 1), string_val = 8."""
    shape = message_field(2, int_field(1, len(strings)))
    return (int_field(1, DT_STRING) + message_field(2, shape)
            + b"".join(bytes_field(8, text) for text in strings))


def plugin_metadata(plugin_name):
    """SummaryMetadata: plugin_data = 1 (PluginData: plugin_name = 1)."""
    return message_field(1, bytes_field(1, plugin_name))


# ------------------------------------------------------------------------ graphs
def shape(dimensions):
    """TensorShapeProto: dim = 2, each Dim: size = 1."""
    return b"".join(message_field(2, int_field(1, size)) for size in dimensions)


def attr_shapes(shapes):
    """AttrValue holding a list of shapes: list = 1 (ListValue: shape = 7)."""
    return message_field(1, b"".join(message_field(7, shape(s)) for s in shapes))


def attr_string(text):
    """AttrValue holding a string: s = 2."""
    return bytes_field(2, text)


def node_def(name, op, inputs=(), attributes=None, device=""):
    """NodeDef: name = 1, op = 2, input = 3 (repeated), device = 4,
    attr = 5 (map<string, AttrValue>: entries with key = 1 and value = 2)."""
    encoded = bytes_field(1, name) + bytes_field(2, op)
    encoded += b"".join(bytes_field(3, input_name) for input_name in inputs)
    encoded += bytes_field(4, device)
    for key, value in sorted((attributes or {}).items()):
        encoded += message_field(5, bytes_field(1, key) + message_field(2, value))
    return encoded


def graph_def(nodes, producer=22):
    """GraphDef: node = 1 (repeated NodeDef), versions = 4 (VersionDef: producer = 1)."""
    versions = message_field(4, int_field(1, producer))
    return b"".join(message_field(1, node) for node in nodes) + versions
