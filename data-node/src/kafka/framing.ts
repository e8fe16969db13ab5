// Splits a TCP byte stream into Kafka frames (int32 size prefix). Frames are returned
// without the prefix; a frame inside one socket chunk is a view, others are joined once. A frame
// much smaller than its chunk is copied out instead: whoever keeps a frame (the log's tail cache
// keeps produce batches) would otherwise keep the whole chunk alive, 64 KiB for a small request,
// and long-lived buffers are what drives V8 to full collections.
export class FrameError extends Error {
  override readonly name = "FrameError";
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private total = 0;
  private need = -1;

  constructor(private readonly maxFrameBytes: number) {}

  get buffered(): number {
    return this.total;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    for (;;) {
      if (this.need < 0) {
        if (this.total < 4) break;
        const size = this.peekInt32();
        if (size < 0 || size > this.maxFrameBytes) {
          throw new FrameError(`frame size ${size} outside [0, ${this.maxFrameBytes}]`);
        }
        this.need = 4 + size;
      }
      if (this.total < this.need) break;
      frames.push(this.take(this.need).subarray(4));
      this.need = -1;
    }
    return frames;
  }

  private peekInt32(): number {
    if (this.chunks[0].length < 4) {
      const joined = Buffer.concat(this.chunks);
      this.chunks = [joined];
    }
    return this.chunks[0].readInt32BE(0);
  }

  private take(n: number): Buffer {
    this.total -= n;
    const first = this.chunks[0];
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      const view = first.subarray(0, n);
      if (2 * n >= first.buffer.byteLength) return view;
      const own = Buffer.allocUnsafeSlow(n);
      view.copy(own);
      return own;
    }
    const out = Buffer.allocUnsafeSlow(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}
