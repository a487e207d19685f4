#!/usr/bin/python3
"""confluent-kafka's Python Protobuf serdes against Strom's registry.

Usage: schema_registry_python_protobuf.py REGISTRY_URL WORK_DIR encode
       schema_registry_python_protobuf.py REGISTRY_URL WORK_DIR decode HEX

Writes payment.proto into WORK_DIR and compiles it with protoc (Debian's protobuf-compiler and
libprotobuf-dev for the well-known imports) into a Python module. `encode` serializes a Payment
with ProtobufSerializer, which registers the file (base64 FileDescriptorProto) and its import
google/protobuf/timestamp.proto as a reference, and prints {"id": .., "payload": "<hex>"}.
`decode` reads a Confluent-framed Payment with ProtobufDeserializer and prints its fields as JSON.
Failures print "FAIL: reason" and exit 1.

Payment is the file's first message: confluent-kafka 1.7 writes message indexes as unsigned
varints (its later "deprecated format"), which only agree with the zigzag form for index [0].
"""
import importlib
import json
import os
import subprocess
import sys

PROTO = """syntax = "proto3";
package pyinterop;

import "google/protobuf/timestamp.proto";

message Payment {
  string id = 1;
  int64 count = 2;
  repeated string tags = 3;
  google.protobuf.Timestamp at = 4;
  Detail detail = 5;

  message Detail {
    string note = 1;
  }
}

message Other {
  string x = 1;
}
"""


def compile_module(work_dir):
    os.makedirs(work_dir, exist_ok=True)
    with open(os.path.join(work_dir, "payment.proto"), "w") as f:
        f.write(PROTO)
    subprocess.run(["protoc", f"--proto_path={work_dir}", "--proto_path=/usr/include",
                    f"--python_out={work_dir}", "payment.proto"], check=True, capture_output=True)
    sys.path.insert(0, work_dir)
    return importlib.import_module("payment_pb2")


def main():
    if len(sys.argv) < 4 or sys.argv[3] not in ("encode", "decode"):
        print("FAIL: usage: schema_registry_python_protobuf.py REGISTRY_URL WORK_DIR encode|decode [HEX]")
        return 1
    url, work_dir, mode = sys.argv[1:4]
    try:
        from confluent_kafka.schema_registry import SchemaRegistryClient
        from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
        from confluent_kafka.serialization import MessageField, SerializationContext

        module = compile_module(work_dir)
        ctx = SerializationContext("py-proto", MessageField.VALUE)
        if mode == "encode":
            client = SchemaRegistryClient({"url": url})
            payment = module.Payment(id="p-1", count=3, tags=["a", "b"])
            payment.at.seconds = 1_700_000_000
            payment.detail.note = "from python"
            payload = ProtobufSerializer(module.Payment, client)(payment, ctx)
            print(json.dumps({"id": int.from_bytes(payload[1:5], "big"), "payload": payload.hex()}))
        else:
            payment = ProtobufDeserializer(module.Payment)(bytes.fromhex(sys.argv[4]), ctx)
            print(json.dumps({"id": payment.id, "count": payment.count, "tags": list(payment.tags),
                              "at": payment.at.seconds, "note": payment.detail.note}))
    except Exception as e:  # any failure, including the client's own errors, is reported
        detail = e.stderr.decode() if isinstance(e, subprocess.CalledProcessError) else ""
        print(f"FAIL: {type(e).__name__}: {e} {detail}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
