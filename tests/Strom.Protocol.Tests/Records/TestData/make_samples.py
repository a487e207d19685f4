#!/usr/bin/python3
"""Writes record batches and legacy message sets built by kafka-python (Debian python3-kafka
2.0.2, with python3-snappy, python3-lz4, python3-zstandard and
python3-xxhash for magic 0 lz4) plus expected.json describing
their records. Run with /usr/bin/python3 from this directory; the outputs are committed."""
import json
import struct

from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.legacy_records import LegacyRecordBatchBuilder

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
BASE_TIMESTAMP = 1700000000000


def sample_records(count):
    """Compressible values so kafka-python keeps the codec; null keys, null values, headers."""
    records = []
    for i in range(count):
        key = None if i % 3 == 1 else ("key-%d" % i).encode()
        value = None if i % 5 == 4 else (("value %d " % i) * 20).encode()
        headers = []
        if i % 2 == 0:
            headers = [("trace", ("t%d" % i).encode()), ("empty", b""), ("null", None), ("ünï", b"\x00\xff")]
        records.append((i, BASE_TIMESTAMP + i * 7 - (3 if i == 2 else 0), key, value, headers))
    return records


def hexor(b):
    return None if b is None else b.hex()


def v2_batch(codec, base_offset, records):
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=CODECS[codec], is_transactional=False,
                                        producer_id=4242, producer_epoch=3, base_sequence=17, batch_size=1 << 20)
    for offset, ts, key, value, headers in records:
        assert builder.append(offset, ts, key, value, headers) is not None
    data = bytearray(builder.build())
    assert (data[22] & 7) == CODECS[codec], "kafka-python dropped compression"
    struct.pack_into(">q", data, 0, base_offset)  # base offset is outside the CRC
    return bytes(data)


def legacy_set(magic, codec, base_offset, records):
    builder = LegacyRecordBatchBuilder(magic=magic, compression_type=CODECS[codec], batch_size=1 << 20)
    # A broker's v0 wrapper holds absolute inner offsets; v1 inner offsets are relative.
    shift = base_offset if magic == 0 and codec != "none" else 0
    for offset, ts, key, value, _ in records:
        assert builder.append(shift + offset, ts if magic else None, key, value) is not None
    data = bytearray(builder.build())
    if codec == "none":
        # Give each message its broker-assigned absolute offset (outside the CRC).
        pos = 0
        for offset, *_ in records:
            struct.pack_into(">q", data, pos, base_offset + offset)
            pos += 12 + struct.unpack_from(">i", data, pos + 8)[0]
    else:
        # The broker stamps the wrapper with the last inner message's absolute offset.
        struct.pack_into(">q", data, 0, base_offset + records[-1][0])
    return bytes(data)


def expect(base_offset, records, magic):
    return [{
        "offset": base_offset + offset,
        "timestamp": ts if magic > 0 else -1,
        "key": hexor(key),
        "value": hexor(value),
        "headers": [[k, hexor(v)] for k, v in headers] if magic == 2 else [],
    } for offset, ts, key, value, headers in records]


def main():
    expected = {}
    records = sample_records(7)
    for codec in CODECS:
        name = "v2-%s.bin" % codec
        # Two batches back to back, as a Fetch response carries them.
        first, second = records[:4], [(o - 4, *rest) for o, *rest in records[4:]]
        data = v2_batch(codec, 1000, first) + v2_batch(codec, 1004, second)
        open(name, "wb").write(data)
        expected[name] = expect(1000, records[:4], 2) + expect(1004, second, 2)
    for magic in (0, 1):
        for codec in ("none", "gzip", "snappy", "lz4"):
            name = "v%d-%s.bin" % (magic, codec)
            open(name, "wb").write(legacy_set(magic, codec, 500, records))
            expected[name] = expect(500, records, magic)
    with open("expected.json", "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
