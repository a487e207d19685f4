#!/usr/bin/python3
"""kafka-python 2.0.2 (Debian python3-kafka): produce or verify the interop data set."""

import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

import dataset
from dataset import CODECS, PARTITIONS, Failure

TIMEOUT_S = 60


def produce(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="interop-kafka-python-admin")
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)], timeout_ms=TIMEOUT_S * 1000)
    except TopicAlreadyExistsError:
        raise Failure(f"topic {topic} already exists before the produce phase")
    finally:
        admin.close()
    for c, codec in enumerate(CODECS):
        producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=f"interop-kafka-python-{codec}",
            compression_type=None if codec == "none" else codec,
            acks="all",
            max_in_flight_requests_per_connection=1,
        )
        futures = []
        for r in dataset.records(c):
            futures.append((r, producer.send(
                topic, key=r["key"], value=r["value"], partition=r["partition"],
                headers=r["headers"], timestamp_ms=r["timestamp"])))
        producer.flush(timeout=TIMEOUT_S)
        for r, future in futures:
            try:
                meta = future.get(timeout=TIMEOUT_S)
            except Exception as e:
                raise Failure(f"codec {codec}: delivery of {r['key']!r} failed: {e!r}")
            if meta.partition != r["partition"] or meta.offset < 0:
                raise Failure(f"codec {codec}: {r['key']!r} delivered to partition {meta.partition} offset {meta.offset}")
        producer.close(timeout=TIMEOUT_S)


def verify(bootstrap, topic):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id="interop-kafka-python-verify",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1000,
    )
    try:
        partitions = consumer.partitions_for_topic(topic)
        if partitions != set(range(PARTITIONS)):
            raise Failure(f"topic {topic} has partitions {partitions}, expected {PARTITIONS}")
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        read = {p: [] for p in range(PARTITIONS)}
        deadline = time.monotonic() + TIMEOUT_S
        while any(consumer.position(tp) < end[tp] for tp in tps):
            if time.monotonic() > deadline:
                positions = {tp.partition: consumer.position(tp) for tp in tps}
                raise Failure(f"timed out reading: positions {positions}, end offsets { {tp.partition: o for tp, o in end.items()} }")
            for tp, messages in consumer.poll(timeout_ms=1000).items():
                for m in messages:
                    if m.timestamp_type != 0:
                        raise Failure(f"partition {m.partition} offset {m.offset}: timestamp type {m.timestamp_type}, expected CreateTime (0)")
                    read[tp.partition].append((m.offset, m.key, m.value, m.headers, m.timestamp))
        for p in range(PARTITIONS):
            dataset.check_partition(p, read[p])
    finally:
        consumer.close()


if __name__ == "__main__":
    dataset.run(produce, verify)
