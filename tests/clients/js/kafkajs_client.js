#!/usr/bin/env node
// kafkajs 2.2.4: produce or verify the interop data set (see ../README.md).
// kafkajs ships only gzip; snappy comes from kafkajs-snappy, lz4 and zstd from small adapters
// over pure-JS/wasm libraries (the native kafkajs-lz4 and @kafkajs/zstd need a compiler and
// downloads that a CI machine may not have).
'use strict'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const lz4 = require('lz4js')
const { ZstdCodec } = require('zstd-codec')

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
const TYPES = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]
const PARTITIONS = 3
const PER_CODEC = 30
const BASE_TIMESTAMP = 1700000000000
const TIMEOUT_MS = 60000

class Failure extends Error {}

function record(c, i) {
  const codec = CODECS[c]
  return {
    partition: i % PARTITIONS,
    key: `k-${codec}-${i}`,
    value: `v-${codec}-${i}-` + 'abcdefghij'.repeat((i % 7) + 1),
    headers: [['codec', codec], ['i', String(i)]],
    timestamp: BASE_TIMESTAMP + c * 100000 + i * 1000,
  }
}

function expectedByPartition() {
  const result = Array.from({ length: PARTITIONS }, () => [])
  for (let c = 0; c < CODECS.length; c++) {
    for (let i = 0; i < PER_CODEC; i++) {
      const r = record(c, i)
      result[r.partition].push(r)
    }
  }
  return result
}

// LZ4 frame format (lz4_Frame_format.md): magic 0x184D2204 LE, FLG, BD, [content size u64],
// [dict id u32], header checksum, then blocks (u32 LE size, high bit = stored uncompressed,
// data, [u32 checksum]) up to a zero size, then [u32 content checksum]. lz4js's own frame
// reader skips block checksums before the data instead of after it and cannot size frames that
// declare their content size (librdkafka writes both), so only its block decoder is used.
function lz4Decompress(src) {
  if (src.length < 7 || src.readUInt32LE(0) !== 0x184d2204) throw new Error('lz4: not an LZ4 frame')
  const flg = src[4]
  const blockChecksums = (flg & 0x10) !== 0
  const hasContentSize = (flg & 0x08) !== 0
  const maxBlock = [0, 0, 0, 0, 65536, 262144, 1048576, 4194304][(src[5] >> 4) & 7]
  if (!maxBlock) throw new Error('lz4: bad block size in frame descriptor')
  let pos = 6 + (hasContentSize ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0) + 1
  const blocks = []
  for (let p = pos; ;) {
    const raw = src.readUInt32LE(p)
    if (raw === 0) break
    const size = raw & 0x7fffffff
    blocks.push({ start: p + 4, size, stored: (raw & 0x80000000) !== 0 })
    p += 4 + size + (blockChecksums ? 4 : 0)
  }
  // One output buffer: blocks may reference earlier blocks' output (linked mode).
  const dst = Buffer.alloc(hasContentSize ? Number(src.readBigUInt64LE(6)) : blocks.length * maxBlock)
  let out = 0
  for (const b of blocks) {
    if (b.stored) out += src.copy(dst, out, b.start, b.start + b.size)
    else out = lz4.decompressBlock(src, dst, b.start, b.size, out)
  }
  if (out > dst.length) throw new Error('lz4: frame content larger than declared')
  return dst.subarray(0, out)
}

async function registerCodecs() {
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    async compress(encoder) { return Buffer.from(lz4.compress(encoder.buffer)) },
    async decompress(buffer) { return lz4Decompress(buffer) },
  })
  // Streaming decompression: librdkafka's zstd frames do not declare their content size, and
  // zstd-codec's Simple API returns null for those.
  const z = await new Promise(resolve => ZstdCodec.run(resolve))
  const simple = new z.Simple()
  const streaming = new z.Streaming()
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    async compress(encoder) { return Buffer.from(simple.compress(encoder.buffer, 3)) },
    async decompress(buffer) {
      const out = streaming.decompress(buffer)
      if (out === null) throw new Error('zstd: cannot decompress batch')
      return Buffer.from(out)
    },
  })
}

async function produce(kafka, topic) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: TIMEOUT_MS,
    })
    if (!created) throw new Failure(`topic ${topic} already exists before the produce phase`)
  } finally {
    await admin.disconnect()
  }
  for (let c = 0; c < CODECS.length; c++) {
    const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      const records = Array.from({ length: PER_CODEC }, (_, i) => record(c, i))
      const results = await producer.send({
        topic,
        acks: -1,
        timeout: TIMEOUT_MS,
        compression: TYPES[c],
        messages: records.map(r => ({
          key: r.key,
          value: r.value,
          partition: r.partition,
          headers: Object.fromEntries(r.headers),
          timestamp: String(r.timestamp),
        })),
      })
      for (const res of results) {
        if (res.errorCode !== 0) throw new Failure(`codec ${CODECS[c]}: partition ${res.partition} error code ${res.errorCode}`)
      }
      const partitions = results.map(r => r.partition).sort()
      if (partitions.join() !== [...Array(PARTITIONS).keys()].join()) {
        throw new Failure(`codec ${CODECS[c]}: delivery reports for partitions ${partitions}, expected 0..${PARTITIONS - 1}`)
      }
    } finally {
      await producer.disconnect()
    }
  }
}

async function verify(kafka, topic) {
  const admin = kafka.admin()
  await admin.connect()
  let ends
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    if (offsets.length !== PARTITIONS) throw new Failure(`topic ${topic} has ${offsets.length} partitions, expected ${PARTITIONS}`)
    ends = Object.fromEntries(offsets.map(o => [o.partition, Number(o.high)]))
  } finally {
    await admin.disconnect()
  }
  // kafkajs has no assign(): a fresh group with fromBeginning reads every partition from 0.
  const consumer = kafka.consumer({ groupId: `interop-kafkajs-verify-${process.pid}-${Date.now()}` })
  const read = Array.from({ length: PARTITIONS }, () => [])
  let problem = null
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Failure(
        `timed out reading: ${read.map(r => r.length)} records so far, end offsets ${JSON.stringify(ends)}`)), TIMEOUT_MS)
      const check = () => {
        if (read.every((r, p) => r.length >= ends[p])) { clearTimeout(timer); resolve() }
      }
      check()
      consumer.on(consumer.events.CRASH, e => reject(new Failure(`consumer crashed: ${e.payload.error}`)))
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (message.headers === undefined || message.timestamp === undefined) problem = `partition ${partition}: malformed message`
          read[partition].push({
            offset: Number(message.offset),
            key: message.key === null ? null : message.key.toString(),
            value: message.value === null ? null : message.value.toString(),
            headers: Object.entries(message.headers || {}).map(([k, v]) => [k, v === undefined ? undefined : v.toString()]),
            timestamp: Number(message.timestamp),
          })
          check()
        },
      }).catch(reject)
    })
    await done
  } finally {
    await consumer.disconnect()
  }
  if (problem) throw new Failure(problem)
  const expected = expectedByPartition()
  for (let p = 0; p < PARTITIONS; p++) {
    const got = read[p]
    const want = expected[p]
    if (got.length !== want.length) throw new Failure(`partition ${p}: read ${got.length} records, expected ${want.length}`)
    got.forEach((g, n) => {
      const w = want[n]
      const where = `partition ${p} offset ${g.offset}`
      if (g.offset !== n) throw new Failure(`partition ${p}: record #${n} has offset ${g.offset}; offsets must be contiguous from 0`)
      if (g.key !== w.key) throw new Failure(`${where}: key ${g.key}, expected ${w.key}`)
      if (g.value !== w.value) throw new Failure(`${where}: value ${g.value}, expected ${w.value}`)
      if (JSON.stringify(g.headers) !== JSON.stringify(w.headers)) throw new Failure(`${where}: headers ${JSON.stringify(g.headers)}, expected ${JSON.stringify(w.headers)}`)
      if (g.timestamp !== w.timestamp) throw new Failure(`${where}: timestamp ${g.timestamp}, expected ${w.timestamp}`)
    })
  }
}

function parseArgs(argv) {
  const args = {}
  for (let n = 0; n < argv.length; n++) {
    if (argv[n] === '--bootstrap' || argv[n] === '--topic') args[argv[n].slice(2)] = argv[++n]
    else if (argv[n] === 'produce' || argv[n] === 'verify') args.phase = argv[n]
    else throw new Failure(`unknown argument '${argv[n]}'`)
  }
  if (!args.bootstrap || !args.topic || !args.phase) throw new Failure('usage: --bootstrap HOST:PORT --topic NAME produce|verify')
  return args
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  await registerCodecs()
  const kafka = new Kafka({
    clientId: 'interop-kafkajs',
    brokers: [args.bootstrap],
    logLevel: logLevel.WARN,
    connectionTimeout: 10000,
    retry: { retries: 5 },
  })
  await (args.phase === 'produce' ? produce : verify)(kafka, args.topic)
  console.log(`OK: ${args.phase} ${args.topic}`)
}

main().then(() => process.exit(0), e => {
  console.error(e instanceof Failure ? `FAIL: ${e.message}` : `FAIL: ${e && e.stack ? e.stack : e}`)
  process.exit(1)
})
