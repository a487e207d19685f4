#!/usr/bin/python3
"""confluent-kafka's Python Schema Registry client against Strom's registry.

Usage: schema_registry_python.py REGISTRY_URL

Exercises the REST client (register, get by id, latest version, subjects, compatibility checks,
config, delete) and the JSON Schema serde. Avro serdes need fastavro, which Debian does not
package, so Avro is covered through the REST client only. On success prints one JSON line
{"id": <schema id>, "payload": <hex of the JSON-serialized message>} and exits 0; otherwise
prints "FAIL: reason" and exits 1.
"""
import json
import struct
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

AVRO_V1 = json.dumps({"type": "record", "name": "Payment", "namespace": "interop",
                      "fields": [{"name": "id", "type": "string"}]})
# Adds a field with a default: readers of v2 can read v1 data, so BACKWARD accepts it.
AVRO_COMPATIBLE = json.dumps({"type": "record", "name": "Payment", "namespace": "interop",
                              "fields": [{"name": "id", "type": "string"},
                                         {"name": "amount", "type": "double", "default": 0.0}]})
# Changes the type of an existing field: string cannot be read as int.
AVRO_INCOMPATIBLE = json.dumps({"type": "record", "name": "Payment", "namespace": "interop",
                                "fields": [{"name": "id", "type": "int"}]})
JSON_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                   "tags": {"type": "array", "items": {"type": "string"}}},
    "required": ["id", "name"],
})


def check(condition, reason):
    if not condition:
        raise AssertionError(reason)


def registry_client(client):
    subject = "py-avro-value"
    schema_id = client.register_schema(subject, Schema(AVRO_V1, "AVRO"))
    check(isinstance(schema_id, int) and schema_id > 0, f"register_schema returned {schema_id!r}")
    check(client.register_schema(subject, Schema(AVRO_V1, "AVRO")) == schema_id,
          "registering the same schema again gave a different id")

    fetched = client.get_schema(schema_id)
    check(fetched.schema_type == "AVRO", f"get_schema type {fetched.schema_type!r}")
    check(json.loads(fetched.schema_str) == json.loads(AVRO_V1), f"get_schema text {fetched.schema_str!r}")

    latest = client.get_latest_version(subject)
    check(latest.schema_id == schema_id and latest.version == 1 and latest.subject == subject,
          f"get_latest_version gave id {latest.schema_id} version {latest.version} subject {latest.subject}")
    check(client.get_versions(subject) == [1], f"get_versions {client.get_versions(subject)!r}")
    check(client.lookup_schema(subject, Schema(AVRO_V1, "AVRO")).schema_id == schema_id, "lookup_schema id")
    check(subject in client.get_subjects(), f"{subject} missing from get_subjects {client.get_subjects()!r}")

    check(client.test_compatibility(subject, Schema(AVRO_COMPATIBLE, "AVRO")) is True,
          "a field added with a default was reported incompatible")
    check(client.test_compatibility(subject, Schema(AVRO_INCOMPATIBLE, "AVRO")) is False,
          "changing a field from string to int was reported compatible")

    client.set_compatibility(subject_name=subject, level="full")
    check(client.get_compatibility(subject) == "FULL", f"subject compatibility {client.get_compatibility(subject)!r}")
    client.set_compatibility(level="BACKWARD")
    check(client.get_compatibility() == "BACKWARD", f"global compatibility {client.get_compatibility()!r}")

    check(client.delete_subject(subject) == [1], "delete_subject did not return [1]")
    check(subject not in client.get_subjects(), "subject still listed after delete_subject")


def json_serde(client):
    ctx = SerializationContext("py-json", MessageField.VALUE)
    serializer = JSONSerializer(JSON_SCHEMA, client)
    value = {"id": 7, "name": "seven", "tags": ["x"]}
    payload = serializer(value, ctx)
    magic, schema_id = struct.unpack(">bI", payload[:5])
    check(magic == 0, f"magic byte {magic}")
    registered = client.get_latest_version("py-json-value")
    check(registered.schema_id == schema_id, f"payload id {schema_id}, registered id {registered.schema_id}")
    check(registered.schema.schema_type == "JSON", f"registered type {registered.schema.schema_type!r}")
    check(JSONDeserializer(JSON_SCHEMA)(payload, ctx) == value, "JSON round trip changed the value")
    return schema_id, payload


def main():
    if len(sys.argv) != 2:
        print("FAIL: usage: schema_registry_python.py REGISTRY_URL")
        return 1
    try:
        client = SchemaRegistryClient({"url": sys.argv[1]})
        registry_client(client)
        schema_id, payload = json_serde(client)
    except Exception as e:  # any failure, including the client's own errors, is reported
        print(f"FAIL: {type(e).__name__}: {e}")
        return 1
    print(json.dumps({"id": schema_id, "payload": payload.hex()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
