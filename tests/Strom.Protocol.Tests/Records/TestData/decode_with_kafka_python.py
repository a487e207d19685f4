#!/usr/bin/python3
"""Decodes the record batch files named on the command line with kafka-python's own reader
(Debian python3-kafka) and prints their records as JSON, so tests can check that batches we
encode are readable by another client."""
import json
import sys

from kafka.record.memory_records import MemoryRecords


def hexor(b):
    return None if b is None else bytes(b).hex()


out = {}
for path in sys.argv[1:]:
    records = []
    batches = MemoryRecords(open(path, "rb").read())
    while True:
        batch = batches.next_batch()
        if batch is None:
            break
        assert batch.validate_crc(), path
        for r in batch:
            records.append({"offset": r.offset, "timestamp": r.timestamp, "key": hexor(r.key), "value": hexor(r.value),
                            "headers": [[k, hexor(v)] for k, v in r.headers]})
    out[path] = records
json.dump(out, sys.stdout)
