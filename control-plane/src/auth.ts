import type { MiddlewareHandler } from "hono";

// Bearer-token check for operator routes. Open when no token is configured (local development).
export function requireOperator(tokens: string[]): MiddlewareHandler {
  const accepted = tokens.filter((t) => t.length > 0).map((t) => encoder.encode(t));
  return async (c, next) => {
    if (accepted.length === 0) return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const presented = match ? encoder.encode(match[1].trim()) : undefined;
    if (presented && accepted.some((t) => constantTimeEqual(t, presented))) return next();
    c.header("www-authenticate", 'Bearer realm="chronik"');
    return c.json({ error: "unauthorized" }, 401);
  };
}

const encoder = new TextEncoder();

// Compares every byte whatever the first difference; only the length can leak.
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
