// Kafka's primitive encodings, big-endian, for the `__consumer_offsets` record keys and values.
// Classic (non-flexible) versions use int16-length strings and int32-length bytes/arrays; flexible
// versions (decoded only) use unsigned-varint lengths plus tagged fields.

export class ByteWriter {
  private readonly chunks: Buffer[] = [];

  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    return this.push(b);
  }

  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    return this.push(b);
  }

  int64(v: bigint | number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(BigInt(v));
    return this.push(b);
  }

  string(v: string): this {
    const s = Buffer.from(v, "utf8");
    if (s.length > 0x7fff) throw new RangeError(`string of ${s.length} bytes is too long`);
    return this.int16(s.length).push(s);
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  nullableBytes(v: Uint8Array | null): this {
    return v === null ? this.int32(-1) : this.bytes(v);
  }

  bytes(v: Uint8Array): this {
    return this.int32(v.length).push(Buffer.from(v.buffer, v.byteOffset, v.length));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private push(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
}

export class ByteReader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    // Flexible versions: compact lengths and tagged fields.
    readonly flexible = false,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  nullableString(): string | null {
    const len = this.flexible ? this.uvarint() - 1 : this.int16();
    if (len < 0) return null;
    return this.take(len).toString("utf8");
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new RangeError("null where a string is required");
    return s;
  }

  nullableBytes(): Buffer | null {
    const len = this.flexible ? this.uvarint() - 1 : this.int32();
    return len < 0 ? null : Buffer.from(this.take(len));
  }

  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new RangeError("null where bytes are required");
    return b;
  }

  arrayLength(): number {
    const len = this.flexible ? this.uvarint() - 1 : this.int32();
    if (len < 0) throw new RangeError("null where an array is required");
    return len;
  }

  // Tagged fields of flexible versions: none are known to the coordinator, so all are skipped.
  skipTaggedFields(): void {
    if (!this.flexible) return;
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.take(this.uvarint());
    }
  }

  private uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw new RangeError("varint too long");
  }

  private take(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError("record truncated");
  }
}
