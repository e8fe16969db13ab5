// Signing of mirror pushes (data node → control plane): HMAC-SHA256 over `${timestamp}.${body}` with
// the cluster's secret, hex-encoded as "sha256=<hex>". Web Crypto only, so the same code runs in
// Node and in Workers.

export const TIMESTAMP_HEADER = "x-chronik-timestamp";
export const SIGNATURE_HEADER = "x-chronik-signature";
export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60_000;

const PREFIX = "sha256=";
const encoder = new TextEncoder();

async function hmacKey(secret: string, usage: "sign" | "verify") {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    usage,
  ]);
}

export async function signMirrorPush(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await hmacKey(secret, "sign");
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return PREFIX + toHex(new Uint8Array(mac));
}

// The headers a publisher sends with `body`, signed at `timestamp` (epoch ms).
export async function mirrorPushHeaders(
  secret: string,
  timestamp: number,
  body: string,
): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: await signMirrorPush(secret, timestamp, body),
  };
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: "missing" | "malformed" | "expired" | "mismatch" };

// Checks the headers of a push against `body` at time `now`. crypto.subtle.verify compares the MACs
// in constant time.
export async function verifyMirrorPush(args: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now: number;
  windowMs?: number;
}): Promise<SignatureCheck> {
  const { timestamp, signature } = args;
  if (!timestamp || !signature) return { ok: false, reason: "missing" };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: "malformed" };
  const hex = signature.startsWith(PREFIX) ? signature.slice(PREFIX.length) : "";
  if (!/^[0-9a-f]{64}$/i.test(hex)) return { ok: false, reason: "malformed" };
  const ts = Number(timestamp);
  if (Math.abs(args.now - ts) > (args.windowMs ?? DEFAULT_REPLAY_WINDOW_MS))
    return { ok: false, reason: "expired" };
  const key = await hmacKey(args.secret, "verify");
  const ok = await crypto.subtle.verify(
    "HMAC",
    key,
    fromHex(hex),
    encoder.encode(`${timestamp}.${args.body}`),
  );
  return ok ? { ok: true } : { ok: false, reason: "mismatch" };
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
