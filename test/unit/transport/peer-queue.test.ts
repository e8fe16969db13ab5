import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PeerQueue } from "../../../data-node/src/transport/peer-queue.ts";

const msg = (n: number, size = 1) => ({ group: `g${n}`, payload: new Uint8Array(size) });

describe("peer queue", () => {
  it("drops the oldest messages beyond the count bound and counts them", () => {
    const q = new PeerQueue(3, 1 << 20);
    for (let i = 0; i < 5; i++) q.push(msg(i));
    expect(q.dropped).toBe(2);
    expect(q.takeAll().map((m) => m.group)).toEqual(["g2", "g3", "g4"]);
    expect(q.length).toBe(0);
  });

  it("drops the oldest messages beyond the byte bound but keeps one oversized message", () => {
    const q = new PeerQueue(100, 10);
    q.push(msg(0, 4));
    q.push(msg(1, 4));
    q.push(msg(2, 4));
    expect(q.takeAll().map((m) => m.group)).toEqual(["g1", "g2"]);
    q.push(msg(3, 50));
    expect(q.takeAll().map((m) => m.group)).toEqual(["g3"]);
    expect(q.dropped).toBe(1);
  });

  it("keeps order across compaction of many drops", () => {
    const q = new PeerQueue(10, 1 << 20);
    for (let i = 0; i < 5000; i++) q.push(msg(i));
    expect(q.dropped).toBe(4990);
    expect(q.takeAll().map((m) => m.group)).toEqual(Array.from({ length: 10 }, (_, i) => `g${4990 + i}`));
  });
});

describe("peer queue coalescing", () => {
  const hb = (group: string, n: number) => ({ group, payload: new Uint8Array([n]) });

  it("keeps only the latest message per group and key, at its newest position", () => {
    const q = new PeerQueue(100, 1 << 20);
    q.push(hb("a", 1), "hb");
    q.push(hb("b", 1), "hb");
    q.push(msg(0));
    q.push(hb("a", 2), "hb");
    q.push(hb("a", 3), "vote");
    expect(q.coalesced).toBe(1);
    expect(q.length).toBe(4);
    expect(q.takeAll().map((m) => `${m.group}${(m.payload as Uint8Array)[0]}`)).toEqual([
      "b1",
      "g00",
      "a2",
      "a3",
    ]);
  });

  it("coalesces correctly after overflow drops and compaction", () => {
    const q = new PeerQueue(5, 1 << 20);
    for (let i = 0; i < 3000; i++) {
      q.push(msg(i));
      q.push(hb("a", i % 256), "hb");
    }
    expect(q.length).toBe(5);
    const out = q.takeAll();
    expect(out.filter((m) => m.group === "a")).toHaveLength(1);
    expect(out.at(-1)).toEqual(hb("a", 2999 % 256));
    expect(q.dropped + q.coalesced + 5).toBe(6000);
  });
});

describe("peer queue against a model", () => {
  type Op = { take: true } | { take: false; group: string; key: string | undefined; size: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 1, arbitrary: fc.constant({ take: true as const }) },
    {
      weight: 20,
      arbitrary: fc.record({
        take: fc.constant(false as const),
        group: fc.constantFrom("a", "b", "c"),
        key: fc.option(fc.constantFrom("hb", "vote"), { nil: undefined }),
        size: fc.integer({ min: 0, max: 8 }),
      }),
    },
  );

  it("matches a plain array model: coalesce, then drop oldest beyond the bounds", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 3000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 120 }),
        (ops, maxMessages, maxBytes) => {
          const q = new PeerQueue(maxMessages, maxBytes);
          let model: { id: number; group: string; key?: string; size: number }[] = [];
          let id = 0;
          for (const o of ops) {
            if (o.take) {
              expect(q.takeAll().map((m) => m.payload)).toEqual(model.map((m) => payloadOf(m.id, m.size)));
              model = [];
              continue;
            }
            if (o.key !== undefined) model = model.filter((m) => m.group !== o.group || m.key !== o.key);
            model.push({ id, group: o.group, key: o.key, size: o.size });
            q.push({ group: o.group, payload: payloadOf(id, o.size) }, o.key);
            id++;
            const bytes = () => model.reduce((n, m) => n + m.size + 4, 0);
            while (model.length > 1 && (model.length > maxMessages || bytes() > maxBytes)) model.shift();
            expect(q.length).toBe(model.length);
          }
          expect(q.takeAll().map((m) => m.payload)).toEqual(model.map((m) => payloadOf(m.id, m.size)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

// Payloads carry their push number so the comparison checks identity, not just shape.
function payloadOf(id: number, size: number): Uint8Array {
  const p = new Uint8Array(size + 4);
  new DataView(p.buffer).setUint32(0, id);
  return p;
}
