import type { GroupPayload, OutgoingPayload } from "./types.ts";

// Packed batch envelope carried in ClientFrame.batch:
//   u8 version | u32 count | count × (u16 groupLen | group utf8 | u32 payloadLen | payload)
// Big-endian. 11 bytes of overhead per message plus the group name.

export const ENVELOPE_VERSION = 1;
const HEADER_BYTES = 5;
const ITEM_FIXED_BYTES = 6;
export const MAX_GROUP_BYTES = 0xffff;

export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError";
}

export function itemSize(item: OutgoingPayload): number {
  return ITEM_FIXED_BYTES + groupBytes(item.group) + item.payload.byteLength;
}

// Group ids are short and almost always ASCII; these fast paths skip Buffer's general UTF-8 machinery,
// which dominates the per-message cost of small Raft messages (heartbeats, votes, acks).
function groupBytes(group: string): number {
  if (group.length <= 64) {
    let ascii = true;
    for (let i = 0; i < group.length && ascii; i++) ascii = group.charCodeAt(i) < 0x80;
    if (ascii) return group.length;
  }
  return Buffer.byteLength(group, "utf8");
}

function writeGroup(buf: Buffer, group: string, at: number): number {
  if (group.length <= 64) {
    let i = 0;
    for (; i < group.length; i++) {
      const c = group.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    if (i === group.length) return i;
  }
  return buf.write(group, at, "utf8");
}

function readGroup(b: Buffer, at: number, len: number): string {
  if (len <= 64) {
    let s = "";
    let i = 0;
    for (; i < len; i++) {
      const c = b[at + i];
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === len) return s;
  }
  return b.toString("utf8", at, at + len);
}

// Bytes the caller wants in front of an envelope of `size` bytes, in the same buffer (the transport's
// protobuf field header), so the envelope is not copied again to get them.
export type Lead = (size: number) => Uint8Array;

const EMPTY = new Uint8Array(0);
const noLead: Lead = () => EMPTY;

export function encodeBatch(items: readonly OutgoingPayload[], lead: Lead = noLead): Buffer {
  let size = HEADER_BYTES;
  for (const item of items) size += itemSize(item);
  return encodeSized(items, size, lead);
}

function encodeSized(items: readonly OutgoingPayload[], size: number, lead: Lead): Buffer {
  const prefix = lead(size);
  const whole = Buffer.allocUnsafe(prefix.byteLength + size);
  whole.set(prefix, 0);
  const buf = whole.subarray(prefix.byteLength);
  buf.writeUInt8(ENVELOPE_VERSION, 0);
  buf.writeUInt32BE(items.length, 1);
  let at = HEADER_BYTES;
  for (const { group, payload } of items) {
    const glen = writeGroup(buf, group, at + 2);
    if (glen > MAX_GROUP_BYTES)
      throw new EnvelopeError(`group name of ${glen} bytes exceeds ${MAX_GROUP_BYTES}`);
    buf.writeUInt16BE(glen, at);
    at += 2 + glen;
    buf.writeUInt32BE(payload.byteLength, at);
    at += 4;
    if (payload instanceof Uint8Array) {
      buf.set(payload, at);
      at += payload.byteLength;
    } else {
      for (const chunk of payload.chunks) {
        buf.set(chunk, at);
        at += chunk.byteLength;
      }
    }
  }
  return whole;
}

// Splits items, in order, into envelopes of at most maxBytes each; an item larger than maxBytes on its
// own still goes out, alone.
export function encodeBatches(
  items: readonly OutgoingPayload[],
  maxBytes: number,
  lead: Lead = noLead,
): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let size = HEADER_BYTES;
  for (let i = 0; i < items.length; i++) {
    const s = itemSize(items[i]);
    if (i > start && size + s > maxBytes) {
      out.push(encodeSized(items.slice(start, i), size, lead));
      start = i;
      size = HEADER_BYTES;
    }
    size += s;
  }
  if (start < items.length) out.push(encodeSized(start === 0 ? items : items.slice(start), size, lead));
  return out;
}

// Payloads are views into buf (no copy); the caller must not reuse buf while they are in use.
export function decodeBatch(buf: Uint8Array): GroupPayload[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_BYTES)
    throw new EnvelopeError(`envelope of ${b.length} bytes is shorter than its header`);
  const version = b.readUInt8(0);
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError(`unknown envelope version ${version}`);
  const count = b.readUInt32BE(1);
  // Each item takes at least ITEM_FIXED_BYTES, so a corrupt count cannot make us allocate a huge array.
  if (count > (b.length - HEADER_BYTES) / ITEM_FIXED_BYTES) {
    throw new EnvelopeError(`envelope claims ${count} items in ${b.length} bytes`);
  }
  const items: GroupPayload[] = new Array(count);
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 2 > b.length) throw truncated(i);
    const glen = b.readUInt16BE(at);
    at += 2;
    if (at + glen + 4 > b.length) throw truncated(i);
    const group = readGroup(b, at, glen);
    at += glen;
    const plen = b.readUInt32BE(at);
    at += 4;
    if (at + plen > b.length) throw truncated(i);
    // A plain Uint8Array view: Buffer#subarray costs several times more per call.
    items[i] = { group, payload: new Uint8Array(b.buffer, b.byteOffset + at, plen) };
    at += plen;
  }
  if (at !== b.length) throw new EnvelopeError(`${b.length - at} trailing bytes after ${count} items`);
  return items;
}

function truncated(i: number): EnvelopeError {
  return new EnvelopeError(`envelope truncated in item ${i}`);
}
