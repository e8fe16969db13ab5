import type { Database } from "./db/database.ts";

// Everything the app needs from its host. Node, Workers and tests each build these their own way.

export interface Settings {
  // When false and operator tokens are configured, /cluster/health needs a token too.
  healthPublic: boolean;
  // Bearer tokens accepted on operator routes; none configured means the routes are open.
  operatorTokens: string[];
  // A mirror not confirmed by a push for longer than this reports `unknown` (stale_metadata).
  maxAgeMs: number;
  // Accepted distance between a push's signed timestamp and the clock.
  replayWindowMs?: number;
}

export interface AppDeps {
  db: Database;
  clock: () => number;
  // The HMAC secret for a cluster's pushes; undefined rejects the cluster's pushes.
  secrets: (clusterId: string) => string | undefined | Promise<string | undefined>;
  settings: Settings;
  // Where unexpected errors go (a pino logger fits); console.error when absent.
  logger?: { error(obj: object, msg?: string): void };
}
