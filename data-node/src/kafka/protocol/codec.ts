import { EncodeError } from "./decode-error.ts";
import { API_CODECS, type ApiCodec, type ApiMessages } from "./generated/apis.ts";
import {
  type RequestHeader,
  readRequestHeader,
  sizeRequestHeader,
  writeRequestHeader,
} from "./generated/request-header.ts";
import { Reader } from "./reader.ts";
import { type RecordsData, type SizeCtx, uvarintSize, Writer } from "./writer.ts";

export type ReadFn<T> = (r: Reader, v: number) => T;
export type SizeFn<T> = (m: T, v: number, x: SizeCtx) => number;
export type WriteFn<T> = (w: Writer, m: T, v: number) => void;

export type AnyCodec = ApiCodec<unknown, unknown>;

export function codecFor(apiKey: number): AnyCodec | undefined {
  return (API_CODECS as unknown as Record<number, AnyCodec | undefined>)[apiKey];
}

export function codecOf<K extends keyof ApiMessages>(apiKey: K) {
  return API_CODECS[apiKey];
}

export interface VersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

// Every API the protocol layer can encode and decode, with its version range.
export const SUPPORTED_VERSIONS: readonly VersionRange[] = Object.values(
  API_CODECS as unknown as Record<string, AnyCodec>,
)
  .map((c) => ({ apiKey: c.apiKey, minVersion: c.minVersion, maxVersion: c.maxVersion }))
  .sort((a, b) => a.apiKey - b.apiKey);

// ApiVersions is special: its response header is always v0 so that a client that does not
// yet know the broker's versions can parse it.
export function requestHeaderVersion(codec: AnyCodec, v: number): number {
  return v >= codec.requestFlexibleFrom ? 2 : 1;
}
export function responseHeaderVersion(codec: AnyCodec, v: number): number {
  if (codec.apiKey === 18) return 0;
  return v >= codec.responseFlexibleFrom ? 1 : 0;
}

// One message into one Buffer: size first, then a single allocation.
export function encode<T>(m: T, v: number, size: SizeFn<T>, write: WriteFn<T>): Buffer {
  const w = new Writer(size(m, v, { external: 0 }));
  write(w, m, v);
  return w.finish()[0];
}

export function decode<T>(buf: Buffer, v: number, read: ReadFn<T>): T {
  return read(new Reader(buf), v);
}

// A whole response frame (length prefix, header, body) as chunks: large record payloads are
// referenced, everything else is written into one buffer.
export function encodeResponseFrame<T>(
  correlationId: number,
  headerVersion: number,
  body: T,
  v: number,
  size: SizeFn<T>,
  write: WriteFn<T>,
): Buffer[] {
  const x: SizeCtx = { external: 0 };
  const headerSize = headerVersion >= 1 ? 4 + uvarintSize(0) : 4;
  const total = headerSize + size(body, v, x);
  const w = new Writer(4 + total - x.external, true);
  w.int32(total);
  w.int32(correlationId);
  if (headerVersion >= 1) w.uvarint(0);
  write(w, body, v);
  return w.finish();
}

// A request frame, for clients and tests.
export function encodeRequestFrame<T>(
  header: RequestHeader,
  body: T,
  size: SizeFn<T>,
  write: WriteFn<T>,
): Buffer {
  const codec = codecFor(header.requestApiKey);
  if (!codec) throw new EncodeError(`unknown api key ${header.requestApiKey}`);
  const hv = requestHeaderVersion(codec, header.requestApiVersion);
  const x: SizeCtx = { external: 0 };
  const total = sizeRequestHeader(header, hv, x) + size(body, header.requestApiVersion, x);
  const w = new Writer(4 + total);
  w.int32(total);
  writeRequestHeader(w, header, hv);
  write(w, body, header.requestApiVersion);
  return w.finish()[0];
}

export interface DecodedRequestHeader {
  header: RequestHeader;
  codec: AnyCodec | undefined;
  bodyOffset: number;
}

// Reads apiKey/version first to pick the header version, then the header itself.
export function readRequestHeaderOf(frame: Buffer): DecodedRequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const codec = codecFor(apiKey);
  const hv = codec ? requestHeaderVersion(codec, apiVersion) : 1;
  r.pos = 0;
  const header = readRequestHeader(r, hv);
  return { header, codec, bodyOffset: r.pos };
}

// Decoded records are always a single Buffer view; a list only appears on the encode side.
export function recordsToBuffer(r: RecordsData | null): Buffer | null {
  if (r === null || Buffer.isBuffer(r)) return r as Buffer | null;
  return Buffer.concat(r as Buffer[]);
}

// Client side: a response frame (without its size prefix) for a request of apiKey/version.
export function readResponseFrame<K extends keyof ApiMessages>(
  frame: Buffer,
  apiKey: K,
  version: number,
): { correlationId: number; body: ApiMessages[K]["response"] } {
  const codec = API_CODECS[apiKey] as unknown as AnyCodec;
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(codec, version) >= 1) {
    const tags = r.uvarint();
    for (let i = 0; i < tags; i++) {
      r.uvarint();
      r.skip(r.uvarint());
    }
  }
  return { correlationId, body: codec.readResponse(r, version) as ApiMessages[K]["response"] };
}
