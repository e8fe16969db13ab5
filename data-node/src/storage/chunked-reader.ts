import fs from "node:fs";

// Synchronous positional reads through a read-ahead window, so scanning frame headers costs one
// syscall per chunk rather than one per frame. Returned views stay valid: each refill allocates.
export class ChunkedReader {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;

  constructor(
    private readonly fd: number,
    readonly end: number,
    private readonly chunkBytes = 64 * 1024,
  ) {}

  // Bytes [pos, pos + len), or null if they run past `end`.
  view(pos: number, len: number): Buffer | null {
    if (pos < 0 || pos + len > this.end) return null;
    if (pos >= this.start && pos + len <= this.start + this.buf.length) {
      return this.buf.subarray(pos - this.start, pos - this.start + len);
    }
    const want = Math.min(Math.max(len, this.chunkBytes), this.end - pos);
    const buf = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const n = fs.readSync(this.fd, buf, done, want - done, pos + done);
      if (n === 0) throw new Error(`file ended at ${pos + done}, expected ${pos + want}`);
      done += n;
    }
    this.buf = buf;
    this.start = pos;
    return buf.subarray(0, len);
  }
}
