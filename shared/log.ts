import pino, { type Logger } from "pino";

export type { Logger };

// One structured logger per process; components take a child with their own bindings.
// LOG_LEVEL overrides the level (tests set it to "silent" or "warn").
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? "info",
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

// For tests and pure code paths that accept a logger but should not print.
export const silentLogger: Logger = pino({ level: "silent" });
