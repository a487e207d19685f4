#!/usr/bin/env node
// kafkajs 2.2.4 consumer-group scenario (tests/Strom.Interop.Tests/GroupInteropTests.cs):
//   trio: three consumers in one group on a six-partition topic; waits until each holds two
//   partitions and has read them from offset 0, then prints ASSIGNMENT <json>.
'use strict'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const { Kafka, logLevel } = require('kafkajs')

const TIMEOUT_MS = 60000

function parseArgs(argv) {
  const args = { perPartition: 10 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--bootstrap') args.bootstrap = argv[++i]
    else if (a === '--topic') args.topic = argv[++i]
    else if (a === '--group') args.group = argv[++i]
    else if (a === '--per-partition') args.perPartition = Number(argv[++i])
    else args.phase = a
  }
  return args
}

async function trio(args) {
  const kafka = new Kafka({ clientId: 'kafkajs-trio', brokers: [args.bootstrap], logLevel: logLevel.ERROR })
  const members = []
  for (let i = 0; i < 3; i++) {
    const consumer = kafka.consumer({ groupId: args.group, sessionTimeout: 10000, heartbeatInterval: 300, maxWaitTimeInMs: 200 })
    const m = { name: `trio-${i}`, consumer, read: new Map() }
    // memberAssignment: { topic: [partitions] } of the generation just joined (kafkajs rebalances eagerly).
    consumer.on(consumer.events.GROUP_JOIN, e => {
      m.read = new Map((e.payload.memberAssignment[args.topic] || []).map(p => [p, new Set()]))
    })
    members.push(m)
  }
  try {
    await Promise.all(members.map(async m => {
      await m.consumer.connect()
      await m.consumer.subscribe({ topic: args.topic, fromBeginning: true })
      await m.consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const offsets = m.read.get(partition)
          if (offsets) offsets.add(Number(message.offset))
        },
      })
    }))
    const deadline = Date.now() + TIMEOUT_MS
    for (;;) {
      const held = members.map(m => [...m.read.keys()].sort((a, b) => a - b))
      const all = held.flat().sort((a, b) => a - b)
      const complete = members.every(m => [...m.read.values()].every(s => s.size === args.perPartition))
      if (held.every(h => h.length === 2) && JSON.stringify(all) === '[0,1,2,3,4,5]' && complete) {
        console.log('ASSIGNMENT ' + JSON.stringify(Object.fromEntries(members.map((m, i) => [m.name, held[i]]))))
        return
      }
      if (Date.now() > deadline) {
        throw new Error(`no even assignment within ${TIMEOUT_MS} ms: held ${JSON.stringify(held)}, read ` +
          JSON.stringify(members.map(m => Object.fromEntries([...m.read].map(([p, s]) => [p, s.size])))))
      }
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  } finally {
    await Promise.all(members.map(m => m.consumer.disconnect()))
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (args.phase !== 'trio') throw new Error(`unknown phase ${args.phase}`)
  await trio(args)
}

main().then(() => process.exit(0), e => {
  console.log(`FAIL: ${e.stack || e}`)
  process.exit(1)
})
