// Strom schema registry interop with @kafkajs/confluent-schema-registry (which encodes with avsc).
// usage: node interop.js <registry-url> encode          -> prints {"id":..,"payload":"<hex>"}
//        node interop.js <registry-url> decode <hex>    -> prints the decoded value as JSON
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const schema = {
  type: 'record', name: 'Payment', namespace: 'interop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'count', type: 'long' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['CARD', 'CASH'] } },
  ],
};

async function main() {
  const [url, mode, hex] = process.argv.slice(2);
  const registry = new SchemaRegistry({ host: url });
  if (mode === 'encode') {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'payments-value' });
    const again = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'payments-value' });
    if (again.id !== id) throw new Error(`re-registration changed the id: ${id} -> ${again.id}`);
    const latest = await registry.getLatestSchemaId('payments-value');
    if (latest !== id) throw new Error(`latest id ${latest} is not ${id}`);
    const payload = await registry.encode(id, { id: 'p-1', amount: 12.5, count: 3, tags: ['a', 'b'], note: 'hi', kind: 'CASH' });
    const decoded = await registry.decode(payload);
    if (decoded.id !== 'p-1') throw new Error('round trip through the registry failed');
    console.log(JSON.stringify({ id, payload: payload.toString('hex') }));
  } else {
    const decoded = await registry.decode(Buffer.from(hex, 'hex'));
    console.log(JSON.stringify(decoded));
  }
}

main().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
