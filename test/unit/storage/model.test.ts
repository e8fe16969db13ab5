import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Entry, EntryType } from "../../../data-node/src/raft/types.ts";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { confChange, dataEntry, noop } from "./batches.ts";
import { tmpDir } from "./tmp.ts";

// Random appends (with conflicting tails), compactions and reopens, checked against a plain model.

type Op =
  | { kind: "append"; back: number; kinds: number[]; bump: boolean }
  | { kind: "compact"; frac: number }
  | { kind: "reopen"; cacheBytes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      back: fc.nat(6),
      kinds: fc.array(fc.nat(5), { minLength: 1, maxLength: 6 }),
      bump: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("compact" as const),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("reopen" as const),
      cacheBytes: fc.constantFrom(0, 300, 1 << 20),
    }),
  },
);

interface Model {
  start: { index: number; term: number; nextOffset: number };
  entries: Entry[]; // indexes start.index + 1 ...
  offsets: number[]; // next Kafka offset after each entry
}

const recordCount = (e: Entry) =>
  e.type === EntryType.Normal && e.data.byteLength > 0 ? Buffer.from(e.data).readInt32BE(23) + 1 : 0;
const lastIndex = (m: Model) => m.start.index + m.entries.length;
const termAt = (m: Model, i: number) =>
  i === m.start.index ? m.start.term : m.entries[i - m.start.index - 1].term;
const nextOffsetAt = (m: Model, i: number) =>
  i === m.start.index ? m.start.nextOffset : m.offsets[i - m.start.index - 1];

describe("DurableLog against a model", () => {
  it("agrees after any sequence of appends, truncations, compactions and reopens", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const dir = tmpDir();
        const opts = { dir, recordBatches: true, segmentBytes: 300, indexIntervalBytes: 64 };
        let log = await DurableLog.open({ ...opts, cacheBytes: 300 });
        const m: Model = { start: { index: 0, term: 0, nextOffset: 0 }, entries: [], offsets: [] };
        let term = 1;
        try {
          for (const op of ops) {
            if (op.kind === "append") {
              const first = Math.max(m.start.index + 1, lastIndex(m) + 1 - op.back);
              if (op.bump || first <= lastIndex(m)) term++;
              let offset = nextOffsetAt(m, first - 1);
              const batch: Entry[] = [];
              for (const [j, k] of op.kinds.entries()) {
                const index = first + j;
                const e =
                  k === 0
                    ? noop(index, term)
                    : k === 1
                      ? confChange(index, term)
                      : dataEntry(index, term, offset, k - 1);
                offset += recordCount(e);
                batch.push(e);
              }
              log.append(batch);
              const keep = first - m.start.index - 1;
              m.entries = m.entries.slice(0, keep).concat(batch);
              let o = nextOffsetAt(m, first - 1);
              m.offsets = m.offsets.slice(0, keep).concat(batch.map((e) => (o += recordCount(e))));
            } else if (op.kind === "compact") {
              const upTo = m.start.index + Math.floor(op.frac * m.entries.length);
              if (upTo > m.start.index) {
                await log.compact(upTo);
                const cut = upTo - m.start.index;
                m.start = { index: upTo, term: termAt(m, upTo), nextOffset: nextOffsetAt(m, upTo) };
                m.entries = m.entries.slice(cut);
                m.offsets = m.offsets.slice(cut);
              }
            } else {
              await log.close();
              log = await DurableLog.open({ ...opts, cacheBytes: op.cacheBytes });
            }
            check(log, m);
          }
        } finally {
          await log.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

function check(log: DurableLog, m: Model): void {
  expect(log.firstIndex()).toBe(m.start.index + 1);
  expect(log.lastIndex()).toBe(lastIndex(m));
  expect(log.logStartOffset()).toBe(m.start.nextOffset);
  expect(log.logEndOffset()).toBe(nextOffsetAt(m, lastIndex(m)));
  for (let i = m.start.index; i <= lastIndex(m); i++) {
    expect(log.term(i)).toBe(termAt(m, i));
    expect(log.nextOffsetAfter(i)).toBe(nextOffsetAt(m, i));
  }
  if (m.entries.length > 0) {
    const got = log.entries(m.start.index + 1, lastIndex(m) + 1, Number.MAX_SAFE_INTEGER);
    expect(got.map((e) => [e.index, e.term, e.type, Buffer.from(e.data).toString("hex")])).toEqual(
      m.entries.map((e) => [e.index, e.term, e.type, Buffer.from(e.data).toString("hex")]),
    );
  }
  const batches = m.entries.filter((e) => e.type === EntryType.Normal && e.data.byteLength > 0);
  const read = log.read(m.start.nextOffset, { maxBytes: Number.MAX_SAFE_INTEGER });
  expect(read.batches.map((b) => b.toString("hex"))).toEqual(
    batches.map((e) => Buffer.from(e.data).toString("hex")),
  );
}
