// Key => latest offset over the dirty section being cleaned, bounded by a memory budget (Kafka's
// SkimpyOffsetMap, sized by log.cleaner.dedupe.buffer.size). Keys are kept whole rather than hashed: a
// hash collision would make the cleaner drop a live record, and exact keys make the result the same on
// every replica whatever its budget.
// Bytes charged per entry besides the key: the Map slot, the string header and the offset.
const ENTRY_OVERHEAD = 64;

export class OffsetMap {
  private readonly offsets = new Map<string, number>();
  private bytes = 0;

  constructor(readonly budgetBytes: number) {}

  get size(): number {
    return this.offsets.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  get(key: Buffer): number | undefined {
    return this.offsets.get(key.toString("latin1"));
  }

  // The bytes adding these keys would take (keys already present cost nothing).
  cost(keys: readonly Buffer[]): number {
    let n = 0;
    const seen = new Set<string>();
    for (const k of keys) {
      const s = k.toString("latin1");
      if (this.offsets.has(s) || seen.has(s)) continue;
      seen.add(s);
      n += k.length + ENTRY_OVERHEAD;
    }
    return n;
  }

  put(key: Buffer, offset: number): void {
    const s = key.toString("latin1");
    if (!this.offsets.has(s)) this.bytes += key.length + ENTRY_OVERHEAD;
    this.offsets.set(s, offset);
  }

  clear(): void {
    this.offsets.clear();
    this.bytes = 0;
  }
}
