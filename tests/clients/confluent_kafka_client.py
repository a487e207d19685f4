#!/usr/bin/python3
"""confluent-kafka-python 1.7.0 (Debian python3-confluent-kafka, librdkafka 2.0.2):
produce or verify the interop data set."""

import time

from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import dataset
from dataset import CODECS, PARTITIONS, Failure

TIMEOUT_S = 60


def produce(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap, "client.id": "interop-confluent-admin"})
    futures = admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)],
                                  request_timeout=TIMEOUT_S)
    try:
        futures[topic].result(timeout=TIMEOUT_S)
    except KafkaException as e:
        raise Failure(f"CreateTopics {topic}: {e}")
    for c, codec in enumerate(CODECS):
        producer = Producer({
            "bootstrap.servers": bootstrap,
            "client.id": f"interop-confluent-{codec}",
            "compression.type": codec,
            "acks": "all",
            "linger.ms": 5,
        })
        reports = []
        for r in dataset.records(c):
            producer.produce(topic, key=r["key"], value=r["value"], partition=r["partition"],
                             headers=r["headers"], timestamp=r["timestamp"],
                             on_delivery=lambda err, msg, r=r: reports.append((r, err, msg)))
        remaining = producer.flush(TIMEOUT_S)
        if remaining:
            raise Failure(f"codec {codec}: {remaining} records still undelivered after {TIMEOUT_S}s")
        if len(reports) != dataset.PER_CODEC:
            raise Failure(f"codec {codec}: {len(reports)} delivery reports, expected {dataset.PER_CODEC}")
        for r, err, msg in reports:
            if err is not None:
                raise Failure(f"codec {codec}: delivery of {r['key']!r} failed: {err}")
            if msg.partition() != r["partition"] or msg.offset() < 0:
                raise Failure(f"codec {codec}: {r['key']!r} delivered to partition {msg.partition()} offset {msg.offset()}")


def verify(bootstrap, topic):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": "interop-confluent-verify",
        "group.id": "interop-confluent-verify-unused",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    })
    try:
        metadata = consumer.list_topics(topic, timeout=TIMEOUT_S).topics.get(topic)
        if metadata is None or metadata.error is not None:
            raise Failure(f"topic {topic} metadata: {metadata.error if metadata else 'missing'}")
        if sorted(metadata.partitions) != list(range(PARTITIONS)):
            raise Failure(f"topic {topic} has partitions {sorted(metadata.partitions)}, expected {PARTITIONS}")
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
        read = {p: [] for p in range(PARTITIONS)}
        at_end = set()
        deadline = time.monotonic() + TIMEOUT_S
        while len(at_end) < PARTITIONS:
            if time.monotonic() > deadline:
                raise Failure(f"timed out reading: {({p: len(v) for p, v in read.items()})} records so far, at end: {sorted(at_end)}")
            m = consumer.poll(1.0)
            if m is None:
                continue
            if m.error() is not None:
                if m.error().code() == -191:  # _PARTITION_EOF
                    at_end.add(m.partition())
                    continue
                raise Failure(f"consume error: {m.error()}")
            ts_type, ts = m.timestamp()
            if ts_type != TIMESTAMP_CREATE_TIME:
                raise Failure(f"partition {m.partition()} offset {m.offset()}: timestamp type {ts_type}, expected CreateTime")
            headers = [(k, v) for k, v in (m.headers() or [])]
            read[m.partition()].append((m.offset(), m.key(), m.value(), headers, ts))
        for p in range(PARTITIONS):
            dataset.check_partition(p, read[p])
    finally:
        consumer.close()


if __name__ == "__main__":
    dataset.run(produce, verify)
