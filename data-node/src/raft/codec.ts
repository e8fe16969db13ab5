// Compact binary codec for what the transport and storage carry. Integers are unsigned LEB128
// varints computed arithmetically (safe up to 2^53). Byte fields are length-prefixed; decoding
// returns subarray views into the input so large entry payloads are never copied.
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  Snapshot,
  SnapshotMetadata,
} from "./types.ts";
import { EMPTY_BYTES } from "./types.ts";

const VERSION = 1;

export class Writer {
  private buf: Uint8Array;
  private pos = 0;
  constructor(initial = 64) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`codec: not a non-negative safe integer: ${v}`);
    this.ensure(8);
    let x = v;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.buf[this.pos++] = x;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.byteLength);
    this.raw(b);
  }

  // The bytes alone, without a length prefix.
  raw(b: Uint8Array): void {
    this.ensure(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }

  get length(): number {
    return this.pos;
  }

  // The bytes written since `from`, as a view. It stays valid: growing copies into a new buffer
  // and leaves the old one as it was.
  slice(from: number): Uint8Array {
    return this.buf.subarray(from, this.pos);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  u8(): number {
    if (this.pos >= this.buf.length) throw new Error("codec: truncated input");
    return this.buf[this.pos++];
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    throw new Error("codec: varint too long");
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error("codec: truncated bytes");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  done(): void {
    if (this.pos !== this.buf.length) throw new Error("codec: trailing bytes");
  }
}

function ids(w: Writer, xs: number[]): void {
  w.varint(xs.length);
  for (const x of xs) w.varint(x);
}

function readIds(r: Reader): number[] {
  const n = r.varint();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.varint());
  return out;
}

export function writeConfState(w: Writer, c: ConfState): void {
  ids(w, c.voters);
  ids(w, c.learners);
}

export function readConfState(r: Reader): ConfState {
  return { voters: readIds(r), learners: readIds(r) };
}

export function writeSnapshotMetadata(w: Writer, m: SnapshotMetadata): void {
  w.varint(m.index);
  w.varint(m.term);
  writeConfState(w, m.confState);
}

export function readSnapshotMetadata(r: Reader): SnapshotMetadata {
  return { index: r.varint(), term: r.varint(), confState: readConfState(r) };
}

export function writeEntry(w: Writer, e: Entry): void {
  writeEntryHeader(w, e);
  w.raw(e.data);
}

// Everything of an entry before its data's bytes: index, term, type and the data's length.
function writeEntryHeader(w: Writer, e: Entry): void {
  w.varint(e.index);
  w.varint(e.term);
  w.u8(e.type);
  w.varint(e.data.byteLength);
}

export function readEntry(r: Reader): Entry {
  const index = r.varint();
  const term = r.varint();
  const type = r.u8();
  if (type > 1) throw new Error(`codec: bad entry type ${type}`);
  return { index, term, type, data: r.bytes() };
}

// A message as byte ranges to be written back to back: the fixed fields, then each entry's header
// and its data by reference. The transport copies them once, into the frame it sends, instead of
// first into a message buffer of their own.
export interface MessageParts {
  readonly byteLength: number;
  readonly chunks: readonly Uint8Array[];
}

// Entry data at least this large is referenced, smaller data is copied in with the fields around it.
const REFERENCE_BYTES = 512;

export function encodeMessage(m: Message): Uint8Array {
  const parts = encodeMessageParts(m);
  return parts instanceof Uint8Array ? parts : concat(parts);
}

// A single buffer when nothing is worth referencing (votes, acks, heartbeats).
export function encodeMessageParts(m: Message): Uint8Array | MessageParts {
  let size = 64 + m.context.byteLength;
  let referenced = 0;
  for (const e of m.entries) {
    size += 24;
    if (e.data.byteLength >= REFERENCE_BYTES) referenced += e.data.byteLength;
    else size += e.data.byteLength;
  }
  if (m.snapshot) size += m.snapshot.data.byteLength + 64;
  const w = new Writer(size);
  const chunks: Uint8Array[] = [];
  let cut = 0;
  w.u8(VERSION);
  w.u8(m.type);
  w.varint(m.from);
  w.varint(m.to);
  w.varint(m.term);
  w.varint(m.logTerm);
  w.varint(m.index);
  w.varint(m.commit);
  w.u8(m.reject ? 1 : 0);
  w.varint(m.rejectHint);
  w.bytes(m.context);
  w.varint(m.entries.length);
  for (const e of m.entries) {
    if (e.data.byteLength < REFERENCE_BYTES) {
      writeEntry(w, e);
      continue;
    }
    writeEntryHeader(w, e);
    chunks.push(w.slice(cut), e.data);
    cut = w.length;
  }
  if (m.snapshot) {
    w.u8(1);
    writeSnapshotMetadata(w, m.snapshot.metadata);
    w.bytes(m.snapshot.data);
  } else {
    w.u8(0);
  }
  if (chunks.length === 0) return w.finish();
  chunks.push(w.slice(cut));
  return { byteLength: w.length + referenced, chunks };
}

function concat(parts: MessageParts): Uint8Array {
  const out = new Uint8Array(parts.byteLength);
  let at = 0;
  for (const c of parts.chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export function decodeMessage(buf: Uint8Array): Message {
  const r = new Reader(buf);
  const v = r.u8();
  if (v !== VERSION) throw new Error(`codec: unknown message version ${v}`);
  const type = r.u8();
  if (type < 1 || type > 10) throw new Error(`codec: bad message type ${type}`);
  const from = r.varint();
  const to = r.varint();
  const term = r.varint();
  const logTerm = r.varint();
  const index = r.varint();
  const commit = r.varint();
  const reject = r.u8() === 1;
  const rejectHint = r.varint();
  const ctx = r.bytes();
  const n = r.varint();
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) entries.push(readEntry(r));
  let snapshot: Snapshot | undefined;
  if (r.u8() === 1) {
    const metadata = readSnapshotMetadata(r);
    snapshot = { metadata, data: r.bytes() };
  }
  r.done();
  const m: Message = {
    type,
    from,
    to,
    term,
    logTerm,
    index,
    entries,
    commit,
    reject,
    rejectHint,
    context: ctx.byteLength === 0 ? EMPTY_BYTES : ctx,
  };
  if (snapshot) m.snapshot = snapshot;
  return m;
}

export function encodeHardState(h: HardState): Uint8Array {
  const w = new Writer(24);
  w.varint(h.term);
  w.varint(h.vote);
  w.varint(h.commit);
  return w.finish();
}

export function decodeHardState(buf: Uint8Array): HardState {
  const r = new Reader(buf);
  const h = { term: r.varint(), vote: r.varint(), commit: r.varint() };
  r.done();
  return h;
}

export function encodeConfState(c: ConfState): Uint8Array {
  const w = new Writer(32);
  writeConfState(w, c);
  return w.finish();
}

export function decodeConfState(buf: Uint8Array): ConfState {
  const r = new Reader(buf);
  const c = readConfState(r);
  r.done();
  return c;
}

export function encodeConfChange(c: ConfChange): Uint8Array {
  const w = new Writer(16);
  w.u8(c.type);
  w.varint(c.nodeId);
  return w.finish();
}

export function decodeConfChange(buf: Uint8Array): ConfChange {
  const r = new Reader(buf);
  const type = r.u8();
  if (type > 2) throw new Error(`codec: bad conf change type ${type}`);
  const c = { type, nodeId: r.varint() };
  r.done();
  return c;
}

export function encodeSnapshotMetadata(m: SnapshotMetadata): Uint8Array {
  const w = new Writer(48);
  writeSnapshotMetadata(w, m);
  return w.finish();
}

export function decodeSnapshotMetadata(buf: Uint8Array): SnapshotMetadata {
  const r = new Reader(buf);
  const m = readSnapshotMetadata(r);
  r.done();
  return m;
}
