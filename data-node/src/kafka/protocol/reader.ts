import { DecodeError } from "./decode-error.ts";
import { uuidToString } from "./uuid.ts";

// Cursor over one frame. Every read checks bounds and throws DecodeError, so generated
// decoders never see a RangeError or read past the frame.
export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n > this.end - at) throw new DecodeError(`need ${n} bytes, have ${this.end - at}`, at);
    this.pos = at + n;
    return at;
  }

  fail(message: string): never {
    throw new DecodeError(message, this.pos);
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }
  uuid(): string {
    return uuidToString(this.buf, this.need(16));
  }

  // Unsigned LEB128, at most 5 bytes (fits uint32).
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    return this.fail("varint longer than 5 bytes");
  }

  // Zigzag varint (int32).
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  // Zigzag varlong; exact for |value| < 2^52, which covers offset and timestamp deltas.
  varlong(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varlong");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      shift += 7;
    }
    return this.fail("varlong longer than 10 bytes");
  }

  private utf8(len: number): string {
    const at = this.need(len);
    return this.buf.toString("utf8", at, at + len);
  }

  // Length-prefixed payloads: -1 (or compact 0) means null; callers decide whether null is allowed.
  stringLen(): number {
    const n = this.int16();
    if (n < -1) this.fail(`negative string length ${n}`);
    return n;
  }
  compactLen(): number {
    return this.uvarint() - 1;
  }

  string(nullable: boolean): string | null {
    const n = this.stringLen();
    return n < 0 ? this.nullOrFail(nullable) : this.utf8(n);
  }
  compactString(nullable: boolean): string | null {
    const n = this.compactLen();
    return n < 0 ? this.nullOrFail(nullable) : this.utf8(n);
  }

  // Bytes and records are views into the frame: no copy.
  bytes(nullable: boolean): Buffer | null {
    const n = this.int32();
    if (n < -1) this.fail(`negative bytes length ${n}`);
    return n < 0 ? this.nullOrFail(nullable) : this.view(n);
  }
  compactBytes(nullable: boolean): Buffer | null {
    const n = this.compactLen();
    return n < 0 ? this.nullOrFail(nullable) : this.view(n);
  }
  view(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  // Array lengths are sanity-checked against the remaining bytes so a hostile length
  // cannot make us allocate a huge array.
  arrayLen(nullable: boolean): number {
    const n = this.int32();
    return this.checkArrayLen(n, nullable);
  }
  compactArrayLen(nullable: boolean): number {
    return this.checkArrayLen(this.compactLen(), nullable);
  }
  private checkArrayLen(n: number, nullable: boolean): number {
    if (n < -1) this.fail(`negative array length ${n}`);
    if (n === -1 && !nullable) this.fail("null array where not nullable");
    if (n > this.end - this.pos) this.fail(`array length ${n} exceeds remaining bytes`);
    return n;
  }

  private nullOrFail(nullable: boolean): null {
    if (!nullable) this.fail("null where not nullable");
    return null;
  }

  // Skips one unknown tagged field's payload.
  skip(n: number): void {
    this.need(n);
  }
}
