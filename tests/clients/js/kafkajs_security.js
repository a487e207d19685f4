#!/usr/bin/env node
// kafkajs 2.2.4 through a secured listener: produce 20 records and consume them back, or check
// that a wrong password is reported as an authentication failure.
// usage: kafkajs_security.js BOOTSTRAP TOPIC SSL|SASL_PLAINTEXT|SASL_SSL MECHANISM|- USER PASSWORD CA|- roundtrip|auth-failure
'use strict'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const fs = require('fs')
const { Kafka, logLevel } = require('kafkajs')

const COUNT = 20
const [bootstrap, topic, protocol, mechanism, username, password, ca, phase] = process.argv.slice(2)

const kafka = new Kafka({
  clientId: 'strom-kafkajs-security',
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  ssl: protocol.endsWith('SSL') ? { ca: [fs.readFileSync(ca, 'utf8')], rejectUnauthorized: true } : false,
  sasl: protocol.startsWith('SASL') ? { mechanism: mechanism.toLowerCase(), username, password } : undefined,
  retry: { retries: 2 },
})

async function roundtrip() {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  const messages = Array.from({ length: COUNT }, (_, i) => ({ key: `k${i}`, value: `${topic}-value-${i}` }))
  await producer.send({ topic, acks: -1, messages })
  await producer.disconnect()
  const consumer = kafka.consumer({ groupId: `${topic}-group` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const got = []
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${COUNT}`)), 60000)
    consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value.toString())
        if (got.length === COUNT) { clearTimeout(timer); resolve() }
      },
    })
  })
  await consumer.disconnect()
  const expected = messages.map(m => m.value).sort()
  if (JSON.stringify(got.sort()) !== JSON.stringify(expected)) throw new Error(`consumed ${got}`)
  console.log(`kafkajs: ${COUNT} records through ${protocol} ${mechanism}`)
}

async function authFailure() {
  const producer = kafka.producer()
  try {
    await producer.connect()
  } catch (e) {
    if (e.type === 'SASL_AUTHENTICATION_FAILED' || /SASL .*authentication failed/i.test(e.message)) {
      console.log(`${e.name}: ${e.message}`)
      return
    }
    throw new Error(`connect failed, but not with an authentication failure: ${e.name} ${e.type} ${e.message}`)
  }
  throw new Error('connected with a wrong password')
}

(phase === 'auth-failure' ? authFailure() : roundtrip()).then(
  () => process.exit(0),
  e => { console.error(`FAIL: ${e.stack || e}`); process.exit(1) })
