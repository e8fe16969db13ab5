import { EncodeError } from "./decode-error.ts";
import { writeUuidInto } from "./uuid.ts";

// A records payload may be one Buffer or a list of Buffers (e.g. slices read from segment files).
export type RecordsData = Buffer | readonly Buffer[];

// Record payloads at least this large are passed by reference into the output chunk list
// instead of being copied into the response buffer.
export const EXTERNAL_THRESHOLD = 4096;

// Filled by the size pass: how many bytes will be referenced rather than copied.
export interface SizeCtx {
  external: number;
}

export function uvarintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

export function varintSize(n: number): number {
  return uvarintSize(n >= 0 ? n * 2 : -n * 2 - 1);
}

export function varlongSize(n: number): number {
  let u = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

export function stringSize(s: string | null, compact: boolean): number {
  if (s === null) return compact ? 1 : 2;
  const n = Buffer.byteLength(s, "utf8");
  return (compact ? uvarintSize(n + 1) : 2) + n;
}

export function bytesSize(b: Buffer | null, compact: boolean): number {
  if (b === null) return compact ? 1 : 4;
  return (compact ? uvarintSize(b.length + 1) : 4) + b.length;
}

export function recordsLength(r: RecordsData): number {
  if (Buffer.isBuffer(r)) return r.length;
  let n = 0;
  for (const b of r) n += b.length;
  return n;
}

export function recordsSize(r: RecordsData | null, compact: boolean, ctx: SizeCtx): number {
  if (r === null) return compact ? 1 : 4;
  const n = recordsLength(r);
  if (Buffer.isBuffer(r)) {
    if (n >= EXTERNAL_THRESHOLD) ctx.external += n;
  } else {
    for (const b of r) if (b.length >= EXTERNAL_THRESHOLD) ctx.external += b.length;
  }
  return (compact ? uvarintSize(n + 1) : 4) + n;
}

export function arrayHeaderSize(n: number | null, compact: boolean): number {
  if (n === null) return compact ? 1 : 4;
  return compact ? uvarintSize(n + 1) : 4;
}

// Writes into one pre-sized Buffer. In chunked mode, large record payloads are emitted as
// separate chunks (by reference), so a Fetch response never copies segment data.
export class Writer {
  readonly buf: Buffer;
  pos = 0;
  private chunks: Buffer[] | null;
  private chunkStart = 0;

  constructor(size: number, chunked = false) {
    this.buf = Buffer.allocUnsafe(size);
    this.chunks = chunked ? [] : null;
  }

  // All output; in unchunked mode a single buffer.
  finish(): Buffer[] {
    if (this.chunks === null) {
      if (this.pos !== this.buf.length)
        throw new EncodeError(`size ${this.buf.length} != written ${this.pos}`);
      return [this.buf];
    }
    if (this.pos !== this.buf.length) throw new EncodeError(`size ${this.buf.length} != written ${this.pos}`);
    if (this.pos > this.chunkStart) this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
    return this.chunks;
  }

  int8(v: number): void {
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }
  int16(v: number): void {
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }
  uint16(v: number): void {
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  int32(v: number): void {
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }
  uint32(v: number): void {
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }
  int64(v: bigint): void {
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }
  float64(v: number): void {
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }
  bool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }
  uuid(v: string): void {
    writeUuidInto(this.buf, this.pos, v);
    this.pos += 16;
  }

  uvarint(v: number): void {
    let n = v;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  varlong(v: number): void {
    let n = v >= 0 ? v * 2 : -v * 2 - 1;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string | null, compact: boolean): void {
    if (s === null) {
      if (compact) this.uvarint(0);
      else this.int16(-1);
      return;
    }
    const n = Buffer.byteLength(s, "utf8");
    if (compact) this.uvarint(n + 1);
    else if (n > 0x7fff) throw new EncodeError(`string of ${n} bytes does not fit an int16 length`);
    else this.int16(n);
    this.pos += this.buf.write(s, this.pos, n, "utf8");
  }

  bytes(b: Buffer | null, compact: boolean): void {
    if (b === null) {
      if (compact) this.uvarint(0);
      else this.int32(-1);
      return;
    }
    if (compact) this.uvarint(b.length + 1);
    else this.int32(b.length);
    this.raw(b);
  }

  records(r: RecordsData | null, compact: boolean): void {
    if (r === null) {
      if (compact) this.uvarint(0);
      else this.int32(-1);
      return;
    }
    const n = recordsLength(r);
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
    if (Buffer.isBuffer(r)) this.payload(r);
    else for (const b of r) this.payload(b);
  }

  arrayLen(n: number | null, compact: boolean): void {
    if (compact) this.uvarint(n === null ? 0 : n + 1);
    else this.int32(n === null ? -1 : n);
  }

  raw(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  private payload(b: Buffer): void {
    if (this.chunks === null || b.length < EXTERNAL_THRESHOLD) {
      this.raw(b);
      return;
    }
    if (this.pos > this.chunkStart) this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
    this.chunks.push(b);
    this.chunkStart = this.pos;
  }
}
