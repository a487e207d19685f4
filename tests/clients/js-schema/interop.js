// Strom schema registry interop with the JavaScript registry clients:
// @kafkajs/confluent-schema-registry (avsc, ajv, protobufjs) and @confluentinc/schemaregistry
// (avsc, ajv, @bufbuild/protobuf).
// usage: node interop.js <registry-url> <kafkajs|confluent> <avro|json|protobuf> encode
//          -> registers the format's schema under <format>-<client>-value, encodes the sample,
//             prints {"id":..,"payload":"<hex>"} (confluent protobuf: also "line", a nested message)
//        node interop.js <registry-url> <kafkajs|confluent> <avro|json|protobuf> decode <hex>
//          -> prints the decoded value as JSON
const schemas = {
  avro: JSON.stringify({
    type: 'record', name: 'Payment', namespace: 'interop',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'double' },
      { name: 'count', type: 'long' },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['CARD', 'CASH'] } },
    ],
  }),
  json: JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Order', type: 'object',
    properties: { id: { type: 'integer' }, name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
    required: ['id', 'name'],
  }),
  protobuf: 'syntax = "proto3";\npackage interop;\nmessage Payment {\n  string id = 1;\n  int64 count = 2;\n  repeated string tags = 3;\n}\nmessage Other {\n  string x = 1;\n}\n',
};

const samples = {
  avro: { id: 'p-1', amount: 12.5, count: 3, tags: ['a', 'b'], note: 'hi', kind: 'CASH' },
  json: { id: 7, name: 'seven', tags: ['x'] },
  protobuf: { id: 'p-1', count: 3, tags: ['a', 'b'] },
};

const types = { avro: 'AVRO', json: 'JSON', protobuf: 'PROTOBUF' };

async function kafkajs(url, format, mode, hex) {
  const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
  const registry = new SchemaRegistry({ host: url });
  if (mode === 'decode') {
    return registry.decode(Buffer.from(hex, 'hex'));
  }
  const subject = `${format}-kafkajs-value`;
  const { id } = await registry.register({ type: SchemaType[types[format]], schema: schemas[format] }, { subject });
  const again = await registry.register({ type: SchemaType[types[format]], schema: schemas[format] }, { subject });
  if (again.id !== id) throw new Error(`re-registration changed the id: ${id} -> ${again.id}`);
  const latest = await registry.getLatestSchemaId(subject);
  if (latest !== id) throw new Error(`latest id ${latest} is not ${id}`);
  const payload = await registry.encode(id, samples[format]);
  return { id, payload: payload.toString('hex') };
}

// @confluentinc/schemaregistry's Protobuf serdes take @bufbuild/protobuf messages and talk to the
// registry in format=serialized (base64 FileDescriptorProto). The descriptors are written here by
// hand (proto JSON of descriptor.proto), independently of Strom:
//   interop/common.proto: package interop; message Money { string currency = 1; int64 units = 2; }
//   interop/order.proto:  package interop; imports common and google/protobuf/timestamp.proto;
//     message Header { string source = 1; }
//     message Order { string id = 1; int64 count = 2; repeated string tags = 3;
//       message Line { string sku = 1; int32 qty = 2; } repeated Line lines = 4;
//       google.protobuf.Timestamp at = 5; map<string, int32> stock = 6; Money total = 7; }
// Order is message index [1], Order.Line [1, 0].
function protobufRegistry() {
  const { fromJson, createFileRegistry } = require('@bufbuild/protobuf');
  const wkt = require('@bufbuild/protobuf/wkt');
  const field = (name, number, type, extra = {}) => ({ name, number, label: 'LABEL_OPTIONAL', type, jsonName: name, ...extra });
  const common = fromJson(wkt.FileDescriptorProtoSchema, {
    name: 'interop/common.proto', package: 'interop', syntax: 'proto3',
    messageType: [{ name: 'Money', field: [field('currency', 1, 'TYPE_STRING'), field('units', 2, 'TYPE_INT64')] }],
  });
  const order = fromJson(wkt.FileDescriptorProtoSchema, {
    name: 'interop/order.proto', package: 'interop', syntax: 'proto3',
    dependency: ['interop/common.proto', 'google/protobuf/timestamp.proto'],
    messageType: [
      { name: 'Header', field: [field('source', 1, 'TYPE_STRING')] },
      {
        name: 'Order',
        field: [
          field('id', 1, 'TYPE_STRING'),
          field('count', 2, 'TYPE_INT64'),
          field('tags', 3, 'TYPE_STRING', { label: 'LABEL_REPEATED' }),
          field('lines', 4, 'TYPE_MESSAGE', { label: 'LABEL_REPEATED', typeName: '.interop.Order.Line' }),
          field('at', 5, 'TYPE_MESSAGE', { typeName: '.google.protobuf.Timestamp' }),
          field('stock', 6, 'TYPE_MESSAGE', { label: 'LABEL_REPEATED', typeName: '.interop.Order.StockEntry' }),
          field('total', 7, 'TYPE_MESSAGE', { typeName: '.interop.Money' }),
        ],
        nestedType: [
          { name: 'Line', field: [field('sku', 1, 'TYPE_STRING'), field('qty', 2, 'TYPE_INT32')] },
          {
            name: 'StockEntry', options: { mapEntry: true },
            field: [field('key', 1, 'TYPE_STRING'), field('value', 2, 'TYPE_INT32')],
          },
        ],
      },
    ],
  });
  return createFileRegistry(order, (name) =>
    name === 'interop/common.proto' ? common : name === 'google/protobuf/timestamp.proto' ? wkt.file_google_protobuf_timestamp : undefined);
}

async function confluentProtobuf(sr, client, topic, mode, hex) {
  const { create, toJson } = require('@bufbuild/protobuf');
  const registry = protobufRegistry();
  if (mode === 'decode') {
    const message = await new sr.ProtobufDeserializer(client, sr.SerdeType.VALUE, {}).deserialize(topic, Buffer.from(hex, 'hex'));
    return { type: message.$typeName, value: toJson(registry.getMessage(message.$typeName), message) };
  }
  const serializer = new sr.ProtobufSerializer(client, sr.SerdeType.VALUE, { autoRegisterSchemas: true, registry });
  const order = create(registry.getMessage('interop.Order'), {
    id: 'o-1', count: 3n, tags: ['a', 'b'],
    lines: [{ sku: 'sku-1', qty: 2 }],
    at: { seconds: 1700000000n, nanos: 5 },
    stock: { apples: 4 },
    total: { currency: 'EUR', units: 12n },
  });
  const payload = await serializer.serialize(topic, order);
  const line = await serializer.serialize(topic, create(registry.getMessage('interop.Order.Line'), { sku: 'sku-2', qty: 7 }));
  const id = payload.readInt32BE(1);
  return { id, payload: payload.toString('hex'), line: line.toString('hex') };
}

async function confluent(url, format, mode, hex) {
  const sr = require('@confluentinc/schemaregistry');
  const client = new sr.SchemaRegistryClient({ baseURLs: [url] });
  const topic = `${format}-confluent`;
  if (format === 'protobuf') {
    return confluentProtobuf(sr, client, topic, mode, hex);
  }
  if (mode === 'decode') {
    const Deserializer = format === 'avro' ? sr.AvroDeserializer : sr.JsonDeserializer;
    return new Deserializer(client, sr.SerdeType.VALUE, {}).deserialize(topic, Buffer.from(hex, 'hex'));
  }
  const id = await client.register(`${topic}-value`, { schemaType: types[format], schema: schemas[format] });
  const Serializer = format === 'avro' ? sr.AvroSerializer : sr.JsonSerializer;
  const serializer = new Serializer(client, sr.SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false, validate: true });
  const payload = await serializer.serialize(topic, samples[format]);
  return { id, payload: payload.toString('hex') };
}

async function main() {
  const [url, client, format, mode, hex] = process.argv.slice(2);
  const run = { kafkajs, confluent }[client];
  if (!run || !schemas[format] || !['encode', 'decode'].includes(mode)) {
    throw new Error('usage: node interop.js <url> <kafkajs|confluent> <avro|json|protobuf> <encode|decode> [hex]');
  }
  const result = await run(url, format, mode, hex);
  // BigInt-safe (avsc longs, protobufjs Long objects)
  console.log(JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? Number(v) : (v && v.low !== undefined && v.high !== undefined && v.unsigned !== undefined ? Number(v.toString()) : v))));
}

main().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
