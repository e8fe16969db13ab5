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

export type ClientFrame = { frame?: "hello"; hello: HelloMsg } | { frame?: "batch"; batch: Uint8Array };
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
  const pkg = grpc.loadPackageDefinition(pkgDef) as unknown as {
    chronik: { raft: { v1: { RaftTransport: grpc.ServiceClientConstructor } } };
  };
  const Client = pkg.chronik.raft.v1.RaftTransport;
  cached = { Client, definition: Client.service };
  return cached;
}
