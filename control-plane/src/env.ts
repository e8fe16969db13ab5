import { z } from "zod";
import { DEFAULT_MAX_AGE_MS } from "../../shared/health/evaluate.ts";
import type { Settings } from "./deps.ts";

// Settings from environment variables, read the same way by the Node and Workers entries.
//   DATABASE_URL             Postgres server (Node: PGlite when unset; Workers: required)
//   CHRONIK_MIRROR_SECRET    HMAC secret for every cluster's pushes. The default is for local
//                            development only: set a real secret anywhere else.
//   CHRONIK_OPERATOR_TOKENS  comma-separated bearer tokens for /brokers and /topics (none: open)
//   CHRONIK_HEALTH_PUBLIC    "false" puts /cluster/health behind the operator tokens too (default true)
//   CHRONIK_MAX_AGE_MS       a mirror older than this reports unknown (default 30000)

export const DEV_MIRROR_SECRET = "chronik-dev-secret";

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  CHRONIK_MIRROR_SECRET: z.string().min(8).default(DEV_MIRROR_SECRET),
  CHRONIK_OPERATOR_TOKENS: z.string().default(""),
  CHRONIK_HEALTH_PUBLIC: z.enum(["true", "false", "1", "0"]).default("true"),
  CHRONIK_MAX_AGE_MS: z.coerce.number().int().positive().default(DEFAULT_MAX_AGE_MS),
});

export interface ControlPlaneEnv {
  databaseUrl: string | undefined;
  mirrorSecret: string;
  usingDevSecret: boolean;
  settings: Settings;
}

export function readEnv(env: Record<string, unknown>): ControlPlaneEnv {
  const blankless = Object.fromEntries(
    Object.entries(env).filter(([, v]) => typeof v === "string" && v !== ""),
  );
  const e = envSchema.parse(blankless);
  return {
    databaseUrl: e.DATABASE_URL,
    mirrorSecret: e.CHRONIK_MIRROR_SECRET,
    usingDevSecret: e.CHRONIK_MIRROR_SECRET === DEV_MIRROR_SECRET,
    settings: {
      healthPublic: e.CHRONIK_HEALTH_PUBLIC === "true" || e.CHRONIK_HEALTH_PUBLIC === "1",
      operatorTokens: e.CHRONIK_OPERATOR_TOKENS.split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
      maxAgeMs: e.CHRONIK_MAX_AGE_MS,
    },
  };
}
