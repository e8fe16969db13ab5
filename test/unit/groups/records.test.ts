import { describe, expect, it } from "vitest";
import {
  decodeRecord,
  encodeGroupMetadataRecord,
  encodeOffsetCommitRecord,
  type GroupMetadataValue,
  type OffsetCommitValue,
} from "../../../data-node/src/groups/records.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const str = (s: string) => Buffer.from(s, "utf8").toString("hex");

describe("offset commit records", () => {
  const key = { group: "g", topic: "t", partition: 1 };
  const value: OffsetCommitValue = {
    offset: 5n,
    leaderEpoch: 2,
    metadata: "m",
    commitTimestamp: 1000,
    expireTimestamp: null,
  };

  it("encodes key v1 and value v3 with Kafka's layout (golden bytes)", () => {
    const record = encodeOffsetCommitRecord(key, value);
    // key: version 1 | group "g" | topic "t" | partition 1
    expect(record.key).toEqual(hex(`0001 0001${str("g")} 0001${str("t")} 00000001`));
    // value: version 3 | offset 5 | leader epoch 2 | metadata "m" | commit timestamp 1000
    expect(record.value).toEqual(hex(`0003 0000000000000005 00000002 0001${str("m")} 00000000000003e8`));
    expect(decodeRecord(record)).toEqual({ type: "offset", key, value });
  });

  it("writes value v1 when an explicit expire timestamp is kept", () => {
    const withExpiry = { ...value, leaderEpoch: -1, expireTimestamp: 5000 };
    const record = encodeOffsetCommitRecord(key, withExpiry);
    expect(record.value).toEqual(
      hex(`0001 0000000000000005 0001${str("m")} 00000000000003e8 0000000000001388`),
    );
    expect(decodeRecord(record)).toEqual({ type: "offset", key, value: withExpiry });
  });

  it("encodes a tombstone as a null value", () => {
    const record = encodeOffsetCommitRecord(key, null);
    expect(record.value).toBeNull();
    expect(decodeRecord(record)).toEqual({ type: "offset", key, value: null });
  });

  it("decodes key v0 and the older and flexible value versions", () => {
    const keyV0 = hex(`0000 0001${str("g")} 0001${str("t")} 00000001`);
    const v0 = hex(`0000 0000000000000009 0002${str("md")} 0000000000000064`);
    expect(decodeRecord({ key: keyV0, value: v0 })).toEqual({
      type: "offset",
      key,
      value: { offset: 9n, leaderEpoch: -1, metadata: "md", commitTimestamp: 100, expireTimestamp: null },
    });
    const v2 = hex(`0002 0000000000000009 0000 0000000000000064`);
    expect(decodeRecord({ key: keyV0, value: v2 })).toMatchObject({ value: { offset: 9n, metadata: "" } });
    // v4 (flexible): compact string (length + 1 as a varint) and an empty tagged-field section.
    const v4 = hex(`0004 0000000000000009 00000003 02${str("m")} 0000000000000064 00`);
    expect(decodeRecord({ key: keyV0, value: v4 })).toMatchObject({
      value: { offset: 9n, leaderEpoch: 3, metadata: "m" },
    });
  });

  it("round-trips large offsets and unicode metadata", () => {
    const big = { ...value, offset: 9007199254740993n, metadata: "ünïcødé ✓" };
    expect(decodeRecord(encodeOffsetCommitRecord(key, big))).toEqual({ type: "offset", key, value: big });
  });
});

describe("group metadata records", () => {
  const value: GroupMetadataValue = {
    protocolType: "consumer",
    generation: 1,
    protocol: "range",
    leader: "m1",
    currentStateTimestamp: 1000,
    members: [
      {
        memberId: "m1",
        groupInstanceId: null,
        clientId: "c",
        clientHost: "/h",
        rebalanceTimeoutMs: 300_000,
        sessionTimeoutMs: 10_000,
        subscription: Buffer.from([1, 2]),
        assignment: Buffer.from([3]),
      },
    ],
  };

  it("encodes key v2 and value v3 with Kafka's layout (golden bytes)", () => {
    const record = encodeGroupMetadataRecord("g", value);
    expect(record.key).toEqual(hex(`0002 0001${str("g")}`));
    expect(record.value).toEqual(
      hex(
        [
          "0003", // value version 3
          `0008${str("consumer")}`, // protocol type
          "00000001", // generation
          `0005${str("range")}`, // protocol
          `0002${str("m1")}`, // leader
          "00000000000003e8", // current state timestamp
          "00000001", // one member
          `0002${str("m1")}`, // member id
          "ffff", // group instance id: null
          `0001${str("c")}`, // client id
          `0002${str("/h")}`, // client host
          "000493e0", // rebalance timeout 300000
          "00002710", // session timeout 10000
          "00000002 0102", // subscription
          "00000001 03", // assignment
        ].join(""),
      ),
    );
    expect(decodeRecord(record)).toEqual({ type: "group", groupId: "g", value });
  });

  it("round-trips static members, null protocol/leader and tombstones", () => {
    const empty: GroupMetadataValue = { ...value, protocol: null, leader: null, members: [] };
    expect(decodeRecord(encodeGroupMetadataRecord("g", empty))).toEqual({
      type: "group",
      groupId: "g",
      value: empty,
    });
    const staticMember = { ...value, members: [{ ...value.members[0], groupInstanceId: "instance-1" }] };
    expect(decodeRecord(encodeGroupMetadataRecord("g", staticMember))).toEqual({
      type: "group",
      groupId: "g",
      value: staticMember,
    });
    expect(decodeRecord(encodeGroupMetadataRecord("g", null))).toEqual({
      type: "group",
      groupId: "g",
      value: null,
    });
  });

  it("decodes value v0 (no rebalance timeout, timestamp or instance id)", () => {
    const v0 = hex(
      `0000 0008${str("consumer")} 00000002 0005${str("range")} 0002${str("m1")} 00000001` +
        `0002${str("m1")} 0001${str("c")} 0002${str("/h")} 00002710 00000000 00000000`,
    );
    expect(decodeRecord({ key: hex(`0002 0001${str("g")}`), value: v0 })).toEqual({
      type: "group",
      groupId: "g",
      value: {
        protocolType: "consumer",
        generation: 2,
        protocol: "range",
        leader: "m1",
        currentStateTimestamp: -1,
        members: [
          {
            memberId: "m1",
            groupInstanceId: null,
            clientId: "c",
            clientHost: "/h",
            rebalanceTimeoutMs: 10_000,
            sessionTimeoutMs: 10_000,
            subscription: Buffer.alloc(0),
            assignment: Buffer.alloc(0),
          },
        ],
      },
    });
  });

  it("reports other key versions without interpreting them", () => {
    expect(decodeRecord({ key: hex("0003 0001 67"), value: null })).toEqual({ type: "other", keyVersion: 3 });
  });
});
