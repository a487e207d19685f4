#!/usr/bin/python3
"""confluent-kafka-python (librdkafka) as one member of a consumer group, for mixed-group tests.

Joins --group on --topic with --assignor, prints "ASSIGNED t:p,t:p" whenever its assignment
changes, and stops (leaving the group) when --stop-file exists or after --max-seconds, printing
"FINAL ..." with the assignment it held last."""

import argparse
import os
import sys
import time

from confluent_kafka import Consumer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--assignor", default="cooperative-sticky")
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--max-seconds", type=float, default=90)
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "client.id": "interop-group-member",
        "partition.assignment.strategy": args.assignor,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 200,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([args.topic])
    deadline = time.time() + args.max_seconds
    last = None
    while time.time() < deadline and not os.path.exists(args.stop_file):
        consumer.poll(0.1)
        current = ",".join(sorted(f"{tp.topic}:{tp.partition}" for tp in consumer.assignment()))
        if current != last:
            print(f"ASSIGNED {current}", flush=True)
            last = current
    print(f"FINAL {last or ''}", flush=True)
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
