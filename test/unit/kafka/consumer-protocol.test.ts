import { describe, expect, it } from "vitest";
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from "../../../data-node/src/kafka/protocol/consumer-protocol.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("consumer protocol blobs", () => {
  it("decodes a v0 subscription as kafkajs/librdkafka send it", () => {
    // version 0, topics ["t"], user_data null
    const { version, value } = decodeSubscription(hex("0000 00000001 0001 74 ffffffff"));
    expect(version).toBe(0);
    expect(value).toMatchObject({
      topics: ["t"],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
  });

  it("round-trips a v3 subscription and a v1 assignment", () => {
    const sub = {
      topics: ["a", "b"],
      userData: Buffer.from([1]),
      ownedPartitions: [{ topic: "a", partitions: [0, 2] }],
      generationId: 4,
      rackId: "r1",
    };
    expect(decodeSubscription(encodeSubscription(sub))).toEqual({ version: 3, value: sub });
    const asg = { assignedPartitions: [{ topic: "a", partitions: [1] }], userData: null };
    const bytes = encodeAssignment(asg, 1);
    expect(bytes.subarray(0, 2)).toEqual(hex("0001"));
    expect(decodeAssignment(bytes)).toEqual({ version: 1, value: asg });
  });

  it("reads a newer version than it knows with the latest schema", () => {
    const bytes = encodeAssignment({ assignedPartitions: [], userData: null }, 3);
    bytes.writeInt16BE(7, 0);
    expect(decodeAssignment(Buffer.concat([bytes, hex("ff")]))).toMatchObject({ version: 7 });
  });
});
