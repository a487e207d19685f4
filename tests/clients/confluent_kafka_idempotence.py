#!/usr/bin/python3
"""confluent-kafka-python 1.7.0 (librdkafka 2.0.2) idempotent producer across broker restarts
(tests/Strom.Interop.Tests/IdempotenceInteropTests.cs).

Produces --count records with enable.idempotence=true, record n to partition n % --partitions
with value "<partition>:<n>". At each third it prints "MARK k" and goes on producing for
--chunk more records, then waits for a line on standard input (the test restarts the broker
meanwhile). Prints "acked N" as deliveries arrive; at the end writes one line per acknowledged
record, "<partition> <n> <offset>", to --out and prints "done acked=N failed=M".
"""

import argparse
import sys

from confluent_kafka import Producer

TIMEOUT_S = 120


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=100000)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "client.id": "idempotent-confluent",
        "enable.idempotence": True,
        "linger.ms": 5,
        "batch.num.messages": 500,
        "queue.buffering.max.messages": 1000000,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "retry.backoff.ms": 50,
    })
    acked = []
    failed = []

    def report(err, msg, n):
        if err is not None:
            failed.append((n, str(err)))
        else:
            acked.append((msg.partition(), n, msg.offset()))
            if len(acked) % 5000 == 0:
                out(f"acked {len(acked)}")

    marks = [args.count // 3, 2 * args.count // 3]
    waits = [m + args.chunk for m in marks]
    for n in range(args.count):
        if n in marks:
            out(f"MARK {marks.index(n) + 1}")
        if n in waits:
            sys.stdin.readline()
        p = n % args.partitions
        while True:
            try:
                producer.produce(args.topic, value=f"{p}:{n}".encode(), partition=p,
                                 on_delivery=lambda err, msg, n=n: report(err, msg, n))
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    remaining = producer.flush(TIMEOUT_S)
    with open(args.out, "w") as f:
        for p, n, offset in acked:
            f.write(f"{p} {n} {offset}\n")
    for n, err in failed[:10]:
        out(f"failed {n}: {err}")
    out(f"done acked={len(acked)} failed={len(failed)} undelivered={remaining}")


if __name__ == "__main__":
    main()
