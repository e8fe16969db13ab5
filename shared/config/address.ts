// Host:port handling shared by config validation and the node's listeners.

export interface HostPort {
  host: string;
  port: number;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function parseHostPort(value: string): HostPort | undefined {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(value.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1], port };
}

// Two endpoints on "the same host" collide when their ports match. Loopback spellings are one host,
// and a wildcard listener (0.0.0.0, ::) occupies the port on every address.
export function sameHost(a: string, b: string): boolean {
  const na = normalizeHost(a);
  const nb = normalizeHost(b);
  return na === nb || na === "*" || nb === "*";
}

export function normalizeHost(host: string): string {
  const h = host.toLowerCase();
  if (LOOPBACK.has(h) || h.startsWith("127.")) return "loopback";
  if (h === "0.0.0.0" || h === "::" || h === "[::]") return "*";
  return h;
}

export function formatHostPort(hp: HostPort): string {
  return `${hp.host}:${hp.port}`;
}
