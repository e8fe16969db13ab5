import pino from "pino";
import type { Logger } from "../../../shared/log.ts";

// A real pino logger whose lines land in an array, so tests can assert what was logged.
export function captureLogger(): {
  logger: Logger;
  lines: { level: number; msg: string; [k: string]: unknown }[];
} {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

export const INFO = 30;
