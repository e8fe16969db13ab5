import type { GroupCoordinatorConfig } from "../../../data-node/src/groups/config.ts";
import { GroupCoordinator } from "../../../data-node/src/groups/coordinator.ts";
import type { CoordinatorRecord } from "../../../data-node/src/groups/records.ts";
import type {
  JoinGroupRequest,
  OffsetCommitRequest,
  ProtocolEntry,
} from "../../../data-node/src/groups/types.ts";

export const GROUP = "orders-consumers";

// A coordinator owning every `__consumer_offsets` partition, whose appends land in `log` at once
// unless `hold()` is in effect (then they wait for `release()`), or fail while `failWith` is set.
export function harness(config: Partial<GroupCoordinatorConfig> = {}) {
  const log: { partition: number; record: CoordinatorRecord }[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  let failWith: unknown = null;
  let uuid = 0;
  const coordinator = new GroupCoordinator({
    append: (partition, records) => {
      if (failWith !== null) return Promise.reject(failWith);
      const write = () => {
        for (const record of records) log.push({ partition, record });
      };
      if (!holding) {
        write();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) =>
        held.push(() => {
          write();
          resolve();
        }),
      );
    },
    newUuid: () => `uuid-${++uuid}`,
    config: { initialRebalanceDelayMs: 0, ...config },
  });
  for (let p = 0; p < coordinator.config.offsetsTopicPartitions; p++) coordinator.loadPartition(p, [], 0);
  return {
    coordinator,
    log,
    recordsOf: (partition: number) => log.filter((e) => e.partition === partition).map((e) => e.record),
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const h of held.splice(0)) h();
    },
    failAppends: (err: unknown) => {
      failWith = err;
    },
  };
}

export function protocols(...names: string[]): ProtocolEntry[] {
  return names.map((name) => ({ name, metadata: Buffer.from(`meta:${name}`) }));
}

export function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: GROUP,
    memberId: "",
    groupInstanceId: null,
    requireKnownMemberId: true,
    clientId: "client",
    clientHost: "/127.0.0.1",
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: "consumer",
    protocols: protocols("range"),
    ...overrides,
  };
}

// Observes a promise without awaiting it, so a test can assert that a response is still deferred.
export function track<T>(promise: Promise<T>): { done: boolean; value: T | undefined } {
  const state: { done: boolean; value: T | undefined } = { done: false, value: undefined };
  promise.then((value) => {
    state.done = true;
    state.value = value;
  });
  return state;
}

// Lets every already-settled promise callback run (microtasks and one macrotask turn); no waiting on time.
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// An OffsetCommit of `partitions` for GROUP (by default from a consumer outside group management).
export function commit(
  c: GroupCoordinator,
  now: number,
  partitions: { topic: string; partition: number; offset: bigint; metadata?: string | null }[],
  member: Partial<OffsetCommitRequest> = {},
) {
  const topics = [...new Set(partitions.map((p) => p.topic))].map((name) => ({
    name,
    partitions: partitions
      .filter((p) => p.topic === name)
      .map((p) => ({
        partitionIndex: p.partition,
        committedOffset: p.offset,
        committedLeaderEpoch: 4,
        committedMetadata: p.metadata === undefined ? `meta-${p.partition}` : p.metadata,
      })),
  }));
  return c.commitOffsets(
    {
      groupId: GROUP,
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: null,
      topics,
      ...member,
    },
    now,
  );
}

export const errorsOf = (r: { topics: { partitions: { errorCode: number }[] }[] }) =>
  r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

// A one-member consumer group, stable at generation 1; returns the member id.
export async function stableGroup(c: GroupCoordinator, protocols?: ProtocolEntry[]) {
  const joined = await c.joinGroup(
    joinRequest({ requireKnownMemberId: false, ...(protocols ? { protocols } : {}) }),
    0,
  );
  await c.syncGroup(
    {
      groupId: GROUP,
      memberId: joined.memberId,
      generationId: 1,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    },
    0,
  );
  return joined.memberId;
}
