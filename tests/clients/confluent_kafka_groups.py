#!/usr/bin/python3
"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) consumer-group scenarios
(tests/Strom.Interop.Tests/GroupInteropTests.cs).

trio --strategy S  three consumers in one group (partition.assignment.strategy S) on a
                   six-partition topic; waits until each holds two partitions and has read them
                   from offset 0, then prints ASSIGNMENT <json>.
member             one consumer of a group that commits synchronously every --commit-every
                   records and whenever partitions are revoked. Prints one line per event:
                     ASSIGNED p,p,...      its assignment after each rebalance
                     R p offset            a record it consumed
                     C p offset            a commit that succeeded (offset = next to read)
                   --delay-ms slows it down per record. It stops, commits and closes when its
                   standard input closes.
"""

import argparse
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition

TIMEOUT_S = 60


class Failure(Exception):
    pass


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class TrioMember:
    def __init__(self, name, args):
        self.name = name
        self.read = {}
        self.lock = threading.Lock()
        self.consumer = Consumer({
            "bootstrap.servers": args.bootstrap,
            "group.id": args.group,
            "client.id": name,
            "partition.assignment.strategy": args.strategy,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 300,
        })
        self.consumer.subscribe([args.topic], on_assign=self.on_assign, on_revoke=self.on_revoke)

    # Cooperative rebalances pass only the partitions that move; eager ones pass all of them.
    def on_assign(self, consumer, partitions):
        with self.lock:
            for tp in partitions:
                self.read[tp.partition] = set()

    def on_revoke(self, consumer, partitions):
        with self.lock:
            for tp in partitions:
                self.read.pop(tp.partition, None)

    def poll(self):
        m = self.consumer.poll(0.05)
        if m is None:
            return
        if m.error() is not None:
            raise Failure(f"{self.name}: consume error {m.error()}")
        with self.lock:
            if m.partition() in self.read:
                self.read[m.partition()].add(m.offset())

    def snapshot(self):
        with self.lock:
            return {p: set(o) for p, o in self.read.items()}


def trio(args):
    members = [TrioMember(f"trio-{i}", args) for i in range(3)]
    want = set(range(args.per_partition))
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while True:
            for m in members:
                m.poll()
            views = [m.snapshot() for m in members]
            held = [sorted(v) for v in views]
            # The library's own view must agree with what the callbacks saw.
            actual = [sorted(tp.partition for tp in m.consumer.assignment()) for m in members]
            if (held == actual and all(len(h) == 2 for h in held) and sorted(p for h in held for p in h) == list(range(6))
                    and all(v[p] == want for v in views for p in v)):
                out("ASSIGNMENT " + json.dumps({m.name: h for m, h in zip(members, held)}))
                return
            if time.monotonic() > deadline:
                raise Failure(f"no even assignment within {TIMEOUT_S}s: held {held}, assignment() {actual}, read "
                              f"{[{p: len(o) for p, o in v.items()} for v in views]}")
    finally:
        for m in members:
            m.consumer.close()


def member(args):
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    positions = {}

    def commit(consumer):
        offsets = [TopicPartition(args.topic, p, o) for p, o in positions.items()]
        if not offsets:
            return
        for tp in consumer.commit(offsets=offsets, asynchronous=False):
            if tp.error is not None:
                raise Failure(f"commit of partition {tp.partition} at {tp.offset}: {tp.error}")
            out(f"C {tp.partition} {tp.offset}")
        positions.clear()

    def on_revoke(consumer, partitions):
        commit(consumer)

    def on_assign(consumer, partitions):
        out("ASSIGNED " + ",".join(str(tp.partition) for tp in partitions))

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "client.id": args.name,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": args.session_timeout_ms,
        "heartbeat.interval.ms": 300,
    })
    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
    since_commit = 0
    try:
        while not stop.is_set():
            m = consumer.poll(0.1)
            if m is None:
                continue
            if m.error() is not None:
                raise Failure(f"consume error {m.error()}")
            out(f"R {m.partition()} {m.offset()}")
            positions[m.partition()] = m.offset() + 1
            since_commit += 1
            if since_commit >= args.commit_every:
                commit(consumer)
                since_commit = 0
            if args.delay_ms:
                time.sleep(args.delay_ms / 1000)
        commit(consumer)
    finally:
        consumer.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--strategy", default="range")
    parser.add_argument("--per-partition", type=int, default=10)
    parser.add_argument("--name", default="member")
    parser.add_argument("--commit-every", type=int, default=20)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--session-timeout-ms", type=int, default=3000)
    parser.add_argument("phase", choices=["trio", "member"])
    args = parser.parse_args()
    try:
        {"trio": trio, "member": member}[args.phase](args)
    except (Failure, KafkaException) as e:
        out(f"FAIL: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
