import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "../../../shared/log.ts";
import { Connection } from "./connection.ts";
import type { HandlerTable } from "./handler-types.ts";
import { advertisedVersions } from "./handlers/api-versions.ts";
import type { VersionRange } from "./protocol/codec.ts";

export type { Handler, HandlerTable, RequestContext } from "./handler-types.ts";
export { NO_RESPONSE } from "./handler-types.ts";

export interface KafkaServerOptions {
  host: string;
  port: number;
  handlers: HandlerTable;
  logger: Logger;
  maxRequestBytes?: number;
  // Per connection: stop reading once this many response bytes wait to be sent.
  maxQueuedResponseBytes?: number;
  // Per connection: stop reading once this many requests await their responses.
  maxInFlightRequests?: number;
  // Narrower per-API ranges than the protocol layer implements (e.g. Produce 0-7).
  versions?: readonly VersionRange[];
}

const MiB = 1024 * 1024;

// The Kafka listener: framing, header decoding, per-connection ordering and back-pressure.
// Request semantics live in the handlers.
export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Map<number, Connection>();
  private readonly advertised: ReadonlyMap<number, VersionRange>;
  private nextId = 1;
  private readonly log: Logger;

  constructor(private readonly opts: KafkaServerOptions) {
    this.log = opts.logger.child({ component: "kafka-server" });
    this.advertised = new Map(advertisedVersions(opts.handlers, opts.versions).map((r) => [r.apiKey, r]));
    this.server = createServer((socket) => this.accept(socket));
  }

  // The version ranges this server accepts (what its ApiVersions handler should advertise).
  get versions(): VersionRange[] {
    return [...this.advertised.values()];
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  start(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once("error", onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off("error", onError);
        this.server.on("error", (err) => this.log.warn({ err: err.message }, "kafka listener error"));
        const addr = this.server.address();
        const port = typeof addr === "object" && addr ? addr.port : this.opts.port;
        this.log.info({ host: this.opts.host, port }, "kafka listener started");
        resolve({ port });
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      for (const c of this.connections.values()) c.close();
      this.connections.clear();
      if (!this.server.listening) return resolve();
      this.server.close(() => {
        this.log.info("kafka listener stopped");
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    const id = this.nextId++;
    const conn = new Connection({
      id,
      socket,
      handlers: this.opts.handlers,
      advertised: this.advertised,
      logger: this.log,
      maxRequestBytes: this.opts.maxRequestBytes ?? 100 * MiB,
      maxQueuedResponseBytes: this.opts.maxQueuedResponseBytes ?? 64 * MiB,
      maxInFlightRequests: this.opts.maxInFlightRequests ?? 1024,
      onClose: () => this.connections.delete(id),
    });
    this.connections.set(id, conn);
  }
}
