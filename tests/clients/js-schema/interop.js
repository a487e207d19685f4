// Strom schema registry interop with the JavaScript registry clients:
// @kafkajs/confluent-schema-registry (avsc, ajv, protobufjs) and @confluentinc/schemaregistry.
// usage: node interop.js <registry-url> <kafkajs|confluent> <avro|json|protobuf> encode
//          -> registers the format's schema under <format>-<client>-value, encodes the sample,
//             prints {"id":..,"payload":"<hex>"}
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

async function confluent(url, format, mode, hex) {
  const sr = require('@confluentinc/schemaregistry');
  const client = new sr.SchemaRegistryClient({ baseURLs: [url] });
  const topic = `${format}-confluent`;
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
