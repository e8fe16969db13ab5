// kafkajs as producer, group member and reader. Only gzip is built in: kafkajs takes snappy, lz4
// and zstd from extra codec packages, which this project does not install.
import { CompressionTypes, Kafka, type KafkaMessage, type LogEntry, logLevel } from "kafkajs";
import { waitFor } from "../../../support/poll.ts";
import { type ClientUnderTest, type GroupMember, readAll } from "./client.ts";
import type { Received, TestMessage } from "./records.ts";

function kafka(bootstrap: string, clientId: string, log: string[]): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrap.split(","),
    logLevel: logLevel.WARN,
    // Keeps the client's warnings for a failure message instead of printing them.
    logCreator:
      () =>
      ({ label, log: entry }: LogEntry) => {
        log.push(`${label} ${entry.message} ${entry.error ?? ""}`);
        if (log.length > 20) log.shift();
      },
  });
}

function record(partition: number, m: KafkaMessage): Received {
  return {
    partition,
    offset: Number(m.offset),
    key: m.key?.toString() ?? "",
    value: m.value?.toString() ?? "",
  };
}

export async function kafkajsProduce(
  bootstrap: string,
  topic: string,
  msgs: TestMessage[],
  compression: CompressionTypes = CompressionTypes.None,
): Promise<void> {
  const log: string[] = [];
  const producer = kafka(bootstrap, "e2e-kafkajs-producer", log).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    // One request per 1,000 messages, sent one after another: acks=all, order kept per partition.
    for (let i = 0; i < msgs.length; i += 1000) {
      await producer.send({
        topic,
        acks: -1,
        compression,
        messages: msgs.slice(i, i + 1000).map((m) => ({ key: m.key, value: m.value })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export async function kafkajsMember(
  bootstrap: string,
  topic: string,
  group: string,
  name: string,
): Promise<GroupMember & { crash(): string }> {
  const log: string[] = [];
  const consumer = kafka(bootstrap, name, log).consumer({
    groupId: group,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  const received: Received[] = [];
  let assignment: number[] | undefined;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  let crashed = "";
  consumer.on(consumer.events.CRASH, (e) => {
    crashed = String(e.payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  // autoCommit (the default) commits after every batch.
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push(record(partition, message));
    },
  });
  return {
    name,
    received,
    assignment: () => assignment,
    stop: () => consumer.disconnect(),
    diagnostics: () => `crash: ${crashed}; log: ${log.join(" | ").slice(-800)}`,
    crash: () => crashed,
  };
}

// All partitions from the beginning through a throw-away group (kafkajs has no assign()).
export async function kafkajsRead(
  bootstrap: string,
  topic: string,
  count: number,
  group: string,
): Promise<Received[]> {
  const member = await kafkajsMember(bootstrap, topic, group, `${group}-reader`);
  return readAll(`kafkajs to read ${count} records from ${topic}`, member, count);
}

// The error a kafkajs consumer reports when it fetches batches in a codec it lacks; undefined if it
// read records instead. Tells whether the broker served the producer's compressed batches as sent.
export async function kafkajsCodecError(
  bootstrap: string,
  topic: string,
  group: string,
): Promise<string | undefined> {
  const member = await kafkajsMember(bootstrap, topic, group, `${group}-reader`);
  try {
    return await waitFor(
      `kafkajs to fail or read from ${topic}`,
      () => member.crash() || (member.received.length > 0 ? "" : undefined),
      { timeoutMs: 60_000 },
    ).then((error) => error || undefined);
  } finally {
    await member.stop();
  }
}

export function kafkajsClient(bootstrap: string, topic: string, group: string): ClientUnderTest {
  return {
    startMember: (name) => kafkajsMember(bootstrap, topic, group, name),
    produce: async (msgs) => {
      await kafkajsProduce(bootstrap, topic, msgs);
      return undefined;
    },
  };
}
