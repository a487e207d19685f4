#!/usr/bin/env node
// kafkajs 2.2.4 idempotent producer across broker restarts
// (tests/Strom.Interop.Tests/IdempotenceInteropTests.cs); the same protocol as
// ../confluent_kafka_idempotence.py: record n goes to partition n % partitions as "<p>:<n>",
// "MARK k" at each third, a line on stdin awaited --chunk records later, "acked N" lines, the
// acknowledged records ("<p> <n> <offset>") written to --out, then "done acked=N failed=M".
'use strict'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const fs = require('fs')
const readline = require('readline')
const { Kafka, logLevel } = require('kafkajs')

function parseArgs(argv) {
  const args = { count: 100000, partitions: 3, chunk: 5000, batch: 1000 }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '')
    args[name] = ['bootstrap', 'topic', 'out'].includes(name) ? argv[++i] : Number(argv[++i])
  }
  return args
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
  const kafka = new Kafka({
    clientId: 'idempotent-kafkajs',
    brokers: [args.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 50, initialRetryTime: 50, maxRetryTime: 500 },
  })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()

  const acked = []
  const failed = []
  const marks = [Math.floor(args.count / 3), Math.floor((2 * args.count) / 3)]
  const waits = marks.map(m => m + args.chunk)
  let nextReport = 5000
  for (let start = 0; start < args.count; start += args.batch) {
    const end = Math.min(start + args.batch, args.count)
    for (const [k, m] of marks.entries()) if (m >= start && m < end) console.log(`MARK ${k + 1}`)
    if (waits.some(w => w >= start && w < end)) await lines.next()
    const byPartition = new Map()
    for (let n = start; n < end; n++) {
      const p = n % args.partitions
      if (!byPartition.has(p)) byPartition.set(p, [])
      byPartition.get(p).push(n)
    }
    const topicMessages = [{
      topic: args.topic,
      messages: [...byPartition].flatMap(([p, ns]) => ns.map(n => ({ partition: p, value: `${p}:${n}` }))),
    }]
    try {
      // One response entry per partition: its records are consecutive from baseOffset.
      const results = await producer.sendBatch({ topicMessages, acks: -1 })
      for (const r of results) {
        const ns = byPartition.get(r.partition)
        ns.forEach((n, i) => acked.push([r.partition, n, Number(r.baseOffset) + i]))
      }
    } catch (e) {
      for (let n = start; n < end; n++) failed.push([n, String(e)])
    }
    if (acked.length >= nextReport) {
      console.log(`acked ${acked.length}`)
      nextReport += 5000
    }
  }
  await producer.disconnect()
  fs.writeFileSync(args.out, acked.map(a => a.join(' ')).join('\n') + '\n')
  for (const [n, e] of failed.slice(0, 10)) console.log(`failed ${n}: ${e}`)
  console.log(`done acked=${acked.length} failed=${failed.length} undelivered=0`)
}

main().then(() => process.exit(0), e => {
  console.log(`FAIL: ${e.stack || e}`)
  process.exit(1)
})
