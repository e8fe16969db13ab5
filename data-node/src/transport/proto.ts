import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

// Loads shared/proto/raft.proto (the project's own file) and describes its messages as plain types, in
// the camelCase shape proto-loader produces.

const PROTO_PATH = fileURLToPath(new URL("../../../shared/proto/raft.proto", import.meta.url));

export interface HelloMsg {
  clusterId: string;
  fromNode: number;
  toNode: number;
  protocolVersion: number;
}

export interface HelloReplyMsg {
  clusterId: string;
  nodeId: number;
  protocolVersion: number;
  accepted: boolean;
  reason: string;
}

export type ClientFrame =
  | { frame?: "hello"; hello: HelloMsg }
  | { frame?: "batch"; batch: Uint8Array }
  // A batch frame whose protobuf bytes the sender wrote itself (batchFieldHeader + envelope).
  | { frame?: "encoded"; encoded: Buffer };
export type ServerFrame = { frame?: "helloReply"; helloReply: HelloReplyMsg };

export interface ForwardRequestMsg {
  hello: HelloMsg;
  group: string;
  kind: string;
  payload: Uint8Array;
}

export interface ForwardReplyMsg {
  payload: Uint8Array;
}

export interface RaftService {
  Client: grpc.ServiceClientConstructor;
  definition: grpc.ServiceDefinition;
}

// ClientFrame.batch is field 2, length-delimited: tag byte (2 << 3) | 2.
const BATCH_TAG = 0x12;

// The protobuf bytes in front of a batch envelope of `size` bytes: tag and length varint.
export function batchFieldHeader(size: number): Uint8Array {
  const out = [BATCH_TAG];
  let x = size;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x >>>= 7;
  }
  out.push(x);
  return Uint8Array.from(out);
}

// The envelope of a frame holding only the batch field, as a view; undefined for anything else.
export function readBatchField(buf: Buffer): Uint8Array | undefined {
  if (buf.length < 2 || buf[0] !== BATCH_TAG) return undefined;
  let len = 0;
  let at = 1;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= buf.length) return undefined;
    const b = buf[at++];
    len += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return at + len === buf.length ? buf.subarray(at) : undefined;
  }
  return undefined;
}

let cached: RaftService | undefined;

export function loadRaftService(): RaftService {
  if (cached) return cached;
  const pkgDef = protoLoader.loadSync(PROTO_PATH, {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  // Batches, nearly all the traffic, skip protobuf.js: the sender writes their bytes with the
  // envelope (one copy less) and the receiver takes the envelope as a view. Handshakes go through it.
  const stream = (pkgDef["chronik.raft.v1.RaftTransport"] as grpc.ServiceDefinition)
    .Stream as grpc.MethodDefinition<ClientFrame, ServerFrame>;
  const { requestSerialize, requestDeserialize } = stream;
  stream.requestSerialize = (f) => (f.frame === "encoded" ? f.encoded : requestSerialize(f));
  stream.requestDeserialize = (buf) => {
    const batch = readBatchField(buf);
    return batch ? { frame: "batch", batch } : requestDeserialize(buf);
  };
  const pkg = grpc.loadPackageDefinition(pkgDef) as unknown as {
    chronik: { raft: { v1: { RaftTransport: grpc.ServiceClientConstructor } } };
  };
  const Client = pkg.chronik.raft.v1.RaftTransport;
  cached = { Client, definition: Client.service };
  return cached;
}
