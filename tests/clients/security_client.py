#!/usr/bin/python3
"""Produce and consume through a secured listener (SSL, SASL_PLAINTEXT, SASL_SSL) with
confluent-kafka-python (librdkafka 2.0.2) or kafka-python 2.0.2, or check that a wrong
password is reported as an authentication failure.

usage: security_client.py --library confluent|kafka-python --bootstrap HOST:PORT --topic T
       --protocol P [--mechanism M --user U --password PW] [--ca ca.pem] roundtrip|auth-failure"""

import argparse
import sys
import time

COUNT = 20
TIMEOUT_S = 60


class Failure(Exception):
    pass


def confluent_config(a):
    config = {"bootstrap.servers": a.bootstrap, "security.protocol": a.protocol}
    if a.ca:
        config["ssl.ca.location"] = a.ca
        config["enable.ssl.certificate.verification"] = True
    if a.mechanism:
        config.update({"sasl.mechanisms": a.mechanism, "sasl.username": a.user, "sasl.password": a.password})
    return config


def kafka_python_config(a):
    config = {"bootstrap_servers": a.bootstrap, "security_protocol": a.protocol}
    if a.ca:
        config["ssl_cafile"] = a.ca
        config["ssl_check_hostname"] = True
    if a.mechanism:
        config.update({"sasl_mechanism": a.mechanism, "sasl_plain_username": a.user, "sasl_plain_password": a.password})
    return config


def messages(topic):
    return [(f"k{i}".encode(), f"{topic}-value-{i}".encode()) for i in range(COUNT)]


def confluent_roundtrip(a):
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient(confluent_config(a))
    admin.create_topics([NewTopic(a.topic, num_partitions=1, replication_factor=1)])[a.topic].result(timeout=TIMEOUT_S)
    producer = Producer({**confluent_config(a), "acks": "all"})
    errors = []
    for key, value in messages(a.topic):
        producer.produce(a.topic, key=key, value=value, on_delivery=lambda err, msg: err and errors.append(err))
    if producer.flush(TIMEOUT_S) or errors:
        raise Failure(f"produce: {errors or 'undelivered records'}")
    consumer = Consumer({**confluent_config(a), "group.id": f"{a.topic}-group", "auto.offset.reset": "earliest"})
    consumer.subscribe([a.topic])
    got, deadline = [], time.time() + TIMEOUT_S
    while len(got) < COUNT and time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is not None and msg.error() is None:
            got.append((msg.key(), msg.value()))
    consumer.close()
    return got


def confluent_auth_failure(a):
    from confluent_kafka import KafkaError, Producer
    seen = []
    producer = Producer({**confluent_config(a), "error_cb": lambda err: seen.append(err)})
    producer.produce(a.topic, value=b"never")
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline and not any(e.code() == KafkaError._AUTHENTICATION for e in seen):
        producer.poll(0.5)
    if not any(e.code() == KafkaError._AUTHENTICATION for e in seen):
        raise Failure(f"no authentication error reported; saw {[str(e) for e in seen]}")
    print(next(str(e) for e in seen if e.code() == KafkaError._AUTHENTICATION))


def kafka_python_roundtrip(a):
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
    from kafka.admin import NewTopic
    admin = KafkaAdminClient(**kafka_python_config(a))
    admin.create_topics([NewTopic(a.topic, 1, 1)], timeout_ms=TIMEOUT_S * 1000)
    admin.close()
    producer = KafkaProducer(acks="all", **kafka_python_config(a))
    for future in [producer.send(a.topic, key=k, value=v) for k, v in messages(a.topic)]:
        future.get(timeout=TIMEOUT_S)
    producer.close()
    consumer = KafkaConsumer(a.topic, group_id=f"{a.topic}-group", auto_offset_reset="earliest",
                             consumer_timeout_ms=TIMEOUT_S * 1000, **kafka_python_config(a))
    got = []
    for msg in consumer:
        got.append((msg.key, msg.value))
        if len(got) == COUNT:
            break
    consumer.close()
    return got


def kafka_python_auth_failure(a):
    # kafka-python 2.0.2 uses SaslHandshake v0: a refused raw token can only be answered by closing
    # the connection (as Kafka does), which it logs from inside its SASL exchange.
    import logging
    from kafka import KafkaProducer
    from kafka.errors import AuthenticationFailedError, NoBrokersAvailable
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger("kafka").addHandler(handler)
    logging.getLogger("kafka").setLevel(logging.INFO)
    try:
        KafkaProducer(**kafka_python_config(a)).close()
    except (AuthenticationFailedError, NoBrokersAvailable) as e:
        if any("Authenticated as" in r for r in records):
            raise Failure("authenticated with a wrong password")
        if not any("Error receiving reply from server" in r or "Authentication failed" in r for r in records):
            raise Failure(f"{type(e).__name__} but no SASL failure logged: {records[-5:]}")
        print(f"{type(e).__name__}: {e}")
        return
    raise Failure("the producer connected with a wrong password")


def main():
    p = argparse.ArgumentParser()
    for name in ("library", "bootstrap", "topic", "protocol"):
        p.add_argument(f"--{name}", required=True)
    for name in ("mechanism", "user", "password", "ca"):
        p.add_argument(f"--{name}")
    p.add_argument("phase", choices=["roundtrip", "auth-failure"])
    a = p.parse_args()
    confluent = a.library == "confluent"
    try:
        if a.phase == "auth-failure":
            (confluent_auth_failure if confluent else kafka_python_auth_failure)(a)
            return 0
        got = (confluent_roundtrip if confluent else kafka_python_roundtrip)(a)
        if sorted(got) != sorted(messages(a.topic)):
            raise Failure(f"consumed {len(got)} records, expected {COUNT}: {got[:3]}")
        print(f"{a.library}: {COUNT} records through {a.protocol} {a.mechanism or ''}")
        return 0
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
