// Kafka admin calls the scenarios need (topic creation, partition leaders), through kafkajs.
import { withAdmin } from "../../test/support/kafka-admin.ts";

const CLIENT_ID = "chronik-bench-admin";

// Names the admin operation in a failure: kafkajs messages alone ("Closed connection") do not.
async function named<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs?: Record<string, string>;
}

export function createTopics(bootstrap: string[], topics: TopicSpec[], timeoutMs = 60_000): Promise<void> {
  return named(`CreateTopics (${topics.length} topics, Kafka admin API)`, () =>
    withAdmin(bootstrap, CLIENT_ID, async (admin) => {
      await admin.createTopics({
        waitForLeaders: true,
        timeout: timeoutMs,
        topics: topics.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }),
  );
}

// Broker id leading each partition of a topic (-1 where there is none), from a fresh Metadata call.
export function partitionLeaders(bootstrap: string[], topic: string): Promise<Map<number, number>> {
  return named(`Metadata for ${topic}`, () =>
    withAdmin(bootstrap, CLIENT_ID, async (admin) => {
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      const t = md.topics.find((x) => x.name === topic);
      return new Map((t?.partitions ?? []).map((p) => [p.partitionId, p.leader]));
    }),
  );
}

// Polls Metadata until every partition of the topics has a leader, bounded by time.
export async function waitForLeaders(
  bootstrap: string[],
  topics: string[],
  timeoutMs: number,
  intervalMs = 200,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let missing = Number.POSITIVE_INFINITY;
  let lastError = "";
  while (Date.now() < deadline) {
    missing = await withAdmin(bootstrap, CLIENT_ID, async (admin) => {
      const md = await admin.fetchTopicMetadata({ topics });
      return md.topics.reduce((n, t) => n + t.partitions.filter((p) => p.leader < 0).length, 0);
    }).catch((err: unknown) => {
      lastError = err instanceof Error ? err.message : String(err);
      return Number.POSITIVE_INFINITY;
    });
    if (missing === 0) return 0;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `partitions without a leader after ${timeoutMs} ms: ${missing}${lastError ? ` (last error: ${lastError})` : ""}`,
  );
}
