import { describe, expect, it } from "vitest";
import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  subscribedTopics,
} from "../../../data-node/src/groups/consumer-protocol.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const str = (s: string) => Buffer.from(s, "utf8").toString("hex");

describe("consumer protocol", () => {
  it("decodes a v0 subscription as old clients (kafkajs) write it", () => {
    // version 0 | topics ["a", "bc"] | user data null
    const bytes = hex(`0000 00000002 0001${str("a")} 0002${str("bc")} ffffffff`);
    expect(decodeConsumerSubscription(bytes)).toEqual({
      version: 0,
      topics: ["a", "bc"],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
  });

  it("round-trips v3 subscriptions and tolerates omitted trailing fields", () => {
    const sub = {
      version: 3,
      topics: ["orders"],
      userData: Buffer.from([9]),
      ownedPartitions: [{ topic: "orders", partitions: [0, 2] }],
      generationId: 4,
      rackId: "rack-1",
    };
    expect(decodeConsumerSubscription(encodeConsumerSubscription(sub))).toEqual(sub);
    // A v1 subscription cut after user data: owned partitions default to none.
    const short = hex(`0001 00000001 0001${str("t")} 00000000`);
    expect(decodeConsumerSubscription(short)).toMatchObject({
      version: 1,
      topics: ["t"],
      userData: Buffer.alloc(0),
      ownedPartitions: [],
    });
  });

  it("round-trips assignments", () => {
    const a = { version: 0, assignedPartitions: [{ topic: "t", partitions: [1, 3] }], userData: null };
    const bytes = encodeConsumerAssignment(a);
    expect(bytes).toEqual(hex(`0000 00000001 0001${str("t")} 00000002 00000001 00000003 ffffffff`));
    expect(decodeConsumerAssignment(bytes)).toEqual(a);
  });

  it("collects subscribed topics, or null when metadata is not the consumer protocol", () => {
    const m1 = encodeConsumerSubscription({
      topics: ["a", "b"],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
    const m2 = encodeConsumerSubscription({
      topics: ["c"],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
    expect(subscribedTopics([m1, m2])).toEqual(new Set(["a", "b", "c"]));
    expect(subscribedTopics([m1, Buffer.from("garbage!")])).toBeNull();
  });
});
