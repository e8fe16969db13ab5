import { EncodeError } from "./decode-error.ts";

// UUIDs travel as 16 raw bytes; in memory they are the canonical 36-char lowercase form.
export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

export function uuidToString(buf: Buffer, at: number): string {
  const h = buf.toString("hex", at, at + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export function writeUuidInto(buf: Buffer, at: number, uuid: string): void {
  if (!UUID_RE.test(uuid)) throw new EncodeError(`not a uuid: ${JSON.stringify(uuid)}`);
  buf.write(uuid.replace(/-/g, ""), at, 16, "hex");
}
