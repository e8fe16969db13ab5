import pino from "pino";
import { RaftTransport, type RaftTransportOptions } from "../../../data-node/src/transport/raft-transport.ts";
import type { GroupPayload, PeerAddress } from "../../../data-node/src/transport/types.ts";
import type { Logger } from "../../../shared/log.ts";

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export const LEVEL = { info: 30, warn: 40, error: 50 } as const;

// A pino logger that keeps its records in memory so tests can assert what was logged, and how often.
export function memoryLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => records.push(JSON.parse(line)) });
  return { logger, records };
}

export interface Received {
  from: number;
  group: string;
  payload: Buffer;
}

export interface TestNode {
  id: number;
  port: number;
  transport: RaftTransport;
  received: Received[];
  batches: { from: number; size: number }[];
  records: LogRecord[];
  retries: () => number;
}

export async function startNode(
  id: number,
  extra: Partial<RaftTransportOptions> & { clusterId?: string; port?: number } = {},
): Promise<TestNode> {
  const { logger, records } = memoryLogger();
  const received: Received[] = [];
  const batches: { from: number; size: number }[] = [];
  let randomCalls = 0;
  const transport = new RaftTransport({
    nodeId: id,
    clusterId: extra.clusterId ?? "local",
    listen: { host: "127.0.0.1", port: extra.port ?? 0 },
    peers: [],
    logger,
    onMessages: (from: number, batch: GroupPayload[]) => {
      batches.push({ from, size: batch.length });
      for (const m of batch) received.push({ from, group: m.group, payload: Buffer.from(m.payload) });
    },
    backoff: { baseMs: 20, maxMs: 200 },
    keepalive: { timeMs: 2000, timeoutMs: 2000 },
    // The backoff draws one random number per scheduled retry, so this counts retries.
    random: () => {
      randomCalls++;
      return Math.random();
    },
    ...extra,
  });
  const { port } = await transport.start();
  return { id, port, transport, received, batches, records, retries: () => randomCalls };
}

export function addressOf(node: { id: number; port: number }, file = "test"): PeerAddress {
  return { id: node.id, host: "127.0.0.1", port: node.port, source: `${file} peers (id ${node.id})` };
}

// Tells every node about every other one.
export function meshPeers(nodes: TestNode[]): void {
  for (const n of nodes) n.transport.setPeers(nodes.filter((o) => o !== n).map((o) => addressOf(o)));
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function allConnected(nodes: TestNode[]): boolean {
  return nodes.every((n) => [...n.transport.peerStatus().values()].every((s) => s === "connected"));
}
