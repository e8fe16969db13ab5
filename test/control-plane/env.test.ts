import { describe, expect, it } from "vitest";
import { DEV_MIRROR_SECRET, readEnv } from "../../control-plane/src/env.ts";

describe("control plane environment", () => {
  it("defaults to PGlite, the dev-only secret, open routes and a 30 s max age", () => {
    expect(readEnv({})).toEqual({
      databaseUrl: undefined,
      mirrorSecret: DEV_MIRROR_SECRET,
      usingDevSecret: true,
      settings: { healthPublic: true, operatorTokens: [], maxAgeMs: 30_000 },
    });
  });

  it("reads the server, secret, tokens, health visibility and max age, ignoring blanks and bindings", () => {
    const env = readEnv({
      DATABASE_URL: "postgres://u@db:5432/cp",
      CHRONIK_MIRROR_SECRET: "a-real-secret",
      CHRONIK_OPERATOR_TOKENS: " one, two ,,",
      CHRONIK_HEALTH_PUBLIC: "false",
      CHRONIK_MAX_AGE_MS: "5000",
      HYPERDRIVE: { connectionString: "postgres://x" },
    });
    expect(env).toEqual({
      databaseUrl: "postgres://u@db:5432/cp",
      mirrorSecret: "a-real-secret",
      usingDevSecret: false,
      settings: { healthPublic: false, operatorTokens: ["one", "two"], maxAgeMs: 5000 },
    });
    expect(readEnv({ DATABASE_URL: "" }).databaseUrl).toBeUndefined();
    expect(readEnv({ CHRONIK_HEALTH_PUBLIC: "0" }).settings.healthPublic).toBe(false);
  });

  it("rejects values it cannot mean", () => {
    expect(() => readEnv({ CHRONIK_HEALTH_PUBLIC: "maybe" })).toThrow();
    expect(() => readEnv({ CHRONIK_MAX_AGE_MS: "-1" })).toThrow();
    expect(() => readEnv({ CHRONIK_MIRROR_SECRET: "short" })).toThrow();
  });
});
