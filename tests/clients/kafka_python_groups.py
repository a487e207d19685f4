#!/usr/bin/python3
"""kafka-python 2.0.2 consumer-group scenarios (tests/Strom.Interop.Tests/GroupInteropTests.cs).

tutorial-produce  the seed tutorial's JSON producer: {"number": n} for n in [--from, --from + --count)
tutorial-consume  the seed tutorial's consumer (group my-group-id by default); checks it read
                  exactly {"number": n} for n in [--expect-from, --expect-from + --expect-count)
                  in order, then that its committed offset reached the end of the topic.
                  --manual: enable_auto_commit=False and commit() after the loop.
                  --limit N: stop after N records (commit, close): a run cut short.
trio              three consumers in one group on a six-partition topic, one thread each; waits
                  until each holds two partitions and has read them from offset 0, then prints
                  ASSIGNMENT <json>.
"""

import argparse
import json
import sys
import threading
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

TIMEOUT_S = 60


class Failure(Exception):
    pass


def tutorial_produce(args):
    producer = KafkaProducer(bootstrap_servers=[args.bootstrap],
                             value_serializer=lambda x: json.dumps(x).encode('utf-8'))
    futures = [producer.send(args.topic, value={'number': n}) for n in range(args.start, args.start + args.count)]
    producer.flush(timeout=TIMEOUT_S)
    for f in futures:
        f.get(timeout=TIMEOUT_S)
    producer.close()


def tutorial_consume(args):
    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=[args.bootstrap],
        auto_offset_reset='earliest',
        enable_auto_commit=not args.manual,
        group_id=args.group,
        value_deserializer=lambda x: json.loads(x.decode('utf-8')),
        consumer_timeout_ms=args.idle_ms)
    numbers = []
    for message in consumer:
        numbers.append(message.value['number'])
        if args.limit is not None and len(numbers) >= args.limit:
            break
    if not consumer.assignment():
        raise Failure(f"no partitions assigned after {args.idle_ms} ms idle: the consumer never joined")
    if args.manual:
        consumer.commit()
    tps = sorted(consumer.assignment())
    positions = {tp: consumer.position(tp) for tp in tps}
    consumer.close()  # commits once more when auto commit is on

    expected = list(range(args.expect_from, args.expect_from + args.expect_count))
    if numbers != expected:
        raise Failure(f"read {len(numbers)} records {summary(numbers)}, expected {summary(expected)}")

    # A fresh connection: what the group coordinator now holds for the group.
    check = KafkaConsumer(bootstrap_servers=[args.bootstrap], group_id=args.group, enable_auto_commit=False)
    try:
        for tp in tps:
            committed = check.committed(tp)
            if committed != positions[tp]:
                raise Failure(f"{tp}: committed offset {committed}, expected the consumer's position {positions[tp]}")
        if args.limit is None:
            end = check.end_offsets(tps)
            for tp in tps:
                if positions[tp] != end[tp]:
                    raise Failure(f"{tp}: position {positions[tp]} after the run, end offset {end[tp]}")
    finally:
        check.close()
    print(f"read {len(numbers)}, committed {dict((tp.partition, o) for tp, o in positions.items())}")


def summary(numbers):
    if not numbers:
        return "[]"
    return f"[{numbers[0]}..{numbers[-1]}]" if len(numbers) > 2 else str(numbers)


class Member(ConsumerRebalanceListener):
    """One consumer of the trio: which partitions it holds and what it read of each since assigned."""

    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.lock = threading.Lock()
        self.read = {}
        self.error = None
        self.consumer = None

    def on_partitions_revoked(self, revoked):
        with self.lock:
            for tp in revoked:
                self.read.pop(tp.partition, None)

    def on_partitions_assigned(self, assigned):
        with self.lock:
            for tp in assigned:
                self.read[tp.partition] = set()

    def snapshot(self):
        with self.lock:
            return {p: set(offsets) for p, offsets in self.read.items()}

    def run(self, stop):
        try:
            self.consumer = KafkaConsumer(
                bootstrap_servers=[self.args.bootstrap], group_id=self.args.group, client_id=self.name,
                enable_auto_commit=False, auto_offset_reset='earliest')
            self.consumer.subscribe([self.args.topic], listener=self)
            while not stop.is_set():
                for tp, messages in self.consumer.poll(timeout_ms=100).items():
                    with self.lock:
                        if tp.partition in self.read:
                            self.read[tp.partition].update(m.offset for m in messages)
            self.consumer.close(autocommit=False)
        except Exception as e:  # reported by the main thread
            self.error = e


def trio(args):
    members = [Member(f"trio-{i}", args) for i in range(3)]
    stop = threading.Event()
    threads = [threading.Thread(target=m.run, args=(stop,), daemon=True) for m in members]
    for t in threads:
        t.start()
    deadline = time.monotonic() + TIMEOUT_S
    want = set(range(args.per_partition))
    try:
        while True:
            for m in members:
                if m.error is not None:
                    raise Failure(f"{m.name}: {m.error!r}")
            views = [m.snapshot() for m in members]
            held = [sorted(v) for v in views]
            if (all(len(h) == 2 for h in held) and sorted(p for h in held for p in h) == list(range(6))
                    and all(v[p] == want for v in views for p in v)):
                print("ASSIGNMENT " + json.dumps({m.name: h for m, h in zip(members, held)}))
                return
            if time.monotonic() > deadline:
                raise Failure(f"no even assignment within {TIMEOUT_S}s: held {held}, read "
                              f"{[{p: len(o) for p, o in v.items()} for v in views]}")
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", default="my-group-id")
    parser.add_argument("--from", dest="start", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--expect-from", type=int, default=0)
    parser.add_argument("--expect-count", type=int, default=0)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--manual", action="store_true")
    parser.add_argument("--idle-ms", type=int, default=1500)
    parser.add_argument("--per-partition", type=int, default=10)
    parser.add_argument("phase", choices=["tutorial-produce", "tutorial-consume", "trio"])
    args = parser.parse_args()
    try:
        {"tutorial-produce": tutorial_produce, "tutorial-consume": tutorial_consume, "trio": trio}[args.phase](args)
    except Failure as e:
        print(f"FAIL: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
