"""TFRecord files: how TensorBoard's event files frame each record, with CRC32C checks.

An event file is a sequence of records. Each record is

    length          8 bytes, unsigned little-endian
    length_crc      4 bytes: masked CRC32C of the 8 length bytes
    data            ``length`` bytes (here: one serialized Event protobuf)
    data_crc        4 bytes: masked CRC32C of the data

CRC32C is the CRC-32 with Castagnoli's polynomial (0x1EDC6F41; 0x82F63B78 bit-reversed),
the checksum iSCSI and ext4 use. TensorFlow "masks" it (rotates it and adds a
constant) because computing the CRC of data that itself contains CRCs is weak.
"""

import struct

CASTAGNOLI_REVERSED = 0x82F63B78
MASK_DELTA = 0xA282EAD8


def _crc_table():
    """CRC of every byte value: the lookup table of the byte-at-a-time algorithm."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ CASTAGNOLI_REVERSED if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    """The CRC32C checksum of ``data`` (bytes), e.g. ``crc32c(b"123456789") == 0xE3069283``."""
    crc = 0xFFFFFFFF
    table = CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """TensorFlow's masked CRC: rotate right by 15 bits, then add a constant (mod 2^32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + MASK_DELTA) & 0xFFFFFFFF


def encode_record(data):
    """One TFRecord: length, its CRC, the data, its CRC."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked_crc32c(length))
            + data + struct.pack("<I", masked_crc32c(data)))


def read_records(path):
    """The data of every record in a TFRecord file, checking both CRCs of each.

    Raises ValueError on a truncated record or a CRC mismatch.
    """
    with open(path, "rb") as file:
        content = file.read()
    records, offset = [], 0
    while offset < len(content):
        if offset + 12 > len(content):
            raise ValueError(f"{path}: truncated record header at byte {offset}")
        length_bytes = content[offset:offset + 8]
        (length,) = struct.unpack("<Q", length_bytes)
        (length_crc,) = struct.unpack("<I", content[offset + 8:offset + 12])
        if length_crc != masked_crc32c(length_bytes):
            raise ValueError(f"{path}: length CRC mismatch at byte {offset}")
        data = content[offset + 12:offset + 12 + length]
        crc_bytes = content[offset + 12 + length:offset + 16 + length]
        if len(data) != length or len(crc_bytes) != 4:
            raise ValueError(f"{path}: truncated record at byte {offset}")
        if struct.unpack("<I", crc_bytes)[0] != masked_crc32c(data):
            raise ValueError(f"{path}: data CRC mismatch at byte {offset}")
        records.append(data)
        offset += 16 + length
    return records
