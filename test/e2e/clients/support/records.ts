// Test messages and the delivery checks every client test applies to what its consumers received.

export interface TestMessage {
  seq: number;
  key: string;
  value: string;
}

export interface Received {
  partition: number;
  offset: number;
  key: string;
  value: string;
  member?: string;
}

// Where the producer was told a message landed, when the client reports it.
export interface Placement {
  partition: number;
  offset: number;
}

// 10,000 messages over 97 keys: every key recurs, so per-key order is checked as well as
// per-partition order. Bodies stay small: the point is the protocol, not the bytes.
export const KEYS = 97;

export function messages(batch: string, from: number, count: number): TestMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    return { seq, key: `k${seq % KEYS}`, value: `${batch}-${seq}` };
  });
}

function seqOf(value: string): number {
  return Number(value.slice(value.lastIndexOf("-") + 1));
}

export interface DeliveryReport {
  problems: string[];
  perPartition: Map<number, number>;
}

function sample<T>(xs: T[]): string {
  return `${xs.length} (e.g. ${JSON.stringify(xs.slice(0, 5))})`;
}

// Checks that the received records are exactly the expected messages, each once; that every
// partition was read in offset order without gaps, starting at `startOffsets` (0 by default);
// that per partition and per key the producer's order was kept; that every key stayed in one
// partition; and, where the producer reported placements, that each message is where it was acked.
export function checkDelivery(
  received: Received[],
  expected: TestMessage[],
  opts: { startOffsets?: Map<number, number>; placements?: Map<string, Placement> } = {},
): DeliveryReport {
  const problems: string[] = [];
  const want = new Map(expected.map((m) => [m.value, m]));
  const seen = new Map<string, number>();
  const unexpected: string[] = [];
  for (const r of received) {
    seen.set(r.value, (seen.get(r.value) ?? 0) + 1);
    const m = want.get(r.value);
    if (!m) unexpected.push(r.value);
    else if (m.key !== r.key) problems.push(`value ${r.value} arrived with key ${r.key}, sent with ${m.key}`);
  }
  const missing = expected.filter((m) => !seen.has(m.value)).map((m) => m.value);
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${v}×${n}`);
  if (missing.length) problems.push(`missing: ${sample(missing)}`);
  if (duplicated.length) problems.push(`delivered more than once: ${sample(duplicated)}`);
  if (unexpected.length) problems.push(`not sent in this batch: ${sample(unexpected)}`);

  const perPartition = new Map<number, number>();
  const nextOffset = new Map<number, number>();
  const lastSeqInPartition = new Map<number, number>();
  const lastSeqOfKey = new Map<string, number>();
  const partitionOfKey = new Map<string, number>();
  const orderProblems: string[] = [];
  for (const r of received) {
    const p = r.partition;
    perPartition.set(p, (perPartition.get(p) ?? 0) + 1);
    const expectOffset = nextOffset.get(p) ?? opts.startOffsets?.get(p) ?? 0;
    if (r.offset !== expectOffset)
      orderProblems.push(`partition ${p}: offset ${r.offset} where ${expectOffset} was next`);
    nextOffset.set(p, r.offset + 1);
    const seq = seqOf(r.value);
    if ((lastSeqInPartition.get(p) ?? -1) >= seq)
      orderProblems.push(`partition ${p}: ${r.value} after seq ${lastSeqInPartition.get(p)}`);
    lastSeqInPartition.set(p, seq);
    if ((lastSeqOfKey.get(r.key) ?? -1) >= seq)
      orderProblems.push(`key ${r.key}: ${r.value} after seq ${lastSeqOfKey.get(r.key)}`);
    lastSeqOfKey.set(r.key, seq);
    const kp = partitionOfKey.get(r.key);
    if (kp !== undefined && kp !== p) orderProblems.push(`key ${r.key} in partitions ${kp} and ${p}`);
    partitionOfKey.set(r.key, p);
    const placed = opts.placements?.get(r.value);
    if (placed && (placed.partition !== p || placed.offset !== r.offset))
      orderProblems.push(
        `${r.value} acked at ${placed.partition}/${placed.offset}, consumed at ${p}/${r.offset}`,
      );
  }
  if (orderProblems.length) problems.push(`order/placement: ${sample(orderProblems)}`);
  return { problems, perPartition };
}

// Per-partition counts as a plain object, for readable assertions.
export function counts(perPartition: Map<number, number>): Record<number, number> {
  return Object.fromEntries([...perPartition].sort(([a], [b]) => a - b));
}
