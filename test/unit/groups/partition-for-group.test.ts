import { describe, expect, it } from "vitest";
import { javaStringHashCode, partitionForGroup } from "../../../data-node/src/groups/partition-for-group.ts";

describe("javaStringHashCode", () => {
  it("matches String.hashCode computed by hand (s[0]*31^(n-1) + ... + s[n-1])", () => {
    expect(javaStringHashCode("")).toBe(0);
    expect(javaStringHashCode("a")).toBe(97);
    expect(javaStringHashCode("ab")).toBe(97 * 31 + 98);
    expect(javaStringHashCode("abc")).toBe((97 * 31 + 98) * 31 + 99);
    // Well-known Java values: "hello".hashCode() and the "Aa"/"BB" collision.
    expect(javaStringHashCode("hello")).toBe(99162322);
    expect(javaStringHashCode("Aa")).toBe(2112);
    expect(javaStringHashCode("BB")).toBe(2112);
  });

  it("wraps around to negative values like a Java int", () => {
    // Reference values from an independent 32-bit computation of s[0]*31^(n-1) + ... + s[n-1].
    expect(javaStringHashCode("consumer-group-with-a-long-name")).toBe(-1157546098);
    expect(javaStringHashCode("my-group")).toBe(-1906497762);
    // The famous Java string whose hashCode is Integer.MIN_VALUE.
    expect(javaStringHashCode("polygenelubricants")).toBe(-2147483648);
  });

  it("hashes UTF-16 code units, as Java does", () => {
    // U+1F600 is the surrogate pair D83D DE00.
    expect(javaStringHashCode("\u{1F600}")).toBe(0xd83d * 31 + 0xde00);
  });
});

describe("partitionForGroup", () => {
  it("is abs(hashCode) % partitions with Kafka's Utils.abs", () => {
    expect(partitionForGroup("abc")).toBe(96354 % 50);
    expect(partitionForGroup("hello")).toBe(99162322 % 50);
    expect(partitionForGroup("hello", 7)).toBe(99162322 % 7);
    // Integer.MIN_VALUE maps to 0 (Math.abs would stay negative).
    expect(partitionForGroup("polygenelubricants")).toBe(0);
  });

  it("uses the absolute value of negative hash codes", () => {
    expect(partitionForGroup("consumer-group-with-a-long-name")).toBe(1157546098 % 50);
    expect(partitionForGroup("my-group")).toBe(1906497762 % 50);
  });
});
