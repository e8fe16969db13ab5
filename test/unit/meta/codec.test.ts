import { describe, expect, it } from "vitest";
import {
  decodeMetaBatch,
  decodeMetaRecord,
  encodeMetaBatch,
  encodeMetaRecord,
  MetaCodecError,
} from "../../../data-node/src/meta/codec.ts";
import type { MetaRecord } from "../../../data-node/src/meta/records.ts";
import { reg } from "./fixtures.ts";

const samples: MetaRecord[] = [
  reg(1, { rack: "a" }),
  { type: "unregister_broker", nodeId: 1, brokerEpoch: 4, timestamp: 5 },
  { type: "fence_broker", nodeId: 2, brokerEpoch: 7, timestamp: 5 },
  { type: "unfence_broker", nodeId: 2, brokerEpoch: 7, timestamp: 5 },
  { type: "broker_shutting_down", nodeId: 2, brokerEpoch: 7, timestamp: 5 },
  {
    type: "create_topic",
    name: "orders",
    topicId: "5b7c6f5e-2d0c-4a59-9a43-0b1f9a7d2f11",
    internal: false,
    partitions: [{ partition: 0, replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1, 2] }],
    configs: { "retention.ms": "1000" },
  },
  { type: "delete_topic", name: "orders", topicId: "x" },
  {
    type: "create_partitions",
    topic: "orders",
    partitions: [{ partition: 1, replicas: [2], leader: 2, leaderEpoch: 0, isr: [2] }],
  },
  { type: "partition_change", topic: "orders", partition: 0, leader: null, leaderEpoch: 3, isr: [2] },
  { type: "topic_config", topic: "orders", set: { "cleanup.policy": "compact" }, delete: ["retention.ms"] },
  { type: "producer_id_block", nodeId: 3, brokerEpoch: 9, size: 1000 },
];

describe("meta record codec", () => {
  it.each(samples.map((s) => [s.type, s] as const))("round-trips %s", (_type, record) => {
    expect(decodeMetaRecord(encodeMetaRecord(record))).toEqual(record);
  });

  it("carries a batch in one entry, in order", () => {
    expect(decodeMetaBatch(encodeMetaBatch(samples))).toEqual(samples);
  });

  it("rejects a batch where one record was expected", () => {
    expect(() => decodeMetaRecord(encodeMetaBatch(samples.slice(0, 2)))).toThrow(MetaCodecError);
  });

  it("rejects an unknown format byte, bad JSON and invalid records", () => {
    const good = encodeMetaRecord(samples[0]);
    const badVersion = good.slice();
    badVersion[0] = 9;
    expect(() => decodeMetaBatch(badVersion)).toThrow(/format 9/);
    expect(() => decodeMetaBatch(new Uint8Array([1, 0x7b]))).toThrow(MetaCodecError);
    const invalid = new TextEncoder().encode(JSON.stringify([{ type: "register_broker", nodeId: 0 }]));
    expect(() => decodeMetaBatch(new Uint8Array([1, ...invalid]))).toThrow(/invalid __meta records/);
    expect(() => encodeMetaBatch([])).toThrow(MetaCodecError);
  });
});
