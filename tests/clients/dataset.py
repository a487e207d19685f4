"""The records every interop client writes and expects back (see README.md)."""

import argparse
import sys

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PARTITIONS = 3
PER_CODEC = 30
BASE_TIMESTAMP = 1700000000000


def record(codec_index, i):
    codec = CODECS[codec_index]
    return {
        "partition": i % PARTITIONS,
        "key": f"k-{codec}-{i}".encode(),
        "value": (f"v-{codec}-{i}-" + "abcdefghij" * (i % 7 + 1)).encode(),
        "headers": [("codec", codec.encode()), ("i", str(i).encode())],
        "timestamp": BASE_TIMESTAMP + codec_index * 100000 + i * 1000,
    }


def records(codec_index):
    return [record(codec_index, i) for i in range(PER_CODEC)]


def expected_by_partition():
    result = {p: [] for p in range(PARTITIONS)}
    for c in range(len(CODECS)):
        for r in records(c):
            result[r["partition"]].append(r)
    return result


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("phase", choices=["produce", "verify"])
    return parser.parse_args()


class Failure(Exception):
    pass


def check_partition(partition, actual):
    """actual: list of (offset, key, value, headers as list of (str, bytes), timestamp)."""
    expected = expected_by_partition()[partition]
    if len(actual) != len(expected):
        raise Failure(f"partition {partition}: read {len(actual)} records, expected {len(expected)}")
    for n, (got, want) in enumerate(zip(actual, expected)):
        offset, key, value, headers, timestamp = got
        where = f"partition {partition} offset {offset}"
        if offset != n:
            raise Failure(f"partition {partition}: record #{n} has offset {offset}; offsets must be contiguous from 0")
        if key != want["key"]:
            raise Failure(f"{where}: key {key!r}, expected {want['key']!r}")
        if value != want["value"]:
            raise Failure(f"{where}: value {value!r}, expected {want['value']!r}")
        if list(headers) != want["headers"]:
            raise Failure(f"{where}: headers {headers!r}, expected {want['headers']!r}")
        if timestamp != want["timestamp"]:
            raise Failure(f"{where}: timestamp {timestamp}, expected {want['timestamp']}")


def run(produce, verify):
    args = parse_args()
    try:
        if args.phase == "produce":
            produce(args.bootstrap, args.topic)
        else:
            verify(args.bootstrap, args.topic)
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
    print(f"OK: {args.phase} {args.topic}", flush=True)
