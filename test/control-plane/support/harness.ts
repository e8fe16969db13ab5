import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { createApp } from "../../../control-plane/src/app.ts";
import type { Settings } from "../../../control-plane/src/deps.ts";
import { mirrorPushHeaders } from "../../../shared/registry/mirror-signature.ts";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import { T0 } from "../../unit/health/snapshot-fixture.ts";
import { type Backend, openTestDatabase, type TestDatabase } from "./database.ts";

export const SECRET = "test-secret-of-cluster";
export const OTHER_SECRET = "another-clusters-secret";

// Shared state of one backend's API suites: a database opened once per file, emptied before each
// test, a settable clock, and helpers that talk to an app built over them.
export interface Harness {
  backend: Backend;
  db(): TestDatabase;
  clock: { now: number };
  app(settings?: Partial<Settings>): OpenAPIHono;
  push(
    snapshot: RegistrySnapshot | string,
    opts?: { secret?: string; timestamp?: number; headers?: Record<string, string>; app?: OpenAPIHono },
  ): Promise<Response>;
  get(path: string, opts?: { token?: string; app?: OpenAPIHono }): Promise<Response>;
}

export function useHarness(backend: Backend): Harness {
  let database: TestDatabase | undefined;
  const clock = { now: T0 };
  beforeAll(async () => {
    database = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    clock.now = T0;
    await database?.reset();
  });

  const h: Harness = {
    backend,
    db: () => {
      if (!database) throw new Error("database not open");
      return database;
    },
    clock,
    app: (settings = {}) =>
      createApp({
        db: h.db().handle.db,
        clock: () => clock.now,
        secrets: (id) =>
          id === "other-cluster" ? OTHER_SECRET : id.startsWith("test-") ? SECRET : undefined,
        settings: { healthPublic: true, operatorTokens: [], maxAgeMs: 30_000, ...settings },
        logger: { error: () => {} },
      }),
    push: async (snapshot, opts = {}) => {
      const body = typeof snapshot === "string" ? snapshot : JSON.stringify(snapshot);
      const headers = await mirrorPushHeaders(opts.secret ?? SECRET, opts.timestamp ?? clock.now, body);
      return (opts.app ?? h.app()).request("/v1/mirror", {
        method: "POST",
        body,
        headers: { ...headers, ...opts.headers },
      });
    },
    get: async (path, opts = {}) =>
      await (opts.app ?? h.app()).request(path, {
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      }),
  };
  return h;
}
