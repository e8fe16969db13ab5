// @platformatic/kafka as admin, producer, group member and reader. Codecs here: gzip (zlib),
// snappy and lz4 (bundled WebAssembly); zstd needs node:zlib's zstd, which Node 20 lacks.
import "../../../support/node20-shim.ts";
import {
  Admin,
  type CompressionAlgorithmValue,
  Consumer,
  defaultPartitioner,
  type Message,
  type MessagesStream,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { type ClientUnderTest, type GroupMember, readAll } from "./client.ts";
import type { Placement, Received, TestMessage } from "./records.ts";

type StringConsumer = Consumer<string, string, string, string>;

// Every test topic has three partitions.
const PARTITIONS = 3;

function brokers(bootstrap: string): string[] {
  return bootstrap.split(",");
}

export async function platformaticCreateTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Admin({ clientId: "e2e-platformatic-admin", bootstrapBrokers: brokers(bootstrap) });
  try {
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 3 });
  } finally {
    await admin.close();
  }
}

// acks=all, 1,000 messages per request, sent one after another; placements from the per-partition
// base offsets each response reports (messages of one partition keep their order in the request).
export async function platformaticProduce(
  bootstrap: string,
  topic: string,
  msgs: TestMessage[],
  compression: CompressionAlgorithmValue = "none",
): Promise<Map<string, Placement>> {
  const producer = new Producer({
    clientId: "e2e-platformatic-producer",
    bootstrapBrokers: brokers(bootstrap),
    serializers: stringSerializers,
    acks: -1,
    compression,
    autocreateTopics: false,
  });
  const placements = new Map<string, Placement>();
  try {
    for (let i = 0; i < msgs.length; i += 1000) {
      const chunk = msgs.slice(i, i + 1000);
      const partitions: number[] = [];
      const res = await producer.send({
        messages: chunk.map((m) => ({ topic, key: m.key, value: m.value })),
        // The client's own default partitioner (murmur2 of the key), noting where each message goes.
        partitioner: (message, key) => {
          const p = defaultPartitioner(message, key) % PARTITIONS;
          partitions.push(p);
          return p;
        },
      });
      const base = new Map((res.offsets ?? []).map((o) => [o.partition, Number(o.offset)]));
      const next = new Map<number, number>();
      chunk.forEach((m, j) => {
        const p = partitions[j] ?? -1;
        const k = next.get(p) ?? 0;
        next.set(p, k + 1);
        placements.set(m.value, { partition: p, offset: (base.get(p) ?? Number.NaN) + k });
      });
    }
  } finally {
    await producer.close();
  }
  return placements;
}

function record(m: Message<string, string, string, string>): Received {
  return { partition: m.partition, offset: Number(m.offset), key: m.key, value: m.value };
}

export async function platformaticMember(
  bootstrap: string,
  topic: string,
  group: string,
  name: string,
): Promise<GroupMember> {
  const consumer: StringConsumer = new Consumer({
    clientId: name,
    groupId: group,
    bootstrapBrokers: brokers(bootstrap),
    deserializers: stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTime: 100,
  });
  const received: Received[] = [];
  let lastError = "";
  consumer.on("consumer:heartbeat:error", (e) => {
    lastError = `heartbeat: ${String((e as { error?: unknown }).error)}`;
  });
  // Autocommit (boolean) commits after every fetch; a new group starts at the earliest offset.
  const stream: MessagesStream<string, string, string, string> = await consumer.consume({
    topics: [topic],
    mode: "committed",
    fallbackMode: "earliest",
    autocommit: true,
  });
  stream.on("data", (m: Message<string, string, string, string>) => received.push(record(m)));
  stream.on("error", (err: Error) => {
    lastError = String(err);
  });
  return {
    name,
    received,
    assignment: () => {
      const mine = consumer.assignments?.find((a) => a.topic === topic);
      return mine ? [...mine.partitions].sort((a, b) => a - b) : undefined;
    },
    async stop() {
      await stream.close();
      await consumer.close();
    },
    diagnostics: () => `last error: ${lastError}`,
  };
}

export async function platformaticRead(
  bootstrap: string,
  topic: string,
  count: number,
  group: string,
): Promise<Received[]> {
  const member = await platformaticMember(bootstrap, topic, group, `${group}-reader`);
  return readAll(`@platformatic/kafka to read ${count} records from ${topic}`, member, count);
}

export function platformaticClient(bootstrap: string, topic: string, group: string): ClientUnderTest {
  return {
    startMember: (name) => platformaticMember(bootstrap, topic, group, name),
    produce: (msgs) => platformaticProduce(bootstrap, topic, msgs),
  };
}

// The node coordinating a group (FindCoordinator), through a consumer that never joins.
export async function findCoordinator(bootstrap: string, group: string): Promise<number> {
  const consumer = new Consumer({
    clientId: "e2e-find-coordinator",
    groupId: group,
    bootstrapBrokers: brokers(bootstrap),
  });
  try {
    return await consumer.findGroupCoordinator();
  } finally {
    await consumer.close();
  }
}
