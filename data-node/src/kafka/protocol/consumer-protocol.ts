import { DecodeError } from "./decode-error.ts";
import {
  type ConsumerProtocolAssignment,
  readConsumerProtocolAssignment,
  sizeConsumerProtocolAssignment,
  writeConsumerProtocolAssignment,
} from "./generated/consumer-protocol-assignment.ts";
import {
  type ConsumerProtocolSubscription,
  readConsumerProtocolSubscription,
  sizeConsumerProtocolSubscription,
  writeConsumerProtocolSubscription,
} from "./generated/consumer-protocol-subscription.ts";
import { Reader } from "./reader.ts";
import { type SizeCtx, Writer } from "./writer.ts";

// The "consumer" group protocol's metadata (JoinGroup) and assignment (SyncGroup) blobs:
// an int16 version followed by the versioned body. A newer version than we know is read with
// our latest schema; Kafka guarantees newer versions only append fields.
const MAX_VERSION = 3;

type Read<T> = (r: Reader, v: number) => T;
type Size<T> = (m: T, v: number, x: SizeCtx) => number;
type Write<T> = (w: Writer, m: T, v: number) => void;

function encodeVersioned<T>(m: T, version: number, size: Size<T>, write: Write<T>): Buffer {
  const v = Math.min(version, MAX_VERSION);
  const w = new Writer(2 + size(m, v, { external: 0 }));
  w.int16(v);
  write(w, m, v);
  return w.finish()[0];
}

function decodeVersioned<T>(buf: Buffer, read: Read<T>): { version: number; value: T } {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) throw new DecodeError(`negative consumer protocol version ${version}`, 0);
  return { version, value: read(r, Math.min(version, MAX_VERSION)) };
}

export function encodeSubscription(m: ConsumerProtocolSubscription, version = MAX_VERSION): Buffer {
  return encodeVersioned(m, version, sizeConsumerProtocolSubscription, writeConsumerProtocolSubscription);
}

export function decodeSubscription(buf: Buffer): { version: number; value: ConsumerProtocolSubscription } {
  return decodeVersioned(buf, readConsumerProtocolSubscription);
}

export function encodeAssignment(m: ConsumerProtocolAssignment, version = MAX_VERSION): Buffer {
  return encodeVersioned(m, version, sizeConsumerProtocolAssignment, writeConsumerProtocolAssignment);
}

export function decodeAssignment(buf: Buffer): { version: number; value: ConsumerProtocolAssignment } {
  return decodeVersioned(buf, readConsumerProtocolAssignment);
}
